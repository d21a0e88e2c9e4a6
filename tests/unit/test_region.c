// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Region failover: the observation records in and out, the majority vote, the hold-down,
 * the record sets with their fail-open rule, and the region: section of the config.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "config/config.h"
#include "config/config_region.h"
#include "region/region_vote.h"

/* Three regions; www is in r1 (two VIPs), r2 and r3. */
static struct cfg_region three(struct cfg_dns_name *dn)
{
	struct cfg_region r = {
	    .n_regions = 3, .observation_timeout_ms = 30000, .names = dn, .n_names = 1};

	strcpy(r.zone, "example.test");
	strcpy(r.regions[0], "r1");
	strcpy(r.regions[1], "r2");
	strcpy(r.regions[2], "r3");
	memset(dn, 0, sizeof(*dn));
	strcpy(dn->name, "www.example.test");
	dn->ttl = 30;
	dn->n_regions = 3;
	for (uint8_t i = 0; i < 3; i++) {
		dn->regions[i].region = i;
		dn->regions[i].n_addrs = 1;
		cfg_parse_addr(i == 0	? "192.0.2.10"
			       : i == 1 ? "198.51.100.100"
					: "203.0.113.10",
			       &dn->regions[i].addrs[0]);
	}
	dn->regions[0].n_addrs = 2;
	cfg_parse_addr("192.0.2.11", &dn->regions[0].addrs[1]);
	return r;
}

static struct region_obs obs(uint8_t observer, uint32_t node, int64_t at, uint8_t s1, uint8_t s2,
			     uint8_t s3)
{
	struct region_obs o = {.observer = observer, .node = node, .at = at};

	o.seen[0] = s1;
	o.seen[1] = s2;
	o.seen[2] = s3;
	return o;
}

#define UP   REGION_SEEN_UP
#define DOWN REGION_SEEN_DOWN
#define NONE REGION_SEEN_NONE

Test(region_vote, observation_round_trips_through_txt)
{
	struct cfg_dns_name dn;
	struct cfg_region r = three(&dn);
	struct region_obs o = obs(1, 7, 1700000000, DOWN, NONE, UP), back;
	char strs[REGION_TXT_MAX][REGION_TXT_STR_MAX], owner[128];
	const char *ptrs[REGION_TXT_MAX];
	size_t n = region_obs_format(&r, &o, strs), i;

	for (i = 0; i < n; i++)
		ptrs[i] = strs[i];
	cr_assert_eq(n, 4);
	cr_assert_str_eq(strs[2], "r1=down");
	cr_assert_eq(region_obs_owner(&r, 1, 7, owner, sizeof(owner)), 0);
	cr_assert_str_eq(owner, "n7.r2._xdplb.example.test");
	cr_assert_eq(region_obs_parse(&r, owner, ptrs, n, &back), 0);
	cr_assert_eq(back.observer, 1);
	cr_assert_eq(back.node, 7);
	cr_assert_eq(back.at, 1700000000);
	cr_assert_eq(back.seen[0], DOWN);
	cr_assert_eq(back.seen[1], NONE);
	cr_assert_eq(back.seen[2], UP);
}

Test(region_vote, malformed_observations_are_refused_others_ignored)
{
	struct cfg_dns_name dn;
	struct cfg_region r = three(&dn);
	const char *no_magic[] = {"hello", "t=1"};
	const char *no_time[] = {REGION_OBS_MAGIC, "r1=up"};
	const char *bad_state[] = {REGION_OBS_MAGIC, "t=1", "r1=maybe"};
	const char *bad_time[] = {REGION_OBS_MAGIC, "t=12x"};
	const char *fine[] = {REGION_OBS_MAGIC, "t=5", "r9=down", "r1=up"};
	struct region_obs o;

	cr_assert_eq(region_obs_parse(&r, "n1.r2._xdplb.example.test", no_magic, 2, &o), -EINVAL);
	cr_assert_eq(region_obs_parse(&r, "n1.r2._xdplb.example.test", no_time, 2, &o), -EINVAL);
	cr_assert_eq(region_obs_parse(&r, "n1.r2._xdplb.example.test", bad_state, 3, &o), -EINVAL);
	cr_assert_eq(region_obs_parse(&r, "n1.r2._xdplb.example.test", bad_time, 2, &o), -EINVAL);
	cr_assert_eq(region_obs_parse(&r, "nx.r2._xdplb.example.test", fine, 4, &o), -EINVAL);
	/* Not an observation's owner, or a region this config does not know: not ours. */
	cr_assert_eq(region_obs_parse(&r, "www.example.test", fine, 4, &o), -ENOENT);
	cr_assert_eq(region_obs_parse(&r, "n1.r9._xdplb.example.test", fine, 4, &o), -ENOENT);
	/* A region the reader does not know is skipped inside a good record. */
	cr_assert_eq(region_obs_parse(&r, "n1.r3._xdplb.example.test", fine, 4, &o), 0);
	cr_assert_eq(o.seen[0], UP);
}

