// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The log module: how values are shown in messages, and the priorities journald reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "common/log.h"

Test(log, cut_shows_short_values_whole)
{
	cr_assert_str_eq(log_cut(""), "");
	cr_assert_str_eq(log_cut("eth0"), "eth0");
	/* Up to 8 over the cut: "..." would hide next to nothing. */
	cr_assert_str_eq(log_cut("0123456789012345678901234567890123456789"),
			 "0123456789012345678901234567890123456789");
}

Test(log, cut_keeps_the_first_32_characters_of_a_long_value)
{
	cr_assert_str_eq(log_cut("01234567890123456789012345678901234567890"),
			 "01234567890123456789012345678901...");
}

Test(log, cut_keeps_a_message_on_one_line)
{
	cr_assert_str_eq(log_cut("a\nb\tc\033[31m"), "a?b?c?[31m");
}

Test(log, cut_values_of_one_message_do_not_overwrite_each_other)
{
	const char *a = log_cut("first"), *b = log_cut("second"), *c = log_cut("third"),
		   *d = log_cut("fourth");

	cr_assert_str_eq(a, "first");
	cr_assert_str_eq(b, "second");
	cr_assert_str_eq(c, "third");
	cr_assert_str_eq(d, "fourth");
}

/* $JOURNAL_STREAM of fd: its device and inode, as systemd writes them. */
static void log_stream_of(int fd, char *buf, size_t len)
{
	struct stat st;

	cr_assert_eq(fstat(fd, &st), 0);
	snprintf(buf, len, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
}

Test(log, journal_is_the_stream_journal_stream_names)
{
	char name[] = "/tmp/xdplb-log-XXXXXX", other[] = "/tmp/xdplb-log-XXXXXX", env[64], bad[80];
	int fd = mkstemp(name), fd2 = mkstemp(other);

	cr_assert(fd >= 0 && fd2 >= 0);
	log_stream_of(fd, env, sizeof(env));
	cr_assert(log_stream_is_journal(env, fd));
	cr_assert_not(log_stream_is_journal(env, fd2), "another file is not the journal");
	cr_assert_not(log_stream_is_journal(NULL, fd), "no JOURNAL_STREAM: a terminal or a file");
	cr_assert_not(log_stream_is_journal("", fd));
	cr_assert_not(log_stream_is_journal("garbage", fd));
	snprintf(bad, sizeof(bad), "%sx", env);
	cr_assert_not(log_stream_is_journal(bad, fd), "trailing bytes: not systemd's format");
	close(fd);
	close(fd2);
	unlink(name);
	unlink(other);
}

Test(log, lines_carry_the_syslog_priority_only_for_the_journal, .init = cr_redirect_stderr)
{
	char env[64];

	log_stream_of(STDERR_FILENO, env, sizeof(env));
	setenv("JOURNAL_STREAM", env, 1);
	log_init("t", LOG_LVL_DEBUG);
	log_msg(LOG_LVL_ERR, "e");
	log_warnx("w");
	log_info("i");
	log_debug("d");
	unsetenv("JOURNAL_STREAM");
	log_init("t", LOG_LVL_DEBUG);
	log_warnx("plain");
	fflush(stderr);
	cr_assert_stderr_eq_str("<3>t: error: e\n<4>t: warning: w\n<6>t: info: i\n<7>t: debug: d\n"
				"t: warning: plain\n");
}

Test(log, debug_lines_only_at_debug_level, .init = cr_redirect_stderr)
{
	unsetenv("JOURNAL_STREAM");
	log_init("t", LOG_LVL_INFO);
	log_debug("hidden");
	log_info("shown");
	fflush(stderr);
	cr_assert_stderr_eq_str("t: info: shown\n");
}
