// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The control verbs of docs/CONTROL.md, answered from the agent's model and the live maps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "common/clock.h"
#include "core/agent.h"
#include "backend/backend_mode.h"
#include "core/cluster_agent.h"
#include "core/ctl_backend.h"
#include "core/ctl_proxy.h"
#include "config/config.h"
#include "control/control.h"
#include "common/ct_walk.h"
#include "dataplane/ct_seen.h"
#include "dataplane/dataplane.h"
#include "dataplane/maglev.h"
#include "health/health.h"
#include "lb_hash.h"
#include "common/log.h"
#include "metrics/metrics.h"
#include "dataplane/nexthop.h"
#include "sync/sync.h"
#include "core/proxy_agent.h"
#include "core/region_agent.h"
#include "core/sync_agent.h"

#define CTL_ABI 1
#define CTL_CT_LIMIT_DEFAULT 100
#define CTL_CT_LIMIT_MAX 10000
/* Entries conntrack.list looks at, CTL_CT_CHUNK per run of the walk: bounded at 10M flows. */
#define CTL_CT_SCAN_MAX 262144
#define CTL_CT_CHUNK	65536

static const char *ctl_fmt(const struct xaddr *a, char *buf, size_t len)
{
	return cfg_format_addr(a, buf, len);
}

static void ctl_xaddr(struct xaddr *x, const __u32 addr[4], __u8 family)
{
	memset(x, 0, sizeof(*x));
	x->family = family;
	memcpy(x->addr, addr, sizeof(x->addr));
}

static int ctl_map_fd(struct agent *a, const char *name)
{
	return dataplane_map_fd(a->dp, name);
}

/* The kernel's count, never a walk (10M flows took seconds); null when the kernel cannot say. */
static json_t *ctl_ct_entries(struct agent *a)
{
	uint64_t n;

	if (!a->dp || dataplane_ct_entries(a->dp, &n))
		return a->dp ? json_null() : json_integer(0);
	return json_integer((json_int_t)n);
}

static size_t ctl_unique_backends(const struct lb_config *cfg)
{
	size_t n = 0;

	free(cfg_backend_addrs(cfg, &n));
	return n;
}

/* A backend's decap link belongs to backend_mode.c: ask the kernel how it is attached. */
static const char *ctl_xdp_mode(const struct agent *a)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t ifindex;

	if (a->dp)
		return dataplane_generic(a->dp) ? "generic" : "native";
	if (nexthop_ifindex(a->cfg.node.interface, &ifindex, NULL) || bpf_xdp_query(ifindex, 0, &q))
		return "native";
	return q.attach_mode == XDP_ATTACHED_SKB ? "generic" : "native";
}

/* Connection sync at a glance; null when sync is off. */
static json_t *ctl_sync_item(const struct agent *a)
{
	const struct sync_stats *st;

	if (!a->sync)
		return json_null();
	st = sync_get_stats(a->sync);
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I}", "in_sync", sync_in_sync(a->sync),
			 "peers", (json_int_t)sync_get_peers(a->sync, NULL, 0), "queue_depth",
			 (json_int_t)sync_queue_depth(a->sync), "records_sent",
			 (json_int_t)st->records_sent, "records_received",
			 (json_int_t)st->records_received, "records_applied",
			 (json_int_t)st->records_applied, "dgrams_received",
			 (json_int_t)st->dgrams_received);
}

static int ctl_sync(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;

	*result = sync_agent_stats_json(a->sync);
	return *result ? 0 : -ENOMEM;
}

static int ctl_peers(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;

	*result = sync_agent_peers_json(a->sync);
	return *result ? 0 : -ENOMEM;
}

static int ctl_version(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	*result = json_pack("{s:s, s:i}", "version", XDPLB_VERSION, "abi", CTL_ABI);
	return *result ? 0 : -ENOMEM;
}

/* The health engine's totals, or null when nothing is checked. */
static json_t *ctl_health_totals(const struct agent *a)
{
	struct health_stats st;

	if (!a->health)
		return json_null();
	health_get_stats(a->health, &st);
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "targets", (json_int_t)st.targets, "checks",
			 (json_int_t)st.checks, "failures", (json_int_t)st.failures,
			 "check_errors", (json_int_t)st.check_errors, "changes",
			 (json_int_t)st.changes);
}

