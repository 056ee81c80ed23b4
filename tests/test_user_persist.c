/*
 * test_user_persist.c - rs_user_model_save / rs_user_model_load: a round
 * trip through a model file (options, event weights, interests, texts,
 * histories by item key into a store with other indices), replacement, and
 * every kind of damage: checksums, truncation, counts, newer formats,
 * another dimension, missing items, read-only files, bad arguments.
 */
#include "testutil.h"

#include "graph/graph_internal.h"
#include "graph_fixture.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

static const char *const keys[] = {"lantern", "holder", "mug", "candle", "bowl"};
static const float vecs[][4] = {
    {1, 0.2f, 0, 0}, {0.9f, 0.3f, 0.1f, 0}, {0, 0, 1, 0.1f}, {0.1f, 0, 0, 1}, {0, 1, 0.2f, 0}};

/* A callback embedder: "metal ..." -> the lantern's direction, "" -> 0,
 * "fail" -> failure, anything else -> the bowl's direction. */
static int embed(void *ctx, const char *const *texts, size_t n, float *out, size_t dim,
                 char *message, size_t message_size)
{
    (void)ctx;
    for (size_t t = 0; t < n; t++) {
        const float *v = strncmp(texts[t], "metal", 5) == 0 ? vecs[0] : vecs[4];
        if (strcmp(texts[t], "fail") == 0) {
            snprintf(message, message_size, "no such text");
            return 1;
        }
        for (size_t j = 0; j < dim; j++)
            out[t * dim + j] = texts[t][0] ? v[j] : 0.0f;
    }
    return 0;
}

static rs_item_store *make_store(int reversed)
{
    rs_item_store *s;
    ck_assert_ok(rs_item_store_create(4, &s));
    for (int i = 0; i < 5; i++) {
        int j = reversed ? 4 - i : i;
        ck_assert_ok(rs_item_store_add(s, keys[j], vecs[j], 4, NULL));
    }
    return s;
}

static rs_user_model *make_model(rs_item_store *store, rs_embedder *e)
{
    rs_user_model *m;
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_HALF_LIFE, 100.0));
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_TEXT_WEIGHT, 0.4));
    ck_assert_ok(rs_user_model_set_event_weight(m, "reviewed", 2.5));
    ck_assert_ok(rs_user_model_observe(m, "alice", "lantern", "bought", 1.0, 10));
    ck_assert_ok(rs_user_model_observe(m, "alice", "mug", "viewed", 1.0, 50));
    ck_assert_ok(rs_user_model_observe(m, "alice", "holder", "reviewed", -0.5, 200));
    ck_assert_ok(rs_user_model_observe(m, "bob", "candle", NULL, 1.0, 5));
    ck_assert_ok(rs_user_model_observe_text(m, "bob", "metal lantern", 1.0, 7, e));
    ck_assert_ok(rs_user_model_observe_text(m, "carol", "wooden bowl", 2.0, 1, e));
    return m;
}

static void assert_same_users(const rs_user_model *a, const rs_item_store *sa,
                              const rs_user_model *b, const rs_item_store *sb)
{
    const char *users[] = {"alice", "bob", "carol"};
    ck_assert_uint_eq(rs_user_model_count(a), rs_user_model_count(b));
    for (int u = 0; u < 3; u++) {
        float va[4], vb[4], wa[8], wb[8];
        uint32_t ia[8], ib[8];
        size_t na, nb;
        ck_assert_ok(rs_user_model_interest(a, users[u], va, 4));
        ck_assert_ok(rs_user_model_interest(b, users[u], vb, 4));
        ck_assert_mem_eq(va, vb, sizeof va);
        ck_assert_ok(rs_user_model_history(a, users[u], ia, wa, 8, &na));
        ck_assert_ok(rs_user_model_history(b, users[u], ib, wb, 8, &nb));
        ck_assert_uint_eq(na, nb);
        for (size_t i = 0; i < na; i++) {
            ck_assert_str_eq(rs_item_store_key(sa, ia[i]), rs_item_store_key(sb, ib[i]));
            ck_assert_float_eq(wa[i], wb[i]);
        }
    }
    double x;
    ck_assert_ok(rs_user_model_get_double(b, RS_USER_HALF_LIFE, &x));
    ck_assert_double_eq(x, 100.0);
    ck_assert_ok(rs_user_model_get_double(b, RS_USER_TEXT_WEIGHT, &x));
    ck_assert_double_eq(x, 0.4);
    ck_assert_ok(rs_user_model_get_event_weight(b, "reviewed", &x));
    ck_assert_double_eq(x, 2.5);
}

