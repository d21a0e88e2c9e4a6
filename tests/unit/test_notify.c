// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sd_notify's datagram reaches $NOTIFY_SOCKET, by path or abstract name; unset is a no-op. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <criterion/criterion.h>

#include "core/notify.h"

/* A datagram socket bound at name (path, or @abstract) as systemd would hold it. */
static int notify_listener(const char *name)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun,
			  offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/')),
		     0, "bind %s: %s", name, strerror(errno));
	return fd;
}

static void notify_expect(int fd, const char *want)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	cr_assert_geq(n, 0, "nothing received: %s", strerror(errno));
	buf[n] = '\0';
	cr_expect_str_eq(buf, want);
}

Test(notify, ready_reaches_a_path_socket)
{
	char dir[] = "/tmp/xdplb-notify-XXXXXX", path[64];
	int fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = notify_listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	cr_expect_eq(notify_send("READY=1\nSTATUS=serving"), 0);
	notify_expect(fd, "READY=1\nSTATUS=serving");
	close(fd);
	unlink(path);
	rmdir(dir);
}

Test(notify, ready_reaches_an_abstract_socket)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@xdplb-notify-test-%d", getpid());
	fd = notify_listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	cr_expect_eq(notify_send("STOPPING=1"), 0);
	notify_expect(fd, "STOPPING=1");
	close(fd);
}

Test(notify, unset_socket_is_not_an_error)
{
	unsetenv("NOTIFY_SOCKET");
	cr_expect_eq(notify_send("READY=1"), 0);
}

Test(notify, relative_path_is_refused)
{
	setenv("NOTIFY_SOCKET", "relative/notify", 1);
	cr_expect_eq(notify_send("READY=1"), -EINVAL);
}
