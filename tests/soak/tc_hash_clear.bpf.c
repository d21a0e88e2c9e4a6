// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc ingress on the soak router's client link: forget the hash the client's socket put on
 * each packet. A veth carries skb->hash across namespaces, a wire does not; with it the
 * router's ECMP would follow the socket's random hash (which TCP picks anew at every
 * retransmission timeout) instead of the 5-tuple, and a stream could change LB node for no
 * reason a real router has. Built by tests/soak/lib_soak.sh.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int hash_clear(struct __sk_buff *skb)
{
	bpf_set_hash_invalid(skb);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "Dual BSD/GPL";
