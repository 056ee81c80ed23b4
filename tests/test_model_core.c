/*
 * test_model_core.c - rs_model: import, build, open a built file back
 * (identical lists), recommend / batch / similar / explain, observe, the
 * read-only and failure rules, and bad input.
 */
#include "testutil.h"
#include "learn/cf_internal.h"

#define MODEL_PATH_PREFIX "rs_model"
#include "model_path.h"

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_USERS 40
#define N_ITEMS 30
#define K 5

static const char *const words[3][4] = {{"metal", "lantern", "candle", "holder"},
                                        {"cotton", "bag", "tote", "print"},
                                        {"ceramic", "mug", "cup", "tea"}};

static void import_text(rs_model *m, const char *text, int kind)
{
    rs_reader *r = NULL;
    uint64_t rows = 0;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "data.tsv", RS_FORMAT_TSV, &r));
    if (kind == 0) {
        ck_assert_ok(rs_model_import_interactions(m, r, NULL, "bought", 0, &rows));
    } else if (kind == 1) {
        const char *props[] = {"description"};
        ck_assert_ok(rs_model_import_items(m, r, NULL, NULL, 0, props, 1, &rows));
    } else {
        const char *attrs[] = {"country"};
        ck_assert_ok(rs_model_import_users(m, r, NULL, attrs, 1, NULL, 0, NULL, &rows));
    }
    ck_assert_uint_gt(rows, 0);
    rs_reader_close(r);
}

/* Items in three themes; each user buys mostly from one theme, at times
 * spread over 100 days. */
static rs_model *make_model(const char *tag, int build)
{
    static char buf[65536];
    rs_model *m = NULL;
    size_t used;
    set_path(tag);
    ck_assert_ok(rs_model_open(path, RS_MODEL_CREATE, &m));
    used = (size_t)snprintf(buf, sizeof buf, "item\tdescription\n");
    for (int i = 0; i < N_ITEMS; i++) {
        const char *const *w = words[i % 3];
        used += (size_t)snprintf(buf + used, sizeof buf - used, "i%02d\t%s %s %s no%d\n", i,
                                 w[i % 4], w[(i + 1) % 4], w[(i / 3) % 4], i);
    }
    import_text(m, buf, 1);
    used = (size_t)snprintf(buf, sizeof buf, "user\tcountry\n");
    for (int u = 0; u < N_USERS; u++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "u%02d\t%s\n", u,
                                 u % 2 ? "France" : "Spain");
    import_text(m, buf, 2);
    used = (size_t)snprintf(buf, sizeof buf, "user\titem\ttime\tweight\n");
    for (int u = 0; u < N_USERS; u++) {
        int theme = u % 3, n = 3 + u % 6;
        for (int e = 0; e < n; e++) {
            int item = (e == n - 1) ? (u * 7) % N_ITEMS : (theme + 3 * ((u + e * 5) % 10)) % N_ITEMS;
            used += (size_t)snprintf(buf + used, sizeof buf - used, "u%02d\ti%02d\t%d\t%d\n", u,
                                     item, 1290000000 + (u * 13 + e * 86400 * 7) % 8640000,
                                     1 + e % 3);
        }
    }
    import_text(m, buf, 0);
    if (build)
        ck_assert_ok(rs_model_build(m));
    return m;
}

struct lists {
    const char *keys[N_USERS + 2][K];
    char owned[N_USERS + 2][K][16];
    float scores[N_USERS + 2][K];
    size_t n[N_USERS + 2];
};

static const char *user_key(int u, char *buf)
{
    if (u < N_USERS)
        snprintf(buf, 16, "u%02d", u);
    else
        snprintf(buf, 16, "stranger%d", (u - N_USERS) % 10);
    return buf;
}

static void all_lists(const rs_model *m, struct lists *l)
{
    for (int u = 0; u < N_USERS + 2; u++) {
        char key[16];
        ck_assert_ok(rs_model_recommend(m, user_key(u, key), K, NULL, 0, NULL, 0, l->keys[u],
                                        l->scores[u], NULL, &l->n[u]));
        for (size_t i = 0; i < l->n[u]; i++)
            snprintf(l->owned[u][i], 16, "%s", l->keys[u][i]);
    }
}

static void assert_same(const struct lists *a, const struct lists *b)
{
    for (int u = 0; u < N_USERS + 2; u++) {
        ck_assert_uint_eq(a->n[u], b->n[u]);
        for (size_t i = 0; i < a->n[u]; i++) {
            ck_assert_str_eq(a->owned[u][i], b->owned[u][i]);
            ck_assert_msg(memcmp(&a->scores[u][i], &b->scores[u][i], sizeof(float)) == 0,
                          "user %d rank %zu: %.9g != %.9g", u, i, a->scores[u][i],
                          b->scores[u][i]);
        }
    }
}

