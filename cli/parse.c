// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lbctl's command line, parsed by walking token tables (relayctl's parser.c): each word is
 * matched against the current list, a match may set the verb or an argument and names the next
 * list; the command may stop only where a list holds TOK_STOP. TOK_END closes every list.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbctl.h"
#include "model/model.h"

#define LBCTL_VIP_MAX 128 /* longest "[v6 address]:port/proto" or config name, with margin */

enum tok_type {
	TOK_END = 0,  /* closes a list */
	TOK_STOP,     /* the command may stop here */
	TOK_WORD,     /* a literal: verb word, option, or a fixed value (tcp) */
	TOK_VIP,      /* "addr:port/proto" or a config name */
	TOK_ADDR,     /* an IPv4 or IPv6 address */
	TOK_ENDPOINT, /* "addr:port" or "[v6 addr]:port" */
	TOK_NUMBER,   /* a decimal integer in [min, max] */
	TOK_NAME,     /* a listener, group or server name */
};

struct token {
	enum tok_type type;
	const char *word;  /* TOK_WORD: the literal; others: the placeholder shown in messages */
	const char *key;   /* args member set, or NULL */
	const char *value; /* TOK_WORD with key: string stored; NULL stores true */
	enum lbctl_verb_id verb; /* set when the words so far name a verb */
	long long min, max;	 /* TOK_NUMBER */
	const struct token *next;
};

/* Lists that loop back on themselves need to be declared before use. */
static const struct token t_ct_opts[];
static const struct token t_ct_limit[];

static const struct token t_end[] = {
    {.type = TOK_STOP},
    {.type = TOK_END},
};

static const struct token t_opt_vip[] = {
    {TOK_VIP, "<vip>", "vip", .next = t_end},
    {.type = TOK_STOP},
    {.type = TOK_END},
};

static const struct token t_vip[] = {
    {TOK_VIP, "<vip>", "vip", .next = t_end},
    {.type = TOK_END},
};

static const struct token t_vip_verbs[] = {
    {TOK_WORD, "list", .verb = LBCTL_VIP_LIST, .next = t_end},
    {TOK_WORD, "show", .verb = LBCTL_VIP_SHOW, .next = t_vip},
    {.type = TOK_END},
};

/* drain and undrain: in every VIP the backend serves, or in the one named. */
static const struct token t_backend_addr_vip[] = {
    {TOK_ADDR, "<addr>", "backend", .next = t_opt_vip},
    {.type = TOK_END},
};

static const struct token t_backend_weight_value[] = {
    {TOK_NUMBER, "<weight>", "weight", .min = 1, .max = CFG_WEIGHT_MAX, .next = t_opt_vip},
    {.type = TOK_END},
};

static const struct token t_backend_weight[] = {
    {TOK_ADDR, "<addr>", "backend", .next = t_backend_weight_value},
    {.type = TOK_END},
};

static const struct token t_backend_verbs[] = {
    {TOK_WORD, "list", .verb = LBCTL_BACKEND_LIST, .next = t_opt_vip},
    {TOK_WORD, "drain", .verb = LBCTL_BACKEND_DRAIN, .next = t_backend_addr_vip},
    {TOK_WORD, "undrain", .verb = LBCTL_BACKEND_UNDRAIN, .next = t_backend_addr_vip},
    {TOK_WORD, "weight", .verb = LBCTL_BACKEND_WEIGHT, .next = t_backend_weight},
    {.type = TOK_END},
};

static const struct token t_ct_opts[] = {
    {TOK_WORD, "--limit", .next = t_ct_limit},
    {TOK_VIP, "<vip>", "vip", .next = t_ct_opts},
    {.type = TOK_STOP},
    {.type = TOK_END},
};

static const struct token t_ct_limit[] = {
    {TOK_NUMBER, "<limit>", "limit", .min = 1, .max = 10000, .next = t_ct_opts},
    {.type = TOK_END},
};

static const struct token t_conntrack_verbs[] = {
    {TOK_WORD, "list", .verb = LBCTL_CONNTRACK_LIST, .next = t_ct_opts},
    {.type = TOK_END},
};

static const struct token t_explain_proto[] = {
    {TOK_WORD, "tcp", "proto", "tcp", .next = t_end},
    {TOK_WORD, "udp", "proto", "udp", .next = t_end},
    {.type = TOK_STOP},
    {.type = TOK_END},
};

static const struct token t_explain_vip[] = {
    {TOK_ENDPOINT, "<vip:port>", "vip", .next = t_explain_proto},
    {.type = TOK_END},
};

static const struct token t_explain[] = {
    {TOK_ENDPOINT, "<client-ip:port>", "client", .next = t_explain_vip},
    {.type = TOK_END},
};

static const struct token t_shutdown[] = {
    {TOK_WORD, "--unload", "unload", .next = t_end},
    {.type = TOK_STOP},
    {.type = TOK_END},
};

static const struct token t_top_opts[];

