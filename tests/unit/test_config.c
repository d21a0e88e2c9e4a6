// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Config: the examples load, every error class names file:line:column, helpers round-trip. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "config/config.h"

static struct lb_config cfg;
static char cfg_err[CFG_ERR_MAX];

static void config_teardown(void)
{
	cfg_free(&cfg);
}

TestSuite(config, .fini = config_teardown);

/* Loads text as "lb.yaml" from a fresh directory, so messages read "lb.yaml:L:C: ...". */
static int load_text_into(const char *text, struct lb_config *out)
{
	char dir[] = "/tmp/xdplb-config-XXXXXX", cwd[PATH_MAX];
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
	ret = cfg_load("lb.yaml", out, cfg_err, sizeof(cfg_err));
	unlink("lb.yaml");
	cr_assert_eq(chdir(cwd), 0);
	rmdir(dir);
	return ret;
}

static int load_text(const char *text)
{
	return load_text_into(text, &cfg);
}

static void expect_error(const char *text, const char *message)
{
	int ret = load_text(text);

	cr_assert_eq(ret, -EINVAL, "loaded (ret %d) where \"%s\" was expected", ret, message);
	cr_assert_str_eq(cfg_err, message);
	cr_assert_eq(cfg.n_vips, 0, "a failed load leaves the model empty");
	cr_assert_null(cfg.vips);
}

static void expect_load(const char *text)
{
	int ret = load_text(text);

	cr_assert_eq(ret, 0, "load failed: %s", cfg_err);
}

static struct xaddr addr_of(const char *text)
{
	struct xaddr a;

	cr_assert_eq(cfg_parse_addr(text, &a), 0, "%s", text);
	return a;
}

/* Lines 1-5 of most test files: a valid balancer node. */
#define NODE                                                                                       \
	"node:\n"                                                                                  \
	"  id: 1\n"                                                                                \
	"  zone: a\n"                                                                              \
	"  interface: eth0\n"                                                                      \
	"  addresses: [198.51.100.1, 2001:db8::1]\n"

/* Lines 1-11: NODE and one VIP with one backend; line 12 on is free. */
#define ONE_VIP                                                                                    \
	NODE "vips:\n"                                                                             \
	     "  - name: web\n"                                                                     \
	     "    address: 192.0.2.10\n"                                                           \
	     "    port: 80\n"                                                                      \
	     "    backends:\n"                                                                     \
	     "      - {address: 198.51.100.11}\n"

/* --- the examples ----------------------------------------------------------------------------- */

static void load_example(const char *path)
{
	int ret = cfg_load(path, &cfg, cfg_err, sizeof(cfg_err));

	cr_assert_eq(ret, 0, "%s: %s", path, cfg_err);
	cr_assert_str_eq(cfg.path, path);
}

Test(config, loads_single_node_example)
{
	const struct cfg_vip *web;
	char buf[CFG_ADDR_STRLEN];

	load_example("configs/single-node.yaml");
	cr_assert_eq(cfg.node.id, 1);
	cr_assert_eq(cfg.node.hash_seed, 0x5eed);
	cr_assert_str_eq(cfg_format_addr(&cfg.node.tun_src4, buf, sizeof(buf)), "198.51.100.0");
	cr_assert_eq(cfg.node.tun_src4_bits, 4);
	cr_assert_eq(cfg.n_vips, 4);
	/* The example of a service whose connections must meet on one backend (FTP, iperf3). */
	web = cfg_find_vip(&cfg, "files");
	cr_assert_not_null(web, "no example of hash: addresses");
	cr_assert_eq(web->port, 0);
	cr_assert(web->flags & LB_VIP_F_HASH_ADDRS);
	web = cfg_find_vip(&cfg, "web");
	cr_assert_not_null(web);
	cr_assert_eq(web->n_backends, 3);
	cr_assert_eq(web->backends[2].weight, 50);
	cr_assert_eq(cfg_find_vip(&cfg, "dns")->proto, IPPROTO_UDP);
}

/*
 * An example that names files under /etc/xdplb (the sync key), loaded as an operator would
 * after creating them: a copy with those paths in a temporary directory holding the files,
 * and its control group replaced by group (the host's stand-in for one it lacks). Returns
 * what cfg_load returned.
 */
static int load_example_with_files(const char *path, const char *group)
{
	char dir[] = "/tmp/xdplb-example-XXXXXX", key[64], copy[64], cmd[512];
	int fd, ret;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/sync.key", dir);
	snprintf(copy, sizeof(copy), "%s/lb.yaml", dir);
	fd = open(key, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "sed -e 's|/etc/xdplb/|%s/|g' -e 's|group: xdplb}|group: %s}|' %s > %s", dir,
		 group, path, copy);
	cr_assert_eq(system(cmd), 0);
	ret = cfg_load(copy, &cfg, cfg_err, sizeof(cfg_err));
	unlink(copy);
	unlink(key);
	rmdir(dir);
	return ret;
}

