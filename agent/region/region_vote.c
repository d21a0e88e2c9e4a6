// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Observation records in and out, the majority vote and the record sets: no I/O, no clock of
 * its own, so the unit tests pin every rule and every writer computes the same answer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "region/region_vote.h"

int region_obs_owner(const struct cfg_region *r, uint8_t region, uint32_t node, char *out,
		     size_t size)
{
	int n = snprintf(out, size, "n%" PRIu32 ".%s." REGION_OBS_LABEL ".%s", node,
			 r->regions[region], r->zone);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

size_t region_obs_format(const struct cfg_region *r, const struct region_obs *o,
			 char out[REGION_TXT_MAX][REGION_TXT_STR_MAX])
{
	size_t n = 0, i;

	snprintf(out[n++], REGION_TXT_STR_MAX, "%s", REGION_OBS_MAGIC);
	snprintf(out[n++], REGION_TXT_STR_MAX, "t=%" PRId64, o->at);
	for (i = 0; i < r->n_regions; i++)
		if (o->seen[i] != REGION_SEEN_NONE)
			snprintf(out[n++], REGION_TXT_STR_MAX, "%s=%s", r->regions[i],
				 o->seen[i] == REGION_SEEN_UP ? "up" : "down");
	return n;
}

static int region_find(const struct cfg_region *r, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->n_regions; i++)
		if (strlen(r->regions[i]) == len && !strncmp(r->regions[i], name, len))
			return i;
	return -1;
}

/* "n<node>.<region>._xdplb.<zone>" into node and region: -ENOENT if not of that shape. */
static int region_obs_parse_owner(const struct cfg_region *r, const char *owner,
				  struct region_obs *o, bool *unknown_region)
{
	char suffix[CFG_DNS_NAME_MAX + 16];
	size_t lo = strlen(owner), ls;
	const char *dot;
	char *end;
	int idx;

	snprintf(suffix, sizeof(suffix), "." REGION_OBS_LABEL ".%s", r->zone);
	ls = strlen(suffix);
	if (lo <= ls || strcmp(owner + lo - ls, suffix) || owner[0] != 'n')
		return -ENOENT;
	dot = strchr(owner, '.');
	if (dot == owner + lo - ls) /* no region label */
		return -EINVAL;
	errno = 0;
	o->node = strtoul(owner + 1, &end, 10);
	if (end != dot || end == owner + 1 || errno)
		return -EINVAL;
	idx = region_find(r, dot + 1, owner + lo - ls - (dot + 1));
	*unknown_region = idx < 0;
	o->observer = idx < 0 ? 0 : idx;
	return 0;
}

int region_obs_parse(const struct cfg_region *r, const char *owner, const char *const *strs,
		     size_t n, struct region_obs *o)
{
	bool unknown = false, have_t = false;
	const char *eq;
	char *end;
	size_t i;
	int err, idx;

	memset(o, 0, sizeof(*o));
	err = region_obs_parse_owner(r, owner, o, &unknown);
	if (err)
		return err;
	if (!n || strcmp(strs[0], REGION_OBS_MAGIC))
		return -EINVAL;
	for (i = 1; i < n; i++) {
		eq = strchr(strs[i], '=');
		if (!eq || eq == strs[i])
			return -EINVAL;
		if (eq - strs[i] == 1 && strs[i][0] == 't') {
			errno = 0;
			o->at = strtoll(eq + 1, &end, 10);
			if (*end || end == eq + 1 || errno || have_t)
				return -EINVAL;
			have_t = true;
			continue;
		}
		if (strcmp(eq + 1, "up") && strcmp(eq + 1, "down"))
			return -EINVAL;
		idx = region_find(r, strs[i], eq - strs[i]);
		if (idx >= 0)
			o->seen[idx] = !strcmp(eq + 1, "up") ? REGION_SEEN_UP : REGION_SEEN_DOWN;
	}
	if (!have_t)
		return -EINVAL;
	/* A region this config does not name observes nothing we count. */
	return unknown ? -ENOENT : 0;
}

uint8_t region_local_seen(const struct region_local *l, uint64_t now_ms, uint32_t hold_down_ms)
{
	if (!l->probed)
		return REGION_SEEN_NONE;
	if (!l->up)
		return REGION_SEEN_DOWN;
	if (l->ever_down && now_ms - l->up_since_ms < hold_down_ms)
		return REGION_SEEN_DOWN;
	return REGION_SEEN_UP;
}

void region_vote(const struct cfg_region *r, const struct region_obs *obs, size_t n, int64_t now,
		 struct region_verdict out[CFG_REGIONS_MAX])
{
	int64_t oldest = now - (int64_t)(r->observation_timeout_ms / 1000);
	unsigned int up[CFG_REGIONS_MAX], down[CFG_REGIONS_MAX];
	size_t t, o, i;

	memset(out, 0, sizeof(*out) * CFG_REGIONS_MAX);
	for (t = 0; t < r->n_regions; t++) {
		for (o = 0; o < r->n_regions; o++)
			up[o] = down[o] = 0;
		for (i = 0; i < n; i++) {
			if (obs[i].at < oldest || obs[i].observer == t)
				continue;
			up[obs[i].observer] += obs[i].seen[t] == REGION_SEEN_UP;
			down[obs[i].observer] += obs[i].seen[t] == REGION_SEEN_DOWN;
		}
		for (o = 0; o < r->n_regions; o++) {
			if (!up[o] && !down[o])
				continue;
			out[t].voters++;
			out[t].down_votes += down[o] > up[o];
		}
		out[t].down = out[t].down_votes * 2 > out[t].voters;
	}
}

static int region_addr_cmp(const void *x, const void *y)
{
	const struct xaddr *a = x, *b = y;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

size_t region_addrs_normalize(struct xaddr *addrs, size_t n)
{
	size_t i, m = 0;

	qsort(addrs, n, sizeof(*addrs), region_addr_cmp);
	for (i = 0; i < n; i++)
		if (!m || region_addr_cmp(&addrs[m - 1], &addrs[i]))
			addrs[m++] = addrs[i];
	return m;
}

bool region_addrs_equal(const struct xaddr *a, size_t na, const struct xaddr *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (region_addr_cmp(&a[i], &b[i]))
			return false;
	return true;
}

size_t region_records(const struct cfg_dns_name *dn, const struct region_verdict *v,
		      struct xaddr *out, size_t max, bool *fail_open)
{
	size_t i, j, n = 0;
	int pass;

	/* First the regions that are not down; if that is nobody, everyone. */
	for (pass = 0; pass < 2 && !n; pass++)
		for (i = 0; i < dn->n_regions; i++) {
			if (!pass && v[dn->regions[i].region].down)
				continue;
			for (j = 0; j < dn->regions[i].n_addrs && n < max; j++)
				out[n++] = dn->regions[i].addrs[j];
		}
	*fail_open = pass == 2;
	return region_addrs_normalize(out, n);
}
