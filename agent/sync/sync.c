// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sync transport. Two UDP sockets: one bound to the multicast group (records,
 * heartbeats and dump requests of every peer), one on an ephemeral port that
 * sends everything and receives the dumps peers send back to it by unicast.
 * Both, a timerfd, the lb_events ring buffer and a "more work" eventfd sit in
 * an epoll of our own, so the agent's loop watches one fd. Every call does a
 * bounded amount of work and leaves the eventfd readable when it stopped
 * early, so neither a flood of events nor a big dump can stall the agent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sodium.h>

#include "common/clock.h"
#include "config/config.h"
#include "config/config_sync.h"
#include "common/log.h"
#include "sync/sync_int.h"

#define SYNC_RECV_BATCH 64
#define SYNC_SOCKBUF	(4 << 20) /* absorbs a dump or a burst while the loop is busy */

int sync_key_load(const char *path, uint8_t key[SYNC_KEY_LEN], char *err, size_t errlen)
{
	uint8_t material[4096];
	ssize_t n;
	int fd, ret;

	ret = cfg_sync_check_key_file(path, err, errlen);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	n = read(fd, material, sizeof(material));
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (!ret)
		ret = sync_key_derive(material, n, key);
	if (ret)
		snprintf(err, errlen, "%s: cannot read a key of at least %d bytes", path,
			 SYNC_KEY_LEN);
	sodium_memzero(material, sizeof(material));
	return ret;
}

static void sync_fmt_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in *s4 = (const void *)ss;
	const struct sockaddr_in6 *s6 = (const void *)ss;
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
	snprintf(buf, len, "%s", a);
}

/* --- sending ------------------------------------------------------------------------------ */

static int sync_enqueue_heartbeat(struct sync *s)
{
	struct sync_qitem *q = sync_queue_slot(s, NULL, 0);
	struct sync_heartbeat hb = {
	    .records_sent = s->st.records_sent,
	    .queue_depth = s->q_len,
	};
	struct sync_hdr h;
	size_t i;
	int len;

	if (!q)
		return -ENOBUFS;
	for (i = 0; i < SYNC_PEERS_MAX; i++)
		hb.peers += s->peers[i].live;
	sync_hdr_init(s, &h, SYNC_MSG_HEARTBEAT, 0);
	len = sync_encode_heartbeat(q->buf, s->dgram_max, &h, &hb, s->key);
	if (len < 0)
		return len;
	q->len = len;
	s->q_len++;
	s->st.heartbeats_sent++;
	return 0;
}

static void sync_want_out(struct sync *s, bool want)
{
	struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.fd = s->uc_fd};

	if (want == s->want_out)
		return;
	if (!epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->uc_fd, &ev))
		s->want_out = want;
}

/* Sends from the head of the queue until it is empty or the socket is full. */
static void sync_send_queue(struct sync *s)
{
	struct mmsghdr msgs[SYNC_RECV_BATCH];
	struct iovec iov[SYNC_RECV_BATCH];
	size_t i, n;
	int sent;

	while (s->q_len) {
		n = s->q_len < SYNC_RECV_BATCH ? s->q_len : SYNC_RECV_BATCH;
		memset(msgs, 0, sizeof(msgs[0]) * n);
		for (i = 0; i < n; i++) {
			struct sync_qitem *q = &s->queue[(s->q_head + i) % SYNC_QUEUE_MAX];

			iov[i].iov_base = q->buf;
			iov[i].iov_len = q->len;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = q->unicast ? &q->to : &s->group;
			msgs[i].msg_hdr.msg_namelen = q->unicast ? q->tolen : s->grouplen;
		}
		sent = sendmmsg(s->uc_fd, msgs, n, MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/*
			 * A datagram the network refuses (no route yet, a full device queue:
			 * ENOBUFS, which EPOLLOUT would not wait out): drop it, go on. Peers
			 * see the loss in our heartbeat and ask for a dump.
			 */
			s->st.send_errors++;
			sent = 1;
		} else {
			s->st.dgrams_sent += sent;
		}
		s->q_head = (s->q_head + sent) % SYNC_QUEUE_MAX;
		s->q_len -= sent;
	}
	sync_want_out(s, s->q_len > 0);
}