Test(config, loads_cluster_example_with_zones_sync_and_cluster)
{
	const char *group = getgrnam("xdplb") ? "xdplb" : "root";
	const struct cfg_vip *web, *api;

	/* Its control group is the package's: a host without it refuses the file, at the group. */
	if (strcmp(group, "xdplb")) {
		cr_assert_eq(load_example_with_files("configs/cluster-node-a1.yaml", "xdplb"),
			     -EINVAL);
		cr_assert(strstr(cfg_err,
				 "/lb.yaml:25:53: node.control.group: xdplb: no such group "
				 "(groupadd --system it, or set \"\" for root only)"),
			  "%s", cfg_err);
	}
	cr_assert_eq(load_example_with_files("configs/cluster-node-a1.yaml", group), 0, "%s",
		     cfg_err);
	/* A cluster node: sync with its key, the zone state machine announcing. */
	cr_assert(cfg.sync.enabled);
	cr_assert(strstr(cfg.sync.key_file, "/sync.key"));
	cr_assert_eq(cfg.sync.heartbeat_ms, 200);
	cr_assert(cfg.cluster.enabled);
	cr_assert_eq(cfg.cluster.announce_table, 100);
	cr_assert_eq(cfg.cluster.secondary_mode, CFG_SECONDARY_STANDBY);
	cr_assert_eq(cfg.node.id, 11);
	cr_assert_eq(cfg.node.xdp_mode, CFG_XDP_NATIVE);
	cr_assert_eq(cfg.node.gue_sport_min, 40000);
	cr_assert_eq(cfg.node.gue_sport_max, 40999);
	cr_assert_eq(cfg.node.conntrack_size, 2097152);
	cr_assert_str_eq(cfg.node.control_group, group);
	web = cfg_find_vip(&cfg, "web");
	api = cfg_find_vip(&cfg, "api");
	cr_assert_eq(web->encap, LB_ENCAP_GUE);
	cr_assert_str_eq(web->primary_zone, "a");
	cr_assert_str_eq(web->secondary_zone, "b");
	cr_assert_str_eq(api->primary_zone, "b");
	cr_assert_str_eq(web->backends[2].zone, "b");
}

Test(config, loads_ipv6_example_with_4in6_and_6in4)
{
	const struct cfg_vip *v4, *v6;

	load_example("configs/ipv6.yaml");
	cr_assert_eq(cfg.node.tun_src6.family, LB_AF_INET6);
	cr_assert_eq(cfg.node.tun_src6_bits, 8);
	cr_assert_eq(cfg.node.tun_src4.family, LB_AF_INET, "the IPv4-only backends' source");
	cr_assert_eq(cfg.node.tun_src4_bits, 4);
	cr_assert_eq(cfg_find_vip(&cfg, "web6")->addr.family, LB_AF_INET6);
	v4 = cfg_find_vip(&cfg, "web4in6");
	cr_assert_eq(v4->addr.family, LB_AF_INET);
	cr_assert_eq(v4->backends[0].addr.family, LB_AF_INET6);
	v6 = cfg_find_vip(&cfg, "dns6in4");
	cr_assert_eq(v6->addr.family, LB_AF_INET6);
	cr_assert_eq(v6->encap, LB_ENCAP_GUE);
	cr_assert_eq(v6->backends[0].addr.family, LB_AF_INET);
}

Test(config, loads_udp_example_with_any_port_and_address_hash)
{
	const struct cfg_vip *game, *syslog;

	load_example("configs/udp.yaml");
	game = cfg_find_vip(&cfg, "game");
	cr_assert_eq(game->port, 0);
	cr_assert_eq(game->proto, IPPROTO_UDP);
	cr_assert_eq(game->flags, LB_VIP_F_HASH_ADDRS);
	cr_assert_eq(game->maglev_size, 4099);
	syslog = cfg_find_vip(&cfg, "syslog");
	cr_assert_eq(syslog->flags, LB_VIP_F_FAIL_OPEN);
	cr_assert_eq(syslog->encap, LB_ENCAP_GUE);
}

Test(config, loads_backend_example)
{
	load_example("configs/backend.yaml");
	cr_assert_eq(cfg.node.role, CFG_ROLE_BACKEND);
	cr_assert_eq(cfg.node.n_addresses, 2);
	cr_assert_eq(cfg.n_vips, 2);
	cr_assert_eq(cfg.vips[0].n_backends, 0);
	cr_assert_eq(cfg.vips[0].gue_port, 6080);
}

Test(config, rejects_broken_example_with_its_position)
{
	cr_assert_eq(cfg_load("configs/bad/duplicate-vip.yaml", &cfg, cfg_err, sizeof(cfg_err)),
		     -EINVAL);
	cr_assert_str_eq(cfg_err, "configs/bad/duplicate-vip.yaml:16:5: vip web-again: same "
				  "address, port and protocol as vip web at line 11");
}

Test(config, reports_missing_file_with_errno)
{
	cr_assert_eq(cfg_load("configs/no-such-file.yaml", &cfg, cfg_err, sizeof(cfg_err)),
		     -ENOENT);
	cr_assert_str_eq(cfg_err, "configs/no-such-file.yaml: No such file or directory");
}

Test(config, reports_directory_as_eisdir)
{
	cr_assert_eq(cfg_load("configs", &cfg, cfg_err, sizeof(cfg_err)), -EISDIR);
	cr_assert_str_eq(cfg_err, "configs: Is a directory");
}

/* --- defaults --------------------------------------------------------------------------------- */

