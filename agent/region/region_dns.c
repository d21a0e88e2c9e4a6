// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * RFC 2136 updates and zone transfers with ldns, every message signed with the TSIG key of
 * region.tsig_key_file. Everything goes over TCP: a transfer needs it anyway, an update of
 * many records never meets truncation, and a server that is down refuses at once instead of
 * leaving a datagram unanswered until the timeout.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <ldns/ldns.h>

#include "region/region_dns.h"

struct region_dns {
	ldns_resolver *res;
};

/* ldns names TSIG algorithms by their domain names; hmac-md5's is not its short name. */
static const char *region_dns_alg_name(const char *alg)
{
	return !strcmp(alg, "hmac-md5") ? "hmac-md5.sig-alg.reg.int." : alg;
}

struct region_dns *region_dns_open(const struct cfg_region *r, const struct cfg_tsig_key *key)
{
	struct timeval tv = {.tv_sec = r->timeout_ms / 1000,
			     .tv_usec = (r->timeout_ms % 1000) * 1000};
	char addr[CFG_ADDR_STRLEN], alg[64];
	struct region_dns *d = calloc(1, sizeof(*d));
	ldns_rdf *ns;

	if (!d)
		return NULL;
	d->res = ldns_resolver_new();
	ns = ldns_rdf_new_frm_str(r->server.family == LB_AF_INET ? LDNS_RDF_TYPE_A
								 : LDNS_RDF_TYPE_AAAA,
				  cfg_format_addr(&r->server, addr, sizeof(addr)));
	if (!d->res || !ns || ldns_resolver_push_nameserver(d->res, ns) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(ns);
		region_dns_close(d);
		errno = ENOMEM;
		return NULL;
	}
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(d->res, r->port);
	ldns_resolver_set_usevc(d->res, true);
	ldns_resolver_set_timeout(d->res, tv);
	ldns_resolver_set_retry(d->res, 1);
	ldns_resolver_set_recursive(d->res, false);
	ldns_resolver_set_random(d->res, false);
	snprintf(alg, sizeof(alg), "%s", region_dns_alg_name(key->algorithm));
	ldns_resolver_set_tsig_keyname(d->res, key->name);
	ldns_resolver_set_tsig_algorithm(d->res, alg);
	ldns_resolver_set_tsig_keydata(d->res, key->secret);
	return d;
}

/*
 * ldns marks a server that failed once as unreachable for good (RTT "infinite") and then
 * sends nothing more: every exchange starts from "reachable", so a server back up is used.
 */
static ldns_resolver *region_dns_res(struct region_dns *d)
{
	ldns_resolver_set_nameserver_rtt(d->res, 0, LDNS_RESOLV_RTT_MIN);
	return d->res;
}

void region_dns_close(struct region_dns *d)
{
	if (!d)
		return;
	if (d->res)
		ldns_resolver_deep_free(d->res);
	free(d);
}

/* An owner as the config writes names: lower case, no final dot. */
static void region_dns_owner(const ldns_rr *rr, char *out, size_t size)
{
	char *s = ldns_rdf2str(ldns_rr_owner(rr));
	size_t i, len;

	snprintf(out, size, "%s", s ? s : "");
	free(s);
	len = strlen(out);
	if (len && out[len - 1] == '.')
		out[--len] = 0;
	for (i = 0; i < len; i++)
		out[i] = tolower((unsigned char)out[i]);
}

static void region_dns_add_addr(struct region_name_rrs *rrs, const ldns_rr *rr)
{
	const ldns_rdf *rdf = ldns_rr_rdf(rr, 0);
	struct xaddr a = {};
	size_t len = rdf ? ldns_rdf_size(rdf) : 0;

	if (len != 4 && len != 16)
		return;
	a.family = len == 4 ? LB_AF_INET : LB_AF_INET6;
	memcpy(a.addr, ldns_rdf_data(rdf), len);
	if (rrs->n == REGION_RRS_MAX) {
		rrs->overflow = true;
		return;
	}
	if (rrs->n && ldns_rr_ttl(rr) != rrs->ttl)
		rrs->ttl_mixed = true;
	if (!rrs->n)
		rrs->ttl = ldns_rr_ttl(rr);
	rrs->addrs[rrs->n++] = a;
}

