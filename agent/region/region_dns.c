// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * RFC 2136 updates and zone transfers with libknot (Knot DNS's library), every message signed
 * with the TSIG key of region.tsig_key_file and every reply's signature verified: a reply that
 * is not signed by that key, or whose MAC does not match, counts as a failed exchange.
 * Everything goes over TCP: a transfer needs it anyway, an update of many records never meets
 * truncation, and a server that is down refuses at once instead of leaving a datagram
 * unanswered until the timeout. libknot builds and parses the messages; the framing (a 2-byte
 * length before each message) and the socket are here, each exchange bounded by
 * region.timeout as a whole.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <libknot/libknot.h>

#include "region/region_dns.h"

#define REGION_DNS_MAC_MAX 64 /* hmac-sha512's */

struct region_dns {
	knot_tsig_key_t key;
};

/* One exchange: the connection, its deadline, and the MAC the next reply must chain to. */
struct region_dns_xchg {
	int fd;
	struct timespec deadline;
	uint16_t id;
	uint8_t mac[REGION_DNS_MAC_MAX];
	size_t mac_len;
	uint64_t signed_at; /* the last verified reply's time signed, 0 before the first */
	uint8_t buf[KNOT_WIRE_MAX_PKTSIZE];
};

struct region_dns *region_dns_open(const struct cfg_region *r, const struct cfg_tsig_key *key)
{
	struct region_dns *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (knot_tsig_key_init(&d->key, key->algorithm, key->name, key->secret) != KNOT_EOK) {
		free(d);
		errno = EINVAL;
		return NULL;
	}
	return d;
}

void region_dns_close(struct region_dns *d)
{
	if (!d)
		return;
	knot_tsig_key_deinit(&d->key);
	free(d);
}

/* Milliseconds left before the deadline, 0 when past. */
static int region_dns_left(const struct region_dns_xchg *x)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (x->deadline.tv_sec - now.tv_sec) * 1000LL +
	     (x->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

static int region_dns_wait(const struct region_dns_xchg *x, short events)
{
	struct pollfd p = {.fd = x->fd, .events = events};
	int n;

	do
		n = poll(&p, 1, region_dns_left(x));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

/* Connected to the server, or -errno. */
static int region_dns_connect(struct region_dns_xchg *x, const struct cfg_region *r)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(r->port)};
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(r->port)};
	bool v4 = r->server.family == LB_AF_INET;
	int ret, soerr = 0;
	socklen_t len = sizeof(soerr);

	clock_gettime(CLOCK_MONOTONIC, &x->deadline);
	x->deadline.tv_sec += r->timeout_ms / 1000;
	x->deadline.tv_nsec += (r->timeout_ms % 1000) * 1000000L;
	if (x->deadline.tv_nsec >= 1000000000L) {
		x->deadline.tv_sec++;
		x->deadline.tv_nsec -= 1000000000L;
	}
	s4.sin_addr.s_addr = r->server.addr[0];
	memcpy(&s6.sin6_addr, r->server.addr, sizeof(s6.sin6_addr));
	x->fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0)
		return -errno;
	if (!connect(x->fd, v4 ? (struct sockaddr *)&s4 : (struct sockaddr *)&s6,
		     v4 ? sizeof(s4) : sizeof(s6)))
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	ret = region_dns_wait(x, POLLOUT);
	if (ret)
		return ret;
	if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	return -soerr;
}

static int region_dns_send(struct region_dns_xchg *x, const uint8_t *wire, size_t size)
{
	uint8_t *out = malloc(size + 2);
	size_t off = 0;
	ssize_t n;
	int ret = 0;

	if (!out)
		return -ENOMEM;
	out[0] = size >> 8;
	out[1] = size & 0xff;
	memcpy(out + 2, wire, size);
	while (!ret && off < size + 2) {
		n = send(x->fd, out + off, size + 2 - off, MSG_NOSIGNAL);
		if (n >= 0)
			off += n;
		else if (errno == EAGAIN || errno == EINTR)
			ret = region_dns_wait(x, POLLOUT);
		else
			ret = -errno;
	}
	free(out);
	return ret;
}