static int ctl_status(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	int ct_new = 0;

	if (a->dp)
		ct_new = ct_seen_count(ctl_map_fd(a, "lb_ct_new"));
	*result = json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:o, s:I, s:I, s:o, s:I, "
	    "s:I, s:I, s:i, s:I, s:o, s:b, s:o, s:o, s:I}",
	    "node_id", (json_int_t)a->cfg.node.id, "zone", a->cfg.node.zone, "role",
	    cfg_role_name(a->role), "interface", a->cfg.node.interface, "xdp_mode", ctl_xdp_mode(a),
	    "attached", a->dp ? dataplane_attached(a->dp) : a->backend_applied, "config",
	    a->config_path, "config_loaded_at", (json_int_t)a->config_loaded_at, "reloads_ok",
	    (json_int_t)a->reloads_ok, "reloads_failed", (json_int_t)a->reloads_failed,
	    "last_reload_error",
	    a->last_reload_error[0] ? json_string(a->last_reload_error) : json_null(), "vips",
	    (json_int_t)a->cfg.n_vips, "backends", (json_int_t)ctl_unique_backends(&a->cfg),
	    "conntrack_entries", ctl_ct_entries(a), "conntrack_unconfirmed",
	    (json_int_t)(ct_new > 0 ? ct_new : 0), "uptime_s",
	    (json_int_t)(time(NULL) - a->started), "control_rejected",
	    (json_int_t)(a->ctl ? control_rejected(a->ctl) : 0), "pid", (int)getpid(),
	    "next_hops_pending", (json_int_t)(a->dp ? dataplane_next_hops_pending(a->dp) : 0),
	    "sync", ctl_sync_item(a), "in_sync", !a->sync || sync_in_sync(a->sync), "health",
	    ctl_health_totals(a), "proxy", proxy_agent_status_json(a), "conntrack_size",
	    (json_int_t)(a->dp ? dataplane_ct_size(a->dp) : 0));
	if (!*result)
		return -ENOMEM;
	/* Backend and proxy nodes decapsulate: their status has the decap program and lo. */
	if (a->role != CFG_ROLE_BALANCER && ctl_backend_status(a, *result, err, errlen)) {
		json_decref(*result);
		*result = NULL;
		return -EIO;
	}
	return 0;
}

static json_t *ctl_vip_flags(const struct cfg_vip *v)
{
	json_t *flags = json_array();

	if (v->flags & LB_VIP_F_HASH_ADDRS)
		json_array_append_new(flags, json_string("hash_addrs"));
	if (v->flags & LB_VIP_F_FAIL_OPEN)
		json_array_append_new(flags, json_string("fail_open"));
	return flags;
}

static json_t *ctl_vip_item(struct agent *a, const struct cfg_vip *v)
{
	struct lb_vip_stats st = {};
	char label[CFG_LABEL_MAX], addr[CFG_ADDR_STRLEN];
	size_t up = 0, i;
	uint32_t idx;

	if (!dataplane_vip_index(a->dp, v, &idx))
		dataplane_read_percpu(a->dp, ctl_map_fd(a, "lb_vip_stats"), idx, &st, sizeof(st));
	for (i = 0; i < v->n_backends; i++) {
		uint32_t b = dataplane_pair_index(a->dp, v, &v->backends[i].addr);

		up += b && !strcmp(dataplane_backend_state(a->dp, b), "up");
	}
	cfg_vip_label(v, label, sizeof(label));
	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "name", label, "address", ctl_fmt(&v->addr, addr, sizeof(addr)), "port",
			 v->port, "proto", cfg_proto_name(v->proto), "encap",
			 cfg_encap_name(v->encap), "maglev_size",
			 (json_int_t)(v->maglev_size ? v->maglev_size : LB_MAGLEV_DEFAULT_SIZE),
			 "flags", ctl_vip_flags(v), "backends", (json_int_t)v->n_backends,
			 "backends_up", (json_int_t)up, "packets", (json_int_t)st.packets, "bytes",
			 (json_int_t)st.bytes, "new_flows", (json_int_t)st.new_flows, "ct_hits",
			 (json_int_t)st.ct_hits, "ct_misses", (json_int_t)st.ct_misses);
}

/* The health checks' view of a (VIP, backend) pair, or null when nothing checks it. */
static json_t *ctl_health_item(const struct agent *a, const struct cfg_vip *v,
			       const struct cfg_backend *b)
{
	struct health_status st;

	if (!a->health || health_check_status(a->health, &b->addr, b->health ?: &v->health, &st))
		return json_null();
	return json_pack("{s:s, s:o, s:I, s:I, s:I}", "state", health_state_name(st.state),
			 "last_result", st.checked ? json_string(st.last_result) : json_null(),
			 "latency_us", (json_int_t)st.latency_us, "since", (json_int_t)st.since,
			 "changes", (json_int_t)st.changes);
}

/*
 * The tunnel the data plane puts around the VIP's packets toward a backend, named
 * as decap counts it ("ipip", "6in4", "4in6", "ip6ip6"; the LB_DECAP_KINDS order
 * is inner IPv6 + 2 x outer IPv6), "gue:" in front when GUE carries it.
 */
static const char *ctl_tunnel_name(uint8_t encap, uint8_t vip_family, uint8_t be_family, char *buf,
				   size_t len)
{
	const char *kind =
	    metrics_decap_kind_name((vip_family == LB_AF_INET6) + 2 * (be_family == LB_AF_INET6));

	snprintf(buf, len, "%s%s", encap == LB_ENCAP_GUE ? "gue:" : "", kind ? kind : "?");
	return buf;
}

