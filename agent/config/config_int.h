/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Inside the config parser: key tables, sections and value helpers shared by its files. */
#ifndef XDPLB_CONFIG_INT_H
#define XDPLB_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_yaml.h"
#include "model/model.h"

#define CFG_SECTION_KEYS_MAX 32

struct cfg_ctx {
	const char *path;
	char *err;
	size_t errlen;
};

struct cfg_key;
typedef int (*cfg_parse_fn)(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			    void *obj);

enum cfg_kind {
	CFG_K_UINT,   /* integer in [min, max] into a 1, 2 or 4 byte field */
	CFG_K_IDENT,  /* name of letters, digits, '.', '_', '-'; at least min characters */
	CFG_K_PATH,   /* absolute path */
	CFG_K_IFNAME, /* network interface name */
	CFG_K_ENUM,   /* one of names[] into an integer field */
	CFG_K_ADDR,   /* IPv4 or IPv6 address into a struct xaddr */
	CFG_K_FUNC,   /* anything else: parse() does it */
};

struct cfg_enum {
	const char *name;
	unsigned int value;
};

/* One key of a mapping. Later sections (health:, cluster:) join by adding rows. */
struct cfg_key {
	const char *name;
	enum cfg_kind kind;
	bool required;
	size_t off, size; /* field in the section's object */
	uint64_t min, max;
	const struct cfg_enum *names; /* CFG_K_ENUM, ends with a NULL name */
	cfg_parse_fn parse;	      /* CFG_K_FUNC */
};

struct cfg_section {
	const char *what;   /* how messages name it: "node", "vip", "backend"... */
	const char *prefix; /* of its keys in messages: "node." gives "node.mtu" */
	const struct cfg_key *keys;
	size_t n_keys;
};

#define CFG_FIELD(type, field) .off = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define CFG_UINT(n, type, field, lo, hi, req)                                                      \
	{                                                                                          \
		.name = n, .kind = CFG_K_UINT, .required = req, CFG_FIELD(type, field), .min = lo, \
		.max = hi                                                                          \
	}
#define CFG_IDENT(n, type, field, minlen, req)                                                     \
	{                                                                                          \
		.name = n, .kind = CFG_K_IDENT, .required = req, CFG_FIELD(type, field),           \
		.min = minlen                                                                      \
	}
#define CFG_STRING(n, k, type, field, req)                                                         \
	{                                                                                          \
		.name = n, .kind = k, .required = req, CFG_FIELD(type, field)                      \
	}
#define CFG_ENUM(n, type, field, table)                                                            \
	{                                                                                          \
		.name = n, .kind = CFG_K_ENUM, CFG_FIELD(type, field), .names = table              \
	}
#define CFG_ADDR(n, type, field, req)                                                              \
	{                                                                                          \
		.name = n, .kind = CFG_K_ADDR, .required = req, CFG_FIELD(type, field)             \
	}
#define CFG_FUNC(n, fn, req)                                                                       \
	{                                                                                          \
		.name = n, .kind = CFG_K_FUNC, .required = req, .parse = fn                        \
	}
#define CFG_SECTION(w, table)                                                                      \
	{                                                                                          \
		.what = w, .prefix = w ".", .keys = table,                                         \
		.n_keys = sizeof(table) / sizeof(table[0])                                         \
	}

/* config_values.c: errors and warnings at a node, scalar values, sections by key table. */
__attribute__((format(printf, 3, 4))) int cfg_error(struct cfg_ctx *ctx, const struct cfg_ynode *at,
						    const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void cfg_warn(struct cfg_ctx *ctx, const struct cfg_ynode *at,
						    const char *fmt, ...);
int cfg_text_to_u64(const char *text, uint64_t *out); /* decimal or 0x hex: 0 or -EINVAL */
int cfg_value_addr(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		   struct xaddr *out);
int cfg_need_scalar(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		    const char *expected);
int cfg_value_uint(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, uint64_t min,
		   uint64_t max, uint64_t *out);
int cfg_value_bool(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, bool *out);
int cfg_value_enum(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		   const struct cfg_enum *names, unsigned int *out);
int cfg_parse_section(struct cfg_ctx *ctx, const struct cfg_section *sec,
		      const struct cfg_ynode *map, void *obj);

/* config_health.c: the health: section of a VIP and its backends' overrides. */
int cfg_parse_vip_health(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			 void *obj);
int cfg_parse_backend_health(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			     void *obj);
int cfg_check_health(struct cfg_ctx *ctx, const struct cfg_ynode *vip_map, struct cfg_vip *vip);
int cfg_parse_group_check(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  struct cfg_health *hc);
int cfg_parse_region_check(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   struct cfg_health *hc);
int cfg_value_duration(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		       uint32_t min_ms, uint32_t max_ms, uint32_t *out);
int cfg_value_token(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		    const char *expected, char *field, size_t size);

#endif /* XDPLB_CONFIG_INT_H */
