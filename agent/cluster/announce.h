/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Route announcement: VIP host routes (/32, /128) in a dedicated kernel
 * routing table, which BIRD's kernel protocol learns and exports by BGP. The
 * route metric carries the preference (primary or secondary zone); BIRD's
 * export filter turns it into BGP attributes. No rule points at the table, so
 * the routes never change this node's own forwarding.
 */
#ifndef XDPLB_ANNOUNCE_H
#define XDPLB_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* rtm_protocol of our routes: the agent finds (and only touches) its own by it. */
#define ANNOUNCE_RTPROT 248
#define ANNOUNCE_MAX	LB_MAX_VIPS

/* One route as the table holds it. */
struct announce_route {
	struct xaddr addr;
	uint32_t metric;
};

struct announce;

/*
 * Opens the netlink socket and reads the routes of ours already in `table`
 * (left by an agent that was killed: they stay announced until the first
 * announce_set). NULL with errno set.
 */
struct announce *announce_open(uint32_t table);

/*
 * Makes the table hold exactly routes[0..n): adds the new ones (a changed
 * metric is added before the old route goes, so the prefix never disappears)
 * and removes the rest. 0 or the first -errno; what failed is retried next call.
 */
int announce_set(struct announce *an, const struct announce_route *routes, size_t n);

/*
 * Reads our routes from the kernel again, so that the next announce_set puts
 * back what someone else removed (ip route flush) and removes what we did not
 * ask for. 0 or -errno (then what we knew is kept).
 */
int announce_reread(struct announce *an);

/* What the table holds now, as far as we know: count, and copies into out[0..max). */
size_t announce_get(const struct announce *an, struct announce_route *out, size_t max);

/* Removes every route of ours (shutdown), then frees. */
void announce_close(struct announce *an, bool withdraw);

#endif /* XDPLB_ANNOUNCE_H */
