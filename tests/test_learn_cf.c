/*
 * test_learn_cf.c - the collaborative models: interaction matrices, implicit
 * ALS (planted structure, fold-in against a direct solve, loss), item-kNN and
 * EASE against direct computations, persistence and bad input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "graph/graph_internal.h"
#include "core/dense.h"
#include "learn/cf_internal.h"
#include "testutil.h"
#include "cf_blob.h"

#include <xxhash.h>

/* Two planted communities: users 0..19 buy items 0..9 (all but one),
 * users 20..39 buy items 10..19 likewise; user u skips item u % 10 of its
 * block, which ALS must then rank first among the items it has not bought. */
static rs_cf_matrix *planted(void)
{
    uint32_t users[400], items[400];
    size_t n = 0;
    for (uint32_t u = 0; u < 40; u++) {
        uint32_t base = u < 20 ? 0 : 10;
        for (uint32_t i = 0; i < 10; i++) {
            if (i == u % 10)
                continue;
            users[n] = u;
            items[n++] = base + i;
        }
    }
    rs_cf_matrix *m = NULL;
    ck_assert_ok(rs_cf_matrix_create(40, 20, users, items, NULL, n, &m));
    return m;
}

START_TEST(matrix_bad_input_and_duplicates)
{
    uint32_t users[3] = {0, 1, 0}, items[3] = {1, 0, 1};
    float weights[3] = {1.0f, 2.0f, 0.5f};
    rs_cf_matrix *m = (rs_cf_matrix *)1;
    ck_assert_status(rs_cf_matrix_create(2, 2, NULL, items, NULL, 3, &m), RS_ERR_INVALID);
    ck_assert_ptr_null(m);
    ck_assert_status(rs_cf_matrix_create(2, 2, users, items, NULL, 3, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_cf_matrix_create(2, 2, users, items, NULL, 0, &m), RS_ERR_INVALID);
    ck_assert_status(rs_cf_matrix_create(0, 2, users, items, NULL, 3, &m), RS_ERR_INVALID);
    ck_assert_status(rs_cf_matrix_create(1, 2, users, items, NULL, 3, &m), RS_ERR_RANGE);
    ck_assert_errmsg_has("user 1");
    ck_assert_status(rs_cf_matrix_create(2, 1, users, items, NULL, 3, &m), RS_ERR_RANGE);
    float bad[3] = {1.0f, NAN, 1.0f};
    ck_assert_status(rs_cf_matrix_create(2, 2, users, items, bad, 3, &m), RS_ERR_RANGE);
    ck_assert_errmsg_has("entry 1");
    bad[1] = INFINITY;
    ck_assert_status(rs_cf_matrix_create(2, 2, users, items, bad, 3, &m), RS_ERR_RANGE);
    bad[1] = 0.0f;
    ck_assert_status(rs_cf_matrix_create(2, 2, users, items, bad, 3, &m), RS_ERR_RANGE);
    bad[1] = -1.0f;
    ck_assert_status(rs_cf_matrix_create(2, 2, users, items, bad, 3, &m), RS_ERR_RANGE);
    ck_assert_ok(rs_cf_matrix_create(2, 2, users, items, weights, 3, &m));
    size_t nu, ni, nnz;
    ck_assert_ok(rs_cf_matrix_shape(m, &nu, &ni, &nnz));
    ck_assert_uint_eq(nu, 2);
    ck_assert_uint_eq(ni, 2);
    ck_assert_uint_eq(nnz, 2); /* (0,1) twice is one pair of weight 1.5 */
    uint32_t node;
    ck_assert_status(rs_cf_matrix_node(m, RS_CF_USERS, 0, &node), RS_ERR_STATE);
    ck_assert_status(rs_cf_matrix_shape(NULL, &nu, NULL, NULL), RS_ERR_INVALID);
    rs_cf_matrix_free(m);
    rs_cf_matrix_free(NULL);
}
END_TEST

START_TEST(options)
{
    rs_cf_model *m = NULL;
    ck_assert_status(rs_cf_model_create(7, &m), RS_ERR_INVALID);
    ck_assert_status(rs_cf_model_create(RS_CF_ALS, NULL), RS_ERR_INVALID);
    ck_assert_ok(rs_cf_model_create(RS_CF_ALS, &m));
    long long v;
    double d;
    ck_assert_ok(rs_cf_model_get_int(m, RS_CF_FACTORS, &v));
    ck_assert_int_eq(v, 64);
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_FACTORS, 0), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_FACTORS, 1025), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_CG_STEPS, 0), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_ALPHA, 1), RS_ERR_INVALID);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_ALPHA, -1.0), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_LAMBDA, -0.5), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_LAMBDA, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_ALPHA, INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_FACTORS, 1.0), RS_ERR_INVALID);
    ck_assert_ok(rs_cf_model_get_int(m, RS_CF_FACTORS, &v));
    ck_assert_int_eq(v, 64); /* failed calls left it */
    ck_assert_ok(rs_cf_model_get_double(m, RS_CF_LAMBDA, &d));
    ck_assert_double_eq(d, 30.0);
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_ALPHA, 4.0));
    ck_assert_ok(rs_cf_model_get_double(m, RS_CF_ALPHA, &d));
    ck_assert_double_eq(d, 4.0);
    ck_assert_int_eq(rs_cf_model_kind(m), RS_CF_ALS);
    ck_assert_int_eq(rs_cf_model_kind(NULL), -1);
    ck_assert_uint_eq(rs_cf_model_dim(m), 0);
    float x[64];
    ck_assert_status(rs_cf_model_user_factors(m, 0, x, 64), RS_ERR_STATE);
    ck_assert_status(rs_cf_model_fold_in(m, NULL, NULL, 0, x, 64), RS_ERR_STATE);
    ck_assert_status(rs_cf_model_score(m, NULL, NULL, 0, x, 64), RS_ERR_STATE);
    ck_assert_status(rs_cf_model_fit(m, NULL), RS_ERR_INVALID);
    double loss;
    ck_assert_status(rs_cf_model_loss(m, 0, &loss), RS_ERR_STATE);
    rs_cf_model_free(m);
    rs_cf_model_free(NULL);
}
END_TEST