/* One backend.list item: a (VIP, backend) pair, its state, weight, counters and health. */
static json_t *ctl_backend_item(struct agent *a, const struct cfg_backend *b,
				const struct cfg_vip *vip)
{
	uint32_t idx = dataplane_pair_index(a->dp, vip, &b->addr);
	struct lb_backend_stats st = {};
	struct dataplane_pair pair;
	char addr[CFG_ADDR_STRLEN], label[CFG_LABEL_MAX], mac[18], tunnel[16];
	json_t *vips = json_array(), *nh = json_null();
	size_t i, j;

	for (i = 0; i < a->cfg.n_vips; i++)
		for (j = 0; j < a->cfg.vips[i].n_backends; j++)
			if (cfg_addr_equal(&a->cfg.vips[i].backends[j].addr, &b->addr)) {
				cfg_vip_label(&a->cfg.vips[i], label, sizeof(label));
				json_array_append_new(vips, json_string(label));
			}
	if (!dataplane_pair_get(a->dp, idx, &pair)) {
		const uint8_t *m = pair.dmac;

		dataplane_read_percpu(a->dp, ctl_map_fd(a, "lb_backend_stats"), idx, &st,
				      sizeof(st));
		if (pair.next_hop_known) {
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
				 m[2], m[3], m[4], m[5]);
			nh = json_string(mac);
		}
	}
	cfg_vip_label(vip, label, sizeof(label));
	return json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:o}", "vip", label,
	    "address", ctl_fmt(&b->addr, addr, sizeof(addr)), "tunnel",
	    ctl_tunnel_name(vip->encap, vip->addr.family, b->addr.family, tunnel, sizeof(tunnel)),
	    "index", (json_int_t)idx, "weight", (json_int_t)dataplane_weight(a->dp, vip, b), "zone",
	    b->zone[0] ? b->zone : a->cfg.node.zone, "state",
	    idx ? dataplane_backend_state(a->dp, idx) : "down", "vips", vips, "next_hop_mac", nh,
	    "packets", (json_int_t)st.packets, "bytes", (json_int_t)st.bytes, "new_flows",
	    (json_int_t)st.new_flows, "health", ctl_health_item(a, vip, b));
}

static int ctl_find_vip(struct agent *a, json_t *args, bool required, const struct cfg_vip **vip,
			char *err, size_t errlen)
{
	const char *name = NULL;
	int ret = control_arg_string(args, "vip", required, &name, err, errlen);

	*vip = NULL;
	if (ret || !name)
		return ret;
	*vip = cfg_find_vip(&a->cfg, name);
	if (!*vip) {
		snprintf(err, errlen, "no VIP %s", log_cut(name));
		return -ENOENT;
	}
	return 0;
}

static int ctl_vip_list(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < a->cfg.n_vips; i++)
		json_array_append_new(list, ctl_vip_item(a, &a->cfg.vips[i]));
	*result = json_pack("{s:o}", "vips", list);
	return *result ? 0 : -ENOMEM;
}

static int ctl_vip_show(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	const struct cfg_vip *v;
	json_t *list;
	size_t i;
	int ret = ctl_find_vip(a, args, true, &v, err, errlen);

	if (ret)
		return ret;
	list = json_array();
	for (i = 0; i < v->n_backends; i++)
		json_array_append_new(list, ctl_backend_item(a, &v->backends[i], v));
	*result = ctl_vip_item(a, v);
	if (!*result) {
		json_decref(list);
		return -ENOMEM;
	}
	json_object_set_new(*result, "backends", list);
	return 0;
}

static int ctl_backend_list(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	const struct cfg_vip *only;
	json_t *list;
	size_t i, j;
	int ret = ctl_find_vip(a, args, false, &only, err, errlen);

	if (ret)
		return ret;
	list = json_array();
	for (i = 0; i < a->cfg.n_vips; i++) {
		const struct cfg_vip *v = &a->cfg.vips[i];

		if (only && v != only)
			continue;
		/* One item per (VIP, backend) pair: each has its own state and counters. */
		for (j = 0; j < v->n_backends; j++)
			json_array_append_new(list, ctl_backend_item(a, &v->backends[j], v));
	}
	*result = json_pack("{s:o}", "backends", list);
	return *result ? 0 : -ENOMEM;
}

static int ctl_backend_arg(json_t *args, struct xaddr *addr, const char **text, char *err,
			   size_t errlen)
{
	int ret = control_arg_string(args, "backend", true, text, err, errlen);

	if (ret)
		return ret;
	if (cfg_parse_addr(*text, addr)) {
		snprintf(err, errlen, "args.backend: %s: not an IPv4 or IPv6 address",
			 log_cut(*text));
		return -EINVAL;
	}
	return 0;
}