/* A digest of what a build writes: meta, vectors and user models. */
static unsigned long long digest(void)
{
    static const char *const queries[] = {
        "SELECT key, value FROM meta ORDER BY key",
        "SELECT node_id, space, data FROM node_vectors ORDER BY node_id, space",
        "SELECT * FROM user_vectors ORDER BY 1, 2"};
    sqlite3 *db = NULL;
    unsigned long long h = 1469598103934665603ull;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(db, queries[q], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *p = sqlite3_column_blob(st, c);
                int n = sqlite3_column_bytes(st, c);
                for (int i = 0; i < n; i++)
                    h = (h ^ p[i]) * 1099511628211ull;
                h = (h ^ 0xff) * 1099511628211ull;
            }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return h;
}

START_TEST(test_round_trip)
{
    rs_model *m = make_model("roundtrip", 0), *again = NULL;
    struct lists *built = calloc(1, sizeof *built), *opened = calloc(1, sizeof *opened);
    const char *keys[K];
    size_t n = 99;
    ck_assert_int_eq(rs_model_is_built(m), 0);
    ck_assert_status(rs_model_recommend(m, "u01", K, NULL, 0, NULL, 0, keys, NULL, NULL, &n),
                     RS_ERR_STATE);
    ck_assert_uint_eq(n, 0);
    ck_assert_errmsg_has("not built");
    ck_assert_ok(rs_model_build(m));
    ck_assert_int_eq(rs_model_is_built(m), 1);
    ck_assert_uint_eq(rs_model_item_count(m), N_ITEMS);
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_USERS), N_USERS);
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY), N_USERS);
    ck_assert_uint_gt(rs_model_count(m, RS_MODEL_COUNT_EVENTS), N_USERS * 2);
    ck_assert_ptr_nonnull(rs_model_cf_model(m));
    all_lists(m, built);
    for (int u = 0; u < N_USERS + 2; u++) {
        ck_assert_uint_eq(built->n[u], K);
        for (size_t i = 1; i < K; i++)
            ck_assert_float_le(built->scores[u][i], built->scores[u][i - 1]);
    }
    rs_model_close(m);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &again));
    ck_assert_int_eq(rs_model_is_built(again), 1);
    all_lists(again, opened);
    assert_same(built, opened);
    /* the index space */
    for (uint32_t i = 0; i < N_ITEMS; i++) {
        uint32_t back = 0;
        ck_assert_ptr_nonnull(rs_model_item_key(again, i));
        ck_assert_ok(rs_model_item_index(again, rs_model_item_key(again, i), &back));
        ck_assert_uint_eq(back, i);
    }
    ck_assert_ptr_null(rs_model_item_key(again, N_ITEMS));
    rs_model_close(again);
    remove_model();
    free(built);
    free(opened);
}
END_TEST

/* A file of 1.0 holds no user model: the history rule rebuilds the same. */
START_TEST(test_open_without_saved_user_model)
{
    rs_model *m = make_model("v10", 1);
    struct lists *built = calloc(1, sizeof *built), *opened = calloc(1, sizeof *opened);
    all_lists(m, built);
    rs_model_close(m);
    sql("DELETE FROM user_vectors; DELETE FROM user_models;");
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    all_lists(m, opened);
    assert_same(built, opened);
    rs_model_close(m);
    remove_model();
    free(built);
    free(opened);
}
END_TEST

