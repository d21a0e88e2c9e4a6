// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Weighted Maglev (Eisenbud et al., NSDI 2016, section 3.4). Every backend
 * walks its own permutation of the M slots, (offset + j * skip) mod M, with
 * offset and skip hashed from its address; in turn, each backend takes the
 * next slot of its permutation that is still free, until the table is full.
 *
 * Weights: the turns go in rounds. A backend of weight w takes a turn in a
 * round when its credit, which grows by w every round, reaches the largest
 * weight wmax (then pays wmax). Every backend takes a turn in the first round,
 * and over R rounds a backend gets R * w / wmax turns, give or take one, so
 * slot shares follow the weights to about one slot. Backends of equal weight
 * are due in the same rounds, so the rounds walk weight classes rather than
 * every backend: a heavy backend among many light ones costs rounds, not
 * rounds x backends.
 *
 * Order independence: the backends are sorted by (weight descending, address)
 * before the rounds start, and the permutation depends on the address alone,
 * never on the node-local index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lb_hash.h"
#include "dataplane/maglev.h"

/* Seeds of the two address hashes: fixed, so every node derives the same permutations. */
#define MAGLEV_SEED_OFFSET 0x4d61676cU
#define MAGLEV_SEED_SKIP 0x65765f31U

/*
 * Free slots left when the search takes over from the walk (see struct
 * maglev_fill): about where a turn of either costs the same on x86-64. The
 * unit tests build this file again with 1 and m to compare both phases.
 */
#ifndef MAGLEV_TAIL
#define MAGLEV_TAIL(m) ((m) < 256 ? (m) : 256)
#endif

/* A backend while the table fills, sorted by (weight descending, address). */
struct maglev_entry {
	struct xaddr addr;
	uint32_t weight;
	uint32_t index;
	uint32_t offset; /* first slot of its permutation */
	uint32_t skip; /* 1 .. m-1: the step of its permutation */
};

/* The hot state of one backend, kept small so that a thousand of them stay in L1. */
struct maglev_perm {
	uint32_t next; /* next slot of its permutation to try */
	uint32_t skip;
	uint32_t inv; /* skip^-1 mod m for the search; 0 until first needed */
	uint32_t index;
};

/* A run of backends of one weight: they are due in the same rounds. */
struct maglev_class {
	uint64_t credit; /* due when >= wmax; < 2 * wmax, so 64 bits never overflow */
	uint32_t weight;
	uint32_t first, end; /* [first, end) in the sorted backends */
};

bool maglev_is_prime(uint32_t m)
{
	uint32_t d;

	if (m < 2)
		return false;
	if (m % 2 == 0)
		return m == 2;
	for (d = 3; (uint64_t)d * d <= m; d += 2)
		if (m % d == 0)
			return false;
	return true;
}

/* jhash (lookup3) of the address as numbers, so that hosts of either byte order agree. */
static uint32_t maglev_hash_addr(const struct xaddr *addr, uint32_t seed)
{
	uint32_t a, b, c;

	a = b = c = LB_JHASH_INITVAL + (5U << 2) + seed;
	a += addr->family;
	b += ntohl(addr->addr[0]);
	c += ntohl(addr->addr[1]);
	LB_JHASH_MIX(a, b, c);
	a += ntohl(addr->addr[2]);
	b += ntohl(addr->addr[3]);
	LB_JHASH_FINAL(a, b, c);
	return c;
}