START_TEST(als_recovers_planted_structure)
{
    rs_cf_matrix *x = planted();
    rs_cf_model *m = NULL;
    ck_assert_ok(rs_cf_model_create(RS_CF_ALS, &m));
    /* two factors for two communities: more would model who skips what */
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_FACTORS, 2));
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_ITERATIONS, 20));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, 0.1));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_ALPHA, 10.0));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_INIT_SCALE, 0.1));
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_REPORT_LOSS, 1));
    ck_assert_ok(rs_cf_model_fit(m, x));
    ck_assert_uint_eq(rs_cf_model_dim(m), 2);
    ck_assert_uint_eq(rs_cf_model_users(m), 40);
    ck_assert_uint_eq(rs_cf_model_items(m), 20);
    float xu[2], yi[2];
    for (uint32_t u = 0; u < 40; u++) {
        ck_assert_ok(rs_cf_model_user_factors(m, u, xu, 2));
        uint32_t base = u < 20 ? 0 : 10, held = base + u % 10;
        float held_score = 0, best_other = -INFINITY;
        for (uint32_t i = 0; i < 20; i++) {
            ck_assert_ok(rs_cf_model_item_factors(m, i, yi, 2));
            float s = xu[0] * yi[0] + xu[1] * yi[1];
            if (i == held)
                held_score = s;
            else if (i < base || i >= base + 10)
                best_other = s > best_other ? s : best_other;
        }
        ck_assert_msg(held_score > best_other + 0.1f, "user %u: held-out %g vs other block %g",
                      u, held_score, best_other);
    }
    /* the loss goes down */
    double first, last;
    ck_assert_ok(rs_cf_model_loss(m, 0, &first));
    ck_assert_ok(rs_cf_model_loss(m, 19, &last));
    ck_assert_msg(last < first, "loss %g -> %g", first, last);
    ck_assert_status(rs_cf_model_loss(m, 20, &last), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_user_factors(m, 40, xu, 2), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_user_factors(m, 0, xu, 3), RS_ERR_DIM);
    /* same seed, same factors */
    rs_cf_model *again = NULL;
    ck_assert_ok(rs_cf_model_create(RS_CF_ALS, &again));
    ck_assert_ok(rs_cf_model_set_int(again, RS_CF_FACTORS, 2));
    ck_assert_ok(rs_cf_model_set_int(again, RS_CF_ITERATIONS, 20));
    ck_assert_ok(rs_cf_model_set_double(again, RS_CF_LAMBDA, 0.1));
    ck_assert_ok(rs_cf_model_set_double(again, RS_CF_ALPHA, 10.0));
    ck_assert_ok(rs_cf_model_set_double(again, RS_CF_INIT_SCALE, 0.1));
    ck_assert_ok(rs_cf_model_fit(again, x));
    float xa[2];
    ck_assert_ok(rs_cf_model_user_factors(again, 7, xa, 2));
    ck_assert_ok(rs_cf_model_user_factors(m, 7, xu, 2));
    for (int k = 0; k < 2; k++)
        ck_assert_float_eq_tol(xa[k], xu[k], 1e-5f);
    rs_cf_model_free(again);
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

START_TEST(fold_in_equals_direct_solve)
{
    rs_cf_matrix *x = planted();
    rs_cf_model *m = NULL;
    const size_t f = 6;
    const double alpha = 3.0, lambda = 0.5;
    ck_assert_ok(rs_cf_model_create(RS_CF_ALS, &m));
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_FACTORS, (long long)f));
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_ITERATIONS, 5));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, lambda));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_ALPHA, alpha));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_INIT_SCALE, 0.1));
    ck_assert_ok(rs_cf_model_fit(m, x));
    float y[20][6];
    for (uint32_t i = 0; i < 20; i++)
        ck_assert_ok(rs_cf_model_item_factors(m, i, y[i], f));
    /* a user with items 2, 5 (weight 2) and 13, given with a repeat */
    uint32_t items[4] = {5, 2, 13, 5};
    float weights[4] = {1.0f, 1.0f, 1.0f, 1.0f};
    double a[36] = {0}, b[6] = {0};
    for (size_t r = 0; r < f; r++) {
        for (size_t c = 0; c < f; c++)
            for (uint32_t i = 0; i < 20; i++)
                a[r * f + c] += (double)y[i][r] * y[i][c];
        a[r * f + r] += lambda;
    }
    const uint32_t uniq[3] = {2, 5, 13};
    const double w[3] = {1.0, 2.0, 1.0};
    for (int e = 0; e < 3; e++) {
        double c = 1.0 + alpha * w[e];
        for (size_t r = 0; r < f; r++) {
            b[r] += c * y[uniq[e]][r];
            for (size_t q = 0; q < f; q++)
                a[r * f + q] += (c - 1.0) * y[uniq[e]][r] * y[uniq[e]][q];
        }
    }
    rs__dense_lu_solve(a, b, b, f, 0);
    float got[6];
    ck_assert_ok(rs_cf_model_fold_in(m, items, weights, 4, got, f));
    double norm = 0;
    for (size_t k = 0; k < f; k++)
        norm += b[k] * b[k];
    for (size_t k = 0; k < f; k++)
        ck_assert_msg(fabs(got[k] - b[k]) <= 1e-3 * sqrt(norm) + 1e-5,
                      "factor %zu: fold-in %g, direct %g", k, got[k], b[k]);
    /* scores are the fold-in factors times the item factors */
    float scores[20];
    ck_assert_ok(rs_cf_model_score(m, items, weights, 4, scores, 20));
    for (uint32_t i = 0; i < 20; i++) {
        double s = 0;
        for (size_t k = 0; k < f; k++)
            s += b[k] * y[i][k];
        ck_assert_msg(fabs(scores[i] - s) < 1e-3, "item %u: %g vs %g", i, scores[i], s);
    }
    /* empty history: zero vector; bad input */
    ck_assert_ok(rs_cf_model_fold_in(m, NULL, NULL, 0, got, f));
    for (size_t k = 0; k < f; k++)
        ck_assert_float_eq(got[k], 0.0f);
    items[1] = 20;
    ck_assert_status(rs_cf_model_fold_in(m, items, NULL, 4, got, f), RS_ERR_RANGE);
    items[1] = 2;
    weights[2] = NAN;
    ck_assert_status(rs_cf_model_fold_in(m, items, weights, 4, got, f), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_fold_in(m, NULL, NULL, 2, got, f), RS_ERR_INVALID);
    ck_assert_status(rs_cf_model_fold_in(m, items, NULL, 4, got, f + 1), RS_ERR_DIM);
    ck_assert_status(rs_cf_model_score(m, items, NULL, 4, scores, 19), RS_ERR_DIM);
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

/* 7 users x 5 items, with weights, for the item x item models. */
static const uint32_t small_users[] = {0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5, 6, 6};
static const uint32_t small_items[] = {0, 1, 2, 1, 3, 0, 2, 4, 3, 4, 0, 1, 4, 2, 1, 3};
static const float small_weights[] = {1, 2, 1, 1, 3, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 2};
#define SMALL_N (sizeof small_users / sizeof small_users[0])

