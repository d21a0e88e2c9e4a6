/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Whether a backend can hand second chance packets on: forwarding on its decap interface. */
#ifndef XDPLB_BACKEND_FORWARDING_H
#define XDPLB_BACKEND_FORWARDING_H

#include <stddef.h>

#include "model/model.h"

/* Where the sysctls are read from; tests point backend_forwarding_check() elsewhere. */
#define BACKEND_SYSCTL_ROOT "/proc/sys"

/* One integer sysctl file (its path under /proc/sys or a test's copy): 0 or -errno. */
int backend_sysctl_read_file(const char *path, int *value);

/*
 * bpf_fib_lookup() refuses (BPF_FIB_LKUP_RET_FWD_DISABLED) on an interface without
 * forwarding, so decap keeps every packet it should hand on (docs/SECOND_CHANCE.md). The
 * agent does not turn forwarding on: that makes the host a router on iface (and IPv6
 * forwarding stops router advertisements unless accept_ra=2). Checks
 * ROOT/net/ipv{4,6}/conf/IFACE/forwarding for each family of cfg->node.addresses (IPv4 when
 * none are configured), only if cfg has a GUE VIP: an IPIP-only backend never hands on.
 * Returns 0 when forwarding is on (or not needed: *unused set), 1 when off (off names the
 * first sysctl to set, as "net.ipv4.conf.eth0.forwarding"), or -errno.
 */
int backend_forwarding_check(const char *root, const struct lb_config *cfg, const char *iface,
			     bool *unused, char *off, size_t len);

/* The status line's value: "ready", "forwarding off on IFACE" or "not used: no GUE VIP". */
const char *backend_forwarding_status(const struct lb_config *cfg, const char *iface, char *buf,
				      size_t len);

#endif /* XDPLB_BACKEND_FORWARDING_H */