static void region_dns_add_txt(const struct cfg_region *r, struct region_zone *z, const char *owner,
			       const ldns_rr *rr)
{
	char strs[REGION_TXT_MAX][REGION_TXT_STR_MAX];
	const char *ptrs[REGION_TXT_MAX];
	size_t i, n = ldns_rr_rd_count(rr);
	int err;

	if (n > REGION_TXT_MAX) {
		z->malformed++;
		return;
	}
	for (i = 0; i < n; i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		const uint8_t *data = ldns_rdf_data(rdf);
		size_t len = ldns_rdf_size(rdf) ? data[0] : 0;

		if (len >= REGION_TXT_STR_MAX || len + 1 > ldns_rdf_size(rdf)) {
			z->malformed++;
			return;
		}
		memcpy(strs[i], data + 1, len);
		strs[i][len] = 0;
		ptrs[i] = strs[i];
	}
	if (z->n_obs == REGION_OBS_MAX)
		return;
	err = region_obs_parse(r, owner, ptrs, n, &z->obs[z->n_obs]);
	if (!err)
		z->n_obs++;
	else if (err == -EINVAL)
		z->malformed++;
}

static void region_dns_take(const struct cfg_region *r, struct region_zone *z, const ldns_rr *rr)
{
	char owner[CFG_DNS_NAME_MAX + 2];
	size_t i;

	region_dns_owner(rr, owner, sizeof(owner));
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_SOA:
		if (ldns_rr_rdf(rr, 2))
			z->serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
		break;
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA:
		for (i = 0; i < r->n_names; i++)
			if (!strcmp(owner, r->names[i].name))
				region_dns_add_addr(&z->names[i], rr);
		break;
	case LDNS_RR_TYPE_TXT:
		region_dns_add_txt(r, z, owner, rr);
		break;
	default:
		break;
	}
}

int region_dns_read(struct region_dns *d, const struct cfg_region *r, struct region_zone *z,
		    char *err, size_t errlen)
{
	ldns_rdf *zone = ldns_dname_new_frm_str(r->zone);
	const ldns_pkt *last;
	ldns_status st;
	ldns_rr *rr;
	size_t i;
	int ret = 0;

	memset(z, 0, sizeof(*z));
	z->names = calloc(r->n_names ?: 1, sizeof(*z->names));
	z->n_names = r->n_names;
	if (!zone || !z->names) {
		ldns_rdf_deep_free(zone);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st = ldns_axfr_start(region_dns_res(d), zone, LDNS_RR_CLASS_IN);
	ldns_rdf_deep_free(zone);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "zone transfer of %s: %s", r->zone,
			 ldns_get_errorstr_by_id(st));
		return -EIO;
	}
	while ((rr = ldns_axfr_next(d->res))) {
		region_dns_take(r, z, rr);
		ldns_rr_free(rr);
	}
	if (!ldns_axfr_complete(d->res)) {
		last = ldns_axfr_last_pkt(d->res);
		if (last && ldns_pkt_get_rcode(last) != LDNS_RCODE_NOERROR)
			snprintf(
			    err, errlen, "zone transfer of %s refused: %s", r->zone,
			    ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(last))
				? ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(last))->name
				: "?");
		else
			snprintf(err, errlen,
				 "zone transfer of %s: cut short (server down or "
				 "timed out)",
				 r->zone);
		ldns_axfr_abort(d->res);
		ret = -EIO;
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

/* An RR with no data: "delete this RRset" (class ANY) or "this RRset must not exist" (NONE). */
static ldns_rr *region_dns_rr_empty(const char *owner, ldns_rr_type type, ldns_rr_class cls)
{
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	ldns_rr *rr = o ? ldns_rr_new() : NULL;

	if (!rr) {
		ldns_rdf_deep_free(o);
		return NULL;
	}
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, cls);
	ldns_rr_set_ttl(rr, 0);
	return rr;
}

static int region_dns_push_text(ldns_rr_list *list, const char *text)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK || !rr)
		return -EINVAL;
	if (!ldns_rr_list_push_rr(list, rr)) {
		ldns_rr_free(rr);
		return -ENOMEM;
	}
	return 0;
}

static int region_dns_push_empty(ldns_rr_list *list, const char *owner, ldns_rr_type type,
				 ldns_rr_class cls)
{
	ldns_rr *rr = region_dns_rr_empty(owner, type, cls);

	if (!rr)
		return -ENOMEM;
	if (!ldns_rr_list_push_rr(list, rr)) {
		ldns_rr_free(rr);
		return -ENOMEM;
	}
	return 0;
}

