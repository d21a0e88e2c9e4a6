// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The health: section of a VIP and the health: overrides of its backends. A
 * backend's overrides start from its VIP's finished section, and a VIP's keys
 * may come in any order, so overrides are applied by cfg_check_health once
 * the whole VIP is parsed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common/log.h"
#include "config/config.h"
#include "config/config_int.h"

#define CFG_HC_INTERVAL_MIN_MS 10
#define CFG_HC_INTERVAL_MAX_MS 3600000
#define CFG_HC_TIMEOUT_MIN_MS  1
#define CFG_HC_COUNT_MAX       100 /* rise, fall */

/* Which check types a key means something for: a key given for another type is an error. */
#define HC_ALL 0x3f
#define HC_NET                                                                                     \
	((1U << CFG_HC_TCP) | (1U << CFG_HC_HTTP) | (1U << CFG_HC_HTTPS) | (1U << CFG_HC_UDP))
#define HC_HTTPS (1U << CFG_HC_HTTPS)
#define HC_WEB	 ((1U << CFG_HC_HTTP) | HC_HTTPS)
#define HC_UDP	 (1U << CFG_HC_UDP)
#define HC_EXEC	 (1U << CFG_HC_EXEC)

static const struct cfg_enum cfg_hc_type_names[] = {
    {"tcp", CFG_HC_TCP},
    {"http", CFG_HC_HTTP},
    {"https", CFG_HC_HTTPS},
    {"udp", CFG_HC_UDP},
    {"exec", CFG_HC_EXEC},
    {"none", CFG_HC_NONE},
    {},
};

const char *cfg_health_type_name(uint8_t type)
{
	const struct cfg_enum *e;

	for (e = cfg_hc_type_names; e->name; e++)
		if (e->value == type)
			return e->name;
	return "?";
}

void cfg_health_defaults(struct cfg_health *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->type = CFG_HC_NONE;
	hc->initial_up = true;
	hc->tls_verify = true;
	hc->interval_ms = 2000;
	hc->timeout_ms = 1000;
	hc->jitter_ms = UINT32_MAX; /* not given: a tenth of the interval, set once it is known */
	hc->rise = 2;
	hc->fall = 3;
	hc->n_status = 1;
	hc->status[0][0] = 200;
	hc->status[0][1] = 399;
	strcpy(hc->method, "GET");
	strcpy(hc->path, "/");
}

/* "500ms" or "2s": a bare number would leave the unit to guesswork. */
int cfg_value_duration(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      uint32_t min_ms, uint32_t max_ms, uint32_t *out)
{
	static const char expected[] = "a duration like 500ms or 2s";
	unsigned long long v, scale;
	char *end;
	int err;

	err = cfg_need_scalar(ctx, what, val, expected);
	if (err)
		return err;
	errno = 0;
	v = isdigit((unsigned char)val->text[0]) ? strtoull(val->text, &end, 10) : 0;
	if (!isdigit((unsigned char)val->text[0]) || errno)
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	if (!strcmp(end, "ms"))
		scale = 1;
	else if (!strcmp(end, "s"))
		scale = 1000;
	else
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	if (v > max_ms || v * scale < min_ms || v * scale > max_ms)
		return cfg_error(ctx, val, "%s: %s is out of range %ums..%us", what,
				 log_cut(val->text), min_ms, max_ms / 1000);
	*out = v * scale;
	return 0;
}

/* Printable text without spaces (a path, a host name, a method). */
int cfg_value_token(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   const char *expected, char *field, size_t size)
{
	const char *c;
	int err;

	err = cfg_need_scalar(ctx, what, val, expected);
	if (err)
		return err;
	if (strlen(val->text) >= size)
		return cfg_error(ctx, val, "%s: '%s' is longer than %zu characters", what,
				 log_cut(val->text), size - 1);
	for (c = val->text; *c; c++)
		if (!isgraph((unsigned char)*c))
			return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
					 log_cut(val->text));
	strcpy(field, val->text);
	return 0;
}

/*
 * Any text, spaces included; "" allowed (it turns the match off). A NUL byte
 * (a "\0" escape) is refused: the text is matched as a C string, which would
 * end there.
 */
static int cfg_value_text(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  char *field, size_t size)
{
	if (val->type == CFG_Y_SCALAR && !val->null) {
		if (val->len >= size)
			return cfg_error(ctx, val, "%s: longer than %zu bytes", what, size - 1);
		if (strlen(val->text) != val->len)
			return cfg_error(ctx, val, "%s: a NUL byte at character %zu ends the text",
					 what, strlen(val->text) + 1);
		strcpy(field, val->text);
		return 0;
	}
	return cfg_need_scalar(ctx, what, val, "a string");
}

