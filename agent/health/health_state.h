/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The verdict of a series of checks: rise successes to go up, fall failures to go down. */
#ifndef XDPLB_HEALTH_STATE_H
#define XDPLB_HEALTH_STATE_H

#include <stdbool.h>
#include <stdint.h>

enum health_state {
	HEALTH_DOWN = 0,
	HEALTH_UP = 1,
};

struct health_sm {
	uint8_t state; /* enum health_state */
	uint32_t rise, fall;
	uint32_t run;	  /* results in a row that disagree with state */
	uint64_t changes; /* state flips so far */
};

/* A fresh series in the configured initial state (rise and fall >= 1). */
void health_sm_init(struct health_sm *sm, uint32_t rise, uint32_t fall, bool up);

/* Feeds one result; returns true when it flipped the state. */
bool health_sm_feed(struct health_sm *sm, bool ok);

/*
 * New rise/fall from a reload. The state stays what it is: a reload must not
 * flap a backend. A run toward a flip that the new threshold already reaches
 * waits for the next result, so a reload alone never flips the state.
 */
void health_sm_reconfigure(struct health_sm *sm, uint32_t rise, uint32_t fall);

const char *health_state_name(enum health_state state); /* "up", "down" */

#endif /* XDPLB_HEALTH_STATE_H */
