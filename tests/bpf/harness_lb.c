// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb.bpf.c for the fixtures: loaded and pinned once per run, maps programmed as the agent does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/ct_seen.h"
#include "harness.h"
#include "lb_hash.h"
#include "lb.skel.h"

#define PIN_ENV "XDPLB_TEST_LB_PINS" /* tells the test processes where the runner pinned lb */
#define PIN_PROG "prog"
#define PIN_ROOT "/sys/fs/bpf"
#define PIN_PREFIX "xdplb-tests-"

#define LOG_TAIL_LINES 40

static char pin_dir[128];

/* A refused program's verifier log runs to thousands of lines; its end says why. */
static int print_log_tail(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *tail;
	char *msg = NULL;
	int n, lines = 0;

	if (level == LIBBPF_DEBUG)
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return n;
	tail = msg + n;
	while (tail > msg && lines <= LOG_TAIL_LINES)
		if (*--tail == '\n')
			lines++;
	if (tail > msg)
		fprintf(stderr, "[... cut to the last %d lines ...]", LOG_TAIL_LINES);
	fputs(tail, stderr);
	free(msg);
	return n;
}

static void pins_remove(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Pins left by a runner that was killed before POST_ALL (its pid is gone). */
static void pins_remove_stale(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int pid;

	d = opendir(PIN_ROOT);
	while (d && (de = readdir(d))) {
		if (sscanf(de->d_name, PIN_PREFIX "%d", &pid) != 1)
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", PIN_ROOT, de->d_name);
		pins_remove(path);
	}
	if (d)
		closedir(d);
}

void harness_lb_suite_unload(void)
{
	if (!pin_dir[0])
		return;
	pins_remove(pin_dir);
	pin_dir[0] = '\0';
}

int harness_lb_suite_load(void)
{
	struct bpf_program *prog;
	char path[sizeof(pin_dir) + 16];
	struct bpf_map *ct, *ct_new;
	libbpf_print_fn_t old_print;
	struct lb *skel;
	int err;

	old_print = libbpf_set_print(print_log_tail);
	skel = lb__open();
	if (!skel) {
		err = -errno;
		libbpf_set_print(old_print);
		return err;
	}
	ct = bpf_object__find_map_by_name(skel->obj, "lb_conntrack");
	ct_new = bpf_object__find_map_by_name(skel->obj, "lb_ct_new");
	prog = bpf_object__next_program(skel->obj, NULL);
	if (!ct || !ct_new || !prog) {
		err = -ENOENT;
		goto cleanup;
	}
	err = bpf_map__set_max_entries(ct, HARNESS_CT_SIZE) ?:
	      bpf_map__set_max_entries(ct_new, HARNESS_CT_NEW_SIZE);
	skel->rodata->lb_ct_new_mask = HARNESS_CT_NEW_SIZE - 1;
	if (err)
		goto cleanup;
	err = lb__load(skel);
	if (err)
		goto cleanup;
	pins_remove_stale();
	snprintf(pin_dir, sizeof(pin_dir), PIN_ROOT "/" PIN_PREFIX "%d", (int)getpid());
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		err = -errno;
		goto cleanup;
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_PROG);
	err = bpf_object__pin_maps(skel->obj, pin_dir) ?: bpf_program__pin(prog, path);
	if (err)
		goto cleanup;
	err = setenv(PIN_ENV, pin_dir, 1) ? -errno : 0;
cleanup:
	if (err && pin_dir[0])
		harness_lb_suite_unload();
	lb__destroy(skel);
	libbpf_set_print(old_print);
	return err;
}

static int pinned_fd(const char *dir, const char *name, int *fd)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*fd = bpf_obj_get(path);
	return *fd < 0 ? -errno : 0;
}

/* Empties one map so that a test starts from what a fresh load would give. */
static int map_clear(int fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), i;
	uint8_t key[64];
	void *zero;
	size_t vsize;
	int ncpu, err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	/* .rodata (pinned as lb_rodata): frozen, and nothing a packet can change. */
	if (info.map_flags & BPF_F_RDONLY_PROG)
		return 0;
	switch (info.type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
		if (info.key_size > sizeof(key))
			return -E2BIG;
		while (!bpf_map_get_next_key(fd, NULL, key))
			if (bpf_map_delete_elem(fd, key))
				return -errno;
		return 0;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		for (i = 0; i < info.max_entries; i++)
			bpf_map_delete_elem(fd, &i);
		return 0;
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		ncpu = info.type == BPF_MAP_TYPE_ARRAY ? 1 : libbpf_num_possible_cpus();
		if (ncpu < 0)
			return ncpu;
		vsize = ((info.value_size + 7) & ~7u) * (size_t)ncpu;
		zero = calloc(1, vsize);
		if (!zero)
			return -ENOMEM;
		for (i = 0; i < info.max_entries && !err; i++)
			if (bpf_map_update_elem(fd, &i, zero, BPF_ANY))
				err = -errno;
		free(zero);
		return err;
	default:
		return 0;
	}
}

