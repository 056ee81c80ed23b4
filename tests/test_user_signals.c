/*
 * test_user_signals.c - the user model beyond item events: the text
 * interest (rs_user_model_observe_text, RS_USER_TEXT_WEIGHT, decay, the
 * scorer's use of it) and collaborative fold-in inside observe
 * (rs_user_model_set_collaborative, rs_user_model_collaborative_factors).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const keys[] = {"lantern", "holder", "mug", "candle", "bowl", "vase"};
static const float vecs[][4] = {{1, 0.2f, 0, 0},    {0.9f, 0.3f, 0.1f, 0}, {0, 0, 1, 0.1f},
                                {0.1f, 0, 0, 1},    {0, 1, 0.2f, 0},       {0, 0.1f, 0.9f, 0.3f}};
#define N_ITEMS 6

/* "metal ..." -> the lantern's vector, "clay ..." -> the mug's, "" or
 * "the" -> zero, "fail" -> an error, else the bowl's. */
static int embed(void *ctx, const char *const *texts, size_t n, float *out, size_t dim,
                 char *message, size_t message_size)
{
    (void)ctx;
    for (size_t t = 0; t < n; t++) {
        const char *x = texts[t];
        if (strcmp(x, "fail") == 0) {
            snprintf(message, message_size, "the host refuses");
            return 1;
        }
        const float *v = strncmp(x, "metal", 5) == 0 ? vecs[0]
                         : strncmp(x, "clay", 4) == 0 ? vecs[2] : vecs[4];
        int zero = x[0] == '\0' || strcmp(x, "the") == 0;
        for (size_t j = 0; j < dim; j++)
            out[t * dim + j] = zero ? 0.0f : v[j];
    }
    return 0;
}

static rs_item_store *make_store(void)
{
    rs_item_store *s;
    ck_assert_ok(rs_item_store_create(4, &s));
    for (int i = 0; i < N_ITEMS; i++)
        ck_assert_ok(rs_item_store_add(s, keys[i], vecs[i], 4, NULL));
    return s;
}

static void unit(const float *v, double *out)
{
    double n = 0;
    for (int j = 0; j < 4; j++)
        n += (double)v[j] * v[j];
    for (int j = 0; j < 4; j++)
        out[j] = v[j] / sqrt(n);
}