Test(config, applies_defaults)
{
	char buf[CFG_ADDR_STRLEN];
	const struct cfg_vip *vip;

	expect_load(ONE_VIP);
	cr_assert_eq(cfg.node.role, CFG_ROLE_BALANCER);
	cr_assert_eq(cfg.node.xdp_mode, CFG_XDP_AUTO);
	cr_assert_eq(cfg.node.mtu, 1500);
	cr_assert_eq(cfg.node.gue_sport_min, 49152);
	cr_assert_eq(cfg.node.gue_sport_max, 65535);
	cr_assert_eq(cfg.node.outer_ttl, 64);
	cr_assert_eq(cfg.node.hash_seed, 0);
	cr_assert_eq(cfg.node.conntrack_size, LB_CT_SIZE);
	cr_assert_eq(cfg.node.sync_first_packets, 3);
	cr_assert_eq(cfg.node.sync_refresh_packets, 50);
	cr_assert_str_eq(cfg.node.control_socket, "/run/xdplb/lbagent.sock");
	cr_assert_str_eq(cfg.node.control_group, "");
	cr_assert_str_eq(cfg.node.bpffs_dir, "/sys/fs/bpf/xdplb");
	/* The node's own address stands in for a tunnel source, varying nothing. */
	cr_assert_str_eq(cfg_format_addr(&cfg.node.tun_src4, buf, sizeof(buf)), "198.51.100.1");
	cr_assert_eq(cfg.node.tun_src4_bits, 0);
	vip = &cfg.vips[0];
	cr_assert_eq(vip->proto, IPPROTO_TCP);
	cr_assert_eq(vip->encap, LB_ENCAP_IPIP);
	cr_assert_eq(vip->gue_port, LB_GUE_DEFAULT_PORT);
	cr_assert_eq(vip->maglev_size, LB_MAGLEV_DEFAULT_SIZE);
	cr_assert_eq(vip->flags, 0);
	cr_assert_str_eq(vip->primary_zone, "");
	cr_assert_eq(vip->backends[0].weight, 100);
	cr_assert_str_eq(vip->backends[0].zone, "");
	cr_assert_eq(vip->line, 7);
	cr_assert_eq(vip->column, 5);
	cr_assert_eq(vip->backends[0].line, 11);
	cr_assert_eq(vip->backends[0].column, 9);
}

Test(config, parses_hex_seed_sync_counts_and_control)
{
	expect_load(NODE "  hash_seed: 0xDEADBEEF\n"
			 "  control: {socket: /run/lb.sock, group: root}\n"
			 "sync: {first_packets: 0, refresh_packets: 1000}\n");
	cr_assert_eq(cfg.node.hash_seed, 0xdeadbeef);
	cr_assert_str_eq(cfg.node.control_socket, "/run/lb.sock");
	cr_assert_str_eq(cfg.node.control_group, "root");
	cr_assert_eq(cfg.node.sync_first_packets, 0);
	cr_assert_eq(cfg.node.sync_refresh_packets, 1000);
	cr_assert_eq(cfg.n_vips, 0);
}

/* A start would fail at the socket, after attaching: --check-config must say it first. */
Test(config, refuses_a_control_group_the_host_does_not_have)
{
	expect_error(NODE "  control: {group: no-such-group-xdplb}\n",
		     "lb.yaml:6:20: node.control.group: no-such-group-xdplb: no such group "
		     "(groupadd --system it, or set \"\" for root only)");
}

Test(config, refuses_a_control_socket_path_a_socket_cannot_have)
{
	expect_error(
	    NODE
	    "  control: {socket: /run/xdplb/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaa.sock}\n",
	    "lb.yaml:6:21: node.control.socket: longer than 107 characters, the most a "
	    "unix socket path holds");
}

/* --- structure -------------------------------------------------------------------------------- */

Test(config, rejects_unknown_key_naming_the_expected_ones)
{
	expect_error(ONE_VIP "    protocl: tcp\n",
		     "lb.yaml:12:5: vip: unknown key 'protocl' (expected one of: name, address, "
		     "port, protocol, encapsulation, gue_port, maglev_size, hash, fail_open, "
		     "down_flows, second_chance, "
		     "zones, health, backends)");
}

Test(config, second_chance_is_on_unless_turned_off)
{
	expect_load(ONE_VIP);
	cr_assert_not(cfg.vips[0].no_second_chance);
	cfg_free(&cfg);
	expect_load(ONE_VIP "    second_chance: false\n");
	cr_assert(cfg.vips[0].no_second_chance);
	cfg_free(&cfg);
	expect_error(ONE_VIP "    second_chance: off\n",
		     "lb.yaml:12:20: vip.second_chance: expected true or false, found 'off'");
}

Test(config, rejects_a_misspelt_section)
{
	expect_error(ONE_VIP "clustre:\n  enabled: true\n",
		     "lb.yaml:12:1: top level: unknown key 'clustre' (expected one of: node, sync, "
		     "cluster, proxy, region, vips)");
}

Test(config, rejects_key_given_twice)
{
	expect_error(NODE "  zone: b\n", "lb.yaml:6:3: node: key 'zone' given twice (first at "
					 "line 3)");
}

Test(config, rejects_mapping_where_a_value_is_expected)
{
	expect_error("node:\n  id: 1\n  zone: {name: a}\n",
		     "lb.yaml:3:9: node.zone: expected a name, found a mapping");
}

Test(config, rejects_scalar_where_a_list_is_expected)
{
	expect_error(NODE "vips: web\n", "lb.yaml:6:7: vips: expected a list of vips, found 'web'");
}

Test(config, rejects_list_where_a_mapping_is_expected)
{
	expect_error("node:\n  - id: 1\n", "lb.yaml:2:3: node: expected a mapping, found a list");
}

Test(config, rejects_null_value)
{
	expect_error("node:\n  id:\n  zone: a\n",
		     "lb.yaml:2:6: node.id: expected an integer 1..4294967295, found nothing "
		     "(null)");
}

Test(config, rejects_missing_required_keys)
{
	expect_error("node:\n  zone: a\n  interface: eth0\n",
		     "lb.yaml:2:3: node: missing required key 'id'");
	cfg_free(&cfg);
	expect_error(NODE "vips:\n  - name: web\n    port: 80\n",
		     "lb.yaml:7:5: vip: missing required key 'address'");
	cfg_free(&cfg);
	expect_error("vips: []\n", "lb.yaml:1:1: top level: missing required key 'node'");
}

Test(config, rejects_yaml_syntax_error_at_libyaml_mark)
{
	expect_error("node:\n  id: 1\n zone: a\n",
		     "lb.yaml:3:2: YAML syntax error: did not find expected key (while parsing a "
		     "block mapping at line 1 column 1)");
}

