// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The sync verbs' answers when sync is off, and the reload test for reopening the channel. */
#include <string.h>
#include <criterion/criterion.h>

#include "config.h"
#include "sync_agent.h"

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

Test(sync_agent, a_channel_change_reopens_and_packet_counts_do_not)
{
	struct cfg_sync a = {.enabled = true, .port = 8848, .ttl = 1, .heartbeat_ms = 1000}, b;

	cr_assert_eq(cfg_parse_addr("239.1.1.1", &a.group), 0);
	b = a;
	cr_assert_not(sync_agent_changed(&a, &b));
	b.port = 8849;
	cr_assert(sync_agent_changed(&a, &b));
	b = a;
	cr_assert_eq(cfg_parse_addr("239.1.1.2", &b.group), 0);
	cr_assert(sync_agent_changed(&a, &b));
	b = a;
	strcpy(b.key_file, "/etc/xdplb/other.key");
	cr_assert(sync_agent_changed(&a, &b), "a new key means a new channel");
}
