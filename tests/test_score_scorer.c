/*
 * test_score_scorer.c - the user model and the scorer on a small retail-like
 * graph: interests, decay, negative feedback, recommendations, graph
 * reasoning, explanations, cold start, bad input, threads.
 */
#include "testutil.h"

#include "core/alloc.h"
#include "graph/graph_internal.h"

#include <math.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct fixture {
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *scorer;
} fixture;

static const char *const item_keys[] = {"lantern", "holder", "mug", "candle", "bowl"};
static const float item_vecs[][4] = {
    {1, 0.2f, 0, 0}, {0.9f, 0.3f, 0.1f, 0}, {0, 0, 1, 0.1f}, {0.1f, 0, 0, 1}, {0, 1, 0.2f, 0}};

static uint32_t node(rs_graph *g, const char *type, const char *key)
{
    uint32_t n;
    ck_assert_ok(rs_graph_add_node(g, type, key, &n));
    return n;
}

static void edge(rs_graph *g, uint32_t a, const char *rel, uint32_t b)
{
    uint32_t r;
    if (rs_graph_find_relation(g, rel, &r) != RS_OK)
        ck_assert_ok(rs_graph_add_relation(g, rel, &r));
    ck_assert_ok(rs_graph_add_edge(g, a, r, b, 1.0, 0, RS_GRAPH_MERGE_MAX));
}

static void fixture_open(fixture *f)
{
    memset(f, 0, sizeof *f);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &f->g));
    ck_assert_ok(rs_item_store_create(4, &f->store));
    uint32_t it[5];
    for (int i = 0; i < 5; i++) {
        ck_assert_ok(rs_item_store_add(f->store, item_keys[i], item_vecs[i], 4, NULL));
        it[i] = node(f->g, "item", item_keys[i]);
    }
    ck_assert_ok(rs_graph_set_property(f->g, it[0], "name", "WHITE METAL LANTERN"));
    uint32_t metal = node(f->g, "material", "METAL"), white = node(f->g, "colour", "WHITE");
    uint32_t ceramic = node(f->g, "material", "CERAMIC");
    edge(f->g, it[0], "has_material", metal);
    edge(f->g, it[1], "has_material", metal);
    edge(f->g, it[0], "has_colour", white);
    edge(f->g, it[1], "has_colour", white);
    edge(f->g, it[2], "has_material", ceramic);
    edge(f->g, it[4], "has_material", ceramic);
    uint32_t alice = node(f->g, "user", "alice"), bob = node(f->g, "user", "bob");
    uint32_t carol = node(f->g, "user", "carol"), dave = node(f->g, "user", "dave");
    uint32_t uk = node(f->g, "country", "UK");
    edge(f->g, alice, "bought", it[0]);
    edge(f->g, bob, "bought", it[0]);
    edge(f->g, bob, "bought", it[3]);
    edge(f->g, dave, "bought", it[2]);
    edge(f->g, dave, "bought", it[3]);
    edge(f->g, alice, "has_country", uk);
    edge(f->g, bob, "has_country", uk);
    edge(f->g, carol, "has_country", uk);
    ck_assert_ok(rs_user_model_create(f->store, &f->users));
    ck_assert_ok(rs_user_model_observe(f->users, "alice", "lantern", "bought", 1.0, 100));
    ck_assert_ok(rs_scorer_create(f->g, f->store, f->users, &f->scorer));
}

static void fixture_close(fixture *f)
{
    rs_scorer_free(f->scorer);
    rs_user_model_free(f->users);
    rs_item_store_free(f->store);
    rs_graph_close(f->g);
}

static float cosf4(const float *a, const float *b)
{
    double d = 0, na = 0, nb = 0;
    for (int i = 0; i < 4; i++)
        d += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
    return (float)(d / sqrt(na * nb));
}