Test(config, rejects_tab_indentation)
{
	expect_error("node:\n  id: 1\n\tzone: a\n",
		     "lb.yaml:3:1: YAML syntax error: found a tab character that violates "
		     "indentation (while scanning a plain scalar at line 2 column 7)");
}

Test(config, rejects_empty_file)
{
	expect_error("", "lb.yaml:1:1: empty config: expected a mapping with at least a 'node' "
			 "section");
	cfg_free(&cfg);
	expect_error("# nothing but a comment\n",
		     "lb.yaml:1:1: empty config: expected a mapping with at least a 'node' "
		     "section");
}

Test(config, refuses_anchors_and_aliases)
{
	expect_error(NODE "vips:\n  - &web\n    address: 192.0.2.10\n    port: 80\n",
		     "lb.yaml:7:5: anchor &web: anchors and aliases are not supported, write the "
		     "value out");
	cfg_free(&cfg);
	expect_error(NODE "vips:\n  - *web\n",
		     "lb.yaml:7:5: alias *web: anchors and aliases are not supported, write the "
		     "value out");
}

Test(config, rejects_second_document)
{
	expect_error(NODE "---\n" NODE,
		     "lb.yaml:6:1: a second YAML document: the config is one document");
}

/* --- values ----------------------------------------------------------------------------------- */

Test(config, rejects_bad_backend_address)
{
	expect_error(NODE "vips:\n  - address: 192.0.2.10\n    port: 80\n    backends:\n"
			  "      - {address: 198.51.100.300, weight: 10}\n",
		     "lb.yaml:10:19: backend 198.51.100.300: not an IPv4 or IPv6 address");
}

Test(config, rejects_bad_vip_address)
{
	expect_error(NODE "vips:\n  - address: 2001:db8::g\n    port: 80\n",
		     "lb.yaml:7:14: vip 2001:db8::g: not an IPv4 or IPv6 address");
}

Test(config, rejects_addresses_that_are_not_unicast)
{
	expect_error(NODE "vips:\n  - address: 0.0.0.0\n    port: 80\n",
		     "lb.yaml:7:14: vip 0.0.0.0: not a unicast address");
	cfg_free(&cfg);
	expect_error(NODE "vips:\n  - address: 192.0.2.10\n    port: 80\n"
			  "    backends: [{address: 239.1.2.3}]\n",
		     "lb.yaml:9:26: backend 239.1.2.3: not a unicast address");
	cfg_free(&cfg);
	expect_error(NODE "vips:\n  - address: ff02::1\n    port: 80\n",
		     "lb.yaml:7:14: vip ff02::1: not a unicast address");
	cfg_free(&cfg);
	expect_error("node:\n  id: 1\n  zone: a\n  addresses: [\"::\"]\n",
		     "lb.yaml:4:15: node address ::: not a unicast address");
}

Test(config, rejects_bad_ports)
{
	expect_error(NODE "vips:\n  - address: 192.0.2.10\n    port: 0\n",
		     "lb.yaml:8:11: vip.port: expected a port 1..65535 or any, found '0'");
	cfg_free(&cfg);
	expect_error(NODE "vips:\n  - address: 192.0.2.10\n    port: 65536\n",
		     "lb.yaml:8:11: vip.port: expected a port 1..65535 or any, found '65536'");
	cfg_free(&cfg);
	expect_error(NODE "vips:\n  - address: 192.0.2.10\n    port: -1\n",
		     "lb.yaml:8:11: vip.port: expected a port 1..65535 or any, found '-1'");
}

Test(config, rejects_bad_gue_source_port_ranges)
{
	expect_error(NODE "  gue_source_ports: 41000-40000\n",
		     "lb.yaml:6:21: node.gue_source_ports: 41000-40000: the first port is above "
		     "the last");
	cfg_free(&cfg);
	expect_error(NODE "  gue_source_ports: 40000-70000\n",
		     "lb.yaml:6:21: node.gue_source_ports: 40000-70000: ports must be 1..65535");
	cfg_free(&cfg);
	expect_error(NODE "  gue_source_ports: 40000..40999\n",
		     "lb.yaml:6:21: node.gue_source_ports: expected a port range like "
		     "40000-40999, found '40000..40999'");
}

Test(config, rejects_gue_port_zero)
{
	expect_error(ONE_VIP "    encapsulation: gue\n    gue_port: 0\n",
		     "lb.yaml:13:15: vip.gue_port: 0 is out of range 1..65535");
}

Test(config, rejects_unknown_enum_value_listing_the_choices)
{
	expect_error(ONE_VIP "    protocol: sctp\n",
		     "lb.yaml:12:15: vip.protocol: expected one of: tcp, udp, found 'sctp'");
}

Test(config, rejects_yes_as_boolean)
{
	expect_error(ONE_VIP "    fail_open: yes\n",
		     "lb.yaml:12:16: vip.fail_open: expected true or false, found 'yes'");
}

Test(config, rejects_node_id_out_of_range)
{
	expect_error("node:\n  id: 0\n", "lb.yaml:2:7: node.id: 0 is out of range 1..4294967295");
	cfg_free(&cfg);
	expect_error("node:\n  id: 4294967296\n",
		     "lb.yaml:2:7: node.id: 4294967296 is out of range 1..4294967295");
}

Test(config, rejects_weights_out_of_range)
{
	expect_error(NODE "vips:\n  - address: 192.0.2.10\n    port: 80\n    backends:\n"
			  "      - {address: 198.51.100.11, weight: 0}\n",
		     "lb.yaml:10:42: backend.weight: 0 is out of range 1..65535");
	cfg_free(&cfg);
	expect_error(NODE "vips:\n  - address: 192.0.2.10\n    port: 80\n    backends:\n"
			  "      - {address: 198.51.100.11, weight: 65536}\n",
		     "lb.yaml:10:42: backend.weight: 65536 is out of range 1..65535");
}

