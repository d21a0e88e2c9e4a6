/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A test that cannot run here says so; under CI=true that is a failure, as for a tier. */
#ifndef XDPLB_TESTS_UNIT_SKIP_H
#define XDPLB_TESTS_UNIT_SKIP_H

#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

static inline int xlb_under_ci(void)
{
	const char *ci = getenv("CI");

	return ci && !strcmp(ci, "true");
}

/* Skips the test, or fails it under CI=true: a missing install step must not pass unseen. */
#define XLB_SKIP(...)                                                                              \
	do {                                                                                       \
		if (xlb_under_ci())                                                                \
			cr_assert_fail("cannot run under CI=true: " __VA_ARGS__);                  \
		cr_skip_test(__VA_ARGS__);                                                         \
	} while (0)

#endif /* XDPLB_TESTS_UNIT_SKIP_H */
