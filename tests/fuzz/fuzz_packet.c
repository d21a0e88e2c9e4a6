// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: whole frames through the real lb.bpf.c (bpf_prog_test_run), in the BPF
 * tier's world (tests/bpf/lb_world.c: 16 VIPs of every kind, backends up, down, draining,
 * redirected). Needs root and bpffs.
 *
 * Why the kernel and not a user-space build of bpf/lib/parse.h: the verifier already rules out
 * every out-of-bounds access a sanitizer would catch, so the bugs left are in what the program
 * does with a packet, across parse, conntrack, encap and ICMP together: aborting, sending a
 * frame with broken checksums, or changing a packet it hands to the kernel. Those are what the
 * checks below look for. The kernel gives libFuzzer no code coverage, so each run's verdict
 * (action, drop reason, stat counted, size change) is fed back as extra coverage counters:
 * inputs that reach a new outcome are kept and mutated further.
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lb_world.h"
#include "pkt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ACTIONS 5 /* XDP_ABORTED..XDP_REDIRECT */
#define FUZZ_GROWTH  4 /* shorter, same, longer by encap sizes, other */

/* libFuzzer counts every non-zero byte of this section as a feature (FuzzerExtraCounters.cpp). */
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t
	fuzz_outcomes[FUZZ_ACTIONS][LB_DROP_MAX][LB_STAT_MAX + 1][FUZZ_GROWTH];

static struct lb_run fuzz_run;

static void fuzz_unload(void)
{
	harness_lb_destroy(&fuzz_run.h);
	harness_lb_suite_unload();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int err = harness_lb_suite_load();

	if (err) {
		fprintf(stderr, "fuzz_packet: loading lb.bpf.c: %s (root and bpffs needed)\n",
			strerror(-err));
		exit(1);
	}
	atexit(fuzz_unload);
	w_setup(&fuzz_run);
	return 0;
}

/* Sum over CPUs of packet counter idx of a per-CPU {packets, bytes} array. */
static uint64_t fuzz_counter(int map_fd, uint32_t idx)
{
	uint64_t v[2] = {0, 0};

	if (harness_percpu_sum(map_fd, idx, v, 2))
		abort();
	return v[0];
}

/* The drop reason (or LB_DROP_NONE) and stat (or LB_STAT_MAX) this packet moved. */
static void fuzz_snapshot(uint64_t drops[LB_DROP_MAX], uint64_t stats[LB_STAT_MAX])
{
	uint32_t i;

	for (i = 0; i < LB_DROP_MAX; i++)
		drops[i] = fuzz_counter(fuzz_run.h.drops, i);
	for (i = 0; i < LB_STAT_MAX; i++)
		stats[i] = fuzz_counter(fuzz_run.h.stats, i);
}

static uint32_t fuzz_growth(size_t in, size_t out)
{
	if (out < in)
		return 0;
	if (out == in)
		return 1;
	return out - in <= 48 ? 2 : 3; /* IPIP 20, 6in6 40, GUE 28 / 48 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t drops0[LB_DROP_MAX], stats0[LB_STAT_MAX], drops1[LB_DROP_MAX], stats1[LB_STAT_MAX];
	static struct pkt in, out;
	uint32_t action, drop = LB_DROP_NONE, stat = LB_STAT_MAX, i;
	char why_in[128], why_out[128];
	bool valid_in;

	/* bpf_prog_test_run refuses frames shorter than an Ethernet header. */
	if (size < 14 || size > PKT_MAX)
		return 0;
	memcpy(in.b, data, size);
	in.len = size;
	valid_in = !pkt_verify_csums(in.b, in.len, W_GUE_PORT, why_in, sizeof(why_in));
	fuzz_snapshot(drops0, stats0);
	if (harness_run(fuzz_run.h.prog_fd, &in, &out, &action))
		abort();
	fuzz_snapshot(drops1, stats1);
	for (i = 0; i < LB_DROP_MAX; i++)
		if (drops1[i] != drops0[i])
			drop = i;
	for (i = 0; i < LB_STAT_MAX; i++)
		if (stats1[i] != stats0[i] && i != LB_STAT_EVENTS_SENT && i != LB_STAT_EVENTS_LOST)
			stat = i;
	if (action >= FUZZ_ACTIONS || action == XDP_ABORTED) {
		fprintf(stderr, "fuzz_packet: action %u\n", action);
		abort();
	}
	fuzz_outcomes[action][drop][stat][fuzz_growth(in.len, out.len)] = 1;

	if (action == XDP_DROP && drop == LB_DROP_NONE) {
		fprintf(stderr, "fuzz_packet: dropped without counting a reason\n");
		abort();
	}
	/* Handed to the kernel: exactly as it came. */
	if (action == XDP_PASS && (out.len != in.len || memcmp(out.b, in.b, in.len))) {
		fprintf(stderr, "fuzz_packet: XDP_PASS of a changed frame\n");
		harness_hexdiff(stderr, &in, &out);
		abort();
	}
	/* Sent out: a frame with valid checksums in must leave with valid checksums. */
	if ((action == XDP_TX || action == XDP_REDIRECT) && valid_in &&
	    pkt_verify_csums(out.b, out.len, W_GUE_PORT, why_out, sizeof(why_out))) {
		fprintf(stderr, "fuzz_packet: sent a frame with a bad checksum: %s\n", why_out);
		harness_hexdiff(stderr, &in, &out);
		abort();
	}
	return 0;
}
