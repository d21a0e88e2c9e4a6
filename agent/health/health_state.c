// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The health state machine, kept pure (no clock, no I/O) so that its rules can
 * be tested result by result: a state flips only after `rise` successes or
 * `fall` failures in a row, so a backend that answers every other check
 * neither flaps in nor out of the tables.
 */
#include "health/health_state.h"

void health_sm_init(struct health_sm *sm, uint32_t rise, uint32_t fall, bool up)
{
	sm->state = up ? HEALTH_UP : HEALTH_DOWN;
	sm->rise = rise ? rise : 1;
	sm->fall = fall ? fall : 1;
	sm->run = 0;
	sm->changes = 0;
}

bool health_sm_feed(struct health_sm *sm, bool ok)
{
	bool agrees = ok == (sm->state == HEALTH_UP);

	if (agrees) {
		sm->run = 0;
		return false;
	}
	sm->run++;
	if (sm->run < (sm->state == HEALTH_UP ? sm->fall : sm->rise))
		return false;
	sm->state = sm->state == HEALTH_UP ? HEALTH_DOWN : HEALTH_UP;
	sm->run = 0;
	sm->changes++;
	return true;
}

void health_sm_reconfigure(struct health_sm *sm, uint32_t rise, uint32_t fall)
{
	uint32_t need;

	sm->rise = rise ? rise : 1;
	sm->fall = fall ? fall : 1;
	need = sm->state == HEALTH_UP ? sm->fall : sm->rise;
	if (sm->run >= need)
		sm->run = need - 1;
}

const char *health_state_name(enum health_state state)
{
	return state == HEALTH_UP ? "up" : "down";
}
