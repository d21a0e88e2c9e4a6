// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Maglev tables: balance, weights, disruption on change, determinism, argument checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "dataplane/maglev.h"
#include "maglev_variants.h"

#define M_DEFAULT 65537

/* Backend k: 2001:db8::k:0 for the large sets, index k + 1 (slot 0 is LB_NO_BACKEND). */
static void make_backends(struct maglev_backend *b, size_t n, uint32_t weight)
{
	size_t k;

	memset(b, 0, n * sizeof(*b));
	for (k = 0; k < n; k++) {
		b[k].addr.family = LB_AF_INET6;
		b[k].addr.addr[0] = htonl(0x20010db8);
		b[k].addr.addr[3] = htonl((uint32_t)k << 16);
		b[k].weight = weight;
		b[k].index = k + 1;
	}
}

static void make_backend4(struct maglev_backend *b, const char *addr, uint32_t weight,
			  uint32_t index)
{
	memset(b, 0, sizeof(*b));
	b->addr.family = LB_AF_INET;
	cr_assert_eq(inet_pton(AF_INET, addr, &b->addr.addr[0]), 1);
	b->weight = weight;
	b->index = index;
}

static uint32_t *build(const struct maglev_backend *b, size_t n, uint32_t m)
{
	uint32_t *table = malloc((size_t)m * sizeof(*table));
	int err;

	cr_assert_not_null(table);
	err = maglev_build(b, n, m, table);
	cr_assert_eq(err, 0, "maglev_build(n=%zu, m=%u) = %d", n, m, err);
	return table;
}

/* Slots per table value; counts[i] for value i in 0..max_index. */
static size_t *count_slots(const uint32_t *table, uint32_t m, size_t max_index)
{
	size_t *counts = calloc(max_index + 1, sizeof(*counts));
	uint32_t s;

	cr_assert_not_null(counts);
	for (s = 0; s < m; s++) {
		cr_assert_leq(table[s], max_index, "slot %u holds unknown index %u", s, table[s]);
		counts[table[s]]++;
	}
	return counts;
}

static uint32_t prime_above(uint32_t x)
{
	while (!maglev_is_prime(++x))
		;
	return x;
}

/* Every backend's share is within 1% of its weight's share (relative). */
static void assert_shares(const struct maglev_backend *b, size_t n, uint32_t m)
{
	uint32_t *table = build(b, n, m);
	size_t *counts = count_slots(table, m, n);
	double total = 0, want;
	size_t k;

	for (k = 0; k < n; k++)
		total += b[k].weight;
	cr_assert_eq(counts[LB_NO_BACKEND], 0, "every slot has a backend");
	for (k = 0; k < n; k++) {
		want = m * b[k].weight / total;
		cr_assert(counts[b[k].index] >= want * 0.99 && counts[b[k].index] <= want * 1.01,
			  "n=%zu m=%u backend %zu (weight %u): %zu slots, want %.1f +- 1%%", n, m,
			  k, b[k].weight, counts[b[k].index], want);
	}
	free(counts);
	free(table);
}

Test(maglev, balances_equal_weights_within_1pct_when_m_over_100n)
{
	static const size_t sizes[] = { 1, 3, 10, 100, 655 };
	struct maglev_backend b[655];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		make_backends(b, sizes[i], 1);
		assert_shares(b, sizes[i], M_DEFAULT);
	}
}

Test(maglev, balances_1000_backends_within_1pct_at_m_100003)
{
	static struct maglev_backend b[1000];

	make_backends(b, 1000, 7);
	assert_shares(b, 1000, prime_above(100 * 1000));
}

Test(maglev, follows_weights_1_2_3)
{
	struct maglev_backend b[3];

	make_backend4(&b[0], "198.51.100.1", 1, 1);
	make_backend4(&b[1], "198.51.100.2", 2, 2);
	make_backend4(&b[2], "198.51.100.3", 3, 3);
	assert_shares(b, 3, M_DEFAULT);
}

