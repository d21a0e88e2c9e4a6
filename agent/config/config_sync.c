// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The sync: section: packet counts for the data plane, and the multicast
 * channel, key and timers of the sync subsystem. Kept apart from config.c so
 * that the sync work does not have to share that file's schema tables.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "common/log.h"
#include "config/config.h"
#include "config/config_int.h"
#include "config/config_sync.h"

static int cfg_sync_scalar(struct cfg_ctx *ctx, const char *key, const struct cfg_ynode *val,
			   const char *expected)
{
	char found[96];

	if (val->type == CFG_Y_SCALAR && !val->null)
		return 0;
	cfg_yaml_describe(val, found, sizeof(found));
	return cfg_error(ctx, val, "sync.%s: expected %s, found %s", key, expected, found);
}

static int cfg_sync_uint(struct cfg_ctx *ctx, const char *key, const struct cfg_ynode *val,
			 uint64_t min, uint64_t max, uint64_t *out)
{
	char expected[64];
	const char *c;
	char *end;
	int err;

	snprintf(expected, sizeof(expected), "an integer %llu..%llu", (unsigned long long)min,
		 (unsigned long long)max);
	err = cfg_sync_scalar(ctx, key, val, expected);
	if (err)
		return err;
	for (c = val->text; *c; c++)
		if (!isdigit((unsigned char)*c))
			return cfg_error(ctx, val, "sync.%s: expected %s, found '%s'", key,
					 expected, log_cut(val->text));
	errno = 0;
	*out = strtoull(val->text, &end, 10);
	if (errno || *out < min || *out > max)
		return cfg_error(ctx, val, "sync.%s: %s is out of range %llu..%llu", key,
				 log_cut(val->text), (unsigned long long)min,
				 (unsigned long long)max);
	return 0;
}

static int cfg_sync_bool(struct cfg_ctx *ctx, const char *key, const struct cfg_ynode *val,
			 bool *out)
{
	int err = cfg_sync_scalar(ctx, key, val, "true or false");

	if (err)
		return err;
	if (!strcasecmp(val->text, "true") || !strcasecmp(val->text, "false")) {
		*out = !strcasecmp(val->text, "true");
		return 0;
	}
	return cfg_error(ctx, val, "sync.%s: expected true or false, found '%s'", key,
			 log_cut(val->text));
}

static bool cfg_sync_is_multicast(const struct xaddr *a)
{
	uint32_t w0 = ntohl(a->addr[0]);

	if (a->family == LB_AF_INET)
		return (w0 >> 28) == 0xe;
	return (w0 >> 24) == 0xff;
}

static int cfg_sync_group(struct cfg_ctx *ctx, const struct cfg_ynode *val, struct xaddr *out)
{
	int err = cfg_sync_scalar(ctx, "group", val, "a multicast address");

	if (err)
		return err;
	if (cfg_parse_addr(val->text, out))
		return cfg_error(ctx, val, "sync.group %s: not an IPv4 or IPv6 address",
				 log_cut(val->text));
	if (!cfg_sync_is_multicast(out))
		return cfg_error(ctx, val,
				 "sync.group %s: not a multicast address (224.0.0.0/4 or "
				 "ff00::/8)",
				 log_cut(val->text));
	return 0;
}

static int cfg_sync_string(struct cfg_ctx *ctx, const char *key, const struct cfg_ynode *val,
			   bool path, char *field, size_t size)
{
	const char *c;
	int err;

	err = cfg_sync_scalar(ctx, key, val, path ? "an absolute path" : "an interface name");
	if (err)
		return err;
	if (path && val->text[0] != '/')
		return cfg_error(ctx, val, "sync.%s: expected an absolute path, found '%s'", key,
				 log_cut(val->text));
	if (!val->text[0] || strlen(val->text) >= size)
		return cfg_error(ctx, val,
				 "sync.%s: '%s' is empty or longer than %zu "
				 "characters",
				 key, log_cut(val->text), size - 1);
	for (c = val->text; !path && *c; c++)
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
			return cfg_error(ctx, val, "sync.%s: '%s' is not an interface name", key,
					 log_cut(val->text));
	strcpy(field, val->text);
	return 0;
}

