// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The health: section of a VIP and of a backend: defaults, overrides, exact errors. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "config/config.h"

static struct lb_config cfg;
static char cfg_err[CFG_ERR_MAX];

static void health_config_teardown(void)
{
	cfg_free(&cfg);
}

TestSuite(health_config, .fini = health_config_teardown);

static int load_text(const char *text)
{
	char dir[] = "/tmp/xdplb-hcfg-XXXXXX", cwd[PATH_MAX];
	FILE *f;
	int ret;

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	f = fopen("lb.yaml", "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cfg_err[0] = '\0';
	ret = cfg_load("lb.yaml", &cfg, cfg_err, sizeof(cfg_err));
	unlink("lb.yaml");
	cr_assert_eq(chdir(cwd), 0);
	rmdir(dir);
	return ret;
}

static void expect_error(const char *text, const char *message)
{
	int ret = load_text(text);

	cr_assert_eq(ret, -EINVAL, "loaded (ret %d) where \"%s\" was expected", ret, message);
	cr_assert_str_eq(cfg_err, message);
}

static void expect_load(const char *text)
{
	cr_assert_eq(load_text(text), 0, "load failed: %s", cfg_err);
}

/* Lines 1-8: a node and the start of one VIP on port 80; line 9 on is the VIP's. */
#define VIP                                                                                        \
	"node:\n"                                                                                  \
	"  id: 1\n"                                                                                \
	"  zone: a\n"                                                                              \
	"  interface: eth0\n"                                                                      \
	"  addresses: [198.51.100.1]\n"                                                            \
	"vips:\n"                                                                                  \
	"  - address: 192.0.2.10\n"                                                                \
	"    port: 80\n"

#define BACKENDS                                                                                   \
	"    backends:\n"                                                                          \
	"      - {address: 198.51.100.11}\n"                                                       \
	"      - {address: 198.51.100.12}\n"

Test(health_config, no_section_means_no_checks)
{
	expect_load(VIP BACKENDS);
	cr_assert_eq(cfg.vips[0].health.type, CFG_HC_NONE);
	cr_assert_null(cfg.vips[0].backends[0].health);
	cr_assert_eq(cfg_backend_health(&cfg.vips[0], &cfg.vips[0].backends[0]),
		     &cfg.vips[0].health);
}

Test(health_config, empty_section_is_a_tcp_check_on_the_vip_port_with_defaults)
{
	const struct cfg_health *hc;

	expect_load(VIP "    health: {}\n" BACKENDS);
	hc = &cfg.vips[0].health;
	cr_assert_eq(hc->type, CFG_HC_TCP);
	cr_assert_eq(hc->port, 80);
	cr_assert_eq(hc->interval_ms, 2000);
	cr_assert_eq(hc->timeout_ms, 1000);
	cr_assert_eq(hc->jitter_ms, 200, "a tenth of the interval");
	cr_assert_eq(hc->rise, 2);
	cr_assert_eq(hc->fall, 3);
	cr_assert(hc->initial_up);
}

Test(health_config, http_section_reads_every_key)
{
	const struct cfg_health *hc;

	expect_load(VIP "    health:\n"
			"      type: https\n"
			"      port: 8443\n"
			"      interval: 500ms\n"
			"      timeout: 200ms\n"
			"      jitter: 0ms\n"
			"      rise: 1\n"
			"      fall: 4\n"
			"      initial: down\n"
			"      method: HEAD\n"
			"      path: /healthz?full=1\n"
			"      host: www.example.com\n"
			"      expect_status: [200, 301-302]\n"
			"      expect_body: all good\n"
			"      tls_verify: false\n" BACKENDS);
	hc = &cfg.vips[0].health;
	cr_assert_eq(hc->type, CFG_HC_HTTPS);
	cr_assert_eq(hc->port, 8443);
	cr_assert_eq(hc->interval_ms, 500);
	cr_assert_eq(hc->timeout_ms, 200);
	cr_assert_eq(hc->jitter_ms, 0);
	cr_assert_eq(hc->rise, 1);
	cr_assert_eq(hc->fall, 4);
	cr_assert_not(hc->initial_up);
	cr_assert_str_eq(hc->method, "HEAD");
	cr_assert_str_eq(hc->path, "/healthz?full=1");
	cr_assert_str_eq(hc->host, "www.example.com");
	cr_assert_eq(hc->n_status, 2);
	cr_assert_eq(hc->status[0][0], 200);
	cr_assert_eq(hc->status[0][1], 200);
	cr_assert_eq(hc->status[1][0], 301);
	cr_assert_eq(hc->status[1][1], 302);
	cr_assert_str_eq(hc->expect_body, "all good");
	cr_assert_not(hc->tls_verify);
}

Test(health_config, udp_and_exec_sections)
{
	const struct cfg_health *udp, *exec;

	expect_load(VIP "    health: {type: udp, port: 53, payload: ping, expect: pong}\n" BACKENDS
			"  - address: 192.0.2.10\n"
			"    port: 81\n"
			"    health: {type: exec, command: [/usr/bin/check, --fast, x y]}\n"
			"    backends: [{address: 198.51.100.11}]\n");
	udp = &cfg.vips[0].health;
	exec = &cfg.vips[1].health;
	cr_assert_eq(udp->type, CFG_HC_UDP);
	cr_assert_eq(udp->payload_len, 4);
	cr_assert_arr_eq(udp->payload, "ping", 4);
	cr_assert_eq(udp->expect_len, 4);
	cr_assert_arr_eq(udp->expect, "pong", 4);
	cr_assert_eq(exec->type, CFG_HC_EXEC);
	cr_assert_eq(exec->argc, 3);
	cr_assert_str_eq(exec->command, "/usr/bin/check");
	cr_assert_str_eq(exec->command + strlen("/usr/bin/check") + 1, "--fast");
	cr_assert_str_eq(exec->command + strlen("/usr/bin/check --fast") + 1, "x y");
}

Test(health_config, udp_payload_with_an_escaped_nul_is_carried_whole)
{
	const struct cfg_health *hc;

	expect_load(VIP
		    "    health: {type: udp, payload: \"ab\\0cd\", expect: \"\\0c\"}\n" BACKENDS);
	hc = &cfg.vips[0].health;
	cr_assert_eq(hc->payload_len, 5);
	cr_assert_arr_eq(hc->payload, "ab\0cd", 5);
	cr_assert_eq(hc->expect_len, 2);
	cr_assert_arr_eq(hc->expect, "\0c", 2);
}

/* A DNS query for www.example.test, type A: NUL bytes all through it. */
static const uint8_t dns_query[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01,
};

Test(health_config, udp_payload_and_expect_in_hex_and_base64_hold_nul_bytes)
{
	const struct cfg_vip *v;
	const struct cfg_health *b0, *b1;

	expect_load(
	    VIP "    health:\n"
		"      type: udp\n"
		"      payload: \"hex:12340100 00010000 00000000 03777777 076578616d706c65\n"
		"               04746573 74000001 0001\"\n"
		"      expect: \"base64:AAEAcGluZwA=\"\n"
		"    backends:\n"
		"      - {address: 198.51.100.11, health: {expect: \"hex:c0:00:02:63\"}}\n"
		"      - {address: 198.51.100.12, health: {payload: \"hex:\", expect: \"\"}}\n");
	v = &cfg.vips[0];
	cr_assert_eq(v->health.payload_len, sizeof(dns_query));
	cr_assert_arr_eq(v->health.payload, dns_query, sizeof(dns_query));
	cr_assert_eq(v->health.expect_len, 8);
	cr_assert_arr_eq(v->health.expect, "\0\1\0ping\0", 8);
	b0 = cfg_backend_health(v, &v->backends[0]);
	cr_assert_arr_eq(b0->payload, dns_query, sizeof(dns_query));
	cr_assert_eq(b0->expect_len, 4);
	cr_assert_arr_eq(b0->expect, "\xc0\x00\x02\x63", 4);
	b1 = cfg_backend_health(v, &v->backends[1]);
	cr_assert_eq(b1->payload_len, 0);
	cr_assert_eq(b1->expect_len, 0);
	cr_assert_not(cfg_health_equal(&v->health, b0));
}

Test(health_config, backend_overrides_start_from_the_vip_section_in_any_key_order)
{
	const struct cfg_vip *v;
	const struct cfg_health *b0, *b1;

	/* backends before health: the override still builds on the VIP's http settings. */
	expect_load(VIP "    backends:\n"
			"      - {address: 198.51.100.11, health: {path: /other, fall: 1}}\n"
			"      - {address: 198.51.100.12}\n"
			"    health: {type: http, path: /healthz, interval: 1s}\n");
	v = &cfg.vips[0];
	b0 = cfg_backend_health(v, &v->backends[0]);
	b1 = cfg_backend_health(v, &v->backends[1]);
	cr_assert_eq(b1, &v->health);
	cr_assert_eq(b0->type, CFG_HC_HTTP);
	cr_assert_str_eq(b0->path, "/other");
	cr_assert_eq(b0->fall, 1);
	cr_assert_eq(b0->interval_ms, 1000);
	cr_assert_eq(b0->port, 80);
	cr_assert_str_eq(v->health.path, "/healthz");
	cr_assert_eq(v->health.fall, 3);
}

Test(health_config, a_backend_can_be_checked_when_its_vip_is_not)
{
	const struct cfg_health *hc;

	expect_load(VIP "    backends:\n"
			"      - {address: 198.51.100.11, health: {port: 8080}}\n");
	hc = cfg_backend_health(&cfg.vips[0], &cfg.vips[0].backends[0]);
	cr_assert_eq(cfg.vips[0].health.type, CFG_HC_NONE);
	cr_assert_eq(hc->type, CFG_HC_TCP);
	cr_assert_eq(hc->port, 8080);
}

Test(health_config, vip_equal_sees_a_health_change)
{
	struct cfg_vip v;

	expect_load(VIP "    health: {type: http}\n" BACKENDS);
	v = cfg.vips[0];
	cr_assert(cfg_vip_equal(&cfg.vips[0], &v));
	strcpy(v.health.path, "/x");
	cr_assert_not(cfg_vip_equal(&cfg.vips[0], &v));
}

Test(health_config, rejects_unknown_type)
{
	expect_error(VIP "    health: {type: icmp}\n",
		     "lb.yaml:9:20: vip.health.type: expected one of: tcp, http, https, udp, exec, "
		     "none, found 'icmp'");
}

Test(health_config, rejects_unknown_key)
{
	expect_error(VIP "    health: {type: http, url: /}\n",
		     "lb.yaml:9:26: vip.health: unknown key 'url' (expected one of: type, port, "
		     "interval, timeout, rise, fall, jitter, initial, method, path, host, "
		     "expect_status, expect_body, tls_verify, payload, expect, command)");
}

Test(health_config, rejects_a_duration_without_unit)
{
	expect_error(VIP "    health:\n      interval: 2\n",
		     "lb.yaml:10:17: vip.health.interval: expected a duration like 500ms or 2s, "
		     "found '2'");
}

Test(health_config, rejects_a_duration_out_of_range)
{
	expect_error(VIP "    health:\n      interval: 5ms\n",
		     "lb.yaml:10:17: vip.health.interval: 5ms is out of range 10ms..3600s");
}

Test(health_config, rejects_timeout_longer_than_interval)
{
	expect_error(VIP "    health:\n      interval: 1s\n      timeout: 1500ms\n",
		     "lb.yaml:11:16: vip.health.timeout: 1500ms is longer than the interval "
		     "(1000ms)");
}

Test(health_config, rejects_rise_of_zero)
{
	expect_error(VIP "    health:\n      rise: 0\n",
		     "lb.yaml:10:13: vip.health.rise: 0 is out of range 1..100");
}

Test(health_config, rejects_a_key_of_another_check_type)
{
	expect_error(VIP "    health:\n      type: tcp\n      path: /healthz\n",
		     "lb.yaml:11:7: vip.health.path: means nothing to a tcp check");
}

Test(health_config, rejects_bad_status_ranges)
{
	expect_error(VIP "    health: {type: http, expect_status: [200, 399-300]}\n",
		     "lb.yaml:9:47: vip.health.expect_status: 399-300: the first status is above "
		     "the last");
	cfg_free(&cfg);
	expect_error(VIP "    health: {type: http, expect_status: 600}\n",
		     "lb.yaml:9:41: vip.health.expect_status: 600: HTTP status codes are 100..599");
	cfg_free(&cfg);
	expect_error(VIP "    health: {type: http, expect_status: ok}\n",
		     "lb.yaml:9:41: vip.health.expect_status: expected an HTTP status 100..599 or "
		     "a range like 200-399, found 'ok'");
}

Test(health_config, rejects_a_nul_byte_in_expect_body_and_a_payload_too_long)
{
	char text[1024];

	/* The body is matched as text: a NUL would silently end it. */
	expect_error(VIP "    health: {type: http, expect_body: \"ok\\0no\"}\n",
		     "lb.yaml:9:39: vip.health.expect_body: a NUL byte at character 3 ends the "
		     "text");
	cfg_free(&cfg);
	snprintf(text, sizeof(text), VIP "    health: {type: udp, payload: %0257d}\n", 0);
	expect_error(text, "lb.yaml:9:34: vip.health.payload: longer than 256 bytes");
}

Test(health_config, rejects_bad_hex_and_base64_with_their_place)
{
	static const struct {
		const char *value, *message;
	} cases[] = {
	    {"\"hex:123\"", "lb.yaml:9:34: vip.health.payload: hex: odd number of digits"},
	    {"\"hex:12 3 \"", "lb.yaml:9:34: vip.health.payload: hex: odd number of digits"},
	    {"\"hex:12zz\"",
	     "lb.yaml:9:34: vip.health.payload: hex: expected hex digits, found 'z' at "
	     "character 7"},
	    {"\"hex:1 23\"",
	     "lb.yaml:9:34: vip.health.payload: hex: expected hex digits, found ' ' at "
	     "character 6"},
	    {"\"hex:12\\0\"",
	     "lb.yaml:9:34: vip.health.payload: hex: expected hex digits, found byte 0x00 at "
	     "character 7"},
	    {"\"base64:AA=E\"", "lb.yaml:9:34: vip.health.payload: base64: not valid base64"},
	    {"\"base64:AAE\"", "lb.yaml:9:34: vip.health.payload: base64: not valid base64"},
	    {"\"base64:AB==\"", "lb.yaml:9:34: vip.health.payload: base64: not valid base64"},
	};
	char text[1024], zeros[2 * 257];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), VIP "    health: {type: udp, payload: %s}\n",
			 cases[i].value);
		expect_error(text, cases[i].message);
		cfg_free(&cfg);
	}
	/* 256 bytes fit, decoded; 257 do not. */
	memset(zeros, '0', sizeof(zeros));
	snprintf(text, sizeof(text), VIP "    health: {type: udp, expect: hex:%.*s}\n" BACKENDS,
		 2 * 256, zeros);
	expect_load(text);
	cr_assert_eq(cfg.vips[0].health.expect_len, 256);
	cfg_free(&cfg);
	snprintf(text, sizeof(text), VIP "    health: {type: udp, expect: hex:%.*s}\n", 2 * 257,
		 zeros);
	expect_error(text, "lb.yaml:9:33: vip.health.expect: longer than 256 bytes");
}

