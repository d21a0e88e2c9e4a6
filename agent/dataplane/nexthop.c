// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Next-hop resolution for the data plane: route lookup, neighbour entry and our own MAC, all
 * over rtnetlink (libmnl), plus a watch on neighbour and route changes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <net/if_arp.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "common/log.h"
#include "dataplane/nexthop.h"
#include "dataplane/rtnl.h"

#define NEXTHOP_WATCH_RCVBUF (4 << 20) /* bursts of neighbour churn on big L2 segments */
/* States holding a usable MAC (the kernel's NUD_VALID, which uapi does not export). */
#define NEXTHOP_NUD_VALID                                                                          \
	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define NEIGH_CACHE_SLOTS_MAX 65536 /* a watch remembers up to 70% of this many neighbours */

struct route_info {
	uint32_t oif;
	uint8_t type;
	struct xaddr gw;
};

struct neigh_info {
	uint16_t state;
	uint8_t flags;	    /* ndm_flags */
	uint32_t flags_ext; /* NDA_FLAGS_EXT */
	uint8_t mac[6];
	bool has_mac;
};

struct link_info {
	uint32_t ifindex;
	uint16_t type;
	uint8_t mac[6];
	bool has_mac;
};

struct addr_list {
	uint32_t ifindex;
	struct xaddr *out;
	size_t max, n;
	bool overflow;
};

/* What a watch last saw of one neighbour, to tell real changes from state churn. */
struct neigh_seen {
	uint32_t ifindex;
	uint8_t family; /* AF_INET, AF_INET6; 0 = empty slot */
	bool usable;
	uint8_t mac[6];
	uint8_t addr[16];
};

/* What a watch last saw of one interface: its MAC is every next hop's smac. */
struct link_seen {
	uint32_t ifindex;
	uint8_t mac[6];
};

struct nexthop_watch {
	struct mnl_socket *nl;
	struct neigh_seen *seen; /* open addressing, linear probing */
	size_t cap, count;	 /* cap is a power of two */
	struct link_seen *links; /* unordered: a node has few interfaces */
	size_t n_links, cap_links;
};

static int nexthop_af(uint8_t family)
{
	return family == LB_AF_INET ? AF_INET : AF_INET6;
}

static size_t nexthop_addr_len(int af)
{
	return af == AF_INET ? 4 : 16;
}

static void nexthop_xaddr_set(struct xaddr *x, int af, const void *addr)
{
	memset(x, 0, sizeof(*x));
	x->family = af == AF_INET ? LB_AF_INET : LB_AF_INET6;
	memcpy(x->addr, addr, nexthop_addr_len(af));
}

struct route_ctx {
	struct route_info *rt;
	int af;
};

static int nexthop_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_ctx *ctx = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	const struct rtvia *via;
	uint16_t len;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	ctx->rt->type = rtm->rtm_type;
	mnl_attr_for_each (attr, nlh, sizeof(*rtm)) {
		len = mnl_attr_get_payload_len(attr);
		switch (mnl_attr_get_type(attr)) {
		case RTA_OIF:
			if (len == sizeof(uint32_t))
				ctx->rt->oif = mnl_attr_get_u32(attr);
			break;
		case RTA_GATEWAY:
			if (len == nexthop_addr_len(ctx->af))
				nexthop_xaddr_set(&ctx->rt->gw, ctx->af,
						  mnl_attr_get_payload(attr));
			break;
		case RTA_VIA:
			/* An IPv4 route through an IPv6 gateway (RFC 5549). */
			via = mnl_attr_get_payload(attr);
			if (len >= sizeof(*via) + 16 && via->rtvia_family == AF_INET6)
				nexthop_xaddr_set(&ctx->rt->gw, AF_INET6, via->rtvia_addr);
			else if (len >= sizeof(*via) + 4 && via->rtvia_family == AF_INET)
				nexthop_xaddr_set(&ctx->rt->gw, AF_INET, via->rtvia_addr);
			break;
		}
	}
	return MNL_CB_OK;
}

