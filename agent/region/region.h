/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Region failover through DNS (docs/REGIONS.md): this node probes the other regions' VIPs
 * with the health engine's checks, publishes what it sees as a TXT record in the zone, reads
 * the zone back, and writes every name's A/AAAA set as the majority of the regions' observers
 * decides. The probes run on the agent's loop (region_fd); the DNS exchanges, which block up
 * to region.timeout each, on a worker thread of their own.
 */
#ifndef XDPLB_REGION_H
#define XDPLB_REGION_H

#include <stdint.h>
#include <jansson.h>

#include "model/model.h"

struct region;

struct region_stats {
	uint64_t rounds;
	uint64_t updates_sent;	 /* UPDATE messages the server accepted */
	uint64_t updates_failed; /* refused, unanswered, or the server unreachable */
	uint64_t conflicts;	 /* a prerequisite failed: another writer came first */
	uint64_t reads;		 /* zone transfers completed */
	uint64_t reads_failed;
	uint64_t malformed; /* observation records in the last read that did not parse */
	bool server_ok;	    /* the last exchange with the server worked */
};

/* Per region: this node's probes, and the verdict of the last round. */
struct region_view {
	const char *name;
	uint8_t seen;	   /* enum region_seen: what this node publishes */
	bool have_verdict; /* a round has read the zone */
	bool down;	   /* the majority's verdict */
	uint8_t voters, down_votes;
};

/* Starts the probes and the worker. node_id names this node's observation record. */
struct region *region_open(const struct cfg_region *cfg, uint32_t node_id);
void region_close(struct region *g);

/* The health engine's fd: readable when probes have work; region_process does it. */
int region_fd(const struct region *g);
void region_process(struct region *g);

void region_get_stats(struct region *g, struct region_stats *out);
/* Fills out[0..n_regions-1]; returns n_regions. */
size_t region_get_views(struct region *g, struct region_view *out, size_t max);

/*
 * The `dns` verb's answer: the records and observations read from the server now (a zone
 * transfer, at most region.timeout), the verdicts they give, and this node's probes.
 */
int region_status(struct region *g, json_t **out, char *err, size_t errlen);

#endif /* XDPLB_REGION_H */
