/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* lbctl: the command table, the parser that walks it, and the printers of each result. */
#ifndef XDPLB_LBCTL_H
#define XDPLB_LBCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

enum lbctl_verb_id {
	LBCTL_NONE = 0,
	LBCTL_STATUS,
	LBCTL_VIP_LIST,
	LBCTL_VIP_SHOW,
	LBCTL_BACKEND_LIST,
	LBCTL_BACKEND_DRAIN,
	LBCTL_BACKEND_UNDRAIN,
	LBCTL_BACKEND_WEIGHT,
	LBCTL_STATS,
	LBCTL_CONNTRACK_LIST,
	LBCTL_EXPLAIN,
	LBCTL_RELOAD,
	LBCTL_VERSION,
	LBCTL_SHUTDOWN,
	LBCTL_SYNC,
	LBCTL_PEERS,
	LBCTL_CLUSTER,
	LBCTL_DNS,
	LBCTL_TOP,
	LBCTL_LISTENER_LIST,
	LBCTL_LISTENER_SHOW,
	LBCTL_LISTENER_DRAIN,
	LBCTL_LISTENER_UNDRAIN,
	LBCTL_VERB_MAX,
};

/* Prints a result for people; args are the request's, for printers that echo them. */
typedef int (*lbctl_print_fn)(FILE *out, json_t *result, json_t *args);

struct lbctl_verb {
	const char *wire;     /* verb name on the control socket */
	const char *synopsis; /* command line as shown in usage */
	const char *help;
	const char *defaults; /* JSON object merged into args for members not given */
	int timeout_ms;
	lbctl_print_fn print;
};

extern const struct lbctl_verb lbctl_verbs[LBCTL_VERB_MAX];

struct lbctl_cmd {
	enum lbctl_verb_id verb;
	json_t *args; /* owned; always an object after a successful parse */
};

/*
 * Parses the words after the global options. 0, or -EINVAL with the reason in err; on failure
 * cmd->verb still names the verb the words got as far as (LBCTL_NONE if none), for usage.
 */
int lbctl_parse(int argc, char *const argv[], struct lbctl_cmd *cmd, char *err, size_t errlen);
void lbctl_cmd_free(struct lbctl_cmd *cmd);
void lbctl_usage(FILE *out);

/* cli/args.c: the global options, wherever they are on the line. */
struct lbctl_opts {
	const char *socket; /* -s, --socket; NULL when not given */
	bool json, help, version;
	char **words; /* the command's words in their order (argv, compacted in place) */
	int n_words;
};

/*
 * Takes the global options out of argv[1..argc) and leaves the other words in o->words. An
 * unknown option before the command or -s without a path: -EINVAL with the reason in err
 * (o still holds every word, for a focused usage).
 */
int lbctl_args_split(int argc, char *argv[], struct lbctl_opts *o, char *err, size_t errlen);
/*
 * The usage line (and with_help, the help line) of each verb the words name: "backend" names
 * every backend verb, "backend drain 192.0.2.1" only drain. Returns how many it printed.
 */
int lbctl_usage_of(FILE *out, int n, char *const words[], bool with_help);

/* cli/print.c: one printer per verb. */
int lbctl_print_status(FILE *out, json_t *res, json_t *args);
int lbctl_print_vip_list(FILE *out, json_t *res, json_t *args);
int lbctl_print_vip_show(FILE *out, json_t *res, json_t *args);
int lbctl_print_backend_list(FILE *out, json_t *res, json_t *args);
int lbctl_print_backend_state(FILE *out, json_t *res, json_t *args);
int lbctl_print_backend_weight(FILE *out, json_t *res, json_t *args);
int lbctl_print_stats(FILE *out, json_t *res, json_t *args);
int lbctl_print_conntrack(FILE *out, json_t *res, json_t *args);
int lbctl_print_explain(FILE *out, json_t *res, json_t *args);
int lbctl_print_reload(FILE *out, json_t *res, json_t *args);
int lbctl_print_version(FILE *out, json_t *res, json_t *args);
int lbctl_print_shutdown(FILE *out, json_t *res, json_t *args);
/* cli/print_counters.c */
/* A table of {"name": {"packets", "bytes"}} under header ("DROP REASON"), "no drops" if empty. */
int lbctl_print_counters(FILE *out, const char *header, json_t *counters, bool all_rows);
/* The "second_chance" outcomes of a stats result, every row, when the agent sent them. */
int lbctl_print_sc(FILE *out, json_t *res);
/* A blank line, the "drops" table, then second chance: the end of every stats output. */
int lbctl_print_drops_and_sc(FILE *out, json_t *res);
/* cli/print_backend.c: what status and stats say of a backend host. */
struct table;
int lbctl_status_decap_row(struct table *t, json_t *status);
int lbctl_status_lo_row(struct table *t, json_t *status);
int lbctl_print_backend_stats(FILE *out, json_t *res);
/* cli/print_sync.c */
int lbctl_print_sync(FILE *out, json_t *res, json_t *args);
int lbctl_print_peers(FILE *out, json_t *res, json_t *args);
/* The sync row of `lbctl status`: "off", "in sync, 1 peer", "catching up, 0 peers". */
const char *lbctl_sync_summary(char *buf, size_t len, json_t *status);

/* cli/print_cluster.c */
int lbctl_print_cluster(FILE *out, json_t *res, json_t *args);
/* cli/print_proxy.c: a proxy node's listeners and server groups. */
int lbctl_print_listener_list(FILE *out, json_t *res, json_t *args);
int lbctl_print_listener_show(FILE *out, json_t *res, json_t *args);
int lbctl_print_listener_drain(FILE *out, json_t *res, json_t *args);

int lbctl_print_dns(FILE *out, json_t *res, json_t *args);
/* cli/top.c: polls vip.list and backend.list (vip.show for one VIP) and prints rates. */
int lbctl_print_top(FILE *out, json_t *frame, json_t *args);
int lbctl_top(const char *path, json_t *args, bool json, FILE *out, char *err, size_t errlen);

#endif /* XDPLB_LBCTL_H */