static int nexthop_get_route(struct mnl_socket *nl, const struct xaddr *dst, struct route_info *rt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_ctx ctx = {.rt = rt, .af = nexthop_af(dst->family)};
	struct rtmsg *rtm;
	int err;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = ctx.af;
	rtm->rtm_dst_len = ctx.af == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, nexthop_addr_len(ctx.af), dst->addr);
	memset(rt, 0, sizeof(*rt));
	err = rtnl_talk(nl, nlh, nexthop_route_cb, &ctx);
	/*
	 * The kernel answers a failed lookup with the route's error: no route (ENETUNREACH),
	 * unreachable (EHOSTUNREACH), prohibit (EACCES), blackhole (EINVAL), throw (EAGAIN,
	 * which must not reach the caller as "resolution asked").
	 */
	if (err == -ENETUNREACH || err == -EHOSTUNREACH || err == -EACCES || err == -EINVAL ||
	    err == -EAGAIN)
		return -ENETUNREACH;
	if (err)
		return err;
	if (rt->type != RTN_UNICAST || !rt->oif)
		return -ENETUNREACH;
	return 0;
}

static int nexthop_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	li->ifindex = ifi->ifi_index;
	li->type = ifi->ifi_type;
	mnl_attr_for_each (attr, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(attr) == IFLA_ADDRESS &&
		    mnl_attr_get_payload_len(attr) == 6) {
			memcpy(li->mac, mnl_attr_get_payload(attr), 6);
			li->has_mac = true;
		}
	}
	return MNL_CB_OK;
}

/* By index, or by name when ifname is not NULL. */
static int nexthop_get_link(struct mnl_socket *nl, uint32_t ifindex, const char *ifname,
			    struct link_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (ifname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	memset(li, 0, sizeof(*li));
	return rtnl_talk(nl, nlh, nexthop_link_cb, li);
}

static int nexthop_neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_info *nb = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return MNL_CB_OK;
	nb->state = ndm->ndm_state;
	nb->flags = ndm->ndm_flags;
	mnl_attr_for_each (attr, nlh, sizeof(*ndm)) {
		switch (mnl_attr_get_type(attr)) {
		case NDA_LLADDR:
			if (mnl_attr_get_payload_len(attr) == 6) {
				memcpy(nb->mac, mnl_attr_get_payload(attr), 6);
				nb->has_mac = true;
			}
			break;
		case NDA_FLAGS_EXT:
			if (mnl_attr_get_payload_len(attr) == sizeof(uint32_t))
				nb->flags_ext = mnl_attr_get_u32(attr);
			break;
		}
	}
	return MNL_CB_OK;
}

static int nexthop_get_neigh(struct mnl_socket *nl, uint32_t ifindex, const struct xaddr *addr,
			     struct neigh_info *nb)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int af = nexthop_af(addr->family);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = af;
	ndm->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, nexthop_addr_len(af), addr->addr);
	memset(nb, 0, sizeof(*nb));
	return rtnl_talk(nl, nlh, nexthop_neigh_cb, nb);
}

/*
 * Asks the kernel to resolve addr on ifindex. Why a neighbour entry and not a UDP datagram
 * toward the address: the entry is created on exactly the interface and address the route
 * lookup gave (a datagram follows its own route, policy rules and source selection and may
 * resolve something else), nothing is sent to the backend's ports, and no socket or firewall
 * rule is involved. NTF_USE makes the kernel solicit at once, as if a packet were queued.
 * NTF_EXT_MANAGED (Linux 5.16+, made for XDP/BPF data planes) makes the kernel keep the entry
 * REACHABLE by itself from then on: our packets leave by XDP_TX and never confirm the entry,
 * so an unmanaged one would sit STALE forever and a backend's changed MAC would go unnoticed.
 * An existing entry keeps its state and MAC (with NTF_USE the kernel only adds the flag and
 * kicks a probe). Kernels before 5.16 parse these requests liberally and skip the unknown
 * NDA_FLAGS_EXT, so they still resolve once.
 */
static int nexthop_request_neigh(struct mnl_socket *nl, uint32_t ifindex, const struct xaddr *addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int af = nexthop_af(addr->family);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = af;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, nexthop_addr_len(af), addr->addr);
	mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
	return rtnl_talk(nl, nlh, NULL, NULL);
}

