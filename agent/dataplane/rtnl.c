// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Request/reply over rtnetlink with libmnl. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "dataplane/rtnl.h"

struct mnl_socket *rtnl_open(void)
{
	struct mnl_socket *nl;
	int saved;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		saved = errno;
		mnl_socket_close(nl);
		errno = saved;
		return NULL;
	}
	return nl;
}

int rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static unsigned int seq;
	unsigned int portid = mnl_socket_get_portid(nl);
	char *buf;
	ssize_t n;
	int ret, err = 0;

	if (!seq)
		seq = (unsigned int)time(NULL);
	/* An ACK ends every non-dump request, so a doit reply never leaves us blocked in recv. */
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	buf = malloc(RTNL_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto cleanup;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, RTNL_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto cleanup;
		}
		errno = 0;
		ret = mnl_cb_run(buf, n, nlh->nlmsg_seq, portid, cb, data);
		if (ret < 0) {
			err = errno ? -errno : -EIO;
			goto cleanup;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
cleanup:
	free(buf);
	return err;
}