Test(region_vote, down_needs_a_majority_of_the_other_regions)
{
	struct cfg_dns_name dn;
	struct cfg_region r = three(&dn);
	struct region_verdict v[CFG_REGIONS_MAX];
	struct region_obs split[] = {obs(1, 2, 100, DOWN, UP, UP), obs(2, 3, 100, UP, UP, UP)};
	struct region_obs both[] = {obs(1, 2, 100, DOWN, UP, UP), obs(2, 3, 100, DOWN, UP, UP)};

	region_vote(&r, split, 2, 100, v);
	cr_assert_not(v[0].down, "1 of 2 regions is no majority");
	cr_assert_eq(v[0].voters, 2);
	cr_assert_eq(v[0].down_votes, 1);
	region_vote(&r, both, 2, 100, v);
	cr_assert(v[0].down);
	cr_assert_not(v[1].down);
}

Test(region_vote, a_region_never_votes_on_itself)
{
	struct cfg_dns_name dn;
	struct cfg_region r = three(&dn);
	struct region_verdict v[CFG_REGIONS_MAX];
	struct region_obs self[] = {obs(0, 1, 100, DOWN, UP, UP)};

	region_vote(&r, self, 1, 100, v);
	cr_assert_not(v[0].down);
	cr_assert_eq(v[0].voters, 0);
}

Test(region_vote, a_region_votes_by_the_majority_of_its_nodes)
{
	struct cfg_dns_name dn;
	struct cfg_region r = three(&dn);
	struct region_verdict v[CFG_REGIONS_MAX];
	struct region_obs tie[] = {obs(1, 2, 100, DOWN, UP, UP), obs(1, 5, 100, UP, UP, UP)};
	struct region_obs most[] = {obs(1, 2, 100, DOWN, UP, UP), obs(1, 5, 100, DOWN, UP, UP),
				    obs(1, 6, 100, UP, UP, UP)};

	region_vote(&r, tie, 2, 100, v);
	cr_assert_eq(v[0].down_votes, 0, "a tie inside a region votes up");
	region_vote(&r, most, 3, 100, v);
	cr_assert_eq(v[0].down_votes, 1);
	cr_assert(v[0].down, "r2 is the only region with a view of r1: its vote decides");
}

Test(region_vote, stale_observations_do_not_count)
{
	struct cfg_dns_name dn;
	struct cfg_region r = three(&dn);
	struct region_verdict v[CFG_REGIONS_MAX];
	struct region_obs o[] = {obs(1, 2, 100, DOWN, UP, UP), obs(2, 3, 60, UP, UP, UP)};

	region_vote(&r, o, 2, 100, v);
	cr_assert_eq(v[0].voters, 1, "r3's record is 40 s old, the timeout 30 s");
	cr_assert(v[0].down);
	region_vote(&r, o, 2, 131, v);
	cr_assert_eq(v[0].voters, 0);
	cr_assert_not(v[0].down, "nobody fresh: up");
}

Test(region_vote, records_leave_with_their_region_and_never_all)
{
	struct cfg_dns_name dn;
	struct cfg_region r = three(&dn);
	struct region_verdict v[CFG_REGIONS_MAX] = {};
	struct xaddr out[16], want;
	bool fail_open;
	size_t n;

	(void)r;
	n = region_records(&dn, v, out, 16, &fail_open);
	cr_assert_eq(n, 4);
	cr_assert_not(fail_open);
	v[0].down = v[2].down = true;
	n = region_records(&dn, v, out, 16, &fail_open);
	cr_assert_eq(n, 1);
	cfg_parse_addr("198.51.100.100", &want);
	cr_assert(cfg_addr_equal(&out[0], &want));
	v[1].down = true;
	n = region_records(&dn, v, out, 16, &fail_open);
	cr_assert_eq(n, 4, "every region down: every record stays");
	cr_assert(fail_open);
}

Test(region_vote, hold_down_keeps_a_returning_region_down)
{
	struct region_local l = {.probed = true, .up = true};

	cr_assert_eq(region_local_seen(&l, 1000, 5000), UP, "never down: no hold-down");
	l.up = false;
	l.ever_down = true;
	cr_assert_eq(region_local_seen(&l, 2000, 5000), DOWN);
	l.up = true;
	l.up_since_ms = 3000;
	cr_assert_eq(region_local_seen(&l, 7999, 5000), DOWN);
	cr_assert_eq(region_local_seen(&l, 8000, 5000), UP);
	l.probed = false;
	cr_assert_eq(region_local_seen(&l, 8000, 5000), NONE);
}