Test(config, rejects_name_that_could_be_a_label)
{
	expect_error(NODE "vips:\n  - name: 192.0.2.10:80/tcp\n",
		     "lb.yaml:7:11: vip.name: '192.0.2.10:80/tcp': only letters, digits, '.', '_' "
		     "and '-' allowed");
}

Test(config, rejects_empty_and_overlong_names)
{
	expect_error(NODE "vips:\n  - name: \"\"\n",
		     "lb.yaml:7:11: vip.name: expected a name, found ''");
	cfg_free(&cfg);
	expect_error(
	    "node:\n  id: 1\n  zone: abcdefghijklmnopqrstuvwxyz0123456\n",
	    "lb.yaml:3:9: node.zone: 'abcdefghijklmnopqrstuvwxyz0123456' is longer than 31 "
	    "characters");
}

/* --- Maglev ----------------------------------------------------------------------------------- */

Test(config, rejects_maglev_size_not_prime)
{
	expect_error(ONE_VIP "    maglev_size: 65536\n",
		     "lb.yaml:12:18: vip.maglev_size: 65536 is not a prime (the next prime is "
		     "65537)");
}

Test(config, rejects_maglev_size_below_seven)
{
	expect_error(ONE_VIP "    maglev_size: 5\n",
		     "lb.yaml:12:18: vip.maglev_size: 5 is out of range 7..1048573");
}

Test(config, rejects_maglev_size_not_above_backend_count)
{
	char text[2048];
	int n, i;

	n = snprintf(text, sizeof(text),
		     NODE "vips:\n  - address: 192.0.2.10\n    port: 80\n"
			  "    maglev_size: 7\n    backends:\n");
	for (i = 1; i <= 7; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - {address: 198.51.100.%d}\n",
			      i + 10);
	expect_error(text, "lb.yaml:9:18: vip 192.0.2.10:80/tcp: maglev_size 7 must be larger than "
			   "its 7 backends");
}

/* Balance is the operator's call: a warning, not an error. */
Test(config, warns_when_maglev_size_is_small_for_balance, .init = cr_redirect_stderr)
{
	expect_load(ONE_VIP "      - {address: 198.51.100.12}\n    maglev_size: 199\n");
	cr_assert_eq(cfg.vips[0].maglev_size, 199);
	fflush(stderr);
	cr_assert_stderr_eq_str("xdplb: warning: lb.yaml:13:18: vip web: maglev_size 199 is under "
				"100 x 2 backends: shares may differ by more than a few percent\n");
}

Test(config, warns_when_address_hash_has_a_port, .init = cr_redirect_stderr)
{
	expect_load(ONE_VIP "    hash: addresses\n");
	cr_assert_eq(cfg.vips[0].flags, LB_VIP_F_HASH_ADDRS);
	fflush(stderr);
	cr_assert_stderr_eq_str(
	    "xdplb: warning: lb.yaml:12:11: vip web: hash: addresses on port 80: "
	    "only first fragments reach it, the others carry no port and match "
	    "only a 'port: any' vip\n");
}

/* --- cross-references ------------------------------------------------------------------------- */

Test(config, rejects_duplicate_vip_by_address_port_and_protocol)
{
	expect_error(ONE_VIP "  - address: 192.0.2.10\n    port: 80\n    protocol: tcp\n",
		     "lb.yaml:12:5: vip 192.0.2.10:80/tcp: same address, port and protocol as vip "
		     "web at line 7");
}

Test(config, accepts_same_address_with_other_port_or_protocol)
{
	expect_load(ONE_VIP "  - address: 192.0.2.10\n    port: 80\n    protocol: udp\n"
			    "  - address: 192.0.2.10\n    port: any\n");
	cr_assert_eq(cfg.n_vips, 3);
}

Test(config, rejects_duplicate_vip_name)
{
	expect_error(ONE_VIP "  - name: web\n    address: 192.0.2.11\n    port: 80\n",
		     "lb.yaml:12:11: vip web: name used twice (first at line 7)");
}

Test(config, rejects_duplicate_backend_within_a_vip)
{
	expect_error(ONE_VIP "      - {address: 198.51.100.12}\n      - {address: 198.51.100.11}\n",
		     "lb.yaml:13:9: backend 198.51.100.11: listed twice in vip web (first at line "
		     "11)");
}

/* 6in4 and GUE carrying IPv6 over IPv4: every family pair is forwarded. */
Test(config, accepts_ipv6_vip_with_ipv4_backends)
{
	expect_load(NODE "vips:\n  - address: 2001:db8::10\n    port: 443\n    backends:\n"
			 "      - {address: 198.51.100.11}\n      - {address: 198.51.100.12}\n"
			 "  - address: 2001:db8::10\n    port: 53\n    protocol: udp\n"
			 "    encapsulation: gue\n    backends: [{address: 198.51.100.11}]\n");
	cr_assert_eq(cfg.n_vips, 2);
	cr_assert_eq(cfg.vips[0].addr.family, LB_AF_INET6);
	cr_assert_eq(cfg.vips[0].backends[1].addr.family, LB_AF_INET);
	cr_assert_eq(cfg.vips[1].encap, LB_ENCAP_GUE);
}

Test(config, rejects_mtu_leaving_ipv6_vip_under_1280)
{
	expect_error(NODE "  mtu: 1307\n"
			  "vips:\n  - address: 2001:db8::10\n    port: 53\n    protocol: udp\n"
			  "    encapsulation: gue\n    backends:\n"
			  "      - {address: 198.51.100.11}\n",
		     "lb.yaml:6:8: node.mtu: 1307 leaves 1279 bytes for IPv6 vip "
		     "[2001:db8::10]:53/udp through backend 198.51.100.11 (line 13, 28 bytes of "
		     "GUE): below 1280, the IPv6 minimum; at least 1308");
	cfg_free(&cfg);
	expect_load(NODE "  mtu: 1308\n"
			 "vips:\n  - address: 2001:db8::10\n    port: 53\n    protocol: udp\n"
			 "    encapsulation: gue\n    backends:\n"
			 "      - {address: 198.51.100.11}\n");
}