/* Exactly len bytes into buf: 0, -ECONNRESET when the server closed first, or -errno. */
static int region_dns_recv_all(struct region_dns_xchg *x, uint8_t *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int ret = 0;

	while (!ret && off < len) {
		n = recv(x->fd, buf + off, len - off, 0);
		if (n > 0)
			off += n;
		else if (!n)
			ret = -ECONNRESET;
		else if (errno == EAGAIN || errno == EINTR)
			ret = region_dns_wait(x, POLLIN);
		else
			ret = -errno;
	}
	return ret;
}

/* The next message into x->buf, parsed (its TSIG taken off the wire into tsig_rr). */
static int region_dns_recv(struct region_dns_xchg *x, knot_pkt_t **reply, const char **why)
{
	uint8_t hdr[2];
	int ret = region_dns_recv_all(x, hdr, sizeof(hdr));

	if (!ret)
		ret = region_dns_recv_all(x, x->buf, hdr[0] << 8 | hdr[1]);
	if (ret) {
		*why = ret == -ECONNRESET ? "connection closed" : strerror(-ret);
		return -EIO;
	}
	*reply = knot_pkt_new(x->buf, hdr[0] << 8 | hdr[1], NULL);
	if (!*reply)
		return -ENOMEM;
	if (knot_pkt_parse(*reply, 0) != KNOT_EOK || !knot_wire_get_qr((*reply)->wire) ||
	    knot_wire_get_id((*reply)->wire) != x->id) {
		*why = "malformed reply";
		return -EIO;
	}
	return 0;
}

/*
 * A query for zone (opcode, qtype) with room for its TSIG; the caller adds the records, then
 * region_dns_exchange signs and sends it.
 */
static knot_pkt_t *region_dns_query(struct region_dns *d, struct region_dns_xchg *x,
				    const char *zone, int opcode, uint16_t qtype)
{
	knot_pkt_t *q = knot_pkt_new(NULL, KNOT_WIRE_MAX_PKTSIZE, NULL);
	knot_dname_storage_t qname;

	if (!q)
		return NULL;
	if (getrandom(&x->id, sizeof(x->id), 0) != sizeof(x->id))
		x->id = (uint16_t)rand();
	knot_wire_set_id(q->wire, x->id);
	knot_wire_set_opcode(q->wire, opcode);
	if (!knot_dname_from_str(qname, zone, sizeof(qname)) ||
	    knot_pkt_reserve(q, knot_tsig_wire_size(&d->key)) != KNOT_EOK ||
	    knot_pkt_put_question(q, qname, KNOT_CLASS_IN, qtype) != KNOT_EOK) {
		knot_pkt_free(q);
		return NULL;
	}
	return q;
}

/* q signed and sent on a new connection to the server (x->fd, to be closed by the caller). */
static int region_dns_exchange(struct region_dns *d, const struct cfg_region *r,
			       struct region_dns_xchg *x, knot_pkt_t *q, const char **why)
{
	int ret;

	x->mac_len = sizeof(x->mac);
	x->signed_at = 0;
	ret = knot_tsig_sign(q->wire, &q->size, q->max_size, NULL, 0, x->mac, &x->mac_len, &d->key,
			     0, 0);
	if (ret != KNOT_EOK) {
		*why = knot_strerror(ret);
		return -EINVAL;
	}
	ret = region_dns_connect(x, r);
	if (!ret)
		ret = region_dns_send(x, q->wire, q->size);
	if (ret) {
		*why = strerror(-ret);
		return -EIO;
	}
	return 0;
}

/*
 * The reply's signature: none but an error from the server about ours (BADSIG, BADKEY,
 * BADTIME) is -EPERM; missing or not verifying with the key, chained to the request's MAC
 * (first) or the previous message's, -EIO. On success the reply's MAC is the next link.
 */