static int sync_batch_out(struct sync *s)
{
	int err;

	if (!s->n_batch)
		return 0;
	err = sync_enqueue_records(s, SYNC_MSG_RECORDS, 0, NULL, 0, s->batch, s->n_batch);
	if (err == -ENOBUFS) {
		/* Make room by sending now; if the socket is full too, these records are lost. */
		sync_send_queue(s);
		err = sync_enqueue_records(s, SYNC_MSG_RECORDS, 0, NULL, 0, s->batch, s->n_batch);
	}
	if (err)
		s->st.queue_full += s->n_batch;
	else
		s->st.records_sent += s->n_batch;
	s->n_batch = 0;
	return err;
}

int sync_queue_flow(struct sync *s, const struct lb_flow_event *ev)
{
	sync_record_from_event(&s->batch[s->n_batch++], ev);
	if (s->n_batch < s->per_dgram)
		return 0;
	return sync_batch_out(s);
}

void sync_flush(struct sync *s)
{
	sync_batch_out(s);
	sync_send_queue(s);
}

/* --- receiving ---------------------------------------------------------------------------- */

/*
 * A peer's slot, live or gone: a gone peer keeps its replay window, so its
 * datagrams recorded before it went silent cannot be replayed once it has.
 * A new peer takes a free slot, else the one gone longest.
 */
static struct sync_peer *sync_peer_get(struct sync *s, uint32_t id, bool create)
{
	struct sync_peer *slot = NULL;
	size_t i;

	for (i = 0; i < SYNC_PEERS_MAX; i++) {
		struct sync_peer *p = &s->peers[i];

		if (p->used && p->id == id)
			return p;
		if (p->live)
			continue;
		if (!slot || (slot->used && (!p->used || p->last_seen_ms < slot->last_seen_ms)))
			slot = p;
	}
	if (!create || !slot)
		return NULL;
	memset(slot, 0, sizeof(*slot));
	slot->used = true;
	slot->id = id;
	return slot;
}

static void sync_dump_start(struct sync *s, struct sync_peer *p, uint32_t gen, bool acks)
{
	struct sync_dump *d = NULL;
	size_t i;

	for (i = 0; i < SYNC_DUMPS_MAX; i++) {
		if (s->dumps[i].active && s->dumps[i].target_id == p->id) {
			d = &s->dumps[i]; /* it restarted mid-dump: start over for its new run */
			break;
		}
		if (!s->dumps[i].active && !d)
			d = &s->dumps[i];
	}
	if (!d) {
		log_warnx("sync: node %u asks for a dump, %d are already running: later", p->id,
			  SYNC_DUMPS_MAX);
		return;
	}
	ct_walk_close(d->walk);
	d->walk = ct_walk_open(s->p.conntrack_fd, SYNC_DUMP_CHUNK);
	if (!d->walk) {
		log_warn("sync: dump for node %u", p->id);
		d->active = false;
		return;
	}
	p->served_epoch = p->win.epoch;
	p->served_gen = gen;
	d->active = true;
	d->target_id = p->id;
	d->to = p->addr;
	d->tolen = p->addrlen;
	d->n_batch = 0;
	d->records = 0;
	d->pos = 0;
	d->acks = acks;
	d->waiting = false;
	d->acked = 0;
	d->last_ack_ms = d->started_ms = clock_now_ms();
	d->waits = 0;
	s->st.dumps_requested++;
}

