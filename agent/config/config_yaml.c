// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* YAML text -> struct cfg_ynode tree, built from libyaml's event API to keep every position. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common/log.h"
#include "config/config_yaml.h"

/* The schema nests five levels; the bound keeps hostile input from exhausting the stack. */
#define CFG_YAML_DEPTH_MAX 32

struct cfg_yaml_reader {
	yaml_parser_t parser;
	const char *path;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5))) static int
cfg_yaml_error(struct cfg_yaml_reader *r, size_t line, size_t column, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (!r->errlen)
		return -EINVAL;
	off = snprintf(r->err, r->errlen, "%s:%zu:%zu: ", r->path, line + 1, column + 1);
	if (off >= 0 && (size_t)off < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + off, r->errlen - off, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Next event, or libyaml's own diagnosis at the place it stopped. */
static int cfg_yaml_next(struct cfg_yaml_reader *r, yaml_event_t *ev)
{
	const yaml_parser_t *p = &r->parser;

	if (yaml_parser_parse(&r->parser, ev))
		return 0;
	if (p->error == YAML_MEMORY_ERROR) {
		snprintf(r->err, r->errlen, "%s: out of memory", r->path);
		return -ENOMEM;
	}
	/* Reader errors (bad encoding) carry a byte offset, not a mark: use where reading stood. */
	if (p->error == YAML_READER_ERROR)
		return cfg_yaml_error(r, p->mark.line, p->mark.column, "YAML error: %s",
				      p->problem ? p->problem : "unreadable input");
	if (p->context)
		return cfg_yaml_error(r, p->problem_mark.line, p->problem_mark.column,
				      "YAML syntax error: %s (%s at line %zu column %zu)",
				      p->problem ? p->problem : "unknown problem", p->context,
				      p->context_mark.line + 1, p->context_mark.column + 1);
	return cfg_yaml_error(r, p->problem_mark.line, p->problem_mark.column,
			      "YAML syntax error: %s", p->problem ? p->problem : "unknown problem");
}

void cfg_yaml_free(struct cfg_ynode *node)
{
	size_t i;

	if (!node)
		return;
	for (i = 0; i < node->n_kids; i++)
		cfg_yaml_free(node->kids[i]);
	free(node->kids);
	free(node->text);
	free(node);
}

static int cfg_yaml_add_kid(struct cfg_ynode *parent, struct cfg_ynode *kid)
{
	struct cfg_ynode **kids;

	kids = realloc(parent->kids, (parent->n_kids + 1) * sizeof(*kids));
	if (!kids)
		return -ENOMEM;
	parent->kids = kids;
	parent->kids[parent->n_kids++] = kid;
	return 0;
}

static bool cfg_yaml_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static int cfg_yaml_read_node(struct cfg_yaml_reader *r, const yaml_event_t *ev, int depth,
			      struct cfg_ynode **out);

/* Reads kids until the end event of a mapping or a sequence. */
static int cfg_yaml_read_kids(struct cfg_yaml_reader *r, struct cfg_ynode *node, int depth)
{
	yaml_event_type_t end =
	    node->type == CFG_Y_MAP ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
	struct cfg_ynode *kid;
	yaml_event_t ev;
	int err;

	for (;;) {
		err = cfg_yaml_next(r, &ev);
		if (err)
			return err;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		err = cfg_yaml_read_node(r, &ev, depth + 1, &kid);
		yaml_event_delete(&ev);
		if (err)
			return err;
		if (node->type == CFG_Y_MAP && node->n_kids % 2 == 0 && kid->type != CFG_Y_SCALAR) {
			err = cfg_yaml_error(r, kid->line - 1, kid->column - 1,
					     "expected a plain key, found a %s used as a key",
					     kid->type == CFG_Y_MAP ? "mapping" : "list");
			cfg_yaml_free(kid);
			return err;
		}
		err = cfg_yaml_add_kid(node, kid);
		if (err) {
			cfg_yaml_free(kid);
			return err;
		}
	}
}

static int cfg_yaml_read_node(struct cfg_yaml_reader *r, const yaml_event_t *ev, int depth,
			      struct cfg_ynode **out)
{
	const yaml_mark_t *mark = &ev->start_mark;
	const yaml_char_t *anchor;
	struct cfg_ynode *node;
	int err;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return cfg_yaml_error(r, mark->line, mark->column,
				      "alias *%s: anchors and aliases are not supported, write the "
				      "value out",
				      (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	default:
		return cfg_yaml_error(r, mark->line, mark->column, "unexpected YAML event %d",
				      ev->type);
	}
	if (anchor)
		return cfg_yaml_error(
		    r, mark->line, mark->column,
		    "anchor &%s: anchors and aliases are not supported, write the "
		    "value out",
		    (const char *)anchor);
	if (depth > CFG_YAML_DEPTH_MAX)
		return cfg_yaml_error(r, mark->line, mark->column, "nested deeper than %d levels",
				      CFG_YAML_DEPTH_MAX);

	node = calloc(1, sizeof(*node));
	if (!node)
		return -ENOMEM;
	node->line = mark->line + 1;
	node->column = mark->column + 1;
	if (ev->type == YAML_SCALAR_EVENT) {
		node->type = CFG_Y_SCALAR;
		node->null = cfg_yaml_is_null(ev);
		/* Not strndup: it would stop at the first NUL a "\0" escape wrote. */
		node->len = ev->data.scalar.length;
		node->text = malloc(node->len + 1);
		err = node->text ? 0 : -ENOMEM;
		if (node->text) {
			memcpy(node->text, ev->data.scalar.value, node->len);
			node->text[node->len] = '\0';
		}
	} else {
		node->type = ev->type == YAML_MAPPING_START_EVENT ? CFG_Y_MAP : CFG_Y_SEQ;
		err = cfg_yaml_read_kids(r, node, depth);
	}
	if (err) {
		cfg_yaml_free(node);
		return err;
	}
	*out = node;
	return 0;
}

/* Expects the next event to be of type want; anything else is a second document. */
static int cfg_yaml_expect(struct cfg_yaml_reader *r, yaml_event_type_t want)
{
	yaml_event_t ev;
	int err;

	err = cfg_yaml_next(r, &ev);
	if (err)
		return err;
	if (ev.type != want)
		err = cfg_yaml_error(r, ev.start_mark.line, ev.start_mark.column,
				     "a second YAML document: the config is one document");
	yaml_event_delete(&ev);
	return err;
}

int cfg_yaml_load(const char *path, struct cfg_ynode **root, char *err, size_t errlen)
{
	struct cfg_yaml_reader r = {.path = path, .err = err, .errlen = errlen};
	struct cfg_ynode *doc = NULL;
	yaml_event_t ev;
	bool have_ev = false;
	struct stat st;
	FILE *f;
	int ret;

	*root = NULL;
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	/* fopen opens a directory; reading it fails later with a vaguer message. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
		return -EISDIR;
	}
	if (!yaml_parser_initialize(&r.parser)) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&r.parser, f);

	ret = cfg_yaml_expect(&r, YAML_STREAM_START_EVENT);
	if (ret)
		goto cleanup;
	ret = cfg_yaml_next(&r, &ev);
	if (ret)
		goto cleanup;
	have_ev = true;
	if (ev.type == YAML_STREAM_END_EVENT)
		goto cleanup; /* no document: the caller reports the empty file */
	yaml_event_delete(&ev);
	ret = cfg_yaml_next(&r, &ev); /* the document's root node */
	if (ret) {
		have_ev = false;
		goto cleanup;
	}
	ret = cfg_yaml_read_node(&r, &ev, 0, &doc);
	if (ret)
		goto cleanup;
	ret = cfg_yaml_expect(&r, YAML_DOCUMENT_END_EVENT);
	if (ret)
		goto cleanup;
	ret = cfg_yaml_expect(&r, YAML_STREAM_END_EVENT);
	if (ret)
		goto cleanup;
	*root = doc;
	doc = NULL;
cleanup:
	if (have_ev)
		yaml_event_delete(&ev);
	cfg_yaml_free(doc);
	yaml_parser_delete(&r.parser);
	fclose(f);
	return ret;
}

const struct cfg_ynode *cfg_yaml_get(const struct cfg_ynode *map, const char *key)
{
	size_t i;

	if (!map || map->type != CFG_Y_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n_kids; i += 2)
		if (map->kids[i]->type == CFG_Y_SCALAR && !strcmp(map->kids[i]->text, key))
			return map->kids[i + 1];
	return NULL;
}

void cfg_yaml_describe(const struct cfg_ynode *node, char *buf, size_t len)
{
	if (node->type == CFG_Y_MAP)
		snprintf(buf, len, "a mapping");
	else if (node->type == CFG_Y_SEQ)
		snprintf(buf, len, "a list");
	else if (node->null)
		snprintf(buf, len, "nothing (null)");
	else
		snprintf(buf, len, "'%s'", log_cut(node->text));
}
