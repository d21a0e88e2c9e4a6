// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The data plane's life: open lb.bpf.c, reuse whatever an earlier agent
 * pinned (maps, so conntrack survives; the link, so forwarding never stops),
 * load, attach, pin. Programming the maps is dataplane_apply.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/ct_count.h"
#include "dataplane/dataplane.h"
#include "dataplane/dataplane_int.h"
#include "lb.skel.h"
#include "common/log.h"

#define DP_LINK_PIN "link"
#define DP_PROG_PIN "xdp_lb"
#define DP_CT_NEW_MIN 1024 /* lb_ct_new entries at least, whatever the conntrack size */

int dp_pin_path(const struct dataplane *dp, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dp->pin_dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ip netns exec remounts /sys: a pin dir there is no longer on bpffs, and pins would vanish. */
static int dp_check_bpffs(const char *dir)
{
	char parent[CFG_PATH_MAX], *slash;
	struct statfs st;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(dir, &st) && statfs(parent, &st))
		st.f_type = 0;
	if (st.f_type != BPF_FS_MAGIC) {
		log_msg(LOG_LVL_ERR,
			"dataplane: %s is not on a bpf filesystem (mount -t bpf bpf /sys/fs/bpf; "
			"under ip netns exec /sys is remounted: set node.bpffs to a directory of a "
			"bpffs mounted elsewhere)", dir);
		return -ENOTSUP;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		log_warn("dataplane: mkdir %s", dir);
		return -errno;
	}
	return 0;
}

/*
 * lb_ct_new holds flows seen once (docs/DATAPLANE.md, "Admission"): an eighth
 * of conntrack covers every handshake in flight, and a flood churns only it.
 * Its slot is the flow hash's low bits: a power of two.
 */
static uint32_t dp_ct_new_size(uint32_t conntrack_size)
{
	uint32_t want = (conntrack_size ? conntrack_size : LB_CT_SIZE) / 8, size = DP_CT_NEW_MIN;

	while (size < want && size < (1U << 31))
		size <<= 1;
	return size;
}

/*
 * Sizes a conntrack map before load (want 0: the compiled default). A pinned
 * one keeps its size: resizing it would drop every tracked flow. A pinned one
 * of another type or value size is an older agent's layout, which the program
 * cannot use: it is unpinned, its entries lost, and a new one made.
 */
static int dp_size_map(struct dataplane *dp, const char *name, struct bpf_map *map,
		       uint32_t want)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int err, fd;

	dp_pin_path(dp, name, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return want ? bpf_map__set_max_entries(map, want) : 0;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return err;
	if (info.type != bpf_map__type(map) || info.value_size != bpf_map__value_size(map)) {
		log_warnx("dataplane: pinned %s is an older layout: replacing it (its entries are "
			  "lost)", name);
		if (unlink(path))
			return -errno;
		return want ? bpf_map__set_max_entries(map, want) : 0;
	}
	if (want && info.max_entries != want)
		log_warnx("dataplane: pinned %s has %u entries, config asks %u: keeping %u "
			  "(unload to resize)", name, info.max_entries, want, info.max_entries);
	return bpf_map__set_max_entries(map, info.max_entries);
}

/*
 * Every map gets its pin path before load: libbpf reuses a compatible pinned
 * map (conntrack and counters survive a restart) or pins the new one.
 */
static int dp_set_pins(struct dataplane *dp, const struct lb_config *cfg)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int err;

	bpf_object__for_each_map(map, dp->skel->obj) {
		/*
		 * Each program's own, rebuilt in a second: pinned, it would only tie
		 * versions. The read-only globals (.rodata) are per load, and frozen.
		 */
		if (map == dp->skel->maps.lb_flow_cache || map == dp->skel->maps.lb_flow_cache_tags ||
		    bpf_map__is_internal(map))
			continue;
		err = dp_pin_path(dp, bpf_map__name(map), path, sizeof(path));
		if (!err)
			err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	err = dp_size_map(dp, "lb_conntrack", dp->skel->maps.lb_conntrack,
			  cfg->node.conntrack_size) ?:
	      dp_size_map(dp, "lb_ct_new", dp->skel->maps.lb_ct_new,
			  dp_ct_new_size(cfg->node.conntrack_size));
	/* The program finds a flow's lb_ct_new slot by this mask: the map's size, pinned or new. */
	dp->skel->rodata->lb_ct_new_mask = bpf_map__max_entries(dp->skel->maps.lb_ct_new) - 1;
	return err;
}