/* Entries someone else owns (static, NOARP, learned by another control plane) are left alone. */
static bool nexthop_neigh_ours_to_manage(const struct neigh_info *nb)
{
	return !(nb->state & (NUD_PERMANENT | NUD_NOARP)) && !(nb->flags & NTF_EXT_LEARNED) &&
	       !(nb->flags_ext & NTF_EXT_MANAGED);
}

int nexthop_resolve(const struct xaddr *dst, struct nexthop *out)
{
	struct route_info rt;
	struct neigh_info nb;
	struct link_info li;
	const struct xaddr *hop;
	struct mnl_socket *nl;
	int err;

	if (!dst || !out || (dst->family != LB_AF_INET && dst->family != LB_AF_INET6))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	nl = rtnl_open();
	if (!nl)
		return -errno;
	err = nexthop_get_route(nl, dst, &rt);
	if (err)
		goto cleanup;
	err = nexthop_get_link(nl, rt.oif, NULL, &li);
	if (err)
		goto cleanup;
	if (li.type != ARPHRD_ETHER || !li.has_mac) {
		err = -EOPNOTSUPP;
		goto cleanup;
	}
	out->ifindex = rt.oif;
	memcpy(out->smac, li.mac, 6);
	out->gateway = rt.gw;
	hop = rt.gw.family ? &rt.gw : dst;

	err = nexthop_get_neigh(nl, rt.oif, hop, &nb);
	if (err && err != -ENOENT)
		goto cleanup;
	if (err == -ENOENT || !(nb.state & NEXTHOP_NUD_VALID)) {
		err = nexthop_request_neigh(nl, rt.oif, hop);
		if (!err)
			err = -EAGAIN;
		goto cleanup;
	}
	if (!nb.has_mac) {
		err = -EOPNOTSUPP;
		goto cleanup;
	}
	memcpy(out->dmac, nb.mac, 6);
	/* A valid entry the kernel made for other traffic: have it kept fresh from now on. */
	if (nexthop_neigh_ours_to_manage(&nb) && nexthop_request_neigh(nl, rt.oif, hop))
		log_debug("nexthop_resolve: cannot mark neighbour on ifindex %u managed", rt.oif);
cleanup:
	mnl_socket_close(nl);
	return err;
}

int nexthop_ifindex(const char *ifname, uint32_t *ifindex, uint8_t mac[6])
{
	struct mnl_socket *nl;
	struct link_info li;
	int err;

	if (!ifname || !ifindex || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return -EINVAL;
	nl = rtnl_open();
	if (!nl)
		return -errno;
	err = nexthop_get_link(nl, 0, ifname, &li);
	mnl_socket_close(nl);
	if (err)
		return err;
	*ifindex = li.ifindex;
	if (mac) {
		if (!li.has_mac)
			return -EOPNOTSUPP;
		memcpy(mac, li.mac, 6);
	}
	return 0;
}

static int nexthop_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_list *list = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr, *local = NULL, *address = NULL;
	const struct nlattr *use;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_index != list->ifindex ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_for_each (attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(attr) == IFA_LOCAL)
			local = attr;
		else if (mnl_attr_get_type(attr) == IFA_ADDRESS)
			address = attr;
	}
	/* IFA_ADDRESS is the peer's on point-to-point links; IFA_LOCAL is always ours. */
	use = local ? local : address;
	if (!use || mnl_attr_get_payload_len(use) != nexthop_addr_len(ifa->ifa_family))
		return MNL_CB_OK;
	if (list->n == list->max) {
		list->overflow = true;
		return MNL_CB_OK;
	}
	nexthop_xaddr_set(&list->out[list->n++], ifa->ifa_family, mnl_attr_get_payload(use));
	return MNL_CB_OK;
}

int nexthop_ifaddrs(uint32_t ifindex, struct xaddr *out, size_t max)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct addr_list list = {.ifindex = ifindex, .out = out, .max = max};
	struct mnl_socket *nl;
	struct ifaddrmsg *ifa;
	int err;

	if (!ifindex || (max && !out))
		return -EINVAL;
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	nl = rtnl_open();
	if (!nl)
		return -errno;
	err = rtnl_talk(nl, nlh, nexthop_addr_cb, &list);
	mnl_socket_close(nl);
	if (err)
		return err;
	return list.overflow ? -E2BIG : (int)list.n;
}