static int region_dns_verify(struct region_dns *d, struct region_dns_xchg *x, const knot_pkt_t *p,
			     const char **why)
{
	const knot_rrset_t *t = p->tsig_rr;
	int ret;

	if (t && knot_tsig_rdata_error(t)) {
		*why = knot_pkt_ext_rcode_name(p);
		return -EPERM;
	}
	if (!t) {
		*why = "the reply is not signed";
		return -EIO;
	}
	if (!x->signed_at)
		ret = knot_tsig_client_check(t, p->wire, p->size, x->mac, x->mac_len, &d->key, 0);
	else
		ret = knot_tsig_client_check_next(t, p->wire, p->size, x->mac, x->mac_len, &d->key,
						  x->signed_at);
	if (ret != KNOT_EOK || knot_tsig_rdata_mac_length(t) > sizeof(x->mac)) {
		*why = ret != KNOT_EOK ? knot_strerror(ret) : "MAC too long";
		return -EIO;
	}
	x->mac_len = knot_tsig_rdata_mac_length(t);
	memcpy(x->mac, knot_tsig_rdata_mac(t), x->mac_len);
	x->signed_at = knot_tsig_rdata_time_signed(t);
	return 0;
}

/* An owner as the config writes names: lower case, no final dot. */
static void region_dns_owner(const knot_rrset_t *rr, char *out, size_t size)
{
	size_t i, len;

	if (!knot_dname_to_str(out, rr->owner, size))
		out[0] = 0;
	len = strlen(out);
	if (len && out[len - 1] == '.')
		out[--len] = 0;
	for (i = 0; i < len; i++)
		out[i] = tolower((unsigned char)out[i]);
}

static void region_dns_add_addr(struct region_name_rrs *rrs, uint32_t ttl, const knot_rdata_t *rd)
{
	struct xaddr a = {};

	if (rd->len != 4 && rd->len != 16)
		return;
	a.family = rd->len == 4 ? LB_AF_INET : LB_AF_INET6;
	memcpy(a.addr, rd->data, rd->len);
	if (rrs->n == REGION_RRS_MAX) {
		rrs->overflow = true;
		return;
	}
	if (rrs->n && ttl != rrs->ttl)
		rrs->ttl_mixed = true;
	if (!rrs->n)
		rrs->ttl = ttl;
	rrs->addrs[rrs->n++] = a;
}

/* A TXT record: character-strings, each a length byte and that many bytes. */
static void region_dns_add_txt(const struct cfg_region *r, struct region_zone *z, const char *owner,
			       const knot_rdata_t *rd)
{
	char strs[REGION_TXT_MAX][REGION_TXT_STR_MAX];
	const char *ptrs[REGION_TXT_MAX];
	size_t n = 0, off = 0, len;
	int err;

	while (off < rd->len) {
		len = rd->data[off];
		if (n == REGION_TXT_MAX || len >= REGION_TXT_STR_MAX || off + 1 + len > rd->len) {
			z->malformed++;
			return;
		}
		memcpy(strs[n], rd->data + off + 1, len);
		strs[n][len] = 0;
		ptrs[n] = strs[n];
		n++;
		off += 1 + len;
	}
	if (z->n_obs == REGION_OBS_MAX)
		return;
	err = region_obs_parse(r, owner, ptrs, n, &z->obs[z->n_obs]);
	if (!err)
		z->n_obs++;
	else if (err == -EINVAL)
		z->malformed++;
}

static void region_dns_take(const struct cfg_region *r, struct region_zone *z,
			    const knot_rrset_t *rr)
{
	char owner[KNOT_DNAME_TXT_MAXLEN + 1];
	knot_rdata_t *rd = rr->rrs.rdata;
	size_t i, j;

	region_dns_owner(rr, owner, sizeof(owner));
	for (j = 0; j < rr->rrs.count; j++, rd = knot_rdataset_next(rd)) {
		switch (rr->type) {
		case KNOT_RRTYPE_SOA:
			z->serial = knot_soa_serial(rd);
			break;
		case KNOT_RRTYPE_A:
		case KNOT_RRTYPE_AAAA:
			for (i = 0; i < r->n_names; i++)
				if (!strcmp(owner, r->names[i].name))
					region_dns_add_addr(&z->names[i], rr->ttl, rd);
			break;
		case KNOT_RRTYPE_TXT:
			region_dns_add_txt(r, z, owner, rd);
			break;
		default:
			break;
		}
	}
}

