/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The authoritative DNS server as the region subsystem uses it, through libknot: the zone read
 * back by a TSIG-signed transfer (AXFR), observation records replaced, and the A/AAAA set of
 * a name replaced under a prerequisite (RFC 2136) that it still is what was read. Blocking,
 * each exchange bounded by region.timeout: called from the region worker thread, and from
 * the `dns` verb.
 */
#ifndef XDPLB_REGION_DNS_H
#define XDPLB_REGION_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_region.h"
#include "model/model.h"
#include "region/region_vote.h"

#define REGION_RRS_MAX (CFG_REGIONS_MAX * CFG_REGION_VIPS_MAX)
#define REGION_OBS_MAX 256 /* observation records read from one zone */

/* The address records of one configured name, as the server holds them. */
struct region_name_rrs {
	size_t n;	/* sorted, see region_addrs_normalize */
	bool overflow;	/* more than REGION_RRS_MAX: the prerequisite cannot name them */
	uint32_t ttl;	/* of the first one, 0 if none */
	bool ttl_mixed; /* records with different TTLs */
	struct xaddr addrs[REGION_RRS_MAX];
};

/* What one transfer of the zone gave. */
struct region_zone {
	uint32_t serial;
	struct region_name_rrs *names; /* one per cfg_region.names, same order */
	size_t n_names;
	struct region_obs obs[REGION_OBS_MAX];
	size_t n_obs;
	uint64_t malformed; /* observation records that did not parse, ignored */
};

struct region_dns;

/* NULL with errno set. Keeps no reference to key (libknot keeps the decoded secret). */
struct region_dns *region_dns_open(const struct cfg_region *r, const struct cfg_tsig_key *key);
void region_dns_close(struct region_dns *d);

/* The whole zone by AXFR: 0, or -errno with why in err. z->names is allocated: free with
 * region_zone_free. */
int region_dns_read(struct region_dns *d, const struct cfg_region *r, struct region_zone *z,
		    char *err, size_t errlen);
void region_zone_free(struct region_zone *z);

/* This node's observation record replaced (delete the RRset, add the new one, one update). */
int region_dns_publish(struct region_dns *d, const struct cfg_region *r, const struct region_obs *o,
		       char *err, size_t errlen);

/*
 * The A and AAAA sets of dn replaced by want (ttl dn->ttl), on condition that the server
 * still holds cur: -EAGAIN when another writer changed them first (re-read, then retry).
 */
int region_dns_replace(struct region_dns *d, const struct cfg_region *r,
		       const struct cfg_dns_name *dn, const struct region_name_rrs *cur,
		       const struct xaddr *want, size_t n_want, char *err, size_t errlen);

#endif /* XDPLB_REGION_DNS_H */