/* --- watch ------------------------------------------------------------------------------ */

static size_t nexthop_seen_hash(const struct neigh_seen *key)
{
	const uint8_t *p = key->addr;
	uint32_t h = 2166136261u ^ key->ifindex ^ ((uint32_t)key->family << 24);
	size_t i;

	/* FNV-1a: the keys are not attacker-chosen beyond what the L2 segment already allows. */
	for (i = 0; i < sizeof(key->addr); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static struct neigh_seen *nexthop_seen_find(struct nexthop_watch *w, const struct neigh_seen *key)
{
	size_t i = nexthop_seen_hash(key) & (w->cap - 1);
	struct neigh_seen *e;

	for (;; i = (i + 1) & (w->cap - 1)) {
		e = &w->seen[i];
		if (!e->family || (e->family == key->family && e->ifindex == key->ifindex &&
				   !memcmp(e->addr, key->addr, sizeof(e->addr))))
			return e;
	}
}

static void nexthop_seen_reset(struct nexthop_watch *w)
{
	memset(w->seen, 0, w->cap * sizeof(*w->seen));
	w->count = 0;
}

/* Returns the slot for key, growing the table first; NULL when the table is full for good. */
static struct neigh_seen *nexthop_seen_slot(struct nexthop_watch *w, const struct neigh_seen *key)
{
	struct neigh_seen *old = w->seen, *grown;
	size_t old_cap = w->cap, i;

	if ((w->count + 1) * 10 > w->cap * 7) {
		if (w->cap >= NEIGH_CACHE_SLOTS_MAX)
			return NULL;
		grown = calloc(w->cap * 2, sizeof(*grown));
		if (!grown)
			return NULL;
		w->seen = grown;
		w->cap *= 2;
		for (i = 0; i < old_cap; i++) {
			if (old[i].family)
				*nexthop_seen_find(w, &old[i]) = old[i];
		}
		free(old);
	}
	return nexthop_seen_find(w, key);
}

/* Whether a neighbour notification changes a MAC the data plane might use. */
static bool nexthop_watch_neigh(struct nexthop_watch *w, const struct nlmsghdr *nlh)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct neigh_seen key = {}, *e;
	const struct nlattr *attr;
	bool known;

	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return false;
	key.family = ndm->ndm_family;
	key.ifindex = ndm->ndm_ifindex;
	mnl_attr_for_each (attr, nlh, sizeof(*ndm)) {
		if (mnl_attr_get_type(attr) == NDA_DST &&
		    mnl_attr_get_payload_len(attr) == nexthop_addr_len(key.family))
			memcpy(key.addr, mnl_attr_get_payload(attr), nexthop_addr_len(key.family));
		else if (mnl_attr_get_type(attr) == NDA_LLADDR &&
			 mnl_attr_get_payload_len(attr) == 6)
			memcpy(key.mac, mnl_attr_get_payload(attr), 6);
	}
	key.usable = nlh->nlmsg_type == RTM_NEWNEIGH && (ndm->ndm_state & NEXTHOP_NUD_VALID);
	if (!key.usable)
		memset(key.mac, 0, sizeof(key.mac));

	e = nexthop_seen_slot(w, &key);
	if (!e) {
		/* Too many neighbours to follow one by one: forget them and report everything. */
		nexthop_seen_reset(w);
		return true;
	}
	known = e->family != 0;
	if (!known)
		w->count++;
	if (known && e->usable == key.usable && !memcmp(e->mac, key.mac, 6))
		return false;
	*e = key;
	/*
	 * First sight of a neighbour: a new entry being resolved (NONE, INCOMPLETE) has never
	 * had a MAC; anything else may be a MAC the caller took before this watch existed.
	 */
	return known || !(nlh->nlmsg_type == RTM_NEWNEIGH &&
			  (ndm->ndm_state == NUD_NONE || ndm->ndm_state == NUD_INCOMPLETE));
}

/* Whether a link notification changes an interface's MAC (or removes the interface). */
static bool nexthop_watch_link(struct nexthop_watch *w, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_seen cur = {.ifindex = ifi->ifi_index}, *grown;
	const struct nlattr *attr;
	size_t i;

	mnl_attr_for_each (attr, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(attr) == IFLA_ADDRESS && mnl_attr_get_payload_len(attr) == 6)
			memcpy(cur.mac, mnl_attr_get_payload(attr), 6);
	}
	for (i = 0; i < w->n_links && w->links[i].ifindex != cur.ifindex; i++)
		;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		if (i < w->n_links)
			w->links[i] = w->links[--w->n_links];
		return true;
	}
	if (i < w->n_links) {
		if (!memcmp(w->links[i].mac, cur.mac, 6))
			return false; /* carrier, MTU, flags: routes and neighbours tell the rest */
		w->links[i] = cur;
		return true;
	}
	if (w->n_links == w->cap_links) {
		grown = realloc(w->links, (w->cap_links + 8) * sizeof(*grown));
		if (!grown)
			return true; /* cannot remember it: report, which is always safe */
		w->links = grown;
		w->cap_links += 8;
	}
	w->links[w->n_links++] = cur;
	/* First sight: the caller may hold this interface's MAC from before the watch. */
	return true;
}