/*
 * The messages of a transfer until the closing SOA (the first record of the first message is
 * the zone's SOA, the last of the last message the same SOA again): each one's TSIG verified.
 */
static int region_dns_axfr(struct region_dns *d, const struct cfg_region *r,
			   struct region_dns_xchg *x, struct region_zone *z, char *err,
			   size_t errlen)
{
	const knot_pktsection_t *an;
	const char *why = "";
	unsigned soas = 0;
	knot_pkt_t *p;
	uint16_t i;
	int ret;

	while (soas < 2) {
		p = NULL;
		ret = region_dns_recv(x, &p, &why);
		if (!ret)
			ret = region_dns_verify(d, x, p, &why);
		if (!ret && knot_pkt_ext_rcode(p) != KNOT_RCODE_NOERROR) {
			why = knot_pkt_ext_rcode_name(p);
			ret = -EPERM;
		}
		if (ret) {
			knot_pkt_free(p);
			if (ret == -EPERM)
				snprintf(err, errlen, "zone transfer of %s refused: %s", r->zone,
					 why);
			else
				snprintf(err, errlen, "zone transfer of %s: %s", r->zone, why);
			return ret == -ENOMEM ? ret : -EIO;
		}
		an = knot_pkt_section(p, KNOT_ANSWER);
		for (i = 0; i < an->count && soas < 2; i++) {
			const knot_rrset_t *rr = knot_pkt_rr(an, i);

			if (rr->type == KNOT_RRTYPE_SOA)
				soas++;
			else if (!soas)
				break;
			if (soas < 2)
				region_dns_take(r, z, rr);
		}
		knot_pkt_free(p);
		if (!soas) {
			snprintf(err, errlen, "zone transfer of %s: no SOA first", r->zone);
			return -EIO;
		}
	}
	return 0;
}

