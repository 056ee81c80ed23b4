/*
 * test_learn_cf_keys.c - the item keys a collaborative model carries: set,
 * look up, saved and loaded with the model (both loads), dropped by a
 * refit, a damaged or newer key list refused with the key named; the
 * scorer taking the model without a key array; an rs_model's collaborative
 * model carrying its store's keys in store order.
 */
#include "evalsim_fixture.h"
#include "meta_poke.h"

#include "learn/cf_internal.h"

#include <sqlite3.h>

static const char *const keys4[] = {"i1", "i2", "i3", "i4"};

static rs_cf_model *fitted(int kind)
{
    static const uint32_t users[] = {0, 0, 1, 1, 2, 2, 2};
    static const uint32_t items[] = {0, 1, 1, 2, 0, 2, 3};
    rs_cf_matrix *x = NULL;
    rs_cf_model *m = NULL;
    ck_assert_ok(rs_cf_matrix_create(3, 4, users, items, NULL, 7, &x));
    ck_assert_ok(rs_cf_model_create(kind, &m));
    ck_assert_ok(rs_cf_model_fit(m, x));
    rs_cf_matrix_free(x);
    return m;
}

START_TEST(set_and_look_up)
{
    rs_cf_model *m = fitted(RS_CF_EASE), *unfitted = NULL;
    const char *const dup[] = {"i1", "i2", "i1", "i4"};
    const char *const bad[] = {"i1", "", "i3", "i4"};
    uint32_t index = 99;
    ck_assert_ptr_null(rs_cf_model_item_key(m, 0));
    ck_assert_status(rs_cf_model_item_index(m, "i1", &index), RS_ERR_STATE);
    ck_assert_ok(rs_cf_model_set_item_keys(m, keys4, 4));
    ck_assert_str_eq(rs_cf_model_item_key(m, 2), "i3");
    ck_assert_ptr_null(rs_cf_model_item_key(m, 4));
    ck_assert_ptr_null(rs_cf_model_item_key(NULL, 0));
    ck_assert_ok(rs_cf_model_item_index(m, "i4", &index));
    ck_assert_uint_eq(index, 3);
    ck_assert_status(rs_cf_model_item_index(m, "i9", &index), RS_ERR_NOTFOUND);
    ck_assert_status(rs_cf_model_item_index(m, NULL, &index), RS_ERR_INVALID);
    ck_assert_status(rs_cf_model_item_index(m, "i1", NULL), RS_ERR_INVALID);
    /* failures keep the keys */
    ck_assert_status(rs_cf_model_set_item_keys(m, dup, 4), RS_ERR_EXISTS);
    ck_assert_errmsg_has("\"i1\"");
    ck_assert_status(rs_cf_model_set_item_keys(m, bad, 4), RS_ERR_INVALID);
    ck_assert_status(rs_cf_model_set_item_keys(m, keys4, 3), RS_ERR_DIM);
    ck_assert_status(rs_cf_model_set_item_keys(m, NULL, 4), RS_ERR_INVALID);
    ck_assert_status(rs_cf_model_set_item_keys(NULL, keys4, 4), RS_ERR_INVALID);
    ck_assert_str_eq(rs_cf_model_item_key(m, 0), "i1");
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE, &unfitted));
    ck_assert_status(rs_cf_model_set_item_keys(unfitted, keys4, 4), RS_ERR_STATE);
    rs_cf_model_free(unfitted);
    rs_cf_model_free(m);
}
END_TEST

START_TEST(refit_drops_them)
{
    static const uint32_t users[] = {0, 1};
    static const uint32_t items[] = {0, 1};
    rs_cf_model *m = fitted(RS_CF_ITEMKNN);
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_model_set_item_keys(m, keys4, 4));
    ck_assert_ok(rs_cf_matrix_create(2, 2, users, items, NULL, 2, &x));
    ck_assert_ok(rs_cf_model_fit(m, x));
    ck_assert_ptr_null(rs_cf_model_item_key(m, 0));
    rs_cf_matrix_free(x);
    rs_cf_model_free(m);
}
END_TEST