/* The requester of our dump to p has `records` of it: the window moves on. */
static void sync_dump_acked(struct sync *s, const struct sync_peer *p, uint64_t records)
{
	size_t i;

	for (i = 0; i < SYNC_DUMPS_MAX; i++) {
		struct sync_dump *d = &s->dumps[i];

		if (!d->active || d->target_id != p->id)
			continue;
		/* Never past what was sent: d->records - d->acked must not wrap. */
		if (records > d->acked)
			d->acked = records < d->records ? records : d->records;
		d->last_ack_ms = clock_now_ms();
		d->waiting = false;
	}
}

/* Asks every peer for a dump (multicast); numbered so that a repeat is served once. */
static void sync_request_dump(struct sync *s, bool again)
{
	size_t i;

	/* A new request is served anew: acks count from 0, as the peers' new dumps do. */
	if (again) {
		s->dump_gen++;
		for (i = 0; i < SYNC_PEERS_MAX; i++)
			s->peers[i].dump_rx = s->peers[i].dump_rx_acked = 0;
	}
	s->last_request_ms = clock_now_ms();
	if (!sync_enqueue_records(s, SYNC_MSG_DUMP_REQUEST, s->dump_gen, NULL, 0, NULL, 0))
		s->st.dump_requests_sent++;
}

/*
 * Records a peer says it sent never arrived (its heartbeat's count is ahead of
 * ours): sync was broken, so ask for a dump again, at most once per
 * dump_timeout. The node stays in sync meanwhile: it still holds everything
 * else, and withdrawing it for a few lost records would move traffic for nothing.
 */
static void sync_check_lag(struct sync *s, struct sync_peer *p)
{
	uint64_t now = clock_now_ms();

	/* What it sent before we first heard it is not a loss: that is what the dump is for. */
	if (!p->hb_seen) {
		p->hb_seen = true;
		p->lag_base = p->lag_seen = p->lag_records;
		return;
	}
	if (!s->in_sync) {
		p->lag_seen = p->lag_records;
		return;
	}
	if (p->lag_records <= p->lag_seen)
		return;
	if (now - s->last_request_ms < s->cfg.dump_timeout_ms)
		return;
	log_warnx("sync: %llu records from node %u lost: asking for a dump",
		  (unsigned long long)(p->lag_records - p->lag_seen), p->id);
	p->lag_seen = p->lag_records;
	sync_request_dump(s, true);
}

static void sync_handle_records(struct sync *s, struct sync_peer *p, const void *buf,
				const struct sync_hdr *h)
{
	sync_apply_records(s, buf, h->count);
	if (h->type == SYNC_MSG_RECORDS) {
		s->st.records_received += h->count;
		p->records_received += h->count;
	} else {
		s->st.dump_records_received += h->count;
		s->last_dump_rx_ms = p->last_seen_ms;
		p->dump_rx += h->count;
		/* Sent now, not after this receive batch: the dumping peer waits for it. */
		if (h->flags & SYNC_HDR_F_ACKS &&
		    p->dump_rx - p->dump_rx_acked >= SYNC_DUMP_ACK_EVERY &&
		    !sync_enqueue_dump_ack(s, p))
			sync_send_queue(s);
	}
}