static void small_dense(double xd[7][5])
{
    for (int u = 0; u < 7; u++)
        for (int i = 0; i < 5; i++)
            xd[u][i] = 0;
    for (size_t e = 0; e < SMALL_N; e++)
        xd[small_users[e]][small_items[e]] = small_weights[e];
}

/* The small matrix's Gram matrix X^T X in double. */
static void small_gram(double g[5][5])
{
    double xd[7][5];
    small_dense(xd);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            g[i][j] = 0;
            for (int u = 0; u < 7; u++)
                g[i][j] += xd[u][i] * xd[u][j];
        }
}

/* EASE / EDLAE by a direct solve: P = (G + lambda I + emphasis diag G)^-1
 * column by column, B_ij = -P_ij / P_jj, diagonal 0; then a history of
 * item i alone must score row i of B. */
static void check_ease_direct(const rs_cf_model *m, double lambda, double emphasis)
{
    double g[5][5], p[5][5];
    small_gram(g);
    for (int c = 0; c < 5; c++) {
        double a[25], b[5] = {0};
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
                a[i * 5 + j] = g[i][j] + (i == j ? lambda + emphasis * g[i][i] : 0);
        b[c] = 1;
        rs__dense_lu_solve(a, b, b, 5, 0);
        for (int r = 0; r < 5; r++)
            p[r][c] = b[r];
    }
    for (uint32_t i = 0; i < 5; i++) {
        float scores[5];
        ck_assert_ok(rs_cf_model_score(m, &i, NULL, 1, scores, 5));
        for (int j = 0; j < 5; j++) {
            double bij = (int)i == j ? 0.0 : -p[i][j] / p[j][j];
            ck_assert_msg(fabs(scores[j] - bij) < 1e-4, "B[%u][%d] = %g, direct %g", i, j,
                          scores[j], bij);
        }
    }
}

START_TEST(ease_matches_direct_solve)
{
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_matrix_create(7, 5, small_users, small_items, small_weights, SMALL_N, &x));
    const double lambda = 2.0;
    rs_cf_model *m = NULL;
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE, &m));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, lambda));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_DROPOUT, 0.5)); /* not EASE's: ignored */
    ck_assert_ok(rs_cf_model_fit(m, x));
    check_ease_direct(m, lambda, 0.0);
    /* 2-user chunks give the same B */
    float whole[5], chunked[5];
    uint32_t item = 3;
    ck_assert_ok(rs_cf_model_score(m, &item, NULL, 1, whole, 5));
    m->chunk_floats = 10;
    ck_assert_ok(rs_cf_model_fit(m, x));
    ck_assert_ok(rs_cf_model_score(m, &item, NULL, 1, chunked, 5));
    for (int j = 0; j < 5; j++)
        ck_assert_float_eq_tol(whole[j], chunked[j], 1e-5f);
    /* catalogue limit and lambda 0 */
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_MAX_ITEMS, 4));
    ck_assert_status(rs_cf_model_fit(m, x), RS_ERR_LIMIT);
    ck_assert_uint_eq(rs_cf_model_items(m), 5); /* the old fit stays */
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_MAX_ITEMS, 5));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, 0.0));
    ck_assert_status(rs_cf_model_fit(m, x), RS_ERR_RANGE);
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

START_TEST(itemknn_matches_direct_cosine)
{
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_matrix_create(7, 5, small_users, small_items, small_weights, SMALL_N, &x));
    double xd[7][5];
    small_dense(xd);
    const double shrink = 0.5;
    double s[5][5];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            double d = 0, ni = 0, nj = 0;
            for (int u = 0; u < 7; u++) {
                d += xd[u][i] * xd[u][j];
                ni += xd[u][i] * xd[u][i];
                nj += xd[u][j] * xd[u][j];
            }
            s[i][j] = i == j ? 0 : d / (sqrt(ni) * sqrt(nj) + shrink);
        }
    for (long long k = 0; k <= 2; k += 2)
    for (int tiny = 0; tiny < 3; tiny++) {
        rs_cf_model *m = NULL;
        ck_assert_ok(rs_cf_model_create(RS_CF_ITEMKNN, &m));
        if (tiny == 1) { /* 2-item tiles, 2-user chunks: the tiled path */
            m->chunk_floats = 10;
            m->tile_floats = 10;
        }
        if (tiny == 2) /* the sparse path of large catalogues */
            m->dense_items = 0;
        ck_assert_ok(rs_cf_model_set_double(m, RS_CF_SHRINK, shrink));
        ck_assert_ok(rs_cf_model_set_int(m, RS_CF_NEIGHBORS, k));
        ck_assert_ok(rs_cf_model_fit(m, x));
        for (uint32_t i = 0; i < 5; i++) {
            float scores[5];
            float w = 2.0f;
            ck_assert_ok(rs_cf_model_score(m, &i, &w, 1, scores, 5));
            for (int j = 0; j < 5; j++) {
                /* does target j keep source i among its k best? */
                int rank = 0;
                for (int o = 0; o < 5; o++)
                    if (o != j && (s[o][j] > s[i][j] || (s[o][j] == s[i][j] && o < (int)i)))
                        rank++;
                double want = (k == 0 || rank < k) ? 2.0 * s[i][j] : 0.0;
                ck_assert_msg(fabs(scores[j] - want) < 1e-5, "k=%lld S[%u][%d] %g want %g", k, i,
                              j, scores[j], want);
            }
        }
        rs_cf_model_free(m);
    }
    rs_cf_matrix_free(x);
}
END_TEST

START_TEST(edlae_matches_direct_solve)
{
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_matrix_create(7, 5, small_users, small_items, small_weights, SMALL_N, &x));
    rs_cf_model *m = NULL;
    ck_assert_ok(rs_cf_model_create(RS_CF_EDLAE, &m));
    double d;
    ck_assert_ok(rs_cf_model_get_double(m, RS_CF_LAMBDA, &d));
    ck_assert_double_eq(d, 500.0);
    ck_assert_ok(rs_cf_model_get_double(m, RS_CF_DROPOUT, &d));
    ck_assert_double_eq(d, 0.25);
    const double drops[] = {0.0, 0.25, 0.6};
    for (int t = 0; t < 3; t++) {
        ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, 1.5));
        ck_assert_ok(rs_cf_model_set_double(m, RS_CF_DROPOUT, drops[t]));
        ck_assert_ok(rs_cf_model_fit(m, x));
        check_ease_direct(m, 1.5, drops[t] / (1.0 - drops[t]));
    }
    /* bad options: the value and the old fit stay */
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_DROPOUT, 1.0), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_DROPOUT, -0.1), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_DROPOUT, NAN), RS_ERR_RANGE);
    ck_assert_ok(rs_cf_model_get_double(m, RS_CF_DROPOUT, &d));
    ck_assert_double_eq(d, 0.6);
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, 0.0));
    ck_assert_status(rs_cf_model_fit(m, x), RS_ERR_RANGE);
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_MAX_ITEMS, 4));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, 1.5));
    ck_assert_status(rs_cf_model_fit(m, x), RS_ERR_LIMIT);
    check_ease_direct(m, 1.5, 0.6 / 0.4);
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

