/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lb_conntrack as seen by the small programs the agent loads over its map
 * (ct_count, ct_chunk): only the shape matters, the loader swaps in the
 * agent's map with bpf_map__reuse_fd.
 */
#ifndef XDPLB_CT_REF_H
#define XDPLB_CT_REF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct lb_flow_key);
	__type(value, struct lb_conn);
} lb_conntrack SEC(".maps");

#endif /* XDPLB_CT_REF_H */
