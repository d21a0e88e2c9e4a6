/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Request/reply over rtnetlink with libmnl: the plumbing under nexthop.c and backend_mode.c. */
#ifndef XDPLB_RTNL_H
#define XDPLB_RTNL_H

#include <libmnl/libmnl.h>

/* Reply buffer large enough for one datagram of a dump (the kernel's 32 KiB cap). */
#define RTNL_BUF_SIZE 32768

/* A blocking NETLINK_ROUTE socket bound to an automatic port id; NULL + errno. */
struct mnl_socket *rtnl_open(void);

/*
 * Sends nlh (sequence number and NLM_F_ACK set here) and runs cb (may be NULL) over every
 * reply until the kernel's ACK or NLMSG_DONE. Returns 0, the kernel's -errno, or the -errno
 * of a callback that returned MNL_CB_ERROR with errno set.
 */
int rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif /* XDPLB_RTNL_H */