/* The small matrix's weighted degrees. */
static void small_degrees(double xd[7][5], double du[7], double di[5])
{
    small_dense(xd);
    for (int u = 0; u < 7; u++) {
        du[u] = 0;
        for (int i = 0; i < 5; i++)
            du[u] += xd[u][i];
    }
    for (int i = 0; i < 5; i++) {
        di[i] = 0;
        for (int u = 0; u < 7; u++)
            di[i] += xd[u][i];
    }
}

START_TEST(rp3beta_matches_dense_walk)
{
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_matrix_create(7, 5, small_users, small_items, small_weights, SMALL_N, &x));
    double xd[7][5], du[7], di[5];
    small_degrees(xd, du, di);
    const double alphas[] = {1.0, 0.7}, betas[] = {0.0, 0.6};
    rs_cf_model *m = NULL;
    ck_assert_ok(rs_cf_model_create(RS_CF_RP3BETA, &m));
    double d;
    ck_assert_ok(rs_cf_model_get_double(m, RS_CF_BETA, &d));
    ck_assert_double_eq(d, 0.5);
    for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++)
    for (long long k = 0; k <= 2; k += 2) {
        /* W_ij = d_j^-beta sum_u (x_ui / d_i)^alpha (x_uj / d_u)^alpha */
        double w[5][5];
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) {
                w[i][j] = 0;
                for (int u = 0; u < 7; u++)
                    if (i != j && xd[u][i] > 0 && xd[u][j] > 0)
                        w[i][j] += pow(xd[u][i] / di[i], alphas[a]) *
                                   pow(xd[u][j] / du[u], alphas[a]);
                w[i][j] *= pow(di[j], -betas[b]);
            }
        ck_assert_ok(rs_cf_model_set_double(m, RS_CF_ALPHA, alphas[a]));
        ck_assert_ok(rs_cf_model_set_double(m, RS_CF_BETA, betas[b]));
        ck_assert_ok(rs_cf_model_set_int(m, RS_CF_NEIGHBORS, k));
        ck_assert_ok(rs_cf_model_fit(m, x));
        for (uint32_t i = 0; i < 5; i++) {
            float scores[5], two = 2.0f;
            ck_assert_ok(rs_cf_model_score(m, &i, &two, 1, scores, 5));
            for (int j = 0; j < 5; j++) {
                /* does source i keep target j among its k best? */
                int rank = 0;
                for (int o = 0; o < 5; o++)
                    if (o != (int)i && (w[i][o] > w[i][j] || (w[i][o] == w[i][j] && o < j)))
                        rank++;
                double want = (k == 0 || rank < k) ? 2.0 * w[i][j] : 0.0;
                ck_assert_msg(fabs(scores[j] - want) < 1e-5, "a=%g b=%g k=%lld W[%u][%d] %g "
                              "want %g", alphas[a], betas[b], k, i, j, scores[j], want);
            }
        }
    }
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_BETA, -0.5), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_BETA, INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_NEIGHBORS, -1), RS_ERR_RANGE);
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

/* Eigen-decomposition of a symmetric 5 x 5 matrix by cyclic Jacobi
 * rotations, in double: a is destroyed, eigenvalue t in ev[t] with its
 * eigenvector in column t of v, sorted by decreasing eigenvalue. */
static void jacobi_eigen(double a[5][5], double v[5][5], double ev[5])
{
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            v[i][j] = i == j;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (int p = 0; p < 5; p++)
            for (int q = p + 1; q < 5; q++)
                off += a[p][q] * a[p][q];
        if (off < 1e-30)
            break;
        for (int p = 0; p < 5; p++)
            for (int q = p + 1; q < 5; q++) {
                if (a[p][q] == 0)
                    continue;
                double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int r = 0; r < 5; r++) { /* columns p, q of a and v */
                    double ap = a[r][p], aq = a[r][q], vp = v[r][p], vq = v[r][q];
                    a[r][p] = c * ap - s * aq;
                    a[r][q] = s * ap + c * aq;
                    v[r][p] = c * vp - s * vq;
                    v[r][q] = s * vp + c * vq;
                }
                for (int r = 0; r < 5; r++) { /* rows p, q of a */
                    double ap = a[p][r], aq = a[q][r];
                    a[p][r] = c * ap - s * aq;
                    a[q][r] = s * ap + c * aq;
                }
            }
    }
    for (int t = 0; t < 5; t++)
        ev[t] = a[t][t];
    for (int t = 0; t < 5; t++) /* selection sort, columns along */
        for (int o = t + 1; o < 5; o++)
            if (ev[o] > ev[t]) {
                double e = ev[t];
                ev[t] = ev[o];
                ev[o] = e;
                for (int r = 0; r < 5; r++) {
                    double y = v[r][t];
                    v[r][t] = v[r][o];
                    v[r][o] = y;
                }
            }
}

