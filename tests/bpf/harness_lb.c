// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Loading lb.bpf.c for a test and programming its maps the way the agent does. */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "lb.skel.h"

/* Maps are found by the names docs/DATAPLANE.md gives them, not by skeleton field. */
static int map_fd(struct lb_harness *h, const char *name, int *fd)
{
	*fd = bpf_object__find_map_fd_by_name(h->skel->obj, name);
	return *fd < 0 ? -ENOENT : 0;
}

int harness_lb_load(struct lb_harness *h)
{
	struct bpf_program *prog;
	struct bpf_map *ct;
	int err;

	memset(h, 0, sizeof(*h));
	h->skel = lb__open();
	if (!h->skel)
		return -errno;
	ct = bpf_object__find_map_by_name(h->skel->obj, "lb_conntrack");
	if (!ct) {
		err = -ENOENT;
		goto cleanup;
	}
	err = bpf_map__set_max_entries(ct, HARNESS_CT_SIZE);
	if (err)
		goto cleanup;
	err = lb__load(h->skel);
	if (err)
		goto cleanup;
	prog = bpf_object__next_program(h->skel->obj, NULL);
	if (!prog) {
		err = -ENOENT;
		goto cleanup;
	}
	h->prog_fd = bpf_program__fd(prog);
	err = map_fd(h, "lb_vips", &h->vips) ?: map_fd(h, "lb_backends", &h->backends) ?:
	      map_fd(h, "lb_backend_ids", &h->backend_ids) ?: map_fd(h, "lb_maglev", &h->maglev) ?:
	      map_fd(h, "lb_conntrack", &h->conntrack) ?: map_fd(h, "lb_events", &h->events) ?:
	      map_fd(h, "lb_settings", &h->settings) ?: map_fd(h, "lb_vip_stats", &h->vip_stats) ?:
	      map_fd(h, "lb_backend_stats", &h->backend_stats) ?:
	      map_fd(h, "lb_stats", &h->stats) ?: map_fd(h, "lb_drops", &h->drops);
	if (err)
		goto cleanup;
	return 0;
cleanup:
	lb__destroy(h->skel);
	h->skel = NULL;
	return err;
}

void harness_lb_destroy(struct lb_harness *h)
{
	lb__destroy(h->skel);
	h->skel = NULL;
}

int harness_lb_settings(struct lb_harness *h, const struct lb_settings *s)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(h->settings, &zero, s, BPF_ANY) ? -errno : 0;
}

int harness_lb_vip(struct lb_harness *h, const struct lb_vip_key *key,
		   const struct lb_vip_info *info)
{
	return bpf_map_update_elem(h->vips, key, info, BPF_ANY) ? -errno : 0;
}

int harness_lb_backend(struct lb_harness *h, uint32_t index, const struct lb_backend *be)
{
	struct lb_backend_key key = { .family = be->family };

	memcpy(key.addr, be->addr, sizeof(key.addr));
	if (bpf_map_update_elem(h->backends, &index, be, BPF_ANY))
		return -errno;
	return bpf_map_update_elem(h->backend_ids, &key, &index, BPF_ANY) ? -errno : 0;
}

int harness_lb_maglev(struct lb_harness *h, uint32_t vip_index, const uint32_t *slots,
		      uint32_t n_slots)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_INNER_MAP);
	int inner, err = 0;
	uint32_t i;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_maglev_in", sizeof(uint32_t),
			       sizeof(uint32_t), n_slots, &opts);
	if (inner < 0)
		return inner;
	for (i = 0; i < n_slots; i++) {
		if (bpf_map_update_elem(inner, &i, &slots[i], BPF_ANY)) {
			err = -errno;
			goto cleanup;
		}
	}
	if (bpf_map_update_elem(h->maglev, &vip_index, &inner, BPF_ANY))
		err = -errno;
cleanup:
	close(inner);
	return err;
}

struct event_sink {
	struct lb_flow_event *out;
	int max, n;
};

static int event_collect(void *ctx, void *data, size_t size)
{
	struct event_sink *sink = ctx;

	if (size != sizeof(struct lb_flow_event))
		return -EBADMSG;
	if (sink->n < sink->max)
		memcpy(&sink->out[sink->n], data, size);
	sink->n++;
	return 0;
}

int harness_lb_events(struct lb_harness *h, struct lb_flow_event *out, int max)
{
	struct event_sink sink = { .out = out, .max = max };
	struct ring_buffer *rb;
	int err;

	rb = ring_buffer__new(h->events, event_collect, &sink, NULL);
	if (!rb)
		return -errno;
	err = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return err < 0 ? err : sink.n;
}