Test(maglev, follows_mixed_weights_across_many_backends)
{
	static struct maglev_backend b[300];
	size_t k;

	make_backends(b, 300, 1);
	for (k = 0; k < 300; k++)
		b[k].weight = (k % 3 == 0) ? 1 : (k % 3 == 1) ? 2 : 3;
	/* the lightest share must be over 100 slots for 1% to be a slot or more */
	assert_shares(b, 300, prime_above(100 * 600));
}

Test(maglev, follows_one_heavy_backend_among_light_ones)
{
	static struct maglev_backend b[51];

	make_backends(b, 51, 1);
	b[50].weight = 100; /* a single heavy backend costs rounds, but shares stay exact */
	assert_shares(b, 51, prime_above(150 * 100));
}

Test(maglev, scales_weights_not_sizes)
{
	static struct maglev_backend b1[40], b2[40];
	uint32_t *t1, *t2;
	size_t k;

	make_backends(b1, 40, 1);
	make_backends(b2, 40, 1);
	for (k = 0; k < 40; k++) {
		b1[k].weight = 1 + k % 4;
		b2[k].weight = 1000 * (1 + k % 4);
	}
	t1 = build(b1, 40, M_DEFAULT);
	t2 = build(b2, 40, M_DEFAULT);
	cr_assert_arr_eq(t1, t2, M_DEFAULT * sizeof(*t1),
			 "weights 1:2:3:4 and 1000:...:4000 agree");
	free(t1);
	free(t2);
}

/* Fraction of slots that changed backend address between two tables. */
static double moved_fraction(const uint32_t *before, const struct maglev_backend *b_before,
			     const uint32_t *after, const struct maglev_backend *b_after,
			     uint32_t m)
{
	uint32_t s, moved = 0;

	for (s = 0; s < m; s++) {
		const struct xaddr *x = &b_before[before[s] - 1].addr;
		const struct xaddr *y = &b_after[after[s] - 1].addr;

		if (memcmp(x->addr, y->addr, sizeof(x->addr)) != 0)
			moved++;
	}
	return (double)moved / m;
}

/*
 * A removed backend's own 1/N must move; the rest of the move is Maglev's
 * cascade (freed slots are taken a turn earlier, so later turns land elsewhere).
 * It shrinks as M/N grows; the bounds are the measured figures of the paper's
 * plain loop (docs/BENCHMARKS.md) with some margin, so a change that disrupts
 * more than Maglev itself fails here.
 */
struct maglev_disruption_case {
	size_t n;
	uint32_t m;
	double bound; /* moved fraction <= bound / n */
};

static const struct maglev_disruption_case disruption_cases[] = {
	{ 10, M_DEFAULT, 1.3 }, { 50, M_DEFAULT, 1.3 },	  { 100, 655373, 1.3 },
	{ 100, M_DEFAULT, 2.0 }, { 1000, M_DEFAULT, 8.0 },
};

Test(maglev, removing_one_backend_moves_about_1_over_n)
{
	static struct maglev_backend all[1000], rest[999];
	const struct maglev_disruption_case *c;
	uint32_t *t_all, *t_rest;
	size_t i, k, n, gone;
	double moved;

	for (i = 0; i < sizeof(disruption_cases) / sizeof(disruption_cases[0]); i++) {
		c = &disruption_cases[i];
		n = c->n;
		make_backends(all, n, 1);
		t_all = build(all, n, c->m);
		gone = n / 3;
		for (k = 0; k + 1 < n; k++) {
			rest[k] = all[k < gone ? k : k + 1];
			rest[k].index = k + 1; /* renumbered like a fresh node would */
		}
		t_rest = build(rest, n - 1, c->m);
		moved = moved_fraction(t_all, all, t_rest, rest, c->m);
		cr_assert(moved >= 1.0 / n * 0.95,
			  "n=%zu m=%u: %.5f moved, the removed share is 1/n", n, c->m, moved);
		cr_assert(moved <= c->bound / n, "n=%zu m=%u: %.5f moved, more than %.1f/n = %.5f",
			  n, c->m, moved, c->bound, c->bound / n);
		free(t_all);
		free(t_rest);
	}
}

