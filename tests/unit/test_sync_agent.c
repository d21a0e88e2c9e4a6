// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The sync verbs' answers when sync is off. */
#include <criterion/criterion.h>

#include "core/sync_agent.h"

Test(sync_agent, disabled_sync_answers_enabled_false_and_in_sync)
{
	json_t *r = sync_agent_stats_json(NULL);

	cr_assert_not_null(r);
	cr_assert(json_is_false(json_object_get(r, "enabled")));
	cr_assert(json_is_true(json_object_get(r, "in_sync")), "nothing to catch up");
	json_decref(r);
	r = sync_agent_peers_json(NULL);
	cr_assert_eq(json_array_size(json_object_get(r, "peers")), 0);
	json_decref(r);
}