static int dp_prog_tag(int prog_fd, __u8 tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err = bpf_obj_get_info_by_fd(prog_fd, &info, &len);

	if (err)
		return err;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return 0;
}

/* The pinned link survived us: keep it, and swap the program in only if it changed. */
static int dp_adopt_link(struct dataplane *dp, int link_fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	__u8 old_tag[BPF_TAG_SIZE], new_tag[BPF_TAG_SIZE];
	int prog_fd = bpf_program__fd(dp->skel->progs.xdp_lb);
	int old_fd, err;

	err = bpf_obj_get_info_by_fd(link_fd, &info, &len);
	if (err)
		return err;
	if (info.type != BPF_LINK_TYPE_XDP || info.xdp.ifindex != dp->ifindex) {
		log_msg(LOG_LVL_ERR, "dataplane: pinned link is not an XDP link on %s: "
			"unload the old data plane first (lbctl shutdown --unload)", dp->ifname);
		return -EEXIST;
	}
	old_fd = bpf_prog_get_fd_by_id(info.prog_id);
	if (old_fd < 0) {
		/* Without CAP_SYS_ADMIN the kernel refuses this: the restart used to die unsaid. */
		log_msg(LOG_LVL_ERR, "dataplane: opening the program of the pinned link on %s: %s "
			"(BPF_PROG_GET_FD_BY_ID needs CAP_SYS_ADMIN)", dp->ifname, strerror(-old_fd));
		return old_fd;
	}
	err = dp_prog_tag(old_fd, old_tag);
	close(old_fd);
	if (!err)
		err = dp_prog_tag(prog_fd, new_tag);
	if (err)
		return err;
	if (memcmp(old_tag, new_tag, BPF_TAG_SIZE)) {
		err = bpf_link_update(link_fd, prog_fd, NULL);
		if (err) {
			log_warn("dataplane: replacing the program on the pinned link");
			return err;
		}
		log_info("dataplane: adopted the pinned link on %s, program upgraded", dp->ifname);
	} else {
		log_info("dataplane: adopted the pinned link on %s, program unchanged", dp->ifname);
	}
	dp->link_fd = link_fd;
	dp->adopted = true;
	return 0;
}

static int dp_link_create(struct dataplane *dp, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);

	return bpf_link_create(bpf_program__fd(dp->skel->progs.xdp_lb), dp->ifindex, BPF_XDP,
			       &opts);
}

static int dp_attach(struct dataplane *dp, enum cfg_xdp_mode mode)
{
	char path[PATH_MAX];
	int fd, err;

	err = dp_pin_path(dp, DP_LINK_PIN, path, sizeof(path));
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		err = dp_adopt_link(dp, fd);
		if (err)
			close(fd);
		return err;
	}

	fd = -EOPNOTSUPP;
	if (mode != CFG_XDP_GENERIC)
		fd = dp_link_create(dp, XDP_FLAGS_DRV_MODE);
	if (fd < 0 && mode == CFG_XDP_AUTO) {
		log_warnx("dataplane: native XDP on %s failed (%s): falling back to generic "
			  "mode, which is much slower", dp->ifname, strerror(-fd));
	}
	if (fd < 0 && mode != CFG_XDP_NATIVE) {
		fd = dp_link_create(dp, XDP_FLAGS_SKB_MODE);
		dp->generic = fd >= 0;
	}
	if (fd < 0) {
		log_msg(LOG_LVL_ERR, "dataplane: attaching XDP to %s: %s", dp->ifname,
			strerror(-fd));
		return fd;
	}
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		log_warn("dataplane: pinning the link at %s", path);
		close(fd);
		return err;
	}
	dp->link_fd = fd;
	log_info("dataplane: attached to %s in %s mode", dp->ifname,
		 dp->generic ? "generic" : "native");
	return 0;
}

