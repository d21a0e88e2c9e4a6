/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The region: section of the model: which region (xdplb cluster) this node belongs to, the
 * authoritative DNS server and zone it updates, the check its agents run against the other
 * regions' VIPs, and per DNS name the VIPs of each region. agent/config/config_region.c fills
 * it; agent/region/ observes, agrees and writes the records (docs/REGIONS.md).
 */
#ifndef XDPLB_REGION_MODEL_H
#define XDPLB_REGION_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Include model/model.h, not this: it includes this file once struct xaddr is defined. */

#define CFG_REGIONS_MAX	       8   /* regions one name spreads over */
#define CFG_REGION_NAME_MAX    32  /* a DNS label: letters, digits, '-' */
#define CFG_REGION_VIPS_MAX    8   /* addresses of one region for one name */
#define CFG_DNS_NAME_MAX       254 /* presentation form without the final dot, and its NUL */
#define CFG_REGION_DEFAULT_TTL 30  /* seconds: a client follows a failover within this */

/* The VIPs of one region that serve a name. */
struct cfg_region_vips {
	uint8_t region; /* index into cfg_region.regions */
	size_t n_addrs;
	struct xaddr addrs[CFG_REGION_VIPS_MAX];
};

struct cfg_dns_name {
	char name[CFG_DNS_NAME_MAX]; /* lower case, no final dot, inside the zone */
	uint32_t ttl;		     /* of its A/AAAA records, seconds */
	size_t n_regions;
	struct cfg_region_vips regions[CFG_REGIONS_MAX];
	int line, column;
};

struct cfg_region {
	bool enabled;			/* the section is there */
	uint16_t port;			/* host order, the DNS server's */
	uint8_t self;			/* index of this node's region in regions */
	char name[CFG_REGION_NAME_MAX]; /* this node's region */
	struct xaddr server;		/* the authoritative server RFC 2136 updates go to */
	char zone[CFG_DNS_NAME_MAX];	/* lower case, no final dot */
	char tsig_key_file[CFG_PATH_MAX];
	uint32_t timeout_ms;		 /* one DNS exchange */
	uint32_t interval_ms;		 /* a round: publish, read back, write records */
	uint32_t observation_timeout_ms; /* an observation older than this is ignored */
	uint32_t observation_ttl;	 /* seconds, TTL of the observation TXT records */
	uint32_t hold_down_ms;		 /* a region back up is published up after this */
	struct cfg_health *check;	 /* how the other regions' VIPs are probed */
	size_t n_regions;		 /* every region the names mention, this one included */
	char regions[CFG_REGIONS_MAX][CFG_REGION_NAME_MAX];
	struct cfg_dns_name *names;
	size_t n_names;
};

#endif /* XDPLB_REGION_MODEL_H */