enum sync_reject sync_handle_dgram(struct sync *s, const void *buf, size_t len,
				   const struct sockaddr *from, socklen_t fromlen)
{
	struct sync_heartbeat hb;
	struct sync_peer *p;
	struct sync_hdr h;
	enum sync_reject why;

	why = sync_decode(buf, len, s->key, &h);
	if (!why && h.node_id == s->p.node_id)
		why = SYNC_REJ_OWN;
	if (!why &&
	    (h.type == SYNC_MSG_DUMP_PART || h.type == SYNC_MSG_DUMP_END ||
	     h.type == SYNC_MSG_DUMP_ACK) &&
	    h.target_id != s->p.node_id)
		why = SYNC_REJ_NOT_FOR_US;
	p = why ? NULL : sync_peer_get(s, h.node_id, true);
	if (!why && !p)
		why = SYNC_REJ_TOO_MANY_PEERS;
	if (!why)
		why = sync_window_check(&p->win, h.epoch, h.seq);
	if (why) {
		s->st.rejected[why]++;
		return why;
	}
	if (h.epoch > p->win.epoch) {
		p->records_received = 0;
		p->lag_seen = 0;
		p->hb_seen = false;
		p->dump_done = false;
		p->dump_rx = p->dump_rx_acked = 0;
	}
	sync_window_commit(&p->win, h.epoch, h.seq);
	if (!p->live)
		log_info("sync: peer node %u (zone %s) is live", h.node_id, h.zone);
	p->live = true;
	memcpy(p->zone, h.zone, sizeof(p->zone));
	if (fromlen <= sizeof(p->addr)) {
		memcpy(&p->addr, from, fromlen);
		p->addrlen = fromlen;
	}
	p->last_seen_ms = clock_now_ms();
	p->in_sync = h.flags & SYNC_HDR_F_IN_SYNC;
	s->st.dgrams_received++;

	switch (h.type) {
	case SYNC_MSG_RECORDS:
	case SYNC_MSG_DUMP_PART:
		sync_handle_records(s, p, buf, &h);
		break;
	case SYNC_MSG_HEARTBEAT:
		sync_decode_heartbeat(buf, &hb);
		s->st.heartbeats_received++;
		p->queue_depth = hb.queue_depth;
		p->lag_records = hb.records_sent > p->records_received
				     ? hb.records_sent - p->records_received
				     : 0;
		sync_check_lag(s, p);
		break;
	case SYNC_MSG_DUMP_REQUEST:
		/* A request names its number in target_id: each is served once. */
		if (p->served_epoch != h.epoch || p->served_gen != h.target_id)
			sync_dump_start(s, p, h.target_id, h.flags & SYNC_HDR_F_ACKS);
		break;
	case SYNC_MSG_DUMP_ACK:
		sync_dump_acked(s, p, sync_decode_dump_ack(buf));
		break;
	case SYNC_MSG_DUMP_END:
		if (!p->dump_done)
			log_info("sync: dump from node %u is in", p->id);
		p->dump_done = true;
		break;
	}
	return SYNC_REJ_NONE;
}

/* Reads what one socket holds, at most `budget` datagrams; false when it stopped early. */
static bool sync_recv_socket(struct sync *s, int fd, unsigned int *budget)
{
	static uint8_t bufs[SYNC_RECV_BATCH][SYNC_DGRAM_MAX + 1];
	struct sockaddr_storage from[SYNC_RECV_BATCH];
	struct mmsghdr msgs[SYNC_RECV_BATCH];
	struct iovec iov[SYNC_RECV_BATCH];
	int n, i;

	while (*budget) {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < SYNC_RECV_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, msgs, SYNC_RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return true;
		for (i = 0; i < n; i++) {
			/* A datagram larger than the buffer arrives cut: length says oversize. */
			size_t len = msgs[i].msg_hdr.msg_flags & MSG_TRUNC ? SYNC_DGRAM_MAX + 1
									   : msgs[i].msg_len;

			sync_handle_dgram(s, bufs[i], len, (struct sockaddr *)&from[i],
					  msgs[i].msg_hdr.msg_namelen);
		}
		*budget = *budget > (unsigned int)n ? *budget - n : 0;
	}
	return false;
}

/* --- timers: heartbeats, peers, catch-up ---------------------------------------------------- */

