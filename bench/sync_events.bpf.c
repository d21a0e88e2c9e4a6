// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* bench_sync's event source: each run writes n lb_flow_events (new flows) to lb_events. */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LB_EVENTS_SIZE);
} lb_events SEC(".maps");

__u64 next_flow = 0;

/* What user space passes in: how many events to write this run. */
struct emit_args {
	__u32 n;
};

static long sync_events_one(__u32 index, void *unused)
{
	struct lb_flow_event *ev;
	__u64 i;

	ev = bpf_ringbuf_reserve(&lb_events, sizeof(*ev), 0);
	if (!ev)
		return 1; /* ring full: stop, next_flow says how many went in */
	i = next_flow++;
	__builtin_memset(ev, 0, sizeof(*ev));
	/* 203.0.113.x with the flow number in the low 32 bits of address and port. */
	ev->flow.src[0] = bpf_htonl(0xcb007100 | ((i >> 16) & 0xff)) ^ bpf_htonl((i >> 24) << 8);
	ev->flow.dst[0] = bpf_htonl(0xc000020a); /* 192.0.2.10 */
	ev->flow.sport = bpf_htons((__u16)i | 1);
	ev->flow.dport = bpf_htons(80);
	ev->flow.proto = 6;
	ev->flow.family = LB_AF_INET;
	ev->backend_addr[0] = bpf_htonl(0xc633640b); /* 198.51.100.11 */
	ev->backend_family = LB_AF_INET;
	ev->reason = LB_EVENT_ESTABLISHED;
	ev->packets = 3;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

/* A syscall program runs once per BPF_PROG_TEST_RUN, cheaply: the loop is inside. */
SEC("syscall")
int sync_events_emit(struct emit_args *args)
{
	bpf_loop(args->n, sync_events_one, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
