/*
 * test_sim_incremental.c - the simulator's incremental scorer policy gives
 * the plain path's bits: a collaborative sum extended by new history rows
 * equals the history scored at once (EASE with either kernel, item-kNN),
 * the scorer's ranking through a user's kept sums equals the plain filtered
 * ranking while the history grows, changes weights or order, and a run of
 * the scorer policy kept across steps gives the same simulation as the
 * plain calls, on one or two threads.  Bad input included.
 */
#include "learn/cf_internal.h"
#include "score/score_internal.h"
#include "sim/sim_internal.h"
#include "testutil.h"
#include "fx_mix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ITEMS 60
#define DIM 6
#define CF_USERS 80

/* Users of two tastes over the catalogue: a seeded, overlapping matrix. */
static rs_cf_matrix *taste_matrix(void)
{
    uint32_t users[CF_USERS * 12], items[CF_USERS * 12];
    size_t n = 0;
    for (uint32_t u = 0; u < CF_USERS; u++)
        for (uint32_t j = 0; j < 12; j++) {
            uint32_t base = u % 2 ? 0 : N_ITEMS / 2;
            users[n] = u;
            items[n++] = (base + (uint32_t)(fx_mix(u * 131 + j) % (N_ITEMS / 2 + 8))) % N_ITEMS;
        }
    rs_cf_matrix *m;
    ck_assert_ok(rs_cf_matrix_create(CF_USERS, N_ITEMS, users, items, NULL, n, &m));
    return m;
}

static rs_cf_model *fitted(int kind, const rs_cf_matrix *x)
{
    rs_cf_model *m;
    ck_assert_ok(rs_cf_model_create(kind, &m));
    if (kind == RS_CF_ALS)
        ck_assert_ok(rs_cf_model_set_int(m, RS_CF_FACTORS, 4));
    ck_assert_ok(rs_cf_model_fit(m, x));
    return m;
}

/* The sum of a history in two parts has the bits of the whole. */
static void expect_split_sum(const rs_cf_model *m)
{
    uint32_t hist[23];
    float w[23], whole[N_ITEMS], parts[N_ITEMS];
    for (size_t e = 0; e < 23; e++) {
        hist[e] = (uint32_t)(fx_mix(e + 7) % N_ITEMS);
        w[e] = 0.25f + (float)(fx_mix(e + 99) % 1000) / 500.0f;
    }
    ck_assert_ok(rs_cf_model_score(m, hist, w, 23, whole, N_ITEMS));
    for (size_t cut = 0; cut <= 23; cut += 1 + cut / 3) {
        memset(parts, 0, sizeof parts);
        ck_assert_ok(rs__cf_model_score_add(m, hist, w, cut, parts));
        ck_assert_ok(rs__cf_model_score_add(m, hist + cut, w + cut, 23 - cut, parts));
        ck_assert_int_eq(memcmp(whole, parts, sizeof whole), 0);
    }
    /* unit weights (NULL) the same way */
    ck_assert_ok(rs_cf_model_score(m, hist, NULL, 23, whole, N_ITEMS));
    memset(parts, 0, sizeof parts);
    ck_assert_ok(rs__cf_model_score_add(m, hist, NULL, 5, parts));
    ck_assert_ok(rs__cf_model_score_add(m, hist + 5, NULL, 18, parts));
    ck_assert_int_eq(memcmp(whole, parts, sizeof whole), 0);
}

