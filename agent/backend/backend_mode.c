// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Backend mode: VIPs on lo, DSR sysctls, and the decap program on the node's interface. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "backend/backend_forwarding.h"
#include "backend/backend_mode.h"
#include "decap.skel.h"
#include "common/log.h"
#include "dataplane/nexthop.h"
#include "dataplane/rtnl.h"

/*
 * Address protocol (IFA_PROTO, Linux 6.3+) stamped on the VIPs we put on lo, so that a later
 * apply or remove finds the ones a previous config added, also after a restart, without
 * touching addresses someone else put there. 0-3 are the kernel's own values.
 */
#define BACKEND_IFA_PROTO 0x78
#define DECAP_PIN_SUBDIR  BACKEND_DECAP_PIN_SUBDIR
#define DECAP_PIN_LINK	  BACKEND_DECAP_PIN_LINK
#define DECAP_PIN_PROG	  "xdp_decap"
#define DECAP_ADDRS_MAX	  64 /* max_entries of decap_addrs (bpf/lib/decap_maps.h) */

static const char *backend_fmt_addr(const struct xaddr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == LB_AF_INET ? AF_INET : AF_INET6, a->addr, buf, len))
		snprintf(buf, len, "(family %u)", a->family);
	return buf;
}

/* The one GUE port this backend decapsulates (0: no VIP uses GUE). */
static int backend_pick_gue_port(const struct lb_config *cfg, uint16_t *port)
{
	const struct cfg_vip *first = NULL, *v;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint16_t p;
	size_t i;

	*port = 0;
	for (i = 0; i < cfg->n_vips; i++) {
		v = &cfg->vips[i];
		if (v->encap != LB_ENCAP_GUE)
			continue;
		p = v->gue_port ? v->gue_port : LB_GUE_DEFAULT_PORT;
		if (!first) {
			first = v;
			*port = p;
		} else if (p != *port) {
			log_warnx(
			    "backend_mode_apply: VIP %s (line %d) uses GUE port %u but VIP %s "
			    "(line %d) uses %u: a backend decapsulates one GUE port",
			    backend_fmt_addr(&v->addr, a, sizeof(a)), v->line, p,
			    backend_fmt_addr(&first->addr, b, sizeof(b)), first->line, *port);
			return -EINVAL;
		}
	}
	return 0;
}

/* --- VIP addresses on lo ------------------------------------------------------------------ */

static int backend_set_lo_up(struct mnl_socket *nl, uint32_t lo)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = lo;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return rtnl_talk(nl, nlh, NULL, NULL);
}

static int backend_change_addr(struct mnl_socket *nl, uint16_t type, uint32_t ifindex,
			       const struct xaddr *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	bool v4 = a->family == LB_AF_INET;
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	/* REPLACE: an address already there (earlier apply, another VIP port) is success. */
	if (type == RTM_NEWADDR)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = v4 ? AF_INET : AF_INET6;
	ifa->ifa_prefixlen = v4 ? 32 : 128;
	ifa->ifa_flags = v4 ? 0 : IFA_F_NODAD;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, v4 ? 4 : 16, a->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, v4 ? 4 : 16, a->addr);
	if (type == RTM_NEWADDR)
		mnl_attr_put_u8(nlh, IFA_PROTO, BACKEND_IFA_PROTO);
	return rtnl_talk(nl, nlh, NULL, NULL);
}

struct addr_set {
	uint32_t ifindex;
	struct xaddr *addrs;
	size_t n, cap;
};

static int backend_ours_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr, *local = NULL;
	struct addr_set *set = data;
	struct xaddr *grown, *a;
	bool ours = false;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_index != set->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each (attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(attr) == IFA_PROTO && mnl_attr_get_payload_len(attr) == 1)
			ours = mnl_attr_get_u8(attr) == BACKEND_IFA_PROTO;
		else if (mnl_attr_get_type(attr) == IFA_LOCAL ||
			 (mnl_attr_get_type(attr) == IFA_ADDRESS && !local))
			local = attr;
	}
	if (!ours || !local ||
	    mnl_attr_get_payload_len(local) != (ifa->ifa_family == AF_INET ? 4 : 16))
		return MNL_CB_OK;
	if (set->n == set->cap) {
		grown = realloc(set->addrs, (set->cap + 16) * sizeof(*grown));
		if (!grown) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		set->addrs = grown;
		set->cap += 16;
	}
	a = &set->addrs[set->n++];
	memset(a, 0, sizeof(*a));
	a->family = ifa->ifa_family == AF_INET ? LB_AF_INET : LB_AF_INET6;
	memcpy(a->addr, mnl_attr_get_payload(local), mnl_attr_get_payload_len(local));
	return MNL_CB_OK;
}