/* The state of a backend's pairs, after a drain: one word if they agree, else "mixed". */
static const char *ctl_backend_state(struct agent *a, const struct xaddr *addr,
				     const struct cfg_vip *only)
{
	const char *state = NULL, *s;
	size_t i;

	for (i = 0; i < a->cfg.n_vips; i++) {
		uint32_t idx;

		if (only && only != &a->cfg.vips[i])
			continue;
		idx = dataplane_pair_index(a->dp, &a->cfg.vips[i], addr);
		if (!idx)
			continue;
		s = dataplane_backend_state(a->dp, idx);
		if (state && strcmp(state, s))
			return "mixed";
		state = s;
	}
	return state ?: "down";
}

/* Why a runtime change of a backend (in vip, or in all) failed: ret, with the message in err. */
static int ctl_backend_failed(int ret, const char *text, const struct cfg_vip *vip, char *err,
			      size_t errlen)
{
	if (ret == -ENOENT)
		snprintf(err, errlen, "backend %s is not configured%s", text,
			 vip ? " in that VIP" : "");
	else
		snprintf(err, errlen, "backend %s: programming the data plane: %s", text,
			 strerror(-ret));
	return ret;
}

/* Drains (or undrains) a backend in one VIP (args.vip), or in every VIP it serves. */
static int ctl_drain_set(struct agent *a, json_t *args, json_t **result, bool drain, char *err,
			 size_t errlen)
{
	const struct cfg_vip *vip;
	const char *text;
	struct xaddr addr;
	char buf[CFG_ADDR_STRLEN], label[CFG_LABEL_MAX];
	int ret = ctl_backend_arg(args, &addr, &text, err, errlen);

	if (!ret)
		ret = ctl_find_vip(a, args, false, &vip, err, errlen);
	if (ret)
		return ret;
	ret = dataplane_set_drain(a->dp, &a->cfg, &addr, vip, drain);
	if (ret)
		return ctl_backend_failed(ret, text, vip, err, errlen);
	if (vip)
		cfg_vip_label(vip, label, sizeof(label));
	log_info("agent: backend %s %s%s%s", ctl_fmt(&addr, buf, sizeof(buf)),
		 drain ? "drained" : "undrained", vip ? " in VIP " : "", vip ? label : "");
	*result = json_pack("{s:s, s:o, s:s}", "backend", buf, "vip",
			    vip ? json_string(label) : json_null(), "state",
			    ctl_backend_state(a, &addr, vip));
	return *result ? 0 : -ENOMEM;
}

static int ctl_backend_drain(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	return ctl_drain_set(ctx, args, result, true, err, errlen);
}

static int ctl_backend_undrain(void *ctx, json_t *args, json_t **result, char *err,
			       size_t errlen)
{
	return ctl_drain_set(ctx, args, result, false, err, errlen);
}

static int ctl_backend_weight(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	const struct cfg_vip *vip;
	const char *text;
	struct xaddr addr;
	long long weight = 0;
	char buf[CFG_ADDR_STRLEN];
	int ret = ctl_backend_arg(args, &addr, &text, err, errlen);

	if (!ret)
		ret = control_arg_int(args, "weight", true, 1, CFG_WEIGHT_MAX, &weight, err,
				      errlen);
	if (!ret)
		ret = ctl_find_vip(a, args, false, &vip, err, errlen);
	if (ret)
		return ret;
	ret = dataplane_set_weight(a->dp, &a->cfg, &addr, vip, weight);
	if (ret)
		return ctl_backend_failed(ret, text, vip, err, errlen);
	log_info("agent: backend %s weight %lld", ctl_fmt(&addr, buf, sizeof(buf)), weight);
	*result = json_pack("{s:s, s:I}", "backend", buf, "weight", (json_int_t)weight);
	return *result ? 0 : -ENOMEM;
}

/* The balancer's second chance outcomes: {"named": {"packets": n, "bytes": n}, ...}. */
static json_t *ctl_sc_counters(struct agent *a, int fd)
{
	struct lb_counter c[LB_SC_MAX] = {};
	uint32_t i;

	for (i = 0; i < LB_SC_MAX; i++)
		if (metrics_sc_in_role(i, false))
			dataplane_read_percpu(a->dp, fd, i, &c[i], sizeof(c[i]));
	return ctl_sc_json(c, false);
}