START_TEST(split_sums_have_the_bits_of_the_whole)
{
    rs_cf_matrix *x = taste_matrix();
    const int kinds[] = {RS_CF_EASE, RS_CF_ITEMKNN, RS_CF_RP3BETA};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        rs_cf_model *m = fitted(kinds[k], x);
        ck_assert(rs__cf_model_additive(m));
        expect_split_sum(m);
        if (kinds[k] == RS_CF_EASE) { /* and the portable kernel */
            rs__cf_force_portable(1);
            expect_split_sum(m);
            rs__cf_force_portable(0);
        }
        /* bad input: nothing added */
        float out[N_ITEMS] = {0}, zero[N_ITEMS] = {0};
        uint32_t bad_item[2] = {1, N_ITEMS};
        float bad_w[2] = {1.0f, NAN}, inf_w[2] = {INFINITY, 1.0f};
        uint32_t ok_items[2] = {1, 2};
        ck_assert_status(rs__cf_model_score_add(m, bad_item, NULL, 2, out), RS_ERR_RANGE);
        ck_assert_status(rs__cf_model_score_add(m, ok_items, bad_w, 2, out), RS_ERR_RANGE);
        ck_assert_status(rs__cf_model_score_add(m, ok_items, inf_w, 2, out), RS_ERR_RANGE);
        ck_assert_status(rs__cf_model_score_add(m, NULL, NULL, 2, out), RS_ERR_INVALID);
        ck_assert_status(rs__cf_model_score_add(m, ok_items, NULL, 2, NULL), RS_ERR_INVALID);
        ck_assert_int_eq(memcmp(out, zero, sizeof out), 0);
        ck_assert_ok(rs__cf_model_score_add(m, ok_items, NULL, 0, out)); /* empty */
        ck_assert_int_eq(memcmp(out, zero, sizeof out), 0);
        rs_cf_model_free(m);
    }
    /* not a sum of rows: ALS, an unfitted model, none */
    rs_cf_model *als = fitted(RS_CF_ALS, x), *raw;
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE, &raw));
    float out[N_ITEMS];
    uint32_t one = 3;
    ck_assert(!rs__cf_model_additive(als));
    ck_assert(!rs__cf_model_additive(raw));
    ck_assert(!rs__cf_model_additive(NULL));
    ck_assert_status(rs__cf_model_score_add(als, &one, NULL, 1, out), RS_ERR_INVALID);
    ck_assert_status(rs__cf_model_score_add(raw, &one, NULL, 1, out), RS_ERR_INVALID);
    ck_assert_status(rs__cf_model_score_add(NULL, &one, NULL, 1, out), RS_ERR_INVALID);
    rs_cf_model_free(als);
    rs_cf_model_free(raw);
    rs_cf_matrix_free(x);
}
END_TEST