START_TEST(gfcf_matches_dense_filter)
{
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_matrix_create(7, 5, small_users, small_items, small_weights, SMALL_N, &x));
    double xd[7][5], du[7], di[5];
    small_degrees(xd, du, di);
    /* G = R^T R, R = D_u^-1/2 X D_i^-1/2 */
    double g[5][5], a[5][5], v[5][5], ev[5];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            g[i][j] = 0;
            for (int u = 0; u < 7; u++)
                g[i][j] += xd[u][i] * xd[u][j] / (du[u] * sqrt(di[i] * di[j]));
            a[i][j] = g[i][j];
        }
    jacobi_eigen(a, v, ev);
    ck_assert_double_eq_tol(ev[0], 1.0, 1e-9); /* a normalised matrix's top */
    for (int t = 0; t + 1 < 5; t++) /* distinct: every leading subspace is unique */
        ck_assert_msg(ev[t] - ev[t + 1] > 1e-3, "eigenvalues %g %g", ev[t], ev[t + 1]);
    rs_cf_model *m = NULL;
    ck_assert_ok(rs_cf_model_create(RS_CF_GFCF, &m));
    long long kd;
    double d;
    ck_assert_ok(rs_cf_model_get_int(m, RS_CF_EIGENVECTORS, &kd));
    ck_assert_int_eq(kd, 256);
    ck_assert_ok(rs_cf_model_get_double(m, RS_CF_IDEAL_WEIGHT, &d));
    ck_assert_double_eq(d, 0.3);
    ck_assert_status(rs_cf_model_fit(m, x), RS_ERR_RANGE); /* 256 > 5 items */
    ck_assert_errmsg_has("RS_CF_EIGENVECTORS");
    const int ks[] = {0, 1, 2, 5};
    const double weight = 0.4;
    for (int t = 0; t < 4; t++) {
        int k = ks[t];
        ck_assert_ok(rs_cf_model_set_int(m, RS_CF_EIGENVECTORS, k));
        ck_assert_ok(rs_cf_model_set_double(m, RS_CF_IDEAL_WEIGHT, weight));
        ck_assert_ok(rs_cf_model_fit(m, x));
        for (uint32_t i = 0; i < 5; i++) {
            float scores[5];
            ck_assert_ok(rs_cf_model_score(m, &i, NULL, 1, scores, 5));
            for (int j = 0; j < 5; j++) {
                double vv = 0;
                for (int e = 0; e < k; e++)
                    vv += v[i][e] * v[j][e];
                double want = g[i][j] + weight * vv * sqrt(di[j] / di[i]);
                ck_assert_msg(fabs(scores[j] - want) < 1e-4, "k=%d W[%u][%d] %g want %g", k, i,
                              j, scores[j], want);
            }
        }
    }
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_EIGENVECTORS, -1), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_EIGENVECTORS, 65537), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_IDEAL_WEIGHT, -1.0), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_IDEAL_WEIGHT, NAN), RS_ERR_RANGE);
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_MAX_ITEMS, 4));
    ck_assert_status(rs_cf_model_fit(m, x), RS_ERR_LIMIT);
    ck_assert_uint_eq(rs_cf_model_items(m), 5); /* the old fit stays */
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

START_TEST(graph_matrix_save_load_and_item_store)
{
    rs_graph *g = NULL;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    uint32_t bought, viewed, users[40], items[20], brand;
    ck_assert_ok(rs_graph_add_relation(g, "bought", &bought));
    ck_assert_ok(rs_graph_add_relation(g, "viewed", &viewed));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &brand));
    char key[32];
    const char *item_keys[20];
    char item_names[20][16];
    for (int i = 0; i < 20; i++) {
        snprintf(item_names[i], sizeof item_names[i], "i%02d", i);
        item_keys[i] = item_names[i];
        ck_assert_ok(rs_graph_add_node(g, "item", item_names[i], &items[i]));
    }
    for (uint32_t u = 0; u < 40; u++) {
        snprintf(key, sizeof key, "u%02u", u);
        ck_assert_ok(rs_graph_add_node(g, "user", key, &users[u]));
        uint32_t base = u < 20 ? 0 : 10;
        for (uint32_t i = 0; i < 10; i++)
            if (i != u % 10)
                ck_assert_ok(rs_graph_add_edge(g, users[u], bought, items[base + i], 1.0, 0,
                                               RS_GRAPH_MERGE_NONE));
        /* views of the other block do not count */
        ck_assert_ok(rs_graph_add_edge(g, users[u], viewed, items[(base + 10) % 20], 1.0, 0,
                                       RS_GRAPH_MERGE_NONE));
        ck_assert_ok(rs_graph_add_edge(g, users[u], bought, brand, 1.0, 0, RS_GRAPH_MERGE_NONE));
    }
    rs_cf_matrix *x = NULL;
    ck_assert_status(rs_cf_matrix_from_graph(g, "user", "nope", &bought, NULL, 1, &x),
                     RS_ERR_NOTFOUND);
    uint32_t bad_rel = 99;
    ck_assert_status(rs_cf_matrix_from_graph(g, "user", "item", &bad_rel, NULL, 1, &x),
                     RS_ERR_NOTFOUND);
    float neg = -1.0f;
    ck_assert_status(rs_cf_matrix_from_graph(g, "user", "item", &bought, &neg, 1, &x),
                     RS_ERR_RANGE);
    ck_assert_status(rs_cf_matrix_from_graph(g, "user", "item", &bought, NULL, 0, &x),
                     RS_ERR_INVALID);
    ck_assert_ok(rs_cf_matrix_from_graph(g, "user", "item", &bought, NULL, 1, &x));
    size_t nu, ni, nnz;
    ck_assert_ok(rs_cf_matrix_shape(x, &nu, &ni, &nnz));
    ck_assert_uint_eq(nu, 40);
    ck_assert_uint_eq(ni, 20);
    ck_assert_uint_eq(nnz, 40 * 9);
    uint32_t node;
    ck_assert_ok(rs_cf_matrix_node(x, RS_CF_ITEMS, 3, &node));
    ck_assert_uint_eq(node, items[3]);
    ck_assert_ok(rs_cf_matrix_node(x, RS_CF_USERS, 39, &node));
    ck_assert_uint_eq(node, users[39]);
    ck_assert_status(rs_cf_matrix_node(x, RS_CF_USERS, 40, &node), RS_ERR_RANGE);
    ck_assert_status(rs_cf_matrix_node(x, 5, 0, &node), RS_ERR_INVALID);

    enum { KINDS = 6 };
    rs_cf_model *m[KINDS] = {NULL, NULL, NULL, NULL, NULL, NULL};
    const char *names[KINDS] = {"als", "knn", "ease", "rp3beta", "edlae", "gfcf"};
    for (int k = 0; k < KINDS; k++) {
        ck_assert_ok(rs_cf_model_create(k, &m[k]));
        ck_assert_ok(rs_cf_model_set_int(m[k], RS_CF_FACTORS, 4));
        ck_assert_ok(rs_cf_model_set_int(m[k], RS_CF_EIGENVECTORS, 2));
        ck_assert_ok(rs_cf_model_set_int(m[k], RS_CF_NEIGHBORS, 5));
        ck_assert_ok(rs_cf_model_set_double(m[k], RS_CF_BETA, 0.3));
        ck_assert_ok(rs_cf_model_set_double(m[k], RS_CF_LAMBDA, k == RS_CF_ALS ? 0.1 : 5.0));
        ck_assert_status(rs_cf_model_save(m[k], g, names[k]), RS_ERR_STATE);
        ck_assert_ok(rs_cf_model_fit(m[k], x));
        ck_assert_ok(rs_cf_model_save(m[k], g, names[k]));
    }
    uint32_t hist[3] = {1, 2, 3};
    for (int k = 0; k < KINDS; k++) {
        rs_cf_model *back = NULL;
        ck_assert_ok(rs_cf_model_load(g, names[k], &back));
        ck_assert_int_eq(rs_cf_model_kind(back), k);
        double beta;
        ck_assert_ok(rs_cf_model_get_double(back, RS_CF_BETA, &beta));
        ck_assert_double_eq(beta, 0.3);
        float s1[20], s2[20];
        ck_assert_ok(rs_cf_model_score(m[k], hist, NULL, 3, s1, 20));
        ck_assert_ok(rs_cf_model_score(back, hist, NULL, 3, s2, 20));
        for (int i = 0; i < 20; i++)
            ck_assert_float_eq_tol(s1[i], s2[i], 1e-5f);
        rs_cf_model_free(back);
    }
    rs_cf_model *back = NULL;
    ck_assert_status(rs_cf_model_load(g, "missing", &back), RS_ERR_NOTFOUND);
    ck_assert_status(rs_cf_model_load(g, "", &back), RS_ERR_INVALID);
    ck_assert_status(rs_cf_model_save(m[0], g, "\xff"), RS_ERR_ENCODING);
    /* damaged blobs */
    void *blob;
    size_t len;
    ck_assert_ok(rs__graph_meta_get(g, "cf.model:als", &blob, &len));
    ((unsigned char *)blob)[len / 2] ^= 1;
    ck_assert_ok(rs__graph_meta_set(g, "cf.model:als", blob, len));
    ck_assert_status(rs_cf_model_load(g, "als", &back), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("checksum");
    ck_assert_ok(rs__graph_meta_set(g, "cf.model:als", blob, len / 3));
    ck_assert_status(rs_cf_model_load(g, "als", &back), RS_ERR_CORRUPT);
    ck_assert_ok(rs__graph_meta_set(g, "cf.model:als", "RS", 2));
    ck_assert_status(rs_cf_model_load(g, "als", &back), RS_ERR_CORRUPT);
    ck_assert_ptr_null(back);
    free(blob);
    /* EASE and kNN have no factors: a blob (with a valid checksum) claiming
     * a dimension is damaged, not a model of 2^62 factors */
    for (int k = 1; k < 3; k++) {
        char mkey[16];
        uint64_t dim = (uint64_t)1 << 62, sum;
        snprintf(mkey, sizeof mkey, "cf.model:%s", names[k]);
        ck_assert_ok(rs__graph_meta_get(g, mkey, &blob, &len));
        memcpy((unsigned char *)blob + 32, &dim, 8);
        sum = XXH3_64bits(blob, len - 8);
        memcpy((unsigned char *)blob + len - 8, &sum, 8);
        ck_assert_ok(rs__graph_meta_set(g, mkey, blob, len));
        ck_assert_status(rs_cf_model_load(g, names[k], &back), RS_ERR_CORRUPT);
        ck_assert_errmsg_has(mkey);
        ck_assert_errmsg_has("dim");
        ck_assert_ptr_null(back);
        free(blob);
    }

    /* item factors into an item store: search with a user's factors gives
     * the best-scored item */
    rs_item_store *store = NULL;
    ck_assert_status(rs_cf_model_item_store(m[1], item_keys, 20, &store), RS_ERR_STATE);
    ck_assert_status(rs_cf_model_item_store(m[0], item_keys, 19, &store), RS_ERR_DIM);
    ck_assert_ok(rs_cf_model_item_store(m[0], item_keys, 20, &store));
    ck_assert_uint_eq(rs_item_store_count(store), 20);
    float xu[4], scores[20];
    ck_assert_ok(rs_cf_model_fold_in(m[0], hist, NULL, 3, xu, 4));
    ck_assert_ok(rs_cf_model_score(m[0], hist, NULL, 3, scores, 20));
    uint32_t best = 0;
    for (uint32_t i = 1; i < 20; i++)
        if (scores[i] > scores[best])
            best = i;
    uint32_t found;
    float found_score;
    ck_assert_ok(rs_item_store_search(store, xu, 1, 4, 1, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0, NULL,
                                      0, &found, &found_score, NULL));
    ck_assert_uint_eq(found, best);
    ck_assert_float_eq_tol(found_score, scores[best], 1e-4f);
    rs_item_store_free(store);
    for (int k = 0; k < KINDS; k++)
        rs_cf_model_free(m[k]);
    rs_cf_matrix_free(x);
    rs_graph_close(g);
}
END_TEST

