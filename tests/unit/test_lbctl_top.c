// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbctl top: its options from the token table, a frame printed for people, no agent reported. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "lbctl.h"

static int top_parse(int argc, char *const argv[], struct lbctl_cmd *cmd)
{
	char err[256];
	int ret = lbctl_parse(argc, argv, cmd, err, sizeof(err));

	if (ret)
		cr_log_info("%s", err);
	return ret;
}

Test(lbctl_top, parses_vip_once_count_and_interval_in_any_order)
{
	char *const words[] = {"top", "-n", "3", "web4", "--interval", "2", "--once"};
	struct lbctl_cmd cmd = {};

	cr_assert_eq(top_parse(7, words, &cmd), 0);
	cr_assert_eq(cmd.verb, LBCTL_TOP);
	cr_expect_eq(json_integer_value(json_object_get(cmd.args, "iterations")), 3);
	cr_expect_eq(json_integer_value(json_object_get(cmd.args, "interval")), 2);
	cr_expect(json_is_true(json_object_get(cmd.args, "once")));
	cr_expect_str_eq(json_string_value(json_object_get(cmd.args, "vip")), "web4");
	lbctl_cmd_free(&cmd);
}

Test(lbctl_top, refuses_zero_frames_a_zero_interval_and_two_vips)
{
	char *const zero_n[] = {"top", "-n", "0"};
	char *const zero_i[] = {"top", "--interval", "0"};
	char *const two[] = {"top", "web4", "web6"};
	char *const dangling[] = {"top", "-n"};
	struct lbctl_cmd cmd = {};

	cr_expect_neq(top_parse(3, zero_n, &cmd), 0);
	lbctl_cmd_free(&cmd);
	cr_expect_neq(top_parse(3, zero_i, &cmd), 0);
	lbctl_cmd_free(&cmd);
	cr_expect_neq(top_parse(3, two, &cmd), 0, "one VIP at most");
	lbctl_cmd_free(&cmd);
	cr_expect_neq(top_parse(2, dangling, &cmd), 0);
	lbctl_cmd_free(&cmd);
}

Test(lbctl_top, prints_rates_per_vip_and_backend)
{
	json_t *frame = json_loads(
	    "{\"interval_s\": 1.0, \"vips\": [{\"name\": \"web4\", \"cps\": 143.9, \"pps\": "
	    "864.4, \"bytes_per_s\": 63384.0, \"backends\": 3, \"backends_up\": 2}], "
	    "\"backends\": [{\"vip\": \"web6\", \"address\": \"198.51.100.18\", \"state\": "
	    "\"drain\", \"cps\": 0.0, \"pps\": 25000.0, \"bytes_per_s\": 2048.0}]}",
	    0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(frame);
	cr_assert_eq(lbctl_print_top(f, frame, NULL), 0);
	fclose(f);
	cr_expect(strstr(buf, "rates over the last 1.0 s"), "%s", buf);
	cr_expect(strstr(buf, "web4"), "%s", buf);
	cr_expect(strstr(buf, "144"), "CPS rounds: %s", buf);
	cr_expect(strstr(buf, "61.9 KiB/s"), "%s", buf);
	cr_expect(strstr(buf, "2/3 up"), "%s", buf);
	cr_expect(strstr(buf, "25.0k"), "large rates shortened: %s", buf);
	cr_expect(strstr(buf, "drain"), "%s", buf);
	cr_expect(strstr(buf, "web6  198.51.100.18  drain"), "a row per (VIP, backend) pair: %s",
		  buf);
	free(buf);
	json_decref(frame);
}

Test(lbctl_top, reports_a_missing_agent)
{
	json_t *args = json_pack("{s:b}", "once", 1);
	char err[256] = "";
	FILE *out = fopen("/dev/null", "w");
	int ret = lbctl_top("/nonexistent/xdplb-top.sock", args, false, out, err, sizeof(err));

	cr_expect(ret == -ENOENT || ret == -ECONNREFUSED, "ret %d: %s", ret, err);
	fclose(out);
	json_decref(args);
}
