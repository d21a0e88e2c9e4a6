/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the agents of all regions agree on, as pure functions of what the DNS server holds:
 * the observation records (one TXT RRset per observer node), the verdict on each region by a
 * majority of the other regions, and the A/AAAA set each name should answer. Every writer
 * computes the same set from the same records, so any of them may write it.
 */
#ifndef XDPLB_REGION_VOTE_H
#define XDPLB_REGION_VOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

#define REGION_OBS_LABEL   "_xdplb" /* observations live under _xdplb.<zone> */
#define REGION_OBS_MAGIC   "xdplb-obs=1"
#define REGION_TXT_MAX	   (CFG_REGIONS_MAX + 2) /* strings of one observation record */
#define REGION_TXT_STR_MAX 64

enum region_seen {
	REGION_SEEN_NONE = 0, /* not observed (its own region, or no probe yet) */
	REGION_SEEN_UP = 1,
	REGION_SEEN_DOWN = 2,
};

/* One observer node's record: what it saw of each region, and when it wrote it. */
struct region_obs {
	uint8_t observer;	       /* index of the observer's region in cfg_region.regions */
	uint32_t node;		       /* the observer's node id */
	int64_t at;		       /* unix seconds of the writing */
	uint8_t seen[CFG_REGIONS_MAX]; /* enum region_seen, per region */
};

/* A region as the majority sees it. */
struct region_verdict {
	bool down;
	uint8_t voters;	    /* other regions with a fresh observation of it */
	uint8_t down_votes; /* of those, the ones that see it down */
};

/* This node's own probes of one region, before the hold-down. */
struct region_local {
	bool probed;	      /* the region has VIPs this node checks */
	bool up;	      /* any of its VIPs answers the check */
	bool ever_down;	      /* a hold-down applies to its coming back */
	uint64_t up_since_ms; /* monotonic: when it came back up */
};

/* "n<node>.<region>._xdplb.<zone>": the owner of a node's observation record. */
int region_obs_owner(const struct cfg_region *r, uint8_t region, uint32_t node, char *out,
		     size_t size);

/* The TXT strings of o: the magic, "t=<unix>", then "<region>=up|down" per region seen. */
size_t region_obs_format(const struct cfg_region *r, const struct region_obs *o,
			 char out[REGION_TXT_MAX][REGION_TXT_STR_MAX]);

/*
 * A TXT record read back: owner (lower case, no final dot) and its strings. 0 with *o filled;
 * -ENOENT when the owner is not an observation's (not ours: ignored); -EINVAL when it is one
 * but malformed (counted). Regions the config does not know are skipped, not refused: a
 * region added to one cluster's config before another's.
 */
int region_obs_parse(const struct cfg_region *r, const char *owner, const char *const *strs,
		     size_t n, struct region_obs *o);

/* What this node publishes about region i: down while probes fail and through the hold-down. */
uint8_t region_local_seen(const struct region_local *l, uint64_t now_ms, uint32_t hold_down_ms);

/*
 * The verdict on every region from the observations: a region is down when more than half
 * of the other regions that hold a fresh observation of it see it down. A region's own
 * observation is the majority of its nodes' (a tie: up). Observations older than
 * observation_timeout are not counted; nobody fresh: up (fail open).
 */
void region_vote(const struct cfg_region *r, const struct region_obs *obs, size_t n, int64_t now,
		 struct region_verdict out[CFG_REGIONS_MAX]);

/*
 * The address set name dn should answer under verdicts v, sorted (cfg_addr order) and
 * without duplicates: the VIPs of every region not down; when that leaves none, every VIP of
 * the name (a name never loses its last record), and *fail_open says so.
 */
size_t region_records(const struct cfg_dns_name *dn, const struct region_verdict *v,
		      struct xaddr *out, size_t max, bool *fail_open);

/* Sorts and dedups addrs in place; returns how many remain. */
size_t region_addrs_normalize(struct xaddr *addrs, size_t n);
bool region_addrs_equal(const struct xaddr *a, size_t na, const struct xaddr *b, size_t nb);

#endif /* XDPLB_REGION_VOTE_H */