START_TEST(new_kinds_blobs_validated)
{
    rs_graph *g = NULL;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_matrix_create(7, 5, small_users, small_items, small_weights, SMALL_N, &x));
    const int kinds[4] = {RS_CF_EASE, RS_CF_RP3BETA, RS_CF_EDLAE, RS_CF_GFCF};
    const char *keys[4] = {"cf.model:ease", "cf.model:rp3", "cf.model:edlae", "cf.model:gfcf"};
    rs_cf_model *m[4];
    float want[4][5];
    uint32_t hist[2] = {0, 3};
    for (int k = 0; k < 4; k++) {
        ck_assert_ok(rs_cf_model_create(kinds[k], &m[k]));
        ck_assert_ok(rs_cf_model_set_int(m[k], RS_CF_EIGENVECTORS, 2));
        ck_assert_ok(rs_cf_model_set_int(m[k], RS_CF_NEIGHBORS, 2));
        ck_assert_ok(rs_cf_model_set_double(m[k], RS_CF_LAMBDA, 3.0));
        ck_assert_ok(rs_cf_model_fit(m[k], x));
        ck_assert_ok(rs_cf_model_score(m[k], hist, NULL, 2, want[k], 5));
    }
    rs_cf_model *back = NULL;
    float got[5];
    /* every kind: a wrong shape, an option out of range */
    uint64_t items4 = 4;
    double dropout1 = 1.0, beta_neg = -1.0;
    int64_t eigen_big = 70000;
    for (int k = 0; k < 4; k++) {
        ck_assert_ok(rs_cf_model_save(m[k], g, keys[k] + 9));
        rewrite_blob(g, keys[k], 24, &items4, 8);
        ck_assert_status(rs_cf_model_load(g, keys[k] + 9, &back), RS_ERR_CORRUPT);
        ck_assert_errmsg_has("shape");
        ck_assert_ok(rs_cf_model_save(m[k], g, keys[k] + 9));
        rewrite_blob(g, keys[k], 112 + 5 * 8, &dropout1, 8);
        ck_assert_status(rs_cf_model_load(g, keys[k] + 9, &back), RS_ERR_CORRUPT);
        ck_assert_errmsg_has("option");
        ck_assert_ok(rs_cf_model_save(m[k], g, keys[k] + 9));
        rewrite_blob(g, keys[k], 112 + 4 * 8, &beta_neg, 8);
        ck_assert_status(rs_cf_model_load(g, keys[k] + 9, &back), RS_ERR_CORRUPT);
        ck_assert_ok(rs_cf_model_save(m[k], g, keys[k] + 9));
        rewrite_blob(g, keys[k], 40 + 8 * 8, &eigen_big, 8);
        ck_assert_status(rs_cf_model_load(g, keys[k] + 9, &back), RS_ERR_CORRUPT);
        ck_assert_ptr_null(back);
        /* intact: the same scores */
        ck_assert_ok(rs_cf_model_save(m[k], g, keys[k] + 9));
        ck_assert_ok(rs_cf_model_load(g, keys[k] + 9, &back));
        ck_assert_ok(rs_cf_model_score(back, hist, NULL, 2, got, 5));
        ck_assert_mem_eq(got, want[k], sizeof got);
        rs_cf_model_free(back);
        back = NULL;
    }
    /* RP3beta: a target out of range, then neighbour starts out of order */
    uint32_t target5 = 5;
    rewrite_blob(g, "cf.model:rp3", BLOB_ARRAYS + 6 * 8, &target5, 4);
    ck_assert_status(rs_cf_model_load(g, "rp3", &back), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("neighbour");
    ck_assert_ok(rs_cf_model_save(m[1], g, "rp3"));
    uint64_t start_big = 1000;
    rewrite_blob(g, "cf.model:rp3", BLOB_ARRAYS + 2 * 8, &start_big, 8);
    ck_assert_status(rs_cf_model_load(g, "rp3", &back), RS_ERR_CORRUPT);
    /* EDLAE, GF-CF: a non-finite weight */
    float nan = NAN;
    for (int k = 2; k < 4; k++) {
        rewrite_blob(g, keys[k], BLOB_ARRAYS + 7 * 4, &nan, 4);
        ck_assert_status(rs_cf_model_load(g, keys[k] + 9, &back), RS_ERR_CORRUPT);
        ck_assert_errmsg_has("non-finite");
    }
    /* A release 1.0 blob (format 1: 8 int options, 6 doubles) of EASE
     * still loads, the new options at their defaults; a format 1 blob of a
     * new kind is refused. */
    void *blob;
    size_t len;
    ck_assert_ok(rs__graph_meta_get(g, "cf.model:ease", &blob, &len));
    unsigned char *old = malloc(len);
    unsigned char *b = blob;
    size_t o = 0;
    memcpy(old + o, b, 40 + 8 * 8), o += 40 + 8 * 8;     /* head, sizes, 8 ints */
    memcpy(old + o, b + 112, 4 * 8), o += 4 * 8;         /* alpha .. init_scale */
    memcpy(old + o, b + 112 + 7 * 8, 2 * 8), o += 2 * 8; /* fit alpha, lambda */
    memcpy(old + o, b + 184, len - 8 - 184), o += len - 8 - 184;
    uint32_t format1 = 1;
    memcpy(old + 4, &format1, 4);
    uint64_t sum = XXH3_64bits(old, o);
    memcpy(old + o, &sum, 8), o += 8;
    ck_assert_ok(rs__graph_meta_set(g, "cf.model:old", old, o));
    ck_assert_ok(rs_cf_model_load(g, "old", &back));
    ck_assert_ok(rs_cf_model_score(back, hist, NULL, 2, got, 5));
    ck_assert_mem_eq(got, want[0], sizeof got);
    double d;
    ck_assert_ok(rs_cf_model_get_double(back, RS_CF_DROPOUT, &d));
    ck_assert_double_eq(d, 0.25);
    rs_cf_model_free(back);
    back = NULL;
    uint32_t kind_gfcf = RS_CF_GFCF;
    memcpy(old + 8, &kind_gfcf, 4);
    sum = XXH3_64bits(old, o - 8);
    memcpy(old + o - 8, &sum, 8);
    ck_assert_ok(rs__graph_meta_set(g, "cf.model:old", old, o));
    ck_assert_status(rs_cf_model_load(g, "old", &back), RS_ERR_CORRUPT);
    uint32_t format3 = 3;
    rewrite_blob(g, "cf.model:ease", 4, &format3, 4);
    ck_assert_status(rs_cf_model_load(g, "ease", &back), RS_ERR_VERSION);
    free(old);
    free(blob);
    for (int k = 0; k < 4; k++)
        rs_cf_model_free(m[k]);
    rs_cf_matrix_free(x);
    rs_graph_close(g);
}
END_TEST