START_TEST(text_interest_blends_with_history)
{
    rs_item_store *store = make_store();
    rs_user_model *m;
    rs_embedder *e, *wide;
    float v[4];
    double x[4], mug[4], lantern[4];
    unit(vecs[2], mug);
    unit(vecs[0], lantern);
    ck_assert_ok(rs_embedder_create_callback(4, embed, NULL, &e));
    ck_assert_ok(rs_user_model_create(store, &m));
    double tw;
    ck_assert_ok(rs_user_model_get_double(m, RS_USER_TEXT_WEIGHT, &tw));
    ck_assert_double_eq(tw, 0.3);

    /* a user with texts only: the interest is the text's direction */
    ck_assert_ok(rs_user_model_observe_text(m, "t", "metal lamp", 1.0, 0, e));
    ck_assert_uint_eq(rs_user_model_count(m), 1);
    ck_assert_ok(rs_user_model_interest(m, "t", v, 4));
    for (int j = 0; j < 4; j++)
        ck_assert_double_eq_tol(v[j], lantern[j], 1e-6);
    size_t n;
    uint32_t items[4];
    ck_assert_ok(rs_user_model_history(m, "t", items, NULL, 4, &n));
    ck_assert_uint_eq(n, 0);

    /* history (mug) and text (lantern): (1 - b) unit(h) + b unit(t) */
    ck_assert_ok(rs_user_model_observe(m, "u", "mug", NULL, 3.0, 0));
    ck_assert_ok(rs_user_model_observe_text(m, "u", "metal", 5.0, 0, e));
    for (int r = 0; r < 3; r++) {
        double b = r == 0 ? 0.3 : r == 1 ? 0.5 : 0.0, o = 0;
        ck_assert_ok(rs_user_model_set_double(m, RS_USER_TEXT_WEIGHT, b));
        ck_assert_ok(rs_user_model_interest(m, "u", v, 4));
        for (int j = 0; j < 4; j++)
            x[j] = (1 - b) * mug[j] + b * lantern[j], o += x[j] * x[j];
        for (int j = 0; j < 4; j++)
            ck_assert_double_eq_tol(v[j], x[j] / sqrt(o), 1e-6);
    }
    /* b = 0 ignores texts: the text-only user has no interest */
    ck_assert_ok(rs_user_model_interest(m, "t", v, 4));
    for (int j = 0; j < 4; j++)
        ck_assert_float_eq(v[j], 0.0f);
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_TEXT_WEIGHT, 0.3));

    /* decay: with a half-life of 10 s a text 10 s older counts half */
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_HALF_LIFE, 10.0));
    ck_assert_ok(rs_user_model_observe_text(m, "d", "metal", 1.0, 0, e));
    ck_assert_ok(rs_user_model_observe_text(m, "d", "clay", 1.0, 10, e));
    ck_assert_ok(rs_user_model_interest(m, "d", v, 4));
    for (int j = 0; j < 4; j++)
        x[j] = 0.5 * lantern[j] + mug[j];
    ck_assert_double_eq_tol(v[0] / v[2], x[0] / x[2], 1e-5);

    /* nothing to embed: no change, no user */
    size_t users = rs_user_model_count(m);
    ck_assert_ok(rs_user_model_observe_text(m, "nobody", "", 1.0, 0, e));
    ck_assert_ok(rs_user_model_observe_text(m, "nobody", "the", 1.0, 0, e));
    ck_assert_uint_eq(rs_user_model_count(m), users);
    ck_assert_status(rs_user_model_interest(m, "nobody", v, 4), RS_ERR_NOTFOUND);

    /* bad input leaves the model unchanged */
    float before[4];
    ck_assert_ok(rs_user_model_interest(m, "u", before, 4));
    ck_assert_status(rs_user_model_observe_text(m, "u", "fail", 1.0, 0, e), RS_ERR_CALLBACK);
    ck_assert_errmsg_has("refuses");
    ck_assert_status(rs_user_model_observe_text(m, "new", "fail", 1.0, 0, e), RS_ERR_CALLBACK);
    ck_assert_status(rs_user_model_observe_text(m, "u", "metal", NAN, 0, e), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_observe_text(m, "u", "metal", INFINITY, 0, e), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_observe_text(m, "u", "metal", 2e9, 0, e), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_observe_text(NULL, "u", "metal", 1, 0, e), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_observe_text(m, NULL, "metal", 1, 0, e), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_observe_text(m, "", "metal", 1, 0, e), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_observe_text(m, "\xc3(", "metal", 1, 0, e), RS_ERR_ENCODING);
    ck_assert_status(rs_user_model_observe_text(m, "u", NULL, 1, 0, e), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_observe_text(m, "u", "metal", 1, 0, NULL), RS_ERR_INVALID);
    ck_assert_ok(rs_embedder_create_callback(8, embed, NULL, &wide));
    ck_assert_status(rs_user_model_observe_text(m, "u", "metal", 1, 0, wide), RS_ERR_DIM);
    ck_assert_errmsg_has("8");
    ck_assert_uint_eq(rs_user_model_count(m), users);
    ck_assert_ok(rs_user_model_interest(m, "u", v, 4));
    ck_assert_mem_eq(v, before, sizeof v);
    ck_assert_status(rs_user_model_set_double(m, RS_USER_TEXT_WEIGHT, 1.5), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_double(m, RS_USER_TEXT_WEIGHT, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_double(m, 11, 0.5), RS_ERR_INVALID);
    ck_assert_ok(rs_user_model_get_double(m, RS_USER_TEXT_WEIGHT, &tw));
    ck_assert_double_eq(tw, 0.3);

    rs_embedder_free(wide);
    rs_embedder_free(e);
    rs_user_model_free(m);
    rs_item_store_free(store);
}
END_TEST

