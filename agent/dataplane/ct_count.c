// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Counting lb_conntrack by walking it costs a syscall or a batch per entry:
 * seconds at 10M flows, on the agent's one loop. The kernel already counts
 * every hash map's elements per CPU; bpf/ct_count.bpf.c reads that sum, run
 * on demand by BPF_PROG_TEST_RUN.
 */
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/ct_count.h"
#include "lb_common.h"
#include "ct_count.skel.h"

struct ct_count *ct_count_open(int conntrack_fd)
{
	struct ct_count *skel = ct_count__open();
	int err;

	if (!skel)
		return NULL;
	err = bpf_map__reuse_fd(skel->maps.lb_conntrack, conntrack_fd) ?: ct_count__load(skel);
	if (err) {
		ct_count__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

int ct_count_read(const struct ct_count *c, uint64_t *entries)
{
	struct lb_ct_count_args args = {};
	/* A syscall program writes its context back into ctx_in; ctx_out must stay unset. */
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &args, .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(bpf_program__fd(c->progs.ct_count), &run))
		return -errno;
	/* Per-CPU sums read while other CPUs insert can dip below zero for a moment. */
	*entries = args.entries > 0 ? (uint64_t)args.entries : 0;
	return 0;
}

void ct_count_close(struct ct_count *c)
{
	ct_count__destroy(c);
}