static int events_drain(struct lb_harness *h)
{
	int n = harness_lb_events(h, NULL, 0);

	return n < 0 ? n : 0;
}

/* Empties every map the runner pinned, the ones added after these tests were written too. */
static int maps_clear(const char *dir)
{
	char path[512];
	struct dirent *de;
	int fd, err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		/* Skip ., .., the program and libbpf's .rodata/.bss/.data maps. */
		if (strchr(de->d_name, '.') || !strcmp(de->d_name, PIN_PROG))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			break;
		}
		err = map_clear(fd);
		close(fd);
	}
	closedir(d);
	return err;
}

int harness_lb_load(struct lb_harness *h)
{
	const char *dir = getenv(PIN_ENV);
	int err;

	memset(h, 0, sizeof(*h));
	h->lock_fd = -1;
	if (!dir)
		return -ENOENT; /* the runner could not load lb.bpf.c: its log is above */
	h->lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->lock_fd < 0 || flock(h->lock_fd, LOCK_EX))
		return -errno;
	err = pinned_fd(dir, PIN_PROG, &h->prog_fd) ?: pinned_fd(dir, "lb_vips", &h->vips) ?:
	      pinned_fd(dir, "lb_backends", &h->backends) ?:
	      pinned_fd(dir, "lb_backend_ids", &h->backend_ids) ?:
	      pinned_fd(dir, "lb_maglev", &h->maglev) ?:
	      pinned_fd(dir, "lb_conntrack", &h->conntrack) ?:
	      pinned_fd(dir, "lb_ct_new", &h->ct_new) ?:
	      pinned_fd(dir, "lb_flow_cache", &h->flow_cache) ?:
	      pinned_fd(dir, "lb_generation", &h->generation) ?:
	      pinned_fd(dir, "lb_events", &h->events) ?:
	      pinned_fd(dir, "lb_settings", &h->settings) ?:
	      pinned_fd(dir, "lb_vip_stats", &h->vip_stats) ?:
	      pinned_fd(dir, "lb_backend_stats", &h->backend_stats) ?:
	      pinned_fd(dir, "lb_stats", &h->stats) ?: pinned_fd(dir, "lb_drops", &h->drops);
	if (err)
		return err;
	return maps_clear(dir) ?: events_drain(h);
}

int harness_lb_map_fd(const char *name)
{
	const char *dir = getenv(PIN_ENV);
	int fd;

	if (!dir)
		return -ENOENT;
	return pinned_fd(dir, name, &fd) ?: fd;
}

void harness_lb_destroy(struct lb_harness *h)
{
	int *fds[] = { &h->prog_fd, &h->vips, &h->backends, &h->backend_ids, &h->maglev,
		       &h->conntrack, &h->ct_new, &h->flow_cache, &h->generation, &h->events,
		       &h->settings, &h->vip_stats, &h->backend_stats, &h->stats, &h->drops, &h->lock_fd };
	size_t i;

	/* Closing the directory fd drops the lock for the next test. */
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] > 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int harness_lb_settings(struct lb_harness *h, const struct lb_settings *s)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(h->settings, &zero, s, BPF_ANY) ? -errno : 0;
}

int harness_lb_generation(struct lb_harness *h, uint32_t gen)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(h->generation, &zero, &gen, BPF_ANY) ? -errno : 0;
}

int harness_lb_ct_seen(struct lb_harness *h, const struct lb_flow_key *key, struct lb_ct_seen *out)
{
	struct lb_settings set;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(h->settings, &zero, &set))
		return -errno;
	return ct_seen_find(h->ct_new, key, lb_hash_flow(key, set.hash_seed), out);
}

int harness_lb_vip(struct lb_harness *h, const struct lb_vip_key *key,
		   const struct lb_vip_info *info)
{
	return bpf_map_update_elem(h->vips, key, info, BPF_ANY) ? -errno : 0;
}

int harness_lb_backend(struct lb_harness *h, uint32_t index, const struct lb_backend *be,
		       uint32_t n_vips)
{
	struct lb_backend_key key = { .family = be->family };

	memcpy(key.addr, be->addr, sizeof(key.addr));
	if (bpf_map_update_elem(h->backends, &index, be, BPF_ANY))
		return -errno;
	for (key.vip_index = 0; key.vip_index < n_vips; key.vip_index++)
		if (bpf_map_update_elem(h->backend_ids, &key, &index, BPF_ANY))
			return -errno;
	return 0;
}

int harness_lb_inner(int outer, uint32_t vip_index, const uint32_t *slots, uint32_t n_slots)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = LB_MAGLEV_TABLE_FLAGS);
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
	if (bpf_map_update_elem(outer, &vip_index, &inner, BPF_ANY))
		err = -errno;
cleanup:
	close(inner);
	return err;
}

int harness_lb_maglev(struct lb_harness *h, uint32_t vip_index, const uint32_t *slots,
		      uint32_t n_slots)
{
	return harness_lb_inner(h->maglev, vip_index, slots, n_slots);
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