Test(config, rejects_backend_zone_conflict_between_vips)
{
	expect_error(NODE
		     "vips:\n"
		     "  - {address: 192.0.2.10, port: 80, backends: [{address: 198.51.100.11, "
		     "zone: a}]}\n"
		     "  - {address: 192.0.2.10, port: 443, backends: [{address: 198.51.100.11, "
		     "zone: b}]}\n",
		     "lb.yaml:8:49: backend 198.51.100.11: zone 'b' here but 'a' at line 7");
}

Test(config, accepts_backend_shared_between_vips)
{
	expect_load(ONE_VIP "  - address: 192.0.2.10\n    port: 443\n"
			    "    backends: [{address: 198.51.100.11}]\n");
	cr_assert(cfg_addr_equal(&cfg.vips[0].backends[0].addr, &cfg.vips[1].backends[0].addr));
}

/*
 * lb_backends has LB_MAX_BACKENDS - 1 usable slots, one per (VIP, backend) pair: a host
 * shared by many VIPs takes a slot in each, so pairs are counted, not addresses.
 */
Test(config, rejects_more_backend_pairs_than_slots)
{
	size_t len = 8 * 1024 * 1024, n;
	char expected[128];
	char *text;
	int k, v;

	text = malloc(len);
	cr_assert_not_null(text);
	n = snprintf(text, len, NODE "vips:\n");
	/* 33 VIPs of the same 4000 hosts: 100 distinct addresses would do, 132000 pairs do not. */
	for (v = 0; v < 33; v++) {
		n += snprintf(text + n, len - n,
			      "  - address: 192.0.2.%d\n    port: 80\n    backends:\n", v + 1);
		for (k = 1; k <= 4000; k++)
			n += snprintf(text + n, len - n, "      - {address: 2001:db8:1::%x}\n", k);
	}
	cr_assert_lt(n, len);
	/* Pair 131072 is the 3072nd backend (2001:db8:1::c00) of the 33rd VIP. */
	snprintf(expected, sizeof(expected),
		 "lb.yaml:%d:9: backend 2001:db8:1::c00: more than %d (vip, backend) pairs",
		 10 + 32 * 4003 + 3071, LB_MAX_BACKENDS - 1);
	expect_error(text, expected);
	free(text);
}

Test(config, rejects_zones_with_same_primary_and_secondary)
{
	expect_error(ONE_VIP "    zones: {primary: a, secondary: a}\n",
		     "lb.yaml:12:36: vip.zones: secondary zone 'a' is also the primary");
}

Test(config, rejects_backend_family_without_tunnel_source)
{
	expect_error("node:\n  id: 1\n  zone: a\n  interface: eth0\n  addresses: [198.51.100.1]\n"
		     "vips:\n  - {address: 192.0.2.10, port: 80, backends: [{address: "
		     "2001:db8::11}]}\n",
		     "lb.yaml:7:48: backend 2001:db8::11: an IPv6 backend needs an IPv6 tunnel "
		     "source: set node.tunnel_source.ipv6 or give node.addresses an IPv6 address");
	cfg_free(&cfg);
	expect_error("node:\n  id: 1\n  zone: a\n  interface: eth0\n"
		     "  tunnel_source: {ipv6: 2001:db8::1}\n"
		     "vips:\n  - {address: 192.0.2.10, port: 80, backends: [{address: "
		     "198.51.100.11}]}\n",
		     "lb.yaml:7:48: backend 198.51.100.11: an IPv4 backend needs an IPv4 tunnel "
		     "source: set node.tunnel_source.ipv4 or give node.addresses an IPv4 address");
}

Test(config, parses_tunnel_source_prefix_as_varied_bits)
{
	char buf[CFG_ADDR_STRLEN];

	expect_load(NODE "  tunnel_source: {ipv4: 198.51.100.16/28, ipv6: 2001:db8::100/112}\n");
	cr_assert_str_eq(cfg_format_addr(&cfg.node.tun_src4, buf, sizeof(buf)), "198.51.100.16");
	cr_assert_eq(cfg.node.tun_src4_bits, 4);
	cr_assert_str_eq(cfg_format_addr(&cfg.node.tun_src6, buf, sizeof(buf)), "2001:db8::100");
	cr_assert_eq(cfg.node.tun_src6_bits, 16);
}

Test(config, rejects_tunnel_source_varying_more_than_16_bits)
{
	expect_error(NODE "  tunnel_source: {ipv4: 198.51.100.0/8}\n",
		     "lb.yaml:6:25: node.tunnel_source.ipv4: /8 would vary 24 bits per flow; at "
		     "most 16 (/16..32)");
	cfg_free(&cfg);
	expect_error(NODE "  tunnel_source: {ipv4: 2001:db8::1}\n",
		     "lb.yaml:6:25: node.tunnel_source.ipv4: expected an IPv4 address, optionally "
		     "/16..32, found '2001:db8::1'");
}

Test(config, rejects_mtu_below_ipv4_minimum)
{
	expect_error(NODE "  mtu: 575\n",
		     "lb.yaml:6:8: node.mtu: 575 is below 576, the least any IPv4 link carries (0 "
		     "turns the check off)");
}

