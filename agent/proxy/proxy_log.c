// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HAProxy's request log lines (PROXY_LOG_FORMAT) read from a unix datagram socket and counted
 * per (listener, group, server): a latency histogram and responses by status class. The
 * lines come from HAProxy, but are checked as strictly as any input: a line that is not
 * exactly the format is counted and dropped, never half-used. The table is bounded
 * (PROXY_LOG_SERIES_MAX) and indexed by a hash, so a busy proxy costs one lookup per line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "common/log.h"
#include "proxy/haproxy_cfg.h"
#include "proxy/proxy_log.h"

#define PROXY_LOG_FIELDS     6
#define PROXY_LOG_HASH_SLOTS (2 * PROXY_LOG_SERIES_MAX) /* a power of two, half full at most */

const uint32_t proxy_log_bucket_ms[PROXY_LOG_BUCKETS] = {5,   10,   25,	  50,	100,  250,
							 500, 1000, 2500, 5000, 10000};

struct proxy_log {
	int fd;
	struct proxy_log_series *series;
	size_t n_series;
	uint32_t *slots; /* index + 1 into series, 0 = empty */
	struct proxy_log_stats st;
};

/* HAProxy's names of ours: letters, digits, '.', '_', '-' (and ':' it never writes). */
static bool proxy_log_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= CFG_PROXY_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* A decimal integer in [min, max], the whole token. */
static bool proxy_log_int(const char *s, size_t len, long min, long max, long *out)
{
	char buf[16], *end;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!isdigit((unsigned char)buf[buf[0] == '-']))
		return false;
	errno = 0;
	*out = strtol(buf, &end, 10);
	return !errno && !*end && *out >= min && *out <= max;
}

/* A name into out, without prefix when it has it (or must: need_prefix). */
static bool proxy_log_name(const char *s, size_t len, const char *prefix, bool need_prefix,
			   char out[CFG_PROXY_NAME_MAX])
{
	size_t plen = strlen(prefix);
	bool has = len > plen && !memcmp(s, prefix, plen);

	if (need_prefix && !has)
		return false;
	if (has) {
		s += plen;
		len -= plen;
	}
	if (!proxy_log_name_ok(s, len))
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

int proxy_log_parse(const char *buf, size_t len, struct proxy_log_line *out)
{
	const char *tok[PROXY_LOG_FIELDS], *p, *end;
	size_t tlen[PROXY_LOG_FIELDS], n = 0, i;
	long status, active;

	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len > PROXY_LOG_LINE_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)buf[i]) && buf[i] != ' ')
			return -EINVAL;
	/* Exactly PROXY_LOG_FIELDS tokens, one space apart: no empty field, nothing more. */
	for (p = buf, end = buf + len; p <= end && n < PROXY_LOG_FIELDS; n++) {
		const char *sp = memchr(p, ' ', end - p);

		tok[n] = p;
		tlen[n] = (sp ? sp : end) - p;
		if (!tlen[n])
			return -EINVAL;
		p = sp ? sp + 1 : end + 1;
	}
	if (n != PROXY_LOG_FIELDS || p != end + 1)
		return -EINVAL;
	if (tlen[0] != strlen(PROXY_LOG_TAG) || memcmp(tok[0], PROXY_LOG_TAG, tlen[0]))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!proxy_log_name(tok[1], tlen[1], HAPROXY_FE_PREFIX, true, out->listener) ||
	    !proxy_log_name(tok[2], tlen[2], HAPROXY_BE_PREFIX, false, out->group))
		return -EINVAL;
	if (tlen[3] == strlen(PROXY_LOG_NO_SERVER) && !memcmp(tok[3], PROXY_LOG_NO_SERVER, tlen[3]))
		strcpy(out->server, PROXY_LOG_NO_SERVER);
	else if (!proxy_log_name(tok[3], tlen[3], "", false, out->server))
		return -EINVAL;
	if (!proxy_log_int(tok[4], tlen[4], -1, 999, &status) ||
	    !proxy_log_int(tok[5], tlen[5], -1, INT32_MAX, &active))
		return -EINVAL;
	out->status = (int)status;
	out->active_ms = (int32_t)active;
	return 0;
}

enum proxy_log_class proxy_log_class_of(int status)
{
	return status >= 100 && status <= 599 ? (enum proxy_log_class)(status / 100 - 1)
					      : PROXY_LOG_OTHER;
}

struct proxy_log *proxy_log_new(void)
{
	struct proxy_log *pl = calloc(1, sizeof(*pl));

	if (!pl)
		return NULL;
	pl->fd = -1;
	pl->series = calloc(PROXY_LOG_SERIES_MAX, sizeof(*pl->series));
	pl->slots = calloc(PROXY_LOG_HASH_SLOTS, sizeof(*pl->slots));
	if (!pl->series || !pl->slots) {
		proxy_log_free(pl);
		errno = ENOMEM;
		return NULL;
	}
	return pl;
}

