// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * How many flows lb_conntrack holds, without walking it: the kernel keeps a
 * per-CPU element count on every hash map (bpf_map_sum_elem_count, kernel
 * 6.6+), and only a BPF program may read it. The agent loads this program with
 * its lb_conntrack fd in place of the map below and runs it by BPF_PROG_TEST_RUN:
 * a few per-CPU reads, whatever the table's size, so `lbctl status` and the
 * metrics stay constant-time at 10M flows.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"
#include "lib/ct_ref.h"

/* A struct, not a forward declaration: libbpf matches the kfunc's BTF by kind. */
struct bpf_map {
} __attribute__((preserve_access_index));
extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

SEC("syscall")
int ct_count(struct lb_ct_count_args *args)
{
	args->entries = bpf_map_sum_elem_count((const struct bpf_map *)&lb_conntrack);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