START_TEST(test_history_excluded_and_filters)
{
    rs_model *m = make_model("filters", 1);
    const char *keys[K], *first[K];
    uint32_t items[K], history[64];
    float scores[K];
    size_t n = 0, n_first = 0, n_history = 0;
    ck_assert_ok(rs_model_recommend(m, "u05", K, NULL, 0, NULL, 0, first, scores, items,
                                    &n_first));
    ck_assert_ok(rs_user_model_history(rs_model_user_model(m), "u05", history, NULL, 64,
                                       &n_history));
    for (size_t i = 0; i < n_first; i++) {
        ck_assert_str_eq(first[i], rs_model_item_key(m, items[i]));
        for (size_t h = 0; h < n_history; h++)
            ck_assert_uint_ne(items[i], history[h]);
    }
    /* excluding the first two gives the rest, in order */
    ck_assert_ok(rs_model_recommend(m, "u05", K, first, 2, NULL, 0, keys, NULL, NULL, &n));
    ck_assert_uint_eq(n, K);
    for (size_t i = 0; i + 2 < K; i++)
        ck_assert_str_eq(keys[i], first[i + 2]);
    /* only three allowed (one unknown key): those, best first */
    {
        const char *only[] = {first[4], "no-such-item", first[1]};
        ck_assert_ok(rs_model_recommend(m, "u05", K, NULL, 0, only, 3, keys, NULL, NULL, &n));
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(keys[0], first[1]);
        ck_assert_str_eq(keys[1], first[4]);
    }
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(test_batch_equals_single)
{
    rs_model *m = make_model("batch", 1);
    struct lists *single = calloc(1, sizeof *single);
    const char *users[N_USERS + 2], *keys[(N_USERS + 2) * K];
    char names[N_USERS + 2][16];
    float scores[(N_USERS + 2) * K];
    uint32_t items[(N_USERS + 2) * K];
    size_t counts[N_USERS + 2];
    all_lists(m, single);
    for (int u = 0; u < N_USERS + 2; u++)
        users[u] = user_key(u, names[u]);
    for (int threads = 1; threads <= 2; threads++) {
        ck_assert_ok(rs_set_num_threads(threads));
        memset(scores, 0, sizeof scores);
        ck_assert_ok(rs_model_recommend_batch(m, users, N_USERS + 2, K, keys, scores, items,
                                              counts));
        for (int u = 0; u < N_USERS + 2; u++) {
            ck_assert_uint_eq(counts[u], single->n[u]);
            for (size_t i = 0; i < counts[u]; i++) {
                ck_assert_str_eq(keys[u * K + i], single->owned[u][i]);
                ck_assert(memcmp(&scores[u * K + i], &single->scores[u][i], sizeof(float)) == 0);
            }
        }
        ck_assert_ok(rs_model_recommend_batch(m, users, N_USERS + 2, K, NULL, NULL, NULL,
                                              counts));
    }
    users[3] = "bad\xff";
    ck_assert_status(rs_model_recommend_batch(m, users, N_USERS + 2, K, keys, NULL, NULL, counts),
                     RS_ERR_ENCODING);
    ck_assert_errmsg_has("user 3");
    rs_model_close(m);
    remove_model();
    free(single);
}
END_TEST

/* Every user with a history, once each, in node order, page by page. */
static size_t list_users(const rs_model *m, size_t page, char names[][16], size_t max)
{
    size_t cursor = 0, n = 0, total = 0;
    const char *keys[8];
    ck_assert_uint_le(page, 8);
    do {
        ck_assert_ok(rs_model_users(m, &cursor, keys, page, &n));
        ck_assert_uint_le(n, page);
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_lt(total, max);
            snprintf(names[total++], 16, "%s", keys[i]);
        }
    } while (n > 0);
    return total;
}

START_TEST(test_users_listed)
{
    rs_model *m = make_model("users", 0);
    char names[N_USERS + 8][16];
    const char *keys[4];
    size_t cursor = 0, n = 9;
    ck_assert_status(rs_model_users(m, &cursor, keys, 4, &n), RS_ERR_STATE);
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(rs_model_build(m));
    ck_assert_status(rs_model_users(m, &cursor, keys, 0, &n), RS_ERR_INVALID);
    ck_assert_status(rs_model_users(NULL, &cursor, keys, 4, &n), RS_ERR_INVALID);
    ck_assert_status(rs_model_users(m, NULL, keys, 4, &n), RS_ERR_INVALID);
    /* a profile without events is no user with a history */
    import_text(m, "user\tcountry\nlonely\tSpain\n", 2);
    rs_clear_error();
    for (size_t page = 1; page <= 8; page += 3) {
        ck_assert_uint_eq(list_users(m, page, names, N_USERS + 8), N_USERS);
        ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY), N_USERS);
        for (int u = 0; u < N_USERS; u++) {
            char key[16];
            ck_assert_str_eq(names[u], user_key(u, key));
        }
    }
    /* no error message left behind by the users without a history */
    ck_assert_str_eq(rs_errmsg(), "");
    ck_assert_ok(rs_model_observe(m, "newcomer", "i03", NULL, 1.0, 1300000100));
    ck_assert_uint_eq(list_users(m, 8, names, N_USERS + 8), N_USERS + 1);
    ck_assert_str_eq(names[N_USERS], "newcomer");
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(test_similar)
{
    rs_model *m = make_model("similar", 1);
    const char *keys[K];
    float scores[K];
    size_t n = 0;
    ck_assert_ok(rs_model_similar(m, "i04", K, keys, scores, NULL, &n));
    ck_assert_uint_eq(n, K);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_ne(keys[i], "i04");
        if (i)
            ck_assert_float_le(scores[i], scores[i - 1]);
    }
    ck_assert_status(rs_model_similar(m, "nope", K, keys, scores, NULL, &n), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("nope");
    ck_assert_status(rs_model_similar(m, "i04", 0, keys, scores, NULL, &n), RS_ERR_RANGE);
    rs_model_close(m);
    remove_model();
}
END_TEST