static int maglev_cmp_addr(const struct xaddr *a, const struct xaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int maglev_cmp_entry(const void *pa, const void *pb)
{
	const struct maglev_entry *a = pa, *b = pb;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return maglev_cmp_addr(&a->addr, &b->addr);
}

/*
 * Two entries with one address would make the table depend on input order
 * (which of their indices wins a slot). Open addressing on the offset hash
 * finds them in linear time.
 */
static int maglev_check_unique(const struct maglev_entry *entries, size_t n)
{
	size_t size = 4, i, h;
	uint32_t *seen;
	int err = 0;

	while (size < 2 * n)
		size *= 2;
	seen = calloc(size, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		for (h = entries[i].offset & (size - 1); seen[h]; h = (h + 1) & (size - 1)) {
			if (maglev_cmp_addr(&entries[seen[h] - 1].addr, &entries[i].addr) == 0) {
				err = -EINVAL;
				break;
			}
		}
		seen[h] = i + 1;
	}
	free(seen);
	return err;
}

/*
 * The table fills in two phases. While many slots are free a backend finds
 * its next one by walking its permutation over a bitmap of owned slots, a
 * few steps per turn. With E slots free a turn costs about M / E steps, so the
 * last sqrt(M) slots would cost more than half of the whole walk (the
 * harmonic tail of M ln M). There the search turns around: for each of the E
 * free slots it computes how many steps the backend's permutation needs to
 * reach it, (slot - next) * skip^-1 mod M, and takes the nearest one. Both
 * phases pick the very same slot; only the cost differs.
 */
struct maglev_fill {
	uint32_t m;
	uint32_t n_free; /* slots without an owner yet */
	uint32_t tail; /* n_free at which the search takes over from the walk */
	uint64_t *used; /* walk: bitmap of owned slots */
	uint32_t *free_slots; /* search: the slots left, in no particular order */
	uint64_t barrett; /* floor((2^64 - 1) / m), for the search's modulo */
};

/*
 * x mod m for x < m * m (a step count times an inverse, both < m): there
 * the Barrett quotient is short by at most one.
 */
static inline uint64_t maglev_mod(const struct maglev_fill *f, uint64_t x)
{
	uint64_t r = x - (uint64_t)(((unsigned __int128)x * f->barrett) >> 64) * f->m;

	return r >= f->m ? r - f->m : r;
}

/* skip^-1 mod m (m prime, 0 < skip < m) by the extended Euclidean algorithm. */
static uint32_t maglev_inverse(uint32_t skip, uint32_t m)
{
	int64_t t = 0, new_t = 1, r = m, new_r = skip, q, tmp;

	while (new_r) {
		q = r / new_r;
		tmp = t - q * new_t;
		t = new_t;
		new_t = tmp;
		tmp = r - q * new_r;
		r = new_r;
		new_r = tmp;
	}
	return t < 0 ? t + m : t;
}

static uint32_t maglev_take_search(struct maglev_fill *f, struct maglev_perm *p)
{
	uint64_t best = UINT64_MAX, steps;
	uint32_t k, best_k = 0, slot;

	if (!p->inv)
		p->inv = maglev_inverse(p->skip, f->m);
	for (k = 0; k < f->n_free; k++) {
		slot = f->free_slots[k];
		steps = maglev_mod(f, (uint64_t)(slot >= p->next ? slot - p->next :
							     slot + f->m - p->next) * p->inv);
		if (steps < best) {
			best = steps;
			best_k = k;
		}
	}
	slot = f->free_slots[best_k];
	f->free_slots[best_k] = f->free_slots[f->n_free - 1];
	return slot;
}

/* The walk is over: list the free slots for the search. */
static void maglev_list_free(struct maglev_fill *f)
{
	uint32_t n = 0, w, words = (f->m + 63) / 64;
	uint64_t bits;

	for (w = 0; w < words; w++) {
		for (bits = ~f->used[w]; bits; bits &= bits - 1) {
			uint64_t slot = (uint64_t)w * 64 + __builtin_ctzll(bits);

			if (slot < f->m)
				f->free_slots[n++] = slot;
		}
	}
}

/*
 * Gives every slot an owner, turn by turn in weighted rounds. The walk is
 * written out here with the counters in locals: kept behind the fill pointer
 * they would make a store-to-load chain through memory on every turn.
 */
static void maglev_fill_rounds(struct maglev_fill *f, struct maglev_perm *perms,
			       struct maglev_class *classes, size_t n_classes, uint64_t wmax,
			       uint32_t *restrict table)
{
	uint64_t *restrict used = f->used;
	uint32_t m = f->m, n_free = f->n_free, tail = f->tail;
	uint64_t slot;
	size_t c, i;

	for (;;) {
		for (c = 0; c < n_classes; c++) {
			struct maglev_class *cl = &classes[c];

			if (cl->credit < wmax) {
				cl->credit += cl->weight;
				continue;
			}
			cl->credit += cl->weight - wmax;
			for (i = cl->first; i < cl->end; i++) {
				struct maglev_perm *p = &perms[i];
				uint64_t skip = p->skip;

				if (n_free > tail) {
					slot = p->next;
					while (used[slot / 64] & (1ULL << (slot % 64))) {
						slot += skip;
						slot = slot >= m ? slot - m : slot;
					}
					used[slot / 64] |= 1ULL << (slot % 64);
					if (n_free - 1 == tail)
						maglev_list_free(f);
				} else {
					f->n_free = n_free;
					slot = maglev_take_search(f, p);
				}
				table[slot] = p->index;
				if (--n_free == 0)
					return;
				slot += skip;
				p->next = slot >= m ? slot - m : slot;
			}
		}
	}
}

int maglev_build(const struct maglev_backend *backends, size_t n, uint32_t m, uint32_t *table)
{
	struct maglev_fill fill = { .m = m, .n_free = m };
	struct maglev_entry *entries = NULL;
	struct maglev_perm *perms = NULL;
	struct maglev_class *classes = NULL;
	size_t n_live = 0, n_classes = 0, i;
	uint32_t k;
	int err = 0;

	if (!table || (n && !backends) || !maglev_is_prime(m) || n >= m)
		return -EINVAL;

	entries = malloc((n ? n : 1) * sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct maglev_entry *e = &entries[n_live];

		if (!backends[i].weight)
			continue;
		memset(e, 0, sizeof(*e));
		e->addr.family = backends[i].addr.family;
		memcpy(e->addr.addr, backends[i].addr.addr, sizeof(e->addr.addr));
		e->weight = backends[i].weight;
		e->index = backends[i].index;
		e->offset = maglev_hash_addr(&e->addr, MAGLEV_SEED_OFFSET) % m;
		e->skip = maglev_hash_addr(&e->addr, MAGLEV_SEED_SKIP) % (m - 1) + 1;
		n_live++;
	}
	if (!n_live) {
		for (k = 0; k < m; k++)
			table[k] = LB_NO_BACKEND;
		goto cleanup;
	}
	err = maglev_check_unique(entries, n_live);
	if (err)
		goto cleanup;
	qsort(entries, n_live, sizeof(*entries), maglev_cmp_entry);

	fill.tail = MAGLEV_TAIL(m);
	fill.barrett = UINT64_MAX / m;
	fill.used = calloc(((size_t)m + 63) / 64, sizeof(*fill.used));
	fill.free_slots = malloc((size_t)fill.tail * sizeof(*fill.free_slots));
	perms = calloc(n_live, sizeof(*perms));
	classes = malloc(n_live * sizeof(*classes));
	if (!fill.used || !fill.free_slots || !perms || !classes) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < n_live; i++) {
		perms[i].next = entries[i].offset;
		perms[i].skip = entries[i].skip;
		perms[i].index = entries[i].index;
		if (i == 0 || entries[i].weight != entries[i - 1].weight) {
			classes[n_classes].credit = entries[0].weight;
			classes[n_classes].weight = entries[i].weight;
			classes[n_classes].first = i;
			n_classes++;
		}
		classes[n_classes - 1].end = i + 1;
	}
	if (fill.n_free <= fill.tail)
		maglev_list_free(&fill);
	maglev_fill_rounds(&fill, perms, classes, n_classes, entries[0].weight, table);

cleanup:
	free(classes);
	free(perms);
	free(fill.free_slots);
	free(fill.used);
	free(entries);
	return err;
}
