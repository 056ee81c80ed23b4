/*
 * test_score_rerank.c - the scorer's re-ranking (minimum score, at most m
 * items per brand from a graph relation or per category from store
 * attributes, MMR diversity) checked against reference implementations over
 * the plain ranking; recommend_batch in parallel, bitwise equal to serial
 * calls; 8 threads re-ranking at once (the suite `make tsan` runs).
 */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 13 /* 12 items in 3 brands, and the seed the user bought */
static const char *const keys[N] = {"a0", "a1", "a2", "a3", "b0", "b1", "b2",
                                    "b3", "c0", "c1", "c2", "c3", "seed"};
static const float vecs[N][4] = {
    {1, 0.05f, 0, 0},       {1, 0.06f, 0.01f, 0},  {1, 0.07f, 0, 0.01f},   {1, 0.08f, 0.02f, 0},
    {0.8f, 0.6f, 0, 0},     {0.8f, 0.55f, 0.1f, 0}, {0.75f, 0.6f, 0, 0.1f}, {0.7f, 0.7f, 0, 0},
    {0.7f, 0, 0.7f, 0},     {0.6f, 0, 0.8f, 0},    {0.65f, 0.1f, 0.7f, 0}, {0.5f, 0, 0.8f, 0.2f},
    {1, 0, 0, 0}};
static int brand_of(size_t i) { return i < 12 ? (int)(i / 4) : 0; }
/* category attribute 100 or 101: items alternate */
static int category_of(size_t i) { return i < 12 ? (int)(i % 2) : -1; }

typedef struct fixture {
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *s;
    uint32_t has_brand;
} fixture;

static void fixture_open(fixture *f)
{
    uint32_t node[N], brand[3];
    memset(f, 0, sizeof *f);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &f->g));
    ck_assert_ok(rs_item_store_create(4, &f->store));
    ck_assert_ok(rs_graph_add_relation(f->g, "has_brand", &f->has_brand));
    for (int b = 0; b < 3; b++) {
        char key[16];
        snprintf(key, sizeof key, "B%d", b);
        ck_assert_ok(rs_graph_add_node(f->g, "brand", key, &brand[b]));
    }
    for (size_t i = 0; i < N; i++) {
        ck_assert_ok(rs_item_store_add(f->store, keys[i], vecs[i], 4, NULL));
        ck_assert_ok(rs_graph_add_node(f->g, "item", keys[i], &node[i]));
        ck_assert_ok(rs_graph_add_edge(f->g, node[i], f->has_brand, brand[brand_of(i)], 1.0, 0,
                                       RS_GRAPH_MERGE_MAX));
        if (category_of(i) >= 0)
            ck_assert_ok(rs_item_store_set_attribute(f->store, keys[i],
                                                     100 + (uint32_t)category_of(i), 1));
    }
    ck_assert_ok(rs_user_model_create(f->store, &f->users));
    ck_assert_ok(rs_user_model_observe(f->users, "u", "seed", NULL, 1.0, 0));
    ck_assert_ok(rs_scorer_create(f->g, f->store, f->users, &f->s));
}

static void fixture_close(fixture *f)
{
    rs_scorer_free(f->s);
    rs_user_model_free(f->users);
    rs_item_store_free(f->store);
    rs_graph_close(f->g);
}

/* The plain ranking of every item (re-ranking off). */
static size_t baseline(const fixture *f, uint32_t *items, float *scores)
{
    size_t n;
    ck_assert_ok(rs_scorer_recommend(f->s, "u", N, items, scores, &n));
    ck_assert_uint_eq(n, N - 1);
    return n;
}