/* Keep the mode of an adopted link right in status: the link itself does not say. */
static void dp_query_mode(struct dataplane *dp)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (!bpf_xdp_query(dp->ifindex, 0, &q))
		dp->generic = q.attach_mode == XDP_ATTACHED_SKB;
}

static int dp_pin_prog(struct dataplane *dp)
{
	char path[PATH_MAX];
	int err = dp_pin_path(dp, DP_PROG_PIN, path, sizeof(path));

	if (err)
		return err;
	/* The pin names the running program: an older one (adopted link) is replaced. */
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return bpf_program__pin(dp->skel->progs.xdp_lb, path);
}

/* Whether dir holds no pin yet (or is not there): what a failed open pins there is its own. */
static bool dp_dir_empty(const char *dir)
{
	struct dirent *de;
	bool empty = true;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

struct dataplane *dataplane_open(const struct lb_config *cfg)
{
	struct dataplane *dp;
	bool fresh = false;
	int err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return NULL;
	dp->link_fd = -1;
	dp->be_fresh = 1; /* slot 0 is LB_NO_BACKEND */
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s",
		 cfg->node.bpffs_dir[0] ? cfg->node.bpffs_dir : "/sys/fs/bpf/xdplb");
	snprintf(dp->ifname, sizeof(dp->ifname), "%s", cfg->node.interface);
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus < 0) {
		err = dp->ncpus;
		goto cleanup;
	}
	dp->ifindex = if_nametoindex(dp->ifname);
	if (!dp->ifindex) {
		err = -errno;
		log_warn("dataplane: interface %s", dp->ifname);
		goto cleanup;
	}
	fresh = dp_dir_empty(dp->pin_dir);
	err = dp_check_bpffs(dp->pin_dir);
	if (err)
		goto cleanup;

	dp->skel = lb__open();
	if (!dp->skel) {
		err = -errno;
		log_warn("dataplane: opening lb.bpf.o");
		goto cleanup;
	}
	err = dp_set_pins(dp, cfg);
	if (err)
		goto cleanup;
	err = lb__load(dp->skel);
	if (err) {
		log_msg(LOG_LVL_ERR, "dataplane: loading lb.bpf.o: %s (-v shows the verifier's "
			"log; maps pinned under %s by an incompatible version need lbctl shutdown "
			"--unload first)", strerror(-err), dp->pin_dir);
		goto cleanup;
	}
	err = dp_attach(dp, cfg->node.xdp_mode);
	if (err)
		goto cleanup;
	if (dp->adopted) {
		dp_query_mode(dp);
		/* Re-attaching in the other mode would stop forwarding for a moment: say so. */
		if ((cfg->node.xdp_mode == CFG_XDP_NATIVE && dp->generic) ||
		    (cfg->node.xdp_mode == CFG_XDP_GENERIC && !dp->generic))
			log_warnx("dataplane: the pinned link on %s is in %s mode, node.xdp_mode "
				  "asks otherwise: kept (lbctl shutdown --unload, then start, to "
				  "change it)", dp->ifname, dp->generic ? "generic" : "native");
	}
	err = dp_pin_prog(dp);
	if (err) {
		log_warnx("dataplane: pinning the program: %s", strerror(-err));
		goto cleanup;
	}
	err = dp_state_adopt(dp);
	if (err)
		goto cleanup;
	return dp;

cleanup:
	/* Maps pinned, or a link attached, by this open alone: none of it outlives the failure. */
	if (dp->skel && fresh)
		dataplane_unload(dp);
	dataplane_close(dp);
	errno = -err;
	return NULL;
}

