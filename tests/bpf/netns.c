// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Two network namespaces joined by a veth pair: see netns.h. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "netns.h"

int netns_sh(const char *fmt, ...)
{
	char cmd[768];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

void netns_pair_create(struct netns_pair *p, const char *prefix, const char *if_a, const char *if_b)
{
	snprintf(p->a, sizeof(p->a), "%s-a-%d", prefix, getpid());
	snprintf(p->b, sizeof(p->b), "%s-b-%d", prefix, getpid());
	cr_assert_eq(netns_sh("ip netns add %s && ip netns add %s", p->a, p->b), 0,
		     "creating namespaces %s and %s", p->a, p->b);
	/* No DAD: a tentative link-local source would hold IPv6 (multicast) back for seconds. */
	cr_assert_eq(netns_sh("ip netns exec %s sysctl -qw net.ipv6.conf.default.accept_dad=0 && "
			      "ip netns exec %s sysctl -qw net.ipv6.conf.default.accept_dad=0",
			      p->a, p->b),
		     0);
	cr_assert_eq(netns_sh("ip -n %s link add %s type veth peer name %s netns %s", p->a, if_a,
			      if_b, p->b),
		     0, "creating the veth pair %s/%s", if_a, if_b);
}

void netns_pair_delete(struct netns_pair *p)
{
	if (p->a[0])
		netns_sh("ip netns del %s 2>/dev/null", p->a);
	if (p->b[0])
		netns_sh("ip netns del %s 2>/dev/null", p->b);
}

int netns_open(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "open %s: %m", path);
	return fd;
}

void netns_enter(const char *name)
{
	int fd = netns_open(name);

	cr_assert_eq(setns(fd, CLONE_NEWNET), 0, "setns %s: %m", name);
	close(fd);
}

void netns_bpffs_ensure(void)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC)
		cr_assert_eq(mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL), 0, "mount bpffs: %m");
}
