// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The region: section: this node's region, the authoritative DNS server and zone its agent
 * updates (RFC 2136, signed with the TSIG key of tsig_key_file), the check run against the
 * other regions' VIPs, and per DNS name the VIPs of each region. The key file is read here,
 * so --check-config refuses a key the server could never accept.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "config/config.h"
#include "config/config_int.h"
#include "config/config_region.h"
#include "config/config_sync.h"

/* Letters, digits and '-': a region's name is a label of the observation records' owners. */
static int cfg_region_label(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			    char *out, size_t size)
{
	const char *c;
	int err = cfg_need_scalar(ctx, what, val, "a region name");

	if (err)
		return err;
	if (!val->text[0] || strlen(val->text) >= size)
		return cfg_error(ctx, val, "%s: '%s' is empty or longer than %zu characters", what,
				 log_cut(val->text), size - 1);
	for (c = val->text; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-')
			return cfg_error(ctx, val,
					 "%s: '%s': a region name is letters, digits and '-' (it "
					 "is a DNS label)",
					 what, log_cut(val->text));
	for (c = val->text; *c; c++)
		*out++ = tolower((unsigned char)*c);
	*out = 0;
	return 0;
}

/* A host name in presentation form, stored lower case without the final dot. */
int cfg_region_dns_name(const char *text, char *out, size_t size)
{
	size_t len = strlen(text), label = 0, i;

	if (len && text[len - 1] == '.')
		len--;
	if (!len || len >= size || len > 253)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = text[i];

		if (c == '.') {
			if (!label)
				return -EINVAL;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		out[i] = tolower(c);
	}
	out[len] = 0;
	return label ? 0 : -EINVAL;
}

static int cfg_region_name_value(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
				 char *out, size_t size)
{
	int err = cfg_need_scalar(ctx, what, val, "a DNS name");

	if (err)
		return err;
	if (cfg_region_dns_name(val->text, out, size))
		return cfg_error(ctx, val,
				 "%s: '%s' is not a DNS name (labels of letters, digits, '-' "
				 "and '_', 63 characters each, 253 in all)",
				 what, log_cut(val->text));
	return 0;
}

/* "hmac-sha256:name:base64": the form dig -y, nsupdate -y and knsupdate -y take. */
int cfg_region_read_key(const char *path, struct cfg_tsig_key *key, char *err, size_t errlen)
{
	static const char *const algorithms[] = {"hmac-md5",	"hmac-sha1",   "hmac-sha224",
						 "hmac-sha256", "hmac-sha384", "hmac-sha512"};
	char line[CFG_TSIG_LINE_MAX + 2], *alg, *name, *secret, *c, *end;
	size_t i, n;
	FILE *f;
	int ret;

	/* The sync key's checks: a regular file, mode 0600 (whoever reads it can rewrite the zone).
	 */
	ret = cfg_sync_check_key_file(path, err, errlen);
	if (ret)
		return ret;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = 0;
	end = line + strcspn(line, "\r\n");
	*end = 0;
	alg = line;
	name = strchr(alg, ':');
	secret = name ? strchr(name + 1, ':') : NULL;
	if (n > CFG_TSIG_LINE_MAX || !secret) {
		snprintf(err, errlen,
			 "%s: expected one line 'algorithm:key-name:base64-secret' (as dig -y "
			 "takes it)",
			 path);
		return -EINVAL;
	}
	*name++ = 0;
	*secret++ = 0;
	for (i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++)
		if (!strcasecmp(alg, algorithms[i]))
			break;
	if (i == sizeof(algorithms) / sizeof(algorithms[0])) {
		snprintf(err, errlen,
			 "%s: algorithm '%s': expected hmac-sha256 (or another hmac-*)", path,
			 log_cut(alg));
		return -EINVAL;
	}
	if (cfg_region_dns_name(name, key->name, sizeof(key->name))) {
		snprintf(err, errlen, "%s: key name '%s' is not a DNS name", path, log_cut(name));
		return -EINVAL;
	}
	for (c = secret; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '+' && *c != '/' && *c != '=')
			break;
	if (*c || strlen(secret) < 16 || strlen(secret) % 4) {
		snprintf(err, errlen, "%s: the secret is not base64 of at least 12 bytes", path);
		return -EINVAL;
	}
	snprintf(key->algorithm, sizeof(key->algorithm), "%s", algorithms[i]);
	snprintf(key->secret, sizeof(key->secret), "%s", secret);
	return 0;
}

static int cfg_region_parse_name(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
				 void *obj)
{
	struct cfg_region *r = obj;

	return cfg_region_label(ctx, what, val, r->name, sizeof(r->name));
}

static int cfg_region_parse_zone(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
				 void *obj)
{
	struct cfg_region *r = obj;

	return cfg_region_name_value(ctx, what, val, r->zone, sizeof(r->zone));
}

#define CFG_REGION_DURATION(fn, field, lo, hi)                                                     \
	static int fn(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,          \
		      void *obj)                                                                   \
	{                                                                                          \
		return cfg_value_duration(ctx, what, val, lo, hi,                                  \
					  &((struct cfg_region *)obj)->field);                     \
	}
CFG_REGION_DURATION(cfg_region_parse_timeout, timeout_ms, 100, 30000)
CFG_REGION_DURATION(cfg_region_parse_interval, interval_ms, 100, 3600000)
CFG_REGION_DURATION(cfg_region_parse_obs_timeout, observation_timeout_ms, 1000, 86400000)
CFG_REGION_DURATION(cfg_region_parse_hold_down, hold_down_ms, 0, 86400000)

static int cfg_region_parse_check(struct cfg_ctx *ctx, const char *what,
				  const struct cfg_ynode *val, void *obj)
{
	struct cfg_region *r = obj;

	return cfg_parse_region_check(ctx, what, val, r->check);
}

/* The region's index in r->regions, added when new; -1 when there is no room. */
static int cfg_region_index(struct cfg_region *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_regions; i++)
		if (!strcmp(r->regions[i], name))
			return i;
	if (r->n_regions == CFG_REGIONS_MAX)
		return -1;
	snprintf(r->regions[r->n_regions], sizeof(r->regions[0]), "%s", name);
	return r->n_regions++;
}