Test(config, rejects_mtu_below_ipv6_minimum_with_ipv6_backends)
{
	expect_error("node:\n  id: 1\n  zone: a\n  interface: eth0\n  mtu: 1279\n"
		     "  addresses: [2001:db8::1]\n"
		     "vips:\n  - {address: 192.0.2.10, port: 80, backends: [{address: "
		     "2001:db8::11}]}\n",
		     "lb.yaml:5:8: node.mtu: 1279 is below 1280, the IPv6 minimum, and backend "
		     "2001:db8::11 (line 8) is IPv6");
}

Test(config, accepts_mtu_zero_as_no_check)
{
	expect_load(NODE "  mtu: 0\n");
	cr_assert_eq(cfg.node.mtu, 0);
}

Test(config, balancer_needs_interface)
{
	expect_error("node:\n  id: 1\n  zone: a\n",
		     "lb.yaml:2:3: node: missing required key 'interface' (role balancer attaches "
		     "to it)");
}

Test(config, rejects_empty_interface_name)
{
	expect_error("node:\n  id: 1\n  zone: a\n  interface: \"\"\n",
		     "lb.yaml:4:14: node.interface: expected an interface name, found ''");
}

Test(config, backend_needs_addresses_but_no_interface)
{
	expect_error("node:\n  id: 1\n  zone: a\n  role: backend\n",
		     "lb.yaml:2:3: node: missing required key 'addresses' (role backend "
		     "decapsulates tunnel packets sent to them)");
	cfg_free(&cfg);
	expect_load("node:\n  id: 1\n  zone: a\n  role: backend\n  addresses: [198.51.100.11]\n");
	cr_assert_eq(cfg.node.role, CFG_ROLE_BACKEND);
	cr_assert_str_eq(cfg.node.interface, "");
}

Test(config, rejects_duplicate_node_address)
{
	expect_error("node:\n  id: 1\n  zone: a\n  interface: eth0\n"
		     "  addresses:\n    - 198.51.100.1\n    - 198.51.100.1\n",
		     "lb.yaml:7:7: node address 198.51.100.1: listed twice (first at line 6)");
}

/* --- addresses, labels, lookups, equality ------------------------------------------------------
 */

Test(config, format_addr_round_trips)
{
	static const char *const texts[] = {
	    "192.0.2.10",	    "0.0.0.0", "255.255.255.255", "2001:db8::10",
	    "2001:db8:1:2:3:4:5:6", "::1",     "::ffff:192.0.2.1"};
	char buf[CFG_ADDR_STRLEN];
	struct xaddr a, b;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		a = addr_of(texts[i]);
		cr_assert_str_eq(cfg_format_addr(&a, buf, sizeof(buf)), texts[i]);
		b = addr_of(buf);
		cr_assert(cfg_addr_equal(&a, &b));
	}
	a = addr_of("2001:0db8:0000::0010");
	cr_assert_str_eq(cfg_format_addr(&a, buf, sizeof(buf)), "2001:db8::10");
}

Test(config, parse_addr_keeps_network_order_words)
{
	struct xaddr a = addr_of("192.0.2.10");

	cr_assert_eq(a.family, LB_AF_INET);
	cr_assert_eq(a.addr[0], htonl(0xc000020a));
	cr_assert_eq(a.addr[1] | a.addr[2] | a.addr[3], 0);
	a = addr_of("2001:db8::10");
	cr_assert_eq(a.family, LB_AF_INET6);
	cr_assert_eq(a.addr[0], htonl(0x20010db8));
	cr_assert_eq(a.addr[3], htonl(0x10));
}

Test(config, parse_addr_rejects_non_addresses)
{
	static const char *const bad[] = {"",
					  "192.0.2",
					  "192.0.2.256",
					  "192.0.2.1/24",
					  "2001:db8::1%eth0",
					  "[2001:db8::1]",
					  "host.example",
					  " 192.0.2.1"};
	struct xaddr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(cfg_parse_addr(bad[i], &a), -EINVAL, "'%s'", bad[i]);
}

Test(config, find_vip_by_name_and_by_label)
{
	expect_load(ONE_VIP "  - address: 2001:db8::10\n    port: 443\n"
			    "    backends: [{address: 2001:db8::11}]\n"
			    "  - address: 192.0.2.10\n    port: any\n    protocol: udp\n");
	cr_assert_eq(cfg_find_vip(&cfg, "web"), &cfg.vips[0]);
	cr_assert_eq(cfg_find_vip(&cfg, "192.0.2.10:80/tcp"), &cfg.vips[0]);
	cr_assert_eq(cfg_find_vip(&cfg, "[2001:db8::10]:443/tcp"), &cfg.vips[1]);
	cr_assert_eq(cfg_find_vip(&cfg, "[2001:db8:0::010]:443/tcp"), &cfg.vips[1]);
	cr_assert_eq(cfg_find_vip(&cfg, "192.0.2.10:*/udp"), &cfg.vips[2]);
}

