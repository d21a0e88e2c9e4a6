// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Programming lb.bpf.c's maps from the config model by diff: stable indices,
 * only changed entries written, Maglev tables swapped whole (map-in-map) and
 * only for VIPs whose usable backends or weights changed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/clock.h"
#include "config/config.h"
#include "dataplane/dataplane.h"
#include "dataplane/dataplane_int.h"
#include "lb.skel.h"
#include "common/log.h"
#include "dataplane/maglev.h"
#include "dataplane/nexthop.h"

void dataplane_key_from_xaddr(const struct xaddr *a, uint32_t addr[4], uint8_t *family)
{
	memcpy(addr, a->addr, sizeof(a->addr));
	*family = a->family;
}

static bool dp_xaddr_equal(const struct xaddr *a, const struct xaddr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static void dp_vip_key(const struct cfg_vip *v, struct lb_vip_key *key)
{
	memset(key, 0, sizeof(*key));
	dataplane_key_from_xaddr(&v->addr, key->addr, &key->family);
	key->port = htons(v->port);
	key->proto = v->proto;
}

static const char *dp_fmt(const struct xaddr *a, char *buf, size_t len)
{
	return cfg_format_addr(a, buf, len);
}

static uint32_t dp_be_hash_slot(uint32_t vip_index, const struct xaddr *a)
{
	uint32_t h = a->family ^ (vip_index << 8);
	int i;

	/* Fibonacci hashing of the words: good enough spread for an in-memory index. */
	for (i = 0; i < 4; i++)
		h = (h ^ a->addr[i]) * 0x9e3779b1U;
	return (h ^ (h >> 15)) % DP_BE_HASH_SIZE;
}

static void dp_be_hash_insert(struct dataplane *dp, uint32_t idx)
{
	uint32_t slot = dp_be_hash_slot(dp->be[idx].slot.vip_index, &dp->be[idx].addr);

	while (dp->be_hash[slot])
		slot = (slot + 1) % DP_BE_HASH_SIZE;
	dp->be_hash[slot] = idx;
}

static void dp_be_hash_rebuild(struct dataplane *dp)
{
	uint32_t i;

	memset(dp->be_hash, 0, sizeof(dp->be_hash));
	for (i = 1; i < dp->be_fresh; i++)
		if (dp->be[i].used)
			dp_be_hash_insert(dp, i);
}

/* The pair of dataplane.vips[vip_index] and the backend at addr, 0 if none. */
static uint32_t dp_pair_find(const struct dataplane *dp, uint32_t vip_index,
			     const struct xaddr *addr)
{
	uint32_t slot = dp_be_hash_slot(vip_index, addr), idx;

	while ((idx = dp->be_hash[slot])) {
		if (dp->be[idx].slot.vip_index == vip_index &&
		    dp_xaddr_equal(&dp->be[idx].addr, addr))
			return idx;
		slot = (slot + 1) % DP_BE_HASH_SIZE;
	}
	return 0;
}

uint32_t dataplane_weight(const struct dataplane *dp, const struct cfg_vip *vip,
			  const struct cfg_backend *b)
{
	const struct dp_weight *any = NULL;
	struct lb_vip_key key;
	size_t i;

	dp_vip_key(vip, &key);
	for (i = 0; i < dp->n_weights; i++) {
		const struct dp_weight *w = &dp->weights[i];

		if (!dp_xaddr_equal(&w->backend, &b->addr))
			continue;
		if (!w->any_vip && !memcmp(&w->vip, &key, sizeof(key)))
			return w->weight;
		if (w->any_vip)
			any = w;
	}
	return any ? any->weight : b->weight;
}

/* A reused index must not inherit the counters of its previous owner. */
static void dp_zero_percpu(struct dataplane *dp, int fd, uint32_t key, size_t value_size)
{
	void *zero = calloc(dp->ncpus, value_size);

	if (!zero || bpf_map_update_elem(fd, &key, zero, BPF_ANY))
		log_warnx("dataplane: clearing counters %u: %s", key, strerror(errno));
	free(zero);
}

/* Never-used indices first; freed ones only when those run out, the longest-freed first. */
static uint32_t dp_alloc_backend(struct dataplane *dp)
{
	uint32_t i, best = 0;

	if (dp->be_fresh < LB_MAX_BACKENDS)
		return dp->be_fresh++;
	for (i = 1; i < LB_MAX_BACKENDS; i++)
		if (!dp->be[i].used && (!best || dp->be[i].freed_seq < dp->be[best].freed_seq))
			best = i;
	return best;
}

static int dp_alloc_vip(struct dataplane *dp, uint32_t *index)
{
	uint32_t i;
	int best = -1;

	if (dp->vip_fresh < LB_MAX_VIPS) {
		*index = dp->vip_fresh++;
		return 0;
	}
	for (i = 0; i < LB_MAX_VIPS; i++)
		if (!dp->vips[i].used &&
		    (best < 0 || dp->vips[i].freed_seq < dp->vips[best].freed_seq))
			best = i;
	if (best < 0)
		return -ENOSPC;
	*index = best;
	return 0;
}

static int dp_write_backend(struct dataplane *dp, uint32_t idx)
{
	struct dp_backend *be = &dp->be[idx];
	struct lb_backend want = be->slot, cur;
	int fd = bpf_map__fd(dp->skel->maps.lb_backends);

	want.flags = be->drain ? LB_BE_F_DRAIN : 0;
	/*
	 * A next hop still being asked for (just added, or after a restart) keeps
	 * the backend's flows waiting; one that cannot be had (no route) is DOWN,
	 * and its flows are picked again. A failed check is DOWN too, unless the
	 * VIP keeps the flows of a backend its checks fail (down_flows: keep):
	 * then it takes no new flows, as if drained, and serves the tracked ones.
	 */
	if (!be->nh_known && be->nh_unreachable)
		want.flags |= LB_BE_F_DOWN;
	else if (!be->healthy)
		want.flags |= be->down_keeps_flows ? LB_BE_F_DOWN_KEPT : LB_BE_F_DOWN;
	if (!be->nh_known && !(want.flags & LB_BE_F_DOWN))
		want.flags |= LB_BE_F_NO_NEXTHOP;
	if (!bpf_map_lookup_elem(fd, &idx, &cur) && !memcmp(&cur, &want, sizeof(want))) {
		be->slot = want;
		return 0;
	}
	if (bpf_map_update_elem(fd, &idx, &want, BPF_ANY))
		return -errno;
	be->slot = want;
	return 0;
}

static int dp_add_backend(struct dataplane *dp, uint32_t vip_index, const struct xaddr *addr,
			  uint32_t *out)
{
	uint32_t idx = dp_alloc_backend(dp);
	struct dp_backend *be;
	char buf[INET6_ADDRSTRLEN];

	if (!idx) {
		log_warnx("dataplane: no free backend slot for %s (LB_MAX_BACKENDS %u)",
			  dp_fmt(addr, buf, sizeof(buf)), LB_MAX_BACKENDS);
		return -ENOSPC;
	}
	be = &dp->be[idx];
	memset(be, 0, sizeof(*be));
	be->used = true;
	be->addr = *addr;
	dataplane_key_from_xaddr(addr, be->slot.addr, &be->slot.family);
	be->slot.vip_index = vip_index;
	dp_be_hash_insert(dp, idx);
	dp_zero_percpu(dp, bpf_map__fd(dp->skel->maps.lb_backend_stats), idx,
		       sizeof(struct lb_backend_stats));
	*out = idx;
	return 0;
}

/* Slot cleared after the ids entry: a conntrack hit then finds neither and re-picks. */
static int dp_remove_backend(struct dataplane *dp, uint32_t idx)
{
	struct dp_backend *be = &dp->be[idx];
	struct lb_backend_key key = {};
	struct lb_backend empty = {};
	int err = 0;

	dataplane_key_from_xaddr(&be->addr, key.addr, &key.family);
	key.vip_index = be->slot.vip_index;
	if (bpf_map_delete_elem(bpf_map__fd(dp->skel->maps.lb_backend_ids), &key) &&
	    errno != ENOENT)
		err = -errno;
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_backends), &idx, &empty, BPF_ANY))
		err = -errno;
	memset(be, 0, sizeof(*be));
	be->freed_seq = ++dp->seq;
	return err;
}

