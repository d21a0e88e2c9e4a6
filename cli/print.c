// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Human output of each verb's result: aligned tables, bytes with units, durations, sentences.
 * Results are read leniently (a missing member prints "-"): a newer agent's extra or missing
 * fields must not make the tool fail where the JSON output would still work.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "lbctl.h"
#include "table.h"

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* "web (192.0.2.10:80/tcp)", or only the address form when the VIP has no name. */
static const char *fmt_vip(char *buf, size_t len, json_t *vip)
{
	char ep[FMT_BUF];
	const char *name = res_str(vip, "name");

	fmt_endpoint(ep, sizeof(ep), res_str(vip, "address"), res_uint(vip, "port"));
	if (strcmp(name, "-"))
		snprintf(buf, len, "%s (%s/%s)", name, ep, res_str(vip, "proto"));
	else
		snprintf(buf, len, "%s/%s", ep, res_str(vip, "proto"));
	return buf;
}

int lbctl_print_status(FILE *out, json_t *res, json_t *args)
{
	static const char *const align = "ll";
	char when[FMT_BUF], up[FMT_BUF], sync[FMT_BUF];
	json_t *last = json_object_get(res, "last_reload_error");
	/* A backend's status has its decap program instead of a balancer's maps. */
	bool backend = json_is_object(json_object_get(res, "decap"));
	struct table *t;
	int ret = 0;

	t = table_new(2, NULL, align);
	if (!t)
		return -ENOMEM;
	ret |= table_cell(t, "node");
	ret |= table_cell(t, "%" PRIu64 ", zone %s, %s", res_uint(res, "node_id"),
			  res_str(res, "zone"), res_str(res, "role"));
	if (backend) {
		ret |= lbctl_status_decap_row(t, res);
	} else {
		ret |= table_cell(t, "interface");
		ret |= table_cell(
		    t, "%s, xdp %s, %s", res_str(res, "interface"), res_str(res, "xdp_mode"),
		    json_is_true(json_object_get(res, "attached")) ? "attached" : "NOT attached");
	}
	ret |= table_cell(t, "config");
	ret |= table_cell(t, "%s, loaded %s", res_str(res, "config"),
			  fmt_time(when, sizeof(when), res_uint(res, "config_loaded_at")));
	ret |= table_cell(t, "reloads");
	ret |= table_cell(t, "%" PRIu64 " ok, %" PRIu64 " failed%s%s", res_uint(res, "reloads_ok"),
			  res_uint(res, "reloads_failed"),
			  json_is_string(last) ? "; last error: " : "",
			  json_is_string(last) ? json_string_value(last) : "");
	if (backend) {
		ret |= lbctl_status_lo_row(t, res);
	} else {
		ret |= table_cell(t, "vips");
		ret |= table_cell(t, "%" PRIu64, res_uint(res, "vips"));
		ret |= table_cell(t, "backends");
		if (res_uint(res, "next_hops_pending"))
			ret |= table_cell(t, "%" PRIu64 ", %" PRIu64 " waiting for a next hop",
					  res_uint(res, "backends"),
					  res_uint(res, "next_hops_pending"));
		else
			ret |= table_cell(t, "%" PRIu64, res_uint(res, "backends"));
		char ct[32] = "? (kernel before 6.6)";

		if (json_is_integer(json_object_get(res, "conntrack_entries")))
			snprintf(ct, sizeof(ct), "%" PRIu64, res_uint(res, "conntrack_entries"));
		ret |= table_cell(t, "conntrack");
		ret |= table_cell(t,
				  "%s of %" PRIu64 " entries, %" PRIu64 " unconfirmed (seen once)",
				  ct, res_uint(res, "conntrack_size"),
				  res_uint(res, "conntrack_unconfirmed"));
	}
	if (json_is_object(json_object_get(res, "health"))) {
		json_t *h = json_object_get(res, "health");

		ret |= table_cell(t, "health");
		ret |= table_cell(t,
				  "%" PRIu64 " targets, %" PRIu64 " checks, %" PRIu64
				  " failed, %" PRIu64 " could not run (the agent's own failure)",
				  res_uint(h, "targets"), res_uint(h, "checks"),
				  res_uint(h, "failures"), res_uint(h, "check_errors"));
	}
	if (json_object_get(res, "sync")) { /* agents before sync have no such member */
		ret |= table_cell(t, "sync");
		ret |= table_cell(t, "%s", lbctl_sync_summary(sync, sizeof(sync), res));
	}
	ret |= table_cell(t, "uptime");
	ret |= table_cell(t, "%s", fmt_duration(up, sizeof(up), res_uint(res, "uptime_s")));
	ret |= table_cell(t, "control");
	ret |= table_cell(t, "%" PRIu64 " rejected request%s", res_uint(res, "control_rejected"),
			  plural(res_uint(res, "control_rejected")));
	ret |= table_cell(t, "pid");
	ret |= table_cell(t, "%" PRIu64, res_uint(res, "pid"));
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

int lbctl_print_vip_list(FILE *out, json_t *res, json_t *args)
{
	static const char *const hdr[] = {"NAME",    "VIP",   "ENCAP",	   "BACKENDS",
					  "PACKETS", "BYTES", "NEW FLOWS", "FLAGS"};
	char ep[FMT_BUF], bytes[FMT_BUF];
	json_t *vips = json_object_get(res, "vips"), *v;
	struct table *t;
	size_t i;
	char *flags;
	int ret = 0;

	if (!json_array_size(vips)) {
		fputs("no VIPs configured\n", out);
		return 0;
	}
	t = table_new(COUNT(hdr), hdr, "lllrrrrl");
	if (!t)
		return -ENOMEM;
	json_array_foreach (vips, i, v) {
		flags = res_join(v, "flags");
		fmt_endpoint(ep, sizeof(ep), res_str(v, "address"), res_uint(v, "port"));
		ret |= table_cell(t, "%s", res_str(v, "name"));
		ret |= table_cell(t, "%s/%s", ep, res_str(v, "proto"));
		ret |= table_cell(t, "%s", res_str(v, "encap"));
		ret |= table_cell(t, "%" PRIu64 "/%" PRIu64 " up", res_uint(v, "backends_up"),
				  res_uint(v, "backends"));
		ret |= table_cell(t, "%" PRIu64, res_uint(v, "packets"));
		ret |= table_cell(t, "%s", fmt_bytes(bytes, sizeof(bytes), res_uint(v, "bytes")));
		ret |= table_cell(t, "%" PRIu64, res_uint(v, "new_flows"));
		ret |= table_cell(t, "%s", flags ?: "-");
		free(flags);
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

/* "up, ok, 1.2 ms, since 02:44:44" from backend.list's health member; "-" when unchecked. */
static const char *fmt_health(char *buf, size_t len, json_t *b)
{
	json_t *h = json_object_get(b, "health");
	json_t *last = json_object_get(h, "last_result");
	time_t since = res_uint(h, "since");
	char when[16] = "?";
	struct tm tm;

	if (!json_is_object(h))
		return "-";
	if (localtime_r(&since, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (!json_is_string(last))
		snprintf(buf, len, "%s, not checked yet, since %s", res_str(h, "state"), when);
	else
		snprintf(buf, len, "%s, %s, %.1f ms, since %s", res_str(h, "state"),
			 json_string_value(last), res_uint(h, "latency_us") / 1000.0, when);
	return buf;
}

/*
 * (VIP, backend) pairs of vip.show and backend.list; with_vips adds the
 * column of the pair's VIP first, and a HEALTH column comes last when any of
 * them is checked.
 */
static int print_backends(FILE *out, json_t *list, bool with_vips)
{
	const char *hdr[10] = {"ADDRESS",  "STATE",   "WEIGHT", "ZONE",
			       "NEXT HOP", "PACKETS", "BYTES",	"NEW FLOWS"};
	char align[11] = "llrllrrr", bytes[FMT_BUF], health[2 * FMT_BUF + 160];
	size_t i, ncols = 8;
	bool checked = false;
	const char *mac;
	struct table *t;
	json_t *b;
	int ret = 0;

	if (!json_array_size(list)) {
		fputs("no backends\n", out);
		return 0;
	}
	json_array_foreach (list, i, b)
		checked |= json_is_object(json_object_get(b, "health"));
	if (with_vips) {
		memmove(hdr + 1, hdr, ncols * sizeof(hdr[0]));
		memmove(align + 1, align, ncols);
		hdr[0] = "VIP";
		align[0] = 'l';
		ncols++;
	}
	if (checked) {
		hdr[ncols] = "HEALTH";
		align[ncols++] = 'l';
	}
	align[ncols] = '\0';
	t = table_new(ncols, hdr, align);
	if (!t)
		return -ENOMEM;
	json_array_foreach (list, i, b) {
		mac = json_string_value(json_object_get(b, "next_hop_mac"));
		if (with_vips)
			ret |= table_cell(t, "%s", res_str(b, "vip"));
		ret |= table_cell(t, "%s", res_str(b, "address"));
		ret |= table_cell(t, "%s", res_str(b, "state"));
		ret |= table_cell(t, "%" PRIu64, res_uint(b, "weight"));
		ret |= table_cell(t, "%s", res_str(b, "zone"));
		ret |= table_cell(t, "%s", mac ?: "unresolved");
		ret |= table_cell(t, "%" PRIu64, res_uint(b, "packets"));
		ret |= table_cell(t, "%s", fmt_bytes(bytes, sizeof(bytes), res_uint(b, "bytes")));
		ret |= table_cell(t, "%" PRIu64, res_uint(b, "new_flows"));
		if (checked)
			ret |= table_cell(t, "%s", fmt_health(health, sizeof(health), b));
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

int lbctl_print_vip_show(FILE *out, json_t *res, json_t *args)
{
	char name[2 * FMT_BUF + 8], bytes[FMT_BUF];
	json_t *backends = json_object_get(res, "backends");
	struct table *t;
	char *flags;
	int ret = 0;

	t = table_new(2, NULL, NULL);
	flags = res_join(res, "flags");
	if (!t || !flags) {
		table_free(t);
		free(flags);
		return -ENOMEM;
	}
	ret |= table_cell(t, "vip");
	ret |= table_cell(t, "%s", fmt_vip(name, sizeof(name), res));
	ret |= table_cell(t, "encap");
	ret |= table_cell(t, "%s", res_str(res, "encap"));
	ret |= table_cell(t, "maglev size");
	ret |= table_cell(t, "%" PRIu64, res_uint(res, "maglev_size"));
	ret |= table_cell(t, "flags");
	ret |= table_cell(t, "%s", flags);
	ret |= table_cell(t, "backends");
	ret |= table_cell(t, "%" PRIu64 " of %zu up", res_uint(res, "backends_up"),
			  json_array_size(backends));
	ret |= table_cell(t, "traffic");
	ret |= table_cell(
	    t, "%" PRIu64 " packets, %s, %" PRIu64 " new flows", res_uint(res, "packets"),
	    fmt_bytes(bytes, sizeof(bytes), res_uint(res, "bytes")), res_uint(res, "new_flows"));
	ret |= table_cell(t, "conntrack");
	ret |= table_cell(t, "%" PRIu64 " hits, %" PRIu64 " misses", res_uint(res, "ct_hits"),
			  res_uint(res, "ct_misses"));
	free(flags);
	if (!ret) {
		table_print(t, out);
		fputc('\n', out);
	}
	table_free(t);
	return ret ? -ENOMEM : print_backends(out, backends, false);
}

int lbctl_print_backend_list(FILE *out, json_t *res, json_t *args)
{
	return print_backends(out, json_object_get(res, "backends"), true);
}

int lbctl_print_backend_state(FILE *out, json_t *res, json_t *args)
{
	const char *state = res_str(res, "state");

	json_t *vip = json_object_get(res, "vip");

	fprintf(out, "backend %s%s%s: %s%s\n", res_str(res, "backend"),
		json_is_string(vip) ? " in " : "",
		json_is_string(vip) ? json_string_value(vip) : "", state,
		!strcmp(state, "drain") ? " (established flows stay, new flows go elsewhere)" : "");
	return 0;
}

int lbctl_print_backend_weight(FILE *out, json_t *res, json_t *args)
{
	fprintf(out, "backend %s: weight %" PRIu64 "\n", res_str(res, "backend"),
		res_uint(res, "weight"));
	return 0;
}

int lbctl_print_stats(FILE *out, json_t *res, json_t *args)
{
	static const struct {
		const char *key, *label;
	} counters[] = {
	    {"forwarded", "forwarded"},
	    {"passed", "passed"},
	    {"icmp_echo_replied", "icmp echo replied"},
	    {"icmp_too_big_sent", "icmp too big sent"},
	    {"icmp_errors_forwarded", "icmp errors forwarded"},
	    {"events_sent", "sync events sent"},
	    {"events_lost", "sync events lost"},
	    {"ct_insert_failed", "conntrack insert failed"},
	};
	struct table *t;
	size_t i;
	int ret = 0;

	if (json_is_object(json_object_get(res, "decap")))
		return lbctl_print_backend_stats(out, res);
	t = table_new(2, NULL, "lr");
	if (!t)
		return -ENOMEM;
	for (i = 0; i < COUNT(counters); i++) {
		ret |= table_cell(t, "%s", counters[i].label);
		ret |= table_cell(t, "%" PRIu64, res_uint(res, counters[i].key));
	}
	if (!ret) {
		table_print(t, out);
		ret = lbctl_print_drops_and_sc(out, res);
	}
	table_free(t);
	return ret ? -ENOMEM : 0;
}

int lbctl_print_conntrack(FILE *out, json_t *res, json_t *args)
{
	static const char *const hdr[] = {"CLIENT",  "VIP", "PROTO", "BACKEND",
					  "PACKETS", "AGE", "IDLE",  "SYNCED"};
	char client[FMT_BUF], vip[FMT_BUF], age[FMT_BUF], idle[FMT_BUF];
	json_t *entries = json_object_get(res, "entries"), *e;
	struct table *t;
	size_t i;
	int ret = 0;

	if (!json_array_size(entries)) {
		fputs("no tracked connections\n", out);
		return 0;
	}
	t = table_new(COUNT(hdr), hdr, "llllrrrl");
	if (!t)
		return -ENOMEM;
	json_array_foreach (entries, i, e) {
		ret |= table_cell(t, "%s",
				  fmt_endpoint(client, sizeof(client), res_str(e, "client"),
					       res_uint(e, "client_port")));
		ret |= table_cell(
		    t, "%s",
		    fmt_endpoint(vip, sizeof(vip), res_str(e, "vip"), res_uint(e, "vip_port")));
		ret |= table_cell(t, "%s", res_str(e, "proto"));
		ret |= table_cell(t, "%s", res_str(e, "backend"));
		ret |= table_cell(t, "%" PRIu64, res_uint(e, "packets"));
		ret |= table_cell(t, "%s", fmt_duration(age, sizeof(age), res_uint(e, "age_s")));
		ret |= table_cell(t, "%s", fmt_duration(idle, sizeof(idle), res_uint(e, "idle_s")));
		ret |=
		    table_cell(t, "%s", json_is_true(json_object_get(e, "synced")) ? "yes" : "no");
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	if (!ret && json_is_true(json_object_get(res, "truncated")))
		fprintf(out,
			"(first %zu entries only, of %" PRIu64 " scanned: raise --limit or name one "
			"VIP)\n",
			json_array_size(entries), res_uint(res, "scanned"));
	return ret ? -ENOMEM : 0;
}

/* Second chance (docs/SECOND_CHANCE.md); an agent older than it sends none. */
static void lbctl_print_explain_sc(FILE *out, json_t *sc)
{
	if (!json_is_object(sc))
		return;
	if (json_is_string(json_object_get(sc, "backend")))
		fprintf(out,
			"  second chance: a packet other than a SYN names the previous backend %s "
			"(slot %" PRIu64 " moved); a SYN names nobody\n",
			res_str(sc, "backend"), res_uint(sc, "slot"));
	else
		fprintf(out, "  no second chance: %s\n", res_str(sc, "why_not"));
}

int lbctl_print_explain(FILE *out, json_t *res, json_t *args)
{
	json_t *slot = json_object_get(res, "slot");
	const char *backend = res_str(res, "backend");

	fprintf(out, "%s %s -> %s (VIP %s) ", res_str(args, "proto"), res_str(args, "client"),
		res_str(args, "vip"), res_str(res, "vip"));
	if (!strcmp(backend, "-")) {
		fputs("has no usable backend: new flows are dropped\n", out);
		return 0;
	}
	fprintf(out, "goes to backend %s (%s, %s), ", backend, res_str(res, "backend_state"),
		res_str(res, "tunnel"));
	if (!strcmp(res_str(res, "source"), "conntrack"))
		fprintf(out, "an established flow found in conntrack (hash 0x%08" PRIx64 ")\n",
			res_uint(res, "hash"));
	else if (!strcmp(res_str(res, "source"), "conntrack_unconfirmed"))
		fprintf(out,
			"a flow seen once, waiting for its second packet (hash 0x%08" PRIx64 ")\n",
			res_uint(res, "hash"));
	else if (json_is_integer(slot))
		fprintf(out, "picked by Maglev: hash 0x%08" PRIx64 ", slot %" PRIu64 "\n",
			res_uint(res, "hash"), res_uint(res, "slot"));
	else
		fprintf(out, "picked by %s (hash 0x%08" PRIx64 ")\n", res_str(res, "source"),
			res_uint(res, "hash"));
	lbctl_print_explain_sc(out, json_object_get(res, "second_chance"));
	return 0;
}

int lbctl_print_reload(FILE *out, json_t *res, json_t *args)
{
	static const struct {
		const char *key, *what, *how;
	} parts[] = {
	    {"vips_added", "VIP", "added"},
	    {"vips_removed", "VIP", "removed"},
	    {"vips_changed", "VIP", "changed"},
	    {"backends_added", "backend", "added"},
	    {"backends_removed", "backend", "removed"},
	};
	json_t *changed = json_object_get(res, "changed"), *settings, *setting;
	const char *sep = "";
	uint64_t n;
	size_t i;

	fputs("reloaded: ", out);
	for (i = 0; i < COUNT(parts); i++) {
		n = res_uint(changed, parts[i].key);
		if (!n)
			continue;
		fprintf(out, "%s%" PRIu64 " %s%s %s", sep, n, parts[i].what, plural(n),
			parts[i].how);
		sep = ", ";
	}
	/* node.mtu and its kind: settings outside the VIPs that the reload applied. */
	settings = json_object_get(changed, "settings");
	json_array_foreach (settings, i, setting) {
		fprintf(out, "%s%s changed", sep, json_string_value(setting));
		sep = ", ";
	}
	fputs(sep[0] ? "\n" : "no changes\n", out);
	return 0;
}

int lbctl_print_version(FILE *out, json_t *res, json_t *args)
{
	fprintf(out, "lbctl %s\nlbagent %s (map ABI %" PRIu64 ")\n", XDPLB_VERSION,
		res_str(res, "version"), res_uint(res, "abi"));
	return 0;
}

int lbctl_print_shutdown(FILE *out, json_t *res, json_t *args)
{
	if (json_is_true(json_object_get(res, "unloaded")))
		fputs("lbagent is shutting down; XDP program detached and pins removed\n", out);
	else
		fputs("lbagent is shutting down; the data plane stays attached and keeps "
		      "forwarding\n",
		      out);
	return 0;
}