Test(config, find_vip_returns_null_for_no_match)
{
	static const char *const miss[] = {"api",
					   "192.0.2.10:81/tcp",
					   "192.0.2.10:80/udp",
					   "192.0.2.10:*/tcp",
					   "2001:db8::10:443/tcp",
					   "192.0.2.10:80",
					   "[192.0.2.10]:80/tcp",
					   "192.0.2.10:0/tcp",
					   ""};
	size_t i;

	expect_load(ONE_VIP "  - address: 2001:db8::10\n    port: 443\n"
			    "    backends: [{address: 2001:db8::11}]\n");
	for (i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
		cr_assert_null(cfg_find_vip(&cfg, miss[i]), "'%s'", miss[i]);
}

Test(config, vip_label_is_name_or_address_port_proto)
{
	char buf[CFG_LABEL_MAX];

	expect_load(ONE_VIP "  - address: 2001:db8::10\n    port: 443\n"
			    "    backends: [{address: 2001:db8::11}]\n"
			    "  - address: 192.0.2.10\n    port: any\n    protocol: udp\n");
	cfg_vip_label(&cfg.vips[0], buf, sizeof(buf));
	cr_assert_str_eq(buf, "web");
	cfg_vip_addr_label(&cfg.vips[0], buf, sizeof(buf));
	cr_assert_str_eq(buf, "192.0.2.10:80/tcp");
	cfg_vip_label(&cfg.vips[1], buf, sizeof(buf));
	cr_assert_str_eq(buf, "[2001:db8::10]:443/tcp");
	cfg_vip_label(&cfg.vips[2], buf, sizeof(buf));
	cr_assert_str_eq(buf, "192.0.2.10:*/udp");
}

Test(config, vip_equal_ignores_where_the_vip_was_written)
{
	struct lb_config other;

	expect_load(ONE_VIP "      - {address: 198.51.100.12, weight: 100}\n");
	cr_assert_eq(
	    load_text_into("# moved down\n\n" NODE "vips:\n"
			   "  - {name: web, address: 192.0.2.10, port: 80, protocol: tcp,\n"
			   "     backends: [{address: 198.51.100.11},\n"
			   "                {address: 198.51.100.12}]}\n",
			   &other),
	    0, "%s", cfg_err);
	cr_assert_neq(other.vips[0].line, cfg.vips[0].line);
	cr_assert(cfg_vip_equal(&cfg.vips[0], &other.vips[0]));
	cfg_free(&other);
}

Test(config, vip_equal_sees_every_change)
{
	struct cfg_backend be[2];
	struct cfg_vip base, v;

	expect_load(ONE_VIP "      - {address: 198.51.100.12}\n");
	base = cfg.vips[0];
	memcpy(be, base.backends, sizeof(be));
	v = base;
	v.backends = be;
	cr_assert(cfg_vip_equal(&base, &v), "a copy is equal");
#define EXPECT_CHANGE(stmt)                                                                        \
	do {                                                                                       \
		v = base;                                                                          \
		memcpy(be, base.backends, sizeof(be));                                             \
		v.backends = be;                                                                   \
		stmt;                                                                              \
		cr_assert_not(cfg_vip_equal(&base, &v), "unchanged after: %s", #stmt);             \
	} while (0)
	EXPECT_CHANGE(v.port = 81);
	EXPECT_CHANGE(v.proto = IPPROTO_UDP);
	EXPECT_CHANGE(v.addr = addr_of("192.0.2.11"));
	EXPECT_CHANGE(v.name[0] = '\0');
	EXPECT_CHANGE(v.encap = LB_ENCAP_GUE);
	EXPECT_CHANGE(v.gue_port = 6081);
	EXPECT_CHANGE(v.maglev_size = 251);
	EXPECT_CHANGE(v.flags = LB_VIP_F_FAIL_OPEN);
	EXPECT_CHANGE(v.no_second_chance = true);
	EXPECT_CHANGE(strcpy(v.primary_zone, "a"));
	EXPECT_CHANGE(strcpy(v.secondary_zone, "b"));
	EXPECT_CHANGE(v.n_backends = 1);
	EXPECT_CHANGE(be[1].weight = 99);
	EXPECT_CHANGE(strcpy(be[0].zone, "b"));
	EXPECT_CHANGE(be[1].addr = addr_of("198.51.100.13"));
	EXPECT_CHANGE(be[0] = base.backends[1]; be[1] = base.backends[0]);
#undef EXPECT_CHANGE
}

/*
 * A huge value is cut in the message, never the reason: a 10 MB zone lost "is longer than 31
 * characters" when the message buffer filled up with the value.
 */
static void expect_reason_with_cut_value(const char *fmt, size_t value_len, const char *message)
{
	size_t text_len = strlen(fmt) + value_len;
	char *value = malloc(value_len + 1), *text = malloc(text_len + 1);

	cr_assert(value && text);
	memset(value, 'a', value_len);
	value[value_len] = '\0';
	snprintf(text, text_len + 1, fmt, value);
	expect_error(text, message);
	free(value);
	free(text);
}

#define A32 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

Test(config, huge_value_is_cut_not_the_reason)
{
	expect_reason_with_cut_value("node:\n  id: 1\n  zone: %s\n  interface: lo\n", 10 << 20,
				     "lb.yaml:3:9: node.zone: '" A32
				     "...' is longer than 31 characters");
	expect_reason_with_cut_value("node:\n  id: 1\n  zone: a\n  interface: lo\n  %s: 1\n", 1000,
				     "lb.yaml:5:3: node: unknown key '" A32
				     "...' (expected one of: id, zone, role, interface, xdp_mode, "
				     "addresses, tunnel_source, mtu, gue_source_ports, outer_ttl, "
				     "hash_seed, conntrack_size, control, bpffs, metrics)");
	expect_reason_with_cut_value(
	    "node:\n  id: 1\n  zone: a\n  interface: lo\n  mtu: %s\n", 1 << 20,
	    "lb.yaml:5:8: node.mtu: expected an integer 0..65535, found '" A32 "...'");
	expect_reason_with_cut_value(
	    NODE "vips:\n  - {name: web, address: 192.0.2.10, port: 80, protocol: %s}\n", 1 << 20,
	    "lb.yaml:7:58: vip.protocol: expected one of: tcp, udp, found '" A32 "...'");
	/* 40 characters are shown whole: only what would crowd the reason out is cut. */
	expect_reason_with_cut_value(
	    "node:\n  id: 1\n  zone: a\n  interface: lo\n  mtu: %s\n", 40,
	    "lb.yaml:5:8: node.mtu: expected an integer 0..65535, found '" A32 "aaaaaaaa'");
}