START_TEST(scorer_uses_the_text_interest)
{
    rs_item_store *store = make_store();
    rs_user_model *m;
    rs_embedder *e;
    rs_graph *g;
    rs_scorer *s;
    uint32_t node, items[N_ITEMS];
    float sc[N_ITEMS];
    size_t n;
    ck_assert_ok(rs_embedder_create_callback(4, embed, NULL, &e));
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    for (int i = 0; i < N_ITEMS; i++)
        ck_assert_ok(rs_graph_add_node(g, "item", keys[i], &node));
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_scorer_create(g, store, m, &s));
    /* a searcher for "metal" gets lantern-like items first, "clay" mug-like */
    ck_assert_ok(rs_user_model_observe_text(m, "searcher", "metal lamp", 1.0, 0, e));
    ck_assert_ok(rs_scorer_recommend(s, "searcher", 2, items, sc, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rs_item_store_key(store, items[0]), "lantern");
    ck_assert_str_eq(rs_item_store_key(store, items[1]), "holder");
    ck_assert_ok(rs_user_model_observe_text(m, "potter", "clay pot", 1.0, 0, e));
    ck_assert_ok(rs_scorer_recommend(s, "potter", 2, items, sc, &n));
    ck_assert_str_eq(rs_item_store_key(store, items[0]), "mug");
    ck_assert_str_eq(rs_item_store_key(store, items[1]), "vase");
    /* the text moves a buyer of the mug towards metal */
    ck_assert_ok(rs_user_model_observe(m, "buyer", "mug", NULL, 1.0, 0));
    ck_assert_ok(rs_scorer_recommend(s, "buyer", 1, items, sc, &n));
    ck_assert_str_eq(rs_item_store_key(store, items[0]), "vase");
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_TEXT_WEIGHT, 0.9));
    ck_assert_ok(rs_user_model_observe_text(m, "buyer", "metal", 1.0, 0, e));
    ck_assert_ok(rs_scorer_recommend(s, "buyer", 1, items, sc, &n));
    ck_assert_str_eq(rs_item_store_key(store, items[0]), "lantern");
    rs_scorer_free(s);
    rs_graph_close(g);
    rs_embedder_free(e);
    rs_user_model_free(m);
    rs_item_store_free(store);
}
END_TEST

/* An ALS model on 8 users x 5 of the 6 items (the vase is unknown to it),
 * whose item i is keys[order[i]]. */
static const int order[] = {4, 3, 2, 1, 0};
static rs_cf_model *fit_als(void)
{
    uint32_t u[] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 7};
    uint32_t i[] = {4, 3, 4, 3, 2, 1, 2, 0, 1, 0, 3, 2, 4};
    rs_cf_matrix *x;
    rs_cf_model *cf;
    ck_assert_ok(rs_cf_matrix_create(8, 5, u, i, NULL, 13, &x));
    ck_assert_ok(rs_cf_model_create(RS_CF_ALS, &cf));
    ck_assert_ok(rs_cf_model_set_int(cf, RS_CF_FACTORS, 3));
    ck_assert_ok(rs_cf_model_set_int(cf, RS_CF_ITERATIONS, 5));
    ck_assert_ok(rs_cf_model_set_double(cf, RS_CF_LAMBDA, 0.1));
    ck_assert_ok(rs_cf_model_fit(cf, x));
    rs_cf_matrix_free(x);
    return cf;
}

/* The cf index of a store key. */
static uint32_t cf_index(const char *key)
{
    for (uint32_t c = 0; c < 5; c++)
        if (strcmp(keys[order[c]], key) == 0)
            return c;
    return UINT32_MAX;
}