/* The EASE scores: the AVX-512 kernel (where the CPU has it), the portable
 * one forced, and the plain loop agree bit for bit, for histories shorter and
 * longer than the kernel's four rows per pass, and catalogues of 37 items (a
 * partial last vector) and 32 (none). */
START_TEST(ease_kernels_agree_bitwise)
{
    enum { U = 60, IMAX = 37, N = 400, H = 11 };
    const size_t I = _i ? 32 : IMAX; /* with and without a partial last vector */
    uint32_t users[N], items[N];
    float weights[N];
    uint64_t st = 12345;
    for (size_t e = 0; e < N; e++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        users[e] = (uint32_t)((st >> 33) % U);
        items[e] = (uint32_t)((st >> 13) % I);
        weights[e] = 1.0f + (float)((st >> 40) % 5);
    }
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_matrix_create(U, I, users, items, weights, N, &x));
    rs_cf_model *m = NULL;
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE, &m));
    ck_assert_ok(rs_cf_model_fit(m, x));
    uint32_t hist[H];
    float hw[H];
    for (size_t n = 0; n <= H; n++) {
        for (size_t e = 0; e < n; e++) {
            hist[e] = (uint32_t)((e * 7 + n) % I);
            hw[e] = 0.37f * (float)(e + 1) + 0.013f;
        }
        for (int weighted = 0; weighted < 2; weighted++) {
            const float *wp = weighted ? hw : NULL;
            float fast[IMAX], port[IMAX], plain[IMAX] = {0};
            for (size_t e = 0; e < n; e++)
                for (size_t j = 0; j < I; j++) {
                    float prod = (wp ? wp[e] : 1.0f) * m->ease[(size_t)hist[e] * I + j];
                    plain[j] = plain[j] + prod;
                }
            ck_assert_ok(rs_cf_model_score(m, hist, wp, n, fast, I));
            rs__cf_force_portable(1);
            int rc = rs_cf_model_score(m, hist, wp, n, port, I);
            rs__cf_force_portable(0);
            ck_assert_ok(rc);
            ck_assert_msg(!memcmp(fast, port, I * sizeof *fast), "n %zu: kernels differ", n);
            ck_assert_msg(!memcmp(plain, port, I * sizeof *plain), "n %zu: portable differs", n);
            int nonzero = 0;
            for (size_t j = 0; j < I; j++)
                nonzero += fast[j] != 0.0f;
            ck_assert_msg(n == 0 ? nonzero == 0 : nonzero > 0, "n %zu: %d scores", n, nonzero);
        }
    }
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

/* A dense operator read row by row from a read-only file scores bitwise as
 * the whole one: a few rows (several chunks of them), then past the size of
 * the operator (read whole once), from a saved EASE and GF-CF; a lazy model
 * saves the same blob; a damaged one is refused at load. */