/* One signed UPDATE: prerequisites pr, updates up. -EAGAIN when a prerequisite failed. */
static int region_dns_update(struct region_dns *d, const struct cfg_region *r, ldns_rr_list *pr,
			     ldns_rr_list *up, char *err, size_t errlen)
{
	ldns_rdf *zone = ldns_dname_new_frm_str(r->zone);
	ldns_pkt *q = zone ? ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, pr, up, NULL) : NULL;
	const ldns_lookup_table *rc;
	ldns_pkt *ans = NULL;
	ldns_status st;
	int ret = 0;

	if (!q) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st = ldns_update_pkt_tsig_add(q, d->res);
	if (st == LDNS_STATUS_OK)
		st = ldns_resolver_send_pkt(&ans, region_dns_res(d), q);
	if (st != LDNS_STATUS_OK || !ans) {
		snprintf(err, errlen, "update of %s: %s", r->zone, ldns_get_errorstr_by_id(st));
		ret = -EIO;
	} else if (ldns_pkt_get_rcode(ans) != LDNS_RCODE_NOERROR) {
		rc = ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(ans));
		snprintf(err, errlen, "update of %s refused: %s", r->zone, rc ? rc->name : "?");
		ret = ldns_pkt_get_rcode(ans) == LDNS_RCODE_NXRRSET ||
			      ldns_pkt_get_rcode(ans) == LDNS_RCODE_YXRRSET
			  ? -EAGAIN
			  : -EPERM;
	}
	ldns_pkt_free(ans);
	ldns_pkt_free(q);
	return ret;
}

int region_dns_publish(struct region_dns *d, const struct cfg_region *r, const struct region_obs *o,
		       char *err, size_t errlen)
{
	char owner[CFG_DNS_NAME_MAX + 32], strs[REGION_TXT_MAX][REGION_TXT_STR_MAX];
	char text[CFG_DNS_NAME_MAX + 32 + REGION_TXT_MAX * (REGION_TXT_STR_MAX + 3) + 32];
	ldns_rr_list *up = ldns_rr_list_new();
	size_t i, n, off;
	int ret;

	if (!up)
		return -ENOMEM;
	ret = region_obs_owner(r, o->observer, o->node, owner, sizeof(owner));
	if (!ret)
		ret = region_dns_push_empty(up, owner, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_ANY);
	if (!ret) {
		n = region_obs_format(r, o, strs);
		off = snprintf(text, sizeof(text), "%s. %u IN TXT", owner, r->observation_ttl);
		for (i = 0; i < n; i++)
			off += snprintf(text + off, sizeof(text) - off, " \"%s\"", strs[i]);
		ret = region_dns_push_text(up, text);
	}
	if (!ret)
		ret = region_dns_update(d, r, NULL, up, err, errlen);
	else
		snprintf(err, errlen, "building the observation record: %s", strerror(-ret));
	ldns_rr_list_deep_free(up);
	return ret;
}

/* The prerequisite for one type: its RRset is exactly what was read, or does not exist. */
static int region_dns_prereq(ldns_rr_list *pr, const char *name, const struct region_name_rrs *cur,
			     uint8_t family)
{
	char text[CFG_DNS_NAME_MAX + 80], addr[CFG_ADDR_STRLEN];
	bool any = false;
	size_t i;
	int ret;

	for (i = 0; i < cur->n; i++) {
		if (cur->addrs[i].family != family)
			continue;
		any = true;
		snprintf(text, sizeof(text), "%s. 0 IN %s %s", name,
			 family == LB_AF_INET ? "A" : "AAAA",
			 cfg_format_addr(&cur->addrs[i], addr, sizeof(addr)));
		ret = region_dns_push_text(pr, text);
		if (ret)
			return ret;
	}
	if (any)
		return 0;
	return region_dns_push_empty(pr, name,
				     family == LB_AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA,
				     LDNS_RR_CLASS_NONE);
}

int region_dns_replace(struct region_dns *d, const struct cfg_region *r,
		       const struct cfg_dns_name *dn, const struct region_name_rrs *cur,
		       const struct xaddr *want, size_t n_want, char *err, size_t errlen)
{
	ldns_rr_list *pr = ldns_rr_list_new(), *up = ldns_rr_list_new();
	char text[CFG_DNS_NAME_MAX + 80], addr[CFG_ADDR_STRLEN];
	size_t i;
	int ret = pr && up ? 0 : -ENOMEM;

	/* More records than the prerequisite can name: replace without one. */
	if (!ret && !cur->overflow)
		ret = region_dns_prereq(pr, dn->name, cur, LB_AF_INET);
	if (!ret && !cur->overflow)
		ret = region_dns_prereq(pr, dn->name, cur, LB_AF_INET6);
	if (!ret)
		ret = region_dns_push_empty(up, dn->name, LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY);
	if (!ret)
		ret = region_dns_push_empty(up, dn->name, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_ANY);
	for (i = 0; !ret && i < n_want; i++) {
		snprintf(text, sizeof(text), "%s. %u IN %s %s", dn->name, dn->ttl,
			 want[i].family == LB_AF_INET ? "A" : "AAAA",
			 cfg_format_addr(&want[i], addr, sizeof(addr)));
		ret = region_dns_push_text(up, text);
	}
	if (!ret)
		ret = region_dns_update(d, r, pr, up, err, errlen);
	else
		snprintf(err, errlen, "building the update of %s: %s", dn->name, strerror(-ret));
	ldns_rr_list_deep_free(pr);
	ldns_rr_list_deep_free(up);
	return ret;
}
