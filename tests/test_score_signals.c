/*
 * test_score_signals.c - the scorer's time-aware signals: the options'
 * defaults and ranges, recency-weighted popularity, the decayed and merged
 * history fed to the collaborative model, first-basket popularity and
 * segment popularity for cold users.
 */
#include "testutil.h"
#include "graph_build.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DAY 86400

typedef struct world {
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *s;
} world;

static const char *const keys[] = {"a", "b", "c", "d"};

static void bought(world *w, const char *user, const char *item, int64_t t)
{
    ck_assert_ok(rs_user_model_observe(w->users, user, item, "bought", 1.0, t));
    edge(w->g, node(w->g, "user", user), "bought", node(w->g, "item", item));
}

/*
 * Four orthogonal items.  "a" was bought by three users 100 days ago, "b"
 * by two users yesterday; u1 (FR) and u2 (FR) bought "c" as their first
 * purchase; u3 (DE) bought "d" on its first day and "a" later.
 */
static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &w->g));
    ck_assert_ok(rs_item_store_create(4, &w->store));
    for (int i = 0; i < 4; i++) {
        float v[4] = {0, 0, 0, 0};
        v[i] = 1.0f;
        ck_assert_ok(rs_item_store_add(w->store, keys[i], v, 4, NULL));
        node(w->g, "item", keys[i]);
    }
    ck_assert_ok(rs_user_model_create(w->store, &w->users));
    int64_t now = 200 * (int64_t)DAY;
    bought(w, "u1", "c", now - 150 * DAY);
    bought(w, "u2", "c", now - 140 * DAY);
    bought(w, "u3", "d", now - 130 * DAY);
    bought(w, "u1", "a", now - 100 * DAY);
    bought(w, "u2", "a", now - 100 * DAY);
    bought(w, "u3", "a", now - 100 * DAY);
    bought(w, "u4", "b", now - 1 * DAY);
    bought(w, "u5", "b", now);
    uint32_t fr = node(w->g, "country", "FR"), de = node(w->g, "country", "DE");
    edge(w->g, node(w->g, "user", "u1"), "has_country", fr);
    edge(w->g, node(w->g, "user", "u2"), "has_country", fr);
    edge(w->g, node(w->g, "user", "u3"), "has_country", de);
    edge(w->g, node(w->g, "user", "newfr"), "has_country", fr);
    edge(w->g, node(w->g, "user", "newde"), "has_country", de);
    ck_assert_ok(rs_scorer_create(w->g, w->store, w->users, &w->s));
}

static void world_close(world *w)
{
    rs_scorer_free(w->s);
    rs_user_model_free(w->users);
    rs_item_store_free(w->store);
    rs_graph_close(w->g);
}

static double part(world *w, const char *user, const char *item, int which)
{
    double parts[RS_SCORER_PARTS];
    ck_assert_ok(rs_scorer_score(w->s, user, item, parts, RS_SCORER_PARTS));
    return parts[which];
}