/* Every edge of every explained path exists; the ends are the user and
 * the item; an unknown user after a known one gets no path at all. */
static void check_explanation(rs_model *m, const char *user, const char *item)
{
    rs_explanation *e = NULL;
    rs_graph *g = rs_model_graph(m);
    size_t len;
    ck_assert_ok(rs_model_explain(m, user, item, &e));
    ck_assert_ptr_nonnull(rs_explanation_text(e));
    ck_assert_uint_gt(strlen(rs_explanation_text(e)), 0);
    len = rs_explanation_length(e);
    if (len > 0) {
        ck_assert_uint_ge(len, 2);
        ck_assert_str_eq(rs_explanation_node_type(e, 0), "user");
        ck_assert_str_eq(rs_explanation_node_key(e, 0), user);
        ck_assert_str_eq(rs_explanation_node_type(e, len - 1), "item");
        ck_assert_str_eq(rs_explanation_node_key(e, len - 1), item);
        for (size_t i = 0; i + 1 < len; i++) {
            uint32_t a, b, rel;
            int reversed = -1;
            const char *name = rs_explanation_relation(e, i, &reversed);
            ck_assert_ptr_nonnull(name);
            ck_assert_ok(rs_graph_find_node(g, rs_explanation_node_type(e, i),
                                            rs_explanation_node_key(e, i), &a));
            ck_assert_ok(rs_graph_find_node(g, rs_explanation_node_type(e, i + 1),
                                            rs_explanation_node_key(e, i + 1), &b));
            ck_assert_ok(rs_graph_find_relation(g, name, &rel));
            ck_assert_ok(reversed ? rs_graph_get_edge(g, b, rel, a, NULL, NULL)
                                  : rs_graph_get_edge(g, a, rel, b, NULL, NULL));
        }
        ck_assert_ptr_null(rs_explanation_relation(e, len - 1, NULL));
    } else {
        ck_assert_ptr_null(rs_explanation_node_key(e, 0));
    }
    ck_assert_ptr_null(rs_explanation_node_key(e, len));
    rs_explanation_free(e);
}

START_TEST(test_explain_paths_are_true)
{
    rs_model *m = make_model("explain", 1);
    rs_explanation *e = NULL;
    int with_path = 0;
    for (int u = 0; u < N_USERS + 2; u++) {
        const char *keys[K];
        char key[16];
        size_t n = 0;
        user_key(u, key);
        ck_assert_ok(rs_model_recommend(m, key, K, NULL, 0, NULL, 0, keys, NULL, NULL, &n));
        for (size_t i = 0; i < n; i++) {
            check_explanation(m, key, keys[i]);
            ck_assert_ok(rs_model_explain(m, key, keys[i], &e));
            with_path += rs_explanation_length(e) > 0;
            if (u >= N_USERS) { /* a stranger: popularity, no path */
                ck_assert_uint_eq(rs_explanation_length(e), 0);
                ck_assert_int_eq(rs_explanation_source(e), RS_SCORER_FROM_POPULARITY);
            }
            rs_explanation_free(e);
        }
    }
    ck_assert_int_gt(with_path, N_USERS);
    ck_assert_status(rs_model_explain(m, "u01", "nope", &e), RS_ERR_NOTFOUND);
    ck_assert_ptr_null(e);
    ck_assert_status(rs_model_explain(m, NULL, "i01", &e), RS_ERR_INVALID);
    rs_explanation_free(NULL);
    ck_assert_uint_eq(rs_explanation_length(NULL), 0);
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(test_readonly_rejects_writes)
{
    rs_model *m = make_model("readonly", 1);
    rs_reader *r = NULL;
    static const char text[] = "user\titem\nu01\ti02\n";
    unsigned long long before;
    rs_model_close(m);
    before = digest();
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    ck_assert_status(rs_model_build(m), RS_ERR_READONLY);
    ck_assert_status(rs_model_observe(m, "u01", "i02", NULL, 1, 5), RS_ERR_READONLY);
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "x.tsv", RS_FORMAT_TSV, &r));
    ck_assert_status(rs_model_import_interactions(m, r, NULL, NULL, 0, NULL), RS_ERR_READONLY);
    rs_reader_close(r);
    rs_model_close(m);
    ck_assert(digest() == before);
    remove_model();
}
END_TEST

