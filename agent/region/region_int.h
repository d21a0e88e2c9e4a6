/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Inside the region subsystem: its state, shared by region.c and region_status.c. */
#ifndef XDPLB_REGION_INT_H
#define XDPLB_REGION_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "config/config_region.h"
#include "region/region.h"
#include "region/region_vote.h"

struct health_engine;
struct region_dns;

struct region {
	struct cfg_region cfg; /* a deep copy: names and check are the region's own */
	uint32_t node_id;
	struct cfg_tsig_key key;
	struct health_engine *health;
	struct region_dns *dns; /* the worker's */
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu. */
	bool stop, kick;
	struct region_local local[CFG_REGIONS_MAX];
	struct region_verdict verdict[CFG_REGIONS_MAX];
	bool have_verdict;
	struct region_stats stats;
};

#endif /* XDPLB_REGION_INT_H */