START_TEST(options_defaults_and_ranges)
{
    world w;
    int64_t iv;
    double dv;
    world_open(&w);
    ck_assert_ok(rs_scorer_get_int(w.s, RS_SCORER_HISTORY_MERGE, &iv));
    ck_assert_int_eq(iv, 1);
    ck_assert_ok(rs_scorer_get_double(w.s, RS_SCORER_HISTORY_HALF_LIFE, &dv));
    ck_assert_double_eq(dv, 60.0 * DAY);
    ck_assert_ok(rs_scorer_get_double(w.s, RS_SCORER_POP_HALF_LIFE, &dv));
    ck_assert_double_eq(dv, 7.0 * DAY);
    ck_assert_ok(rs_scorer_get_double(w.s, RS_SCORER_W_FIRST_BASKET, &dv));
    ck_assert_double_eq(dv, 0.0);
    ck_assert_ok(rs_scorer_get_double(w.s, RS_SCORER_W_SEGMENT, &dv));
    ck_assert_double_eq(dv, 10.0);
    ck_assert_ok(rs_scorer_get_double(w.s, RS_SCORER_SEGMENT_SHRINK, &dv));
    ck_assert_double_eq(dv, 5.0);
    /* out of range or NaN: RS_ERR_RANGE, the value is kept */
    ck_assert_status(rs_scorer_set_int(w.s, RS_SCORER_HISTORY_MERGE, 2), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(w.s, RS_SCORER_HISTORY_MERGE, -1), RS_ERR_RANGE);
    static const int dopt[] = {RS_SCORER_HISTORY_HALF_LIFE, RS_SCORER_POP_HALF_LIFE,
                               RS_SCORER_W_FIRST_BASKET, RS_SCORER_W_SEGMENT,
                               RS_SCORER_SEGMENT_SHRINK};
    for (size_t i = 0; i < sizeof dopt / sizeof dopt[0]; i++) {
        double before, after;
        ck_assert_ok(rs_scorer_get_double(w.s, dopt[i], &before));
        ck_assert_status(rs_scorer_set_double(w.s, dopt[i], NAN), RS_ERR_RANGE);
        ck_assert_status(rs_scorer_set_double(w.s, dopt[i], -1.0), RS_ERR_RANGE);
        ck_assert_status(rs_scorer_set_double(w.s, dopt[i], INFINITY), RS_ERR_RANGE);
        ck_assert_status(rs_scorer_set_double(w.s, dopt[i], 1e11), RS_ERR_RANGE);
        ck_assert_ok(rs_scorer_get_double(w.s, dopt[i], &after));
        ck_assert_double_eq(before, after);
    }
    ck_assert_status(rs_scorer_set_int(w.s, 19, 0), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_set_double(w.s, 129, 0.0), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_set_int(NULL, RS_SCORER_HISTORY_MERGE, 0), RS_ERR_INVALID);
    world_close(&w);
}
END_TEST

