// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbctl backend list: a HEALTH column with state, last result, latency and since when. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <criterion/criterion.h>
#include <jansson.h>

#include "lbctl.h"

static char *print_list(const char *result)
{
	json_t *res = json_loads(result, 0, NULL), *args = json_object();
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(res);
	cr_assert_eq(lbctl_print_backend_list(f, res, args), 0);
	fclose(f);
	json_decref(res);
	json_decref(args);
	return out;
}

Test(health_lbctl, backend_list_shows_health_when_a_backend_is_checked)
{
	char json[1024], since[16], line[128];
	struct tm tm;
	time_t t = 1795316684;
	char *out;

	localtime_r(&t, &tm);
	strftime(since, sizeof(since), "%H:%M:%S", &tm);
	snprintf(json, sizeof(json),
		 "{\"backends\": ["
		 "{\"vip\": \"web\", \"address\": \"198.51.100.11\", \"state\": \"down\", "
		 "\"weight\": 100, "
		 "\"zone\": \"a\", \"next_hop_mac\": \"02:00:00:00:00:01\", \"vips\": [\"web\"], "
		 "\"health\": {\"state\": \"down\", \"last_result\": \"HTTP 503\", "
		 "\"latency_us\": 1260, \"since\": %lld, \"changes\": 1}},"
		 "{\"vip\": \"web\", \"address\": \"198.51.100.12\", \"state\": \"up\", "
		 "\"weight\": 100, "
		 "\"zone\": \"a\", \"next_hop_mac\": \"02:00:00:00:00:01\", \"vips\": [\"web\"], "
		 "\"health\": {\"state\": \"up\", \"last_result\": null, \"latency_us\": 0, "
		 "\"since\": %lld, \"changes\": 0}},"
		 "{\"vip\": \"web\", \"address\": \"198.51.100.13\", \"state\": \"up\", "
		 "\"weight\": 100, "
		 "\"zone\": \"a\", \"next_hop_mac\": \"02:00:00:00:00:01\", \"vips\": [\"web\"], "
		 "\"health\": null}]}",
		 (long long)t, (long long)t);
	out = print_list(json);
	cr_assert(strstr(out, "  HEALTH\n"), "no HEALTH column:\n%s", out);
	snprintf(line, sizeof(line), "down, HTTP 503, 1.3 ms, since %s\n", since);
	cr_assert(strstr(out, line), "no '%s' in:\n%s", line, out);
	snprintf(line, sizeof(line), "up, not checked yet, since %s\n", since);
	cr_assert(strstr(out, line), "no '%s' in:\n%s", line, out);
	cr_assert(strstr(out, "0  -\n"), "an unchecked backend shows '-':\n%s", out);
	free(out);
}

Test(health_lbctl, backend_list_has_no_health_column_without_checks)
{
	char *out =
	    print_list("{\"backends\": [{\"address\": \"198.51.100.11\", \"state\": \"up\", "
		       "\"weight\": 1, \"zone\": \"a\", \"vips\": [\"web\"], "
		       "\"health\": null}]}");

	cr_assert_null(strstr(out, "HEALTH"), "%s", out);
	free(out);
}
