// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sync in the agent: opened on the data plane's maps, restarted by a reload
 * that changes what its messages carry, and shown to the control verbs
 * (counters, rejects by reason, the live peers).
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "common/log.h"
#include "core/agent.h"
#include "core/parts.h"
#include "core/sync_agent.h"
#include "dataplane/dataplane.h"

json_t *sync_agent_stats_json(const struct sync *s)
{
	const struct sync_stats *st;
	json_t *rejected, *out;
	int r;

	if (!s)
		return json_pack("{s:b, s:b}", "enabled", false, "in_sync", true);
	st = sync_get_stats(s);
	rejected = json_object();
	for (r = 1; r < SYNC_REJ_MAX; r++)
		json_object_set_new(rejected, sync_reject_name(r), json_integer(st->rejected[r]));
	out = json_pack(
	    "{s:b, s:b, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I}, "
	    "s:{s:I, s:I, s:I, s:I}, s:I, s:o, s:{s:I, s:I, s:I}}",
	    "enabled", true, "in_sync", sync_in_sync(s), "queue_depth",
	    (json_int_t)sync_queue_depth(s), "datagram_bytes", (json_int_t)sync_dgram_max(s),
	    "events", (json_int_t)st->events, "sent", "records", (json_int_t)st->records_sent,
	    "datagrams", (json_int_t)st->dgrams_sent, "heartbeats", (json_int_t)st->heartbeats_sent,
	    "dump_records", (json_int_t)st->dump_records_sent, "errors",
	    (json_int_t)st->send_errors, "queue_full", (json_int_t)st->queue_full, "received",
	    "records", (json_int_t)st->records_received, "datagrams",
	    (json_int_t)st->dgrams_received, "heartbeats", (json_int_t)st->heartbeats_received,
	    "dump_records", (json_int_t)st->dump_records_received, "applied",
	    (json_int_t)st->records_applied, "rejected", rejected, "dumps", "served",
	    (json_int_t)st->dumps_served, "requested", (json_int_t)st->dumps_requested, "asked",
	    (json_int_t)st->dump_requests_sent);
	return out;
}

json_t *sync_agent_peers_json(const struct sync *s)
{
	struct sync_peer_info info[SYNC_PEERS_MAX];
	json_t *list = json_array();
	size_t n = s ? sync_get_peers(s, info, SYNC_PEERS_MAX) : 0, i;

	for (i = 0; i < n && i < SYNC_PEERS_MAX; i++)
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:b, s:b}", "id",
				    (json_int_t)info[i].id, "zone", info[i].zone, "address",
				    info[i].addr, "last_seen_ms", (json_int_t)info[i].last_seen_ms,
				    "lag_records", (json_int_t)info[i].lag_records, "queue_depth",
				    (json_int_t)info[i].queue_depth, "in_sync", info[i].in_sync,
				    "dump_done", info[i].dump_done));
	return json_pack("{s:o}", "peers", list);
}

/* --- the part: sync on the data plane's maps ---------------------------------------------- */

/* Conntrack sync to the peers: reads lb_events, writes their flows into lb_conntrack. */
static int sync_agent_start(struct agent *a)
{
	const struct lb_config *cfg = &a->cfg;
	struct sync_params p = {
	    .cfg = &cfg->sync,
	    .node_id = cfg->node.id,
	    .zone = cfg->node.zone,
	    .ifname = cfg->sync.interface[0] ? cfg->sync.interface : cfg->node.interface,
	    .conntrack_fd = dataplane_map_fd(a->dp, "lb_conntrack"),
	    .backend_ids_fd = dataplane_map_fd(a->dp, "lb_backend_ids"),
	    .vips_fd = dataplane_map_fd(a->dp, "lb_vips"),
	    .events_fd = dataplane_map_fd(a->dp, "lb_events"),
	};

	if (!cfg->sync.enabled)
		return 0;
	a->sync = sync_open(&p);
	if (!a->sync)
		return -errno;
	return agent_epoll_add(a, sync_fd(a->sync));
}

static void sync_agent_stop(struct agent *a)
{
	if (!a->sync)
		return;
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, sync_fd(a->sync), NULL);
	sync_close(a->sync);
	a->sync = NULL;
}

/* Sync (it runs on a data plane) carries node id and zone in every message: a change of either
 * restarts it. */
static int sync_agent_reload(struct agent *a, const struct lb_config *next)
{
	a->sync_restart =
	    a->dp && (memcmp(&a->cfg.sync, &next->sync, sizeof(next->sync)) ||
		      a->cfg.node.id != next->node.id || strcmp(a->cfg.node.zone, next->node.zone));
	if (a->sync_restart)
		sync_agent_stop(a);
	return 0;
}

static int sync_agent_reloaded(struct agent *a, const struct lb_config *old)
{
	if (!a->sync_restart)
		return 0;
	a->sync_restart = false;
	return sync_agent_start(a);
}

static int sync_agent_fd(const struct agent *a)
{
	return a->sync ? sync_fd(a->sync) : -1;
}

static void sync_agent_event(struct agent *a)
{
	int err = sync_process(a->sync);

	if (err)
		log_warnx("agent: connection sync: %s", strerror(-err));
}

const struct agent_part agent_part_sync = {
    .name = "connection sync",
    .roles = AGENT_PART_BALANCER,
    .start = sync_agent_start,
    .reload = sync_agent_reload,
    .reload_always = true,
    .reloaded = sync_agent_reloaded,
    .stop = sync_agent_stop,
    .fd = sync_agent_fd,
    .event = sync_agent_event,
};
