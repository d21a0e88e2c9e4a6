/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* lb_conntrack's entry count from the kernel's own counter (bpf/ct_count.bpf.c): no walk. */
#ifndef XDPLB_CT_COUNT_H
#define XDPLB_CT_COUNT_H

#include <stdint.h>

struct ct_count;

/* Loads the counting program over this lb_conntrack fd. NULL with errno set (old kernel). */
struct ct_count *ct_count_open(int conntrack_fd);
/* The map's entries now: 0 or -errno. */
int ct_count_read(const struct ct_count *c, uint64_t *entries);
void ct_count_close(struct ct_count *c);

#endif /* XDPLB_CT_COUNT_H */