START_TEST(column_blocks_have_the_bits_of_the_whole)
{
    rs_cf_matrix *x = taste_matrix();
    rs_cf_model *m = fitted(RS_CF_EASE, x);
    uint32_t hist[9] = {3, 41, 7, 7, 59, 0, 22, 13, 38};
    float w[9] = {1, 2, 0.5f, 1, 3, 1, 1, 0.25f, 1}, whole[N_ITEMS], blocks[N_ITEMS];
    ck_assert(rs__cf_model_columns(m));
    for (int portable = 0; portable <= 1; portable++) {
        rs__cf_force_portable(portable);
        ck_assert_ok(rs_cf_model_score(m, hist, w, 9, whole, N_ITEMS));
        const size_t cuts[5] = {0, 7, 33, 49, N_ITEMS}; /* vector bodies and tails */
        memset(blocks, 0, sizeof blocks);
        for (int b = 3; b >= 0; b--) /* any block order */
            ck_assert_ok(rs__cf_model_score_add_cols(m, hist, w, 9, cuts[b], cuts[b + 1],
                                                     blocks));
        ck_assert_int_eq(memcmp(whole, blocks, sizeof whole), 0);
    }
    rs__cf_force_portable(0);
    /* bad input: nothing written */
    float out[N_ITEMS] = {0}, zero[N_ITEMS] = {0};
    uint32_t bad = N_ITEMS;
    ck_assert_status(rs__cf_model_score_add_cols(m, hist, w, 9, 5, 4, out), RS_ERR_INVALID);
    ck_assert_status(rs__cf_model_score_add_cols(m, hist, w, 9, 0, N_ITEMS + 1, out),
                     RS_ERR_INVALID);
    ck_assert_status(rs__cf_model_score_add_cols(m, hist, w, 9, 0, 4, NULL), RS_ERR_INVALID);
    ck_assert_status(rs__cf_model_score_add_cols(m, &bad, NULL, 1, 0, 4, out), RS_ERR_RANGE);
    ck_assert_status(rs__cf_model_score_add_cols(NULL, hist, w, 9, 0, 4, out), RS_ERR_INVALID);
    ck_assert_int_eq(memcmp(out, zero, sizeof out), 0);
    ck_assert_ok(rs__cf_model_score_add_cols(m, hist, w, 9, 4, 4, out)); /* no column */
    ck_assert_int_eq(memcmp(out, zero, sizeof out), 0);
    /* not dense: item-kNN, ALS */
    rs_cf_model *knn = fitted(RS_CF_ITEMKNN, x), *als = fitted(RS_CF_ALS, x);
    ck_assert(!rs__cf_model_columns(knn));
    ck_assert(!rs__cf_model_columns(als));
    ck_assert_status(rs__cf_model_score_add_cols(knn, hist, w, 9, 0, 4, out), RS_ERR_INVALID);
    ck_assert_status(rs__cf_model_score_add_cols(als, hist, w, 9, 0, 4, out), RS_ERR_INVALID);
    rs_cf_model_free(knn);
    rs_cf_model_free(als);
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

typedef struct world {
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *scorer;
    rs_cf_model *cf;
} world;

static void world_open(world *w, int kind)
{
    memset(w, 0, sizeof *w);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &w->g));
    ck_assert_ok(rs_item_store_create(DIM, &w->store));
    uint32_t rel, node, cat[4];
    const char *keys[N_ITEMS];
    static char key_text[N_ITEMS][16];
    ck_assert_ok(rs_graph_add_relation(w->g, "in_category", &rel));
    for (int c = 0; c < 4; c++) {
        char key[16];
        snprintf(key, sizeof key, "c%d", c);
        ck_assert_ok(rs_graph_add_node(w->g, "category", key, &cat[c]));
    }
    for (int i = 0; i < N_ITEMS; i++) {
        float v[DIM];
        snprintf(key_text[i], sizeof key_text[i], "i%d", i);
        keys[i] = key_text[i];
        for (int k = 0; k < DIM; k++)
            v[k] = (float)((double)(fx_mix((uint64_t)i * 31 + (uint64_t)k + 1) % 2000) / 1000.0 -
                           1);
        ck_assert_ok(rs_item_store_add(w->store, keys[i], v, DIM, NULL));
        ck_assert_ok(rs_graph_add_node(w->g, "item", keys[i], &node));
        ck_assert_ok(rs_graph_add_edge(w->g, node, rel, cat[i % 4], 1.0, 0, RS_GRAPH_MERGE_MAX));
    }
    ck_assert_ok(rs_user_model_create(w->store, &w->users));
    ck_assert_ok(rs_scorer_create(w->g, w->store, w->users, &w->scorer));
    if (kind >= 0) {
        rs_cf_matrix *x = taste_matrix();
        w->cf = fitted(kind, x);
        rs_cf_matrix_free(x);
        ck_assert_ok(rs_scorer_set_collaborative(w->scorer, w->cf, keys, N_ITEMS));
        ck_assert_ok(rs_scorer_set_double(w->scorer, RS_SCORER_W_COLLAB, 1.0));
    }
}

static void world_close(world *w)
{
    rs_scorer_free(w->scorer);
    rs_cf_model_free(w->cf);
    rs_user_model_free(w->users);
    rs_item_store_free(w->store);
    rs_graph_close(w->g);
}