START_TEST(popularity_half_life)
{
    world w;
    world_open(&w);
    /* 7 days: the two buyers of yesterday outweigh the three of 100 days ago */
    double a = part(&w, "u4", "a", RS_SCORER_PART_POPULARITY);
    double c = part(&w, "u4", "c", RS_SCORER_PART_POPULARITY);
    ck_assert_double_eq_tol(part(&w, "u5", "b", RS_SCORER_PART_POPULARITY), 1.0, 1e-6);
    ck_assert_double_lt(a, 0.01);
    ck_assert_double_gt(a, c); /* c's buyers are older still */
    /* exactly: "b" = 1 + 2^(-1/7), "a" = 3 x 2^(-100/7) */
    double want = 3.0 * exp2(-100.0 / 7.0) / (1.0 + exp2(-1.0 / 7.0));
    ck_assert_double_eq_tol(a, want, 1e-6);
    /* 0: the graph's in-degree, "a" the most popular */
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_POP_HALF_LIFE, 0.0));
    ck_assert_double_eq_tol(part(&w, "u4", "a", RS_SCORER_PART_POPULARITY), 1.0, 1e-6);
    ck_assert_double_eq_tol(part(&w, "u5", "b", RS_SCORER_PART_POPULARITY), 2.0 / 3.0, 1e-6);
    /* an unknown user ranked by popularity only follows the setting */
    uint32_t items[4];
    size_t n;
    ck_assert_ok(rs_scorer_recommend(w.s, "nobody", 4, items, NULL, &n));
    ck_assert_str_eq(rs_item_store_key(w.store, items[0]), "a");
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_POP_HALF_LIFE, 7.0 * DAY));
    ck_assert_ok(rs_scorer_recommend(w.s, "nobody", 4, items, NULL, &n));
    ck_assert_str_eq(rs_item_store_key(w.store, items[0]), "b");
    world_close(&w);

    /* a model without times (every event at 0) keeps the graph's
     * popularity: three graph buyers of "a", one of "b" */
    rs_graph *g;
    rs_item_store *st;
    rs_user_model *um;
    rs_scorer *s;
    float v[2][2] = {{1, 0}, {0, 1}};
    uint32_t ia, ib, r;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &r));
    ck_assert_ok(rs_graph_add_node(g, "item", "a", &ia));
    ck_assert_ok(rs_graph_add_node(g, "item", "b", &ib));
    for (int i = 0; i < 4; i++) {
        char key[16];
        uint32_t u;
        snprintf(key, sizeof key, "g%d", i);
        ck_assert_ok(rs_graph_add_node(g, "user", key, &u));
        ck_assert_ok(rs_graph_add_edge(g, u, r, i < 3 ? ia : ib, 1.0, 0, RS_GRAPH_MERGE_MAX));
    }
    ck_assert_ok(rs_item_store_create(2, &st));
    ck_assert_ok(rs_item_store_add(st, "a", v[0], 2, NULL));
    ck_assert_ok(rs_item_store_add(st, "b", v[1], 2, NULL));
    ck_assert_ok(rs_user_model_create(st, &um));
    ck_assert_ok(rs_user_model_observe(um, "m", "b", "bought", 1.0, 0));
    ck_assert_ok(rs_scorer_create(g, st, um, &s));
    double parts[RS_SCORER_PARTS];
    ck_assert_ok(rs_scorer_score(s, "m", "a", parts, RS_SCORER_PARTS));
    ck_assert_double_eq_tol(parts[RS_SCORER_PART_POPULARITY], 1.0, 1e-6);
    ck_assert_ok(rs_scorer_score(s, "m", "b", parts, RS_SCORER_PARTS));
    ck_assert_double_eq_tol(parts[RS_SCORER_PART_POPULARITY], 1.0 / 3.0, 1e-6);
    rs_scorer_free(s);
    rs_user_model_free(um);
    rs_item_store_free(st);
    rs_graph_close(g);
}
END_TEST

/* The collaborative part equals the model's score of the given history,
 * divided by its largest absolute value. */
static void expect_collab(world *w, const rs_cf_model *m, const char *user, const uint32_t *hist,
                          const float *wts, size_t n)
{
    float sc[4], mx = 0.0f;
    ck_assert_ok(rs_cf_model_score(m, hist, wts, n, sc, 4));
    for (int i = 0; i < 4; i++)
        mx = fabsf(sc[i]) > mx ? fabsf(sc[i]) : mx;
    ck_assert_float_gt(mx, 0.0f);
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq_tol(part(w, user, keys[i], RS_SCORER_PART_COLLAB), sc[i] / mx, 1e-5);
}

