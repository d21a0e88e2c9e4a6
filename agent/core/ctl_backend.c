// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The control verbs of a backend host (docs/CONTROL.md): status and stats read the decap
 * program from its pins and lo from the kernel, so they say what runs, not what was asked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend_forwarding.h"
#include "backend/backend_mode.h"
#include "backend/backend_state.h"
#include "core/ctl_backend.h"
#include "metrics/metrics.h"

static int ctl_backend_read(struct agent *a, struct backend_state *st, char *err, size_t errlen)
{
	int ret = backend_state_read(&a->cfg, st);

	if (ret)
		snprintf(err, errlen, "reading the decap program's pins in %s/%s: %s",
			 a->cfg.node.bpffs_dir, BACKEND_DECAP_PIN_SUBDIR, strerror(-ret));
	return ret;
}

/* Packets of a counter table, summed. */
static json_int_t ctl_packets(const struct lb_counter *c, size_t n)
{
	json_int_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += c[i].packets;
	return sum;
}

/* Each VIP address once, in config order, into on (held by lo) or missing. */
static int ctl_backend_vips(struct agent *a, json_t *on, json_t *missing)
{
	const struct lb_config *cfg = &a->cfg;
	char addr[CFG_ADDR_STRLEN];
	bool *on_lo = calloc(cfg->n_vips ?: 1, sizeof(*on_lo));
	size_t i, j;
	int ret;

	if (!on_lo)
		return -ENOMEM;
	ret = backend_state_vips_on_lo(cfg, on_lo);
	for (i = 0; !ret && i < cfg->n_vips; i++) {
		for (j = 0; j < i; j++)
			if (cfg_addr_equal(&cfg->vips[j].addr, &cfg->vips[i].addr))
				break;
		if (j < i)
			continue;
		cfg_format_addr(&cfg->vips[i].addr, addr, sizeof(addr));
		ret =
		    json_array_append_new(on_lo[i] ? on : missing, json_string(addr)) ? -ENOMEM : 0;
	}
	free(on_lo);
	return ret;
}

int ctl_backend_status(struct agent *a, json_t *result, char *err, size_t errlen)
{
	json_t *on = json_array(), *missing = json_array(), *decap;
	char sc[128 + 2 * IF_NAMESIZE];
	struct backend_state st;
	int ret = ctl_backend_read(a, &st, err, errlen);

	if (!ret && (!on || !missing))
		ret = -ENOMEM;
	if (!ret) {
		ret = ctl_backend_vips(a, on, missing);
		if (ret)
			snprintf(err, errlen, "reading the addresses of lo: %s", strerror(-ret));
	}
	if (ret) {
		json_decref(on);
		json_decref(missing);
		return ret;
	}
	decap = json_pack(
	    "{s:b, s:o, s:o, s:I, s:I, s:I, s:I}", "attached", st.attached, "interface",
	    st.attached ? json_string(st.interface) : json_null(), "xdp_mode",
	    st.attached ? json_string(st.generic ? "generic" : "native") : json_null(),
	    "program_id", (json_int_t)st.prog_id, "link_id", (json_int_t)st.link_id, "decapsulated",
	    ctl_packets(st.decap, LB_DECAP_MAX), "dropped", ctl_packets(st.drops, LB_DROP_MAX));
	/* node.interface may be empty (decap then runs where node.addresses are): name where it is.
	 */
	if (st.attached && (json_object_set_new(result, "interface", json_string(st.interface)) ||
			    json_object_set_new(result, "xdp_mode",
						json_string(st.generic ? "generic" : "native"))))
		return -ENOMEM;
	if (st.attached && json_object_set_new(result, "second_chance",
					       json_string(backend_forwarding_status(
						   &a->cfg, st.interface, sc, sizeof(sc)))))
		return -ENOMEM;
	if (!decap || json_object_set_new(result, "decap", decap) ||
	    json_object_set_new(result, "vips_on_lo", on) ||
	    json_object_set_new(result, "vips_missing_from_lo", missing))
		return -ENOMEM;
	return 0;
}

/* {"name": {"packets": n, "bytes": n}, ...} of a counter table; name_of NULL skips an entry. */
static json_t *ctl_counters(const struct lb_counter *c, unsigned int n,
			    const char *(*name_of)(unsigned int), bool backend_drops)
{
	json_t *obj = json_object();
	unsigned int i;

	for (i = 0; obj && i < n; i++) {
		if (!name_of(i) || (backend_drops && !metrics_drop_in_role(i, true)))
			continue;
		json_object_set_new(obj, name_of(i),
				    json_pack("{s:I, s:I}", "packets", (json_int_t)c[i].packets,
					      "bytes", (json_int_t)c[i].bytes));
	}
	return obj;
}

json_t *ctl_sc_json(const struct lb_counter *c, bool backend)
{
	json_t *obj = json_object();
	unsigned int i;

	for (i = 0; obj && i < LB_SC_MAX; i++) {
		if (!metrics_sc_in_role(i, backend))
			continue;
		json_object_set_new(obj, metrics_sc_outcome_name(i),
				    json_pack("{s:I, s:I}", "packets", (json_int_t)c[i].packets,
					      "bytes", (json_int_t)c[i].bytes));
	}
	return obj;
}

int ctl_backend_stats(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct backend_state st;
	int ret = ctl_backend_read(ctx, &st, err, errlen);

	if (ret)
		return ret;
	*result = json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "role", "backend", "decapsulated",
			    (json_int_t)st.stats[LB_STAT_DECAP].packets, "passed",
			    (json_int_t)st.stats[LB_STAT_PASS].packets, "decap",
			    ctl_counters(st.decap, LB_DECAP_MAX, metrics_decap_kind_name, false),
			    "drops", ctl_counters(st.drops, LB_DROP_MAX, metrics_drop_name, true),
			    "second_chance", ctl_sc_json(st.sc, true));
	return *result ? 0 : -ENOMEM;
}
