// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb_conntrack copied out a chunk at a time into an mmapable array, by a
 * syscall program run with BPF_PROG_TEST_RUN: entries [start, start + max) of
 * bpf_for_each_map_elem's order. Why not the syscalls: get_next_key and lookup
 * cost two syscalls per entry, and bpf_map_lookup_batch takes every bucket's
 * lock with interrupts off, empty buckets too (16M buckets at 10M flows); on
 * this project's KVM guests either took seconds per million entries. The
 * helper walks the buckets under RCU alone. (A map iterator would resume
 * where it stopped; tracing programs are refused on the development machines,
 * so each chunk walks past the ones before it: cheap next to a syscall each.)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"
#include "lib/ct_ref.h"

/* The chunk; the loader sets its size, user space reads it through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lb_ct_entry);
} ct_walk_out SEC(".maps");

/* The callback's context must live on the stack: it points at the program's. */
struct ct_walk_ctx {
	struct lb_ct_walk_args *a;
};

static long ct_walk_one(void *map, struct lb_flow_key *key, struct lb_conn *conn,
			struct ct_walk_ctx *c)
{
	struct lb_ct_walk_args *a = c->a;
	__u64 i = a->seen++;
	struct lb_ct_entry *e;
	__u32 slot;

	if (i < a->start)
		return 0;
	if (i - a->start >= a->max)
		return 1; /* the chunk is full: stop */
	slot = i - a->start;
	e = bpf_map_lookup_elem(&ct_walk_out, &slot);
	if (!e)
		return 1;
	__builtin_memcpy(&e->key, key, sizeof(e->key));
	__builtin_memcpy(&e->conn, conn, sizeof(e->conn));
	a->copied++;
	return 0;
}

SEC("syscall")
int ct_chunk(struct lb_ct_walk_args *a)
{
	struct ct_walk_ctx c = {.a = a};

	a->seen = 0;
	a->copied = 0;
	bpf_for_each_map_elem(&lb_conntrack, ct_walk_one, &c, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
