// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HAProxy as a program: its config check, its master process started in master-worker
 * mode, and its CLI, plain text over a unix socket (management.txt, "Master CLI").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "common/clock.h"
#include "common/spawn.h"
#include "proxy/haproxy_ctl.h"

extern char **environ;

int haproxy_cli(const char *sock, const char *cmd, char *reply, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = HAPROXY_CLI_TIMEOUT_MS / 1000,
			     .tv_usec = HAPROXY_CLI_TIMEOUT_MS % 1000 * 1000};
	size_t got = 0, cmdlen = strlen(cmd);
	char line[1024];
	ssize_t n;
	int fd, err = 0;

	if (strlen(sock) >= sizeof(sa.sun_path) || cmdlen + 2 > sizeof(line))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		goto cleanup;
	}
	memcpy(line, cmd, cmdlen);
	line[cmdlen] = '\n';
	if (send(fd, line, cmdlen + 1, MSG_NOSIGNAL) != (ssize_t)(cmdlen + 1)) {
		err = errno ? -errno : -EIO;
		goto cleanup;
	}
	/* The master CLI answers and closes once the client has said it is done. */
	shutdown(fd, SHUT_WR);
	/* Read to the end whatever fits: HAProxy closes once it has said everything. */
	for (;;) {
		bool room = got + 1 < len;

		n = read(fd, room ? reply + got : line, room ? len - 1 - got : sizeof(line));
		if (n < 0) {
			err = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		if (!n)
			break;
		if (room)
			got += n;
	}
cleanup:
	if (len)
		reply[got] = '\0';
	close(fd);
	return err;
}

/* The first line of out that says why HAProxy refused the file. */
static void haproxy_first_alert(const char *out, char *err, size_t errlen)
{
	const char *line = strstr(out, "[ALERT]");
	const char *end;

	if (!line)
		line = out;
	end = strchr(line, '\n');
	snprintf(err, errlen, "%.*s", (int)(end ? end - line : (long)strlen(line)), line);
}

int haproxy_check_file(const char *bin, const char *file, char *err, size_t errlen)
{
	char *argv[] = {(char *)bin, "-c", "-f", (char *)file, NULL};
	uint64_t deadline = clock_now_ms() + HAPROXY_CHECK_TIMEOUT_MS;
	char out[4096];
	size_t got = 0;
	int fds[2], status = 0, ret;
	struct pollfd pfd;
	pid_t pid;
	ssize_t n;

	if (access(bin, X_OK)) {
		snprintf(err, errlen, "%s: %s", bin, strerror(errno));
		return -ENOENT;
	}
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	ret = spawn_clean(&pid, argv, environ, fds[1]);
	close(fds[1]);
	if (ret) {
		close(fds[0]);
		snprintf(err, errlen, "%s: %s", bin, strerror(-ret));
		return ret;
	}
	pfd = (struct pollfd){.fd = fds[0], .events = POLLIN};
	while (clock_now_ms() < deadline && poll(&pfd, 1, (int)(deadline - clock_now_ms())) > 0) {
		n = read(fds[0], out + got, sizeof(out) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		if (got == sizeof(out) - 1)
			break;
	}
	out[got] = '\0';
	close(fds[0]);
	if (clock_now_ms() >= deadline)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (got)
		haproxy_first_alert(out, err, errlen);
	else
		snprintf(err, errlen, "%s -c: %s %d, no output", bin,
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -EINVAL;
}

int haproxy_spawn(const char *bin, const char *file, const char *master_sock, const char *pid_file,
		  pid_t *pid, int *pidfd)
{
	char *argv[] = {(char *)bin,	  "-W", "-S", (char *)master_sock, "-f", (char *)file, "-p",
			(char *)pid_file, NULL};
	int err;

	err = spawn_clean(pid, argv, environ, SPAWN_OUT_INHERIT);
	if (err)
		return err;
	*pidfd = pidfd_open(*pid, 0);
	if (*pidfd < 0) {
		err = -errno;
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
		return err;
	}
	return 0;
}

pid_t haproxy_running_master(const char *pid_file)
{
	char path[64], exe[256];
	long pid = 0;
	ssize_t n;
	FILE *f;

	f = fopen(pid_file, "re");
	if (!f)
		return 0;
	/* In master-worker mode the file holds the master's pid. */
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(f);
	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return strstr(exe, "haproxy") ? (pid_t)pid : 0;
}