#define DP_NH_RETRY_MIN_MS 200
#define DP_NH_RETRY_MAX_MS 3200

/*
 * A neighbour that does not answer is asked again at growing intervals: the
 * watch reports an answer at once anyway, and a rack of dead hosts must not
 * keep the agent busy.
 */
static void dp_nh_backoff(struct dp_backend *be)
{
	be->nh_delay_ms = be->nh_delay_ms ? be->nh_delay_ms * 2 : DP_NH_RETRY_MIN_MS;
	if (be->nh_delay_ms > DP_NH_RETRY_MAX_MS)
		be->nh_delay_ms = DP_NH_RETRY_MAX_MS;
	be->nh_next_ms = clock_now_ms() + be->nh_delay_ms;
}

/*
 * Pair `to` takes the next-hop state of `from`, a pair of the same address:
 * one neighbour, asked once. True when to's slot changed.
 */
static bool dp_nh_take(struct dataplane *dp, uint32_t to, uint32_t from)
{
	struct dp_backend *t = &dp->be[to];
	const struct dp_backend *f = &dp->be[from];
	bool changed = t->nh_known != f->nh_known || t->nh_unreachable != f->nh_unreachable ||
		       t->slot.ifindex != f->slot.ifindex ||
		       memcmp(t->slot.dmac, f->slot.dmac, 6) ||
		       memcmp(t->slot.smac, f->slot.smac, 6);

	memcpy(t->slot.dmac, f->slot.dmac, 6);
	memcpy(t->slot.smac, f->slot.smac, 6);
	t->slot.ifindex = f->slot.ifindex;
	t->nh_known = f->nh_known;
	t->nh_unreachable = f->nh_unreachable;
	t->nh_logged = f->nh_logged;
	t->nh_delay_ms = f->nh_delay_ms;
	t->nh_next_ms = f->nh_next_ms;
	return changed;
}