static const struct token t_top_count[] = {
    {TOK_NUMBER, "<count>", "iterations", .min = 1, .max = 1000000, .next = t_top_opts},
    {.type = TOK_END},
};

static const struct token t_top_interval[] = {
    {TOK_NUMBER, "<seconds>", "interval", .min = 1, .max = 3600, .next = t_top_opts},
    {.type = TOK_END},
};

static const struct token t_top_opts[] = {
    {TOK_WORD, "--once", "once", .next = t_top_opts},
    {TOK_WORD, "-n", .next = t_top_count},
    {TOK_WORD, "--interval", .next = t_top_interval},
    {TOK_VIP, "<vip>", "vip", .next = t_top_opts},
    {.type = TOK_STOP},
    {.type = TOK_END},
};

static const struct token t_listener_group[] = {
    {TOK_NAME, "<group>", "group", .next = t_end},
    {.type = TOK_STOP},
    {.type = TOK_END},
};

static const struct token t_listener_server[] = {
    {TOK_NAME, "<server>", "server", .next = t_listener_group},
    {.type = TOK_END},
};

static const struct token t_listener_name[] = {
    {TOK_NAME, "<listener>", "listener", .next = t_end},
    {.type = TOK_END},
};

static const struct token t_listener_verbs[] = {
    {TOK_WORD, "list", .verb = LBCTL_LISTENER_LIST, .next = t_end},
    {TOK_WORD, "show", .verb = LBCTL_LISTENER_SHOW, .next = t_listener_name},
    {TOK_WORD, "drain", .verb = LBCTL_LISTENER_DRAIN, .next = t_listener_server},
    {TOK_WORD, "undrain", .verb = LBCTL_LISTENER_UNDRAIN, .next = t_listener_server},
    {.type = TOK_END},
};

static const struct token t_main[] = {
    {TOK_WORD, "status", .verb = LBCTL_STATUS, .next = t_end},
    {TOK_WORD, "vip", .next = t_vip_verbs},
    {TOK_WORD, "backend", .next = t_backend_verbs},
    {TOK_WORD, "stats", .verb = LBCTL_STATS, .next = t_end},
    {TOK_WORD, "conntrack", .next = t_conntrack_verbs},
    {TOK_WORD, "explain", .verb = LBCTL_EXPLAIN, .next = t_explain},
    {TOK_WORD, "reload", .verb = LBCTL_RELOAD, .next = t_end},
    {TOK_WORD, "version", .verb = LBCTL_VERSION, .next = t_end},
    {TOK_WORD, "shutdown", .verb = LBCTL_SHUTDOWN, .next = t_shutdown},
    {TOK_WORD, "sync", .verb = LBCTL_SYNC, .next = t_end},
    {TOK_WORD, "peers", .verb = LBCTL_PEERS, .next = t_end},
    {TOK_WORD, "cluster", .verb = LBCTL_CLUSTER, .next = t_end},
    {TOK_WORD, "dns", .verb = LBCTL_DNS, .next = t_end},
    {TOK_WORD, "top", .verb = LBCTL_TOP, .next = t_top_opts},
    {TOK_WORD, "listener", .next = t_listener_verbs},
    {.type = TOK_END},
};

static bool parse_addr(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool parse_number(const char *s, long long min, long long max, long long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end && *out >= min && *out <= max;
}

/* "192.0.2.1:80" or "[2001:db8::1]:80"; the port 1..65535. */
static bool parse_endpoint(const char *s)
{
	char addr[INET6_ADDRSTRLEN + 2];
	const char *colon, *start = s;
	long long port;
	size_t len;

	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return false;
		start = s + 1;
		len = colon - start;
		colon++;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', colon - s))
			return false;
		len = colon - s;
	}
	if (!len || len >= sizeof(addr))
		return false;
	memcpy(addr, start, len);
	addr[len] = '\0';
	if (s[0] == '[' && !strchr(addr, ':'))
		return false; /* brackets are for IPv6 only */
	return parse_addr(addr) && parse_number(colon + 1, 1, 65535, &port);
}