START_TEST(defaults_leave_the_ranking_alone)
{
    fixture f;
    uint32_t base[N], got[N];
    float bs[N], gs[N];
    size_t n;
    int64_t iv;
    double dv;
    fixture_open(&f);
    size_t nb = baseline(&f, base, bs);
    /* the top 4 are the near-identical brand A items */
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(brand_of(base[i]), 0);
    struct { int option; int64_t value; } ints[] = {
        {RS_SCORER_RERANK_POOL, 5}, {RS_SCORER_MAX_PER_GROUP, 0},
        {RS_SCORER_GROUP_RELATION, -1}, {RS_SCORER_GROUP_ATTRIBUTE_FIRST, 0},
        {RS_SCORER_GROUP_ATTRIBUTES, 0}};
    for (size_t o = 0; o < sizeof ints / sizeof ints[0]; o++) {
        ck_assert_ok(rs_scorer_get_int(f.s, ints[o].option, &iv));
        ck_assert_int_eq(iv, ints[o].value);
    }
    ck_assert_ok(rs_scorer_get_double(f.s, RS_SCORER_MMR_LAMBDA, &dv));
    ck_assert_double_eq(dv, 1.0);
    ck_assert_ok(rs_scorer_get_double(f.s, RS_SCORER_MIN_SCORE, &dv));
    ck_assert(isinf(dv) && dv < 0);
    /* a cap without groups, or groups without a cap, change nothing */
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_MAX_PER_GROUP, 1));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", N, got, gs, &n));
    ck_assert_uint_eq(n, nb);
    ck_assert_mem_eq(got, base, n * sizeof *got);
    ck_assert_mem_eq(gs, bs, n * sizeof *gs);
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_MAX_PER_GROUP, 0));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GROUP_RELATION, f.has_brand));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 5, got, gs, &n));
    ck_assert_mem_eq(got, base, n * sizeof *got);

    /* bad options change nothing */
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_RERANK_POOL, 0), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_RERANK_POOL, 101), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_MAX_PER_GROUP, -1), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_GROUP_RELATION, -2), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_GROUP_RELATION, 99), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_GROUP_ATTRIBUTE_FIRST, 4096),
                     RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_GROUP_ATTRIBUTE_FIRST, -1), RS_ERR_RANGE);
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GROUP_ATTRIBUTE_FIRST, 4000));
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_GROUP_ATTRIBUTES, 97), RS_ERR_RANGE);
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GROUP_ATTRIBUTES, 96));
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_GROUP_ATTRIBUTE_FIRST, 4001),
                     RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.s, RS_SCORER_MMR_LAMBDA, 1.5), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.s, RS_SCORER_MMR_LAMBDA, -0.1), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.s, RS_SCORER_MMR_LAMBDA, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.s, RS_SCORER_MIN_SCORE, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.s, RS_SCORER_MIN_SCORE, INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.s, RS_SCORER_MIN_SCORE, 1e31), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_MMR_LAMBDA, 1), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_set_double(f.s, RS_SCORER_RERANK_POOL, 1), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_set_int(f.s, 29, 1), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_set_double(f.s, 149, 1), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_get_int(f.s, 29, &iv), RS_ERR_INVALID);
    ck_assert_ok(rs_scorer_get_int(f.s, RS_SCORER_RERANK_POOL, &iv));
    ck_assert_int_eq(iv, 5);
    ck_assert_ok(rs_scorer_get_int(f.s, RS_SCORER_GROUP_ATTRIBUTE_FIRST, &iv));
    ck_assert_int_eq(iv, 4000);
    ck_assert_ok(rs_scorer_get_double(f.s, RS_SCORER_MMR_LAMBDA, &dv));
    ck_assert_double_eq(dv, 1.0);
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_MIN_SCORE, -INFINITY));
    /* the old options still work */
    ck_assert_ok(rs_scorer_get_int(f.s, RS_SCORER_HOPS, &iv));
    ck_assert_int_eq(iv, 3);
    fixture_close(&f);
}
END_TEST

