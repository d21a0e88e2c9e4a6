/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Two network namespaces joined by a veth pair, for the tests that need a real network. */
#ifndef XDPLB_TESTS_NETNS_H
#define XDPLB_TESTS_NETNS_H

#define NETNS_NAME_MAX 32

struct netns_pair {
	char a[NETNS_NAME_MAX], b[NETNS_NAME_MAX];
};

/* Runs a shell command; its exit status, or -1. */
int netns_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Namespaces PREFIX-a-PID and PREFIX-b-PID with a veth if_a (in a) to if_b
 * (in b), both down and without addresses, IPv6 duplicate address detection
 * off. Asserts on failure.
 */
void netns_pair_create(struct netns_pair *p, const char *prefix, const char *if_a,
		       const char *if_b);

/* Deletes what netns_pair_create made (safe on a pair never created). */
void netns_pair_delete(struct netns_pair *p);

/* An fd of the named namespace; asserts on failure. */
int netns_open(const char *name);

/* Moves this thread into the named namespace; asserts on failure. */
void netns_enter(const char *name);

/* Mounts bpffs on /sys/fs/bpf when something else is there; asserts on failure. */
void netns_bpffs_ensure(void);

#endif /* XDPLB_TESTS_NETNS_H */
