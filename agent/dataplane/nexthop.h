/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Next hop of a backend over rtnetlink: route, neighbour MAC, our MAC; and a change watch. */
#ifndef XDPLB_NEXTHOP_H
#define XDPLB_NEXTHOP_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct nexthop {
	uint32_t ifindex;     /* output interface of the route to the destination */
	uint8_t dmac[6];      /* the gateway's MAC, or the destination's when on-link */
	uint8_t smac[6];      /* ifindex's own MAC */
	struct xaddr gateway; /* family 0 = on-link */
};

struct nexthop_watch;

/*
 * Resolves the next hop toward dst in the caller's network namespace. Returns 0 with *out
 * filled; -EAGAIN when the neighbour is not resolved yet: the kernel has been asked to resolve
 * it (ifindex, smac and gateway are filled, dmac is zero) and a watch reports the answer;
 * -ENETUNREACH when no unicast route leads to dst (none, unreachable, blackhole, prohibit, or
 * dst is a local, broadcast or multicast address); -EOPNOTSUPP when the route leaves through
 * an interface without Ethernet addresses; other -errno on failure.
 */
int nexthop_resolve(const struct xaddr *dst, struct nexthop *out);

/*
 * A non-blocking netlink socket subscribed to neighbour, route and link changes, for the
 * caller's epoll (EPOLLIN). NULL + errno.
 */
struct nexthop_watch *nexthop_watch_open(void);
int nexthop_watch_fd(const struct nexthop_watch *w);
/*
 * Drains pending notifications; returns 1 if anything relevant changed (caller re-resolves),
 * 0 if not, -errno on error. Relevant: any route added or removed; a neighbour whose usable
 * MAC appeared, changed or went away (its REACHABLE/STALE/PROBE churn with the same MAC is
 * not); an interface whose MAC changed or that went away (first news of an interface counts
 * too); lost notifications (socket overrun).
 */
int nexthop_watch_process(struct nexthop_watch *w);
void nexthop_watch_close(struct nexthop_watch *w);

/* Interface lookup by name: ifindex and (mac may be NULL) its MAC. 0, -ENODEV, -errno. */
int nexthop_ifindex(const char *ifname, uint32_t *ifindex, uint8_t mac[6]);

/*
 * The interface's own global-scope addresses (IPv4 and IPv6, link-local ones left out), at
 * most max of them into out. Returns how many, -E2BIG if it has more than max, -errno.
 */
int nexthop_ifaddrs(uint32_t ifindex, struct xaddr *out, size_t max);

#endif /* XDPLB_NEXTHOP_H */