START_TEST(minimum_score)
{
    fixture f;
    uint32_t base[N], got[N];
    float bs[N], gs[N];
    size_t n;
    fixture_open(&f);
    baseline(&f, base, bs);
    ck_assert_float_gt(bs[4], bs[5]);
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_MIN_SCORE, bs[4]));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 10, got, gs, &n));
    ck_assert_uint_eq(n, 5);
    ck_assert_mem_eq(got, base, 5 * sizeof *got);
    ck_assert_mem_eq(gs, bs, 5 * sizeof *gs);
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 3, got, gs, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_mem_eq(got, base, 3 * sizeof *got);
    /* above every score: nothing */
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_MIN_SCORE, 1e6));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 3, got, gs, &n));
    ck_assert_uint_eq(n, 0);
    /* batch rows are padded */
    const char *users[] = {"u", "u"};
    uint32_t rows[6];
    size_t counts[2];
    ck_assert_ok(rs_scorer_recommend_batch(f.s, users, 2, 3, rows, NULL, counts));
    ck_assert_uint_eq(counts[0], 0);
    ck_assert_uint_eq(rows[5], RS_ITEM_NONE);
    fixture_close(&f);
}
END_TEST

/* The reference: walk the full ranking, keep an item while all its groups
 * hold fewer than m chosen. */
static size_t capped_reference(const uint32_t *base, size_t nb, size_t k, int m,
                               int (*group)(size_t), uint32_t *out)
{
    int count[3] = {0};
    size_t n = 0;
    for (size_t i = 0; i < nb && n < k; i++) {
        int gr = group(base[i]);
        if (gr >= 0 && count[gr] >= m)
            continue;
        if (gr >= 0)
            count[gr]++;
        out[n++] = base[i];
    }
    return n;
}

START_TEST(at_most_m_per_brand_or_category)
{
    fixture f;
    uint32_t base[N], got[N], expect[N];
    float bs[N], gs[N];
    size_t n, ne;
    fixture_open(&f);
    size_t nb = baseline(&f, base, bs);
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GROUP_RELATION, f.has_brand));
    for (int m = 1; m <= 3; m++) {
        ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_MAX_PER_GROUP, m));
        for (size_t k = 1; k <= 12; k += 2) {
            ck_assert_ok(rs_scorer_recommend(f.s, "u", k, got, gs, &n));
            ne = capped_reference(base, nb, k, m, brand_of, expect);
            /* the pool is 5k items: for small k the reference sees more */
            if (5 * k >= nb) {
                ck_assert_uint_eq(n, ne);
                ck_assert_mem_eq(got, expect, n * sizeof *got);
            }
            int count[3] = {0};
            for (size_t i = 0; i < n; i++) {
                ck_assert_int_le(++count[brand_of(got[i])], m);
                for (size_t j = 0; j < nb; j++)
                    if (base[j] == got[i])
                        ck_assert_float_eq(gs[i], bs[j]);
            }
        }
    }
    /* one per brand: the best of each */
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_MAX_PER_GROUP, 1));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 5, got, gs, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(brand_of(got[0]), 0);

    /* categories from attributes 100, 101 instead */
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GROUP_RELATION, -1));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GROUP_ATTRIBUTE_FIRST, 100));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GROUP_ATTRIBUTES, 2));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_MAX_PER_GROUP, 2));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 12, got, gs, &n));
    ne = capped_reference(base, nb, 12, 2, category_of, expect);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(n, ne);
    ck_assert_mem_eq(got, expect, n * sizeof *got);

    /* with a deny list and for similar items too */
    uint64_t deny = (uint64_t)1 << base[0];
    ck_assert_ok(rs_scorer_recommend_filtered(f.s, "u", 12, NULL, 0, &deny, 1, got, gs, &n));
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_ne(got[i], base[0]);
    ck_assert_ok(rs_scorer_similar_items(f.s, "a0", 12, got, gs, &n));
    ck_assert_uint_eq(n, 5); /* 2 + 2, and the seed, which has no category */
    int cats[2] = {0}, uncapped = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_ne(got[i], 0);
        if (category_of(got[i]) >= 0)
            ck_assert_int_le(++cats[category_of(got[i])], 2);
        else
            uncapped++;
    }
    ck_assert_int_eq(uncapped, 1);
    fixture_close(&f);
}
END_TEST

static double cosd(const float *a, const float *b)
{
    double d = 0, na = 0, nb = 0;
    for (int j = 0; j < 4; j++)
        d += (double)a[j] * b[j], na += (double)a[j] * a[j], nb += (double)b[j] * b[j];
    return d / sqrt(na * nb);
}

