/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Fixture harness: load lb / decap, program their maps, run one packet, compare byte for byte. */
#ifndef XDPLB_TESTS_HARNESS_H
#define XDPLB_TESTS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lb_common.h"
#include "pkt.h"

#define HARNESS_CT_SIZE 4096 /* conntrack entries in tests: the default would preallocate ~1M */
#define HARNESS_CT_NEW_SIZE 512 /* lb_ct_new entries in tests: the agent's ratio, 1/8 */

struct decap;

/*
 * lb.bpf.c is verified once per run (it takes seconds): the runner loads and
 * pins it before the first test, and each test takes the pins under an
 * exclusive lock, with every map emptied, and lets go in harness_lb_destroy.
 */
struct lb_harness {
	int lock_fd; /* the pin directory, flock()ed while a test owns the program */
	int prog_fd;
	int vips, backends, backend_ids, maglev, conntrack, ct_new, events, settings;
	int flow_cache, generation;
	int vip_stats, backend_stats, stats, drops;
};

/* decap.bpf.c loaded for one test. */
struct decap_harness {
	struct decap *skel;
	int prog_fd;
	int addrs, settings, stats, drops, kinds, sc_stats;
};

/* Runs one packet once (repeat = 1: a second run would see the rewritten buffer). */
int harness_run(int prog_fd, const struct pkt *in, struct pkt *out, uint32_t *action);
/* The same, received on device ifindex of this namespace (0: its loopback, as harness_run). */
int harness_run_on(int prog_fd, uint32_t ifindex, const struct pkt *in, struct pkt *out,
		   uint32_t *action);

/*
 * Runs in and compares the action and the packet out byte for byte with
 * expected; on a mismatch prints what, both actions and a hex diff to f.
 * A packet out that differs from the one in must also carry valid
 * checksums (GUE recognised on gue_port, host order). Returns true on match.
 */
bool harness_expect(FILE *f, const char *what, int prog_fd, const struct pkt *in,
		    uint32_t action, const struct pkt *expected, uint16_t gue_port);
/* harness_expect with the packet received on device ifindex (harness_run_on). */
bool harness_expect_on(FILE *f, const char *what, int prog_fd, uint32_t ifindex,
		       const struct pkt *in, uint32_t action, const struct pkt *expected,
		       uint16_t gue_port);

/* Hex dump of two packets side by side, differing rows marked. */
void harness_hexdiff(FILE *f, const struct pkt *expected, const struct pkt *actual);

const char *harness_action_name(uint32_t action);

/* Sums a per-CPU value made of n_u64 __u64 fields over every possible CPU. */
int harness_percpu_sum(int map_fd, uint32_t key, uint64_t *sum, size_t n_u64);

/* Runner side: load lb.bpf.c and pin it under a per-run directory; remove the pins. */
int harness_lb_suite_load(void);
void harness_lb_suite_unload(void);
/* Test side: take the pinned program with every map emptied; release it. */
int harness_lb_load(struct lb_harness *h);
void harness_lb_destroy(struct lb_harness *h);
/* Another pinned lb map by name (one the harness does not keep open); the caller closes it. */
int harness_lb_map_fd(const char *name);
int harness_lb_settings(struct lb_harness *h, const struct lb_settings *s);
/* Writes lb_generation as the agent does after each apply: 0 turns the flow cache off. */
int harness_lb_generation(struct lb_harness *h, uint32_t gen);
/* The lb_ct_new slot of a flow seen once (by the settings' hash seed): 0, or -ENOENT. */
int harness_lb_ct_seen(struct lb_harness *h, const struct lb_flow_key *key, struct lb_ct_seen *out);
int harness_lb_vip(struct lb_harness *h, const struct lb_vip_key *key,
		   const struct lb_vip_info *info);
/* Writes lb_backends[index] and its lb_backend_ids entry, as the agent does. */
/*
 * One slot, found by its address from the VIPs 0..n_vips-1: the fixtures'
 * world lets a slot serve several VIPs, where the agent has a slot per
 * (VIP, backend) pair; lb_backend_ids names the slot for each.
 */
int harness_lb_backend(struct lb_harness *h, uint32_t index, const struct lb_backend *be,
		       uint32_t n_vips);
/* Installs a fresh inner table (BPF_F_INNER_MAP array) for vip_index, as one swap. */
/* A table into an array of maps (lb_maglev, lb_maglev_prev) at vip_index. */
int harness_lb_inner(int outer, uint32_t vip_index, const uint32_t *slots, uint32_t n_slots);
int harness_lb_maglev(struct lb_harness *h, uint32_t vip_index, const uint32_t *slots,
		      uint32_t n_slots);
/* Reads every record waiting in lb_events; returns how many (at most max) or -errno. */
int harness_lb_events(struct lb_harness *h, struct lb_flow_event *out, int max);

int harness_decap_load(struct decap_harness *h);
void harness_decap_destroy(struct decap_harness *h);
int harness_decap_addr(struct decap_harness *h, uint8_t family, const uint32_t addr[4]);
int harness_decap_gue_port(struct decap_harness *h, uint16_t port);

#endif /* XDPLB_TESTS_HARNESS_H */