int cfg_sync_check_key_file(const char *key_file, char *err, size_t errlen)
{
	struct stat st;

	if (stat(key_file, &st)) {
		snprintf(err, errlen, "%s: %s", key_file, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", key_file);
		return -EINVAL;
	}
	/* A key others can read is a key others can forge sessions with. */
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s: mode %04o lets group or others at the key: chmod 600 it",
			 key_file, (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	if (st.st_size < CFG_SYNC_KEY_MIN) {
		snprintf(err, errlen,
			 "%s: %lld bytes, a key needs at least %d (e.g. head -c 32 /dev/urandom)",
			 key_file, (long long)st.st_size, CFG_SYNC_KEY_MIN);
		return -EINVAL;
	}
	return 0;
}

void cfg_sync_defaults(struct lb_config *cfg)
{
	struct cfg_sync *s = &cfg->sync;

	memset(s, 0, sizeof(*s));
	s->port = CFG_SYNC_DEFAULT_PORT;
	s->ttl = CFG_SYNC_DEFAULT_TTL;
	s->heartbeat_ms = CFG_SYNC_DEFAULT_HEARTBEAT_MS;
	s->peer_timeout_ms = CFG_SYNC_PEER_TIMEOUT_FACTOR * CFG_SYNC_DEFAULT_HEARTBEAT_MS;
	s->dump_timeout_ms = CFG_SYNC_DEFAULT_DUMP_TIMEOUT_MS;
}

static const char *const cfg_sync_keys[] = {
    "first_packets",
    "refresh_packets",
    "enabled",
    "group",
    "port",
    "interface",
    "ttl",
    "key_file",
    "heartbeat_interval",
    "peer_timeout",
    "dump_timeout",
    "refresh_seconds",
};
#define CFG_SYNC_N_KEYS (sizeof(cfg_sync_keys) / sizeof(cfg_sync_keys[0]))

static int cfg_sync_key(struct cfg_ctx *ctx, size_t k, const struct cfg_ynode *val,
			struct lb_config *cfg)
{
	struct cfg_sync *s = &cfg->sync;
	uint64_t v = 0;
	int err = 0;

	switch (k) {
	case 0:
	case 1:
		err = cfg_sync_uint(ctx, cfg_sync_keys[k], val, 0, UINT32_MAX, &v);
		*(k ? &cfg->node.sync_refresh_packets : &cfg->node.sync_first_packets) = v;
		break;
	case 2:
		err = cfg_sync_bool(ctx, "enabled", val, &s->enabled);
		break;
	case 3:
		err = cfg_sync_group(ctx, val, &s->group);
		break;
	case 4:
		err = cfg_sync_uint(ctx, "port", val, 1, 65535, &v);
		s->port = v;
		break;
	case 5:
		err = cfg_sync_string(ctx, "interface", val, false, s->interface,
				      sizeof(s->interface));
		break;
	case 6:
		err = cfg_sync_uint(ctx, "ttl", val, 1, 255, &v);
		s->ttl = v;
		break;
	case 7:
		err = cfg_sync_string(ctx, "key_file", val, true, s->key_file, sizeof(s->key_file));
		break;
	case 8:
		err = cfg_sync_uint(ctx, "heartbeat_interval", val, 10, 60000, &v);
		s->heartbeat_ms = v;
		break;
	case 9:
		err = cfg_sync_uint(ctx, "peer_timeout", val, 20, 600000, &v);
		s->peer_timeout_ms = v;
		break;
	case 10:
		err = cfg_sync_uint(ctx, "dump_timeout", val, 100, 600000, &v);
		s->dump_timeout_ms = v;
		break;
	case 11:
		/* 16 bits in the data plane (struct lb_settings.sync_refresh_s): 18 hours at most. */
		err = cfg_sync_uint(ctx, "refresh_seconds", val, 0, 65535, &v);
		cfg->node.sync_refresh_seconds = v;
		break;
	}
	return err;
}

/* Cross-key rules, checked once every key is in. */
static int cfg_sync_check(struct cfg_ctx *ctx, const struct cfg_ynode *map,
			  struct lb_config *cfg)
{
	const struct cfg_ynode *at;
	struct cfg_sync *s = &cfg->sync;
	char why[CFG_ERR_MAX - 64];

	at = cfg_yaml_get(map, "peer_timeout");
	if (!at)
		s->peer_timeout_ms = CFG_SYNC_PEER_TIMEOUT_FACTOR * s->heartbeat_ms;
	if (at && s->peer_timeout_ms <= s->heartbeat_ms)
		return cfg_error(ctx, at,
				      "sync.peer_timeout: %u ms must be longer than "
				      "heartbeat_interval (%u ms), or every peer flaps",
				      s->peer_timeout_ms, s->heartbeat_ms);
	if (!s->enabled)
		return 0;
	if (!s->group.family)
		return cfg_error(ctx, map,
				      "sync: missing required key 'group' (sync is "
				      "enabled)");
	if (!s->key_file[0])
		return cfg_error(ctx, map,
				      "sync: missing required key 'key_file' (sync "
				      "is enabled: messages are authenticated)");
	at = cfg_yaml_get(map, "key_file");
	if (cfg_sync_check_key_file(s->key_file, why, sizeof(why)))
		return cfg_error(ctx, at, "sync.key_file %s", why);
	return 0;
}

int cfg_sync_parse(const char *path, const struct cfg_ynode *val, struct lb_config *cfg, char *err,
		   size_t errlen)
{
	struct cfg_ctx ctx = {.path = path, .err = err, .errlen = errlen};
	const struct cfg_ynode *seen[CFG_SYNC_N_KEYS] = {};
	const struct cfg_ynode *key;
	char found[96], expected[256] = "";
	size_t i, k;
	int ret;

	if (val->type == CFG_Y_SCALAR && val->null)
		return 0;
	if (val->type != CFG_Y_MAP) {
		cfg_yaml_describe(val, found, sizeof(found));
		return cfg_error(&ctx, val, "sync: expected a mapping, found %s", found);
	}
	for (i = 0; i + 1 < val->n_kids; i += 2) {
		key = val->kids[i];
		for (k = 0; k < CFG_SYNC_N_KEYS; k++)
			if (key->type == CFG_Y_SCALAR && !strcmp(key->text, cfg_sync_keys[k]))
				break;
		if (k == CFG_SYNC_N_KEYS) {
			for (k = 0; k < CFG_SYNC_N_KEYS; k++)
				snprintf(expected + strlen(expected),
					 sizeof(expected) - strlen(expected), "%s%s", k ? ", " : "",
					 cfg_sync_keys[k]);
			cfg_yaml_describe(key, found, sizeof(found));
			return cfg_error(&ctx, key,
					      "sync: unknown key %s (expected one of: "
					      "%s)",
					      found, expected);
		}
		if (seen[k])
			return cfg_error(&ctx, key,
					      "sync: key '%s' given twice (first at "
					      "line %d)",
					      cfg_sync_keys[k], seen[k]->line);
		seen[k] = key;
		ret = cfg_sync_key(&ctx, k, val->kids[i + 1], cfg);
		if (ret)
			return ret;
	}
	return cfg_sync_check(&ctx, val, cfg);
}