/* The kept-sums ranking and the plain one, compared. */
static void expect_same_ranking(world *w, const char *user, rs__score_ucache *c,
                                const uint64_t *deny, size_t words)
{
    uint32_t a[N_ITEMS], b[N_ITEMS];
    size_t na = 99, nb = 98;
    ck_assert_ok(rs__score_recommend_cached(w->scorer, user, 12, deny, words, a, &na, c));
    ck_assert_ok(rs_scorer_recommend_filtered(w->scorer, user, 12, NULL, 0, deny, words, b, NULL,
                                              &nb));
    ck_assert_uint_eq(na, nb);
    ck_assert_uint_gt(na, 0);
    ck_assert_int_eq(memcmp(a, b, na * sizeof *a), 0);
}

START_TEST(kept_sums_rank_as_the_plain_scorer)
{
    const int kinds[] = {RS_CF_EASE, RS_CF_ITEMKNN};
    for (size_t kk = 0; kk < 2; kk++) {
        world w;
        world_open(&w, kinds[kk]);
        rs__score_ucache c[4];
        memset(c, 0, sizeof c);
        uint64_t deny[1] = {0};
        for (int round = 0; round < 24; round++) {
            for (int u = 0; u < 4; u++) {
                char user[16];
                snprintf(user, sizeof user, "u%d", u);
                deny[0] = fx_mix((uint64_t)round * 4 + (uint64_t)u) & 0x0f0f00f0f00ffull;
                if (round == 0) { /* a first history, so that the user is known */
                    char item[16];
                    snprintf(item, sizeof item, "i%d", 5 * u + 1);
                    ck_assert_ok(rs_user_model_observe(w.users, user, item, "bought", 1.0,
                                                       1000));
                }
                expect_same_ranking(&w, user, &c[u], deny, 1);
                /* the history grows by a new item, mostly; every 5th round an
                 * item bought before again; from round 12 on the event weights
                 * reach the model (the history's weights change under it) */
                uint32_t top[1];
                size_t n;
                ck_assert_ok(rs_scorer_recommend(w.scorer, user, 1, top, NULL, &n));
                char item[16];
                snprintf(item, sizeof item, "i%u",
                         round % 5 == 4 ? (unsigned)(5 * u + 1) : (unsigned)top[0]);
                ck_assert_ok(rs_user_model_observe(w.users, user, item,
                                                   round % 3 ? "bought" : "clicked",
                                                   round % 5 == 4 ? 2.0 + round : 1.0,
                                                   1000 + round));
                expect_same_ranking(&w, user, &c[u], deny, 1);
            }
            if (round == 12)
                ck_assert_ok(rs_scorer_set_int(w.scorer, RS_SCORER_COLLAB_BINARY, 0));
        }
        uint64_t hits = 0, misses = 0;
        for (int u = 0; u < 4; u++) {
            hits += c[u].hits;
            misses += c[u].misses;
            rs__score_ucache_free(&c[u]);
            rs__score_ucache_free(&c[u]); /* freed twice: a no-op */
        }
        ck_assert_uint_gt(hits, 20);  /* extended, mostly */
        ck_assert_uint_gt(misses, 4); /* and scored afresh when the prefix changed */
        rs__score_ucache_free(NULL);
        /* bad input, as the plain call */
        uint32_t items[4];
        size_t n;
        rs__score_ucache one;
        memset(&one, 0, sizeof one);
        ck_assert_status(rs__score_recommend_cached(NULL, "u0", 4, NULL, 0, items, &n, &one),
                         RS_ERR_INVALID);
        ck_assert_status(rs__score_recommend_cached(w.scorer, "u0", 4, NULL, 0, items, NULL,
                                                    &one), RS_ERR_INVALID);
        ck_assert_status(rs__score_recommend_cached(w.scorer, "u0", 4, NULL, 0, NULL, &n, &one),
                         RS_ERR_INVALID);
        ck_assert_status(rs__score_recommend_cached(w.scorer, "u0", 4, NULL, 3, items, &n, &one),
                         RS_ERR_INVALID);
        ck_assert_status(rs__score_recommend_cached(w.scorer, "", 4, NULL, 0, items, &n, &one),
                         RS_ERR_INVALID);
        ck_assert_ptr_null(one.sum);
        /* huge k: clamped to the catalogue, as the plain call */
        uint32_t all[N_ITEMS];
        ck_assert_ok(rs__score_recommend_cached(w.scorer, "u1", SIZE_MAX, NULL, 0, all, &n, &one));
        ck_assert_uint_le(n, N_ITEMS);
        rs__score_ucache_free(&one);
        world_close(&w);
    }
    /* no collaborative model: the cache is never used */
    world w;
    world_open(&w, -1);
    rs__score_ucache c;
    memset(&c, 0, sizeof c);
    ck_assert_ok(rs_user_model_observe(w.users, "u0", "i3", "bought", 1.0, 10));
    expect_same_ranking(&w, "u0", &c, NULL, 0);
    ck_assert_ptr_null(c.sum);
    ck_assert_uint_eq(c.hits + c.misses, 0);
    world_close(&w);
}
END_TEST