static int ctl_stats(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
#define CTL_STAT_KEY(id, nr, key, metric, help) [LB_STAT_##id] = key,
	static const char *const names[LB_STAT_MAX] = {LB_STATS(CTL_STAT_KEY)};
#undef CTL_STAT_KEY
	struct agent *a = ctx;
	int stats_fd = ctl_map_fd(a, "lb_stats"), drops_fd = ctl_map_fd(a, "lb_drops");
	json_t *drops = json_object();
	struct lb_counter c;
	uint32_t i;

	*result = json_object();
	for (i = 0; i < LB_STAT_MAX; i++) {
		if (!names[i] || dataplane_read_percpu(a->dp, stats_fd, i, &c, sizeof(c)))
			continue;
		json_object_set_new(*result, names[i], json_integer(c.packets));
	}
	for (i = 1; i < LB_DROP_MAX; i++) {
		/* The metrics' reason label and this key are one name (LB_DROP_REASONS). */
		if (!metrics_drop_in_role(i, false) ||
		    dataplane_read_percpu(a->dp, drops_fd, i, &c, sizeof(c)))
			continue;
		json_object_set_new(drops, metrics_drop_name(i),
				    json_pack("{s:I, s:I}", "packets", (json_int_t)c.packets,
					      "bytes", (json_int_t)c.bytes));
	}
	json_object_set_new(*result, "drops", drops);
	json_object_set_new(*result, "second_chance",
			    ctl_sc_counters(a, ctl_map_fd(a, "lb_sc_stats")));
	json_object_set_new(*result, "role", json_string("balancer"));
	return 0;
}

static bool ctl_flow_in_vip(const struct lb_flow_key *k, const struct cfg_vip *v)
{
	struct xaddr dst;

	ctl_xaddr(&dst, k->dst, k->family);
	if (!cfg_addr_equal(&dst, &v->addr) || k->proto != v->proto)
		return false;
	/* Address-hashed VIPs track with port 0; an any-port VIP takes every port. */
	return !v->port || !k->dport || ntohs(k->dport) == v->port;
}

static json_t *ctl_ct_entry(const struct lb_flow_key *k, const struct lb_conn *c, uint64_t now)
{
	char client[CFG_ADDR_STRLEN], vaddr[CFG_ADDR_STRLEN], be[CFG_ADDR_STRLEN];
	uint64_t age = now > c->created_ns ? (now - c->created_ns) / 1000000000ULL : 0;
	uint64_t idle = now > c->last_seen_ns ? (now - c->last_seen_ns) / 1000000000ULL : 0;
	struct xaddr x;

	ctl_xaddr(&x, k->src, k->family);
	ctl_fmt(&x, client, sizeof(client));
	ctl_xaddr(&x, k->dst, k->family);
	ctl_fmt(&x, vaddr, sizeof(vaddr));
	ctl_xaddr(&x, c->backend_addr, c->backend_family);
	ctl_fmt(&x, be, sizeof(be));
	return json_pack("{s:s, s:i, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:b}", "client", client,
			 "client_port", ntohs(k->sport), "vip", vaddr, "vip_port", ntohs(k->dport),
			 "proto", cfg_proto_name(k->proto), "backend", be, "packets",
			 (json_int_t)c->packets, "age_s", (json_int_t)age, "idle_s",
			 (json_int_t)idle, "synced", (int)!!(c->flags & LB_CONN_F_SYNCED));
}

/*
 * The first `limit` entries, scanning at most CTL_CT_SCAN_MAX of them: a VIP
 * with few flows in a table of 10M must not hold the agent's loop for seconds.
 * "scanned" says how far the walk went, "truncated" that it stopped early.
 */
static int ctl_conntrack_list(void *ctx, json_t *args, json_t **result, char *err,
			      size_t errlen)
{
	struct agent *a = ctx;
	const struct cfg_vip *vip;
	long long limit = CTL_CT_LIMIT_DEFAULT;
	uint64_t now = clock_now_ns(), scanned = 0;
	bool truncated = false;
	struct ct_walk *w;
	json_t *list;
	uint32_t i;
	int ret = ctl_find_vip(a, args, false, &vip, err, errlen);

	if (!ret)
		ret = control_arg_int(args, "limit", false, 1, CTL_CT_LIMIT_MAX, &limit, err,
				      errlen);
	if (ret)
		return ret;
	/* Without a VIP the first limit + 1 entries say all: a chunk no larger. */
	w = ct_walk_open(ctl_map_fd(a, "lb_conntrack"), vip ? CTL_CT_CHUNK : (size_t)limit + 1);
	list = json_array();
	if (!w || !list)
		goto nomem;
	while (!truncated && !w->done) {
		if (scanned >= CTL_CT_SCAN_MAX) {
			truncated = true;
			break;
		}
		ret = ct_walk_next(w);
		if (ret) {
			snprintf(err, errlen, "reading lb_conntrack: %s", strerror(-ret));
			goto fail;
		}
		for (i = 0; i < w->n; i++) {
			if (vip && !ctl_flow_in_vip(&w->e[i].key, vip))
				continue;
			if (json_array_size(list) >= (size_t)limit) {
				truncated = true;
				break;
			}
			json_array_append_new(list, ctl_ct_entry(&w->e[i].key, &w->e[i].conn, now));
		}
		scanned += i;
	}
	ct_walk_close(w);
	*result = json_pack("{s:o, s:b, s:I}", "entries", list, "truncated", truncated, "scanned",
			    (json_int_t)scanned);
	return *result ? 0 : -ENOMEM;
nomem:
	ret = -ENOMEM;
fail:
	ct_walk_close(w);
	json_decref(list);
	return ret;
}