static void sync_check_in_sync(struct sync *s, uint64_t now)
{
	uint64_t grace = s->cfg.heartbeat_ms + s->cfg.heartbeat_ms / 2;
	/* A dump still coming in holds the timeout off: 10M flows take longer than it. */
	uint64_t quiet_since =
	    s->last_dump_rx_ms > s->started_ms ? s->last_dump_rx_ms : s->started_ms;
	size_t i, live = 0, done = 0;

	if (s->in_sync)
		return;
	for (i = 0; i < SYNC_PEERS_MAX; i++) {
		if (!s->peers[i].live)
			continue;
		live++;
		done += s->peers[i].dump_done;
	}
	/* Wait one heartbeat and a half to hear every live peer before trusting "all done". */
	if (now - s->started_ms >= grace && done == live) {
		s->in_sync = true;
		log_info("sync: in sync: dumps in from %zu peer(s) after %llu ms", live,
			 (unsigned long long)(now - s->started_ms));
	} else if (now - quiet_since >= s->cfg.dump_timeout_ms) {
		s->in_sync = true;
		log_warnx("sync: in sync by timeout (%u ms without a dump part): %zu of %zu "
			  "peer(s) sent their dump",
			  s->cfg.dump_timeout_ms, done, live);
	}
}

static void sync_expire_peers(struct sync *s, uint64_t now)
{
	size_t i;

	for (i = 0; i < SYNC_PEERS_MAX; i++) {
		struct sync_peer *p = &s->peers[i];

		if (!p->live || now - p->last_seen_ms < s->cfg.peer_timeout_ms)
			continue;
		log_warnx("sync: peer node %u (zone %s) silent for %llu ms: gone", p->id, p->zone,
			  (unsigned long long)(now - p->last_seen_ms));
		p->live = false;
	}
}

static void sync_on_timer(struct sync *s)
{
	uint64_t expirations, now = clock_now_ms();

	if (read(s->timer_fd, &expirations, sizeof(expirations)) < 0)
		return;
	sync_expire_peers(s, now);
	sync_check_in_sync(s, now);
	if (now - s->last_hb_ms < s->cfg.heartbeat_ms)
		return;
	s->last_hb_ms = now;
	sync_batch_out(s);
	sync_enqueue_heartbeat(s);
	/* Peers met after our first request hear it again; each request is served once. */
	if (!s->in_sync)
		sync_request_dump(s, false);
}

/* --- the loop ------------------------------------------------------------------------------- */

static int sync_on_event(void *ctx, void *data, size_t size)
{
	struct sync *s = ctx;

	if (size < sizeof(struct lb_flow_event))
		return 0;
	s->st.events++;
	sync_queue_flow(s, data);
	/* Negative stops ring_buffer__consume with this record taken: our budget is spent. */
	return --s->event_budget ? 0 : -ENOSPC;
}

static void sync_kick(struct sync *s, bool more)
{
	uint64_t v = 1;

	if (more && write(s->kick_fd, &v, sizeof(v)) < 0)
		log_warn("sync: eventfd");
}