Test(maglev, adding_one_backend_moves_about_1_over_n)
{
	static struct maglev_backend more[1001];
	const struct maglev_disruption_case *c;
	uint32_t *t_less, *t_more;
	size_t i, n;
	double moved;

	for (i = 0; i < sizeof(disruption_cases) / sizeof(disruption_cases[0]); i++) {
		c = &disruption_cases[i];
		n = c->n;
		make_backends(more, n + 1, 1);
		t_less = build(more, n, c->m);
		t_more = build(more, n + 1, c->m);
		moved = moved_fraction(t_less, more, t_more, more, c->m);
		cr_assert(moved >= 1.0 / (n + 1) * 0.95,
			  "n=%zu m=%u: %.5f moved, the new share is 1/(n+1)", n, c->m, moved);
		cr_assert(moved <= c->bound / (n + 1),
			  "n=%zu m=%u: %.5f moved, more than %.1f/(n+1) = %.5f", n, c->m, moved,
			  c->bound, c->bound / (n + 1));
		free(t_less);
		free(t_more);
	}
}

Test(maglev, same_set_gives_same_table_in_any_order_and_with_any_indices)
{
	static struct maglev_backend b[200], shuffled[200];
	uint32_t *t1, *t2, s;
	size_t k, j;

	make_backends(b, 200, 1);
	for (k = 0; k < 200; k++)
		b[k].weight = 1 + k % 5;
	/* another node: reversed and rotated order, indices of its own (k + 1000) */
	for (k = 0; k < 200; k++) {
		j = (200 - 1 - k + 37) % 200;
		shuffled[k] = b[j];
		shuffled[k].index = 1000 + k;
	}
	t1 = build(b, 200, M_DEFAULT);
	t2 = build(shuffled, 200, M_DEFAULT);
	for (s = 0; s < M_DEFAULT; s++) {
		const struct xaddr *x = &b[t1[s] - 1].addr, *y = &shuffled[t2[s] - 1000].addr;

		cr_assert(memcmp(x, y, sizeof(*x)) == 0, "slot %u names different backends", s);
	}
	free(t1);
	free(t2);
}

Test(maglev, rebuild_is_identical)
{
	static struct maglev_backend b[100];
	uint32_t *t1, *t2;

	make_backends(b, 100, 3);
	t1 = build(b, 100, M_DEFAULT);
	t2 = build(b, 100, M_DEFAULT);
	cr_assert_arr_eq(t1, t2, M_DEFAULT * sizeof(*t1));
	free(t1);
	free(t2);
}

Test(maglev, empty_set_fills_no_backend)
{
	uint32_t *table = malloc(M_DEFAULT * sizeof(*table));
	uint32_t s;

	cr_assert_not_null(table);
	memset(table, 0xab, M_DEFAULT * sizeof(*table));
	cr_assert_eq(maglev_build(NULL, 0, M_DEFAULT, table), 0);
	for (s = 0; s < M_DEFAULT; s++)
		cr_assert_eq(table[s], LB_NO_BACKEND, "slot %u = %u", s, table[s]);
	free(table);
}

Test(maglev, all_zero_weights_fill_no_backend)
{
	struct maglev_backend b[2];
	uint32_t table[257], s;

	make_backend4(&b[0], "198.51.100.1", 0, 1);
	make_backend4(&b[1], "198.51.100.2", 0, 2);
	cr_assert_eq(maglev_build(b, 2, 257, table), 0);
	for (s = 0; s < 257; s++)
		cr_assert_eq(table[s], LB_NO_BACKEND);
}

Test(maglev, zero_weight_backend_gets_nothing_and_changes_nothing)
{
	static struct maglev_backend b[11];
	uint32_t *with, *without;
	size_t *counts;

	make_backends(b, 11, 2);
	b[10].weight = 0;
	with = build(b, 11, M_DEFAULT);
	without = build(b, 10, M_DEFAULT);
	counts = count_slots(with, M_DEFAULT, 11);
	cr_assert_eq(counts[11], 0, "a weight-0 backend owns %zu slots", counts[11]);
	cr_assert_arr_eq(with, without, M_DEFAULT * sizeof(*with));
	free(counts);
	free(with);
	free(without);
}

