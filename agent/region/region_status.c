// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The `dns` verb: what the server holds now, read back by a zone transfer of its own (not
 * the worker's last round, and not what this node meant to write), the verdicts those
 * records give, and who observed what.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "region/region.h"
#include "region/region_dns.h"
#include "region/region_int.h"

static const char *region_seen_name(uint8_t seen)
{
	return seen == REGION_SEEN_UP ? "up" : seen == REGION_SEEN_DOWN ? "down" : "-";
}

static json_t *region_json_addrs(const struct xaddr *a, size_t n)
{
	json_t *arr = json_array();
	char buf[CFG_ADDR_STRLEN];
	size_t i;

	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_string(cfg_format_addr(&a[i], buf, sizeof(buf))));
	return arr;
}

static json_t *region_json_names(struct region *g, const struct region_zone *z,
				 const struct region_verdict *v)
{
	const struct cfg_region *r = &g->cfg;
	struct xaddr want[REGION_RRS_MAX];
	json_t *arr = json_array(), *vips;
	bool fail_open;
	size_t i, j, n;

	for (i = 0; arr && i < r->n_names; i++) {
		const struct cfg_dns_name *dn = &r->names[i];

		vips = json_object();
		for (j = 0; vips && j < dn->n_regions; j++)
			json_object_set_new(
			    vips, r->regions[dn->regions[j].region],
			    region_json_addrs(dn->regions[j].addrs, dn->regions[j].n_addrs));
		n = region_records(dn, v, want, REGION_RRS_MAX, &fail_open);
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:I, s:o, s:o, s:I, s:o, s:b}", "name", dn->name, "ttl",
			      (json_int_t)dn->ttl, "regions", vips ?: json_null(), "records",
			      z ? region_json_addrs(z->names[i].addrs, z->names[i].n) : json_null(),
			      "records_ttl", (json_int_t)(z ? z->names[i].ttl : 0), "want",
			      region_json_addrs(want, n), "fail_open", fail_open));
	}
	return arr;
}

static json_t *region_json_regions(struct region *g, const struct region_zone *z,
				   const struct region_verdict *v, const struct region_view *views)
{
	const struct cfg_region *r = &g->cfg;
	int64_t now = time(NULL), oldest = now - r->observation_timeout_ms / 1000;
	json_t *arr = json_array(), *obs;
	size_t i, k;

	for (i = 0; arr && i < r->n_regions; i++) {
		obs = json_array();
		for (k = 0; z && obs && k < z->n_obs; k++) {
			const struct region_obs *o = &z->obs[k];

			if (o->seen[i] == REGION_SEEN_NONE)
				continue;
			json_array_append_new(
			    obs, json_pack("{s:s, s:I, s:s, s:I, s:b}", "region",
					   r->regions[o->observer], "node", (json_int_t)o->node,
					   "seen", region_seen_name(o->seen[i]), "age_s",
					   (json_int_t)(now - o->at), "fresh", o->at >= oldest));
		}
		json_array_append_new(arr, json_pack("{s:s, s:b, s:s, s:I, s:I, s:s, s:o}", "name",
						     r->regions[i], "self", i == r->self, "state",
						     v[i].down ? "down" : "up", "voters",
						     (json_int_t)v[i].voters, "down_votes",
						     (json_int_t)v[i].down_votes, "seen_here",
						     region_seen_name(views[i].seen), "observers",
						     obs ?: json_null()));
	}
	return arr;
}

int region_status(struct region *g, json_t **out, char *err, size_t errlen)
{
	struct region_view views[CFG_REGIONS_MAX];
	struct region_verdict v[CFG_REGIONS_MAX];
	struct region_stats st;
	struct region_dns *d = region_dns_open(&g->cfg, &g->key);
	struct region_zone z = {};
	char why[256] = "", addr[CFG_ADDR_STRLEN];
	int rd = d ? region_dns_read(d, &g->cfg, &z, why, sizeof(why)) : -ENOMEM;
	size_t i;

	region_dns_close(d);
	region_get_views(g, views, CFG_REGIONS_MAX);
	region_get_stats(g, &st);
	if (!rd) {
		region_vote(&g->cfg, z.obs, z.n_obs, time(NULL), v);
	} else {
		/* The server did not answer: the last round's verdicts, and no records. */
		memset(v, 0, sizeof(v));
		for (i = 0; i < g->cfg.n_regions; i++) {
			v[i].down = views[i].down;
			v[i].voters = views[i].voters;
			v[i].down_votes = views[i].down_votes;
		}
	}
	*out = json_pack(
	    "{s:b, s:s, s:I, s:s, s:I, s:s, s:{s:b, s:s, s:I, s:I}, s:o, s:o, s:{s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:b}}",
	    "enabled", true, "region", g->cfg.name, "node_id", (json_int_t)g->node_id, "server",
	    cfg_format_addr(&g->cfg.server, addr, sizeof(addr)), "port", (json_int_t)g->cfg.port,
	    "zone", g->cfg.zone, "read", "ok", !rd, "error", why, "serial", (json_int_t)z.serial,
	    "malformed", (json_int_t)z.malformed, "names", region_json_names(g, rd ? NULL : &z, v),
	    "regions", region_json_regions(g, rd ? NULL : &z, v, views), "stats", "rounds",
	    (json_int_t)st.rounds, "updates_sent", (json_int_t)st.updates_sent, "updates_failed",
	    (json_int_t)st.updates_failed, "conflicts", (json_int_t)st.conflicts, "reads",
	    (json_int_t)st.reads, "reads_failed", (json_int_t)st.reads_failed, "server_ok",
	    st.server_ok);
	region_zone_free(&z);
	if (!*out)
		snprintf(err, errlen, "dns: out of memory");
	return *out ? 0 : -ENOMEM;
}
