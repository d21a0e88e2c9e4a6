// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The health state machine, result by result: rise, fall, flap, initial state, reload. */
#include <stdbool.h>
#include <criterion/criterion.h>

#include "health/health_state.h"

/* Feeds a string of results ('+' success, '-' failure); returns how many flipped the state. */
static int feed(struct health_sm *sm, const char *results)
{
	int flips = 0;

	for (; *results; results++)
		flips += health_sm_feed(sm, *results == '+');
	return flips;
}

Test(health_state, starts_in_the_configured_initial_state)
{
	struct health_sm up, down;

	health_sm_init(&up, 2, 3, true);
	health_sm_init(&down, 2, 3, false);
	cr_assert_eq(up.state, HEALTH_UP);
	cr_assert_eq(down.state, HEALTH_DOWN);
	cr_assert_str_eq(health_state_name(up.state), "up");
	cr_assert_str_eq(health_state_name(down.state), "down");
}

Test(health_state, goes_down_after_fall_failures_in_a_row)
{
	struct health_sm sm;

	health_sm_init(&sm, 2, 3, true);
	cr_assert_eq(feed(&sm, "--"), 0);
	cr_assert_eq(sm.state, HEALTH_UP, "two failures are not three");
	cr_assert(health_sm_feed(&sm, false), "the third failure flips it");
	cr_assert_eq(sm.state, HEALTH_DOWN);
	cr_assert_eq(sm.changes, 1);
}

Test(health_state, goes_up_after_rise_successes_in_a_row)
{
	struct health_sm sm;

	health_sm_init(&sm, 2, 3, false);
	cr_assert_not(health_sm_feed(&sm, true));
	cr_assert_eq(sm.state, HEALTH_DOWN);
	cr_assert(health_sm_feed(&sm, true));
	cr_assert_eq(sm.state, HEALTH_UP);
}

Test(health_state, a_success_resets_the_run_of_failures)
{
	struct health_sm sm;

	health_sm_init(&sm, 2, 3, true);
	cr_assert_eq(feed(&sm, "--+--+--+"), 0);
	cr_assert_eq(sm.state, HEALTH_UP);
	cr_assert_eq(feed(&sm, "---"), 1);
	cr_assert_eq(sm.state, HEALTH_DOWN);
}

Test(health_state, a_flapping_backend_does_not_flap_the_state)
{
	struct health_sm up, down;

	health_sm_init(&up, 2, 2, true);
	health_sm_init(&down, 2, 2, false);
	cr_assert_eq(feed(&up, "-+-+-+-+-+-+-+-+"), 0);
	cr_assert_eq(feed(&down, "+-+-+-+-+-+-+-+-"), 0);
	cr_assert_eq(up.state, HEALTH_UP);
	cr_assert_eq(down.state, HEALTH_DOWN);
	cr_assert_eq(up.changes + down.changes, 0);
}

Test(health_state, rise_and_fall_of_one_follow_every_result)
{
	struct health_sm sm;

	health_sm_init(&sm, 1, 1, true);
	cr_assert_eq(feed(&sm, "-+-+"), 4);
	cr_assert_eq(sm.changes, 4);
	cr_assert_eq(sm.state, HEALTH_UP);
}

Test(health_state, reload_keeps_the_state_and_never_flips_by_itself)
{
	struct health_sm sm;

	health_sm_init(&sm, 2, 5, true);
	cr_assert_eq(feed(&sm, "----"), 0);
	/* fall 5 -> 2: four failures already reach it, but only a new result may flip. */
	health_sm_reconfigure(&sm, 2, 2);
	cr_assert_eq(sm.state, HEALTH_UP, "a reload alone never takes a backend down");
	cr_assert_eq(sm.changes, 0);
	cr_assert(health_sm_feed(&sm, false), "the next failure does");
	health_sm_reconfigure(&sm, 3, 2);
	cr_assert_eq(sm.state, HEALTH_DOWN, "down stays down across a reload");
	cr_assert_eq(feed(&sm, "++"), 0);
	cr_assert_eq(feed(&sm, "+"), 1, "the new rise of 3 counts");
}
