// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Running packets through a loaded program and comparing them; the decap loader. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "decap.skel.h"
#include "harness.h"

int harness_run(int prog_fd, const struct pkt *in, struct pkt *out, uint32_t *action)
{
	return harness_run_on(prog_fd, 0, in, out, action);
}

int harness_run_on(int prog_fd, uint32_t ifindex, const struct pkt *in, struct pkt *out,
		   uint32_t *action)
{
	struct xdp_md md = {.data_end = in->len, .ingress_ifindex = ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->b, .data_size_in = in->len,
		    .data_out = out->b, .data_size_out = sizeof(out->b), .repeat = 1);
	int err;

	/*
	 * ctx_in with an ingress device: kernel 5.18 on; without it the kernel
	 * picks loopback. data_end is the frame length, or the kernel takes none.
	 */
	if (ifindex) {
		opts.ctx_in = &md;
		opts.ctx_size_in = sizeof(md);
	}

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return err;
	out->len = opts.data_size_out;
	*action = opts.retval;
	return 0;
}

const char *harness_action_name(uint32_t action)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return action < sizeof(names) / sizeof(names[0]) ? names[action] : "XDP_?";
}

static void hex_row(FILE *f, const struct pkt *p, size_t off, const struct pkt *other)
{
	size_t i;

	for (i = off; i < off + 16; i++) {
		if (i >= p->len)
			fprintf(f, "   ");
		else if (i >= other->len || other->b[i] != p->b[i])
			fprintf(f, "%02x*", p->b[i]);
		else
			fprintf(f, "%02x ", p->b[i]);
	}
}

void harness_hexdiff(FILE *f, const struct pkt *expected, const struct pkt *actual)
{
	size_t max = expected->len > actual->len ? expected->len : actual->len;
	size_t off;

	fprintf(f, "  expected %zu bytes, actual %zu bytes (* marks a differing byte)\n",
		expected->len, actual->len);
	fprintf(f, "  off   %-48s | actual\n", "expected");
	for (off = 0; off < max; off += 16) {
		size_t e_end = expected->len < off + 16 ? expected->len : off + 16;
		size_t a_end = actual->len < off + 16 ? actual->len : off + 16;
		bool same = e_end == a_end && !memcmp(expected->b + off, actual->b + off,
						      e_end > off ? e_end - off : 0);

		fprintf(f, "%c %04zx  ", same ? ' ' : '>', off);
		hex_row(f, expected, off, actual);
		fprintf(f, "| ");
		hex_row(f, actual, off, expected);
		fprintf(f, "\n");
	}
}

bool harness_expect(FILE *f, const char *what, int prog_fd, const struct pkt *in,
		    uint32_t action, const struct pkt *expected, uint16_t gue_port)
{
	return harness_expect_on(f, what, prog_fd, 0, in, action, expected, gue_port);
}

bool harness_expect_on(FILE *f, const char *what, int prog_fd, uint32_t ifindex,
		       const struct pkt *in, uint32_t action, const struct pkt *expected,
		       uint16_t gue_port)
{
	struct pkt *out = calloc(1, sizeof(*out));
	uint32_t got = ~0u;
	char why[128];
	bool ok = false;
	int err;

	if (!out)
		return false;
	err = harness_run_on(prog_fd, ifindex, in, out, &got);
	if (err) {
		fprintf(f, "%s: bpf_prog_test_run_opts: %s\n", what, strerror(-err));
		goto cleanup;
	}
	ok = got == action && out->len == expected->len && !memcmp(out->b, expected->b, out->len);
	if (!ok) {
		fprintf(f, "%s: expected %s, got %s\n", what, harness_action_name(action),
			harness_action_name(got));
		harness_hexdiff(f, expected, out);
		if (pkt_verify_csums(out->b, out->len, gue_port, why, sizeof(why)))
			fprintf(f, "  actual packet's checksums: %s\n", why);
		else
			fprintf(f, "  actual packet's checksums: all valid\n");
		goto cleanup;
	}
	if ((out->len != in->len || memcmp(out->b, in->b, in->len)) &&
	    pkt_verify_csums(out->b, out->len, gue_port, why, sizeof(why))) {
		fprintf(f, "%s: packet out matches but its checksums do not: %s\n", what, why);
		ok = false;
	}
cleanup:
	free(out);
	return ok;
}

int harness_percpu_sum(int map_fd, uint32_t key, uint64_t *sum, size_t n_u64)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, err = 0;
	uint64_t *vals;
	size_t i;

	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)ncpu * n_u64, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &key, vals)) {
		err = -errno;
		goto cleanup;
	}
	memset(sum, 0, n_u64 * sizeof(*sum));
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < n_u64; i++)
			sum[i] += vals[cpu * n_u64 + i];
cleanup:
	free(vals);
	return err;
}

int harness_decap_load(struct decap_harness *h)
{
	memset(h, 0, sizeof(*h));
	h->skel = decap__open_and_load();
	if (!h->skel)
		return -errno;
	h->prog_fd = bpf_program__fd(h->skel->progs.xdp_decap);
	h->addrs = bpf_map__fd(h->skel->maps.decap_addrs);
	h->settings = bpf_map__fd(h->skel->maps.decap_settings);
	h->stats = bpf_map__fd(h->skel->maps.lb_stats);
	h->drops = bpf_map__fd(h->skel->maps.lb_drops);
	h->kinds = bpf_map__fd(h->skel->maps.decap_stats);
	h->sc_stats = bpf_map__fd(h->skel->maps.lb_sc_stats);
	return 0;
}

void harness_decap_destroy(struct decap_harness *h)
{
	decap__destroy(h->skel);
	h->skel = NULL;
}

int harness_decap_addr(struct decap_harness *h, uint8_t family, const uint32_t addr[4])
{
	struct lb_backend_key key = { .family = family };
	uint8_t one = 1;

	memcpy(key.addr, addr, sizeof(key.addr));
	return bpf_map_update_elem(h->addrs, &key, &one, BPF_ANY) ? -errno : 0;
}

int harness_decap_gue_port(struct decap_harness *h, uint16_t port)
{
	uint16_t be = htobe16(port);
	uint32_t zero = 0;

	return bpf_map_update_elem(h->settings, &zero, &be, BPF_ANY) ? -errno : 0;
}
