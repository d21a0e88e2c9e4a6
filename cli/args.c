// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lbctl's global options, taken from anywhere on the line as git and ip do
 * (`lbctl backend list -j`), and the usage of the verbs a few words name.
 * The verbs' own options (--limit, --unload, -n) stay among the words for the
 * token tables of parse.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lbctl.h"

#define LBCTL_GLOBAL_SYNOPSIS "lbctl [-j] [-s socket]"

/* "--socket=PATH", "-sPATH", or "-s PATH" / "--socket PATH" (the next word, *i moves on). */
static int args_socket(int argc, char *argv[], int *i, const char **path, char *err,
		       size_t errlen)
{
	const char *w = argv[*i], *name = w[1] == '-' ? "--socket" : "-s";

	if (!strncmp(w, "--socket=", 9))
		*path = w + 9;
	else if (w[1] == 's' && w[2])
		*path = w + 2;
	else if (*i + 1 < argc)
		*path = argv[++*i];
	else
		*path = "";
	if (!(*path)[0]) {
		snprintf(err, errlen, "%s needs a path", name);
		return -EINVAL;
	}
	return 0;
}

int lbctl_args_split(int argc, char *argv[], struct lbctl_opts *o, char *err, size_t errlen)
{
	bool options_end = false;
	int i, ret = 0;

	memset(o, 0, sizeof(*o));
	o->words = argv + 1;
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (options_end || w[0] != '-' || !w[1]) {
			o->words[o->n_words++] = argv[i];
			continue;
		}
		if (!strcmp(w, "--"))
			options_end = true;
		else if (!strcmp(w, "-j") || !strcmp(w, "--json"))
			o->json = true;
		else if (!strcmp(w, "-h") || !strcmp(w, "--help"))
			o->help = true;
		else if (!strcmp(w, "-V") || !strcmp(w, "--version"))
			o->version = true;
		else if (!strncmp(w, "-s", 2) || !strcmp(w, "--socket") ||
			 !strncmp(w, "--socket=", 9)) {
			/* The first error wins, but the words are still collected for the usage. */
			if (!ret)
				ret = args_socket(argc, argv, &i, &o->socket, err, errlen);
		} else if (!o->n_words && !ret) {
			/* Before the command no verb option can come: -x is a typo, not a word. */
			snprintf(err, errlen, "unknown option \"%s\"", w);
			ret = -EINVAL;
		} else {
			o->words[o->n_words++] = argv[i];
		}
	}
	return ret;
}

/* The words of a synopsis before its first placeholder: "backend weight <addr>" -> 2. */
static bool usage_names(const char *synopsis, int n, char *const words[])
{
	const char *p = synopsis;
	size_t len;
	int i;

	for (i = 0; i < n && *p && *p != '<' && *p != '['; i++) {
		len = strcspn(p, " ");
		if (strlen(words[i]) != len || strncmp(p, words[i], len))
			return false;
		p += len + (p[len] == ' ');
	}
	return i > 0;
}

int lbctl_usage_of(FILE *out, int n, char *const words[], bool with_help)
{
	int v, shown = 0;

	for (v = LBCTL_NONE + 1; v < LBCTL_VERB_MAX; v++) {
		if (!usage_names(lbctl_verbs[v].synopsis, n, words))
			continue;
		fprintf(out, "usage: " LBCTL_GLOBAL_SYNOPSIS " %s\n", lbctl_verbs[v].synopsis);
		if (with_help)
			fprintf(out, "  %s\n", lbctl_verbs[v].help);
		shown++;
	}
	return shown;
}
