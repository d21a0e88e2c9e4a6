// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The log module: how values are shown in messages. */
#include <string.h>
#include <criterion/criterion.h>

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
