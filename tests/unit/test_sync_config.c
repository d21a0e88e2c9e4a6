// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The sync: section: defaults, the multicast channel, the key file's checks, file:line:column. */
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
#include "config/config_sync.h"

static struct lb_config cfg;
static char err[CFG_ERR_MAX];
static char dir[] = "/tmp/xdplb-sync-config-XXXXXX";
static char cwd[PATH_MAX];

static void sync_config_setup(void)
{
	FILE *f;

	cr_redirect_stderr();
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	f = fopen("sync.key", "w");
	cr_assert_not_null(f);
	fputs("0123456789abcdef0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	cr_assert_eq(chmod("sync.key", 0600), 0);
}

static void sync_config_teardown(void)
{
	cfg_free(&cfg);
	unlink("sync.key");
	unlink("lb.yaml");
	cr_assert_eq(chdir(cwd), 0);
	rmdir(dir);
}

TestSuite(sync_config, .init = sync_config_setup, .fini = sync_config_teardown);

#define NODE "node:\n  id: 1\n  zone: a\n  interface: eth0\n"

/* Writes NODE + text as lb.yaml (key_file paths written as KEY become the test's key). */
static int load(const char *text)
{
	char body[8192], keypath[PATH_MAX + 16];
	const char *k;
	FILE *f;

	snprintf(keypath, sizeof(keypath), "%s/sync.key", dir);
	body[0] = '\0';
	k = strstr(text, "KEY");
	if (k)
		snprintf(body, sizeof(body), "%s%.*s%s%s", NODE, (int)(k - text), text, keypath,
			 k + 3);
	else
		snprintf(body, sizeof(body), "%s%s", NODE, text);
	f = fopen("lb.yaml", "w");
	cr_assert_not_null(f);
	fputs(body, f);
	fclose(f);
	err[0] = '\0';
	return cfg_load("lb.yaml", &cfg, err, sizeof(err));
}

Test(sync_config, defaults_when_the_section_is_absent)
{
	cr_assert_eq(load(""), 0, "%s", err);
	cr_assert_not(cfg.sync.enabled);
	cr_assert_eq(cfg.sync.port, CFG_SYNC_DEFAULT_PORT);
	cr_assert_eq(cfg.sync.ttl, 1);
	cr_assert_eq(cfg.sync.heartbeat_ms, 1000);
	cr_assert_eq(cfg.sync.peer_timeout_ms, 3000);
	cr_assert_eq(cfg.sync.dump_timeout_ms, 5000);
	cr_assert_eq(cfg.node.sync_first_packets, 3);
	cr_assert_eq(cfg.node.sync_refresh_packets, 50);
	cr_assert_eq(cfg.node.sync_refresh_seconds, 0, "refresh by time is off unless asked");
}

Test(sync_config, reads_every_key)
{
	cr_assert_eq(load("sync:\n  enabled: true\n  group: ff02::1:88\n  port: 9000\n"
			  "  interface: sync0\n  ttl: 4\n  key_file: KEY\n"
			  "  heartbeat_interval: 200\n  dump_timeout: 2500\n"
			  "  first_packets: 5\n  refresh_packets: 0\n  refresh_seconds: 60\n"),
		     0, "%s", err);
	cr_assert(cfg.sync.enabled);
	cr_assert_eq(cfg.sync.group.family, LB_AF_INET6);
	cr_assert_eq(cfg.sync.port, 9000);
	cr_assert_str_eq(cfg.sync.interface, "sync0");
	cr_assert_eq(cfg.sync.ttl, 4);
	cr_assert_eq(cfg.sync.heartbeat_ms, 200);
	cr_assert_eq(cfg.sync.peer_timeout_ms, 600, "3 heartbeats by default");
	cr_assert_eq(cfg.sync.dump_timeout_ms, 2500);
	cr_assert_eq(cfg.node.sync_first_packets, 5);
	cr_assert_eq(cfg.node.sync_refresh_packets, 0);
	cr_assert_eq(cfg.node.sync_refresh_seconds, 60);
}

Test(sync_config, refuses_a_refresh_period_the_data_plane_cannot_hold)
{
	cr_assert_eq(load("sync:\n  refresh_seconds: 65536\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:6:20: sync.refresh_seconds: 65536 is out of range 0..65535");
}

Test(sync_config, rejects_a_unicast_group)
{
	cr_assert_eq(load("sync:\n  enabled: true\n  group: 192.0.2.1\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:7:10: sync.group 192.0.2.1: not a multicast address "
			      "(224.0.0.0/4 or ff00::/8)");
}

Test(sync_config, rejects_enabled_without_a_key_file)
{
	cr_assert_eq(load("sync:\n  enabled: true\n  group: 239.1.1.1\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:6:3: sync: missing required key 'key_file' (sync is "
			      "enabled: messages are authenticated)");
}

Test(sync_config, rejects_a_key_file_others_can_read)
{
	char want[512];

	cr_assert_eq(chmod("sync.key", 0644), 0);
	cr_assert_eq(load("sync:\n  enabled: true\n  group: 239.1.1.1\n  key_file: KEY\n"),
		     -EINVAL);
	snprintf(want, sizeof(want),
		 "lb.yaml:8:13: sync.key_file %s/sync.key: mode 0644 lets group or others at "
		 "the key: chmod 600 it",
		 dir);
	cr_assert_str_eq(err, want);
}

Test(sync_config, rejects_a_short_key_file)
{
	FILE *f = fopen("sync.key", "w");

	fputs("too short", f);
	fclose(f);
	cr_assert_eq(load("sync:\n  enabled: true\n  group: 239.1.1.1\n  key_file: KEY\n"),
		     -EINVAL);
	cr_assert(strstr(err, "9 bytes, a key needs at least 32"), "%s", err);
}

Test(sync_config, rejects_a_peer_timeout_not_above_the_heartbeat)
{
	cr_assert_eq(load("sync:\n  heartbeat_interval: 500\n  peer_timeout: 500\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:7:17: sync.peer_timeout: 500 ms must be longer than "
			      "heartbeat_interval (500 ms), or every peer flaps");
}

Test(sync_config, rejects_unknown_and_repeated_keys_and_bad_values)
{
	cr_assert_eq(load("sync:\n  group_address: 239.1.1.1\n"), -EINVAL);
	cr_assert(strstr(err, "lb.yaml:6:3: sync: unknown key 'group_address' (expected one of: "
			      "first_packets, refresh_packets, enabled"),
		  "%s", err);
	cfg_free(&cfg);
	cr_assert_eq(load("sync:\n  port: 1\n  port: 2\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:7:3: sync: key 'port' given twice (first at line 6)");
	cfg_free(&cfg);
	cr_assert_eq(load("sync:\n  port: 0\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:6:9: sync.port: 0 is out of range 1..65535");
	cfg_free(&cfg);
	cr_assert_eq(load("sync:\n  enabled: yes\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:6:12: sync.enabled: expected true or false, found 'yes'");
	cfg_free(&cfg);
	cr_assert_eq(load("sync:\n  ttl: [1]\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:6:8: sync.ttl: expected an integer 1..255, found a list");
}