START_TEST(vector_loops_keep_the_scalar_bits)
{
    /* the collaborative part is the model's scores over their largest
     * magnitude, and the blend (content and collaborative only) is
     * (float)(w_content c + w_collab cf) in double, bit for bit as the
     * scalar expressions (the scorer runs them eight or four lanes at a time) */
    world w;
    world_open(&w, RS_CF_EASE);
    ck_assert_ok(rs_scorer_set_int(w.scorer, RS_SCORER_COLLAB_BINARY, 1));
    ck_assert_ok(rs_scorer_set_double(w.scorer, RS_SCORER_W_GRAPH, 0.0));
    ck_assert_ok(rs_scorer_set_double(w.scorer, RS_SCORER_W_POPULARITY, 0.0));
    ck_assert_ok(rs_scorer_set_double(w.scorer, RS_SCORER_W_CONTENT, 0.37));
    ck_assert_ok(rs_scorer_set_double(w.scorer, RS_SCORER_W_COLLAB, 0.81));
    uint32_t hist[5] = {4, 17, 33, 2, 58};
    for (int e = 0; e < 5; e++) {
        char item[16];
        snprintf(item, sizeof item, "i%u", hist[e]);
        ck_assert_ok(rs_user_model_observe(w.users, "v", item, "bought", 1.0, 100 + e));
    }
    float sc[N_ITEMS], mx = 0.0f;
    ck_assert_ok(rs_cf_model_score(w.cf, hist, NULL, 5, sc, N_ITEMS));
    for (int i = 0; i < N_ITEMS; i++)
        if (fabsf(sc[i]) > mx)
            mx = fabsf(sc[i]);
    ck_assert_float_gt(mx, 0.0f);
    uint32_t top[N_ITEMS];
    float score[N_ITEMS];
    size_t n;
    ck_assert_ok(rs_scorer_recommend(w.scorer, "v", N_ITEMS, top, score, &n));
    ck_assert_uint_eq(n, N_ITEMS - 5);
    for (size_t r = 0; r < n; r++) {
        double parts[RS_SCORER_PARTS];
        ck_assert_ok(rs_scorer_score(w.scorer, "v", rs_item_store_key(w.store, top[r]), parts,
                                     RS_SCORER_PARTS));
        float cf = sc[top[r]] / mx;
        ck_assert_msg(parts[RS_SCORER_PART_COLLAB] == (double)cf, "item %u: %.9g vs %.9g",
                      top[r], parts[RS_SCORER_PART_COLLAB], (double)cf);
        float blend = (float)(0.37 * (double)(float)parts[RS_SCORER_PART_CONTENT] + 0.81 * cf);
        ck_assert_msg(score[r] == blend, "item %u: %.9g vs %.9g", top[r], (double)score[r],
                      (double)blend);
    }
    world_close(&w);
}
END_TEST

