// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb_ct_new is an array of one-line slots indexed by flow hash
 * (docs/DATAPLANE.md, "Admission"), not a hash map: its keys are slot numbers,
 * so counting means reading every slot, and finding a flow means computing its
 * slot. The map is mmapable; one mapping reads it at memory speed.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "dataplane/ct_seen.h"

static int ct_seen_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	if (info->value_size != sizeof(struct lb_ct_seen) || !info->max_entries ||
	    (info->max_entries & (info->max_entries - 1)))
		return -EPROTO; /* not the layout this agent was built with */
	return 0;
}

/*
 * Slots counted: a flow's slot is its hash, so the first CT_SEEN_SAMPLE slots
 * are a fair sample of a larger table, and `lbctl status` reads 4 MiB however
 * large the table (2M slots, 128 MiB, at conntrack_size 10M: 0.13 s a status).
 */
#define CT_SEEN_SAMPLE 65536

int ct_seen_count(int fd)
{
	struct bpf_map_info info;
	const struct lb_ct_seen *slots;
	size_t len, page = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t i, n_read;
	uint64_t n = 0;
	int err;

	err = ct_seen_info(fd, &info);
	if (err)
		return err;
	n_read = info.max_entries < CT_SEEN_SAMPLE ? info.max_entries : CT_SEEN_SAMPLE;
	len = ((size_t)n_read * info.value_size + page - 1) / page * page;
	slots = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (slots == MAP_FAILED)
		return -errno;
	for (i = 0; i < n_read; i++)
		n += slots[i].backend_family != 0;
	munmap((void *)slots, len);
	return (int)(n * info.max_entries / n_read);
}

/* Two-way set associative, as bpf/lib/conntrack.h: the flow's own slot, then the other of the pair. */
int ct_seen_find(int fd, const struct lb_flow_key *key, uint32_t hash, struct lb_ct_seen *out)
{
	struct bpf_map_info info;
	uint32_t slot, way;
	int err;

	err = ct_seen_info(fd, &info);
	if (err)
		return err;
	for (way = 0; way < 2; way++) {
		slot = (hash & (info.max_entries - 1)) ^ way;
		if (bpf_map_lookup_elem(fd, &slot, out))
			return -errno;
		if (out->backend_family && !memcmp(&out->key, key, sizeof(*key)))
			return 0;
	}
	return -ENOENT;
}