int region_dns_read(struct region_dns *d, const struct cfg_region *r, struct region_zone *z,
		    char *err, size_t errlen)
{
	struct region_dns_xchg *x = calloc(1, sizeof(*x));
	knot_pkt_t *q = NULL;
	const char *why = "";
	size_t i;
	int ret;

	memset(z, 0, sizeof(*z));
	z->names = calloc(r->n_names ?: 1, sizeof(*z->names));
	z->n_names = r->n_names;
	if (x) {
		x->fd = -1;
		q = region_dns_query(d, x, r->zone, KNOT_OPCODE_QUERY, KNOT_RRTYPE_AXFR);
	}
	if (!q || !z->names) {
		knot_pkt_free(q);
		free(x);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = region_dns_exchange(d, r, x, q, &why);
	if (ret)
		snprintf(err, errlen, "zone transfer of %s: %s", r->zone, why);
	else
		ret = region_dns_axfr(d, r, x, z, err, errlen);
	if (x->fd >= 0)
		close(x->fd);
	knot_pkt_free(q);
	free(x);
	if (ret) { /* nothing of a transfer cut short or not verified */
		memset(z->names, 0, z->n_names * sizeof(*z->names));
		z->serial = 0;
		z->n_obs = 0;
		z->malformed = 0;
	}
	for (i = 0; i < z->n_names; i++)
		z->names[i].n = region_addrs_normalize(z->names[i].addrs, z->names[i].n);
	return ret;
}

void region_zone_free(struct region_zone *z)
{
	free(z->names);
	z->names = NULL;
	z->n_names = 0;
}

/* One signed UPDATE, its records already in q. -EAGAIN when a prerequisite failed. */
static int region_dns_update(struct region_dns *d, const struct cfg_region *r,
			     struct region_dns_xchg *x, knot_pkt_t *q, char *err, size_t errlen)
{
	const char *why = "";
	knot_pkt_t *p = NULL;
	uint16_t rcode;
	int ret;

	x->fd = -1;
	ret = region_dns_exchange(d, r, x, q, &why);
	if (!ret)
		ret = region_dns_recv(x, &p, &why);
	if (!ret)
		ret = region_dns_verify(d, x, p, &why);
	if (x->fd >= 0)
		close(x->fd);
	if (ret) {
		snprintf(err, errlen, "update of %s%s: %s", r->zone,
			 ret == -EPERM ? " refused" : "", why);
		knot_pkt_free(p);
		return ret == -ENOMEM || ret == -EPERM ? ret : -EIO;
	}
	rcode = knot_pkt_ext_rcode(p);
	if (rcode != KNOT_RCODE_NOERROR) {
		snprintf(err, errlen, "update of %s refused: %s", r->zone,
			 knot_pkt_ext_rcode_name(p));
		ret = rcode == KNOT_RCODE_NXRRSET || rcode == KNOT_RCODE_YXRRSET ? -EAGAIN : -EPERM;
	}
	knot_pkt_free(p);
	return ret;
}

/*
 * One RRset into the current section of q: n rdata of len bytes each from data. None: an RRset
 * with no data, "delete it" with class ANY, "it must not exist" with class NONE; libknot writes
 * no RR for an empty RRset, so it gets one rdata of length 0 (knsupdate does the same).
 */
static int region_dns_put(knot_pkt_t *q, const char *owner, uint16_t type, uint16_t cls,
			  uint32_t ttl, const uint8_t *data, const uint16_t *len, size_t n)
{
	knot_dname_storage_t name;
	knot_rrset_t rr;
	size_t i;
	int ret = KNOT_EOK;

	if (!knot_dname_from_str(name, owner, sizeof(name)))
		return -EINVAL;
	knot_rrset_init(&rr, name, type, cls, ttl);
	if (!n)
		ret = knot_rrset_add_rdata(&rr, NULL, 0, NULL);
	for (i = 0; ret == KNOT_EOK && i < n; data += len[i], i++)
		ret = knot_rrset_add_rdata(&rr, data, len[i], NULL);
	if (ret == KNOT_EOK)
		ret = knot_pkt_put(q, KNOT_COMPR_HINT_NONE, &rr, 0);
	knot_rdataset_clear(&rr.rrs, NULL);
	if (ret == KNOT_ESPACE)
		return -EMSGSIZE;
	return ret == KNOT_EOK ? 0 : -EINVAL;
}

/* The addresses of one family as rdata: their bytes one after the other, and each length. */
static size_t region_dns_addr_rdata(const struct xaddr *a, size_t n, uint8_t family, uint8_t *data,
				    uint16_t *len)
{
	size_t i, k = 0, size = family == LB_AF_INET ? 4 : 16;

	for (i = 0; i < n; i++) {
		if (a[i].family != family)
			continue;
		memcpy(data + k * size, a[i].addr, size);
		len[k++] = size;
	}
	return k;
}

int region_dns_publish(struct region_dns *d, const struct cfg_region *r, const struct region_obs *o,
		       char *err, size_t errlen)
{
	char owner[CFG_DNS_NAME_MAX + 32], strs[REGION_TXT_MAX][REGION_TXT_STR_MAX];
	uint8_t txt[REGION_TXT_MAX * REGION_TXT_STR_MAX];
	struct region_dns_xchg *x = calloc(1, sizeof(*x));
	knot_pkt_t *q =
	    x ? region_dns_query(d, x, r->zone, KNOT_OPCODE_UPDATE, KNOT_RRTYPE_SOA) : NULL;
	uint16_t len;
	size_t i, n, slen;
	int ret = q ? 0 : -ENOMEM;

	if (!ret)
		ret = region_obs_owner(r, o->observer, o->node, owner, sizeof(owner));
	if (!ret) {
		n = region_obs_format(r, o, strs);
		for (i = 0, len = 0; i < n; i++) {
			slen = strnlen(strs[i], REGION_TXT_STR_MAX - 1);
			txt[len] = slen;
			memcpy(txt + len + 1, strs[i], slen);
			len += 1 + slen;
		}
		ret = knot_pkt_begin(q, KNOT_AUTHORITY) == KNOT_EOK ? 0 : -EINVAL;
	}
	if (!ret)
		ret = region_dns_put(q, owner, KNOT_RRTYPE_TXT, KNOT_CLASS_ANY, 0, NULL, NULL, 0);
	if (!ret)
		ret = region_dns_put(q, owner, KNOT_RRTYPE_TXT, KNOT_CLASS_IN, r->observation_ttl,
				     txt, &len, 1);
	if (!ret)
		ret = region_dns_update(d, r, x, q, err, errlen);
	else
		snprintf(err, errlen, "building the observation record: %s", strerror(-ret));
	knot_pkt_free(q);
	free(x);
	return ret;
}

/* The prerequisite for one type: its RRset is exactly what was read, or does not exist. */
static int region_dns_prereq(knot_pkt_t *q, const char *name, const struct region_name_rrs *cur,
			     uint8_t family)
{
	uint8_t data[REGION_RRS_MAX * 16];
	uint16_t len[REGION_RRS_MAX];
	size_t n = region_dns_addr_rdata(cur->addrs, cur->n, family, data, len);
	uint16_t type = family == LB_AF_INET ? KNOT_RRTYPE_A : KNOT_RRTYPE_AAAA;

	return region_dns_put(q, name, type, n ? KNOT_CLASS_IN : KNOT_CLASS_NONE, 0, data, len, n);
}

int region_dns_replace(struct region_dns *d, const struct cfg_region *r,
		       const struct cfg_dns_name *dn, const struct region_name_rrs *cur,
		       const struct xaddr *want, size_t n_want, char *err, size_t errlen)
{
	uint8_t data[2][REGION_RRS_MAX * 16];
	uint16_t len[2][REGION_RRS_MAX];
	struct region_dns_xchg *x = calloc(1, sizeof(*x));
	knot_pkt_t *q =
	    x ? region_dns_query(d, x, r->zone, KNOT_OPCODE_UPDATE, KNOT_RRTYPE_SOA) : NULL;
	size_t n4 = 0, n6 = 0;
	int ret = q ? 0 : -ENOMEM;

	/* More records than the prerequisite can name: replace without one. */
	if (!ret && !cur->overflow)
		ret = knot_pkt_begin(q, KNOT_ANSWER) == KNOT_EOK ? 0 : -EINVAL;
	if (!ret && !cur->overflow)
		ret = region_dns_prereq(q, dn->name, cur, LB_AF_INET);
	if (!ret && !cur->overflow)
		ret = region_dns_prereq(q, dn->name, cur, LB_AF_INET6);
	if (!ret)
		ret = knot_pkt_begin(q, KNOT_AUTHORITY) == KNOT_EOK ? 0 : -EINVAL;
	if (!ret)
		ret = region_dns_put(q, dn->name, KNOT_RRTYPE_A, KNOT_CLASS_ANY, 0, NULL, NULL, 0);
	if (!ret)
		ret =
		    region_dns_put(q, dn->name, KNOT_RRTYPE_AAAA, KNOT_CLASS_ANY, 0, NULL, NULL, 0);
	if (!ret) {
		n4 = region_dns_addr_rdata(want, n_want, LB_AF_INET, data[0], len[0]);
		n6 = region_dns_addr_rdata(want, n_want, LB_AF_INET6, data[1], len[1]);
	}
	if (!ret && n4)
		ret = region_dns_put(q, dn->name, KNOT_RRTYPE_A, KNOT_CLASS_IN, dn->ttl, data[0],
				     len[0], n4);
	if (!ret && n6)
		ret = region_dns_put(q, dn->name, KNOT_RRTYPE_AAAA, KNOT_CLASS_IN, dn->ttl, data[1],
				     len[1], n6);
	if (!ret)
		ret = region_dns_update(d, r, x, q, err, errlen);
	else
		snprintf(err, errlen, "building the update of %s: %s", dn->name, strerror(-ret));
	knot_pkt_free(q);
	free(x);
	return ret;
}