int sync_process(struct sync *s)
{
	unsigned int budget = SYNC_RECV_BUDGET;
	bool more = false;
	uint64_t v;
	size_t i;
	int err;

	if (read(s->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	sync_on_timer(s);
	more |= !sync_recv_socket(s, s->mc_fd, &budget);
	more |= !sync_recv_socket(s, s->uc_fd, &budget);
	if (s->rb) {
		s->event_budget = SYNC_EVENT_BUDGET;
		err = ring_buffer__consume(s->rb);
		if (err == -ENOSPC)
			more = true;
		else if (err < 0)
			log_warnx("sync: reading lb_events: %s", strerror(-err));
	}
	sync_flush(s);
	for (i = 0; i < SYNC_DUMPS_MAX; i++) {
		if (!s->dumps[i].active)
			continue;
		sync_dump_step(s, &s->dumps[i], SYNC_DUMP_BUDGET);
		/* A dump waiting for queue room resumes on EPOLLOUT, for an ack on its arrival. */
		more |= s->dumps[i].active && !s->dumps[i].waiting && s->q_len < SYNC_QUEUE_MAX;
	}
	sync_send_queue(s);
	sync_kick(s, more);
	return 0;
}

/* --- setup -------------------------------------------------------------------------------- */

static int sync_epoll_add(struct sync *s, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int sync_if_mtu(const char *ifname)
{
	struct ifreq ifr = {};
	int fd, mtu = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	else
		mtu = -errno;
	close(fd);
	return mtu;
}

static int sync_setsockopt(int fd, int level, int opt, const void *val, socklen_t len,
			   const char *what)
{
	if (!setsockopt(fd, level, opt, val, len))
		return 0;
	log_warn("sync: setsockopt %s", what);
	return -errno;
}

/* Big buffers absorb a dump or a burst while the loop is busy; root may pass rmem_max. */
static void sync_sockbuf(int fd, bool send)
{
	int size = SYNC_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, send ? SO_SNDBUFFORCE : SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, send ? SO_SNDBUF : SO_RCVBUF, &size, sizeof(size));
}

/* The group socket: bound to the group and port, joined on the interface. */
static int sync_open_mc(struct sync *s)
{
	int one = 1, err;

	s->mc_fd = socket(s->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->mc_fd < 0)
		return -errno;
	err =
	    sync_setsockopt(s->mc_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one), "SO_REUSEADDR");
	if (!err)
		sync_sockbuf(s->mc_fd, false);
	if (!err && s->family == AF_INET6)
		err = sync_setsockopt(s->mc_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one),
				      "IPV6_V6ONLY");
	if (err)
		return err;
	if (bind(s->mc_fd, (struct sockaddr *)&s->group, s->grouplen)) {
		log_warn("sync: binding the group socket");
		return -errno;
	}
	if (s->family == AF_INET) {
		struct ip_mreqn mr = {
		    .imr_multiaddr = ((struct sockaddr_in *)&s->group)->sin_addr,
		    .imr_ifindex = s->ifindex,
		};

		return sync_setsockopt(s->mc_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr),
				       "IP_ADD_MEMBERSHIP");
	}
	struct ipv6_mreq mr6 = {
	    .ipv6mr_multiaddr = ((struct sockaddr_in6 *)&s->group)->sin6_addr,
	    .ipv6mr_interface = s->ifindex,
	};

	return sync_setsockopt(s->mc_fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr6, sizeof(mr6),
			       "IPV6_ADD_MEMBERSHIP");
}

/* The sending socket: multicast out of the interface with our TTL, loop off. */
static int sync_open_uc(struct sync *s)
{
	int loop = s->p.multicast_loop, ttl = s->cfg.ttl;
	struct sockaddr_storage any = {.ss_family = s->family};
	int err;

	s->uc_fd = socket(s->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->uc_fd < 0)
		return -errno;
	sync_sockbuf(s->uc_fd, false);
	sync_sockbuf(s->uc_fd, true);
	if (s->family == AF_INET) {
		struct ip_mreqn mr = {.imr_ifindex = s->ifindex};

		err = sync_setsockopt(s->uc_fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr),
				      "IP_MULTICAST_IF");
		if (!err)
			err = sync_setsockopt(s->uc_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
					      sizeof(ttl), "IP_MULTICAST_TTL");
		if (!err)
			err = sync_setsockopt(s->uc_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop,
					      sizeof(loop), "IP_MULTICAST_LOOP");
	} else {
		int one = 1, idx = s->ifindex;

		err = sync_setsockopt(s->uc_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one),
				      "IPV6_V6ONLY");
		if (!err)
			err = sync_setsockopt(s->uc_fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx,
					      sizeof(idx), "IPV6_MULTICAST_IF");
		if (!err)
			err = sync_setsockopt(s->uc_fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
					      sizeof(ttl), "IPV6_MULTICAST_HOPS");
		if (!err)
			err = sync_setsockopt(s->uc_fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop,
					      sizeof(loop), "IPV6_MULTICAST_LOOP");
	}
	if (err)
		return err;
	if (bind(s->uc_fd, (struct sockaddr *)&any,
		 s->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)))
		return -errno;
	return 0;
}