START_TEST(dense_rows_from_the_file)
{
    enum { U = 60, I = 200, E = 1800 };
    static uint32_t users[E], items[E];
    static float weights[E];
    static float want[I], got[I];
    static uint32_t hist[150];
    static float hist_w[150];
    char path[512], name[600];
    const char *names[2] = {"ease", "gfcf"};
    const int kinds[2] = {RS_CF_EASE, RS_CF_GFCF};
    rs_cf_matrix *x = NULL;
    rs_graph *g = NULL;
    snprintf(path, sizeof path, "%s/rs_cf_rows_%d.rsm",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    remove(path);
    for (int e = 0; e < E; e++) {
        users[e] = (uint32_t)(e % U);
        items[e] = (uint32_t)((e * 37 + e / U * 11) % I);
        weights[e] = 1.0f + (float)(e % 3);
    }
    ck_assert_ok(rs__cf_matrix_build(U, I, users, items, weights, E, &x));
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    rs_cf_model *fitted[2];
    for (int k = 0; k < 2; k++) {
        ck_assert_ok(rs_cf_model_create(kinds[k], &fitted[k]));
        ck_assert_ok(rs_cf_model_set_int(fitted[k], RS_CF_EIGENVECTORS, 8));
        ck_assert_ok(rs_cf_model_fit(fitted[k], x));
        ck_assert_ok(rs_cf_model_save(fitted[k], g, names[k]));
    }
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    for (int k = 0; k < 2; k++) {
        rs_cf_model *rows = NULL;
        ck_assert_ok(rs__cf_model_load_rows(g, names[k], &rows));
        ck_assert_ptr_nonnull(rows->rows);
        ck_assert_ptr_null(rows->ease);
        /* histories of 1, 3, 70 and 130 items (two chunks and a tail), in
         * an order of their own, weighted and not, repeated items */
        const size_t sizes[] = {1, 3, 70, 5, 130, 7, 150, 2};
        for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++) {
            size_t n = sizes[c];
            for (size_t e = 0; e < n; e++) {
                hist[e] = (uint32_t)((e * 53 + c * 7) % (e % 9 == 8 ? 3 : I));
                hist_w[e] = 0.5f + (float)((e + c) % 4);
            }
            for (int weighted = 0; weighted < 2; weighted++) {
                const float *w = weighted ? hist_w : NULL;
                ck_assert_ok(rs_cf_model_score(fitted[k], hist, w, n, want, I));
                ck_assert_ok(rs_cf_model_score(rows, hist, w, n, got, I));
                ck_assert_msg(memcmp(want, got, sizeof want) == 0, "%s: history %zu", names[k],
                              c);
            }
        }
        /* 1 + 3 + 70 + 5 + 130 rows (x2) read: the operator is in memory now */
        ck_assert(rs__cf_rows_in_memory(rows));
        /* what a lazy model saves is what was loaded */
        void *a, *b;
        size_t la, lb;
        rs_graph *copy = NULL;
        snprintf(name, sizeof name, "%s.copy", path);
        ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &copy));
        rs_cf_model *again = NULL;
        ck_assert_ok(rs__cf_model_load_rows(g, names[k], &again));
        ck_assert_ok(rs_cf_model_save(again, copy, names[k]));
        ck_assert_ok(rs__graph_meta_get(copy, k ? "cf.model:gfcf" : "cf.model:ease", &a, &la));
        ck_assert_ok(rs__graph_meta_get(g, k ? "cf.model:gfcf" : "cf.model:ease", &b, &lb));
        ck_assert_uint_eq(la, lb);
        ck_assert(memcmp(a, b, la) == 0);
        free(a);
        free(b);
        rs_cf_model_free(again);
        rs_graph_close(copy);
        rs_cf_model_free(rows);
        rs_cf_model_free(fitted[k]);
    }
    /* the other kinds, and a read-write graph, load whole */
    rs_cf_model *whole = NULL;
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ck_assert_ok(rs__cf_model_load_rows(g, "ease", &whole));
    ck_assert_ptr_null(whole->rows);
    ck_assert_ptr_nonnull(whole->ease);
    rs_cf_model_free(whole);
    ck_assert_status(rs__cf_model_load_rows(g, "missing", &whole), RS_ERR_NOTFOUND);
    /* damaged: one bit of a weight, then a non-finite weight under a valid
     * checksum */
    void *blob;
    size_t len;
    uint64_t sum;
    float inf = INFINITY;
    ck_assert_ok(rs__graph_meta_get(g, "cf.model:ease", &blob, &len));
    ((unsigned char *)blob)[len - 1000] ^= 4;
    ck_assert_ok(rs__graph_meta_set(g, "cf.model:ease", blob, len));
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_status(rs__cf_model_load_rows(g, "ease", &whole), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("checksum");
    ck_assert_ptr_null(whole);
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ((unsigned char *)blob)[len - 1000] ^= 4;
    memcpy((unsigned char *)blob + len - 8 - 4 * 77, &inf, 4);
    sum = XXH3_64bits(blob, len - 8);
    memcpy((unsigned char *)blob + len - 8, &sum, 8);
    ck_assert_ok(rs__graph_meta_set(g, "cf.model:ease", blob, len));
    free(blob);
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_status(rs__cf_model_load_rows(g, "ease", &whole), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("non-finite");
    ck_assert_status(rs_cf_model_load(g, "ease", &whole), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("non-finite");
    rs_graph_close(g);
    rs_cf_matrix_free(x);
    remove(path);
    snprintf(name, sizeof name, "%s-wal", path);
    remove(name);
    snprintf(name, sizeof name, "%s-shm", path);
    remove(name);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("learn_cf");
    TCase *tc = tcase_create("cf");
    tcase_add_test(tc, matrix_bad_input_and_duplicates);
    tcase_add_test(tc, options);
    tcase_add_test(tc, als_recovers_planted_structure);
    tcase_add_test(tc, fold_in_equals_direct_solve);
    tcase_add_test(tc, ease_matches_direct_solve);
    tcase_add_loop_test(tc, ease_kernels_agree_bitwise, 0, 2);
    tcase_add_test(tc, itemknn_matches_direct_cosine);
    tcase_add_test(tc, edlae_matches_direct_solve);
    tcase_add_test(tc, rp3beta_matches_dense_walk);
    tcase_add_test(tc, gfcf_matches_dense_filter);
    tcase_add_test(tc, graph_matrix_save_load_and_item_store);
    tcase_add_test(tc, new_kinds_blobs_validated);
    tcase_add_test(tc, dense_rows_from_the_file);
    suite_add_tcase(s, tc);
    return s;
}
