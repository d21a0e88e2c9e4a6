// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A backend's check that decap can hand second chance packets on: forwarding on its interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <criterion/criterion.h>

#include "backend/backend_forwarding.h"

static char root[] = "/tmp/xdplb-fwd-XXXXXX";

/* ROOT/net/IPV/conf/eth0/forwarding holding value, as /proc/sys has it. */
static void sysctl_write(const char *ipv, int value)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/net", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/net/%s", root, ipv);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/net/%s/conf", root, ipv);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/net/%s/conf/eth0", root, ipv);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/net/%s/conf/eth0/forwarding", root, ipv);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fprintf(f, "%d\n", value);
	fclose(f);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(root));
}

static void teardown(void)
{
	char cmd[300];

	/* Only the directory this test made. */
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(backend_forwarding, .init = setup, .fini = teardown);

Test(backend_forwarding, names_the_sysctl_of_the_family_tunnels_arrive_in)
{
	struct cfg_vip vip = {.encap = LB_ENCAP_GUE};
	struct lb_config cfg = {.vips = &vip, .n_vips = 1};
	char off[64] = "";
	bool unused = true;

	cfg.node.addresses[0].family = LB_AF_INET6;
	cfg.node.n_addresses = 1;
	sysctl_write("ipv4", 0);
	sysctl_write("ipv6", 0);
	cr_assert_eq(backend_forwarding_check(root, &cfg, "eth0", &unused, off, sizeof(off)), 1);
	cr_assert_not(unused);
	cr_assert_str_eq(off, "net.ipv6.conf.eth0.forwarding");
	sysctl_write("ipv6", 1);
	/* IPv4 forwarding off does not matter: no tunnel arrives over IPv4. */
	cr_assert_eq(backend_forwarding_check(root, &cfg, "eth0", &unused, off, sizeof(off)), 0);
	cfg.node.addresses[1].family = LB_AF_INET;
	cfg.node.n_addresses = 2;
	cr_assert_eq(backend_forwarding_check(root, &cfg, "eth0", &unused, off, sizeof(off)), 1);
	cr_assert_str_eq(off, "net.ipv4.conf.eth0.forwarding");
}

Test(backend_forwarding, ipv4_when_no_address_is_configured_and_none_without_gue)
{
	struct cfg_vip vip = {.encap = LB_ENCAP_GUE};
	struct lb_config cfg = {.vips = &vip, .n_vips = 1};
	char off[64] = "";
	bool unused = true;

	sysctl_write("ipv4", 0);
	cr_assert_eq(backend_forwarding_check(root, &cfg, "eth0", &unused, off, sizeof(off)), 1);
	cr_assert_str_eq(off, "net.ipv4.conf.eth0.forwarding");
	sysctl_write("ipv4", 1);
	cr_assert_eq(backend_forwarding_check(root, &cfg, "eth0", &unused, off, sizeof(off)), 0);
	cr_assert_not(unused);
	/* No such interface: an error, not "ready". */
	cr_assert_lt(backend_forwarding_check(root, &cfg, "eth1", &unused, off, sizeof(off)), 0);
	sysctl_write("ipv4", 0);
	vip.encap = LB_ENCAP_IPIP;
	cr_assert_eq(backend_forwarding_check(root, &cfg, "eth0", &unused, off, sizeof(off)), 0);
	cr_assert(unused);
}
