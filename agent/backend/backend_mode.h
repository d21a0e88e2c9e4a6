/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Backend mode: VIPs on lo, DSR sysctls, and the decap program on the node's interface. */
#ifndef XDPLB_BACKEND_MODE_H
#define XDPLB_BACKEND_MODE_H

#include <stdbool.h>

#include "model/model.h"

/* Under cfg->node.bpffs_dir: the decap program's pins, and its link's name there. */
#define BACKEND_DECAP_PIN_SUBDIR "decap"
#define BACKEND_DECAP_PIN_LINK	 "link"

/*
 * Sets up this host as a backend for cfg (role backend), idempotently, in the caller's
 * network namespace:
 * - every VIP address of cfg->vips on lo (/32 or /128, over rtnetlink), lo brought up, and
 *   the VIP addresses an earlier apply put there that cfg no longer has taken away (they are
 *   stamped with an address protocol; addresses others put on lo are never touched);
 * - net.ipv4.conf.{all,lo,<iface>}.rp_filter strict (1) relaxed to loose (2), since the
 *   decapsulated packets carry the client's source; arp_ignore >= 1 and arp_announce = 2 on
 *   all and <iface> so the host never answers ARP for a VIP on its real interface (IPv6
 *   neighbour discovery already answers only for the receiving interface's addresses);
 * - bpf/decap.bpf.c loaded and attached (XDP link, cfg->node.xdp_mode) on cfg->node.interface,
 *   or without one on the interface that holds the first of cfg->node.addresses found (-ENODEV
 *   when none does, -EINVAL when it is lo, where no tunnel arrives),
 *   decap_addrs holding cfg->node.addresses (the interface's own global addresses when none
 *   are configured), decap_settings the GUE port of the VIPs (all GUE VIPs must share one
 *   port: -EINVAL otherwise; 0 = no GUE VIP).
 * Program, link and maps are pinned in cfg->node.bpffs_dir + "/decap". When a pinned link
 * exists it is kept: the maps are reused and updated in place and the new program replaces
 * the old one in the link atomically, so an agent restart or upgrade never stops decap.
 * Returns 0 or -errno; a failure part way leaves what was done (apply again, or remove).
 */
int backend_mode_apply(const struct lb_config *cfg);

/* Whether a decap link is pinned for cfg (an earlier agent's): a restart adopts it. */
bool backend_mode_pinned(const struct lb_config *cfg);

/*
 * Removes what apply did: the VIP addresses from lo (cfg's and any stamped by an earlier
 * apply), the XDP link (detached at once), the
 * pins and their directory. The sysctls stay: other services may rely on them and they are
 * harmless without VIPs. Idempotent; 0 or the first -errno met (it still does the rest).
 */
int backend_mode_remove(const struct lb_config *cfg);

#endif /* XDPLB_BACKEND_MODE_H */