Test(maglev, ipv4_and_ipv6_backends_share_a_table)
{
	struct maglev_backend b[4];
	uint32_t *table;
	size_t *counts, k;

	make_backend4(&b[0], "198.51.100.1", 1, 1);
	make_backend4(&b[1], "203.0.113.1", 1, 2);
	make_backends(&b[2], 2, 1);
	b[2].index = 3;
	b[3].index = 4;
	table = build(b, 4, M_DEFAULT);
	counts = count_slots(table, M_DEFAULT, 4);
	for (k = 1; k <= 4; k++)
		cr_assert(counts[k] >= M_DEFAULT / 4 - 1 && counts[k] <= M_DEFAULT / 4 + 1,
			  "backend %zu: %zu slots", k, counts[k]);
	free(counts);
	free(table);
}

Test(maglev, search_phase_picks_what_the_walk_picks)
{
	static struct maglev_backend b[1000];
	uint32_t *fast, *walk, *search;
	size_t k;
	int err;

	make_backends(b, 1000, 1);
	fast = build(b, 1000, M_DEFAULT);
	walk = malloc(M_DEFAULT * sizeof(*walk));
	cr_assert_not_null(walk);
	err = maglev_build_walk_only(b, 1000, M_DEFAULT, walk);
	cr_assert_eq(err, 0);
	cr_assert_arr_eq(fast, walk, M_DEFAULT * sizeof(*fast));

	/* the search alone costs M^2: a small table, weighted */
	for (k = 0; k < 40; k++)
		b[k].weight = 1 + k % 3;
	err = maglev_build_walk_only(b, 40, 4099, walk);
	cr_assert_eq(err, 0);
	search = malloc(4099 * sizeof(*search));
	cr_assert_not_null(search);
	err = maglev_build_search_only(b, 40, 4099, search);
	cr_assert_eq(err, 0);
	cr_assert_arr_eq(walk, search, 4099 * sizeof(*walk));
	free(search);
	free(walk);
	free(fast);
}

Test(maglev, primality)
{
	static const uint32_t primes[] = { 2, 3, 5, 251, 257, 4099, 65537, 1048573, 4294967291U };
	static const uint32_t others[] = { 0, 1, 4, 9, 255, 65535, 65536, 1048575, 4294967295U };
	size_t i;

	for (i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		cr_assert(maglev_is_prime(primes[i]), "%u is prime", primes[i]);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_assert_not(maglev_is_prime(others[i]), "%u is not prime", others[i]);
}

Test(maglev, rejects_non_prime_size)
{
	struct maglev_backend b[1];
	static uint32_t table[65536];

	make_backend4(&b[0], "198.51.100.1", 1, 1);
	cr_assert_eq(maglev_build(b, 1, 65536, table), -EINVAL);
	cr_assert_eq(maglev_build(b, 1, 1, table), -EINVAL);
	cr_assert_eq(maglev_build(b, 1, 0, table), -EINVAL);
	cr_assert_eq(maglev_build(NULL, 0, 65535, table), -EINVAL);
}

Test(maglev, rejects_size_not_above_backend_count)
{
	struct maglev_backend b[3];
	uint32_t table[3];

	make_backend4(&b[0], "198.51.100.1", 1, 1);
	make_backend4(&b[1], "198.51.100.2", 1, 2);
	make_backend4(&b[2], "198.51.100.3", 1, 3);
	cr_assert_eq(maglev_build(b, 3, 3, table), -EINVAL);
	cr_assert_eq(maglev_build(b, 3, 2, table), -EINVAL);
	cr_assert_eq(maglev_build(b, 2, 3, table), 0);
}

Test(maglev, rejects_duplicate_backend_address)
{
	struct maglev_backend b[3];
	uint32_t table[257];

	make_backend4(&b[0], "198.51.100.1", 1, 1);
	make_backend4(&b[1], "198.51.100.2", 1, 2);
	make_backend4(&b[2], "198.51.100.1", 5, 3);
	cr_assert_eq(maglev_build(b, 3, 257, table), -EINVAL);
}

Test(maglev, rejects_missing_arrays)
{
	uint32_t table[257];

	cr_assert_eq(maglev_build(NULL, 1, 257, table), -EINVAL);
	cr_assert_eq(maglev_build(NULL, 0, 257, NULL), -EINVAL);
}
