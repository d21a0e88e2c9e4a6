// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb then decap: the backend's kernel must get the client's packet exactly as the balancer did. */
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>

#include "lb_cases.h"

static void roundtrip(uint8_t proto, const char *vip, uint16_t port, uint32_t vip_index,
		      uint32_t be)
{
	static struct lb_run r;
	static struct pkt in, tunneled, expected;
	struct decap_harness d;
	uint32_t action = ~0u;
	struct pkt_spec s, l2;
	size_t off;
	int err;

	w_setup(&r);
	w_table_fill(&r, vip_index, be);
	w_client(&s, proto, vip, port);
	lbc_build(&in, &s);
	cr_assert_eq(harness_run(r.h.prog_fd, &in, &tunneled, &action), 0);
	cr_assert_eq(action, XDP_TX, "lb: %s", harness_action_name(action));
	harness_lb_destroy(&r.h);

	err = harness_decap_load(&d);
	cr_assert_eq(err, 0, "loading decap: %s", strerror(-err));
	cr_assert_eq(harness_decap_addr(&d, r.backends[be].family, r.backends[be].addr), 0);
	cr_assert_eq(harness_decap_gue_port(&d, W_GUE_PORT), 0);

	/* The lb output's MACs, the client's EtherType and L3 packet. */
	memset(&l2, 0, sizeof(l2));
	memcpy(l2.dmac, tunneled.b, 6);
	memcpy(l2.smac, tunneled.b + 6, 6);
	l2.family = s.family;
	off = pkt_l3_offset(in.b, in.len);
	pkt_build_eth(&expected, &l2, in.b + off, in.len - off);
	cr_expect(harness_expect(stderr, "decap of lb output", d.prog_fd, &tunneled, XDP_PASS,
				 &expected, W_GUE_PORT));
	harness_decap_destroy(&d);
}

Test(roundtrip, ipip_4in4_restores_client_packet)
{
	roundtrip(IPPROTO_TCP, "192.0.2.10", 80, W_VIP4_TCP, W_BE1);
}

Test(roundtrip, ip6ip6_restores_client_packet)
{
	roundtrip(IPPROTO_TCP, "2001:db8::10", 80, W_VIP6_TCP, W_BE3);
}

Test(roundtrip, ipip_4in6_restores_client_packet)
{
	roundtrip(IPPROTO_TCP, "192.0.2.12", 80, W_VIP4_TO6, W_BE3);
}

Test(roundtrip, gue4_restores_client_packet)
{
	roundtrip(IPPROTO_UDP, "192.0.2.10", 53, W_VIP4_UDP_GUE, W_BE2);
}

Test(roundtrip, gue6_restores_client_packet)
{
	roundtrip(IPPROTO_UDP, "2001:db8::10", 53, W_VIP6_UDP_GUE, W_BE4);
}

Test(roundtrip, ip6_in_ip4_restores_client_packet)
{
	roundtrip(IPPROTO_TCP, "2001:db8::16", 80, W_VIP6_TO4, W_BE1);
}

Test(roundtrip, gue4_carrying_ipv6_restores_client_packet)
{
	roundtrip(IPPROTO_UDP, "2001:db8::10", 53, W_VIP6_UDP_GUE, W_BE2);
}

Test(roundtrip, gue6_carrying_ipv4_restores_client_packet)
{
	roundtrip(IPPROTO_UDP, "192.0.2.10", 53, W_VIP4_UDP_GUE, W_BE4);
}
