// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Maglev tables as inner maps, and second chance's lb_maglev_prev beside
 * them (docs/SECOND_CHANCE.md): the backend each slot held before the last
 * change that moved it, computed from the installed table when a new one
 * replaces it. A map of its own rather than a wider lb_maglev value: pins of
 * an older agent keep their layout, and a VIP whose slots never moved has no
 * prev table at all (the data plane then names nobody).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/log.h"
#include "dataplane/dataplane_int.h"
#include "dataplane/maglev.h"
#include "lb.skel.h"

/*
 * An mmapable array keeps each value in 8 bytes (the kernel rounds elem_size up to 8),
 * so a table's slot i is at index i of a __u64 view.
 */
#define DP_TABLE_STRIDE 8
_Static_assert(sizeof(uint64_t) == DP_TABLE_STRIDE, "a table slot through mmap");

static size_t dp_table_bytes(uint32_t m)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return ((size_t)m * DP_TABLE_STRIDE + page - 1) / page * page;
}

/* A new table: created mmapable (LB_MAGLEV_TABLE_FLAGS) and written through memory. */
int dp_table_create(const char *name, uint32_t m, const uint32_t *values)
{
	LIBBPF_OPTS(bpf_map_create_opts, copts, .map_flags = LB_MAGLEV_TABLE_FLAGS);
	uint64_t *slots;
	uint32_t i;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32), sizeof(__u32), m, &copts);
	if (fd < 0)
		return fd;
	slots = mmap(NULL, dp_table_bytes(m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (slots == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	for (i = 0; i < m; i++)
		slots[i] = values[i];
	munmap(slots, dp_table_bytes(m));
	return fd;
}

/*
 * The inner table outer[vip_index] into out[0..m-1]: -ENOENT if none, or of another size.
 * Through memory, or by one batch syscall for a table made before they were mmapable.
 */
static int dp_table_read(int outer_fd, uint32_t vip_index, uint32_t m, uint32_t *out)
{
	struct bpf_map_info info = {};
	__u32 id, len = sizeof(info), batch, count = m, i;
	const uint64_t *slots;
	uint32_t *keys;
	int fd, err = 0;

	if (bpf_map_lookup_elem(outer_fd, &vip_index, &id))
		return -ENOENT;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.max_entries != m ||
	    info.value_size != sizeof(__u32))
		err = -ENOENT;
	if (!err && (info.map_flags & BPF_F_MMAPABLE)) {
		slots = mmap(NULL, dp_table_bytes(m), PROT_READ, MAP_SHARED, fd, 0);
		if (slots == MAP_FAILED) {
			err = -errno;
		} else {
			for (i = 0; i < m; i++)
				out[i] = slots[i];
			munmap((void *)slots, dp_table_bytes(m));
		}
		close(fd);
		return err;
	}
	keys = err ? NULL : malloc((size_t)m * sizeof(*keys));
	if (!err && !keys)
		err = -ENOMEM;
	/* One batch for the whole array: the end of the map answers -ENOENT. */
	if (!err) {
		err = bpf_map_lookup_batch(fd, NULL, &batch, keys, out, &count, NULL);
		if ((err == 0 || err == -ENOENT) && count == m)
			err = 0;
		else if (!err)
			err = -EIO;
	}
	free(keys);
	close(fd);
	return err;
}

struct dp_prev_ctx {
	const struct dataplane *dp;
	uint32_t vip_index;
};

/*
 * A prev must still be a configured pair of this VIP: a pair removed from the
 * config is freed after the tables go in, and its index may later serve
 * another backend.
 */
static bool dp_prev_keep(uint32_t index, void *arg)
{
	const struct dp_prev_ctx *c = arg;

	return index < LB_MAX_BACKENDS && c->dp->be[index].used && c->dp->be[index].configured &&
	       c->dp->be[index].slot.vip_index == c->vip_index;
}

int dp_prev_install(struct dataplane *dp, uint32_t vip_index, uint32_t m, const uint32_t *table)
{
	int outer = bpf_map__fd(dp->skel->maps.lb_maglev);
	int prev_outer = bpf_map__fd(dp->skel->maps.lb_maglev_prev);
	uint32_t *old = calloc(m, sizeof(*old)), *old_prev = calloc(m, sizeof(*old_prev));
	uint32_t *prev = calloc(m, sizeof(*prev)), named;
	struct dp_prev_ctx ctx = {dp, vip_index};
	bool have_old, have_prev;
	int fd, err = 0;

	if (!old || !old_prev || !prev) {
		err = -ENOMEM;
		goto cleanup;
	}
	have_old = !dp_table_read(outer, vip_index, m, old);
	have_prev = have_old && !dp_table_read(prev_outer, vip_index, m, old_prev);
	named = maglev_prev_update(have_old ? old : NULL, have_prev ? old_prev : NULL, table, m,
				   prev, dp_prev_keep, &ctx);
	if (!named) {
		if (bpf_map_delete_elem(prev_outer, &vip_index) && errno != ENOENT)
			err = -errno;
		goto cleanup;
	}
	fd = dp_table_create("lb_maglev_prev", m, prev);
	if (fd < 0) {
		err = fd;
		goto cleanup;
	}
	if (bpf_map_update_elem(prev_outer, &vip_index, &fd, BPF_ANY))
		err = -errno;
	close(fd);
	log_debug("dataplane: VIP %u: %u of %u slots name a second chance", vip_index, named, m);
cleanup:
	free(prev);
	free(old_prev);
	free(old);
	return err;
}

int dp_prev_remove(struct dataplane *dp, uint32_t vip_index)
{
	if (bpf_map_delete_elem(bpf_map__fd(dp->skel->maps.lb_maglev_prev), &vip_index) &&
	    errno != ENOENT)
		return -errno;
	return 0;
}