/* regions: {r1: [192.0.2.10], r2: 198.51.100.100}: a list or one address per region. */
static int cfg_region_parse_vips(struct cfg_ctx *ctx, struct cfg_region *r,
				 const struct cfg_ynode *map, struct cfg_dns_name *dn)
{
	char region[CFG_REGION_NAME_MAX], found[96];
	const struct cfg_ynode *list, *one;
	struct cfg_region_vips *rv;
	size_t i, j, n;
	int idx, err;

	if (map->type != CFG_Y_MAP || !map->n_kids) {
		cfg_yaml_describe(map, found, sizeof(found));
		return cfg_error(ctx, map,
				 "region.names.regions: expected a mapping of region names to "
				 "VIPs, found %s",
				 found);
	}
	for (i = 0; i + 1 < map->n_kids; i += 2) {
		err = cfg_region_label(ctx, "region.names.regions", map->kids[i], region,
				       sizeof(region));
		if (err)
			return err;
		idx = cfg_region_index(r, region);
		if (idx < 0 || dn->n_regions == CFG_REGIONS_MAX)
			return cfg_error(ctx, map->kids[i],
					 "region.names.regions: more than %d "
					 "regions",
					 CFG_REGIONS_MAX);
		for (j = 0; j < dn->n_regions; j++)
			if (dn->regions[j].region == idx)
				return cfg_error(ctx, map->kids[i],
						 "region.names.regions: region %s given twice",
						 region);
		rv = &dn->regions[dn->n_regions++];
		rv->region = idx;
		list = map->kids[i + 1];
		n = list->type == CFG_Y_SEQ ? list->n_kids : 1;
		if (!n || n > CFG_REGION_VIPS_MAX)
			return cfg_error(ctx, list, "region.names.regions.%s: 1..%d VIPs", region,
					 CFG_REGION_VIPS_MAX);
		for (j = 0; j < n; j++) {
			one = list->type == CFG_Y_SEQ ? list->kids[j] : list;
			err = cfg_value_addr(ctx, "region.names.regions", one, &rv->addrs[j]);
			if (err)
				return err;
		}
		rv->n_addrs = n;
	}
	return 0;
}