/* Between pairs of hex digits, for reading: "12:34", "1234 5678", a folded line. */
#define CFG_HEX_SEPARATORS ": \t\n"
#define CFG_BASE64_SPACES  " \t\n"

/* The digits after "hex:" into out; an error names the character where they went wrong. */
static int cfg_bytes_hex(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			 const char *hex, uint8_t *out, size_t *n)
{
	const char *end, *last = val->text + val->len;
	char found[16];
	int ret;

	/* strlen, not the scalar's length: sodium would skip a NUL byte as a separator. */
	ret = sodium_hex2bin(out, val->len, hex, strlen(hex), CFG_HEX_SEPARATORS, n, &end);
	if (!ret && end == last)
		return 0;
	/* A digit without its pair: sodium stops on it. */
	if (ret) {
		if (end + 1 + strspn(end + 1, CFG_HEX_SEPARATORS) == last)
			return cfg_error(ctx, val, "%s: hex: odd number of digits", what);
		end++;
	}
	if (isprint((unsigned char)*end))
		snprintf(found, sizeof(found), "'%c'", *end);
	else
		snprintf(found, sizeof(found), "byte 0x%02x", (unsigned char)*end);
	return cfg_error(ctx, val, "%s: hex: expected hex digits, found %s at character %zu", what,
			 found, (size_t)(end - val->text) + 1);
}