START_TEST(round_trip_through_a_file)
{
    char *path = graph_temp_path("users");
    rs_graph *g;
    rs_embedder *e;
    ck_assert_ok(rs_embedder_create_callback(4, embed, NULL, &e));
    rs_item_store *store = make_store(0), *other = make_store(1);
    rs_user_model *m = make_model(store, e), *back;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_user_model_save(m, g, "users"));
    rs_graph_close(g);

    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    /* the other store numbers the items the other way round */
    ck_assert_ok(rs_user_model_load(g, "users", other, &back));
    assert_same_users(m, store, back, other);
    /* the loaded model goes on learning like the original */
    ck_assert_ok(rs_user_model_observe(m, "alice", "bowl", NULL, 1.0, 300));
    ck_assert_ok(rs_user_model_observe(back, "alice", "bowl", NULL, 1.0, 300));
    ck_assert_ok(rs_user_model_observe_text(m, "bob", "metal", 1.0, 400, e));
    ck_assert_ok(rs_user_model_observe_text(back, "bob", "metal", 1.0, 400, e));
    assert_same_users(m, store, back, other);
    /* read-only: no save */
    ck_assert_status(rs_user_model_save(m, g, "users"), RS_ERR_READONLY);
    rs_user_model_free(back);
    rs_graph_close(g);

    rs_user_model_free(m);
    rs_item_store_free(store);
    rs_item_store_free(other);
    rs_embedder_free(e);
    graph_remove_db(path);
}
END_TEST