/* Names and "addr:port/proto" alike: printable, no blanks; the agent resolves the rest. */
static bool parse_vip(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= LBCTL_VIP_MAX || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

/* The config's names: what config_proxy.c accepts for listeners, groups and servers. */
static bool parse_name(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= CFG_PROXY_NAME_MAX || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

static int tok_store(const struct token *tok, const char *word, json_t *args, char *err,
		     size_t errlen)
{
	long long num;
	json_t *val;

	switch (tok->type) {
	case TOK_WORD:
		val = tok->value ? json_string(tok->value) : json_true();
		break;
	case TOK_NUMBER:
		if (!parse_number(word, tok->min, tok->max, &num)) {
			snprintf(err, errlen, "%s: \"%s\" is not a number in %lld..%lld", tok->word,
				 word, tok->min, tok->max);
			return -EINVAL;
		}
		val = json_integer(num);
		break;
	case TOK_ADDR:
		if (!parse_addr(word)) {
			snprintf(err, errlen, "%s: \"%s\" is not an IPv4 or IPv6 address",
				 tok->word, word);
			return -EINVAL;
		}
		val = json_string(word);
		break;
	case TOK_ENDPOINT:
		if (!parse_endpoint(word)) {
			snprintf(err, errlen,
				 "%s: \"%s\" is not address:port (IPv6 as [addr]:port)", tok->word,
				 word);
			return -EINVAL;
		}
		val = json_string(word);
		break;
	case TOK_NAME:
		if (!parse_name(word)) {
			snprintf(err, errlen,
				 "%s: \"%s\" is not a name (letters, digits, '.', '_', '-')",
				 tok->word, word);
			return -EINVAL;
		}
		val = json_string(word);
		break;
	case TOK_VIP:
		if (!parse_vip(word)) {
			snprintf(err, errlen, "%s: \"%s\" is not a VIP name or address:port/proto",
				 tok->word, word);
			return -EINVAL;
		}
		val = json_string(word);
		break;
	default:
		return -EINVAL;
	}
	if (!val || json_object_set_new(args, tok->key, val))
		return -ENOMEM;
	return 0;
}

/* Words first, so that "--limit" or "tcp" are never taken for a value; then typed tokens. */
static const struct token *tok_match(const struct token *list, const char *word)
{
	const struct token *tok;

	for (tok = list; tok->type != TOK_END; tok++)
		if (tok->type == TOK_WORD && !strcmp(tok->word, word))
			return tok;
	if (word[0] == '-' && word[1])
		return NULL; /* an option no list knows is not a VIP named "-x" */
	for (tok = list; tok->type != TOK_END; tok++)
		if (tok->type != TOK_WORD && tok->type != TOK_STOP)
			return tok;
	return NULL;
}

/* What the list expected, for messages: "list, drain or weight", "<addr>". */
static void tok_expected(const struct token *list, char *buf, size_t len)
{
	const struct token *tok;
	size_t used = 0, n = 0, i = 0;

	for (tok = list; tok->type != TOK_END; tok++)
		n += tok->type != TOK_STOP;
	buf[0] = '\0';
	for (tok = list; tok->type != TOK_END && used < len; tok++) {
		if (tok->type == TOK_STOP)
			continue;
		i++;
		used += snprintf(buf + used, len - used, "%s%s",
				 i == 1	  ? ""
				 : i == n ? " or "
					  : ", ",
				 tok->word);
	}
}

static bool tok_can_stop(const struct token *list)
{
	const struct token *tok;

	for (tok = list; tok->type != TOK_END; tok++)
		if (tok->type == TOK_STOP)
			return true;
	return false;
}

int lbctl_parse(int argc, char *const argv[], struct lbctl_cmd *cmd, char *err, size_t errlen)
{
	const struct token *list = t_main, *tok;
	const struct lbctl_verb *verb;
	char expected[256];
	json_t *defaults;
	int i, ret;

	cmd->verb = LBCTL_NONE;
	cmd->args = json_object();
	if (!cmd->args)
		return -ENOMEM;
	for (i = 0; i < argc; i++) {
		tok = tok_match(list, argv[i]);
		if (!tok) {
			tok_expected(list, expected, sizeof(expected));
			if (list == t_main)
				snprintf(err, errlen, "unknown command \"%s\"", argv[i]);
			else if (!expected[0])
				snprintf(err, errlen, "unexpected \"%s\" after \"%s\"", argv[i],
					 argv[i - 1]);
			else
				snprintf(err, errlen,
					 "unexpected \"%s\" after \"%s\" (expected %s)", argv[i],
					 argv[i - 1], expected);
			ret = -EINVAL;
			goto cleanup;
		}
		if (tok->key && json_object_get(cmd->args, tok->key)) {
			snprintf(err, errlen, "%s given twice", tok->word);
			ret = -EINVAL;
			goto cleanup;
		}
		if (tok->key) {
			ret = tok_store(tok, argv[i], cmd->args, err, errlen);
			if (ret)
				goto cleanup;
		}
		if (tok->verb)
			cmd->verb = tok->verb;
		list = tok->next;
	}
	if (!tok_can_stop(list)) {
		tok_expected(list, expected, sizeof(expected));
		if (argc)
			snprintf(err, errlen, "missing %s after \"%s\"", expected, argv[argc - 1]);
		else
			snprintf(err, errlen, "missing command");
		ret = -EINVAL;
		goto cleanup;
	}
	verb = &lbctl_verbs[cmd->verb];
	if (verb->defaults) {
		defaults = json_loads(verb->defaults, 0, NULL);
		ret = defaults ? json_object_update_missing(cmd->args, defaults) : -1;
		json_decref(defaults);
		if (ret) {
			ret = -ENOMEM;
			goto cleanup;
		}
	}
	return 0;
cleanup:
	json_decref(cmd->args);
	cmd->args = NULL;
	return ret;
}

void lbctl_cmd_free(struct lbctl_cmd *cmd)
{
	json_decref(cmd->args);
	cmd->args = NULL;
	cmd->verb = LBCTL_NONE;
}
