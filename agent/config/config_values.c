// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config parser's vocabulary: errors with the node's position, scalar
 * values (integers, booleans, names, paths, addresses, enums) and a section's
 * keys read by table. Every section file (config.c, config_*.c) builds on it.
 */
#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_int.h"
#include "config/config_yaml.h"
#include "common/log.h"

__attribute__((format(printf, 3, 4))) int cfg_error(struct cfg_ctx *ctx, const struct cfg_ynode *at,
						    const char *fmt, ...)
{
	va_list ap;
	int off, n;

	off = snprintf(ctx->err, ctx->errlen, "%s:%d:%d: ", ctx->path, at->line, at->column);
	if (off >= 0 && (size_t)off < ctx->errlen) {
		va_start(ap, fmt);
		n = vsnprintf(ctx->err + off, ctx->errlen - off, fmt, ap);
		va_end(ap);
		/* Values are cut with log_cut; should a message still not fit, say that it is cut.
		 */
		if (n >= 0 && (size_t)n >= ctx->errlen - off && ctx->errlen - off > 3)
			strcpy(ctx->err + ctx->errlen - 4, "...");
	}
	return -EINVAL;
}

__attribute__((format(printf, 3, 4))) void cfg_warn(struct cfg_ctx *ctx, const struct cfg_ynode *at,
						    const char *fmt, ...)
{
	char msg[CFG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%d:%d: %s", ctx->path, at->line, at->column, msg);
}

/* --- scalar values ---------------------------------------------------------------------------- */

int cfg_need_scalar(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		    const char *expected)
{
	char found[96];

	if (val->type == CFG_Y_SCALAR && !val->null)
		return 0;
	cfg_yaml_describe(val, found, sizeof(found));
	return cfg_error(ctx, val, "%s: expected %s, found %s", what, expected, found);
}

/* Decimal, or hexadecimal with 0x (hash seeds read better that way); no sign, no octal. */
int cfg_text_to_u64(const char *text, uint64_t *out)
{
	int base = 10;
	char *end;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		text += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)*text) : isdigit((unsigned char)*text)))
		return -EINVAL;
	errno = 0;
	*out = strtoull(text, &end, base);
	return errno || *end ? -EINVAL : 0;
}

static void cfg_store_uint(void *field, size_t size, uint64_t v)
{
	if (size == 1)
		*(uint8_t *)field = v;
	else if (size == 2)
		*(uint16_t *)field = v;
	else
		*(uint32_t *)field = v;
}

int cfg_value_uint(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, uint64_t min,
		   uint64_t max, uint64_t *out)
{
	char expected[64];
	int err;

	snprintf(expected, sizeof(expected), "an integer %llu..%llu", (unsigned long long)min,
		 (unsigned long long)max);
	err = cfg_need_scalar(ctx, what, val, expected);
	if (err)
		return err;
	if (cfg_text_to_u64(val->text, out))
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	if (*out < min || *out > max)
		return cfg_error(ctx, val, "%s: %s is out of range %llu..%llu", what,
				 log_cut(val->text), (unsigned long long)min,
				 (unsigned long long)max);
	return 0;
}

int cfg_value_bool(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	int err;
	size_t i;

	err = cfg_need_scalar(ctx, what, val, "true or false");
	if (err)
		return err;
	for (i = 0; i < 3; i++) {
		if (!strcmp(val->text, yes[i]) || !strcmp(val->text, no[i])) {
			*out = !strcmp(val->text, yes[i]);
			return 0;
		}
	}
	return cfg_error(ctx, val, "%s: expected true or false, found '%s'", what,
			 log_cut(val->text));
}

static int cfg_value_ident(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   size_t min, char *field, size_t size)
{
	const char *c;
	size_t len;
	int err;

	/* An explicit "" is allowed where min is 0 (control.group: ""). */
	if (!min && val->type == CFG_Y_SCALAR && !val->text[0]) {
		field[0] = '\0';
		return 0;
	}
	err = cfg_need_scalar(ctx, what, val, "a name");
	if (err)
		return err;
	len = strlen(val->text);
	if (len < min)
		return cfg_error(ctx, val, "%s: expected a name, found ''", what);
	if (len >= size)
		return cfg_error(ctx, val, "%s: '%s' is longer than %zu characters", what,
				 log_cut(val->text), size - 1);
	/* No ':' or '/': a VIP name can then never be mistaken for an "addr:port/proto" label. */
	for (c = val->text; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-')
			return cfg_error(ctx, val,
					 "%s: '%s': only letters, digits, '.', '_' and '-' allowed",
					 what, log_cut(val->text));
	memcpy(field, val->text, len + 1);
	return 0;
}

static int cfg_value_path(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  char *field, size_t size)
{
	int err;

	err = cfg_need_scalar(ctx, what, val, "an absolute path");
	if (err)
		return err;
	if (val->text[0] != '/')
		return cfg_error(ctx, val, "%s: expected an absolute path, found '%s'", what,
				 log_cut(val->text));
	if (strlen(val->text) >= size)
		return cfg_error(ctx, val, "%s: path longer than %zu characters", what, size - 1);
	strcpy(field, val->text);
	return 0;
}

static int cfg_value_ifname(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			    char *field, size_t size)
{
	const char *c;
	int err;

	err = cfg_need_scalar(ctx, what, val, "an interface name");
	if (err)
		return err;
	if (!val->text[0])
		return cfg_error(ctx, val, "%s: expected an interface name, found ''", what);
	if (strlen(val->text) >= size)
		return cfg_error(ctx, val, "%s: '%s' is longer than %zu characters", what,
				 log_cut(val->text), size - 1);
	for (c = val->text; *c; c++)
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
			return cfg_error(ctx, val, "%s: '%s' is not an interface name", what,
					 log_cut(val->text));
	strcpy(field, val->text);
	return 0;
}

int cfg_value_enum(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		   const struct cfg_enum *names, unsigned int *out)
{
	char expected[128] = "one of:";
	const struct cfg_enum *e;
	int err;

	for (e = names; e->name; e++)
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s %s",
			 e == names ? "" : ",", e->name);
	err = cfg_need_scalar(ctx, what, val, expected);
	if (err)
		return err;
	for (e = names; e->name; e++) {
		if (!strcmp(val->text, e->name)) {
			*out = e->value;
			return 0;
		}
	}
	return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
			 log_cut(val->text));
}