Test(region_vote, address_sets_compare_in_any_order)
{
	struct xaddr a[3], b[2];

	cfg_parse_addr("198.51.100.1", &a[0]);
	cfg_parse_addr("192.0.2.1", &a[1]);
	cfg_parse_addr("198.51.100.1", &a[2]);
	cfg_parse_addr("192.0.2.1", &b[0]);
	cfg_parse_addr("198.51.100.1", &b[1]);
	cr_assert_eq(region_addrs_normalize(a, 3), 2);
	cr_assert(region_addrs_equal(a, 2, b, 2));
	cr_assert_not(region_addrs_equal(a, 1, b, 2));
}

/* --- the region: section ------------------------------------------------------------------ */

static struct lb_config cfg;
static char err[CFG_ERR_MAX];
static char dir[] = "/tmp/xdplb-region-config-XXXXXX";
static char cwd[PATH_MAX];

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(path, mode), 0);
}

static void region_config_setup(void)
{
	cr_redirect_stderr();
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	write_file("dns.key", "hmac-sha256:xdplb:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==\n", 0600);
}

static void region_config_teardown(void)
{
	cfg_free(&cfg);
	unlink("dns.key");
	unlink("lb.yaml");
	cr_assert_eq(chdir(cwd), 0);
	rmdir(dir);
}

TestSuite(region_config, .init = region_config_setup, .fini = region_config_teardown);

#define NODE "node:\n  id: 1\n  zone: a\n  interface: eth0\n"
#define REGION_HEAD                                                                                \
	"region:\n  name: r1\n  server: 203.0.113.53\n  zone: example.test\n"                      \
	"  check: {type: tcp, port: 80}\n"
#define NAMES                                                                                      \
	"  names:\n    - name: www.example.test\n      regions: {r1: [192.0.2.10], r2: "           \
	"198.51.100.100}\n"

static int load(const char *region)
{
	char body[8192], key[PATH_MAX + 32];

	snprintf(key, sizeof(key), "  tsig_key_file: %s/dns.key\n", dir);
	snprintf(body, sizeof(body), NODE REGION_HEAD "%s%s", key, region);
	write_file("lb.yaml", body, 0644);
	return cfg_load("lb.yaml", &cfg, err, sizeof(err));
}

Test(region_config, loads_names_regions_and_defaults)
{
	cr_assert_eq(load(NAMES), 0, "%s", err);
	cr_assert(cfg.region.enabled);
	cr_assert_eq(cfg.region.n_regions, 2);
	cr_assert_eq(cfg.region.self, 0);
	cr_assert_eq(cfg.region.port, 53);
	cr_assert_eq(cfg.region.names[0].ttl, CFG_REGION_DEFAULT_TTL);
	cr_assert_eq(cfg.region.interval_ms, CFG_REGION_DEFAULT_INTERVAL_MS);
	cr_assert_eq(cfg.region.check->type, CFG_HC_TCP);
}

Test(region_config, refuses_a_name_outside_the_zone_with_its_place)
{
	cr_assert_eq(load("  names:\n    - name: www.other.test\n      regions: {r1: 192.0.2.10, "
			  "r2: 192.0.2.20}\n"),
		     -EINVAL);
	cr_assert(strstr(err, "lb.yaml:12:13:") && strstr(err, "not in zone"), "%s", err);
}

Test(region_config, refuses_a_single_region)
{
	cr_assert_eq(load("  names:\n    - name: www.example.test\n      regions: {r1: "
			  "192.0.2.10}\n"),
		     -EINVAL);
	cr_assert(strstr(err, "second region"), "%s", err);
}

Test(region_config, refuses_a_key_others_can_read)
{
	cr_assert_eq(chmod("dns.key", 0644), 0);
	cr_assert_neq(load(NAMES), 0);
	cr_assert(strstr(err, "tsig_key_file") && strstr(err, "chmod 600"), "%s", err);
}

Test(region_config, refuses_a_malformed_key)
{
	write_file("dns.key", "hmac-sha256:xdplb:not base64 at all!!!!\n", 0600);
	cr_assert_neq(load(NAMES), 0);
	cr_assert(strstr(err, "base64"), "%s", err);
	write_file("dns.key", "rot13:xdplb:c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n", 0600);
	cr_assert_neq(load(NAMES), 0);
	cr_assert(strstr(err, "algorithm"), "%s", err);
}

Test(region_config, refuses_a_check_that_does_not_go_through_the_network)
{
	char body[8192], key[PATH_MAX + 32];

	snprintf(key, sizeof(key), "  tsig_key_file: %s/dns.key\n", dir);
	snprintf(body, sizeof(body),
		 NODE "region:\n  name: r1\n  server: 203.0.113.53\n  zone: example.test\n"
		      "  check: {type: exec, command: [/bin/true]}\n%s" NAMES,
		 key);
	write_file("lb.yaml", body, 0644);
	cr_assert_eq(cfg_load("lb.yaml", &cfg, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "region.check.type"), "%s", err);
}