static bool backend_is_vip(const struct lb_config *cfg, const struct xaddr *a)
{
	size_t i;

	for (i = 0; cfg && i < cfg->n_vips; i++) {
		if (cfg->vips[i].addr.family == a->family &&
		    !memcmp(cfg->vips[i].addr.addr, a->addr, sizeof(a->addr)))
			return true;
	}
	return false;
}

/* Deletes the addresses we stamped on lo that are not VIPs of keep (NULL: all of them). */
static int backend_prune_vips(struct mnl_socket *nl, uint32_t lo, const struct lb_config *keep)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], s[INET6_ADDRSTRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct addr_set set = {.ifindex = lo};
	struct ifaddrmsg *ifa;
	int err, first = 0;
	size_t i;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	err = rtnl_talk(nl, nlh, backend_ours_cb, &set);
	for (i = 0; !err && i < set.n; i++) {
		if (backend_is_vip(keep, &set.addrs[i]))
			continue;
		err = backend_change_addr(nl, RTM_DELADDR, lo, &set.addrs[i]);
		if (err == -EADDRNOTAVAIL || err == -ENOENT)
			err = 0;
		if (err) {
			log_warnx("backend_mode: removing old VIP %s from lo: %s",
				  backend_fmt_addr(&set.addrs[i], s, sizeof(s)), strerror(-err));
			first = first ? first : err;
			err = 0;
		}
	}
	free(set.addrs);
	return err ? err : first;
}

static int backend_add_vips(const struct lb_config *cfg)
{
	char s[INET6_ADDRSTRLEN];
	struct mnl_socket *nl;
	uint32_t lo;
	size_t i;
	int err;

	err = nexthop_ifindex("lo", &lo, NULL);
	if (err) {
		log_warnx("backend_mode_apply: lo: %s", strerror(-err));
		return err;
	}
	nl = rtnl_open();
	if (!nl)
		return -errno;
	/* A fresh network namespace has lo down, and nothing is delivered locally then. */
	err = backend_set_lo_up(nl, lo);
	if (err) {
		log_warnx("backend_mode_apply: bringing lo up: %s", strerror(-err));
		goto cleanup;
	}
	for (i = 0; i < cfg->n_vips; i++) {
		err = backend_change_addr(nl, RTM_NEWADDR, lo, &cfg->vips[i].addr);
		if (err) {
			log_warnx("backend_mode_apply: adding VIP %s to lo: %s",
				  backend_fmt_addr(&cfg->vips[i].addr, s, sizeof(s)),
				  strerror(-err));
			goto cleanup;
		}
	}
	/* VIPs of an earlier config that this one dropped (reload, restart with a new file). */
	err = backend_prune_vips(nl, lo, cfg);
cleanup:
	mnl_socket_close(nl);
	return err;
}

static int backend_del_vips(const struct lb_config *cfg)
{
	char s[INET6_ADDRSTRLEN];
	struct mnl_socket *nl;
	int err, first = 0;
	uint32_t lo;
	size_t i;

	err = nexthop_ifindex("lo", &lo, NULL);
	if (err)
		return err;
	nl = rtnl_open();
	if (!nl)
		return -errno;
	first = backend_prune_vips(nl, lo, NULL);
	/* By name as well: kernels before 6.3 keep no address protocol to find ours by. */
	for (i = 0; i < cfg->n_vips; i++) {
		err = backend_change_addr(nl, RTM_DELADDR, lo, &cfg->vips[i].addr);
		/* Already gone (never added, or a second VIP on the same address). */
		if (err == -EADDRNOTAVAIL || err == -ENOENT)
			continue;
		if (err) {
			log_warnx("backend_mode_remove: removing VIP %s from lo: %s",
				  backend_fmt_addr(&cfg->vips[i].addr, s, sizeof(s)),
				  strerror(-err));
			first = first ? first : err;
		}
	}
	mnl_socket_close(nl);
	return first;
}

/* --- sysctls -------------------------------------------------------------------------------- */