/* Unspecified, multicast and broadcast addresses can be neither VIPs nor tunnel endpoints. */
static bool cfg_addr_is_unicast(const struct xaddr *a)
{
	uint32_t w0 = ntohl(a->addr[0]);

	if (a->family == LB_AF_INET)
		return w0 && (w0 >> 28) != 0xe && w0 != 0xffffffff;
	return (w0 >> 24) != 0xff && (a->addr[0] | a->addr[1] | a->addr[2] | a->addr[3]);
}

int cfg_value_addr(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		   struct xaddr *out)
{
	int err;

	err = cfg_need_scalar(ctx, what, val, "an IPv4 or IPv6 address");
	if (err)
		return err;
	if (cfg_parse_addr(val->text, out))
		return cfg_error(ctx, val, "%s %s: not an IPv4 or IPv6 address", what,
				 log_cut(val->text));
	if (!cfg_addr_is_unicast(out))
		return cfg_error(ctx, val, "%s %s: not a unicast address", what,
				 log_cut(val->text));
	return 0;
}

/* --- mappings --------------------------------------------------------------------------------- */

static int cfg_parse_value(struct cfg_ctx *ctx, const struct cfg_section *sec,
			   const struct cfg_key *key, const struct cfg_ynode *val, void *obj)
{
	void *field = (char *)obj + key->off;
	char what[64];
	unsigned int e;
	uint64_t v;
	int err;

	snprintf(what, sizeof(what), "%s%s", sec->prefix, key->name);
	switch (key->kind) {
	case CFG_K_UINT:
		err = cfg_value_uint(ctx, what, val, key->min, key->max, &v);
		if (!err)
			cfg_store_uint(field, key->size, v);
		return err;
	case CFG_K_IDENT:
		return cfg_value_ident(ctx, what, val, key->min, field, key->size);
	case CFG_K_PATH:
		return cfg_value_path(ctx, what, val, field, key->size);
	case CFG_K_IFNAME:
		return cfg_value_ifname(ctx, what, val, field, key->size);
	case CFG_K_ENUM:
		err = cfg_value_enum(ctx, what, val, key->names, &e);
		if (!err)
			cfg_store_uint(field, key->size, e);
		return err;
	case CFG_K_ADDR:
		/* The section names the address: "backend 198.51.100.300: not an ... address". */
		return cfg_value_addr(ctx, sec->what, val, field);
	case CFG_K_FUNC:
		return key->parse(ctx, what, val, obj);
	}
	return -EINVAL;
}

static int cfg_error_unknown_key(struct cfg_ctx *ctx, const struct cfg_section *sec,
				 const struct cfg_ynode *key)
{
	char expected[256] = "";
	size_t i;

	for (i = 0; i < sec->n_keys; i++)
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s",
			 i ? ", " : "", sec->keys[i].name);
	return cfg_error(ctx, key, "%s: unknown key '%s' (expected one of: %s)", sec->what,
			 log_cut(key->text), expected);
}

int cfg_parse_section(struct cfg_ctx *ctx, const struct cfg_section *sec,
		      const struct cfg_ynode *map, void *obj)
{
	const struct cfg_ynode *seen[CFG_SECTION_KEYS_MAX] = {};
	const struct cfg_ynode *key;
	char found[96];
	size_t i, k;
	int err;

	if (map->type != CFG_Y_MAP) {
		cfg_yaml_describe(map, found, sizeof(found));
		return cfg_error(ctx, map, "%s: expected a mapping, found %s", sec->what, found);
	}
	for (i = 0; i + 1 < map->n_kids; i += 2) {
		key = map->kids[i];
		for (k = 0; k < sec->n_keys; k++)
			if (!strcmp(key->text, sec->keys[k].name))
				break;
		if (k == sec->n_keys)
			return cfg_error_unknown_key(ctx, sec, key);
		if (seen[k])
			return cfg_error(ctx, key, "%s: key '%s' given twice (first at line %d)",
					 sec->what, log_cut(key->text), seen[k]->line);
		seen[k] = key;
		err = cfg_parse_value(ctx, sec, &sec->keys[k], map->kids[i + 1], obj);
		if (err)
			return err;
	}
	for (k = 0; k < sec->n_keys; k++)
		if (sec->keys[k].required && !seen[k])
			return cfg_error(ctx, map, "%s: missing required key '%s'", sec->what,
					 sec->keys[k].name);
	return 0;
}