static int cfg_region_in_zone(const char *name, const char *zone)
{
	size_t ln = strlen(name), lz = strlen(zone);

	return !strcmp(name, zone) ||
	       (ln > lz && name[ln - lz - 1] == '.' && !strcmp(name + ln - lz, zone));
}

static int cfg_region_parse_names(struct cfg_ctx *ctx, const char *what,
				  const struct cfg_ynode *val, void *obj)
{
	struct cfg_region *r = obj;
	const struct cfg_ynode *item, *at;
	struct cfg_dns_name *dn;
	uint64_t ttl;
	char found[96];
	size_t i, j;
	int err;

	if (val->type != CFG_Y_SEQ || !val->n_kids) {
		cfg_yaml_describe(val, found, sizeof(found));
		return cfg_error(ctx, val, "%s: expected a list of names, found %s", what, found);
	}
	r->names = calloc(val->n_kids, sizeof(*r->names));
	if (!r->names)
		return -ENOMEM;
	for (i = 0; i < val->n_kids; i++) {
		item = val->kids[i];
		dn = &r->names[r->n_names++];
		dn->line = item->line;
		dn->column = item->column;
		dn->ttl = CFG_REGION_DEFAULT_TTL;
		if (item->type != CFG_Y_MAP)
			return cfg_error(ctx, item, "%s: expected a mapping (name, ttl, regions)",
					 what);
		for (j = 0; j + 1 < item->n_kids; j += 2)
			if (strcmp(item->kids[j]->text, "name") &&
			    strcmp(item->kids[j]->text, "ttl") &&
			    strcmp(item->kids[j]->text, "regions"))
				return cfg_error(ctx, item->kids[j],
						 "%s: unknown key '%s' (expected one of: name, "
						 "ttl, regions)",
						 what, log_cut(item->kids[j]->text));
		at = cfg_yaml_get(item, "name");
		if (!at)
			return cfg_error(ctx, item, "%s: missing required key 'name'", what);
		err =
		    cfg_region_name_value(ctx, "region.names.name", at, dn->name, sizeof(dn->name));
		if (err)
			return err;
		if (r->zone[0] && !cfg_region_in_zone(dn->name, r->zone))
			return cfg_error(ctx, at, "region.names.name: %s is not in zone %s",
					 dn->name, r->zone);
		for (j = 0; j < i; j++)
			if (!strcmp(r->names[j].name, dn->name))
				return cfg_error(ctx, at,
						 "region.names.name: %s given twice (first at line "
						 "%d)",
						 dn->name, r->names[j].line);
		at = cfg_yaml_get(item, "ttl");
		if (at) {
			err = cfg_value_uint(ctx, "region.names.ttl", at, 1, 86400, &ttl);
			if (err)
				return err;
			dn->ttl = ttl;
		}
		at = cfg_yaml_get(item, "regions");
		if (!at)
			return cfg_error(ctx, item, "%s: missing required key 'regions'", what);
		err = cfg_region_parse_vips(ctx, r, at, dn);
		if (err)
			return err;
	}
	return 0;
}

static const struct cfg_key cfg_region_keys[] = {
    CFG_FUNC("name", cfg_region_parse_name, true),
    CFG_ADDR("server", struct cfg_region, server, true),
    CFG_UINT("port", struct cfg_region, port, 1, 65535, false),
    CFG_FUNC("zone", cfg_region_parse_zone, true),
    CFG_STRING("tsig_key_file", CFG_K_PATH, struct cfg_region, tsig_key_file, true),
    CFG_FUNC("timeout", cfg_region_parse_timeout, false),
    CFG_FUNC("interval", cfg_region_parse_interval, false),
    CFG_FUNC("observation_timeout", cfg_region_parse_obs_timeout, false),
    CFG_UINT("observation_ttl", struct cfg_region, observation_ttl, 1, 86400, false),
    CFG_FUNC("hold_down", cfg_region_parse_hold_down, false),
    CFG_FUNC("check", cfg_region_parse_check, true),
    CFG_FUNC("names", cfg_region_parse_names, true),
};
static const struct cfg_section cfg_region_section = CFG_SECTION("region", cfg_region_keys);