START_TEST(history_decay_and_merge)
{
    world w;
    rs_cf_matrix *mat;
    rs_cf_model *m;
    world_open(&w);
    /* a small EASE on the store's order: users x items */
    const uint32_t mu[] = {0, 0, 1, 1, 2, 2, 3, 3, 4}, mi[] = {0, 2, 0, 2, 0, 3, 1, 3, 1};
    ck_assert_ok(rs_cf_matrix_create(5, 4, mu, mi, NULL, 9, &mat));
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE, &m));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, 1.0));
    ck_assert_ok(rs_cf_model_fit(m, mat));
    ck_assert_ok(rs_scorer_set_collaborative(w.s, m, keys, 4));
    /* v: "c" twice (150 and 20 days before now), "d" once 80 days before */
    int64_t now = 200 * (int64_t)DAY;
    ck_assert_ok(rs_user_model_observe(w.users, "v", "c", "bought", 1.0, now - 150 * DAY));
    ck_assert_ok(rs_user_model_observe(w.users, "v", "d", "bought", 1.0, now - 80 * DAY));
    ck_assert_ok(rs_user_model_observe(w.users, "v", "c", "bought", 1.0, now - 20 * DAY));
    /* defaults: merged by the largest decayed weight, 60-day half-life */
    uint32_t h2[] = {2, 3};
    float w2[] = {(float)exp2(-20.0 / 60.0), (float)exp2(-80.0 / 60.0)};
    expect_collab(&w, m, "v", h2, w2, 2);
    /* no merge: each event adds */
    ck_assert_ok(rs_scorer_set_int(w.s, RS_SCORER_HISTORY_MERGE, 0));
    uint32_t h3[] = {2, 3, 2};
    float w3[] = {(float)exp2(-150.0 / 60.0), (float)exp2(-80.0 / 60.0),
                  (float)exp2(-20.0 / 60.0)};
    expect_collab(&w, m, "v", h3, w3, 3);
    /* no decay, no merge: counts */
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_HISTORY_HALF_LIFE, 0.0));
    float w3b[] = {1, 1, 1};
    expect_collab(&w, m, "v", h3, w3b, 3);
    /* no decay, merged: binary */
    ck_assert_ok(rs_scorer_set_int(w.s, RS_SCORER_HISTORY_MERGE, 1));
    float w2b[] = {1, 1};
    expect_collab(&w, m, "v", h2, w2b, 2);
    /* the history is still never recommended */
    uint32_t items[4];
    size_t n;
    ck_assert_ok(rs_scorer_recommend(w.s, "v", 4, items, NULL, &n));
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(items[i] < 2, "item %u of the history recommended", items[i]);
    rs_scorer_free(w.s);
    w.s = NULL;
    rs_cf_model_free(m);
    rs_cf_matrix_free(mat);
    world_close(&w);
}
END_TEST

START_TEST(first_basket_for_cold_users)
{
    world w;
    uint32_t items[4];
    size_t n;
    world_open(&w);
    /* only the first-basket signal: "c" (first purchase of two users) */
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_W_COLD_POPULARITY, 0.0));
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_W_SEGMENT, 0.0));
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_POP_HALF_LIFE, 0.0));
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_W_FIRST_BASKET, 1.0));
    ck_assert_ok(rs_scorer_recommend(w.s, "nobody", 4, items, NULL, &n));
    ck_assert_uint_eq(n, 4);
    /* "c" (u1, u2) and "b" (u4, u5) were two users' first purchase, "d"
     * one user's, "a" nobody's */
    const char *t0 = rs_item_store_key(w.store, items[0]), *t1 = rs_item_store_key(w.store, items[1]);
    ck_assert_msg((!strcmp(t0, "b") && !strcmp(t1, "c")) || (!strcmp(t0, "c") && !strcmp(t1, "b")),
                  "%s %s", t0, t1);
    ck_assert_str_eq(rs_item_store_key(w.store, items[2]), "d");
    ck_assert_str_eq(rs_item_store_key(w.store, items[3]), "a");
    /* with a 7-day half-life the recent first purchases ("b") lead */
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_POP_HALF_LIFE, 7.0 * DAY));
    ck_assert_ok(rs_scorer_recommend(w.s, "nobody", 4, items, NULL, &n));
    ck_assert_str_eq(rs_item_store_key(w.store, items[0]), "b");
    /* a warm user is not affected by the cold-start weight */
    double before = part(&w, "u4", "c", RS_SCORER_PART_SCORE);
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_W_FIRST_BASKET, 100.0));
    ck_assert_double_eq_tol(part(&w, "u4", "c", RS_SCORER_PART_SCORE), before, 1e-6);
    world_close(&w);
}
END_TEST

