/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* lb_conntrack read a chunk at a time: conntrack.list, the metrics, sync dumps. */
#ifndef XDPLB_CT_WALK_H
#define XDPLB_CT_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lb_common.h"

struct ct_chunk;

/*
 * A walk over lb_conntrack that can pause between calls: by bpf/ct_chunk.bpf.c
 * (a chunk per run), or where it cannot load, by get_next_key.
 */
struct ct_walk {
	int map_fd;
	struct ct_chunk *skel; /* NULL: the get_next_key walk, into e[] of malloc */
	size_t chunk;	       /* slots of e[] */
	uint64_t next;	       /* entries walked past so far */
	bool started, done;
	struct lb_flow_key cursor; /* the get_next_key walk's last key */
	uint32_t n;		   /* entries in e[] from the last ct_walk_next */
	struct lb_ct_entry *e;	   /* the chunk (mmapped from the program's array) */
};

/* Starts a walk that reads `chunk` entries at a time (at most the map's size). NULL, errno. */
struct ct_walk *ct_walk_open(int conntrack_fd, size_t chunk);
/* The next entries into e[0..n); done is set at the end. 0 or -errno. */
int ct_walk_next(struct ct_walk *w);
void ct_walk_close(struct ct_walk *w);

#endif /* XDPLB_CT_WALK_H */
