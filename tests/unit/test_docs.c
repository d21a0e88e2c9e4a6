// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What the docs say of the build is what the build does: the test tiers `make test` runs
 * (TEST_TIERS in the Makefile) are the ones `make help` and README.md's "Tests" list.
 * Run from the top of the source tree, as `make test-unit` does.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#define TIERS_MAX 512

/* The words of "TEST_TIERS := unit asan ..." in the Makefile, space separated. */
static void makefile_tiers(char *out, size_t len)
{
	char line[512];
	FILE *f = fopen("Makefile", "r");

	cr_assert_not_null(f, "run from the source tree: no Makefile here");
	out[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "TEST_TIERS := ", 14)) {
			snprintf(out, len, "%s", line + 14);
			out[strcspn(out, "\n")] = '\0';
		}
	fclose(f);
	cr_assert(out[0], "the Makefile has no TEST_TIERS := line");
}

/* Appends word to a space-separated list. */
static void list_add(char *list, size_t len, const char *word, size_t wlen)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%.*s", used ? " " : "", (int)wlen, word);
}

/* The tiers of README.md's "## Tests" bullets: "- `make test-unit`: ...". */
static void readme_tiers(char *out, size_t len)
{
	char line[1024];
	bool in_tests = false;
	FILE *f = fopen("README.md", "r");

	cr_assert_not_null(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3))
			in_tests = !strcmp(line, "## Tests\n");
		if (in_tests && !strncmp(line, "- `make test-", 13))
			list_add(out, len, line + 13, strcspn(line + 13, "`"));
	}
	fclose(f);
}

/* `make help`: the tiers named by its "make test-X" lines, and its "make test" line. */
static void help_tiers(char *tiers, size_t len, char *test_line, size_t tlen)
{
	char line[512];
	FILE *p = popen("make -s --no-print-directory help", "r");

	cr_assert_not_null(p);
	tiers[0] = test_line[0] = '\0';
	while (fgets(line, sizeof(line), p)) {
		const char *t = strstr(line, "make test-");

		if (t)
			list_add(tiers, len, t + 10, strcspn(t + 10, " "));
		else if (strstr(line, "make test "))
			snprintf(test_line, tlen, "%s", line);
	}
	cr_assert_eq(pclose(p), 0, "make help failed");
}

Test(docs, readme_and_make_help_list_the_tiers_make_test_runs)
{
	char tiers[TIERS_MAX], readme[TIERS_MAX], help[TIERS_MAX], test_line[512];

	makefile_tiers(tiers, sizeof(tiers));
	readme_tiers(readme, sizeof(readme));
	cr_expect_str_eq(readme, tiers, "README.md's Tests list \"%s\", make test runs \"%s\"",
			 readme, tiers);
	help_tiers(help, sizeof(help), test_line, sizeof(test_line));
	cr_expect_str_eq(help, tiers, "make help lists \"%s\", make test runs \"%s\"", help, tiers);
	cr_expect(strstr(test_line, tiers), "make help's make test line: %s (tiers %s)", test_line,
		  tiers);
}
