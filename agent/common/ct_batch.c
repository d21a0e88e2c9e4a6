// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A walk over lb_conntrack by bpf_map_lookup_batch: at 10M flows, two
 * syscalls per entry (get_next_key, lookup) held the agent's loop for
 * seconds; one per CT_BATCH entries does not. The position is a bucket index
 * the kernel hands back, so a walk can pause between calls and resume.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "common/ct_batch.h"

void ct_batch_init(struct ct_batch *b, int conntrack_fd)
{
	memset(b, 0, sizeof(*b));
	b->fd = conntrack_fd;
}

int ct_batch_next(struct ct_batch *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int err;

	b->n = 0;
	if (b->done)
		return 0;
	b->n = CT_BATCH;
	err = bpf_map_lookup_batch(b->fd, b->started ? &b->token[0] : NULL, &b->token[1], b->keys,
				   b->vals, &b->n, &opts);
	if (err && err != -ENOENT) {
		b->n = 0;
		return err;
	}
	b->token[0] = b->token[1];
	b->started = true;
	b->done = err == -ENOENT;
	return 0;
}