START_TEST(segment_popularity_for_cold_users)
{
    world w;
    uint32_t items[4], nodes[8];
    size_t n, len;
    int source;
    char text[256];
    world_open(&w);
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_W_COLD_POPULARITY, 0.0));
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_SEGMENT_SHRINK, 0.0));
    /* FR bought "c" and "a" (two buyers each), DE "d" and "a" */
    ck_assert_ok(rs_scorer_recommend(w.s, "newde", 4, items, NULL, &n));
    ck_assert_uint_eq(n, 4);
    const char *t0 = rs_item_store_key(w.store, items[0]), *t1 = rs_item_store_key(w.store, items[1]);
    ck_assert_msg((!strcmp(t0, "a") && !strcmp(t1, "d")) || (!strcmp(t0, "d") && !strcmp(t1, "a")),
                  "%s %s", t0, t1);
    ck_assert_ok(rs_scorer_recommend(w.s, "newfr", 4, items, NULL, &n));
    t0 = rs_item_store_key(w.store, items[0]), t1 = rs_item_store_key(w.store, items[1]);
    ck_assert_msg((!strcmp(t0, "a") && !strcmp(t1, "c")) || (!strcmp(t0, "c") && !strcmp(t1, "a")),
                  "%s %s", t0, t1);
    ck_assert_ok(rs_scorer_explain(w.s, "newfr", t0, nodes, NULL, 8, &len, NULL, &source, text,
                                   sizeof text));
    ck_assert_int_eq(source, RS_SCORER_FROM_PROFILE);
    ck_assert_msg(strstr(text, "cold start") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "you share country FR with user u") != NULL, "%s", text);
    /* the segment part: a's and c's two FR buyers of two, with the score */
    ck_assert_double_eq_tol(part(&w, "newfr", "c", RS_SCORER_PART_SEGMENT), 1.0, 1e-6);
    ck_assert_double_eq_tol(part(&w, "newfr", "d", RS_SCORER_PART_SEGMENT), 0.0, 1e-6);
    ck_assert_double_eq_tol(part(&w, "u4", "c", RS_SCORER_PART_SEGMENT), 0.0, 1e-6); /* warm */
    ck_assert_double_gt(part(&w, "newfr", "c", RS_SCORER_PART_SCORE),
                        part(&w, "newfr", "d", RS_SCORER_PART_SCORE) + 9.0);
    /* the first-basket part is the item's, for any user */
    ck_assert_double_gt(part(&w, "u4", "b", RS_SCORER_PART_FIRST_BASKET), 0.0);
    ck_assert_double_eq_tol(part(&w, "u4", "a", RS_SCORER_PART_FIRST_BASKET), 0.0, 1e-9);
    /* the old five-part call still works */
    double five[5];
    ck_assert_ok(rs_scorer_score(w.s, "newfr", "c", five, 5));
    ck_assert_status(rs_scorer_score(w.s, "newfr", "c", five, RS_SCORER_PARTS + 1), RS_ERR_RANGE);
    /* a huge shrink pulls the one-user DE segment to the global share of
     * buyers: "a", bought by three of the five buyers, comes first */
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_SEGMENT_SHRINK, 1e6));
    ck_assert_ok(rs_scorer_recommend(w.s, "newde", 4, items, NULL, &n));
    ck_assert_str_eq(rs_item_store_key(w.store, items[0]), "a");
    ck_assert_double_eq_tol(part(&w, "newde", "b", RS_SCORER_PART_SEGMENT), 2.0 / 3.0, 1e-4);
    /* without the segment weight the walk alone ranks */
    ck_assert_ok(rs_scorer_set_double(w.s, RS_SCORER_W_SEGMENT, 0.0));
    ck_assert_ok(rs_scorer_recommend(w.s, "newde", 4, items, NULL, &n));
    ck_assert_uint_eq(n, 4);
    world_close(&w);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("score_signals");
    TCase *tc = tcase_create("signals");
    tcase_add_test(tc, options_defaults_and_ranges);
    tcase_add_test(tc, popularity_half_life);
    tcase_add_test(tc, history_decay_and_merge);
    tcase_add_test(tc, first_basket_for_cold_users);
    tcase_add_test(tc, segment_popularity_for_cold_users);
    suite_add_tcase(s, tc);
    return s;
}