struct watch_ctx {
	struct nexthop_watch *w;
	int changed;
};

static int nexthop_watch_cb(const struct nlmsghdr *nlh, void *data)
{
	struct watch_ctx *ctx = data;
	const struct rtmsg *rtm;

	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		if (nexthop_watch_neigh(ctx->w, nlh))
			ctx->changed = 1;
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (nexthop_watch_link(ctx->w, nlh))
			ctx->changed = 1;
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		rtm = mnl_nlmsg_get_payload(nlh);
		/* Cached clones (PMTU, redirects) do not change where a destination goes. */
		if (!(rtm->rtm_flags & RTM_F_CLONED))
			ctx->changed = 1;
		break;
	}
	return MNL_CB_OK;
}

struct nexthop_watch *nexthop_watch_open(void)
{
	static unsigned int groups[] = {RTNLGRP_NEIGH, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
					RTNLGRP_LINK};
	struct nexthop_watch *w;
	int rcvbuf = NEXTHOP_WATCH_RCVBUF;
	int err, fd;
	size_t i;

	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cap = 64;
	w->seen = calloc(w->cap, sizeof(*w->seen));
	if (!w->seen)
		goto fail;
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->nl)
		goto fail;
	if (mnl_socket_bind(w->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (mnl_socket_setsockopt(w->nl, NETLINK_ADD_MEMBERSHIP, &groups[i],
					  sizeof(groups[i])) < 0)
			goto fail;
	}
	/* Past the rmem limit only with CAP_NET_ADMIN; an overrun is survivable (see process). */
	fd = mnl_socket_get_fd(w->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return w;
fail:
	err = errno;
	nexthop_watch_close(w);
	errno = err;
	return NULL;
}

int nexthop_watch_fd(const struct nexthop_watch *w)
{
	return mnl_socket_get_fd(w->nl);
}

int nexthop_watch_process(struct nexthop_watch *w)
{
	struct watch_ctx ctx = {.w = w};
	int err = 0;
	ssize_t n;
	char *buf;

	buf = malloc(RTNL_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = mnl_socket_recvfrom(w->nl, buf, RTNL_BUF_SIZE);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Notifications were lost: nothing seen can be trusted any more. */
				log_warnx(
				    "nexthop_watch_process: netlink overrun, re-resolving all");
				nexthop_seen_reset(w);
				ctx.changed = 1;
				continue;
			}
			err = -errno;
			goto cleanup;
		}
		/* Sequence 0 and port 0: notifications carry neither, so libmnl checks neither. */
		if (mnl_cb_run(buf, n, 0, 0, nexthop_watch_cb, &ctx) < 0) {
			err = -errno;
			goto cleanup;
		}
	}
	err = ctx.changed;
cleanup:
	free(buf);
	return err;
}

void nexthop_watch_close(struct nexthop_watch *w)
{
	if (!w)
		return;
	if (w->nl)
		mnl_socket_close(w->nl);
	free(w->seen);
	free(w->links);
	free(w);
}