START_TEST(test_failed_build_leaves_file)
{
    rs_model *m = make_model("failbuild", 1);
    struct lists *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    static const char text[] = "user\titem\ttime\nu01\ti02\t1300000000\nnewbie\ti03\t1300000000\n";
    unsigned long long before;
    rs_reader *r = NULL;
    rs_model_close(m);
    /* the user model is saved after the embedder, vectors and cf model */
    sql("CREATE TRIGGER fail_build BEFORE INSERT ON user_vectors"
        " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    before = digest();
    ck_assert_ok(rs_model_open(path, 0, &m));
    all_lists(m, a);
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "x.tsv", RS_FORMAT_TSV, &r));
    ck_assert_ok(rs_model_import_interactions(m, r, NULL, "bought", 0, NULL));
    rs_reader_close(r);
    before = digest(); /* the import is kept; only the build must not land */
    ck_assert_int_lt(rs_model_build(m), 0);
    ck_assert_errmsg_has("injected failure");
    ck_assert(digest() == before);
    /* the handle keeps the old parts */
    ck_assert_int_eq(rs_model_is_built(m), 1);
    all_lists(m, b);
    rs_model_close(m);
    remove_model();
    free(a);
    free(b);
}
END_TEST

START_TEST(test_observe_persists)
{
    rs_model *m = make_model("observe", 1);
    const char *keys[K];
    char taken[16];
    uint32_t history[64];
    size_t n = 0, before = 0, after = 0;
    struct lists *live = calloc(1, sizeof *live), *reopened = calloc(1, sizeof *reopened);
    ck_assert_ok(rs_user_model_history(rs_model_user_model(m), "u07", history, NULL, 64, &before));
    ck_assert_ok(rs_model_recommend(m, "u07", K, NULL, 0, NULL, 0, keys, NULL, NULL, &n));
    snprintf(taken, sizeof taken, "%s", keys[0]);
    ck_assert_ok(rs_model_observe(m, "u07", taken, "bought", 2.0, 1300000000));
    ck_assert_ok(rs_model_recommend(m, "u07", K, NULL, 0, NULL, 0, keys, NULL, NULL, &n));
    for (size_t i = 0; i < n; i++)
        ck_assert_str_ne(keys[i], taken);
    /* a new user, created by the event */
    ck_assert_ok(rs_model_observe(m, "newcomer", "i03", NULL, 1.0, 1300000100));
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_USERS), N_USERS + 1);
    /* bad events change nothing */
    ck_assert_status(rs_model_observe(m, "u07", "nope", NULL, 1.0, 0), RS_ERR_NOTFOUND);
    ck_assert_status(rs_model_observe(m, "u07", "i01", NULL, NAN, 0), RS_ERR_RANGE);
    ck_assert_status(rs_model_observe(m, "bad\xc3", "i01", NULL, 1, 0), RS_ERR_ENCODING);
    all_lists(m, live);
    rs_model_close(m);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    ck_assert_ok(rs_user_model_history(rs_model_user_model(m), "u07", history, NULL, 64, &after));
    ck_assert_uint_eq(after, before + 1);
    ck_assert_ok(rs_user_model_history(rs_model_user_model(m), "newcomer", history, NULL, 64, &n));
    ck_assert_uint_eq(n, 1);
    all_lists(m, reopened);
    assert_same(live, reopened);
    rs_model_close(m);
    remove_model();
    free(live);
    free(reopened);
}
END_TEST

START_TEST(test_failed_observe_changes_nothing)
{
    rs_model *m = make_model("failobserve", 1);
    struct lists *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    unsigned long long before;
    size_t users;
    rs_model_close(m);
    sql("CREATE TRIGGER fail_observe BEFORE INSERT ON user_vectors"
        " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    before = digest();
    ck_assert_ok(rs_model_open(path, 0, &m));
    all_lists(m, a);
    users = rs_model_count(m, RS_MODEL_COUNT_USERS);
    ck_assert_int_lt(rs_model_observe(m, "brand-new", "i05", "bought", 1.0, 1300000000), 0);
    ck_assert_int_lt(rs_model_observe(m, "u02", "i05", "bought", 1.0, 1300000000), 0);
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_USERS), users);
    all_lists(m, b);
    assert_same(a, b);
    rs_model_close(m);
    ck_assert(digest() == before);
    remove_model();
    free(a);
    free(b);
}
END_TEST