/* Whether idx is the first pair of its address: only that one speaks of its next hop. */
static bool dp_first_pair(const struct dataplane *dp, uint32_t idx)
{
	uint32_t i;

	for (i = 1; i < idx; i++)
		if (dp->be[i].used && dp_xaddr_equal(&dp->be[i].addr, &dp->be[idx].addr))
			return false;
	return true;
}

/*
 * Resolves one backend's next hop. Returns true when its slot changed: a MAC
 * found or lost, or one never known going from asked-for to unreachable
 * (NO_NEXTHOP to DOWN, dp_write_backend()) or back.
 */
static bool dp_resolve_one(struct dataplane *dp, uint32_t idx, bool speak)
{
	struct dp_backend *be = &dp->be[idx];
	bool was_unreachable = be->nh_unreachable;
	char buf[INET6_ADDRSTRLEN];
	struct nexthop nh;
	uint32_t ifindex;
	int err;

	err = nexthop_resolve(&be->addr, &nh);
	be->nh_unreachable = err && err != -EAGAIN;
	if (err == -EAGAIN) {
		dp_nh_backoff(be);
		/* An adopted MAC stays in use: the neighbour entry is only being refreshed. */
		if (!be->nh_known) {
			if (!be->nh_logged && speak)
				log_info("dataplane: backend %s: waiting for its next hop MAC, "
					 "kept out of the tables",
					 dp_fmt(&be->addr, buf, sizeof(buf)));
			be->nh_logged = true;
		}
		return !be->nh_known && was_unreachable;
	}
	if (err) {
		if ((!be->nh_logged || be->nh_known) && speak)
			log_warnx("dataplane: backend %s: no next hop: %s",
				  dp_fmt(&be->addr, buf, sizeof(buf)), strerror(-err));
		be->nh_logged = true;
		if (!be->nh_known)
			return !was_unreachable;
		be->nh_known = false;
		return true;
	}
	be->nh_delay_ms = 0;
	ifindex = nh.ifindex == dp->ifindex ? 0 : nh.ifindex;
	if (be->nh_known && be->slot.ifindex == ifindex &&
	    !memcmp(be->slot.dmac, nh.dmac, 6) && !memcmp(be->slot.smac, nh.smac, 6))
		return false;
	memcpy(be->slot.dmac, nh.dmac, 6);
	memcpy(be->slot.smac, nh.smac, 6);
	be->slot.ifindex = ifindex;
	be->nh_known = true;
	be->nh_logged = false;
	if (speak)
		log_info("dataplane: backend %s: next hop %02x:%02x:%02x:%02x:%02x:%02x%s",
			 dp_fmt(&be->addr, buf, sizeof(buf)), nh.dmac[0], nh.dmac[1], nh.dmac[2],
			 nh.dmac[3], nh.dmac[4], nh.dmac[5], ifindex ? " (redirected)" : "");
	return true;
}

static void dp_write_settings(struct dataplane *dp, const struct lb_config *cfg)
{
	const struct cfg_node *n = &cfg->node;
	struct lb_settings s = {};
	uint32_t key = 0;

	s.hash_seed = n->hash_seed;
	if (n->tun_src4.family)
		s.tun_src4 = n->tun_src4.addr[0];
	s.tun_src4_bits = n->tun_src4_bits;
	if (n->tun_src6.family)
		memcpy(s.tun_src6, n->tun_src6.addr, sizeof(s.tun_src6));
	s.tun_src6_bits = n->tun_src6_bits;
	s.mtu = n->mtu;
	s.gue_sport_min = n->gue_sport_min;
	s.gue_sport_max = n->gue_sport_max;
	/* Without sync nobody reads lb_events: no events, or events_lost grows for ever. */
	if (cfg->sync.enabled) {
		s.sync_first_packets = n->sync_first_packets;
		s.sync_refresh_packets = n->sync_refresh_packets;
		s.sync_refresh_s = n->sync_refresh_seconds;
	}
	s.outer_ttl = n->outer_ttl;
	if (!memcmp(&s, &dp->settings, sizeof(s)))
		return;
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_settings), &key, &s, BPF_ANY)) {
		log_warn("dataplane: writing lb_settings");
		return;
	}
	dp->settings = s;
	dp->hash_seed = s.hash_seed;
}

static int dp_sig_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Fills sig with the {index, weight} pairs that may take flows (`down_too`: health-down too). */
static size_t dp_vip_sig_fill(const struct dataplane *dp, const struct cfg_vip *v,
			      uint32_t vip_index, uint32_t *sig, bool down_too)
{
	size_t i, n = 0;

	for (i = 0; i < v->n_backends; i++) {
		uint32_t idx = dp_pair_find(dp, vip_index, &v->backends[i].addr);
		uint32_t w = dataplane_weight(dp, v, &v->backends[i]);
		const struct dp_backend *be = &dp->be[idx];

		if (!idx || be->drain || !be->nh_known || (!be->healthy && !down_too) || !w)
			continue;
		sig[2 * n] = idx;
		sig[2 * n + 1] = w;
		n++;
	}
	return n;
}

