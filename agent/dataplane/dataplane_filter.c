// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb_vip_filter: the bitmap of VIP addresses lb.bpf.c checks before its
 * lb_vips lookups (see bpf/lb_filter.h). A VIP's bit must be set before its
 * entries exist and may go only once no VIP address maps to it, so an apply
 * first adds the bits of the new config, then, after the VIPs are written
 * and removed, writes exactly those bits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "config/config.h"
#include "dataplane/dataplane_int.h"
#include "lb.skel.h"

/* The bits cfg needs, the on-bit included. */
static uint64_t *dp_filter_want(const struct lb_config *cfg)
{
	uint64_t *want = calloc(LB_VIP_FILTER_WORDS, sizeof(*want));
	size_t i;

	if (!want)
		return NULL;
	for (i = 0; i < cfg->n_vips; i++) {
		uint32_t bit = lb_vip_filter_bit(cfg->vips[i].addr.addr, cfg->vips[i].addr.family);

		want[bit / 64] |= 1ULL << (bit % 64);
	}
	want[0] |= 1ULL << LB_VIP_FILTER_ON_BIT;
	return want;
}

static int dp_filter_write(struct dataplane *dp, uint32_t word, uint64_t val)
{
	if (dp->vip_filter[word] == val)
		return 0;
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_vip_filter), &word, &val, BPF_ANY))
		return -errno;
	dp->vip_filter[word] = val;
	return 0;
}

/* Adds cfg's bits to what is there; word 0, holding the on-bit, last. */
int dp_filter_grow(struct dataplane *dp, const struct lb_config *cfg)
{
	uint64_t *want = dp_filter_want(cfg);
	uint32_t w;
	int err = 0;

	if (!want)
		return -ENOMEM;
	for (w = 1; w < LB_VIP_FILTER_WORDS && !err; w++)
		err = dp_filter_write(dp, w, dp->vip_filter[w] | want[w]);
	if (!err)
		err = dp_filter_write(dp, 0, dp->vip_filter[0] | want[0]);
	free(want);
	return err;
}

/* Leaves exactly cfg's bits: run once the VIPs cfg dropped are gone from lb_vips. */
int dp_filter_trim(struct dataplane *dp, const struct lb_config *cfg)
{
	uint64_t *want = dp_filter_want(cfg);
	uint32_t w;
	int err = 0;

	if (!want)
		return -ENOMEM;
	for (w = 0; w < LB_VIP_FILTER_WORDS && !err; w++)
		err = dp_filter_write(dp, w, want[w]);
	free(want);
	return err;
}

/* Takes over what a previous agent wrote into the pinned map. */
int dp_filter_adopt(struct dataplane *dp)
{
	int fd = bpf_map__fd(dp->skel->maps.lb_vip_filter);
	uint32_t w;

	for (w = 0; w < LB_VIP_FILTER_WORDS; w++)
		if (bpf_map_lookup_elem(fd, &w, &dp->vip_filter[w]))
			return -errno;
	return 0;
}