/* MMR over the pool of the best `pool` items, as documented. */
static size_t mmr_reference(const uint32_t *base, const float *bs, size_t pool, size_t k,
                            double lambda, uint32_t *out)
{
    int taken[N] = {0};
    size_t n = 0;
    double lo = bs[pool - 1], hi = bs[0];
    while (n < k && n < pool) {
        size_t best = 0;
        double bv = -INFINITY;
        for (size_t c = 0; c < pool; c++) {
            if (taken[c])
                continue;
            double rel = hi > lo ? (bs[c] - lo) / (hi - lo) : 1.0, sim = -INFINITY;
            for (size_t j = 0; j < n; j++) {
                double x = cosd(vecs[base[c]], vecs[out[j]]);
                if (x > sim)
                    sim = x;
            }
            double v = lambda * rel - (n ? (1 - lambda) * sim : 0.0);
            if (v > bv)
                bv = v, best = c;
        }
        taken[best] = 1;
        out[n++] = base[best];
    }
    return n;
}

START_TEST(mmr_diversity)
{
    fixture f;
    uint32_t base[N], got[N], expect[N];
    float bs[N], gs[N];
    size_t n;
    fixture_open(&f);
    size_t nb = baseline(&f, base, bs);
    const double lambdas[] = {0.0, 0.3, 0.5, 0.7, 0.9};
    for (size_t l = 0; l < sizeof lambdas / sizeof lambdas[0]; l++) {
        ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_MMR_LAMBDA, lambdas[l]));
        for (size_t k = 1; k <= 4; k++) {
            size_t pool = 5 * k < nb ? 5 * k : nb;
            ck_assert_ok(rs_scorer_recommend(f.s, "u", k, got, gs, &n));
            size_t ne = mmr_reference(base, bs, pool, k, lambdas[l], expect);
            ck_assert_uint_eq(n, ne);
            for (size_t i = 0; i < n; i++)
                ck_assert_msg(got[i] == expect[i], "lambda %g k %zu: item %zu is %s, not %s",
                              lambdas[l], k, i, keys[got[i]], keys[expect[i]]);
        }
    }
    /* lambda 0.2: the top 3 are no longer all brand A */
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_MMR_LAMBDA, 0.2));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 3, got, gs, &n));
    ck_assert_int_eq(got[0], base[0]);
    ck_assert_float_eq(gs[0], bs[0]);
    int brands = 0, seen[3] = {0};
    for (size_t i = 0; i < n; i++)
        brands += !seen[brand_of(got[i])]++;
    ck_assert_int_ge(brands, 2);
    /* a pool of 1 per item leaves nothing to diversify */
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_RERANK_POOL, 1));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 3, got, gs, &n));
    ck_assert_mem_eq(got, base, 3 * sizeof *got);
    /* MMR and caps together */
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_RERANK_POOL, 5));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GROUP_RELATION, f.has_brand));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_MAX_PER_GROUP, 1));
    ck_assert_ok(rs_scorer_recommend(f.s, "u", 3, got, gs, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_ne(brand_of(got[0]), brand_of(got[1]));
    ck_assert_int_ne(brand_of(got[1]), brand_of(got[2]));
    ck_assert_int_ne(brand_of(got[0]), brand_of(got[2]));
    fixture_close(&f);
}
END_TEST

/* ------------------------------------------------------------ batch */

typedef struct big {
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *s;
    char keys[300][24];
    const char *user_keys[300];
} big;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void big_open(big *b, size_t n_items, size_t n_users)
{
    char key[32];
    uint32_t rel_cat, rel_bought, cat[20], node;
    float v[16];
    memset(b, 0, sizeof *b);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &b->g));
    ck_assert_ok(rs_item_store_create(16, &b->store));
    ck_assert_ok(rs_graph_add_relation(b->g, "in_category", &rel_cat));
    ck_assert_ok(rs_graph_add_relation(b->g, "bought", &rel_bought));
    for (int c = 0; c < 20; c++) {
        snprintf(key, sizeof key, "c%d", c);
        ck_assert_ok(rs_graph_add_node(b->g, "category", key, &cat[c]));
    }
    for (size_t i = 0; i < n_items; i++) {
        snprintf(key, sizeof key, "i%zu", i);
        for (int d = 0; d < 16; d++)
            v[d] = (float)((double)(rnd() % 2001) / 1000.0 - 1.0);
        ck_assert_ok(rs_item_store_add(b->store, key, v, 16, NULL));
        ck_assert_ok(rs_graph_add_node(b->g, "item", key, &node));
        ck_assert_ok(rs_graph_add_edge(b->g, node, rel_cat, cat[rnd() % 20], 1.0, 0, 0));
    }
    ck_assert_ok(rs_user_model_create(b->store, &b->users));
    for (size_t u = 0; u < n_users; u++) {
        snprintf(b->keys[u], sizeof b->keys[u], "u%zu", u);
        b->user_keys[u] = b->keys[u];
        if (u % 3 == 0) { /* a graph user */
            ck_assert_ok(rs_graph_add_node(b->g, "user", b->keys[u], &node));
            for (int j = 0; j < 4; j++) {
                uint32_t it;
                snprintf(key, sizeof key, "i%zu", (size_t)(rnd() % n_items));
                ck_assert_ok(rs_graph_find_node(b->g, "item", key, &it));
                ck_assert_ok(rs_graph_add_edge(b->g, node, rel_bought, it, 1.0, 0,
                                               RS_GRAPH_MERGE_MAX));
            }
        } else if (u % 3 == 1) { /* a user-model user */
            for (int j = 0; j < 5; j++) {
                snprintf(key, sizeof key, "i%zu", (size_t)(rnd() % n_items));
                ck_assert_ok(rs_user_model_observe(b->users, b->keys[u], key, "bought", 1.0, j));
            }
        } /* else cold */
    }
    ck_assert_ok(rs_scorer_create(b->g, b->store, b->users, &b->s));
    ck_assert_ok(rs_scorer_set_int(b->s, RS_SCORER_GROUP_RELATION, rel_cat));
}