/* Standard base64 (RFC 4648, '=' padding), spaces allowed. */
static int cfg_bytes_base64(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			    const char *b64, uint8_t *out, size_t *n)
{
	const char *end;

	if (sodium_base642bin(out, val->len, b64, strlen(b64), CFG_BASE64_SPACES, n, &end,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    end != val->text + val->len)
		return cfg_error(ctx, val, "%s: base64: not valid base64", what);
	return 0;
}

/*
 * Bytes of a udp payload or expect: "hex:..." or "base64:..." decoded, any
 * other string as written (YAML escapes such as "\0" give any byte too). ""
 * is allowed.
 */
static int cfg_value_bytes(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   uint8_t *field, uint16_t *len)
{
	static const char hex[] = "hex:", b64[] = "base64:";
	const uint8_t *bytes = (const uint8_t *)val->text;
	size_t n = val->len;
	uint8_t *buf = NULL;
	int err;

	err = cfg_need_scalar(ctx, what, val, "a string, hex:... or base64:...");
	if (err)
		return err;
	if (!strncmp(val->text, hex, strlen(hex)) || !strncmp(val->text, b64, strlen(b64))) {
		/* Decoding gives fewer bytes than the text has; the length is checked below. */
		buf = malloc(val->len);
		if (!buf)
			return -ENOMEM;
		if (val->text[0] == 'h')
			err = cfg_bytes_hex(ctx, what, val, val->text + strlen(hex), buf, &n);
		else
			err = cfg_bytes_base64(ctx, what, val, val->text + strlen(b64), buf, &n);
		bytes = buf;
	}
	if (!err && n > CFG_HC_BYTES_MAX)
		err = cfg_error(ctx, val, "%s: longer than %d bytes", what, CFG_HC_BYTES_MAX);
	if (!err) {
		memcpy(field, bytes, n);
		*len = n;
	}
	free(buf);
	return err;
}

static int cfg_hc_type(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		       void *obj)
{
	struct cfg_health *hc = obj;
	unsigned int type;
	int err;

	err = cfg_value_enum(ctx, what, val, cfg_hc_type_names, &type);
	if (!err)
		hc->type = type;
	return err;
}

static int cfg_hc_interval(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   void *obj)
{
	return cfg_value_duration(ctx, what, val, CFG_HC_INTERVAL_MIN_MS, CFG_HC_INTERVAL_MAX_MS,
				  &((struct cfg_health *)obj)->interval_ms);
}

static int cfg_hc_timeout(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  void *obj)
{
	return cfg_value_duration(ctx, what, val, CFG_HC_TIMEOUT_MIN_MS, CFG_HC_INTERVAL_MAX_MS,
				  &((struct cfg_health *)obj)->timeout_ms);
}

static int cfg_hc_jitter(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			 void *obj)
{
	return cfg_value_duration(ctx, what, val, 0, CFG_HC_INTERVAL_MAX_MS,
				  &((struct cfg_health *)obj)->jitter_ms);
}

static const struct cfg_enum cfg_hc_state_names[] = {
    {"up", 1},
    {"down", 0},
    {},
};

static int cfg_hc_initial(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  void *obj)
{
	struct cfg_health *hc = obj;
	unsigned int up;
	int err;

	err = cfg_value_enum(ctx, what, val, cfg_hc_state_names, &up);
	if (!err)
		hc->initial_up = up;
	return err;
}

static int cfg_hc_method(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			 void *obj)
{
	struct cfg_health *hc = obj;
	const char *c;
	int err;

	err = cfg_value_token(ctx, what, val, "an HTTP method like GET", hc->method,
			      sizeof(hc->method));
	if (err)
		return err;
	for (c = hc->method; *c; c++)
		if (!isupper((unsigned char)*c))
			return cfg_error(ctx, val,
					 "%s: expected an HTTP method like GET, found '%s'", what,
					 log_cut(val->text));
	return 0;
}

static int cfg_hc_path(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		       void *obj)
{
	struct cfg_health *hc = obj;
	int err;

	err =
	    cfg_value_token(ctx, what, val, "a path starting with '/'", hc->path, sizeof(hc->path));
	if (!err && hc->path[0] != '/')
		return cfg_error(ctx, val, "%s: expected a path starting with '/', found '%s'",
				 what, log_cut(val->text));
	return err;
}

static int cfg_hc_host(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		       void *obj)
{
	struct cfg_health *hc = obj;

	return cfg_value_token(ctx, what, val, "a host name", hc->host, sizeof(hc->host));
}

/* One entry of expect_status: "503" or "200-399". */
static int cfg_hc_status_item(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      uint16_t range[2])
{
	static const char expected[] = "an HTTP status 100..599 or a range like 200-399";
	unsigned long lo, hi;
	char *end;
	int err;

	err = cfg_need_scalar(ctx, what, val, expected);
	if (err)
		return err;
	if (!isdigit((unsigned char)val->text[0]))
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	lo = hi = strtoul(val->text, &end, 10);
	if (*end == '-' && isdigit((unsigned char)end[1]))
		hi = strtoul(end + 1, &end, 10);
	if (*end)
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	if (lo < 100 || hi > 599)
		return cfg_error(ctx, val, "%s: %s: HTTP status codes are 100..599", what,
				 log_cut(val->text));
	if (lo > hi)
		return cfg_error(ctx, val, "%s: %s: the first status is above the last", what,
				 log_cut(val->text));
	range[0] = lo;
	range[1] = hi;
	return 0;
}

static int cfg_hc_expect_status(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
				void *obj)
{
	struct cfg_health *hc = obj;
	size_t i;
	int err;

	if (val->type != CFG_Y_SEQ) {
		err = cfg_hc_status_item(ctx, what, val, hc->status[0]);
		if (!err)
			hc->n_status = 1;
		return err;
	}
	if (!val->n_kids)
		return cfg_error(ctx, val, "%s: expected at least one status", what);
	if (val->n_kids > CFG_HC_STATUS_MAX)
		return cfg_error(ctx, val->kids[CFG_HC_STATUS_MAX], "%s: more than %d entries",
				 what, CFG_HC_STATUS_MAX);
	for (i = 0; i < val->n_kids; i++) {
		err = cfg_hc_status_item(ctx, what, val->kids[i], hc->status[i]);
		if (err)
			return err;
	}
	hc->n_status = val->n_kids;
	return 0;
}

static int cfg_hc_expect_body(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      void *obj)
{
	struct cfg_health *hc = obj;

	return cfg_value_text(ctx, what, val, hc->expect_body, sizeof(hc->expect_body));
}

static int cfg_hc_tls_verify(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			     void *obj)
{
	return cfg_value_bool(ctx, what, val, &((struct cfg_health *)obj)->tls_verify);
}

static int cfg_hc_payload(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  void *obj)
{
	struct cfg_health *hc = obj;

	return cfg_value_bytes(ctx, what, val, hc->payload, &hc->payload_len);
}

static int cfg_hc_expect(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			 void *obj)
{
	struct cfg_health *hc = obj;

	return cfg_value_bytes(ctx, what, val, hc->expect, &hc->expect_len);
}

/* argv as a list; the program by absolute path (the agent's PATH is nobody's business). */
static int cfg_hc_command(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  void *obj)
{
	struct cfg_health *hc = obj;
	size_t i, len, off = 0;
	char found[96];
	int err;

	if (val->type != CFG_Y_SEQ || !val->n_kids) {
		cfg_yaml_describe(val, found, sizeof(found));
		return cfg_error(ctx, val,
				 "%s: expected a list like [/usr/bin/check, arg], found %s", what,
				 val->type == CFG_Y_SEQ ? "an empty list" : found);
	}
	if (val->n_kids > CFG_HC_ARGV_MAX)
		return cfg_error(ctx, val->kids[CFG_HC_ARGV_MAX], "%s: more than %d arguments",
				 what, CFG_HC_ARGV_MAX);
	for (i = 0; i < val->n_kids; i++) {
		err = cfg_need_scalar(ctx, what, val->kids[i], "a string");
		if (err)
			return err;
		len = strlen(val->kids[i]->text) + 1;
		if (off + len > sizeof(hc->command))
			return cfg_error(ctx, val->kids[i], "%s: longer than %zu bytes in all",
					 what, sizeof(hc->command));
		memcpy(hc->command + off, val->kids[i]->text, len);
		off += len;
	}
	if (hc->command[0] != '/')
		return cfg_error(ctx, val->kids[0], "%s: '%s': the program needs an absolute path",
				 what, log_cut(hc->command));
	memset(hc->command + off, 0, sizeof(hc->command) - off);
	hc->argc = val->n_kids;
	return 0;
}

static const struct cfg_key cfg_health_keys[] = {
    CFG_FUNC("type", cfg_hc_type, false),
    CFG_UINT("port", struct cfg_health, port, 1, 65535, false),
    CFG_FUNC("interval", cfg_hc_interval, false),
    CFG_FUNC("timeout", cfg_hc_timeout, false),
    CFG_UINT("rise", struct cfg_health, rise, 1, CFG_HC_COUNT_MAX, false),
    CFG_UINT("fall", struct cfg_health, fall, 1, CFG_HC_COUNT_MAX, false),
    CFG_FUNC("jitter", cfg_hc_jitter, false),
    CFG_FUNC("initial", cfg_hc_initial, false),
    CFG_FUNC("method", cfg_hc_method, false),
    CFG_FUNC("path", cfg_hc_path, false),
    CFG_FUNC("host", cfg_hc_host, false),
    CFG_FUNC("expect_status", cfg_hc_expect_status, false),
    CFG_FUNC("expect_body", cfg_hc_expect_body, false),
    CFG_FUNC("tls_verify", cfg_hc_tls_verify, false),
    CFG_FUNC("payload", cfg_hc_payload, false),
    CFG_FUNC("expect", cfg_hc_expect, false),
    CFG_FUNC("command", cfg_hc_command, false),
};
static const struct cfg_section cfg_vip_health_section = CFG_SECTION("vip.health", cfg_health_keys);
static const struct cfg_section cfg_backend_health_section =
    CFG_SECTION("backend.health", cfg_health_keys);
static const struct cfg_section cfg_group_check_section = CFG_SECTION("group.check", cfg_health_keys);
static const struct cfg_section cfg_region_check_section =
    CFG_SECTION("region.check", cfg_health_keys);

/* The check types each key of cfg_health_keys applies to, in the same order. */
static const unsigned int cfg_health_key_types[] = {
    HC_ALL, HC_NET, HC_ALL, HC_ALL, HC_ALL,   HC_ALL, HC_ALL, HC_ALL,  HC_WEB,
    HC_WEB, HC_WEB, HC_WEB, HC_WEB, HC_HTTPS, HC_UDP, HC_UDP, HC_EXEC,
};
_Static_assert(sizeof(cfg_health_key_types) / sizeof(cfg_health_key_types[0]) ==
		   sizeof(cfg_health_keys) / sizeof(cfg_health_keys[0]),
	       "one type mask per health key");

/* Without a type, a health: section means a TCP connect check. */
int cfg_parse_vip_health(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			 void *obj)
{
	struct cfg_vip *vip = obj;

	vip->health.type = CFG_HC_TCP;
	return cfg_parse_section(ctx, &cfg_vip_health_section, val, &vip->health);
}

/* Applied by cfg_check_health: the VIP's own health: may come after its backends. */
int cfg_parse_backend_health(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			     void *obj)
{
	return 0;
}

/* What only the finished section can tell: keys that fit the type, timeout, port. */
static int cfg_check_one_health(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *map,
				const struct cfg_vip *vip, struct cfg_health *hc)
{
	const struct cfg_ynode *key, *timeout = cfg_yaml_get(map, "timeout");
	size_t i, k;

	for (i = 0; i + 1 < map->n_kids; i += 2) {
		key = map->kids[i];
		for (k = 0; strcmp(cfg_health_keys[k].name, key->text); k++)
			;
		if (!(cfg_health_key_types[k] & (1U << hc->type)))
			return cfg_error(ctx, key, "%s.%s: means nothing to a %s check", what,
					 log_cut(key->text), cfg_health_type_name(hc->type));
	}
	if (hc->type == CFG_HC_NONE)
		return 0;
	if (hc->jitter_ms == UINT32_MAX)
		hc->jitter_ms = hc->interval_ms / 10;
	if (hc->timeout_ms > hc->interval_ms)
		return cfg_error(ctx, timeout ? timeout : map,
				 "%s.timeout: %ums is longer than the interval (%ums)", what,
				 hc->timeout_ms, hc->interval_ms);
	if (hc->type == CFG_HC_EXEC && !hc->argc)
		return cfg_error(ctx, map, "%s: missing required key 'command' (type exec runs it)",
				 what);
	if (!vip) /* a proxy group's check: port 0 is each server's own */
		return 0;
	if (!hc->port && hc->type != CFG_HC_EXEC)
		hc->port = vip->port;
	if (!hc->port && hc->type != CFG_HC_EXEC)
		return cfg_error(ctx, map,
				 "%s: missing required key 'port' (the vip has port: any, a %s "
				 "check needs one)",
				 what, cfg_health_type_name(hc->type));
	return 0;
}

int cfg_check_health(struct cfg_ctx *ctx, const struct cfg_ynode *vip_map, struct cfg_vip *vip)
{
	const struct cfg_ynode *own = cfg_yaml_get(vip_map, "health");
	const struct cfg_ynode *list = cfg_yaml_get(vip_map, "backends"), *map;
	struct cfg_health base = vip->health; /* overrides start before defaults are resolved */
	struct cfg_backend *be;
	size_t i;
	int err;

	if (own) {
		err = cfg_check_one_health(ctx, "vip.health", own, vip, &vip->health);
		if (err)
			return err;
	}
	for (i = 0; i < vip->n_backends; i++) {
		be = &vip->backends[i];
		map = cfg_yaml_get(list->kids[i], "health");
		if (!map)
			continue;
		be->health = malloc(sizeof(*be->health));
		if (!be->health)
			return -ENOMEM;
		*be->health = base;
		if (!own)
			be->health->type = CFG_HC_TCP;
		err = cfg_parse_section(ctx, &cfg_backend_health_section, map, be->health);
		if (!err)
			err = cfg_check_one_health(ctx, "backend.health", map, vip, be->health);
		if (err)
			return err;
	}
	return 0;
}

/*
 * A proxy server group's check: (HAProxy runs it): type http (the default) or tcp, and
 * none of the keys only lbagent's own checker knows.
 */
int cfg_parse_group_check(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  struct cfg_health *hc)
{
	static const char *const agent_only[] = {"jitter", "initial", "expect_body"};
	const struct cfg_ynode *at;
	size_t i;
	int err;

	cfg_health_defaults(hc);
	hc->type = CFG_HC_HTTP;
	err = cfg_parse_section(ctx, &cfg_group_check_section, val, hc);
	if (!err)
		err = cfg_check_one_health(ctx, what, val, NULL, hc);
	if (err)
		return err;
	if (hc->type != CFG_HC_HTTP && hc->type != CFG_HC_TCP)
		return cfg_error(ctx, cfg_yaml_get(val, "type"),
				 "%s.type: %s: the proxy's checks are http or tcp", what,
				 cfg_health_type_name(hc->type));
	for (i = 0; i < sizeof(agent_only) / sizeof(agent_only[0]); i++) {
		at = cfg_yaml_get(val, agent_only[i]);
		if (at)
			return cfg_error(ctx, at, "%s.%s: HAProxy's checks have no such setting",
					 what, agent_only[i]);
	}
	return 0;
}

/* The region prober's check of the other regions' VIPs: through the network, with a port. */
int cfg_parse_region_check(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   struct cfg_health *hc)
{
	int err;

	cfg_health_defaults(hc);
	hc->type = CFG_HC_TCP;
	err = cfg_parse_section(ctx, &cfg_region_check_section, val, hc);
	if (!err)
		err = cfg_check_one_health(ctx, what, val, NULL, hc);
	if (err)
		return err;
	if (hc->type != CFG_HC_TCP && hc->type != CFG_HC_HTTP && hc->type != CFG_HC_HTTPS)
		return cfg_error(ctx, cfg_yaml_get(val, "type"),
				 "%s.type: %s: a region is checked through its VIPs: tcp, http or "
				 "https",
				 what, cfg_health_type_name(hc->type));
	if (!hc->port)
		return cfg_error(ctx, val, "%s: missing required key 'port' (of the VIPs)", what);
	return 0;
}