static int backend_sysctl_path(char *path, size_t len, const char *dev, const char *name)
{
	int n = snprintf(path, len, "/proc/sys/net/ipv4/conf/%s/%s", dev, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Network sysctls resolve to the namespace of whoever opens them: this one's. */
static int backend_sysctl_read(const char *dev, const char *name, int *value)
{
	char path[PATH_MAX];
	int err = backend_sysctl_path(path, sizeof(path), dev, name);

	return err ? err : backend_sysctl_read_file(path, value);
}

static int backend_sysctl_write(const char *dev, const char *name, int value)
{
	char path[PATH_MAX], text[16];
	int fd, err = 0, n;

	err = backend_sysctl_path(path, sizeof(path), dev, name);
	if (err)
		return err;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(text, sizeof(text), "%d\n", value);
	if (write(fd, text, n) != n)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Raises dev/name to at least min (the kernel applies max(all, dev) for these), or for
 * rp_filter turns strict (1) into loose (2) and leaves off (0) and loose alone.
 */
static int backend_sysctl_raise(const char *dev, const char *name, int min)
{
	bool rp = !strcmp(name, "rp_filter");
	int cur, want, err;

	err = backend_sysctl_read(dev, name, &cur);
	if (!err) {
		want = rp ? (cur == 1 ? 2 : cur) : (cur < min ? min : cur);
		if (want != cur)
			err = backend_sysctl_write(dev, name, want);
	}
	if (err)
		log_warnx("backend_mode_apply: net.ipv4.conf.%s.%s: %s", dev, name, strerror(-err));
	return err;
}

static int backend_set_sysctls(const struct lb_config *cfg)
{
	const char *iface = cfg->node.interface;
	int err;

	err = backend_sysctl_raise("all", "rp_filter", 0);
	if (!err)
		err = backend_sysctl_raise("lo", "rp_filter", 0);
	if (!err)
		err = backend_sysctl_raise(iface, "rp_filter", 0);
	if (!err)
		err = backend_sysctl_raise("all", "arp_ignore", 1);
	if (!err)
		err = backend_sysctl_raise(iface, "arp_ignore", 1);
	if (!err)
		err = backend_sysctl_raise("all", "arp_announce", 2);
	if (!err)
		err = backend_sysctl_raise(iface, "arp_announce", 2);
	return err;
}

/* --- decap program -------------------------------------------------------------------------- */

static int backend_pin_path(char *path, size_t len, const char *dir, const char *name)
{
	int n = snprintf(path, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int backend_pin_dir(const struct lb_config *cfg, char *dir, size_t len)
{
	int n;

	if (!cfg->node.bpffs_dir[0])
		return -EINVAL;
	n = snprintf(dir, len, "%s/%s", cfg->node.bpffs_dir, DECAP_PIN_SUBDIR);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int backend_mkdir_bpffs(const char *bpffs_dir, const char *dir)
{
	struct statfs st;

	if (mkdir(bpffs_dir, 0700) && errno != EEXIST)
		return -errno;
	if (statfs(bpffs_dir, &st))
		return -errno;
	if (st.f_type != BPF_FS_MAGIC) {
		log_warnx("backend_mode_apply: %s is not on a bpf filesystem "
			  "(mount -t bpf bpf /sys/fs/bpf)",
			  bpffs_dir);
		return -ENOTSUP;
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static void backend_unpin_maps(const char *dir)
{
	static const char *const names[] = {"decap_addrs", "decap_settings", "lb_stats",
					    "lb_drops", "decap_stats", "lb_sc_stats"};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!backend_pin_path(path, sizeof(path), dir, names[i]))
			unlink(path);
	}
}

static struct decap *backend_open_decap(const char *dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	struct decap *skel;
	int err;

	skel = decap__open();
	if (!skel)
		return NULL;
	/* Pinned maps are reused on load (counters and addresses survive), new ones pinned. */
	bpf_object__for_each_map (map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = backend_pin_path(path, sizeof(path), dir, bpf_map__name(map));
		if (!err)
			err = bpf_map__set_pin_path(map, path);
		if (err) {
			decap__destroy(skel);
			errno = -err;
			return NULL;
		}
	}
	return skel;
}

/* Opens and loads decap with its maps pinned in dir; NULL + errno. */
static struct decap *backend_load_decap(const char *dir)
{
	struct decap *skel;
	int err;

	skel = backend_open_decap(dir);
	if (!skel)
		return NULL;
	err = decap__load(skel);
	if (!err)
		return skel;
	decap__destroy(skel);
	/*
	 * Maps pinned by an older version whose layout differs cannot be reused: start over with
	 * fresh ones. The attached program keeps its old maps until the link switches programs.
	 */
	log_info("backend_mode_apply: pinned decap maps not reusable (%s), replacing them",
		 strerror(-err));
	backend_unpin_maps(dir);
	skel = backend_open_decap(dir);
	if (!skel)
		return NULL;
	err = decap__load(skel);
	if (err) {
		decap__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

static bool backend_key_wanted(const struct lb_backend_key *k, const struct xaddr *addrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (addrs[i].family == k->family &&
		    !memcmp(addrs[i].addr, k->addr, sizeof(k->addr)))
			return true;
	}
	return false;
}

/* Makes decap_addrs hold exactly addrs: stale ones out first, then the wanted ones in. */
static int backend_fill_addrs(int fd, const struct xaddr *addrs, size_t n)
{
	struct lb_backend_key stale[DECAP_ADDRS_MAX], key, next;
	size_t n_stale = 0, i;
	uint8_t one = 1;
	void *prev = NULL;

	while (n_stale < DECAP_ADDRS_MAX && !bpf_map_get_next_key(fd, prev, &next)) {
		if (!backend_key_wanted(&next, addrs, n))
			stale[n_stale++] = next;
		key = next;
		prev = &key;
	}
	for (i = 0; i < n_stale; i++) {
		if (bpf_map_delete_elem(fd, &stale[i]) && errno != ENOENT)
			return -errno;
	}
	for (i = 0; i < n; i++) {
		memset(&key, 0, sizeof(key));
		key.family = addrs[i].family;
		memcpy(key.addr, addrs[i].addr, sizeof(key.addr));
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int backend_fill_maps(const struct lb_config *cfg, struct decap *skel, uint32_t ifindex,
			     uint16_t gue_port)
{
	struct xaddr addrs[DECAP_ADDRS_MAX];
	const struct xaddr *use = cfg->node.addresses;
	size_t n = cfg->node.n_addresses;
	uint16_t port_be = htons(gue_port);
	uint32_t zero = 0;
	int ret;

	if (!n) {
		ret = nexthop_ifaddrs(ifindex, addrs, DECAP_ADDRS_MAX);
		if (ret < 0)
			return ret;
		if (!ret) {
			log_warnx("backend_mode_apply: %s has no global address and node.addresses "
				  "is empty: nothing to decapsulate",
				  cfg->node.interface);
			return -EADDRNOTAVAIL;
		}
		use = addrs;
		n = ret;
	}
	ret = backend_fill_addrs(bpf_map__fd(skel->maps.decap_addrs), use, n);
	if (ret)
		return ret;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_settings), &zero, &port_be, BPF_ANY))
		return -errno;
	return 0;
}

static int backend_create_link(int prog_fd, uint32_t ifindex, const struct lb_config *cfg)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd;

	opts.flags =
	    cfg->node.xdp_mode == CFG_XDP_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (fd >= 0 || cfg->node.xdp_mode != CFG_XDP_AUTO ||
	    (errno != EOPNOTSUPP && errno != EINVAL && errno != ENOTSUP))
		return fd < 0 ? -errno : fd;
	log_warnx("backend_mode_apply: %s: no native XDP (%s), using generic XDP",
		  cfg->node.interface, strerror(errno));
	opts.flags = XDP_FLAGS_SKB_MODE;
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	return fd < 0 ? -errno : fd;
}

/* Whether what is attached on ifindex runs in the mode the config asks for (auto: any). */
static bool backend_mode_matches(const struct lb_config *cfg, uint32_t ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (cfg->node.xdp_mode == CFG_XDP_AUTO || bpf_xdp_query(ifindex, 0, &q))
		return true;
	return q.attach_mode ==
	       (cfg->node.xdp_mode == CFG_XDP_NATIVE ? XDP_ATTACHED_DRV : XDP_ATTACHED_SKB);
}

/*
 * The pinned link's fd if it is an XDP link on ifindex in the configured mode; otherwise
 * detaches and unpins it and returns -ENOENT, as when there is none.
 */
static int backend_adopt_link(const char *path, uint32_t ifindex, const struct lb_config *cfg)
{
	struct bpf_link_info info;
	uint32_t len = sizeof(info);
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP &&
	    info.xdp.ifindex == ifindex && backend_mode_matches(cfg, ifindex))
		return fd;
	/* Another interface or XDP mode in the config, or its device is gone: start over. */
	log_info("backend_mode_apply: pinned decap link does not match %s, re-attaching",
		 cfg->node.interface);
	bpf_link_detach(fd);
	close(fd);
	unlink(path);
	return -ENOENT;
}

static int backend_attach_decap(const struct lb_config *cfg, uint32_t ifindex, uint16_t gue_port)
{
	char dir[PATH_MAX], link_path[PATH_MAX], prog_path[PATH_MAX];
	struct decap *skel = NULL;
	int link_fd = -1, prog_fd, err;

	err = backend_pin_dir(cfg, dir, sizeof(dir));
	if (!err)
		err = backend_pin_path(link_path, sizeof(link_path), dir, DECAP_PIN_LINK);
	if (!err)
		err = backend_pin_path(prog_path, sizeof(prog_path), dir, DECAP_PIN_PROG);
	if (!err)
		err = backend_mkdir_bpffs(cfg->node.bpffs_dir, dir);
	if (err)
		goto cleanup;
	skel = backend_load_decap(dir);
	if (!skel) {
		err = -errno;
		log_warnx("backend_mode_apply: loading decap: %s", strerror(errno));
		goto cleanup;
	}
	/* Maps first: the program that the link runs from now on must find them filled. */
	err = backend_fill_maps(cfg, skel, ifindex, gue_port);
	if (err) {
		log_warnx("backend_mode_apply: filling decap maps: %s", strerror(-err));
		goto cleanup;
	}
	prog_fd = bpf_program__fd(skel->progs.xdp_decap);
	link_fd = backend_adopt_link(link_path, ifindex, cfg);
	if (link_fd < 0 && link_fd != -ENOENT) {
		err = link_fd;
		log_warnx("backend_mode_apply: opening %s: %s", link_path, strerror(-err));
		goto cleanup;
	}
	if (link_fd >= 0) {
		if (bpf_link_update(link_fd, prog_fd, NULL)) {
			err = -errno;
			log_warnx("backend_mode_apply: replacing the decap program: %s",
				  strerror(errno));
			goto cleanup;
		}
	} else {
		link_fd = backend_create_link(prog_fd, ifindex, cfg);
		if (link_fd < 0) {
			err = link_fd;
			log_warnx("backend_mode_apply: attaching decap to %s: %s",
				  cfg->node.interface, strerror(-err));
			goto cleanup;
		}
		if (bpf_obj_pin(link_fd, link_path)) {
			err = -errno;
			log_warnx("backend_mode_apply: pinning %s: %s", link_path, strerror(errno));
			bpf_link_detach(link_fd);
			goto cleanup;
		}
	}
	unlink(prog_path);
	err = bpf_program__pin(skel->progs.xdp_decap, prog_path);
	if (err)
		log_warnx("backend_mode_apply: pinning %s: %s", prog_path, strerror(-err));
cleanup:
	if (link_fd >= 0)
		close(link_fd);
	decap__destroy(skel);
	return err;
}

/* Detaches the pinned link at once (an unpinned link only goes when its last fd closes). */
static int backend_detach_decap(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int fd, err = 0;
	DIR *d;

	err = backend_pin_path(path, sizeof(path), dir, DECAP_PIN_LINK);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (bpf_link_detach(fd))
			err = -errno;
		close(fd);
	}
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? err : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' && unlinkat(dirfd(d), de->d_name, 0) && !err)
			err = -errno;
	}
	closedir(d);
	if (rmdir(dir) && !err)
		err = -errno;
	return err;
}

/* The interface that holds one of node.addresses (the first that one holds): tunnels arrive there.
 */
static int backend_find_interface(const struct lb_config *cfg, char *ifname, size_t len)
{
	char s[INET6_ADDRSTRLEN];
	struct ifaddrs *ifs, *ifa;
	struct xaddr x;
	size_t i;
	int err = -ENODEV;

	if (getifaddrs(&ifs))
		return -errno;
	for (i = 0; i < cfg->node.n_addresses && err == -ENODEV; i++) {
		for (ifa = ifs; ifa; ifa = ifa->ifa_next) {
			memset(&x, 0, sizeof(x));
			if (!ifa->ifa_addr || (ifa->ifa_addr->sa_family != AF_INET &&
					       ifa->ifa_addr->sa_family != AF_INET6))
				continue;
			x.family = ifa->ifa_addr->sa_family == AF_INET ? LB_AF_INET : LB_AF_INET6;
			if (x.family == LB_AF_INET)
				memcpy(x.addr, &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, 4);
			else
				memcpy(x.addr, &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr,
				       16);
			if (x.family != cfg->node.addresses[i].family ||
			    memcmp(x.addr, cfg->node.addresses[i].addr, sizeof(x.addr)))
				continue;
			snprintf(ifname, len, "%s", ifa->ifa_name);
			err = 0;
			break;
		}
	}
	freeifaddrs(ifs);
	if (err) {
		log_warnx("backend_mode_apply: no interface holds %s (node.addresses): set "
			  "node.interface to where the tunnelled packets arrive",
			  backend_fmt_addr(&cfg->node.addresses[0], s, sizeof(s)));
		return err;
	}
	if (!strcmp(ifname, "lo")) {
		log_warnx("backend_mode_apply: node.addresses are on lo, where no tunnelled packet "
			  "arrives: set node.interface");
		return -EINVAL;
	}
	return 0;
}

/* Said at start and at each reload, so a forgotten sysctl shows up in the log. */
static void backend_warn_forwarding(const struct lb_config *cfg)
{
	const char *iface = cfg->node.interface;
	char sysctl[64 + IF_NAMESIZE];
	bool unused;
	int ret = backend_forwarding_check(BACKEND_SYSCTL_ROOT, cfg, iface, &unused, sysctl,
					   sizeof(sysctl));

	if (ret < 0)
		log_warnx("backend_mode_apply: forwarding on %s: %s", iface, strerror(-ret));
	else if (ret)
		log_warnx("backend_mode_apply: %s is 0: second chance packets for another backend "
			  "stay here (counted no_route); set it to 1 to hand them on "
			  "(docs/SECOND_CHANCE.md)",
			  sysctl);
}

int backend_mode_apply(const struct lb_config *cfg)
{
	struct lb_config found;
	uint16_t gue_port;
	uint32_t ifindex;
	int err;

	if (!cfg || cfg->node.role == CFG_ROLE_BALANCER)
		return -EINVAL;
	/* No node.interface: the one that holds the node's tunnel addresses (docs/CONFIG.md). */
	if (!cfg->node.interface[0]) {
		found = *cfg;
		err =
		    backend_find_interface(cfg, found.node.interface, sizeof(found.node.interface));
		if (err)
			return err;
		cfg = &found;
	}
	err = backend_pick_gue_port(cfg, &gue_port);
	if (err)
		return err;
	err = nexthop_ifindex(cfg->node.interface, &ifindex, NULL);
	if (err) {
		log_warnx("backend_mode_apply: interface %s: %s", cfg->node.interface,
			  strerror(-err));
		return err;
	}
	err = backend_add_vips(cfg);
	if (err)
		return err;
	err = backend_set_sysctls(cfg);
	if (err)
		return err;
	err = backend_attach_decap(cfg, ifindex, gue_port);
	if (err)
		return err;
	backend_warn_forwarding(cfg);
	if (gue_port)
		log_info("backend mode on %s: VIP addresses on lo, decap attached, GUE port %u",
			 cfg->node.interface, gue_port);
	else
		log_info("backend mode on %s: VIP addresses on lo, decap attached, no GUE",
			 cfg->node.interface);
	return 0;
}

bool backend_mode_pinned(const struct lb_config *cfg)
{
	char dir[PATH_MAX], path[PATH_MAX];

	return !backend_pin_dir(cfg, dir, sizeof(dir)) &&
	       !backend_pin_path(path, sizeof(path), dir, DECAP_PIN_LINK) && !access(path, F_OK);
}

int backend_mode_remove(const struct lb_config *cfg)
{
	char dir[PATH_MAX] = "";
	int err, first;

	if (!cfg)
		return -EINVAL;
	first = backend_del_vips(cfg);
	err = backend_pin_dir(cfg, dir, sizeof(dir));
	if (!err)
		err = backend_detach_decap(dir);
	if (err)
		log_warnx("backend_mode_remove: removing decap pins in %s: %s", dir,
			  strerror(-err));
	return first ? first : err;
}