static int sync_open_group(struct sync *s)
{
	const struct xaddr *g = &s->cfg.group;

	memset(&s->group, 0, sizeof(s->group));
	if (g->family == LB_AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&s->group;

		s->family = s4->sin_family = AF_INET;
		s4->sin_port = htons(s->cfg.port);
		memcpy(&s4->sin_addr, g->addr, 4);
		s->grouplen = sizeof(*s4);
	} else if (g->family == LB_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&s->group;

		s->family = s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(s->cfg.port);
		memcpy(&s6->sin6_addr, g->addr, 16);
		s6->sin6_scope_id = s->ifindex; /* link-local groups need the interface */
		s->grouplen = sizeof(*s6);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int sync_open_bufs(struct sync *s)
{
	int mtu = sync_if_mtu(s->p.ifname);
	size_t i, hdr = s->family == AF_INET ? 20 + 8 : 40 + 8;

	if (mtu < 0)
		return mtu;
	/* One datagram per packet on the sync link: no IP fragments to lose halves of. */
	s->dgram_max = (size_t)mtu > hdr + SYNC_DGRAM_MIN + SYNC_REC_LEN
			   ? mtu - hdr
			   : SYNC_DGRAM_MIN + SYNC_REC_LEN;
	if (s->dgram_max > SYNC_DGRAM_MAX)
		s->dgram_max = SYNC_DGRAM_MAX;
	s->per_dgram = sync_records_per_dgram(s->dgram_max);
	s->batch = calloc(s->per_dgram, sizeof(*s->batch));
	s->ct_keys = calloc(s->per_dgram, sizeof(*s->ct_keys));
	s->ct_vals = calloc(s->per_dgram, sizeof(*s->ct_vals));
	if (!s->batch || !s->ct_keys || !s->ct_vals)
		return -ENOMEM;
	for (i = 0; i < SYNC_QUEUE_MAX; i++) {
		s->queue[i].buf = malloc(s->dgram_max);
		if (!s->queue[i].buf)
			return -ENOMEM;
	}
	for (i = 0; i < SYNC_DUMPS_MAX; i++) {
		s->dumps[i].batch = calloc(s->per_dgram, sizeof(*s->dumps[i].batch));
		if (!s->dumps[i].batch)
			return -ENOMEM;
	}
	return 0;
}

static int sync_open_loop(struct sync *s)
{
	uint64_t tick_ms = s->cfg.heartbeat_ms / 4;
	struct itimerspec its;
	int err;

	if (tick_ms < 10)
		tick_ms = 10;
	if (tick_ms > 100)
		tick_ms = 100;
	its.it_interval.tv_sec = its.it_value.tv_sec = tick_ms / 1000;
	its.it_interval.tv_nsec = its.it_value.tv_nsec = (tick_ms % 1000) * 1000000L;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->epfd < 0 || s->timer_fd < 0 || s->kick_fd < 0)
		return -errno;
	if (timerfd_settime(s->timer_fd, 0, &its, NULL))
		return -errno;
	err = sync_epoll_add(s, s->mc_fd);
	if (!err)
		err = sync_epoll_add(s, s->uc_fd);
	if (!err)
		err = sync_epoll_add(s, s->timer_fd);
	if (!err)
		err = sync_epoll_add(s, s->kick_fd);
	if (err || s->p.events_fd < 0)
		return err;
	s->rb = ring_buffer__new(s->p.events_fd, sync_on_event, s, NULL);
	if (!s->rb)
		return -errno;
	return sync_epoll_add(s, ring_buffer__epoll_fd(s->rb));
}

struct sync *sync_open(const struct sync_params *p)
{
	char why[CFG_ERR_MAX];
	struct timespec ts;
	struct sync *s;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->p = *p;
	s->cfg = *p->cfg;
	s->epfd = s->mc_fd = s->uc_fd = s->timer_fd = s->kick_fd = -1;
	snprintf(s->zone, sizeof(s->zone), "%s", p->zone);
	if (p->key) {
		memcpy(s->key, p->key, SYNC_KEY_LEN);
	} else {
		err = sync_key_load(s->cfg.key_file, s->key, why, sizeof(why));
		if (err) {
			log_warnx("sync: key: %s", why);
			goto cleanup;
		}
	}
	s->ifindex = if_nametoindex(p->ifname);
	if (!s->ifindex) {
		err = -errno;
		log_warnx("sync: interface %s: %s", p->ifname, strerror(errno));
		goto cleanup;
	}
	err = sync_open_group(s);
	if (!err)
		err = sync_open_bufs(s);
	if (!err)
		err = sync_open_mc(s);
	if (!err)
		err = sync_open_uc(s);
	if (!err)
		err = sync_open_loop(s);
	if (err) {
		log_warnx("sync: opening the channel on %s: %s", p->ifname, strerror(-err));
		goto cleanup;
	}
	/* Wall clock at start: a restarted node's epoch is larger, its old datagrams are not. */
	clock_gettime(CLOCK_REALTIME, &ts);
	s->epoch = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	s->started_ms = s->last_hb_ms = clock_now_ms();
	s->dump_gen = 1;
	sync_enqueue_heartbeat(s);
	sync_request_dump(s, false);
	sync_send_queue(s);
	log_info("sync: node %u on %s, group port %u, %zu records per datagram, catching up",
		 p->node_id, p->ifname, s->cfg.port, s->per_dgram);
	return s;
cleanup:
	sync_close(s);
	errno = -err;
	return NULL;
}

void sync_close(struct sync *s)
{
	size_t i;

	if (!s)
		return;
	ring_buffer__free(s->rb);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->mc_fd >= 0)
		close(s->mc_fd);
	if (s->uc_fd >= 0)
		close(s->uc_fd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	if (s->kick_fd >= 0)
		close(s->kick_fd);
	for (i = 0; i < SYNC_QUEUE_MAX; i++)
		free(s->queue[i].buf);
	for (i = 0; i < SYNC_DUMPS_MAX; i++) {
		free(s->dumps[i].batch);
		ct_walk_close(s->dumps[i].walk);
	}
	free(s->batch);
	free(s->ct_keys);
	free(s->ct_vals);
	sodium_memzero(s->key, sizeof(s->key));
	free(s);
}

int sync_fd(const struct sync *s)
{
	return s->epfd;
}

bool sync_in_sync(const struct sync *s)
{
	return s->in_sync;
}

const struct sync_stats *sync_get_stats(const struct sync *s)
{
	return &s->st;
}

size_t sync_queue_depth(const struct sync *s)
{
	return s->q_len;
}

size_t sync_dgram_max(const struct sync *s)
{
	return s->dgram_max;
}

size_t sync_get_peers(const struct sync *s, struct sync_peer_info *out, size_t max)
{
	uint64_t now = clock_now_ms();
	size_t i, n = 0;

	for (i = 0; i < SYNC_PEERS_MAX; i++) {
		const struct sync_peer *p = &s->peers[i];

		if (!p->live)
			continue;
		if (n < max) {
			struct sync_peer_info *o = &out[n];

			memset(o, 0, sizeof(*o));
			o->id = p->id;
			memcpy(o->zone, p->zone, sizeof(o->zone));
			sync_fmt_sockaddr(&p->addr, o->addr, sizeof(o->addr));
			o->last_seen_ms = now - p->last_seen_ms;
			o->lag_records =
			    p->lag_records > p->lag_base ? p->lag_records - p->lag_base : 0;
			o->queue_depth = p->queue_depth;
			o->in_sync = p->in_sync;
			o->dump_done = p->dump_done;
		}
		n++;
	}
	return n;
}
