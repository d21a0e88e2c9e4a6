/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* HAProxy's `show stat` CSV: the rows of frontends and servers that lbctl listener shows. */
#ifndef XDPLB_HAPROXY_STAT_H
#define XDPLB_HAPROXY_STAT_H

#include <stddef.h>
#include <stdint.h>

#define HAPROXY_STAT_NAME_MAX 64
#define HAPROXY_STAT_CMD      "show stat -1 5 -1" /* every proxy, frontends (1) and servers (4) */

/* The columns lbctl shows; a column HAProxy left empty is 0 or "". */
struct haproxy_stat_row {
	char px[HAPROXY_STAT_NAME_MAX]; /* pxname: l_<listener> or g_<group> */
	char sv[HAPROXY_STAT_NAME_MAX]; /* svname: FRONTEND or the server */
	char status[32];		/* OPEN, UP, DOWN, "UP 1/2", MAINT, DRAIN, "no check"... */
	char check[32];			/* check_status: L7OK, L4CON, ... */
	char addr[64];			/* the server's address:port */
	uint64_t scur;			/* current sessions */
	uint64_t stot;			/* sessions in all */
	uint64_t req_tot;		/* HTTP requests (frontends) */
	uint64_t weight;
	uint64_t hrsp[6]; /* hrsp_1xx .. hrsp_5xx, hrsp_other */
};

/*
 * The rows of csv (its first line the "# pxname,svname,..." header) into a malloc'd *rows.
 * 0, or -EINVAL when the header lacks pxname or svname, -ENOMEM.
 */
int haproxy_stat_parse(const char *csv, struct haproxy_stat_row **rows, size_t *n);

/* A server's state in one word: UP, DOWN, DRAIN (also weight 0 and NOLB) or MAINT. */
const char *haproxy_stat_state(const struct haproxy_stat_row *r);

#endif /* XDPLB_HAPROXY_STAT_H */