static void big_close(big *b)
{
    rs_scorer_free(b->s);
    rs_user_model_free(b->users);
    rs_item_store_free(b->store);
    rs_graph_close(b->g);
}

static void batch_equals_serial(const big *b, size_t n_users, size_t k)
{
    uint32_t *rows = malloc(n_users * k * sizeof *rows), one[64];
    float *scores = malloc(n_users * k * sizeof *scores), ones[64];
    size_t *counts = malloc(n_users * sizeof *counts), n;
    ck_assert_ptr_nonnull(rows);
    ck_assert_ptr_nonnull(scores);
    ck_assert_ptr_nonnull(counts);
    ck_assert_ok(rs_scorer_recommend_batch(b->s, b->user_keys, n_users, k, rows, scores, counts));
    for (size_t u = 0; u < n_users; u++) {
        ck_assert_ok(rs_scorer_recommend(b->s, b->user_keys[u], k, one, ones, &n));
        ck_assert_uint_eq(counts[u], n);
        ck_assert_mem_eq(rows + u * k, one, n * sizeof *one);
        ck_assert_mem_eq(scores + u * k, ones, n * sizeof *ones);
        for (size_t j = n; j < k; j++)
            ck_assert_uint_eq(rows[u * k + j], RS_ITEM_NONE);
    }
    free(rows);
    free(scores);
    free(counts);
}