START_TEST(replace_empty_and_names)
{
    rs_graph *g;
    rs_item_store *store = make_store(0);
    rs_user_model *m, *back;
    rs_embedder *e;
    ck_assert_ok(rs_embedder_create_callback(4, embed, NULL, &e));
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    /* nothing saved yet */
    ck_assert_status(rs_user_model_load(g, "users", store, &back), RS_ERR_NOTFOUND);
    ck_assert_ptr_null(back);
    m = make_model(store, e);
    ck_assert_ok(rs_user_model_save(m, g, "users"));
    ck_assert_status(rs_user_model_load(g, "nobody", store, &back), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("nobody");
    /* an empty model replaces the saved one */
    rs_user_model *empty;
    ck_assert_ok(rs_user_model_create(store, &empty));
    ck_assert_ok(rs_user_model_save(empty, g, "users"));
    ck_assert_ok(rs_user_model_load(g, "users", store, &back));
    ck_assert_uint_eq(rs_user_model_count(back), 0);
    rs_user_model_free(back);
    /* two names side by side */
    ck_assert_ok(rs_user_model_save(m, g, "full"));
    ck_assert_ok(rs_user_model_load(g, "full", store, &back));
    assert_same_users(m, store, back, store);
    rs_user_model_free(back);
    ck_assert_ok(rs_user_model_load(g, "users", store, &back));
    ck_assert_uint_eq(rs_user_model_count(back), 0);
    rs_user_model_free(back);

    /* bad arguments */
    ck_assert_status(rs_user_model_save(NULL, g, "x"), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_save(m, NULL, "x"), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_save(m, g, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_save(m, g, ""), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_save(m, g, "\xff\xfe"), RS_ERR_ENCODING);
    ck_assert_status(rs_user_model_load(g, "full", store, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_load(NULL, "full", store, &back), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_load(g, "full", NULL, &back), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_load(g, "", store, &back), RS_ERR_INVALID);

    /* another dimension */
    rs_item_store *wide;
    float v8[8] = {1};
    ck_assert_ok(rs_item_store_create(8, &wide));
    ck_assert_ok(rs_item_store_add(wide, "lantern", v8, 8, NULL));
    ck_assert_status(rs_user_model_load(g, "full", wide, &back), RS_ERR_DIM);
    ck_assert_ptr_null(back);
    rs_item_store_free(wide);
    /* a store without one of the history's items */
    rs_item_store *small;
    ck_assert_ok(rs_item_store_create(4, &small));
    ck_assert_ok(rs_item_store_add(small, "lantern", vecs[0], 4, NULL));
    ck_assert_status(rs_user_model_load(g, "full", small, &back), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("mug");
    rs_item_store_free(small);

    rs_user_model_free(empty);
    rs_user_model_free(m);
    rs_graph_close(g);
    rs_item_store_free(store);
    rs_embedder_free(e);
}
END_TEST

static void exec_sql(rs_graph *g, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(rs__graph_db(g), sql, NULL, NULL, &err);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, err ? err : "?");
    sqlite3_free(err);
}

/* Saves the model afresh, damages it with sql, expects status and a
 * message containing needle. */
static void damaged(rs_graph *g, rs_user_model *m, rs_item_store *store, const char *sql,
                    int status, const char *needle)
{
    rs_user_model *back = (rs_user_model *)1;
    ck_assert_ok(rs_user_model_save(m, g, "users"));
    exec_sql(g, sql);
    ck_assert_status(rs_user_model_load(g, "users", store, &back), status);
    ck_assert_ptr_null(back);
    if (needle)
        ck_assert_errmsg_has(needle);
}

START_TEST(corrupt_rows_are_reported)
{
    rs_graph *g;
    rs_item_store *store = make_store(0);
    rs_embedder *e;
    ck_assert_ok(rs_embedder_create_callback(4, embed, NULL, &e));
    rs_user_model *m = make_model(store, e);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    /* a flipped byte in a user's row */
    damaged(g, m, store,
            "UPDATE user_vectors SET data = substr(data, 1, 20) || x'ff' || substr(data, 22)"
            " WHERE user = 'bob'",
            RS_ERR_CORRUPT, "bob");
    /* a wrong checksum */
    damaged(g, m, store, "UPDATE user_vectors SET checksum = 0 WHERE user = 'alice'",
            RS_ERR_CORRUPT, "checksum");
    /* the header */
    damaged(g, m, store, "UPDATE user_models SET header = substr(header, 1, 10)",
            RS_ERR_CORRUPT, "header");
    damaged(g, m, store, "UPDATE user_models SET checksum = checksum + 1", RS_ERR_CORRUPT,
            "checksum");
    /* a lost row */
    damaged(g, m, store, "DELETE FROM user_vectors WHERE user = 'carol'", RS_ERR_CORRUPT,
            "2 user rows");
    /* the header's user count disagrees with its column */
    damaged(g, m, store, "UPDATE user_models SET users = 7", RS_ERR_CORRUPT, "count");
    /* a newer format */
    damaged(g, m, store, "UPDATE user_models SET format = 99", RS_ERR_VERSION, "99");
    /* not a blob at all */
    damaged(g, m, store, "UPDATE user_vectors SET data = x'' WHERE user = 'bob'",
            RS_ERR_CORRUPT, "bob");
    /* after all that, a fresh save loads again */
    rs_user_model *back;
    ck_assert_ok(rs_user_model_save(m, g, "users"));
    ck_assert_ok(rs_user_model_load(g, "users", store, &back));
    assert_same_users(m, store, back, store);
    rs_user_model_free(back);
    rs_user_model_free(m);
    rs_graph_close(g);
    rs_item_store_free(store);
    rs_embedder_free(e);
}
END_TEST

/* A row whose content is damaged but re-checksummed: the parser still has
 * to refuse it (bad lengths, NaN, an event naming no item). */
START_TEST(consistent_checksum_bad_content)
{
    rs_graph *g;
    rs_item_store *store = make_store(0);
    rs_user_model *m, *back;
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_observe(m, "u", "mug", NULL, 1.0, 3));
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_user_model_save(m, g, "users"));
    sqlite3 *db = rs__graph_db(g);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT data FROM user_vectors WHERE user = 'u'",
                                        -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    unsigned char row[256];
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    ck_assert_uint_le(len, sizeof row);
    memcpy(row, sqlite3_column_blob(st, 0), len);
    sqlite3_finalize(st);
    /* layout: t_ref 8, flags 4, 0 4, interest 16, n 8, event (key 4, w 4, t 8) */
    ck_assert_uint_eq(len, 16 + 16 + 8 + 16);
    struct {
        size_t at;
        unsigned char byte;
        const char *needle;
    } cases[] = {
        {16, 0xff, "NaN"},         /* interest[0] high bytes -> NaN */
        {32, 9, "history length"}, /* n = 9 */
        {40, 5, "no item"},        /* key index 5 of a table of 1 */
        {8, 7, "row header"},      /* unknown flags */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned char bad[256];
        memcpy(bad, row, len);
        bad[cases[c].at] = cases[c].byte;
        if (cases[c].at == 16)
            bad[17] = 0xff, bad[18] = 0xff, bad[19] = 0x7f;
        ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE user_vectors SET data = ?1, checksum ="
                                                " ?2 WHERE user = 'u'", -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_blob(st, 1, bad, (int)len, SQLITE_TRANSIENT);
        uint64_t h = XXH3_64bits(bad, len);
        sqlite3_int64 sum;
        memcpy(&sum, &h, sizeof sum);
        sqlite3_bind_int64(st, 2, sum);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        ck_assert_status(rs_user_model_load(g, "users", store, &back), RS_ERR_CORRUPT);
        ck_assert_errmsg_has(cases[c].needle);
    }
    rs_user_model_free(m);
    rs_graph_close(g);
    rs_item_store_free(store);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("user_persist");
    TCase *tc = tcase_create("persist");
    tcase_add_test(tc, round_trip_through_a_file);
    tcase_add_test(tc, replace_empty_and_names);
    tcase_add_test(tc, corrupt_rows_are_reported);
    tcase_add_test(tc, consistent_checksum_bad_content);
    suite_add_tcase(s, tc);
    return s;
}