START_TEST(user_interest_decay_and_negative)
{
    rs_item_store *store;
    rs_user_model *m;
    float v[4];
    ck_assert_ok(rs_item_store_create(4, &store));
    for (int i = 0; i < 5; i++)
        ck_assert_ok(rs_item_store_add(store, item_keys[i], item_vecs[i], 4, NULL));
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_observe(m, "u", "lantern", NULL, 1.0, 0));
    ck_assert_ok(rs_user_model_interest(m, "u", v, 4));
    ck_assert_float_eq_tol(cosf4(v, item_vecs[0]), 1.0f, 1e-5f);
    /* a dislike of the lantern-like holder moves away from it */
    float before = cosf4(v, item_vecs[1]);
    ck_assert_ok(rs_user_model_observe(m, "u", "mug", "viewed", 1.0, 0));
    ck_assert_ok(rs_user_model_observe(m, "u", "holder", "bought", -0.5, 0));
    ck_assert_ok(rs_user_model_interest(m, "u", v, 4));
    ck_assert_float_lt(cosf4(v, item_vecs[1]), before);
    ck_assert_uint_eq(rs_user_model_count(m), 1);

    /* half-life 10 s: an event 10 s older counts half */
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_HALF_LIFE, 10.0));
    ck_assert_ok(rs_user_model_observe(m, "w", "mug", NULL, 1.0, 0));
    ck_assert_ok(rs_user_model_observe(m, "w", "candle", NULL, 1.0, 10));
    ck_assert_ok(rs_user_model_interest(m, "w", v, 4));
    /* mug ~ e2, candle ~ e3 after unit scaling: ratio of those axes is 0.5 */
    float mu = 1.0f / sqrtf(1.01f), ca = 1.0f / sqrtf(1.01f);
    float expect2 = 0.5f * mu + 0.0f, expect3 = 0.5f * 0.1f * mu + ca;
    ck_assert_float_eq_tol(v[2] / v[3], expect2 / expect3, 1e-4f);
    /* an out-of-order older event is discounted the same way */
    ck_assert_ok(rs_user_model_observe(m, "x", "candle", NULL, 1.0, 10));
    ck_assert_ok(rs_user_model_observe(m, "x", "mug", NULL, 1.0, 0));
    float v2[4];
    ck_assert_ok(rs_user_model_interest(m, "x", v2, 4));
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq_tol(v[i], v2[i], 1e-5f);

    uint32_t items[8];
    float w[8];
    size_t n;
    ck_assert_ok(rs_user_model_history(m, "x", items, w, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_float_eq_tol(w[1], 0.5f, 1e-6f);
    ck_assert_status(rs_user_model_history(m, "x", items, w, 1, &n), RS_ERR_BUFFER);
    ck_assert_uint_eq(n, 2);

    /* event weights */
    double ew;
    ck_assert_ok(rs_user_model_get_event_weight(m, "carted", &ew));
    ck_assert_double_eq(ew, 0.5);
    ck_assert_ok(rs_user_model_get_event_weight(m, "unheard", &ew));
    ck_assert_double_eq(ew, 1.0);
    ck_assert_ok(rs_user_model_set_event_weight(m, "viewed", 0.1));
    ck_assert_ok(rs_user_model_get_event_weight(m, "viewed", &ew));
    ck_assert_double_eq(ew, 0.1);
    ck_assert_status(rs_user_model_set_event_weight(m, "viewed", NAN), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_event_weight(m, "viewed", -1), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_event_weight(m, "", 1), RS_ERR_INVALID);

    /* bad input leaves the model unchanged */
    size_t users = rs_user_model_count(m);
    ck_assert_status(rs_user_model_observe(m, "new", "nosuch", NULL, 1.0, 0), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("nosuch");
    ck_assert_status(rs_user_model_observe(m, "new", "mug", NULL, NAN, 0), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_observe(m, "new", "mug", NULL, INFINITY, 0), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_observe(m, NULL, "mug", NULL, 1, 0), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_observe(m, "bad\xff", "mug", NULL, 1, 0), RS_ERR_ENCODING);
    ck_assert_status(rs_user_model_observe(NULL, "u", "mug", NULL, 1, 0), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_user_model_count(m), users);
    ck_assert_status(rs_user_model_interest(m, "new", v, 4), RS_ERR_NOTFOUND);
    ck_assert_status(rs_user_model_interest(m, "u", v, 3), RS_ERR_DIM);
    ck_assert_status(rs_user_model_set_double(m, RS_USER_HALF_LIFE, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_double(m, RS_USER_HALF_LIFE, -1), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_double(m, 99, 1), RS_ERR_INVALID);
    double hl;
    ck_assert_ok(rs_user_model_get_double(m, RS_USER_HALF_LIFE, &hl));
    ck_assert_double_eq(hl, 10.0);
    rs_user_model_free(m);
    rs_user_model_free(NULL);
    ck_assert_status(rs_user_model_create(NULL, &m), RS_ERR_INVALID);
    rs_item_store_free(store);
}
END_TEST

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

START_TEST(explain_gives_path_and_sentence)
{
    fixture f;
    uint32_t nodes[8], rels[8];
    size_t len;
    double w;
    int source;
    char text[256];
    fixture_open(&f);
    ck_assert_ok(rs_scorer_explain(f.scorer, "alice", "holder", nodes, rels, 8, &len, &w, &source,
                                   text, sizeof text));
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(source, RS_SCORER_FROM_HISTORY);
    ck_assert_double_gt(w, 0.0);
    ck_assert_msg(strstr(text, "because you bought WHITE METAL LANTERN, which shares") != NULL,
                  "%s", text);
    ck_assert_msg(strstr(text, "with this item") != NULL, "%s", text);
    const char *type, *key;
    ck_assert_ok(rs_graph_node_key(f.g, nodes[0], &type, &key));
    ck_assert_str_eq(key, "alice");
    ck_assert_ok(rs_graph_node_key(f.g, nodes[3], &type, &key));
    ck_assert_str_eq(key, "holder");
    ck_assert_uint_ne(rels[1] & RS_GRAPH_REVERSED, RS_GRAPH_REVERSED);
    ck_assert_uint_eq(rels[2] & RS_GRAPH_REVERSED, RS_GRAPH_REVERSED);
    /* too small a path buffer; a tiny text buffer is truncated */
    ck_assert_status(rs_scorer_explain(f.scorer, "alice", "holder", nodes, rels, 2, &len, NULL,
                                       NULL, text, 8), RS_ERR_BUFFER);
    ck_assert_uint_eq(len, 3);
    ck_assert_uint_eq(strlen(text), 7);
    ck_assert_status(rs_scorer_explain(f.scorer, "alice", "nosuch", nodes, rels, 8, &len, NULL,
                                       NULL, NULL, 0), RS_ERR_NOTFOUND);
    fixture_close(&f);
}
END_TEST

START_TEST(titles_read_errors_are_errors)
{
    fixture f;
    rs_scorer *s2 = NULL;
    char long_name[700], text[256];
    uint32_t lantern, nodes[8], rels[8];
    size_t len;
    fixture_open(&f);
    /* a title longer than any fixed buffer is still the title */
    memset(long_name, 'X', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    ck_assert_ok(rs_graph_find_node(f.g, "item", "lantern", &lantern));
    ck_assert_ok(rs_graph_set_property(f.g, lantern, "name", long_name));
    ck_assert_ok(rs_scorer_create(f.g, f.store, f.users, &s2));
    ck_assert_ok(rs_scorer_explain(s2, "alice", "holder", nodes, rels, 8, &len, NULL, NULL, text,
                                   sizeof text));
    ck_assert_msg(strstr(text, "because you bought XXXXXXXXXX") != NULL, "%s", text);
    rs_scorer_free(s2);
    s2 = NULL;
    /* a property table that cannot be read is not "no title" */
    ck_assert_int_eq(sqlite3_exec(rs__graph_db(f.g),
                                  "ALTER TABLE node_props RENAME TO node_props_moved", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    ck_assert_status(rs_scorer_create(f.g, f.store, f.users, &s2), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("node_props");
    ck_assert_ptr_null(s2);
    fixture_close(&f);
}
END_TEST

START_TEST(explain_out_of_memory_is_an_error)
{
    /* every allocation of an explanation failed in turn: either the whole
     * path, or RS_ERR_NOMEM; never RS_OK without the path */
    fixture f;
    uint32_t nodes[8], rels[8];
    size_t len;
    char text[256];
    bool failed = false;
    fixture_open(&f);
    for (long n = 1; n < 1000; n++) {
        rs__alloc_fail_after(n);
        int rc = rs_scorer_explain(f.scorer, "alice", "holder", nodes, rels, 8, &len, NULL, NULL,
                                   text, sizeof text);
        rs__alloc_fail_after(0);
        if (rc == RS_ERR_NOMEM) {
            failed = true;
            continue;
        }
        ck_assert_msg(rc == RS_OK, "allocation %ld: %d %s", n, rc, rs_errmsg());
        ck_assert_msg(len == 3, "allocation %ld: RS_OK with a path of %zu", n, len);
        ck_assert_msg(strstr(text, "because you bought") != NULL, "%s", text);
        if (n > 200)
            break;
    }
    ck_assert(failed);
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
    tcase_add_test(tc, user_interest_decay_and_negative);
    tcase_add_test(tc, recommend_reasons_over_the_graph);
    tcase_add_test(tc, explain_gives_path_and_sentence);
    tcase_add_test(tc, cold_start_sources);
    tcase_add_test(tc, explain_out_of_memory_is_an_error);
    tcase_add_test(tc, titles_read_errors_are_errors);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, threads_read_concurrently);
    suite_add_tcase(s, tc);
    return s;
}
