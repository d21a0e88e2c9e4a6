// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A walk over lb_conntrack a chunk at a time (bpf/ct_chunk.bpf.c says why a
 * BPF program copies it). Between chunks the table may change: an entry
 * removed in front of the walk makes it miss one that moved up, an entry
 * added may be seen twice. A sync dump can afford that (a flow the dump
 * missed is synced again by its own next event); conntrack.list is a sample.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/ct_walk.h"
#include "ct_chunk.skel.h"

static size_t ct_walk_bytes(size_t chunk)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (chunk * sizeof(struct lb_ct_entry) + page - 1) / page * page;
}

static int ct_walk_prog_open(struct ct_walk *w)
{
	void *mem;
	int err;

	w->skel = ct_chunk__open();
	if (!w->skel)
		return -errno;
	err = bpf_map__reuse_fd(w->skel->maps.lb_conntrack, w->map_fd) ?:
	      bpf_map__set_max_entries(w->skel->maps.ct_walk_out, w->chunk) ?:
	      ct_chunk__load(w->skel);
	if (err)
		return err;
	mem = mmap(NULL, ct_walk_bytes(w->chunk), PROT_READ, MAP_SHARED,
		   bpf_map__fd(w->skel->maps.ct_walk_out), 0);
	if (mem == MAP_FAILED)
		return -errno;
	w->e = mem;
	return 0;
}

struct ct_walk *ct_walk_open(int conntrack_fd, size_t chunk)
{
	struct ct_walk *w = calloc(1, sizeof(*w));

	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (!w)
		return NULL;
	w->map_fd = conntrack_fd;
	if (bpf_obj_get_info_by_fd(conntrack_fd, &info, &len)) {
		free(w);
		return NULL;
	}
	/* A chunk of 1M entries is 88 MiB: no larger than the table it copies. */
	w->chunk = chunk < info.max_entries ? chunk : info.max_entries;
	if (!ct_walk_prog_open(w))
		return w;
	/* Kernels before 5.13 (no bpf_for_each_map_elem): two syscalls an entry, slower. */
	ct_chunk__destroy(w->skel);
	w->skel = NULL;
	w->e = calloc(w->chunk, sizeof(*w->e));
	if (!w->e) {
		free(w);
		return NULL;
	}
	return w;
}

static int ct_walk_next_key(struct ct_walk *w)
{
	struct lb_flow_key next;

	while (w->n < w->chunk) {
		if (bpf_map_get_next_key(w->map_fd, w->started ? &w->cursor : NULL, &next)) {
			w->done = true;
			return errno == ENOENT ? 0 : -errno;
		}
		w->cursor = next;
		w->started = true;
		/* An entry evicted between the two calls is simply skipped. */
		if (bpf_map_lookup_elem(w->map_fd, &next, &w->e[w->n].conn))
			continue;
		w->e[w->n++].key = next;
	}
	return 0;
}

int ct_walk_next(struct ct_walk *w)
{
	struct lb_ct_walk_args a = {.start = w->next, .max = w->chunk};
	/* A syscall program writes its context back into ctx_in. */
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &a, .ctx_size_in = sizeof(a));

	w->n = 0;
	if (w->done)
		return 0;
	if (!w->skel)
		return ct_walk_next_key(w);
	if (bpf_prog_test_run_opts(bpf_program__fd(w->skel->progs.ct_chunk), &run))
		return -errno;
	w->n = a.copied;
	w->next += a.copied;
	w->done = a.copied < w->chunk;
	return 0;
}

void ct_walk_close(struct ct_walk *w)
{
	if (!w)
		return;
	if (w->skel)
		munmap(w->e, ct_walk_bytes(w->chunk));
	else
		free(w->e);
	ct_chunk__destroy(w->skel);
	free(w);
}
