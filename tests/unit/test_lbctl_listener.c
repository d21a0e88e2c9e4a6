// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbctl listener list|show|drain|undrain: parsed from the token table, printed for people. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "lbctl.h"

static char *listener_print(lbctl_print_fn fn, const char *json)
{
	json_t *res = json_loads(json, 0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(res, "bad canned JSON");
	cr_assert_eq(fn(f, res, NULL), 0);
	fclose(f);
	json_decref(res);
	return buf;
}

/* words (n of them) parse into verb with args as compact sorted JSON, or fail with message. */
static void listener_parse(int n, char *const words[], enum lbctl_verb_id verb, const char *args,
			   const char *message)
{
	struct lbctl_cmd cmd = {};
	char err[256] = "", *got;
	int ret = lbctl_parse(n, words, &cmd, err, sizeof(err));

	if (message) {
		cr_assert_eq(ret, -EINVAL, "%s %s accepted", words[0], words[1]);
		cr_assert_str_eq(err, message);
		return;
	}
	cr_assert_eq(ret, 0, "%s", err);
	cr_assert_eq(cmd.verb, verb);
	got = json_dumps(cmd.args, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_str_eq(got, args);
	free(got);
	lbctl_cmd_free(&cmd);
}

Test(lbctl_listener, parses_list_show_drain_and_undrain)
{
	listener_parse(2, (char *const[]){"listener", "list"}, LBCTL_LISTENER_LIST, "{}", NULL);
	listener_parse(3, (char *const[]){"listener", "show", "www"}, LBCTL_LISTENER_SHOW,
		       "{\"listener\":\"www\"}", NULL);
	listener_parse(3, (char *const[]){"listener", "drain", "app1"}, LBCTL_LISTENER_DRAIN,
		       "{\"server\":\"app1\"}", NULL);
	listener_parse(4, (char *const[]){"listener", "undrain", "app1", "app"},
		       LBCTL_LISTENER_UNDRAIN, "{\"group\":\"app\",\"server\":\"app1\"}", NULL);
	cr_assert_str_eq(lbctl_verbs[LBCTL_LISTENER_DRAIN].wire, "listener.drain");
	cr_assert_str_eq(lbctl_verbs[LBCTL_LISTENER_SHOW].wire, "listener.show");
}

Test(lbctl_listener, refuses_missing_extra_and_malformed_names)
{
	listener_parse(2, (char *const[]){"listener", "show"}, 0, NULL,
		       "missing <listener> after \"show\"");
	listener_parse(2, (char *const[]){"listener", "drain"}, 0, NULL,
		       "missing <server> after \"drain\"");
	listener_parse(5, (char *const[]){"listener", "drain", "a", "b", "c"}, 0, NULL,
		       "unexpected \"c\" after \"b\"");
	listener_parse(3, (char *const[]){"listener", "drain", "a/b"}, 0, NULL,
		       "<server>: \"a/b\" is not a name (letters, digits, '.', '_', '-')");
	listener_parse(3, (char *const[]){"listener", "show", "-x"}, 0, NULL,
		       "unexpected \"-x\" after \"show\" (expected <listener>)");
	listener_parse(2, (char *const[]){"listener", "stop"}, 0, NULL,
		       "unexpected \"stop\" after \"listener\" (expected list, show, drain or "
		       "undrain)");
}

static const char *const listener_canned =
    "{\"listeners\": [{\"name\": \"www\", \"vip\": \"web4\", \"address\": \"192.0.2.10\", "
    "\"port\": 80, \"protocol\": \"http\", \"state\": \"OPEN\", \"sessions\": 2, "
    "\"requests\": 120, \"responses\": {\"1xx\": 1, \"2xx\": 100, \"3xx\": 3, \"4xx\": 9, "
    "\"5xx\": 7, \"other\": 0}, \"groups\": [\"api\", \"app\"]}], "
    "\"groups\": [{\"name\": \"app\", \"servers\": ["
    "{\"name\": \"app1\", \"address\": \"198.51.100.3:8081\", \"state\": \"DRAIN\", "
    "\"weight\": 100, \"check\": \"L7OK\", \"sessions\": 0, \"sessions_total\": 40, "
    "\"lbctl_drain\": true}, "
    "{\"name\": \"app2\", \"address\": \"198.51.100.3:8082\", \"state\": \"DOWN\", "
    "\"weight\": 100, \"check\": \"L4CON\", \"sessions\": 0, \"sessions_total\": 80, "
    "\"lbctl_drain\": false}]}]}";

Test(lbctl_listener, list_prints_listeners_then_servers_with_their_states)
{
	char *out = listener_print(lbctl_print_listener_list, listener_canned);

	cr_assert_str_eq(
	    out,
	    "LISTENER  ADDRESS        PROTO  STATE  SESS  REQUESTS  2XX  3XX  4XX  5XX  OTHER  "
	    "GROUPS\n"
	    "www       192.0.2.10:80  http   OPEN   2          120  100    3    9    7      1  "
	    "api,app\n"
	    "\n"
	    "GROUP  SERVER  ADDRESS            STATE          WEIGHT  CHECK  SESS  SESSIONS\n"
	    "app    app1    198.51.100.3:8081  DRAIN (lbctl)     100  L7OK      0        40\n"
	    "app    app2    198.51.100.3:8082  DOWN              100  L4CON     0        80\n");
	free(out);
}

Test(lbctl_listener, show_prints_one_listener_and_says_when_nothing_is_there)
{
	char *out =
	    listener_print(lbctl_print_listener_show,
			   "{\"listener\": {\"name\": \"tls\", \"address\": \"2001:db8::10\", "
			   "\"port\": 443, \"protocol\": \"https\", \"state\": \"unknown\"}, "
			   "\"groups\": []}");

	cr_assert(strstr(out, "\ntls       [2001:db8::10]:443  https  unknown"), "%s", out);
	cr_assert(strstr(out, "\n\nno server groups\n"), "%s", out);
	free(out);
	out = listener_print(lbctl_print_listener_list, "{\"listeners\": [], \"groups\": []}");
	cr_assert_str_eq(out, "no listeners\n\nno server groups\n");
	free(out);
}

Test(lbctl_listener, drain_says_the_state_in_each_group)
{
	char *out =
	    listener_print(lbctl_print_listener_drain,
			   "{\"server\": \"s1\", \"groups\": [{\"group\": \"a\", \"state\": "
			   "\"drain\"}, {\"group\": \"b\", \"state\": \"maint\"}]}");

	cr_assert_str_eq(out, "server s1 in group a: drain (no new sessions; persistent ones "
			      "still come)\nserver s1 in group b: maint\n");
	free(out);
}