/* "ip:port" or "[ipv6]:port". */
static int ctl_parse_endpoint(const char *key, const char *text, struct xaddr *addr,
			      uint16_t *port, char *err, size_t errlen)
{
	char buf[CFG_ADDR_STRLEN + 8], *colon, *host = buf, *end;
	unsigned long p;

	snprintf(buf, sizeof(buf), "%s", text);
	colon = strrchr(buf, ':');
	if (!colon)
		goto bad;
	*colon = '\0';
	if (host[0] == '[') {
		host++;
		if (colon == buf || colon[-1] != ']')
			goto bad;
		colon[-1] = '\0';
	}
	p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || p > 65535 || cfg_parse_addr(host, addr))
		goto bad;
	*port = p;
	return 0;
bad:
	snprintf(err, errlen, "args.%s: %s: expected ip:port or [ipv6]:port", key, log_cut(text));
	return -EINVAL;
}

/* The backend the data plane would pick for a flow, probing like bpf/lib/maglev.h. */
static int ctl_maglev_pick(struct agent *a, const struct lb_vip_info *info, uint32_t hash,
			   uint32_t *slot_out, uint32_t *be_out)
{
	int outer = ctl_map_fd(a, "lb_maglev"), backends = ctl_map_fd(a, "lb_backends");
	uint32_t id, slot, i, idx, first = LB_NO_BACKEND, first_slot = 0;
	struct lb_backend be;
	int fd, ret = -ENOENT;

	if (!info->maglev_size || bpf_map_lookup_elem(outer, &info->vip_index, &id))
		return -ENOENT;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return fd;
	slot = hash % info->maglev_size;
	for (i = 0; i < LB_MAGLEV_PROBES; i++, slot = (slot + 1) % info->maglev_size) {
		if (bpf_map_lookup_elem(fd, &slot, &idx) || idx == LB_NO_BACKEND ||
		    idx >= LB_MAX_BACKENDS || bpf_map_lookup_elem(backends, &idx, &be) ||
		    !be.family)
			continue;
		if (!(be.flags &
		      (LB_BE_F_DOWN | LB_BE_F_DRAIN | LB_BE_F_DOWN_KEPT | LB_BE_F_NO_NEXTHOP))) {
			*slot_out = slot;
			*be_out = idx;
			ret = 0;
			break;
		}
		if (first == LB_NO_BACKEND && !(be.flags & LB_BE_F_NO_NEXTHOP)) {
			first = idx;
			first_slot = slot;
		}
	}
	/* Fail-open: the first DOWN or DRAIN backend met is used all the same. */
	if (ret && first != LB_NO_BACKEND && (info->flags & LB_VIP_F_FAIL_OPEN)) {
		*slot_out = first_slot;
		*be_out = first;
		ret = 0;
	}
	close(fd);
	return ret;
}

static const char *ctl_slot_state(const struct lb_backend *be)
{
	if (be->flags & LB_BE_F_DOWN)
		return "down";
	if (be->flags & LB_BE_F_DOWN_KEPT)
		return "down, flows kept";
	return be->flags & LB_BE_F_DRAIN ? "drain" : "up";
}

/* The pair of the VIP and the backend at bx, as lb_backend_at() in bpf/lib/conntrack.h finds it. */
static uint32_t ctl_pair_of(struct agent *a, uint32_t vip_index, const struct xaddr *bx)
{
	struct lb_backend_key key = {};
	uint32_t idx = 0;

	memcpy(key.addr, bx->addr, sizeof(key.addr));
	key.family = bx->family;
	key.vip_index = vip_index;
	if (bpf_map_lookup_elem(ctl_map_fd(a, "lb_backend_ids"), &key, &idx))
		return 0;
	return idx;
}

/* The slot's previous backend in lb_maglev_prev, LB_NO_BACKEND if none: the slot of the
 * hash itself, not the one probing ended on, as lb_sc_second() reads it. */
static uint32_t ctl_maglev_prev(struct agent *a, const struct lb_vip_info *info, uint32_t hash)
{
	uint32_t id, slot, prev = LB_NO_BACKEND;
	int fd;

	if (!info->maglev_size ||
	    bpf_map_lookup_elem(ctl_map_fd(a, "lb_maglev_prev"), &info->vip_index, &id))
		return LB_NO_BACKEND;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return LB_NO_BACKEND;
	slot = hash % info->maglev_size;
	if (bpf_map_lookup_elem(fd, &slot, &prev))
		prev = LB_NO_BACKEND;
	close(fd);
	return prev;
}