START_TEST(prefilled_sums_rank_as_the_plain_scorer)
{
    /* the first sums of many users at once (a block of the operator's
     * columns at a time) are each user's plain scores: the ranking through
     * them extends nothing and equals the plain one */
    world w;
    world_open(&w, RS_CF_EASE);
    const char *users[6] = {"a", "b", "nobody", "c", "d", NULL};
    uint8_t want[6] = {1, 1, 1, 0, 1, 1};
    for (int u = 0; u < 5; u++)
        for (int e = 0; e < 4 + u && u != 2; e++) {
            char item[16];
            snprintf(item, sizeof item, "i%u", (unsigned)(fx_mix((uint64_t)u * 10 + e) % N_ITEMS));
            ck_assert_ok(rs_user_model_observe(w.users, users[u], item, "bought", 1.0, 50 + e));
        }
    rs__score_ucache c[6];
    memset(c, 0, sizeof c);
    ck_assert_ok(rs__score_ucache_prefill(w.scorer, users, want, 6, c, 2));
    ck_assert(c[0].valid && c[1].valid && c[4].valid);
    ck_assert(!c[2].valid && !c[3].valid && !c[5].valid); /* unknown, unwanted, NULL key */
    for (int u = 0; u < 5; u++) {
        if (u == 2)
            continue;
        expect_same_ranking(&w, users[u], &c[u], NULL, 0);
        ck_assert_uint_eq(c[u].misses, u == 3 ? 1 : 0); /* "c" was not prefilled */
    }
    /* bad input: nothing happens */
    ck_assert_ok(rs__score_ucache_prefill(NULL, users, want, 6, c, 2));
    ck_assert_ok(rs__score_ucache_prefill(w.scorer, NULL, want, 6, c, 2));
    ck_assert_ok(rs__score_ucache_prefill(w.scorer, users, want, 6, NULL, 2));
    for (int u = 0; u < 6; u++)
        rs__score_ucache_free(&c[u]);
    world_close(&w);
}
END_TEST

/* The simulation's statistics and every simulated user's history. */
typedef struct outcome {
    double stat[RS_SIM_STAT_TRUTH_CLICKS + 1];
    uint32_t hist[40][64];
    size_t n_hist[40];
} outcome;

/* 40 simulated users x 6 steps of the scorer policy over an EASE model:
 * mode 0 rs_sim_run_scorer once, 1 the plain calls one step each
 * (RS_SIM_NO_CACHE), 2 one kept run stepped one step at a time. */
static void run(int mode, int threads, int flags, outcome *o)
{
    world w;
    world_open(&w, RS_CF_EASE);
    rs_sim *s;
    ck_assert_ok(rs_sim_create_from_store(w.store, NULL, 0, 40, 5, &s));
    ck_assert_ok(rs_sim_set_int(s, RS_SIM_THREADS, threads));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 0.7));
    if (mode == 0) {
        ck_assert_ok(rs_sim_run_scorer(s, w.scorer, w.users, NULL, 6, 4, flags, NULL));
    } else if (mode == 1) {
        for (int step = 0; step < 6; step++)
            ck_assert_ok(rs_sim_run_scorer(s, w.scorer, w.users, NULL, 1, 4,
                                           flags | RS_SIM_NO_CACHE, NULL));
    } else {
        rs__sim_scorer_run *r;
        ck_assert_ok(rs__sim_scorer_begin(s, w.scorer, w.users, NULL, 4, flags, &r));
        for (int step = 0; step < 6; step++)
            ck_assert_ok(rs__sim_scorer_steps(r, 1, NULL));
        rs__sim_scorer_end(r);
    }
    memset(o, 0, sizeof *o);
    for (int k = 0; k <= RS_SIM_STAT_TRUTH_CLICKS; k++)
        ck_assert_ok(rs_sim_stat(s, k, &o->stat[k]));
    for (int u = 0; u < 40; u++) {
        char key[16];
        snprintf(key, sizeof key, "sim-%d", u);
        if (rs_user_model_history(w.users, key, o->hist[u], NULL, 64, &o->n_hist[u]) != RS_OK)
            o->n_hist[u] = 0;
    }
    rs_clear_error();
    rs_sim_free(s);
    world_close(&w);
}