void cfg_region_defaults(struct lb_config *cfg)
{
	struct cfg_region *r = &cfg->region;

	memset(r, 0, sizeof(*r));
	r->port = 53;
	r->timeout_ms = CFG_REGION_DEFAULT_TIMEOUT_MS;
	r->interval_ms = CFG_REGION_DEFAULT_INTERVAL_MS;
	r->observation_timeout_ms = CFG_REGION_DEFAULT_OBS_TIMEOUT_MS;
	r->observation_ttl = CFG_REGION_DEFAULT_OBS_TTL;
	r->hold_down_ms = CFG_REGION_DEFAULT_HOLD_DOWN_MS;
}

/* Cross-key rules, once every key is in (names may come before zone). */
static int cfg_region_check(struct cfg_ctx *ctx, const struct cfg_ynode *map, struct cfg_region *r)
{
	struct cfg_tsig_key key;
	char why[CFG_ERR_MAX - 64];
	size_t i;

	for (i = 0; i < r->n_names; i++)
		if (!cfg_region_in_zone(r->names[i].name, r->zone))
			return cfg_error(ctx, cfg_yaml_get(map, "names"),
					 "region.names: %s is not in zone %s", r->names[i].name,
					 r->zone);
	for (i = 0; i < r->n_regions; i++)
		if (!strcmp(r->regions[i], r->name))
			break;
	if (i == r->n_regions)
		return cfg_error(ctx, cfg_yaml_get(map, "name"),
				 "region.name: %s serves none of the names (their regions: %s%s%s)",
				 r->name, r->regions[0], r->n_regions > 1 ? ", " : "",
				 r->n_regions > 1 ? r->regions[1] : "");
	r->self = i;
	if (r->n_regions < 2)
		return cfg_error(ctx, cfg_yaml_get(map, "names"),
				 "region.names: every name is in region %s alone; failover needs a "
				 "second region",
				 r->name);
	if (r->timeout_ms * 2 > r->interval_ms)
		return cfg_error(ctx, cfg_yaml_get(map, "timeout") ?: map,
				 "region.timeout: %u ms leaves no room in an interval of %u ms "
				 "(at most half of it)",
				 r->timeout_ms, r->interval_ms);
	if (r->observation_timeout_ms < 2 * r->interval_ms)
		return cfg_error(ctx, cfg_yaml_get(map, "observation_timeout") ?: map,
				 "region.observation_timeout: %u ms must be at least two intervals "
				 "(%u ms), or every observation goes stale between rounds",
				 r->observation_timeout_ms, 2 * r->interval_ms);
	if (cfg_region_read_key(r->tsig_key_file, &key, why, sizeof(why)))
		return cfg_error(ctx, cfg_yaml_get(map, "tsig_key_file"), "region.tsig_key_file %s",
				 why);
	explicit_bzero(&key, sizeof(key));
	return 0;
}

int cfg_region_parse(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, void *obj)
{
	struct lb_config *cfg = obj;
	struct cfg_region *r = &cfg->region;
	int err;

	if (val->type == CFG_Y_SCALAR && val->null)
		return 0;
	r->check = calloc(1, sizeof(*r->check));
	if (!r->check)
		return -ENOMEM;
	r->enabled = true;
	err = cfg_parse_section(ctx, &cfg_region_section, val, r);
	return err ? err : cfg_region_check(ctx, val, r);
}

void cfg_region_free(struct cfg_region *r)
{
	free(r->names);
	free(r->check);
	r->names = NULL;
	r->check = NULL;
	r->n_names = 0;
}
