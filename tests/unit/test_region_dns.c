// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The region DNS client against a server of a few lines on 127.0.0.1, written with libknot
 * too: it checks the query's TSIG and answers one exchange, signed with the client's key or
 * with a key of the same name and another secret. A transfer of two messages checks the
 * chained signature of the second; a reply that does not verify is a failed read or update.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "config/config.h"
#include "config/config_region.h"
#include "region/region_dns.h"

#define SECRET "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ=="
#define OTHER  "b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXIh"

enum fake_sign { SIGN_OK, SIGN_WRONG, SIGN_NONE, SIGN_WRONG_SECOND };

struct fake {
	int lfd;
	uint16_t port;
	enum fake_sign sign;
	uint16_t rcode;	    /* of an update's reply */
	bool query_ok;	    /* the query's TSIG verified with the shared key */
	uint16_t counts[3]; /* the query's prerequisites, updates, additional */
	pthread_t th;
};

static int io_all(int fd, uint8_t *buf, size_t len, bool out)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = out ? send(fd, buf + off, len - off, MSG_NOSIGNAL)
			: recv(fd, buf + off, len - off, 0);
		if (n <= 0)
			return -1;
		off += n;
	}
	return 0;
}

static void fake_send(int fd, knot_pkt_t *p)
{
	uint8_t hdr[2] = {p->size >> 8, p->size & 0xff};

	io_all(fd, hdr, 2, true);
	io_all(fd, p->wire, p->size, true);
}

static void fake_put(knot_pkt_t *p, const char *owner, uint16_t type, const uint8_t *rd,
		     uint16_t len)
{
	knot_dname_storage_t name;
	knot_rrset_t rr;

	knot_dname_from_str(name, owner, sizeof(name));
	knot_rrset_init(&rr, name, type, KNOT_CLASS_IN, 30);
	knot_rrset_add_rdata(&rr, rd, len, NULL);
	cr_assert_eq(knot_pkt_put(p, KNOT_COMPR_HINT_NONE, &rr, 0), KNOT_EOK);
	knot_rdataset_clear(&rr.rrs, NULL);
}

static void fake_soa(knot_pkt_t *p)
{
	uint8_t rd[64] = {};
	size_t len = 0;

	len += knot_dname_to_wire(rd, (const knot_dname_t *)"\2ns\7example\4test", sizeof(rd));
	len += knot_dname_to_wire(rd + len, (const knot_dname_t *)"\2hm\7example\4test",
				  sizeof(rd) - len);
	rd[len + 3] = 7; /* serial 7, then refresh, retry, expire, minimum all 0 */
	fake_put(p, "example.test", KNOT_RRTYPE_SOA, rd, len + 20);
}

static void *fake_serve(void *arg)
{
	struct fake *f = arg;
	knot_tsig_key_t ok, wrong;
	uint8_t qbuf[KNOT_WIRE_MAX_PKTSIZE], hdr[2], mac[64];
	size_t mac_len = sizeof(mac), i;
	knot_pkt_t *q, *p;
	int fd = accept(f->lfd, NULL, NULL);

	knot_tsig_key_init(&ok, "hmac-sha256", "xdplb", SECRET);
	knot_tsig_key_init(&wrong, "hmac-sha256", "xdplb", OTHER);
	if (fd < 0 || io_all(fd, hdr, 2, false) || io_all(fd, qbuf, hdr[0] << 8 | hdr[1], false))
		goto out;
	q = knot_pkt_new(qbuf, hdr[0] << 8 | hdr[1], NULL);
	if (knot_pkt_parse(q, 0) == KNOT_EOK && q->tsig_rr) {
		f->query_ok = !knot_tsig_server_check(q->tsig_rr, q->wire, q->size, &ok);
		mac_len = knot_tsig_rdata_mac_length(q->tsig_rr);
		memcpy(mac, knot_tsig_rdata_mac(q->tsig_rr), mac_len);
	}
	for (i = 0; i < 3; i++)
		f->counts[i] = knot_pkt_section(q, KNOT_ANSWER + i)->count;
	p = knot_pkt_new(NULL, KNOT_WIRE_MAX_PKTSIZE, NULL);
	knot_pkt_init_response(p, q);
	knot_pkt_begin(p, KNOT_ANSWER);
	if (knot_pkt_qtype(q) == KNOT_RRTYPE_AXFR) {
		fake_soa(p);
		fake_put(p, "www.example.test", KNOT_RRTYPE_A, (const uint8_t *)"\xc0\x00\x02\x0a",
			 4);
	} else {
		knot_wire_set_rcode(p->wire, f->rcode);
	}
	if (f->sign != SIGN_NONE)
		knot_tsig_sign(p->wire, &p->size, p->max_size, mac, mac_len, mac, &mac_len,
			       f->sign == SIGN_WRONG ? &wrong : &ok, 0, 0);
	fake_send(fd, p);
	if (knot_pkt_qtype(q) == KNOT_RRTYPE_AXFR) {
		/* The second message: the other address and the closing SOA, signed in chain. */
		knot_pkt_free(p);
		p = knot_pkt_new(NULL, KNOT_WIRE_MAX_PKTSIZE, NULL);
		knot_pkt_init_response(p, q);
		knot_pkt_begin(p, KNOT_ANSWER);
		fake_put(p, "www.example.test", KNOT_RRTYPE_A, (const uint8_t *)"\xc0\x00\x02\x0b",
			 4);
		fake_soa(p);
		if (f->sign != SIGN_NONE)
			knot_tsig_sign_next(p->wire, &p->size, p->max_size, mac, mac_len, mac,
					    &mac_len, f->sign == SIGN_OK ? &ok : &wrong, p->wire,
					    p->size);
		fake_send(fd, p);
	}
	knot_pkt_free(p);
	knot_pkt_free(q);
out:
	if (fd >= 0)
		close(fd);
	knot_tsig_key_deinit(&ok);
	knot_tsig_key_deinit(&wrong);
	return NULL;
}