Test(health_config, rejects_a_path_without_slash_and_a_lowercase_method)
{
	expect_error(VIP "    health: {type: http, path: healthz}\n",
		     "lb.yaml:9:32: vip.health.path: expected a path starting with '/', found "
		     "'healthz'");
	cfg_free(&cfg);
	expect_error(VIP "    health: {type: http, method: get}\n",
		     "lb.yaml:9:34: vip.health.method: expected an HTTP method like GET, found "
		     "'get'");
}

Test(health_config, rejects_exec_without_command_or_with_a_relative_program)
{
	expect_error(VIP "    health: {type: exec}\n",
		     "lb.yaml:9:13: vip.health: missing required key 'command' (type exec runs "
		     "it)");
	cfg_free(&cfg);
	expect_error(VIP "    health: {type: exec, command: [check.sh]}\n",
		     "lb.yaml:9:36: vip.health.command: 'check.sh': the program needs an absolute "
		     "path");
	cfg_free(&cfg);
	expect_error(VIP "    health: {type: exec, command: /bin/true}\n",
		     "lb.yaml:9:35: vip.health.command: expected a list like [/usr/bin/check, "
		     "arg], found '/bin/true'");
}

Test(health_config, rejects_a_port_any_vip_check_without_port)
{
	expect_error("node: {id: 1, zone: a, interface: eth0, addresses: [198.51.100.1]}\n"
		     "vips:\n"
		     "  - address: 192.0.2.10\n"
		     "    port: any\n"
		     "    health: {type: http}\n",
		     "lb.yaml:5:13: vip.health: missing required key 'port' (the vip has port: "
		     "any, a http check needs one)");
}

Test(health_config, backend_override_errors_name_the_backend_section)
{
	expect_error(
	    VIP "    health: {type: http}\n"
		"    backends:\n"
		"      - address: 198.51.100.11\n"
		"        health: {fall: many}\n",
	    "lb.yaml:12:24: backend.health.fall: expected an integer 1..100, found 'many'");
	cfg_free(&cfg);
	expect_error(VIP "    health: {type: udp}\n"
			 "    backends:\n"
			 "      - address: 198.51.100.11\n"
			 "        health: {host: example.com}\n",
		     "lb.yaml:12:18: backend.health.host: means nothing to a udp check");
}
