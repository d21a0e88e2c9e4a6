// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Second chance on a backend (docs/SECOND_CHANCE.md) hands packets on with bpf_fib_lookup(),
 * which needs forwarding on the interface they arrive on. Checked, never set: see the header.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "backend/backend_forwarding.h"

int backend_sysctl_read_file(const char *path, int *value)
{
	FILE *f = fopen(path, "re");
	int err;

	if (!f)
		return -errno;
	err = fscanf(f, "%d", value) == 1 ? 0 : -EIO;
	fclose(f);
	return err;
}

static int backend_forwarding_read(const char *root, const char *ipv, const char *iface, int *value)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/net/%s/conf/%s/forwarding", root, ipv, iface);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return backend_sysctl_read_file(path, value);
}

static bool backend_has_gue_vip(const struct lb_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_vips; i++)
		if (cfg->vips[i].encap == LB_ENCAP_GUE)
			return true;
	return false;
}

int backend_forwarding_check(const char *root, const struct lb_config *cfg, const char *iface,
			     bool *unused, char *off, size_t len)
{
	bool v4 = !cfg->node.n_addresses, v6 = false;
	const char *ipv;
	size_t i;
	int on, err, f;

	*unused = !backend_has_gue_vip(cfg);
	if (*unused)
		return 0;
	for (i = 0; i < cfg->node.n_addresses; i++) {
		v4 |= cfg->node.addresses[i].family == LB_AF_INET;
		v6 |= cfg->node.addresses[i].family == LB_AF_INET6;
	}
	for (f = 0; f < 2; f++) {
		if (!(f ? v6 : v4))
			continue;
		ipv = f ? "ipv6" : "ipv4";
		err = backend_forwarding_read(root, ipv, iface, &on);
		if (err)
			return err;
		if (!on) {
			snprintf(off, len, "net.%s.conf.%s.forwarding", ipv, iface);
			return 1;
		}
	}
	return 0;
}

const char *backend_forwarding_status(const struct lb_config *cfg, const char *iface, char *buf,
				      size_t len)
{
	char sysctl[64 + IF_NAMESIZE];
	bool unused;
	int ret = backend_forwarding_check(BACKEND_SYSCTL_ROOT, cfg, iface, &unused, sysctl,
					   sizeof(sysctl));

	if (ret < 0)
		snprintf(buf, len, "unknown: forwarding on %s: %s", iface, strerror(-ret));
	else if (ret)
		snprintf(buf, len, "forwarding off on %s (%s=0)", iface, sysctl);
	else
		snprintf(buf, len, "%s", unused ? "not used: no GUE VIP" : "ready");
	return buf;
}