/*
 * The {index, weight} pairs a VIP's table is built from: usable backends only.
 * When health checks have taken every one of them down, the table keeps those
 * (flagged DOWN in lb_backends): the data plane then drops new flows as
 * LB_DROP_NO_BACKEND, or sends them anyway for a fail_open VIP, instead of
 * finding an empty table.
 */
static int dp_vip_sig(const struct dataplane *dp, const struct cfg_vip *v, uint32_t vip_index,
		      uint32_t **out, size_t *n_out)
{
	uint32_t *sig = calloc(v->n_backends ? v->n_backends : 1, 2 * sizeof(uint32_t));
	size_t n;

	if (!sig)
		return -ENOMEM;
	n = dp_vip_sig_fill(dp, v, vip_index, sig, false);
	if (!n)
		n = dp_vip_sig_fill(dp, v, vip_index, sig, true);
	qsort(sig, n, 2 * sizeof(uint32_t), dp_sig_cmp);
	*out = sig;
	*n_out = n;
	return 0;
}

/*
 * Builds the table into a new inner map and swaps it in with one update,
 * second chance's prev table first (a packet between the two finds a prev
 * equal to its pick at worst, which names nobody). Only a second-chance VIP
 * has one: the data plane reads no other's, and computing it costs as much
 * as the table.
 */
static int dp_install_table(struct dataplane *dp, uint32_t vip_index, uint32_t m,
			    const uint32_t *sig, size_t n, bool second_chance)
{
	struct maglev_backend *mb = NULL;
	uint32_t *table = NULL, i;
	int fd = -1, err;

	mb = calloc(n ? n : 1, sizeof(*mb));
	table = calloc(m, sizeof(*table));
	if (!mb || !table) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		mb[i].addr = dp->be[sig[2 * i]].addr;
		mb[i].index = sig[2 * i];
		mb[i].weight = sig[2 * i + 1];
	}
	err = maglev_build(mb, n, m, table) ?:
	      (second_chance ? dp_prev_install(dp, vip_index, m, table)
			     : dp_prev_remove(dp, vip_index));
	if (err)
		goto cleanup;
	fd = dp_table_create("lb_maglev_tbl", m, table);
	if (fd < 0) {
		err = fd;
		goto cleanup;
	}
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_maglev), &vip_index, &fd, BPF_ANY))
		err = -errno;
	else
		dp->tables_built++;
cleanup:
	if (fd >= 0)
		close(fd);
	free(table);
	free(mb);
	return err;
}

static int dp_write_vip_info(struct dataplane *dp, const struct lb_vip_key *key,
			     const struct lb_vip_info *info)
{
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_vips), key, info, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Brings one VIP to its config. The larger table size is always in force:
 * growing installs the table before maglev_size, shrinking the other way
 * round, so hash % maglev_size never indexes past the table.
 */
static int dp_sync_vip(struct dataplane *dp, const struct cfg_vip *v, uint32_t idx, bool is_new)
{
	struct dp_vip *dv = &dp->vips[idx];
	struct lb_vip_info want = {};
	bool table_changed, info_changed, grow, sc;
	uint32_t *sig;
	size_t n;
	int err;

	want.vip_index = idx;
	want.flags = v->flags & (LB_VIP_F_HASH_ADDRS | LB_VIP_F_FAIL_OPEN);
	/* IPIP has no room to name a second backend: GUE only (docs/SECOND_CHANCE.md). */
	if (v->encap == LB_ENCAP_GUE && !v->no_second_chance)
		want.flags |= LB_VIP_F_SECOND_CHANCE;
	want.maglev_size = v->maglev_size ? v->maglev_size : LB_MAGLEV_DEFAULT_SIZE;
	want.encap = v->encap;
	want.gue_dport = htons(v->gue_port ? v->gue_port : LB_GUE_DEFAULT_PORT);

	err = dp_vip_sig(dp, v, idx, &sig, &n);
	if (err)
		return err;
	table_changed = is_new || !dv->table_known || dv->info.maglev_size != want.maglev_size ||
			dv->n_sig != n || memcmp(dv->sig, sig, n * 2 * sizeof(uint32_t));
	info_changed = is_new || memcmp(&dv->info, &want, sizeof(want));
	grow = is_new || want.maglev_size >= dv->info.maglev_size;

	sc = want.flags & LB_VIP_F_SECOND_CHANCE;
	if (table_changed && grow)
		err = dp_install_table(dp, idx, want.maglev_size, sig, n, sc);
	if (!err && info_changed)
		err = dp_write_vip_info(dp, &dv->key, &want);
	if (!err && table_changed && !grow)
		err = dp_install_table(dp, idx, want.maglev_size, sig, n, sc);
	if (err) {
		free(sig);
		dv->table_known = false;
		return err;
	}
	free(dv->sig);
	dv->sig = sig;
	dv->n_sig = n;
	dv->table_known = true;
	dv->info = want;
	return 0;
}

static int dp_remove_vip(struct dataplane *dp, uint32_t idx)
{
	struct dp_vip *dv = &dp->vips[idx];
	int err = 0;

	/* Entry first: no packet may find the VIP without its table. */
	if (bpf_map_delete_elem(bpf_map__fd(dp->skel->maps.lb_vips), &dv->key) && errno != ENOENT)
		err = -errno;
	if (bpf_map_delete_elem(bpf_map__fd(dp->skel->maps.lb_maglev), &idx) && errno != ENOENT)
		err = -errno;
	err = dp_prev_remove(dp, idx) ?: err;
	free(dv->sig);
	memset(dv, 0, sizeof(*dv));
	dv->freed_seq = ++dp->seq;
	return err;
}