START_TEST(fold_in_inside_observe)
{
    rs_item_store *store = make_store();
    rs_user_model *m;
    rs_cf_model *cf = fit_als(), *knn;
    const char *cf_keys[5];
    float f[3], expect[3];
    for (int c = 0; c < 5; c++)
        cf_keys[c] = keys[order[c]];
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_set_event_weight(m, "bought", 2.0));
    /* events before the model is attached are folded in when it is */
    ck_assert_ok(rs_user_model_observe(m, "early", "mug", "bought", 1.0, 0));
    ck_assert_status(rs_user_model_collaborative_factors(m, "early", f, 3), RS_ERR_STATE);
    ck_assert_ok(rs_user_model_set_collaborative(m, cf, cf_keys, 5));
    uint32_t ci[4];
    float cw[4];
    ci[0] = cf_index("mug"), cw[0] = 2.0f;
    ck_assert_ok(rs_cf_model_fold_in(cf, ci, cw, 1, expect, 3));
    ck_assert_ok(rs_user_model_collaborative_factors(m, "early", f, 3));
    ck_assert_mem_eq(f, expect, sizeof f);

    /* each observe refolds: positive events only, unknown items skipped */
    ck_assert_ok(rs_user_model_observe(m, "u", "lantern", NULL, 1.0, 0));
    ck_assert_ok(rs_user_model_observe(m, "u", "vase", NULL, 1.0, 1));    /* not in cf */
    ck_assert_ok(rs_user_model_observe(m, "u", "candle", NULL, -1.0, 2)); /* dislike */
    ck_assert_ok(rs_user_model_observe(m, "u", "bowl", "bought", 0.5, 3));
    ci[0] = cf_index("lantern"), cw[0] = 1.0f;
    ci[1] = cf_index("bowl"), cw[1] = 1.0f;
    ck_assert_ok(rs_cf_model_fold_in(cf, ci, cw, 2, expect, 3));
    ck_assert_ok(rs_user_model_collaborative_factors(m, "u", f, 3));
    for (int j = 0; j < 3; j++)
        ck_assert_float_eq_tol(f[j], expect[j], 1e-6f);
    /* the factors differ from the lantern alone */
    float alone[3];
    ck_assert_ok(rs_cf_model_fold_in(cf, ci, cw, 1, alone, 3));
    ck_assert(memcmp(alone, f, sizeof f) != 0);

    /* with decay: the weights are decayed to the latest event */
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_HALF_LIFE, 10.0));
    ck_assert_ok(rs_user_model_observe(m, "d", "lantern", NULL, 1.0, 0));
    ck_assert_ok(rs_user_model_observe(m, "d", "mug", NULL, 1.0, 20));
    ci[0] = cf_index("lantern"), cw[0] = 0.25f;
    ci[1] = cf_index("mug"), cw[1] = 1.0f;
    ck_assert_ok(rs_cf_model_fold_in(cf, ci, cw, 2, expect, 3));
    ck_assert_ok(rs_user_model_collaborative_factors(m, "d", f, 3));
    for (int j = 0; j < 3; j++)
        ck_assert_float_eq_tol(f[j], expect[j], 1e-6f);
    /* only negative feedback: zero factors */
    ck_assert_ok(rs_user_model_observe(m, "neg", "mug", NULL, -1.0, 0));
    ck_assert_ok(rs_user_model_collaborative_factors(m, "neg", f, 3));
    for (int j = 0; j < 3; j++)
        ck_assert_float_eq(f[j], 0.0f);

    /* bad input */
    ck_assert_status(rs_user_model_collaborative_factors(m, "u", f, 4), RS_ERR_DIM);
    ck_assert_status(rs_user_model_collaborative_factors(m, "zz", f, 3), RS_ERR_NOTFOUND);
    ck_assert_status(rs_user_model_collaborative_factors(m, "u", NULL, 3), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_collaborative_factors(NULL, "u", f, 3), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_set_collaborative(m, cf, cf_keys, 4), RS_ERR_DIM);
    ck_assert_status(rs_user_model_set_collaborative(m, cf, NULL, 5), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_set_collaborative(NULL, cf, cf_keys, 5), RS_ERR_INVALID);
    ck_assert_ok(rs_cf_model_create(RS_CF_ITEMKNN, &knn));
    ck_assert_status(rs_user_model_set_collaborative(m, knn, cf_keys, 5), RS_ERR_STATE);
    rs_cf_model_free(knn);
    ck_assert_ok(rs_cf_model_create(RS_CF_ALS, &knn));
    ck_assert_status(rs_user_model_set_collaborative(m, knn, cf_keys, 5), RS_ERR_STATE);
    rs_cf_model_free(knn);
    /* still attached after the failures */
    ck_assert_ok(rs_user_model_collaborative_factors(m, "d", f, 3));
    for (int j = 0; j < 3; j++)
        ck_assert_float_eq_tol(f[j], expect[j], 1e-6f);

    /* detach: no factors, observe still works */
    ck_assert_ok(rs_user_model_set_collaborative(m, NULL, NULL, 0));
    ck_assert_status(rs_user_model_collaborative_factors(m, "d", f, 3), RS_ERR_STATE);
    ck_assert_ok(rs_user_model_observe(m, "d", "bowl", NULL, 1.0, 30));
    /* re-attach folds the whole history again */
    ck_assert_ok(rs_user_model_set_collaborative(m, cf, cf_keys, 5));
    ci[0] = cf_index("lantern"), cw[0] = 0.125f;
    ci[1] = cf_index("mug"), cw[1] = 0.5f;
    ci[2] = cf_index("bowl"), cw[2] = 1.0f;
    ck_assert_ok(rs_cf_model_fold_in(cf, ci, cw, 3, expect, 3));
    ck_assert_ok(rs_user_model_collaborative_factors(m, "d", f, 3));
    for (int j = 0; j < 3; j++)
        ck_assert_float_eq_tol(f[j], expect[j], 1e-6f);

    rs_user_model_free(m);
    rs_cf_model_free(cf);
    rs_item_store_free(store);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("user_signals");
    TCase *tc = tcase_create("signals");
    tcase_add_test(tc, text_interest_blends_with_history);
    tcase_add_test(tc, scorer_uses_the_text_interest);
    tcase_add_test(tc, fold_in_inside_observe);
    suite_add_tcase(s, tc);
    return s;
}