START_TEST(test_bad_input)
{
    rs_model *m = make_model("bad", 1), *none = m;
    const char *keys[K];
    size_t n = 0;
    FILE *f;
    ck_assert_status(rs_model_open(NULL, 0, &none), RS_ERR_INVALID);
    ck_assert_ptr_null(none);
    ck_assert_status(rs_model_open(path, RS_MODEL_READONLY | RS_MODEL_CREATE, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_recommend(NULL, "u01", K, NULL, 0, NULL, 0, keys, NULL, NULL, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_recommend(m, NULL, K, NULL, 0, NULL, 0, keys, NULL, NULL, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_recommend(m, "u01", K, NULL, 0, NULL, 0, keys, NULL, NULL, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_recommend(m, "u01", 0, NULL, 0, NULL, 0, keys, NULL, NULL, &n),
                     RS_ERR_RANGE);
    ck_assert_status(rs_model_recommend(m, "u01", K, NULL, 2, NULL, 0, keys, NULL, NULL, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_recommend(m, "u\xe2\x82", K, NULL, 0, NULL, 0, keys, NULL, NULL,
                                        &n), RS_ERR_ENCODING);
    ck_assert_status(rs_model_recommend(m, "", K, NULL, 0, NULL, 0, keys, NULL, NULL, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_build(NULL), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_model_count(NULL, RS_MODEL_COUNT_ITEMS), 0);
    ck_assert_uint_eq(rs_model_count(m, 99), 0);
    ck_assert_ptr_null(rs_model_graph(NULL));
    rs_model_close(NULL);
    rs_model_close(m);

    /* a damaged blob: the collaborative model */
    sql("UPDATE meta SET value = zeroblob(64) WHERE key = 'cf.model:recsim'");
    ck_assert_status(rs_model_open(path, RS_MODEL_READONLY, &m), RS_ERR_CORRUPT);
    ck_assert_ptr_null(m);
    ck_assert_errmsg_has("collaborative");
    /* a file of a newer release */
    sql("PRAGMA user_version = 999");
    ck_assert_status(rs_model_open(path, RS_MODEL_READONLY, &m), RS_ERR_VERSION);
    ck_assert_errmsg_has("999");      /* the file's version */
    ck_assert_errmsg_has("versions up to"); /* and this library's */
    remove_model();
    /* not a model at all */
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 4096; i++)
        fputc(i * 7 % 251, f);
    fclose(f);
    ck_assert_status(rs_model_open(path, RS_MODEL_READONLY, &m), RS_ERR_CORRUPT);
    remove_model();
    /* missing without CREATE */
    ck_assert_int_lt(rs_model_open(path, 0, &m), 0);
    ck_assert_ptr_null(m);
    remove_model();
}
END_TEST

START_TEST(test_empty_graph_build)
{
    rs_model *m = NULL;
    set_path("empty");
    ck_assert_ok(rs_model_open(path, RS_MODEL_CREATE, &m));
    ck_assert_status(rs_model_build(m), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("no item");
    ck_assert_int_eq(rs_model_is_built(m), 0);
    rs_model_close(m);
    remove_model();
}
END_TEST

/* Events imported after a build count once the model is built again; an
 * in-memory model works like a file. */
START_TEST(test_import_then_rebuild)
{
    rs_model *m = make_model("rebuild", 1), *mem = NULL;
    static const char text[] = "user\titem\ttime\nlatecomer\ti03\t1300000000\n"
                               "latecomer\ti06\t1300000500\n";
    const char *keys[K];
    size_t n = 0, history = 0;
    rs_reader *r = NULL;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "late.tsv", RS_FORMAT_TSV, &r));
    ck_assert_ok(rs_model_import_interactions(m, r, NULL, "bought", 0, NULL));
    rs_reader_close(r);
    /* still the last build: a cold user, but served */
    ck_assert_ok(rs_model_recommend(m, "latecomer", K, NULL, 0, NULL, 0, keys, NULL, NULL, &n));
    ck_assert_uint_eq(n, K);
    ck_assert_status(rs_user_model_history(rs_model_user_model(m), "latecomer", NULL, NULL, 0,
                                           &history), RS_ERR_NOTFOUND);
    ck_assert_ok(rs_model_build(m));
    ck_assert_status(rs_user_model_history(rs_model_user_model(m), "latecomer", NULL, NULL, 0,
                                           &history), RS_ERR_BUFFER);
    ck_assert_uint_eq(history, 2);
    ck_assert_ok(rs_model_recommend(m, "latecomer", K, NULL, 0, NULL, 0, keys, NULL, NULL, &n));
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_ne(keys[i], "i03");
        ck_assert_str_ne(keys[i], "i06");
    }
    rs_model_close(m);
    remove_model();

    ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &mem));
    ck_assert_int_eq(rs_model_is_built(mem), 0);
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "late.tsv", RS_FORMAT_TSV, &r));
    ck_assert_ok(rs_model_import_interactions(mem, r, NULL, NULL, 0, NULL));
    rs_reader_close(r);
    ck_assert_ok(rs_model_build(mem));
    ck_assert_uint_eq(rs_model_item_count(mem), 2);
    ck_assert_ok(rs_model_recommend(mem, "someone", K, NULL, 0, NULL, 0, keys, NULL, NULL, &n));
    ck_assert_uint_eq(n, 2);
    rs_model_close(mem);
}
END_TEST