START_TEST(saved_and_loaded)
{
    char *path = graph_temp_path("cfkeys");
    rs_graph *g = NULL;
    rs_cf_model *m = fitted(RS_CF_EASE), *back = NULL;
    ck_assert_ok(rs_cf_model_set_item_keys(m, keys4, 4));
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_cf_model_save(m, g, "ease"));
    ck_assert_ok(rs_cf_model_load(g, "ease", &back));
    ck_assert_str_eq(rs_cf_model_item_key(back, 3), "i4");
    rs_cf_model_free(back);
    rs_graph_close(g);
    /* read-only: the operator stays in the file, the keys come along */
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_ok(rs__cf_model_load_rows(g, "ease", &back));
    ck_assert_str_eq(rs_cf_model_item_key(back, 1), "i2");
    rs_cf_model_free(back);
    rs_graph_close(g);
    /* damaged: the key named; a newer format: both formats named */
    meta_poke(path, "cf.keys:ease", 20, 'X');
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_status(rs_cf_model_load(g, "ease", &back), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("cf.keys:ease");
    ck_assert_ptr_null(back);
    ck_assert_status(rs__cf_model_load_rows(g, "ease", &back), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("cf.keys:ease");
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ck_assert_ok(rs_cf_model_save(m, g, "ease"));
    rs_graph_close(g);
    meta_poke(path, "cf.keys:ease", 4, 9);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_status(rs_cf_model_load(g, "ease", &back), RS_ERR_VERSION);
    ck_assert_errmsg_has("format 9");
    ck_assert_errmsg_has("format 1");
    rs_graph_close(g);
    /* saved again without keys: the earlier keys do not come back */
    rs_cf_model_free(m);
    m = fitted(RS_CF_EASE);
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ck_assert_ok(rs_cf_model_save(m, g, "ease"));
    ck_assert_ok(rs_cf_model_load(g, "ease", &back));
    ck_assert_ptr_null(rs_cf_model_item_key(back, 0));
    rs_cf_model_free(back);
    rs_graph_close(g);
    rs_cf_model_free(m);
    graph_remove_db(path);
}
END_TEST

/* An rs_model's collaborative model carries the store's keys in store
 * order; the scorer takes it without keys, and refuses a model that
 * carries none without them. */
START_TEST(model_one_index_space)
{
    rs_model *m = fixture_model("cfkeys_model", 0, 0);
    rs_model *ro = NULL;
    const rs_cf_model *cf;
    rs_cf_model *bare = fitted(RS_CF_EASE);
    ck_assert_ok(rs_model_set_option(m, "build.cf", "ease"));
    ck_assert_ok(rs_model_set_int(m, "build.tune", 0));
    ck_assert_ok(rs_model_build(m));
    cf = rs_model_cf_model(m);
    ck_assert_ptr_nonnull(cf);
    ck_assert_uint_eq(rs_cf_model_items(cf), rs_model_item_count(m));
    for (uint32_t i = 0; i < rs_model_item_count(m); i++)
        ck_assert_str_eq(rs_cf_model_item_key(cf, i), rs_model_item_key(m, i));
    ck_assert_status(rs_scorer_set_collaborative(rs_model_scorer(m), bare, NULL, 0),
                     RS_ERR_STATE);
    ck_assert_ok(rs_scorer_set_collaborative(rs_model_scorer(m), cf, NULL, 0));
    rs_model_close(m);
    /* and after reopening the file */
    ck_assert_ok(rs_model_open(fixture_path, RS_MODEL_READONLY, &ro));
    cf = rs_model_cf_model(ro);
    for (uint32_t i = 0; i < rs_model_item_count(ro); i++)
        ck_assert_str_eq(rs_cf_model_item_key(cf, i), rs_model_item_key(ro, i));
    rs_model_close(ro);
    rs_cf_model_free(bare);
    fixture_remove();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("learn_cf_keys");
    TCase *tc = tcase_create("keys");
    (void)assert_same_value; /* the shared fixture's, unused here */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, set_and_look_up);
    tcase_add_test(tc, refit_drops_them);
    tcase_add_test(tc, saved_and_loaded);
    tcase_add_test(tc, model_one_index_space);
    suite_add_tcase(s, tc);
    return s;
}
