// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Maglev table build time (agent/dataplane/maglev.c) for 10, 100 and 1000 backends at
 * M = 65537, and 1000 at M = 655373 (a VIP with many backends), pinned to one CPU. Each sample builds the table once; next to
 * it, in the same loop, the floor: writing the M slots of the same table
 * with one value, the least any table build has to do. Printed: median and
 * p90 of both, the difference and the ratio. Times are the thread's CPU
 * time (CLOCK_THREAD_CPUTIME_ID), so that a build preempted by another
 * process on a busy machine is not charged for the other process's slice.
 *
 * Then the table's quality on change: the share of slots that move when one
 * backend of N is removed or one is added, as a ratio to the least possible
 * move, 1/N (resp. 1/(N+1)): the removed or added backend's own share.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "dataplane/maglev.h"

#define BENCH_M LB_MAGLEV_DEFAULT_SIZE

#define BENCH_M_LARGE 655373

struct bench_set {
	size_t n;
	const char *weights; /* "1" (all equal) or "1:2:3" (cycling) */
	uint32_t m;
	const char *target;
};

/* Issue 21's goal: under 1 ms at M = 65537 for 1000 backends. */
static const struct bench_set bench_sets[] = {
	{ 10, "1", BENCH_M, "" },
	{ 100, "1", BENCH_M, "" },
	{ 1000, "1", BENCH_M, "< 1000" },
	{ 1000, "1:2:3", BENCH_M, "< 1000" },
	{ 1000, "1", BENCH_M_LARGE, "" },
};

static const size_t disruption_sizes[] = { 10, 100, 1000 };

static double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Backend k: 2001:db8::k:0, weight 1 or 1 + k % 3. */
static void bench_make_backends(struct maglev_backend *b, const struct bench_set *set)
{
	size_t k;

	memset(b, 0, set->n * sizeof(*b));
	for (k = 0; k < set->n; k++) {
		b[k].addr.family = LB_AF_INET6;
		b[k].addr.addr[0] = htonl(0x20010db8);
		b[k].addr.addr[3] = htonl((uint32_t)k << 16);
		b[k].weight = strcmp(set->weights, "1") ? 1 + k % 3 : 1;
		b[k].index = k + 1;
	}
}

/* The floor: every slot written once, in order. */
static void bench_fill_floor(uint32_t *table, uint32_t m, uint32_t value)
{
	uint32_t s;

	for (s = 0; s < m; s++)
		table[s] = value;
	__asm__ volatile("" : : "r"(table) : "memory");
}

static int bench_set_run(const struct bench_set *set, unsigned int runs, uint32_t *table)
{
	double *build_us = NULL, *floor_us = NULL, t0, t1, b50, b90, f50, f90;
	struct maglev_backend *b = NULL;
	unsigned int r, warm = 10;
	int err = 0;

	b = calloc(set->n, sizeof(*b));
	build_us = calloc(runs, sizeof(*build_us));
	floor_us = calloc(runs, sizeof(*floor_us));
	if (!b || !build_us || !floor_us) {
		err = -ENOMEM;
		goto cleanup;
	}
	bench_make_backends(b, set);
	for (r = 0; r < warm + runs && !err; r++) {
		t0 = bench_now_us();
		bench_fill_floor(table, set->m, r);
		t1 = bench_now_us();
		if (r >= warm)
			floor_us[r - warm] = t1 - t0;
		t0 = bench_now_us();
		err = maglev_build(b, set->n, set->m, table);
		t1 = bench_now_us();
		if (r >= warm)
			build_us[r - warm] = t1 - t0;
	}
	if (err) {
		fprintf(stderr, "bench_maglev: maglev_build(%zu): %s\n", set->n, strerror(-err));
		goto cleanup;
	}
	qsort(build_us, runs, sizeof(*build_us), bench_cmp_double);
	qsort(floor_us, runs, sizeof(*floor_us), bench_cmp_double);
	b50 = build_us[runs / 2];
	b90 = build_us[runs * 9 / 10];
	f50 = floor_us[runs / 2];
	f90 = floor_us[runs * 9 / 10];
	printf("| %zu | %s | %u | %u | **%.0f** | %.0f | %.1f | %.1f | %+.0f | %.0fx | %s |\n",
	       set->n, set->weights, set->m, runs, b50, b90, f50, f90, b50 - f50, b50 / f50,
	       set->target);
cleanup:
	free(floor_us);
	free(build_us);
	free(b);
	return err;
}

/* Slots whose backend differs; both tables index the same backends array. */
static double bench_moved(const uint32_t *a, const uint32_t *b)
{
	uint32_t s, moved = 0;

	for (s = 0; s < BENCH_M; s++)
		moved += a[s] != b[s];
	return (double)moved / BENCH_M;
}

/* Removes backend n/3 (by weight 0: same table as leaving it out), then adds backend n. */
static int bench_disruption(size_t n)
{
	static const struct bench_set equal = { 0, "1", BENCH_M, "" };
	struct bench_set set = equal;
	uint32_t *all = NULL, *changed = NULL;
	struct maglev_backend *b = NULL;
	double removed, added;
	int err = -ENOMEM;

	set.n = n + 1;
	b = calloc(n + 1, sizeof(*b));
	all = malloc(BENCH_M * sizeof(*all));
	changed = malloc(BENCH_M * sizeof(*changed));
	if (!b || !all || !changed)
		goto cleanup;
	bench_make_backends(b, &set);
	err = maglev_build(b, n, BENCH_M, all);
	if (err)
		goto cleanup;
	b[n / 3].weight = 0;
	err = maglev_build(b, n, BENCH_M, changed);
	if (err)
		goto cleanup;
	removed = bench_moved(all, changed);
	b[n / 3].weight = 1;
	err = maglev_build(b, n + 1, BENCH_M, changed);
	if (err)
		goto cleanup;
	added = bench_moved(all, changed);
	printf("| %zu | %u | %.5f | **%.2f** | %.5f | **%.2f** |\n", n, BENCH_M, removed,
	       removed * n, added, added * (n + 1));
cleanup:
	free(changed);
	free(all);
	free(b);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "runs", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1, opt, err = 0;
	unsigned int runs = 301;
	uint32_t *table;
	cpu_set_t cpus;
	size_t i;

	while ((opt = getopt_long(argc, argv, "c:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'n':
			runs = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: bench_maglev [-c CPU] [-n RUNS]\n");
			return 2;
		}
	}
	if (!runs) {
		fprintf(stderr, "bench_maglev: runs must be positive\n");
		return 2;
	}
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("bench_maglev: sched_setaffinity");
		return 1;
	}
	table = malloc(BENCH_M_LARGE * sizeof(*table));
	if (!table)
		return 1;
	printf("| backends | weights | M | runs | median µs | p90 µs | floor median µs | "
	       "floor p90 µs | median - floor µs | median / floor | target µs |\n");
	printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
	/* A 10x larger table: a tenth of the samples, so the bench keeps its length. */
	for (i = 0; i < sizeof(bench_sets) / sizeof(bench_sets[0]) && !err; i++)
		err = bench_set_run(&bench_sets[i],
				    bench_sets[i].m > BENCH_M ? runs / 10 + 1 : runs, table);
	free(table);

	printf("\n| backends N | M | moved, one removed | ratio to 1/N | moved, one added | "
	       "ratio to 1/(N+1) |\n");
	printf("|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < sizeof(disruption_sizes) / sizeof(disruption_sizes[0]) && !err; i++)
		err = bench_disruption(disruption_sizes[i]);
	if (err)
		fprintf(stderr, "bench_maglev: %s\n", strerror(-err));
	return err ? 1 : 0;
}