/* What a non-SYN packet of the flow would name as its second chance, and why not. */
static json_t *ctl_explain_sc(struct agent *a, const struct lb_vip_info *info, uint8_t proto,
			      bool tracked, uint32_t hash, uint32_t pick)
{
	uint32_t prev = tracked ? LB_NO_BACKEND : ctl_maglev_prev(a, info, hash);
	struct lb_backend second = {};
	const char *why;
	char addr[CFG_ADDR_STRLEN];
	struct xaddr x;

	if (prev != LB_NO_BACKEND)
		bpf_map_lookup_elem(ctl_map_fd(a, "lb_backends"), &prev, &second);
	why = maglev_sc_why_not(info, proto, tracked, pick, prev, &second);
	if (why)
		return json_pack("{s:n, s:s}", "backend", "why_not", why);
	ctl_xaddr(&x, second.addr, second.family);
	return json_pack("{s:s, s:n, s:I}", "backend", ctl_fmt(&x, addr, sizeof(addr)), "why_not",
			 "slot", (json_int_t)(hash % info->maglev_size));
}

static int ctl_explain(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	const char *client_s, *vip_s, *proto_s = "tcp";
	struct xaddr client, vaddr, bx;
	uint16_t cport, vport;
	struct lb_vip_key vk = {};
	struct lb_vip_info info;
	struct lb_flow_key fk = {};
	struct lb_settings settings = {};
	struct lb_backend be = {};
	struct lb_ct_seen seen;
	struct lb_conn conn;
	char label[CFG_LABEL_MAX], baddr[CFG_ADDR_STRLEN], tunnel[16];
	const char *source = "maglev";
	uint32_t hash, slot = 0, idx = 0, zero = 0;
	bool found = false, in_ct = false;
	size_t i;
	int ret;

	ret = control_arg_string(args, "client", true, &client_s, err, errlen);
	if (!ret)
		ret = control_arg_string(args, "vip", true, &vip_s, err, errlen);
	if (!ret)
		ret = control_arg_string(args, "proto", false, &proto_s, err, errlen);
	if (!ret)
		ret = ctl_parse_endpoint("client", client_s, &client, &cport, err, errlen);
	if (!ret)
		ret = ctl_parse_endpoint("vip", vip_s, &vaddr, &vport, err, errlen);
	if (ret)
		return ret;
	if (strcmp(proto_s, "tcp") && strcmp(proto_s, "udp")) {
		snprintf(err, errlen, "args.proto: %s: expected tcp or udp", log_cut(proto_s));
		return -EINVAL;
	}
	if (client.family != vaddr.family) {
		snprintf(err, errlen, "client %s and VIP %s are of different families", client_s,
			 vip_s);
		return -EINVAL;
	}

	memcpy(vk.addr, vaddr.addr, sizeof(vk.addr));
	vk.family = vaddr.family;
	vk.proto = strcmp(proto_s, "tcp") ? IPPROTO_UDP : IPPROTO_TCP;
	vk.port = htons(vport);
	if (bpf_map_lookup_elem(ctl_map_fd(a, "lb_vips"), &vk, &info)) {
		vk.port = 0;
		if (bpf_map_lookup_elem(ctl_map_fd(a, "lb_vips"), &vk, &info)) {
			snprintf(err, errlen, "no VIP %s/%s: the data plane would pass this flow",
				 vip_s, proto_s);
			return -ENOENT;
		}
	}
	snprintf(label, sizeof(label), "%s/%s", vip_s, proto_s);
	for (i = 0; i < a->cfg.n_vips; i++) {
		const struct cfg_vip *v = &a->cfg.vips[i];

		if (cfg_addr_equal(&v->addr, &vaddr) && v->proto == vk.proto &&
		    htons(v->port) == vk.port)
			cfg_vip_label(v, label, sizeof(label));
	}

	memcpy(fk.src, client.addr, sizeof(fk.src));
	memcpy(fk.dst, vaddr.addr, sizeof(fk.dst));
	fk.family = vaddr.family;
	fk.proto = vk.proto;
	if (!(info.flags & LB_VIP_F_HASH_ADDRS)) {
		fk.sport = htons(cport);
		fk.dport = htons(vport);
	}
	bpf_map_lookup_elem(ctl_map_fd(a, "lb_settings"), &zero, &settings);
	hash = lb_hash_flow(&fk, settings.hash_seed);

	/* Conntrack first, then flows seen once; a backend that is gone or DOWN is re-picked. */
	if (!bpf_map_lookup_elem(ctl_map_fd(a, "lb_conntrack"), &fk, &conn)) {
		source = "conntrack";
		in_ct = true;
	} else if (!ct_seen_find(ctl_map_fd(a, "lb_ct_new"), &fk, hash, &seen)) {
		source = "conntrack_unconfirmed";
		memcpy(conn.backend_addr, seen.backend_addr, sizeof(conn.backend_addr));
		conn.backend_family = seen.backend_family;
	}
	if (strcmp(source, "maglev")) {
		ctl_xaddr(&bx, conn.backend_addr, conn.backend_family);
		idx = ctl_pair_of(a, info.vip_index, &bx);
		found = idx && !bpf_map_lookup_elem(ctl_map_fd(a, "lb_backends"), &idx, &be) &&
			!(be.flags & LB_BE_F_DOWN);
		if (!found)
			source = "maglev";
	}
	if (!found && !ctl_maglev_pick(a, &info, hash, &slot, &idx) &&
	    !bpf_map_lookup_elem(ctl_map_fd(a, "lb_backends"), &idx, &be)) {
		ctl_xaddr(&bx, be.addr, be.family);
		found = true;
	}
	*result = json_pack(
	    "{s:s, s:o, s:s, s:o, s:I, s:s, s:o, s:o}", "vip", label, "backend",
	    found ? json_string(ctl_fmt(&bx, baddr, sizeof(baddr))) : json_null(), "source", source,
	    "slot", found && !strcmp(source, "maglev") ? json_integer(slot) : json_null(), "hash",
	    (json_int_t)hash, "backend_state", found ? ctl_slot_state(&be) : "none", "tunnel",
	    found ? json_string(ctl_tunnel_name(info.encap, vaddr.family, bx.family, tunnel,
						sizeof(tunnel)))
		  : json_null(),
	    "second_chance",
	    found ? ctl_explain_sc(a, &info, vk.proto, in_ct || strcmp(source, "maglev"), hash, idx)
		  : json_null());
	return *result ? 0 : -ENOMEM;
}

