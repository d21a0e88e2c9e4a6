/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A YAML file as a small tree in which every node remembers its line and column. */
#ifndef XDPLB_CONFIG_YAML_H
#define XDPLB_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>

enum cfg_ytype {
	CFG_Y_SCALAR = 0,
	CFG_Y_MAP = 1,
	CFG_Y_SEQ = 2,
};

struct cfg_ynode {
	enum cfg_ytype type;
	int line, column; /* 1-based, where the node starts */
	char *text;	  /* CFG_Y_SCALAR: the value, NUL-terminated */
	size_t len;	  /* CFG_Y_SCALAR: its bytes: a "\0" escape puts a NUL inside */
	bool null;	  /* CFG_Y_SCALAR: plain empty, "~" or "null" (nothing was written) */
	struct cfg_ynode **kids; /* CFG_Y_MAP: key, value, key, value...; CFG_Y_SEQ: items */
	size_t n_kids;
};

/*
 * Reads the one YAML document of path. *root is NULL when the file holds no
 * document at all. Anchors and aliases are refused: the config schema has no
 * use for them and an alias would make an error's line:column point at the
 * anchor instead of the place that used it. Returns 0, -EINVAL with
 * "path:line:column: message" in err, -ENOMEM, or -errno of fopen.
 */
int cfg_yaml_load(const char *path, struct cfg_ynode **root, char *err, size_t errlen);
void cfg_yaml_free(struct cfg_ynode *node);

/* Value of key in a mapping, or NULL. */
const struct cfg_ynode *cfg_yaml_get(const struct cfg_ynode *map, const char *key);

/* "a mapping", "a list", "nothing (null)" or "'text'": for "expected X, found Y". */
void cfg_yaml_describe(const struct cfg_ynode *node, char *buf, size_t len);

#endif /* XDPLB_CONFIG_YAML_H */