static int dp_find_vip(const struct dataplane *dp, const struct lb_vip_key *key, uint32_t *idx)
{
	uint32_t i;

	for (i = 0; i < dp->vip_fresh; i++)
		if (dp->vips[i].used && !memcmp(&dp->vips[i].key, key, sizeof(*key))) {
			*idx = i;
			return 0;
		}
	return -ENOENT;
}

int dataplane_vip_index(const struct dataplane *dp, const struct cfg_vip *vip, uint32_t *idx)
{
	struct lb_vip_key key;

	dp_vip_key(vip, &key);
	return dp_find_vip(dp, &key, idx);
}

const char *dataplane_backend_state(const struct dataplane *dp, uint32_t idx)
{
	if (dp->be[idx].drain)
		return "drain";
	return dp->be[idx].nh_known && dp->be[idx].healthy ? "up" : "down";
}

/* One ICMP entry per VIP address, so ping and PTB work for every address served. */
static int dp_sync_icmp(struct dataplane *dp, const struct lb_config *cfg)
{
	int fd = bpf_map__fd(dp->skel->maps.lb_vips);
	struct lb_vip_key *want;
	size_t n = 0, i, j;
	int err = 0;

	want = calloc(cfg->n_vips ? cfg->n_vips : 1, sizeof(*want));
	if (!want)
		return -ENOMEM;
	for (i = 0; i < cfg->n_vips; i++) {
		const struct cfg_vip *v = &cfg->vips[i];
		struct lb_vip_key key = {}, vkey;
		struct lb_vip_info info = {}, cur;
		uint32_t idx = 0;

		dataplane_key_from_xaddr(&v->addr, key.addr, &key.family);
		key.proto = key.family == LB_AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		for (j = 0; j < n && memcmp(&want[j], &key, sizeof(key)); j++)
			;
		if (j < n)
			continue;
		want[n++] = key;
		dp_vip_key(v, &vkey);
		dp_find_vip(dp, &vkey, &idx);
		info.vip_index = idx;
		info.flags = LB_VIP_F_ICMP;
		if (!bpf_map_lookup_elem(fd, &key, &cur) && !memcmp(&cur, &info, sizeof(info)))
			continue;
		if (bpf_map_update_elem(fd, &key, &info, BPF_ANY))
			err = -errno;
	}
	for (i = 0; i < dp->n_icmp; i++) {
		for (j = 0; j < n && memcmp(&want[j], &dp->icmp[i], sizeof(want[j])); j++)
			;
		if (j == n && bpf_map_delete_elem(fd, &dp->icmp[i]) && errno != ENOENT)
			err = -errno;
	}
	memcpy(dp->icmp, want, n * sizeof(*want));
	dp->n_icmp = n;
	free(want);
	return err;
}

/* Overrides die with their backend (or VIP): a re-added address starts from the config. */
static void dp_prune_weights(struct dataplane *dp, const struct lb_config *cfg)
{
	size_t i, out = 0, v, b;

	for (i = 0; i < dp->n_weights; i++) {
		struct dp_weight *w = &dp->weights[i];
		bool keep = false;

		for (v = 0; v < cfg->n_vips && !keep; v++) {
			struct lb_vip_key key;

			dp_vip_key(&cfg->vips[v], &key);
			if (!w->any_vip && memcmp(&key, &w->vip, sizeof(key)))
				continue;
			for (b = 0; b < cfg->vips[v].n_backends && !keep; b++)
				keep = dp_xaddr_equal(&cfg->vips[v].backends[b].addr, &w->backend);
		}
		if (keep)
			dp->weights[out++] = *w;
	}
	dp->n_weights = out;
}

static void dp_weight_key(const struct dp_weight *w, struct lb_weight_key *key)
{
	memset(key, 0, sizeof(*key));
	dataplane_key_from_xaddr(&w->backend, key->backend.addr, &key->backend.family);
	key->any_vip = w->any_vip;
	if (!w->any_vip)
		key->vip = w->vip;
}