static void expect_same(const outcome *a, const outcome *b)
{
    ck_assert_int_eq(memcmp(a->stat, b->stat, sizeof a->stat), 0);
    for (int u = 0; u < 40; u++) {
        ck_assert_uint_eq(a->n_hist[u], b->n_hist[u]);
        ck_assert_int_eq(memcmp(a->hist[u], b->hist[u], a->n_hist[u] * sizeof(uint32_t)), 0);
    }
}

START_TEST(kept_run_simulates_as_the_plain_calls)
{
    static outcome plain, kept, once, two;
    /* show again (rs_model_simulate's way): the kept run carries the cached
     * rankings and sums over the steps */
    run(1, 1, RS_SIM_SHOW_AGAIN, &plain);
    run(2, 1, RS_SIM_SHOW_AGAIN, &kept);
    run(2, 2, RS_SIM_SHOW_AGAIN, &two);
    run(0, 2, RS_SIM_SHOW_AGAIN, &once);
    ck_assert_double_gt(plain.stat[RS_SIM_STAT_CLICKS], 20);
    expect_same(&plain, &kept);
    expect_same(&plain, &two);
    expect_same(&plain, &once);
    /* never showing an item twice: one run's kept sums, plain or cached */
    run(0, 2, 0, &once);
    run(0, 1, RS_SIM_NO_CACHE, &plain);
    expect_same(&plain, &once);
    /* bad input of the kept run */
    world w;
    world_open(&w, RS_CF_EASE);
    rs_sim *s;
    rs__sim_scorer_run *r = (rs__sim_scorer_run *)&w;
    ck_assert_ok(rs_sim_create_from_store(w.store, NULL, 0, 3, 5, &s));
    ck_assert_status(rs__sim_scorer_begin(s, w.scorer, w.users, NULL, 4, 0, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs__sim_scorer_begin(NULL, w.scorer, w.users, NULL, 4, 0, &r),
                     RS_ERR_INVALID);
    ck_assert_ptr_null(r);
    ck_assert_status(rs__sim_scorer_begin(s, w.scorer, w.users, NULL, 0, 0, &r), RS_ERR_RANGE);
    ck_assert_status(rs__sim_scorer_begin(s, w.scorer, w.users, NULL, RS_SIM_MAX_SLATE + 1, 0,
                                          &r), RS_ERR_RANGE);
    ck_assert_status(rs__sim_scorer_begin(s, w.scorer, w.users, NULL, 4, 1 << 20, &r),
                     RS_ERR_INVALID);
    ck_assert_status(rs__sim_scorer_steps(NULL, 1, NULL), RS_ERR_INVALID);
    rs__sim_scorer_end(NULL);
    ck_assert_ok(rs__sim_scorer_begin(s, w.scorer, w.users, NULL, 4, 0, &r));
    ck_assert_status(rs__sim_scorer_steps(r, 1, "/nonexistent/dir/trace.csv"), RS_ERR_IO);
    ck_assert_ok(rs__sim_scorer_steps(r, 2, NULL)); /* still usable */
    rs__sim_scorer_end(r);
    rs_sim_free(s);
    world_close(&w);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_incremental");
    TCase *tc = tcase_create("incremental scorer policy");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, split_sums_have_the_bits_of_the_whole);
    tcase_add_test(tc, column_blocks_have_the_bits_of_the_whole);
    tcase_add_test(tc, kept_sums_rank_as_the_plain_scorer);
    tcase_add_test(tc, vector_loops_keep_the_scalar_bits);
    tcase_add_test(tc, prefilled_sums_rank_as_the_plain_scorer);
    tcase_add_test(tc, kept_run_simulates_as_the_plain_calls);
    suite_add_tcase(s, tc);
    return s;
}