/*
 * tests/data/model_v10.rsm was written by release 1.0's CLI (`recsim
 * import` of the items, users and events make_model() generates, then
 * `recsim build --dim 16`): no user model and no options saved.  It opens
 * and recommends (the user model from the history rule), exactly as a
 * model rebuilt from it with the same dimension; the first write (an
 * observe) saves the user model.
 */
START_TEST(test_release_1_0_file)
{
    rs_model *m = NULL;
    struct lists *v10 = calloc(1, sizeof *v10), *rebuilt = calloc(1, sizeof *rebuilt);
    uint32_t history[64];
    size_t before = 0, after = 0;
    set_path("v10fixture");
    copy_fixture("tests/data/model_v10.rsm");
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    ck_assert_int_eq(rs_model_is_built(m), 1);
    ck_assert_uint_eq(rs_model_item_count(m), N_ITEMS);
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY), N_USERS);
    ck_assert_uint_eq(rs_embedder_dim(rs_model_embedder(m)), 16);
    ck_assert_ok(rs_user_model_history(rs_model_user_model(m), "u01", history, NULL, 64, &before));
    all_lists(m, v10);
    rs_model_close(m);

    ck_assert_ok(rs_model_open(path, 0, &m));
    ck_assert_ok(rs_model_observe(m, "u01", "i29", "bought", 1.0, 1300000000));
    rs_model_close(m);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    ck_assert_ok(rs_user_model_history(rs_model_user_model(m), "u01", history, NULL, 64, &after));
    ck_assert_uint_eq(after, before + 1);
    rs_model_close(m);

    copy_fixture("tests/data/model_v10.rsm");
    ck_assert_ok(rs_model_open(path, 0, &m));
    ck_assert_ok(rs_model_set_int(m, "embedder.dim", 16));
    /* the configuration as it is, not one chosen on validation */
    ck_assert_ok(rs_model_set_int(m, "build.tune", 0));
    ck_assert_ok(rs_model_build(m));
    all_lists(m, rebuilt);
    assert_same(v10, rebuilt);
    rs_model_close(m);
    remove_model();
    free(v10);
    free(rebuilt);
}
END_TEST

/* One read-only model serving recommend, explain and similar from 8
 * threads at once gives what one thread gets (run under `make tsan`). */
#define N_THREADS 8
struct worker {
    rs_model *m;
    const struct lists *want;
    int id, failures;
};

static void *serve(void *arg)
{
    struct worker *w = arg;
    for (int round = 0; round < 3; round++)
        for (int u = w->id % 3; u < N_USERS + 2; u += 3) {
            const char *keys[K];
            float scores[K];
            char key[16];
            size_t n = 0;
            rs_explanation *e = NULL;
            if (rs_model_recommend(w->m, user_key(u, key), K, NULL, 0, NULL, 0, keys, scores,
                                   NULL, &n) != RS_OK || n != w->want->n[u]) {
                w->failures++;
                continue;
            }
            for (size_t i = 0; i < n; i++)
                if (strcmp(keys[i], w->want->owned[u][i]) != 0 ||
                    memcmp(&scores[i], &w->want->scores[u][i], sizeof(float)) != 0)
                    w->failures++;
            if (n && rs_model_explain(w->m, key, keys[0], &e) != RS_OK)
                w->failures++;
            rs_explanation_free(e);
            if (rs_model_similar(w->m, w->want->owned[u][0], K, keys, scores, NULL, &n) != RS_OK ||
                n != K)
                w->failures++;
        }
    return NULL;
}

