// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What a backend host shows of itself, read back from the kernel rather than remembered: the
 * pinned decap link and maps (an agent restarted on a running decap sees what runs) and lo.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "backend/backend_mode.h"
#include "backend/backend_state.h"
#include "dataplane/nexthop.h"

#define BACKEND_LO_ADDRS_MAX 1024 /* addresses on lo read back; more is -E2BIG */

static int state_pin_path(const struct lb_config *cfg, const char *name, char *path, size_t len)
{
	int n =
	    snprintf(path, len, "%s/%s/%s", cfg->node.bpffs_dir, BACKEND_DECAP_PIN_SUBDIR, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Sums a per-CPU array of struct lb_counter, n entries, into out; a missing pin leaves 0s. */
static int state_read_counters(const struct lb_config *cfg, const char *map, struct lb_counter *out,
			       uint32_t n)
{
	int ncpus = libbpf_num_possible_cpus(), fd, err = 0, cpu;
	struct lb_counter *vals;
	char path[PATH_MAX];
	uint32_t key;

	memset(out, 0, n * sizeof(*out));
	if (ncpus < 0)
		return ncpus;
	err = state_pin_path(cfg, map, path, sizeof(path));
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals) {
		close(fd);
		return -ENOMEM;
	}
	for (key = 0; key < n && !err; key++) {
		if (bpf_map_lookup_elem(fd, &key, vals)) {
			err = -errno;
			break;
		}
		for (cpu = 0; cpu < ncpus; cpu++) {
			out[key].packets += vals[cpu].packets;
			out[key].bytes += vals[cpu].bytes;
		}
	}
	free(vals);
	close(fd);
	return err;
}

static int state_read_link(const struct lb_config *cfg, struct backend_state *st)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	err = state_pin_path(cfg, BACKEND_DECAP_PIN_LINK, path, sizeof(path));
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	/* A detached link (its device gone) keeps its pin with ifindex 0. */
	if (err || info.type != BPF_LINK_TYPE_XDP || !info.xdp.ifindex ||
	    !if_indextoname(info.xdp.ifindex, st->interface)) {
		st->interface[0] = '\0';
		return err;
	}
	st->attached = true;
	st->prog_id = info.prog_id;
	st->link_id = info.id;
	st->generic = !bpf_xdp_query(info.xdp.ifindex, 0, &q) && q.attach_mode == XDP_ATTACHED_SKB;
	return 0;
}

int backend_state_read(const struct lb_config *cfg, struct backend_state *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = state_read_link(cfg, st);
	if (!err)
		err = state_read_counters(cfg, "decap_stats", st->decap, LB_DECAP_MAX);
	if (!err)
		err = state_read_counters(cfg, "lb_stats", st->stats, LB_STAT_MAX);
	if (!err)
		err = state_read_counters(cfg, "lb_drops", st->drops, LB_DROP_MAX);
	if (!err)
		err = state_read_counters(cfg, "lb_sc_stats", st->sc, LB_SC_MAX);
	return err;
}

int backend_state_vips_on_lo(const struct lb_config *cfg, bool *on_lo)
{
	struct xaddr *addrs;
	uint32_t lo;
	size_t i, j;
	int n;

	n = nexthop_ifindex("lo", &lo, NULL);
	if (n)
		return n;
	addrs = calloc(BACKEND_LO_ADDRS_MAX, sizeof(*addrs));
	if (!addrs)
		return -ENOMEM;
	n = nexthop_ifaddrs(lo, addrs, BACKEND_LO_ADDRS_MAX);
	for (i = 0; i < cfg->n_vips; i++) {
		on_lo[i] = false;
		for (j = 0; n > 0 && j < (size_t)n && !on_lo[i]; j++)
			on_lo[i] = cfg_addr_equal(&addrs[j], &cfg->vips[i].addr);
	}
	free(addrs);
	return n < 0 ? n : 0;
}