static struct fake fake;
static struct cfg_dns_name dn;
static struct cfg_region r;
static const struct cfg_tsig_key key = {"hmac-sha256", "xdplb", SECRET};

static void fake_start(enum fake_sign sign, uint16_t rcode)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sin);

	memset(&fake, 0, sizeof(fake));
	fake.sign = sign;
	fake.rcode = rcode;
	fake.lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(fake.lfd, 0);
	cr_assert_eq(bind(fake.lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fake.lfd, 1), 0);
	cr_assert_eq(getsockname(fake.lfd, (struct sockaddr *)&sin, &len), 0);
	cr_assert_eq(pthread_create(&fake.th, NULL, fake_serve, &fake), 0);

	memset(&r, 0, sizeof(r));
	memset(&dn, 0, sizeof(dn));
	strcpy(r.zone, "example.test");
	strcpy(dn.name, "www.example.test");
	dn.ttl = 30;
	r.names = &dn;
	r.n_names = 1;
	r.port = ntohs(sin.sin_port);
	r.timeout_ms = 2000;
	cfg_parse_addr("127.0.0.1", &r.server);
}

static void fake_stop(void)
{
	pthread_join(fake.th, NULL);
	close(fake.lfd);
}

static int read_zone(struct region_zone *z, char *err, size_t errlen)
{
	struct region_dns *d;
	int ret;

	d = region_dns_open(&r, &key);
	cr_assert_not_null(d);
	ret = region_dns_read(d, &r, z, err, errlen);
	region_dns_close(d);
	fake_stop();
	return ret;
}

Test(region_dns, transfer_of_two_messages_verified)
{
	struct region_zone z;
	char err[256] = "";

	fake_start(SIGN_OK, 0);
	cr_assert_eq(read_zone(&z, err, sizeof(err)), 0, "%s", err);
	cr_assert(fake.query_ok, "the query's TSIG did not verify");
	cr_assert_eq(z.serial, 7);
	cr_assert_eq(z.names[0].n, 2);
	cr_assert_eq(z.names[0].ttl, 30);
	region_zone_free(&z);
}

/* A transfer that must fail with what in the reason, taking no record of it. */
static void read_fails(enum fake_sign sign, const char *what)
{
	struct region_zone z;
	char err[256] = "";

	fake_start(sign, 0);
	cr_assert_eq(read_zone(&z, err, sizeof(err)), -EIO);
	cr_assert(strstr(err, "zone transfer of example.test") && strstr(err, what), "%s", err);
	cr_assert_eq(z.names[0].n + z.serial, 0, "records taken from a reply that did not verify");
	region_zone_free(&z);
}

Test(region_dns, transfer_signed_with_another_secret_fails)
{
	read_fails(SIGN_WRONG, "TSIG");
}

Test(region_dns, transfer_whose_second_message_does_not_verify_fails)
{
	read_fails(SIGN_WRONG_SECOND, "TSIG");
}

Test(region_dns, unsigned_transfer_fails)
{
	read_fails(SIGN_NONE, "not signed");
}

static int replace(enum fake_sign sign, uint16_t rcode, char *err, size_t errlen)
{
	struct region_name_rrs cur = {};
	struct xaddr want[2];
	struct region_dns *d;
	int ret;

	fake_start(sign, rcode);
	cfg_parse_addr("192.0.2.10", &want[0]);
	cfg_parse_addr("2001:db8::10", &want[1]);
	d = region_dns_open(&r, &key);
	cr_assert_not_null(d);
	ret = region_dns_replace(d, &r, &dn, &cur, want, 2, err, errlen);
	region_dns_close(d);
	fake_stop();
	return ret;
}

Test(region_dns, update_signed_and_sent)
{
	char err[256] = "";

	cr_assert_eq(replace(SIGN_OK, KNOT_RCODE_NOERROR, err, sizeof(err)), 0, "%s", err);
	cr_assert(fake.query_ok, "the update's TSIG did not verify");
	/* Prerequisites: no A, no AAAA; updates: delete both, add one of each. */
	cr_assert_eq(fake.counts[0], 2);
	cr_assert_eq(fake.counts[1], 4);
}

Test(region_dns, update_conflict_is_eagain)
{
	char err[256] = "";

	cr_assert_eq(replace(SIGN_OK, KNOT_RCODE_NXRRSET, err, sizeof(err)), -EAGAIN, "%s", err);
	cr_assert(strstr(err, "NXRRSET"), "%s", err);
}

Test(region_dns, update_reply_with_bad_tsig_fails)
{
	char err[256] = "";

	cr_assert_eq(replace(SIGN_WRONG, KNOT_RCODE_NOERROR, err, sizeof(err)), -EIO);
	cr_assert(strstr(err, "update of example.test") && strstr(err, "TSIG"), "%s", err);
	cr_assert_eq(replace(SIGN_NONE, KNOT_RCODE_NOERROR, err, sizeof(err)), -EIO);
	cr_assert(strstr(err, "not signed"), "%s", err);
}
