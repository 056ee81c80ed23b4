/*
 * test_score_scorer.c - the scorer on a small retail-like graph
 * (scorer_fixture.h): recommendations, graph reasoning, cold start, bad
 * input, threads.  The user model's own tests are test_user_model.c, the
 * explanations' test_score_explain.c.
 */
#include "testutil.h"
#include "scorer_fixture.h"

#include "graph/graph_internal.h"

#include <math.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

START_TEST(recommend_reasons_over_the_graph)
{
    fixture f;
    uint32_t items[8];
    float scores[8];
    size_t n;
    fixture_open(&f);
    for (int mode = 0; mode < 2; mode++) {
        ck_assert_ok(rs_scorer_set_int(f.scorer, RS_SCORER_MODE, mode));
        ck_assert_ok(rs_scorer_recommend(f.scorer, "alice", 8, items, scores, &n));
        ck_assert_uint_eq(n, 4); /* 5 items minus the lantern she bought */
        ck_assert_str_eq(rs_item_store_key(f.store, items[0]), "holder");
        for (size_t i = 0; i < n; i++)
            ck_assert_str_ne(rs_item_store_key(f.store, items[i]), "lantern");
        for (size_t i = 1; i < n; i++)
            ck_assert_float_le(scores[i], scores[i - 1]);
    }
    ck_assert_ok(rs_scorer_recommend(f.scorer, "alice", 0, NULL, NULL, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(rs_scorer_recommend(f.scorer, "alice", 2, items, NULL, &n));
    ck_assert_uint_eq(n, 2);

    double parts[RS_SCORER_PARTS];
    ck_assert_ok(rs_scorer_score(f.scorer, "alice", "holder", parts, RS_SCORER_PARTS));
    ck_assert_double_gt(parts[RS_SCORER_PART_GRAPH], 0.0);
    ck_assert_double_le(parts[RS_SCORER_PART_GRAPH], 1.0);
    ck_assert_double_gt(parts[RS_SCORER_PART_CONTENT], 0.9);
    double mug[RS_SCORER_PARTS];
    ck_assert_ok(rs_scorer_score(f.scorer, "alice", "mug", mug, RS_SCORER_PARTS));
    ck_assert_double_lt(mug[RS_SCORER_PART_GRAPH], parts[RS_SCORER_PART_GRAPH]);
    ck_assert_double_lt(mug[RS_SCORER_PART_SCORE], parts[RS_SCORER_PART_SCORE]);

    /* allow and deny lists */
    uint64_t allow = 0, deny = 0;
    uint32_t holder, mg, bowl;
    ck_assert_ok(rs_item_store_index(f.store, "holder", &holder));
    ck_assert_ok(rs_item_store_index(f.store, "mug", &mg));
    ck_assert_ok(rs_item_store_index(f.store, "bowl", &bowl));
    allow = (1ull << holder) | (1ull << mg) | (1ull << bowl);
    deny = 1ull << holder;
    ck_assert_ok(rs_scorer_recommend_filtered(f.scorer, "alice", 8, &allow, 1, &deny, 1, items,
                                              NULL, &n));
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++)
        ck_assert(items[i] == mg || items[i] == bowl);
    ck_assert_ok(rs_scorer_recommend_filtered(f.scorer, "alice", 8, NULL, 0, &deny, 1, items,
                                              NULL, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_ok(rs_scorer_recommend_filtered(f.scorer, "alice", 8, &allow, 0, NULL, 0, items,
                                              NULL, &n));
    ck_assert_uint_eq(n, 0); /* an empty allow list allows nothing */
    ck_assert_status(rs_scorer_recommend_filtered(f.scorer, "alice", 8, NULL, 1, NULL, 0, items,
                                                  NULL, &n), RS_ERR_INVALID);

    /* interests: alice bought the white metal lantern and lives in the UK */
    uint32_t ent[8];
    float share[8];
    ck_assert_ok(rs_scorer_interests(f.scorer, "alice", 8, ent, share, &n));
    ck_assert_uint_ge(n, 3);
    float total = 0;
    for (size_t i = 0; i < n; i++) {
        const char *type, *key;
        ck_assert_ok(rs_graph_node_key(f.g, ent[i], &type, &key));
        ck_assert_str_ne(type, "user");
        ck_assert_str_ne(type, "item");
        if (i)
            ck_assert_float_le(share[i], share[i - 1]);
        total += share[i];
    }
    ck_assert_float_le(total, 1.0001f);
    const char *t0, *k0;
    ck_assert_ok(rs_graph_node_key(f.g, ent[0], &t0, &k0));
    ck_assert_msg(!strcmp(k0, "METAL") || !strcmp(k0, "WHITE") || !strcmp(k0, "UK"), "%s", k0);
    ck_assert_ok(rs_scorer_interests(f.scorer, "zed", 8, ent, share, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_status(rs_scorer_interests(f.scorer, "alice", 8, NULL, share, &n), RS_ERR_INVALID);

    /* similar items */
    ck_assert_ok(rs_scorer_similar_items(f.scorer, "lantern", 8, items, scores, &n));
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(rs_item_store_key(f.store, items[0]), "holder");

    /* batch equals single */
    const char *who[] = {"alice", "bob", "carol"};
    uint32_t bi[3 * 6];
    size_t counts[3];
    ck_assert_ok(rs_scorer_recommend_batch(f.scorer, who, 3, 6, bi, NULL, counts));
    for (int u = 0; u < 3; u++) {
        ck_assert_ok(rs_scorer_recommend(f.scorer, who[u], 6, items, NULL, &n));
        ck_assert_uint_eq(n, counts[u]);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(items[i], bi[u * 6 + i]);
        for (size_t i = n; i < 6; i++)
            ck_assert_uint_eq(bi[u * 6 + i], RS_ITEM_NONE);
    }
    fixture_close(&f);
}
END_TEST

START_TEST(cold_start_sources)
{
    fixture f;
    uint32_t items[8], nodes[8];
    size_t n, len;
    int source;
    char text[256];
    fixture_open(&f);
    /* carol: no history, but a country shared with alice and bob */
    ck_assert_ok(rs_scorer_recommend(f.scorer, "carol", 8, items, NULL, &n));
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(rs_item_store_key(f.store, items[0]), "lantern"); /* bought by both */
    ck_assert_ok(rs_scorer_explain(f.scorer, "carol", "lantern", nodes, NULL, 8, &len, NULL,
                                   &source, text, sizeof text));
    ck_assert_int_eq(source, RS_SCORER_FROM_PROFILE);
    ck_assert_msg(strstr(text, "cold start") && strstr(text, "country UK"), "%s", text);
    /* unknown to both: popularity */
    ck_assert_ok(rs_scorer_recommend(f.scorer, "zed", 8, items, NULL, &n));
    ck_assert_uint_eq(n, 5);
    const char *top = rs_item_store_key(f.store, items[0]);
    ck_assert_msg(!strcmp(top, "lantern") || !strcmp(top, "candle"), "%s", top);
    ck_assert_ok(rs_scorer_explain(f.scorer, "zed", "lantern", nodes, NULL, 8, &len, NULL,
                                   &source, text, sizeof text));
    ck_assert_int_eq(source, RS_SCORER_FROM_POPULARITY);
    ck_assert_uint_eq(len, 0);
    ck_assert_msg(strstr(text, "popular") != NULL, "%s", text);
    /* cold start off */
    ck_assert_ok(rs_scorer_set_int(f.scorer, RS_SCORER_COLD_START, 0));
    ck_assert_status(rs_scorer_recommend(f.scorer, "zed", 8, items, NULL, &n), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("zed");
    ck_assert_ok(rs_scorer_recommend(f.scorer, "carol", 8, items, NULL, &n));
    /* a model-only user is explained from their history items */
    ck_assert_ok(rs_user_model_observe(f.users, "erin", "lantern", "bought", 1, 0));
    ck_assert_ok(rs_scorer_explain(f.scorer, "erin", "holder", nodes, NULL, 8, &len, NULL,
                                   &source, text, sizeof text));
    ck_assert_int_eq(source, RS_SCORER_FROM_HISTORY);
    ck_assert_msg(strstr(text, "WHITE METAL LANTERN") != NULL, "%s", text);
    ck_assert_ok(rs_scorer_recommend(f.scorer, "erin", 8, items, NULL, &n));
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(rs_item_store_key(f.store, items[0]), "holder");
    fixture_close(&f);
}
END_TEST

START_TEST(bad_input)
{
    fixture f;
    uint32_t items[8];
    size_t n;
    double parts[RS_SCORER_PARTS];
    fixture_open(&f);
    ck_assert_status(rs_scorer_recommend(NULL, "alice", 1, items, NULL, &n), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_recommend(f.scorer, NULL, 1, items, NULL, &n), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_recommend(f.scorer, "alice", 1, NULL, NULL, &n), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_recommend(f.scorer, "\xc3", 1, items, NULL, &n), RS_ERR_ENCODING);
    ck_assert_status(rs_scorer_score(f.scorer, "alice", "nosuch", parts, 5), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("nosuch");
    ck_assert_status(rs_scorer_score(f.scorer, "alice", "mug", parts, RS_SCORER_PARTS + 1), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_similar_items(f.scorer, "nosuch", 3, items, NULL, &n),
                     RS_ERR_NOTFOUND);
    /* options: NaN, out of range, wrong type; nothing changes */
    double d;
    int64_t v;
    ck_assert_status(rs_scorer_set_double(f.scorer, RS_SCORER_DECAY, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.scorer, RS_SCORER_DECAY, 1.5), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.scorer, RS_SCORER_W_GRAPH, -1), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.scorer, RS_SCORER_W_GRAPH, INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.scorer, RS_SCORER_HOPS, 2), RS_ERR_INVALID);
    ck_assert_status(rs_scorer_set_int(f.scorer, RS_SCORER_HOPS, 0), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.scorer, RS_SCORER_HOPS, 7), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_int(f.scorer, RS_SCORER_MODE, 2), RS_ERR_RANGE);
    ck_assert_ok(rs_scorer_get_double(f.scorer, RS_SCORER_DECAY, &d));
    ck_assert_double_eq(d, 0.5);
    ck_assert_ok(rs_scorer_get_int(f.scorer, RS_SCORER_HOPS, &v));
    ck_assert_int_eq(v, 3);
    ck_assert_ok(rs_scorer_get_int(f.scorer, RS_SCORER_MODE, &v));
    ck_assert_int_eq(v, RS_SCORER_BLEND);

    /* a user model of another store; a store the graph does not know */
    rs_item_store *other;
    rs_user_model *om;
    rs_scorer *s2 = (rs_scorer *)1;
    ck_assert_ok(rs_item_store_create(4, &other));
    ck_assert_ok(rs_user_model_create(other, &om));
    ck_assert_status(rs_scorer_create(f.g, f.store, om, &s2), RS_ERR_STATE);
    ck_assert_ptr_null(s2);
    float x[4] = {1, 0, 0, 0};
    ck_assert_ok(rs_item_store_add(other, "stranger", x, 4, NULL));
    ck_assert_status(rs_scorer_create(f.g, other, om, &s2), RS_ERR_STATE);
    ck_assert_errmsg_has("belong");
    ck_assert_status(rs_scorer_create(NULL, other, om, &s2), RS_ERR_INVALID);
    rs_user_model_free(om);
    rs_item_store_free(other);

    /* the graph changes: the scorer refuses */
    uint32_t nn;
    ck_assert_ok(rs_graph_add_node(f.g, "item", "new", &nn));
    ck_assert_status(rs_scorer_recommend(f.scorer, "alice", 3, items, NULL, &n), RS_ERR_STATE);
    rs_scorer_free(NULL);
    fixture_close(&f);
}
END_TEST

typedef struct job {
    const rs_scorer *s;
    const char *user;
    uint32_t items[5];
    size_t n;
    int rc;
    char text[256];
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    for (int r = 0; r < 50 && j->rc == RS_OK; r++) {
        size_t len;
        j->rc = rs_scorer_recommend(j->s, j->user, 5, j->items, NULL, &j->n);
        if (j->rc == RS_OK)
            j->rc = rs_scorer_explain(j->s, j->user, "holder", NULL, NULL, 0, &len, NULL, NULL,
                                      j->text, sizeof j->text);
        if (j->rc == RS_ERR_BUFFER)
            j->rc = RS_OK;
    }
    return NULL;
}

START_TEST(threads_read_concurrently)
{
    fixture f;
    const char *who[] = {"alice", "bob", "carol", "zed"};
    uint32_t expect[4][5];
    size_t en[4];
    fixture_open(&f);
    for (int u = 0; u < 4; u++)
        ck_assert_ok(rs_scorer_recommend(f.scorer, who[u], 5, expect[u], NULL, &en[u]));
    pthread_t t[8];
    job jobs[8];
    for (int i = 0; i < 8; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].s = f.scorer;
        jobs[i].user = who[i % 4];
        ck_assert_int_eq(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(jobs[i].rc, RS_OK);
        ck_assert_uint_eq(jobs[i].n, en[i % 4]);
        for (size_t j = 0; j < jobs[i].n; j++)
            ck_assert_uint_eq(jobs[i].items[j], expect[i % 4][j]);
        char text[256];
        size_t len;
        int rc = rs_scorer_explain(f.scorer, who[i % 4], "holder", NULL, NULL, 0, &len, NULL,
                                   NULL, text, sizeof text);
        ck_assert(rc == RS_OK || rc == RS_ERR_BUFFER);
        ck_assert_str_eq(jobs[i].text, text);
    }
    fixture_close(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("score_scorer");
    TCase *tc = tcase_create("scorer");
    tcase_add_test(tc, recommend_reasons_over_the_graph);
    tcase_add_test(tc, cold_start_sources);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, threads_read_concurrently);
    suite_add_tcase(s, tc);
    return s;
}