int proxy_log_open(struct proxy_log *pl, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by an agent that died: HAProxy writes to the path, so take it over. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600)) {
		err = -errno;
		close(fd);
		return err;
	}
	pl->fd = fd;
	return 0;
}

void proxy_log_free(struct proxy_log *pl)
{
	if (!pl)
		return;
	if (pl->fd >= 0)
		close(pl->fd);
	free(pl->series);
	free(pl->slots);
	free(pl);
}

int proxy_log_fd(const struct proxy_log *pl)
{
	return pl ? pl->fd : -1;
}

/* FNV-1a over the three names, each with its NUL: "a" "bc" and "ab" "c" differ. */
static uint32_t proxy_log_hash(const struct proxy_log_line *l)
{
	const char *parts[] = {l->listener, l->group, l->server};
	uint32_t h = 2166136261u;
	size_t i;
	const char *c;

	for (i = 0; i < 3; i++) {
		for (c = parts[i];; c++) {
			h = (h ^ (uint8_t)*c) * 16777619u;
			if (!*c)
				break;
		}
	}
	return h;
}

/* The line's series, made when new; NULL once the table is full. */
static struct proxy_log_series *proxy_log_find(struct proxy_log *pl, const struct proxy_log_line *l)
{
	uint32_t slot = proxy_log_hash(l) & (PROXY_LOG_HASH_SLOTS - 1);
	struct proxy_log_series *s;

	for (;; slot = (slot + 1) & (PROXY_LOG_HASH_SLOTS - 1)) {
		if (!pl->slots[slot])
			break;
		s = &pl->series[pl->slots[slot] - 1];
		if (!strcmp(s->listener, l->listener) && !strcmp(s->group, l->group) &&
		    !strcmp(s->server, l->server))
			return s;
	}
	if (pl->n_series == PROXY_LOG_SERIES_MAX)
		return NULL;
	s = &pl->series[pl->n_series++];
	strcpy(s->listener, l->listener);
	strcpy(s->group, l->group);
	strcpy(s->server, l->server);
	pl->slots[slot] = (uint32_t)pl->n_series;
	return s;
}

void proxy_log_feed(struct proxy_log *pl, const char *buf, size_t len)
{
	struct proxy_log_series *s;
	struct proxy_log_line l;
	size_t b;

	/*
	 * HAProxy also sends a listener's own messages to its log target ("Proxy l_www stopped
	 * (cumulated conns: ...)" at each reload): not request lines gone wrong.
	 */
	if (len >= 6 && !memcmp(buf, "Proxy ", 6)) {
		pl->st.notices++;
		return;
	}
	if (proxy_log_parse(buf, len, &l)) {
		/* The first few say what is wrong (bytes shown as '?' unless printable); the
		 * counter, how often. */
		if (pl->st.malformed++ < 3) {
			char text[LOG_CUT_SHOWN + 1];
			size_t i;

			for (i = 0; i < len && i < LOG_CUT_SHOWN; i++)
				text[i] = isprint((unsigned char)buf[i]) ? buf[i] : '?';
			text[i] = '\0';
			log_warnx("proxy: malformed HAProxy log line dropped: '%s%s'", text,
				  len > LOG_CUT_SHOWN ? "..." : "");
		}
		return;
	}
	s = proxy_log_find(pl, &l);
	if (!s) {
		pl->st.overflow++;
		return;
	}
	pl->st.lines++;
	s->responses[proxy_log_class_of(l.status)]++;
	/* No time (-1): the request never completed; it counts as a response, not a latency. */
	if (l.active_ms < 0)
		return;
	for (b = 0; b < PROXY_LOG_BUCKETS && (uint32_t)l.active_ms > proxy_log_bucket_ms[b]; b++)
		;
	if (b < PROXY_LOG_BUCKETS)
		s->buckets[b]++;
	s->count++;
	s->sum_ms += (uint32_t)l.active_ms;
}

void proxy_log_read(struct proxy_log *pl)
{
	char buf[PROXY_LOG_LINE_MAX + 2];
	ssize_t n;
	int i;

	for (i = 0; pl->fd >= 0 && i < PROXY_LOG_READ_MAX; i++) {
		n = recv(pl->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0)
			break;
		/* Cut by the buffer: longer than any line of the format, so malformed. */
		proxy_log_feed(pl, buf, (size_t)n > sizeof(buf) ? sizeof(buf) : (size_t)n);
	}
}

const struct proxy_log_series *proxy_log_series(const struct proxy_log *pl, size_t *n)
{
	*n = pl->n_series;
	return pl->series;
}

const struct proxy_log_stats *proxy_log_stats(const struct proxy_log *pl)
{
	return &pl->st;
}
