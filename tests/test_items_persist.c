/*
 * test_items_persist.c - saving an item store into a graph's model file and
 * loading it back: round trips, spaces, read-only graphs, and damaged rows
 * (checksum, blob, dimension) that must give RS_ERR_CORRUPT.
 */
#include "graph_fixture.h"

#include "items/items_internal.h"

#include <math.h>
#include <sqlite3.h>

enum { N = 300, D = 7 };

static rs_item_store *sample_store(void)
{
    rs_item_store *store;
    char key[32];
    float v[D];
    ck_assert_ok(rs_item_store_create(D, &store));
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "item-%d", i);
        for (int d = 0; d < D; d++)
            v[d] = i % 50 == 0 ? 0.0f : (float)sin(i * 7.0 + d) * 3.5f;
        ck_assert_ok(rs_item_store_add(store, key, v, D, NULL));
        if (i % 5 == 0)
            ck_assert_ok(rs_item_store_set_attribute(store, key, 3, 1));
        if (i % 7 == 0)
            ck_assert_ok(rs_item_store_set_attribute(store, key, 130, 1));
    }
    ck_assert_ok(rs_item_store_remove(store, "item-10"));
    ck_assert_ok(rs_item_store_remove(store, "item-299"));
    return store;
}

/* Same keys, vectors (bitwise) and attributes. */
static void assert_same_items(const rs_item_store *a, const rs_item_store *b)
{
    float va[16], vb[16];
    size_t dim = rs_item_store_dim(a);
    ck_assert_uint_eq(rs_item_store_count(a), rs_item_store_count(b));
    ck_assert_uint_eq(rs_item_store_dim(b), dim);
    ck_assert_uint_le(dim, 16);
    for (uint32_t i = 0; i < rs_item_store_span(a); i++) {
        const char *key = rs_item_store_key(a, i);
        static const uint32_t attrs[] = {0, 3, 130, 200};
        if (!key)
            continue;
        ck_assert_ok(rs_item_store_get(a, key, va, dim));
        ck_assert_ok(rs_item_store_get(b, key, vb, dim));
        ck_assert_mem_eq(va, vb, dim * sizeof *va);
        for (size_t j = 0; j < 4; j++) {
            int on_a, on_b;
            ck_assert_ok(rs_item_store_get_attribute(a, key, attrs[j], &on_a));
            ck_assert_ok(rs_item_store_get_attribute(b, key, attrs[j], &on_b));
            ck_assert_int_eq(on_a, on_b);
        }
    }
}

START_TEST(round_trip_through_a_file)
{
    char *path = graph_temp_path("items");
    rs_item_store *store = sample_store(), *loaded = NULL;
    rs_graph *g;
    uint32_t node;
    float q[D] = {1, -1, 0.5f, 0, 2, 0, 1};
    uint32_t ia[5], ib[5];
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_item_store_save(store, g, "als"));
    ck_assert_ok(rs_graph_find_node(g, "item", "item-42", &node));
    ck_assert_status(rs_graph_find_node(g, "item", "item-10", &node), RS_ERR_NOTFOUND);
    rs_graph_close(g);

    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_ok(rs_item_store_load(g, "als", &loaded));
    assert_same_items(store, loaded);
    /* Searches agree item for item (indices may differ: compare keys). */
    ck_assert_ok(rs_item_store_search(store, q, 1, D, 5, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0,
                                      ia, NULL, NULL));
    ck_assert_ok(rs_item_store_search(loaded, q, 1, D, 5, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0,
                                      ib, NULL, NULL));
    for (int j = 0; j < 5; j++)
        ck_assert_str_eq(rs_item_store_key(store, ia[j]), rs_item_store_key(loaded, ib[j]));
    /* A read-only graph cannot be written. */
    ck_assert_status(rs_item_store_save(store, g, "als"), RS_ERR_READONLY);
    rs_item_store_free(loaded);
    ck_assert_status(rs_item_store_load(g, "nope", &loaded), RS_ERR_NOTFOUND);
    ck_assert_ptr_null(loaded);
    rs_graph_close(g);
    rs_item_store_free(store);
    graph_remove_db(path);
}
END_TEST

