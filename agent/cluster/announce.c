// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* VIP host routes in the announce table over rtnetlink (libmnl); BIRD learns them from there. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "cluster/announce.h"
#include "common/log.h"
#include "dataplane/rtnl.h"

struct announce {
	struct mnl_socket *nl;
	uint32_t table;
	uint32_t lo_ifindex;
	struct announce_route have[ANNOUNCE_MAX];
	size_t n_have;
};

static int announce_family(const struct xaddr *a)
{
	return a->family == LB_AF_INET6 ? AF_INET6 : AF_INET;
}

/* RTM_NEWROUTE (create or replace) or RTM_DELROUTE of one of our routes. */
static int announce_route_msg(struct announce *an, uint16_t type, const struct announce_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	bool v6 = r->addr.family == LB_AF_INET6;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	if (type == RTM_NEWROUTE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = announce_family(&r->addr);
	rtm->rtm_dst_len = v6 ? 128 : 32;
	rtm->rtm_table = an->table < 256 ? an->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = ANNOUNCE_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, an->table);
	mnl_attr_put(nlh, RTA_DST, v6 ? 16 : 4, r->addr.addr);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	/* A unicast route needs a device; lo is in every namespace and never goes down. */
	mnl_attr_put_u32(nlh, RTA_OIF, an->lo_ifindex);
	return rtnl_talk(an->nl, nlh, NULL, NULL);
}

struct announce_dump {
	struct announce *an;
};

static int announce_dump_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type <= RTA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* Takes every route of ours in the table into an->have. */
static int announce_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = {};
	struct announce *an = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct announce_route *r;
	uint32_t table;
	size_t len;

	if (rtm->rtm_protocol != ANNOUNCE_RTPROT || an->n_have >= ANNOUNCE_MAX)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), announce_dump_attr, tb);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != an->table || !tb[RTA_DST])
		return MNL_CB_OK;
	len = rtm->rtm_family == AF_INET6 ? 16 : 4;
	if (mnl_attr_get_payload_len(tb[RTA_DST]) != len || rtm->rtm_dst_len != len * 8)
		return MNL_CB_OK;
	r = &an->have[an->n_have++];
	memset(r, 0, sizeof(*r));
	r->addr.family = rtm->rtm_family == AF_INET6 ? LB_AF_INET6 : LB_AF_INET;
	memcpy(r->addr.addr, mnl_attr_get_payload(tb[RTA_DST]), len);
	r->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	return MNL_CB_OK;
}

static int announce_read_table(struct announce *an, int family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	return rtnl_talk(an->nl, nlh, announce_dump_cb, an);
}

int announce_reread(struct announce *an)
{
	struct announce_route saved[ANNOUNCE_MAX];
	size_t n = an->n_have;
	int err;

	memcpy(saved, an->have, n * sizeof(saved[0]));
	an->n_have = 0;
	err = announce_read_table(an, AF_INET);
	if (!err)
		err = announce_read_table(an, AF_INET6);
	if (err) {
		memcpy(an->have, saved, n * sizeof(saved[0]));
		an->n_have = n;
	}
	return err;
}

struct announce *announce_open(uint32_t table)
{
	struct announce *an;
	int err;

	an = calloc(1, sizeof(*an));
	if (!an)
		return NULL;
	an->table = table;
	an->lo_ifindex = if_nametoindex("lo");
	an->nl = rtnl_open();
	if (!an->lo_ifindex || !an->nl) {
		err = -errno;
		log_warn("announce: opening rtnetlink");
		goto cleanup;
	}
	err = announce_read_table(an, AF_INET);
	if (!err)
		err = announce_read_table(an, AF_INET6);
	if (err) {
		log_warnx("announce: reading table %u: %s", table, strerror(-err));
		goto cleanup;
	}
	if (an->n_have)
		log_info("announce: %zu route(s) of a previous agent in table %u kept until the "
			 "first decision",
			 an->n_have, table);
	return an;
cleanup:
	if (an->nl)
		mnl_socket_close(an->nl);
	free(an);
	errno = -err;
	return NULL;
}

static bool announce_same_addr(const struct announce_route *a, const struct announce_route *b)
{
	return a->addr.family == b->addr.family && !memcmp(a->addr.addr, b->addr.addr, 16);
}

static const struct announce_route *announce_find(const struct announce_route *set, size_t n,
						  const struct announce_route *r, bool metric)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (announce_same_addr(&set[i], r) && (!metric || set[i].metric == r->metric))
			return &set[i];
	return NULL;
}

int announce_set(struct announce *an, const struct announce_route *routes, size_t n)
{
	struct announce_route keep[ANNOUNCE_MAX];
	size_t i, n_keep = 0;
	int err, first = 0;

	/* New and changed routes first: a metric change never leaves the prefix unannounced. */
	for (i = 0; i < n && i < ANNOUNCE_MAX; i++) {
		if (announce_find(an->have, an->n_have, &routes[i], true)) {
			keep[n_keep++] = routes[i];
			continue;
		}
		err = announce_route_msg(an, RTM_NEWROUTE, &routes[i]);
		if (err) {
			log_warnx("announce: adding a route to table %u: %s", an->table,
				  strerror(-err));
			first = first ?: err;
			continue;
		}
		keep[n_keep++] = routes[i];
	}
	for (i = 0; i < an->n_have; i++) {
		if (announce_find(routes, n, &an->have[i], true))
			continue;
		err = announce_route_msg(an, RTM_DELROUTE, &an->have[i]);
		if (err && err != -ESRCH) {
			log_warnx("announce: removing a route from table %u: %s", an->table,
				  strerror(-err));
			first = first ?: err;
			if (n_keep < ANNOUNCE_MAX)
				keep[n_keep++] = an->have[i];
		}
	}
	memcpy(an->have, keep, n_keep * sizeof(keep[0]));
	an->n_have = n_keep;
	return first;
}

size_t announce_get(const struct announce *an, struct announce_route *out, size_t max)
{
	size_t i;

	for (i = 0; i < an->n_have && i < max; i++)
		out[i] = an->have[i];
	return an->n_have;
}

void announce_close(struct announce *an, bool withdraw)
{
	if (!an)
		return;
	if (withdraw && an->n_have) {
		announce_set(an, NULL, 0);
		log_info("announce: every VIP route withdrawn from table %u", an->table);
	}
	mnl_socket_close(an->nl);
	free(an);
}