/* lb_weight_overrides := dp->weights, so that a restarted agent finds them (dp_state_adopt). */
static int dp_store_weights(struct dataplane *dp)
{
	int fd = bpf_map__fd(dp->skel->maps.lb_weight_overrides);
	struct lb_weight_key key;
	size_t i;

	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			return -errno;
	for (i = 0; i < dp->n_weights; i++) {
		dp_weight_key(&dp->weights[i], &key);
		if (bpf_map_update_elem(fd, &key, &dp->weights[i].weight, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int dp_adopt_weights(struct dataplane *dp)
{
	int fd = bpf_map__fd(dp->skel->maps.lb_weight_overrides);
	struct lb_weight_key key, *prev = NULL;
	struct dp_weight *w;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		w = realloc(dp->weights, (dp->n_weights + 1) * sizeof(*w));
		if (!w)
			return -ENOMEM;
		dp->weights = w;
		w = &dp->weights[dp->n_weights];
		memset(w, 0, sizeof(*w));
		if (bpf_map_lookup_elem(fd, &key, &w->weight))
			continue;
		w->backend.family = key.backend.family;
		memcpy(w->backend.addr, key.backend.addr, sizeof(key.backend.addr));
		w->any_vip = key.any_vip;
		w->vip = key.vip;
		dp->n_weights++;
	}
	return 0;
}

/*
 * A new pair of an address another pair already reaches takes its next hop:
 * one neighbour, asked once.
 */
static bool dp_copy_next_hop(struct dataplane *dp, uint32_t idx)
{
	uint32_t i;

	for (i = 1; i < dp->be_fresh; i++)
		if (i != idx && dp->be[i].used && dp->be[i].nh_known &&
		    dp_xaddr_equal(&dp->be[i].addr, &dp->be[idx].addr)) {
			dp_nh_take(dp, idx, i);
			return true;
		}
	return false;
}

/* One slot per (VIP, backend) pair; vip_idx[v] is cfg->vips[v]'s index in dataplane.vips. */
static int dp_apply_backends(struct dataplane *dp, const struct lb_config *cfg,
			     const uint32_t *vip_idx)
{
	int ids_fd = bpf_map__fd(dp->skel->maps.lb_backend_ids);
	size_t v, b;
	uint32_t i;
	int err;

	for (i = 1; i < dp->be_fresh; i++)
		dp->be[i].configured = false;
	for (v = 0; v < cfg->n_vips; v++) {
		const struct cfg_vip *cv = &cfg->vips[v];

		for (b = 0; b < cv->n_backends; b++) {
			const struct xaddr *a = &cv->backends[b].addr;
			struct lb_backend_key key = {};
			uint32_t idx = dp_pair_find(dp, vip_idx[v], a);
			bool is_new = !idx;
			struct dp_backend *be;

			if (is_new) {
				err = dp_add_backend(dp, vip_idx[v], a, &idx);
				if (err)
					return err;
				if (!dp_copy_next_hop(dp, idx))
					dp_resolve_one(dp, idx, dp_first_pair(dp, idx));
			}
			be = &dp->be[idx];
			be->configured = true;
			be->healthy =
			    !dp->health_up || dp->health_up(dp->health_ctx, cv, &cv->backends[b]);
			be->down_keeps_flows = cv->down_keeps_flows;
			/* Slot before id: whoever finds the id finds a filled slot. */
			err = dp_write_backend(dp, idx);
			if (err)
				return err;
			if (is_new) {
				dataplane_key_from_xaddr(a, key.addr, &key.family);
				key.vip_index = vip_idx[v];
				if (bpf_map_update_elem(ids_fd, &key, &idx, BPF_ANY))
					return -errno;
			}
		}
	}
	return 0;
}

static void dp_count_pending(struct dataplane *dp)
{
	uint32_t i;

	dp->nh_pending = dp->nh_retry = 0;
	for (i = 1; i < dp->be_fresh; i++) {
		const struct dp_backend *be = &dp->be[i];

		if (!be->used || be->nh_known)
			continue;
		dp->nh_pending++;
		dp->nh_retry += !be->nh_unreachable;
	}
}

/*
 * Empties every CPU's flow cache (bpf/lib/flow_cache.h): the cached VIP
 * entries and settings may have changed. Never 0, which turns the cache off.
 */
static int dp_bump_generation(struct dataplane *dp)
{
	int fd = bpf_map__fd(dp->skel->maps.lb_generation);
	uint32_t zero = 0, gen = 0;

	if (bpf_map_lookup_elem(fd, &zero, &gen))
		return -errno;
	gen = gen + 1 ? gen + 1 : 1;
	if (bpf_map_update_elem(fd, &zero, &gen, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Every VIP of cfg its index in dataplane.vips, before the pairs that name
 * it: a new one gets a free index (its lb_vips entry comes later, with its
 * table). No map a packet reads changes here.
 */
static int dp_claim_vips(struct dataplane *dp, const struct lb_config *cfg, uint32_t *vip_idx,
			 bool *is_new)
{
	struct lb_vip_key key;
	size_t v;
	uint32_t i;
	int err;

	for (i = 0; i < dp->vip_fresh; i++)
		dp->vips[i].configured = false;
	for (v = 0; v < cfg->n_vips; v++) {
		dp_vip_key(&cfg->vips[v], &key);
		is_new[v] = dp_find_vip(dp, &key, &vip_idx[v]) != 0;
		if (is_new[v]) {
			err = dp_alloc_vip(dp, &vip_idx[v]);
			if (err)
				return err;
			memset(&dp->vips[vip_idx[v]], 0, sizeof(dp->vips[vip_idx[v]]));
			dp->vips[vip_idx[v]].used = true;
			dp->vips[vip_idx[v]].key = key;
			dp_zero_percpu(dp, bpf_map__fd(dp->skel->maps.lb_vip_stats), vip_idx[v],
				       sizeof(struct lb_vip_stats));
		}
		dp->vips[vip_idx[v]].configured = true;
	}
	return 0;
}

static int dp_apply(struct dataplane *dp, const struct lb_config *cfg, uint32_t *vip_idx,
		    bool *is_new)
{
	bool removed = false;
	size_t v;
	uint32_t i;
	int err, ret = 0;

	dp_prune_weights(dp, cfg);
	err = dp_store_weights(dp);
	if (err)
		log_warnx("dataplane: lb_weight_overrides: %s (runtime weights will not survive "
			  "a restart)", strerror(-err));
	err = dp_claim_vips(dp, cfg, vip_idx, is_new);
	if (err)
		return err;
	err = dp_apply_backends(dp, cfg, vip_idx);
	if (err)
		return err;
	dp_write_settings(dp, cfg);
	/* Before any new VIP entry: the program must not filter out its first packets. */
	err = dp_filter_grow(dp, cfg);
	if (err)
		return err;

	for (v = 0; v < cfg->n_vips; v++) {
		const struct cfg_vip *cv = &cfg->vips[v];
		char label[128];

		err = dp_sync_vip(dp, cv, vip_idx[v], is_new[v]);
		if (err) {
			cfg_vip_label(cv, label, sizeof(label));
			log_warnx("dataplane: programming VIP %s: %s", label, strerror(-err));
			ret = err;
		}
	}
	for (i = 0; i < dp->vip_fresh; i++)
		if (dp->vips[i].used && !dp->vips[i].configured) {
			err = dp_remove_vip(dp, i);
			if (err)
				ret = err;
		}
	err = dp_sync_icmp(dp, cfg);
	if (err)
		ret = err;
	err = dp_filter_trim(dp, cfg);
	if (err)
		ret = err;
	/* Last: no table names a removed backend any more. */
	for (i = 1; i < dp->be_fresh; i++)
		if (dp->be[i].used && !dp->be[i].configured) {
			err = dp_remove_backend(dp, i);
			if (err)
				ret = err;
			removed = true;
		}
	if (removed)
		dp_be_hash_rebuild(dp);
	dp_count_pending(dp);
	/* Last, so no cache refills from a half-applied config under the new generation. */
	err = dp_bump_generation(dp);
	if (err) {
		log_warnx("dataplane: lb_generation: %s", strerror(-err));
		ret = err;
	}
	return ret;
}

/*
 * Says how many tables an apply rebuilt and how long it took from its start to
 * the last swap: how fast a reload or a backend going down reaches the packets
 * (bench/scale_config.sh reads it).
 */
int dataplane_apply(struct dataplane *dp, const struct lb_config *cfg)
{
	uint32_t *vip_idx = calloc(cfg->n_vips ? cfg->n_vips : 1, sizeof(*vip_idx));
	bool *is_new = calloc(cfg->n_vips ? cfg->n_vips : 1, sizeof(*is_new));
	uint64_t built = dp->tables_built, t0 = clock_now_ns();
	int err = -ENOMEM;

	if (vip_idx && is_new)
		err = dp_apply(dp, cfg, vip_idx, is_new);
	if (dp->tables_built != built)
		log_info("dataplane: %" PRIu64 " of %zu Maglev tables rebuilt and swapped in %.1f ms",
			 dp->tables_built - built, cfg->n_vips, (clock_now_ns() - t0) / 1e6);
	free(vip_idx);
	free(is_new);
	return err;
}

int dataplane_resolve(struct dataplane *dp, const struct lb_config *cfg, bool all)
{
	uint64_t now = clock_now_ms();
	bool changed = false;
	uint32_t i, h, *memo = dp->nh_memo;

	/* This pass's answers by address: a backend in several VIPs is asked for once. */
	memset(memo, 0, sizeof(dp->nh_memo));
	for (i = 1; i < dp->be_fresh; i++) {
		const struct dp_backend *be = &dp->be[i];

		/*
		 * Known MACs are checked on every change; unanswered neighbours only
		 * when their back-off is due, or every change would ask them all again.
		 */
		if (!be->used || (!be->nh_known && !be->nh_unreachable && now < be->nh_next_ms))
			continue;
		if (!all && (be->nh_known || be->nh_unreachable))
			continue;
		for (h = dp_be_hash_slot(0, &be->addr);
		     memo[h] && !dp_xaddr_equal(&dp->be[memo[h]].addr, &be->addr);
		     h = (h + 1) % DP_BE_HASH_SIZE)
			;
		if (memo[h]) {
			changed |= dp_nh_take(dp, i, memo[h]);
			continue;
		}
		memo[h] = i;
		changed |= dp_resolve_one(dp, i, true);
	}
	if (changed)
		return dataplane_apply(dp, cfg);
	dp_count_pending(dp);
	return 0;
}

static bool dp_configured_in(const struct cfg_vip *v, const struct xaddr *a)
{
	size_t b;

	for (b = 0; b < v->n_backends; b++)
		if (dp_xaddr_equal(&v->backends[b].addr, a))
			return true;
	return false;
}

uint32_t dataplane_pair_index(const struct dataplane *dp, const struct cfg_vip *vip,
			      const struct xaddr *addr)
{
	uint32_t vip_index;

	if (dataplane_vip_index(dp, vip, &vip_index))
		return 0;
	return dp_pair_find(dp, vip_index, addr);
}

int dataplane_set_drain(struct dataplane *dp, const struct lb_config *cfg,
			const struct xaddr *backend, const struct cfg_vip *vip, bool drain)
{
	bool found = false;
	size_t v;

	for (v = 0; v < cfg->n_vips; v++) {
		uint32_t idx;

		if (vip && vip != &cfg->vips[v])
			continue;
		idx = dataplane_pair_index(dp, &cfg->vips[v], backend);
		if (!idx)
			continue;
		dp->be[idx].drain = drain;
		found = true;
	}
	if (!found)
		return -ENOENT;
	return dataplane_apply(dp, cfg);
}

static bool dp_configured_anywhere(const struct lb_config *cfg, const struct xaddr *a)
{
	size_t v;

	for (v = 0; v < cfg->n_vips; v++)
		if (dp_configured_in(&cfg->vips[v], a))
			return true;
	return false;
}

int dataplane_set_weight(struct dataplane *dp, const struct lb_config *cfg,
			 const struct xaddr *backend, const struct cfg_vip *vip, uint32_t weight)
{
	struct dp_weight w = { .backend = *backend, .any_vip = !vip, .weight = weight }, *nw;
	size_t i;

	if (vip ? !dp_configured_in(vip, backend) : !dp_configured_anywhere(cfg, backend))
		return -ENOENT;
	if (vip)
		dp_vip_key(vip, &w.vip);
	/* A weight for every VIP replaces all earlier ones of that backend. */
	for (i = 0; i < dp->n_weights;) {
		struct dp_weight *o = &dp->weights[i];

		if (dp_xaddr_equal(&o->backend, backend) &&
		    (!vip || (!o->any_vip && !memcmp(&o->vip, &w.vip, sizeof(w.vip)))))
			*o = dp->weights[--dp->n_weights];
		else
			i++;
	}
	nw = realloc(dp->weights, (dp->n_weights + 1) * sizeof(*nw));
	if (!nw)
		return -ENOMEM;
	dp->weights = nw;
	dp->weights[dp->n_weights++] = w;
	return dataplane_apply(dp, cfg);
}

int dp_state_adopt(struct dataplane *dp)
{
	int ids_fd = bpf_map__fd(dp->skel->maps.lb_backend_ids);
	int be_fd = bpf_map__fd(dp->skel->maps.lb_backends);
	int vips_fd = bpf_map__fd(dp->skel->maps.lb_vips);
	struct lb_backend_key bk, *prev_bk = NULL;
	struct lb_vip_key vk, *prev_vk = NULL;
	size_t n_be = 0, n_vips = 0;
	uint32_t idx, key0 = 0;

	while (!bpf_map_get_next_key(ids_fd, prev_bk, &bk)) {
		prev_bk = &bk;
		if (bpf_map_lookup_elem(ids_fd, &bk, &idx) || !idx || idx >= LB_MAX_BACKENDS)
			continue;
		struct dp_backend *be = &dp->be[idx];
		static const uint8_t zero_mac[6];

		be->used = true;
		be->addr.family = bk.family;
		memcpy(be->addr.addr, bk.addr, sizeof(bk.addr));
		if (bpf_map_lookup_elem(be_fd, &idx, &be->slot))
			memset(&be->slot, 0, sizeof(be->slot));
		/* The ids entry says which pair the slot is, whatever the slot holds. */
		be->slot.vip_index = bk.vip_index;
		be->drain = be->slot.flags & LB_BE_F_DRAIN;
		be->nh_known = !(be->slot.flags & LB_BE_F_DOWN) &&
			       memcmp(be->slot.dmac, zero_mac, 6);
		if (idx >= dp->be_fresh)
			dp->be_fresh = idx + 1;
		n_be++;
	}
	while (!bpf_map_get_next_key(vips_fd, prev_vk, &vk)) {
		struct lb_vip_info info;

		prev_vk = &vk;
		if (bpf_map_lookup_elem(vips_fd, &vk, &info))
			continue;
		if (info.flags & LB_VIP_F_ICMP) {
			if (dp->n_icmp < LB_MAX_VIPS)
				dp->icmp[dp->n_icmp++] = vk;
			continue;
		}
		if (info.vip_index >= LB_MAX_VIPS)
			continue;
		dp->vips[info.vip_index].used = true;
		dp->vips[info.vip_index].key = vk;
		dp->vips[info.vip_index].info = info;
		if (info.vip_index >= dp->vip_fresh)
			dp->vip_fresh = info.vip_index + 1;
		n_vips++;
	}
	dp_be_hash_rebuild(dp);
	if (dp_filter_adopt(dp))
		log_warn("dataplane: reading the pinned lb_vip_filter");
	if (dp_adopt_weights(dp))
		log_warnx("dataplane: reading the pinned lb_weight_overrides: out of memory");
	if (!bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.lb_settings), &key0, &dp->settings))
		dp->hash_seed = dp->settings.hash_seed;
	if (n_be || n_vips)
		log_info("dataplane: adopted %zu backends and %zu VIPs from %s", n_be, n_vips,
			 dp->pin_dir);
	return 0;
}