START_TEST(spaces_and_resaving)
{
    rs_graph *g;
    rs_item_store *a = sample_store(), *b, *loaded;
    const float v[3] = {1, 2, 3};
    ck_assert_ok(rs_graph_open(":memory:", 0, &g));
    ck_assert_ok(rs_item_store_create(3, &b));
    ck_assert_ok(rs_item_store_add(b, "item-1", v, 3, NULL));
    ck_assert_ok(rs_item_store_add(b, "other", v, 3, NULL));
    ck_assert_ok(rs_item_store_save(a, g, "als"));
    ck_assert_ok(rs_item_store_save(b, g, "text"));
    ck_assert_ok(rs_item_store_load(g, "text", &loaded));
    assert_same_items(b, loaded);
    rs_item_store_free(loaded);
    ck_assert_ok(rs_item_store_load(g, "als", &loaded));
    assert_same_items(a, loaded);
    rs_item_store_free(loaded);
    /* Saving again after a removal drops the removed item from the file. */
    ck_assert_ok(rs_item_store_remove(a, "item-20"));
    ck_assert_ok(rs_item_store_save(a, g, "als"));
    ck_assert_ok(rs_item_store_load(g, "als", &loaded));
    assert_same_items(a, loaded);
    ck_assert_status(rs_item_store_index(loaded, "item-20", &(uint32_t){0}), RS_ERR_NOTFOUND);
    rs_item_store_free(loaded);
    /* An empty store round-trips with its dimension. */
    rs_item_store_free(b);
    ck_assert_ok(rs_item_store_create(9, &b));
    ck_assert_ok(rs_item_store_save(b, g, "empty"));
    ck_assert_ok(rs_item_store_load(g, "empty", &loaded));
    ck_assert_uint_eq(rs_item_store_dim(loaded), 9);
    ck_assert_uint_eq(rs_item_store_count(loaded), 0);
    rs_item_store_free(loaded);
    rs_item_store_free(b);
    rs_item_store_free(a);
    rs_graph_close(g);
}
END_TEST

START_TEST(bad_arguments)
{
    rs_graph *g;
    rs_item_store *store = sample_store(), *loaded = (rs_item_store *)1;
    ck_assert_ok(rs_graph_open(":memory:", 0, &g));
    ck_assert_status(rs_item_store_save(NULL, g, "s"), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_save(store, NULL, "s"), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_save(store, g, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_save(store, g, ""), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_save(store, g, "\xff"), RS_ERR_ENCODING);
    ck_assert_status(rs_item_store_load(g, "s", NULL), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_load(NULL, "s", &loaded), RS_ERR_INVALID);
    ck_assert_ptr_null(loaded);
    ck_assert_status(rs_item_store_load(g, NULL, &loaded), RS_ERR_INVALID);
    rs_item_store_free(store);
    rs_graph_close(g);
}
END_TEST

/* Damage one row with SQL, then loading must fail with RS_ERR_CORRUPT. */
static void expect_corrupt(const char *damage, const char *message_part)
{
    rs_graph *g;
    rs_item_store *store = sample_store(), *loaded = (rs_item_store *)1;
    ck_assert_ok(rs_graph_open(":memory:", 0, &g));
    ck_assert_ok(rs_item_store_save(store, g, "als"));
    ck_assert_int_eq(sqlite3_exec(rs__graph_db(g), damage, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_status(rs_item_store_load(g, "als", &loaded), RS_ERR_CORRUPT);
    ck_assert_errmsg_has(message_part);
    ck_assert_errmsg_has("'als'");
    ck_assert_ptr_null(loaded);
    rs_item_store_free(store);
    rs_graph_close(g);
}

START_TEST(damaged_rows_are_corrupt)
{
    const char *one =
        " WHERE node_id = (SELECT node_id FROM node_vectors ORDER BY node_id LIMIT 1 OFFSET 17)";
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE node_vectors SET checksum = checksum + 1%s", one);
    expect_corrupt(sql, "checksum mismatch");
    /* Flip bytes of the blob, keep its length. */
    snprintf(sql, sizeof sql,
             "UPDATE node_vectors SET data = zeroblob(4) || substr(data, 5)%s", one);
    expect_corrupt(sql, "checksum mismatch");
    snprintf(sql, sizeof sql, "UPDATE node_vectors SET data = substr(data, 1, 12)%s", one);
    expect_corrupt(sql, "blob length");
    snprintf(sql, sizeof sql, "UPDATE node_vectors SET dim = 8%s", one);
    expect_corrupt(sql, "dimension");
    snprintf(sql, sizeof sql, "UPDATE node_vectors SET data = 'text'%s", one);
    expect_corrupt(sql, "node");
    expect_corrupt("UPDATE meta SET value = 'seven' WHERE key = 'item_store.dim:als'",
                   "not a dimension");
}
END_TEST

START_TEST(damaged_dimension_meta_and_foreign_rows)
{
    rs_graph *g;
    rs_item_store *loaded;
    ck_assert_ok(rs_graph_open(":memory:", 0, &g));
    /* Rows written by another tool without our meta: the dimension comes
     * from the rows and is checked against each. */
    ck_assert_ok(rs_graph_add_node(g, "item", "x", &(uint32_t){0}));
    ck_assert_int_eq(sqlite3_exec(rs__graph_db(g),
                                  "INSERT INTO node_vectors VALUES"
                                  " ((SELECT id FROM nodes LIMIT 1), 'sp', 0, 0, x'00')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_status(rs_item_store_load(g, "sp", &loaded), RS_ERR_CORRUPT);
    rs_graph_close(g);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("items_persist");
    TCase *tc = tcase_create("persist");
    tcase_add_test(tc, round_trip_through_a_file);
    tcase_add_test(tc, spaces_and_resaving);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, damaged_rows_are_corrupt);
    tcase_add_test(tc, damaged_dimension_meta_and_foreign_rows);
    suite_add_tcase(s, tc);
    return s;
}