static int ctl_reload(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct cfg_changes c;
	int ret = agent_reload(ctx, &c, err, errlen);
	json_t *settings;
	unsigned int i;

	/* A bad file is not a bad request: keep it out of control_rejected. */
	if (ret == -EINVAL)
		return -EBADMSG;
	if (ret)
		return ret;
	settings = json_array();
	for (i = 0; settings && i < CFG_SET_COUNT; i++)
		if (c.settings & (1u << i))
			json_array_append_new(settings, json_string(cfg_setting_name(i)));
	*result = json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:o}}", "changed", "vips_added",
			    (json_int_t)c.vips_added, "vips_removed", (json_int_t)c.vips_removed,
			    "vips_changed", (json_int_t)c.vips_changed, "backends_added",
			    (json_int_t)c.backends_added, "backends_removed",
			    (json_int_t)c.backends_removed, "settings", settings);
	return *result ? 0 : -ENOMEM;
}

static int ctl_shutdown(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	bool unload = false;
	int ret = control_arg_bool(args, "unload", false, &unload, err, errlen);

	if (ret)
		return ret;
	/* Unloaded before the reply, so that "unloaded": true is a fact when lbctl reads it. */
	a->unload = unload;
	a->stopping = true;
	/* Routes go before the program: the router must stop sending before nothing forwards. */
	if (unload)
		cluster_agent_close(a);
	if (unload && a->dp) {
		ret = dataplane_unload(a->dp);
		dataplane_close(a->dp);
		a->dp = NULL;
	} else if (unload && a->backend_applied) {
		ret = backend_mode_remove(&a->cfg);
		a->backend_applied = false;
	}
	if (ret) {
		snprintf(err, errlen, "shutdown: unloading: %s (the agent exits anyway)",
			 strerror(-ret));
		return ret;
	}
	log_info("agent: shutdown requested%s", unload ? ", data plane unloaded" : "");
	*result = json_pack("{s:b}", "unloaded", unload);
	return *result ? 0 : -ENOMEM;
}

const struct control_verb agent_balancer_verbs[] = {
	{ "version", false, ctl_version },
	{ "status", false, ctl_status },
	{ "sync", false, ctl_sync },
	{ "peers", false, ctl_peers },
	{ "vip.list", false, ctl_vip_list },
	{ "vip.show", false, ctl_vip_show },
	{ "backend.list", false, ctl_backend_list },
	{ "backend.drain", true, ctl_backend_drain },
	{ "backend.undrain", true, ctl_backend_undrain },
	{ "backend.weight", true, ctl_backend_weight },
	{ "stats", false, ctl_stats },
	{ "conntrack.list", false, ctl_conntrack_list },
	{ "explain", false, ctl_explain },
	{ "cluster", false, cluster_agent_verb },
	{ "dns", false, region_agent_verb },
	{ "reload", true, ctl_reload },
	{ "shutdown", true, ctl_shutdown },
};
const size_t agent_n_balancer_verbs =
	sizeof(agent_balancer_verbs) / sizeof(agent_balancer_verbs[0]);

/*
 * A backend host has no balancer maps: it reports itself and its decap program, and can be
 * reloaded or stopped.
 */
const struct control_verb agent_backend_verbs[] = {
	{ "version", false, ctl_version },
	{ "status", false, ctl_status },
	{ "stats", false, ctl_backend_stats },
	{ "listener.list", false, ctl_listener_list },
	{ "listener.show", false, ctl_listener_show },
	{ "listener.drain", true, ctl_listener_drain },
	{ "listener.undrain", true, ctl_listener_undrain },
	{ "reload", true, ctl_reload },
	{ "shutdown", true, ctl_shutdown },
};
const size_t agent_n_backend_verbs = sizeof(agent_backend_verbs) / sizeof(agent_backend_verbs[0]);