START_TEST(batch_in_parallel_equals_serial)
{
    big b;
    int threads = rs_get_num_threads();
    big_open(&b, 2000, 120);
    for (int t = 1; t <= 4; t *= 2) {
        ck_assert_ok(rs_set_num_threads(t));
        batch_equals_serial(&b, 120, 10);
        batch_equals_serial(&b, 7, 1);
    }
    /* with re-ranking on */
    ck_assert_ok(rs_scorer_set_int(b.s, RS_SCORER_MAX_PER_GROUP, 2));
    ck_assert_ok(rs_scorer_set_double(b.s, RS_SCORER_MMR_LAMBDA, 0.6));
    batch_equals_serial(&b, 120, 10);
    /* k beyond the catalogue, 0 users, k = 0 */
    size_t counts[2];
    ck_assert_ok(rs_scorer_recommend_batch(b.s, b.user_keys, 0, 10, NULL, NULL, NULL));
    ck_assert_ok(rs_scorer_recommend_batch(b.s, b.user_keys, 2, 0, NULL, NULL, counts));
    ck_assert_uint_eq(counts[0], 0);

    /* failures: the first failing user in input order, whatever the threads */
    const char *users[12];
    for (int i = 0; i < 12; i++)
        users[i] = b.user_keys[i];
    users[9] = "";
    users[5] = "\xc3(";
    uint32_t rows[12 * 3];
    size_t cnt[12];
    for (int r = 0; r < 3; r++) {
        ck_assert_status(rs_scorer_recommend_batch(b.s, users, 12, 3, rows, NULL, cnt),
                         RS_ERR_ENCODING);
        ck_assert_errmsg_has("user 5");
    }
    users[5] = b.user_keys[5];
    ck_assert_status(rs_scorer_recommend_batch(b.s, users, 12, 3, rows, NULL, cnt),
                     RS_ERR_INVALID);
    ck_assert_errmsg_has("user 9");
    /* unknown users without cold start: u2 is the first cold user */
    ck_assert_ok(rs_scorer_set_int(b.s, RS_SCORER_COLD_START, 0));
    users[9] = b.user_keys[9];
    ck_assert_status(rs_scorer_recommend_batch(b.s, users, 12, 3, rows, NULL, cnt),
                     RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("\"u2\"");
    ck_assert_errmsg_has("user 2");
    ck_assert_ok(rs_set_num_threads(threads));
    big_close(&b);
}
END_TEST

typedef struct job {
    const rs_scorer *s;
    const char *const *users;
    uint32_t rows[8 * 10];
    size_t counts[8];
    int rc;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    for (int r = 0; r < 5 && j->rc == RS_OK; r++) {
        size_t n;
        j->rc = rs_scorer_recommend_batch(j->s, j->users, 8, 10, j->rows, NULL, j->counts);
        if (j->rc == RS_OK)
            j->rc = rs_scorer_recommend(j->s, j->users[r], 10, j->rows, NULL, &n);
        if (j->rc == RS_OK)
            j->rc = rs_scorer_recommend_batch(j->s, j->users, 8, 10, j->rows, NULL, j->counts);
    }
    return NULL;
}

START_TEST(eight_threads_rerank_at_once)
{
    big b;
    uint32_t expect[8 * 10];
    size_t ecounts[8];
    int threads = rs_get_num_threads();
    big_open(&b, 500, 8);
    ck_assert_ok(rs_set_num_threads(2));
    ck_assert_ok(rs_scorer_set_int(b.s, RS_SCORER_MAX_PER_GROUP, 2));
    ck_assert_ok(rs_scorer_set_double(b.s, RS_SCORER_MMR_LAMBDA, 0.5));
    ck_assert_ok(rs_scorer_recommend_batch(b.s, b.user_keys, 8, 10, expect, NULL, ecounts));
    pthread_t t[8];
    job *jobs = calloc(8, sizeof *jobs);
    ck_assert_ptr_nonnull(jobs);
    for (int i = 0; i < 8; i++) {
        jobs[i].s = b.s;
        jobs[i].users = b.user_keys;
        ck_assert_int_eq(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(jobs[i].rc, RS_OK);
        ck_assert_mem_eq(jobs[i].counts, ecounts, sizeof ecounts);
        ck_assert_mem_eq(jobs[i].rows, expect, sizeof expect);
    }
    free(jobs);
    ck_assert_ok(rs_set_num_threads(threads));
    big_close(&b);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("score_rerank");
    TCase *tc = tcase_create("rerank");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, defaults_leave_the_ranking_alone);
    tcase_add_test(tc, minimum_score);
    tcase_add_test(tc, at_most_m_per_brand_or_category);
    tcase_add_test(tc, mmr_diversity);
    tcase_add_test(tc, batch_in_parallel_equals_serial);
    tcase_add_test(tc, eight_threads_rerank_at_once);
    suite_add_tcase(s, tc);
    return s;
}