/* N_THREADS workers serving m at once, each list checked against want. */
static void serve_from_threads(rs_model *m, const struct lists *want)
{
    pthread_t threads[N_THREADS];
    struct worker workers[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        workers[t] = (struct worker){m, want, t, 0};
        ck_assert_int_eq(pthread_create(&threads[t], NULL, serve, &workers[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++) {
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
        ck_assert_int_eq(workers[t].failures, 0);
    }
}

START_TEST(test_threads_share_a_readonly_model)
{
    rs_model *m = make_model("threads", 1);
    struct lists *want = calloc(1, sizeof *want);
    rs_model_close(m);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    all_lists(m, want);
    serve_from_threads(m, want);
    rs_model_close(m);
    remove_model();
    free(want);
}
END_TEST

/* An EASE model opened read-only leaves its operator in the file and reads
 * the rows of each history (then, past the operator's size, all of it):
 * the lists and scores are bitwise those of the model as built, single,
 * batch and from 8 threads at once. */
START_TEST(test_readonly_reads_cf_rows)
{
    rs_model *m = make_model("cfrows", 0);
    struct lists *built = calloc(1, sizeof *built), *opened = calloc(1, sizeof *opened);
    const char *keys[K];
    float scores[K];
    size_t n = 0;
    ck_assert_ok(rs_model_set_int(m, "build.tune", 0));
    ck_assert_ok(rs_model_set_option(m, "build.cf", "ease"));
    ck_assert_ok(rs_model_build(m));
    ck_assert_int_eq(rs_cf_model_kind(rs_model_cf_model(m)), RS_CF_EASE);
    all_lists(m, built);
    rs_model_close(m);
    for (int round = 0; round < 3; round++) {
        ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
        const rs_cf_model *cf = rs_model_cf_model(m);
        ck_assert_ptr_nonnull(cf->rows);
        ck_assert(!rs__cf_rows_in_memory(cf));
        ck_assert_ok(rs_model_recommend(m, "u01", K, NULL, 0, NULL, 0, keys, scores, NULL, &n));
        ck_assert(!rs__cf_rows_in_memory(cf)); /* 4 rows of 30 read */
        if (round == 0) { /* single: rows, then the whole operator */
            all_lists(m, opened);
            assert_same(built, opened);
            ck_assert(rs__cf_rows_in_memory(cf));
        } else if (round == 1) { /* batch */
            const char *users[N_USERS + 2], *bkeys[(N_USERS + 2) * K];
            char names[N_USERS + 2][16];
            float bscores[(N_USERS + 2) * K];
            size_t counts[N_USERS + 2];
            for (int u = 0; u < N_USERS + 2; u++)
                users[u] = user_key(u, names[u]);
            ck_assert_ok(rs_model_recommend_batch(m, users, N_USERS + 2, K, bkeys, bscores, NULL,
                                                  counts));
            for (int u = 0; u < N_USERS + 2; u++) {
                ck_assert_uint_eq(counts[u], built->n[u]);
                for (size_t i = 0; i < counts[u]; i++) {
                    ck_assert_str_eq(bkeys[u * K + i], built->owned[u][i]);
                    ck_assert(memcmp(&bscores[u * K + i], &built->scores[u][i],
                                     sizeof(float)) == 0);
                }
            }
        } else { /* 8 threads, from the first call on */
            rs_model_close(m);
            ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
            serve_from_threads(m, built);
        }
        rs_model_close(m);
    }
    /* read-write: the operator is read whole at open, the same lists */
    ck_assert_ok(rs_model_open(path, 0, &m));
    ck_assert_ptr_null(rs_model_cf_model(m)->rows);
    all_lists(m, opened);
    assert_same(built, opened);
    rs_model_close(m);
    /* one flipped bit of the operator: refused at a read-only open */
    {
        sqlite3 *db = NULL;
        sqlite3_blob *b = NULL;
        sqlite3_stmt *st = NULL;
        unsigned char byte;
        ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
        ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT rowid FROM meta WHERE key = 'cf.model:recsim'",
                                            -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_blob_open(db, "main", "meta", "value",
                                           sqlite3_column_int64(st, 0), 1, &b), SQLITE_OK);
        ck_assert_int_eq(sqlite3_blob_read(b, &byte, 1, 1001), SQLITE_OK);
        byte ^= 1;
        ck_assert_int_eq(sqlite3_blob_write(b, &byte, 1, 1001), SQLITE_OK);
        sqlite3_blob_close(b);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    ck_assert_status(rs_model_open(path, RS_MODEL_READONLY, &m), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("cf.model:recsim");
    remove_model();
    free(built);
    free(opened);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_core");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_open_without_saved_user_model);
    tcase_add_test(tc, test_history_excluded_and_filters);
    tcase_add_test(tc, test_batch_equals_single);
    tcase_add_test(tc, test_similar);
    tcase_add_test(tc, test_users_listed);
    tcase_add_test(tc, test_explain_paths_are_true);
    tcase_add_test(tc, test_readonly_rejects_writes);
    tcase_add_test(tc, test_failed_build_leaves_file);
    tcase_add_test(tc, test_observe_persists);
    tcase_add_test(tc, test_failed_observe_changes_nothing);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_empty_graph_build);
    tcase_add_test(tc, test_threads_share_a_readonly_model);
    tcase_add_test(tc, test_readonly_reads_cf_rows);
    tcase_add_test(tc, test_import_then_rebuild);
    tcase_add_test(tc, test_release_1_0_file);
    suite_add_tcase(s, tc);
    return s;
}