int dataplane_unload(struct dataplane *dp)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int err = 0;

	if (dp->link_fd >= 0 && bpf_link_detach(dp->link_fd)) {
		err = -errno;
		log_warn("dataplane: detaching from %s", dp->ifname);
	}
	if (!dp_pin_path(dp, DP_LINK_PIN, path, sizeof(path)))
		unlink(path);
	if (!dp_pin_path(dp, DP_PROG_PIN, path, sizeof(path)))
		unlink(path);
	/* Only the pinned ones: libbpf warns about each map without a pin path. */
	bpf_object__for_each_map(map, dp->skel->obj)
		if (bpf_map__pin_path(map))
			bpf_map__unpin(map, NULL);
	if (rmdir(dp->pin_dir) && errno != ENOENT)
		log_warn("dataplane: removing %s", dp->pin_dir);
	log_info("dataplane: detached from %s and unpinned %s", dp->ifname, dp->pin_dir);
	return err;
}

void dataplane_close(struct dataplane *dp)
{
	size_t i;

	if (!dp)
		return;
	if (dp->link_fd >= 0)
		close(dp->link_fd);
	ct_count_close(dp->ct_count);
	lb__destroy(dp->skel);
	for (i = 0; i < LB_MAX_VIPS; i++)
		free(dp->vips[i].sig);
	free(dp->weights);
	free(dp);
}

int dataplane_map_fd(const struct dataplane *dp, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(dp->skel->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

uint32_t dataplane_ct_size(const struct dataplane *dp)
{
	return bpf_map__max_entries(dp->skel->maps.lb_conntrack);
}

int dataplane_ct_entries(struct dataplane *dp, uint64_t *entries)
{
	if (!dp->ct_count && !dp->ct_count_err) {
		dp->ct_count = ct_count_open(dataplane_map_fd(dp, "lb_conntrack"));
		if (!dp->ct_count) {
			dp->ct_count_err = -(errno ?: EOPNOTSUPP);
			log_warnx("dataplane: conntrack entries not counted: %s (kernel 6.6+ counts "
				  "them for a BPF program)", strerror(errno));
		}
	}
	return dp->ct_count ? ct_count_read(dp->ct_count, entries) : dp->ct_count_err;
}

int dataplane_read_percpu(const struct dataplane *dp, int map_fd, uint32_t key, void *out,
			  size_t value_size)
{
	size_t words = value_size / sizeof(__u64), i;
	__u64 *sum = out, *vals;
	int cpu, err = 0;

	vals = calloc(dp->ncpus, value_size);
	if (!vals)
		return -ENOMEM;
	memset(out, 0, value_size);
	if (bpf_map_lookup_elem(map_fd, &key, vals)) {
		err = -errno;
		goto cleanup;
	}
	for (cpu = 0; cpu < dp->ncpus; cpu++)
		for (i = 0; i < words; i++)
			sum[i] += vals[cpu * words + i];
cleanup:
	free(vals);
	return err;
}

void dataplane_set_health(struct dataplane *dp, dataplane_up_fn fn, void *ctx)
{
	dp->health_up = fn;
	dp->health_ctx = ctx;
}

bool dataplane_attached(const struct dataplane *dp)
{
	return dp->link_fd >= 0;
}

bool dataplane_generic(const struct dataplane *dp)
{
	return dp->generic;
}

uint32_t dataplane_ifindex(const struct dataplane *dp)
{
	return dp->ifindex;
}

bool dataplane_adopted(const struct dataplane *dp)
{
	return dp->adopted;
}

size_t dataplane_next_hops_pending(const struct dataplane *dp)
{
	return dp->nh_pending;
}

size_t dataplane_next_hops_retrying(const struct dataplane *dp)
{
	return dp->nh_retry;
}

int dataplane_pair_get(const struct dataplane *dp, uint32_t idx, struct dataplane_pair *out)
{
	if (!idx || idx >= LB_MAX_BACKENDS || !dp->be[idx].used)
		return -ENOENT;
	out->next_hop_known = dp->be[idx].nh_known;
	out->flags = dp->be[idx].slot.flags;
	memcpy(out->dmac, dp->be[idx].slot.dmac, sizeof(out->dmac));
	return 0;
}
