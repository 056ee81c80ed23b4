/*
 * test_learn_cf_pairs.c - EASE with pairwise interactions (RS_CF_EASE_PAIRS):
 * the pairs chosen against a direct count, the fit against the joint
 * closed form (the loss splits by target column: one dense ridge
 * regression per column over the allowed items and pairs), scores, no
 * iterations = EASE, persistence, damaged blobs and bad input.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/dense.h"
#include "graph/graph_internal.h"
#include "learn/cf_internal.h"
#include "testutil.h"
#include "cf_blob.h"

#define NU 12
#define NI 6

/* A fixed users x items pattern with weights 1 or 2. */
static double cell(int u, int i)
{
    int h = (u * 7 + i * 3 + u * i) % 5;
    return h < 2 ? 1.0 + (double)((u + i) % 2) : 0.0;
}

static rs_cf_matrix *make_matrix(void)
{
    uint32_t users[NU * NI], items[NU * NI];
    float weights[NU * NI];
    size_t n = 0;
    for (int u = 0; u < NU; u++)
        for (int i = 0; i < NI; i++)
            if (cell(u, i) > 0) {
                users[n] = (uint32_t)u;
                items[n] = (uint32_t)i;
                weights[n++] = (float)cell(u, i);
            }
    rs_cf_matrix *x = NULL;
    ck_assert_ok(rs_cf_matrix_create(NU, NI, users, items, weights, n, &x));
    return x;
}

static bool has(int u, int i) { return cell(u, i) > 0; }

START_TEST(pairs_match_joint_closed_form)
{
    rs_cf_matrix *x = make_matrix();
    rs_cf_model *m = NULL;
    const double lambda = 3.0;
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE_PAIRS, &m));
    long long it;
    ck_assert_ok(rs_cf_model_get_int(m, RS_CF_ITERATIONS, &it));
    ck_assert_int_eq(it, 3);
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, lambda));
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_PAIRS, 4));
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_ITERATIONS, 3000));
    ck_assert_ok(rs_cf_model_fit(m, x));

    /* the pairs: the 4 most co-occurring (>= 2 users), ties by (a, b) */
    int count[NI][NI] = {{0}};
    for (int u = 0; u < NU; u++)
        for (int a = 0; a < NI; a++)
            for (int b = a + 1; b < NI; b++)
                count[a][b] += has(u, a) && has(u, b);
    int k = 0;
    bool taken[NI][NI] = {{false}};
    for (; k < 4; k++) {
        int best = 1, ba = -1, bb = -1;
        for (int a = 0; a < NI; a++)
            for (int b = a + 1; b < NI; b++)
                if (!taken[a][b] && count[a][b] > best) {
                    best = count[a][b];
                    ba = a;
                    bb = b;
                }
        if (ba < 0)
            break;
        taken[ba][bb] = true;
    }
    ck_assert_int_eq(k, 4);
    ck_assert_uint_eq(m->n_pairs, 4);
    for (size_t p = 0; p < 4; p++)
        ck_assert(taken[m->pair_a[p]][m->pair_b[p]]);
    for (size_t p = 1; p < 4; p++)
        ck_assert(m->pair_a[p - 1] < m->pair_a[p] ||
                  (m->pair_a[p - 1] == m->pair_a[p] && m->pair_b[p - 1] < m->pair_b[p]));

    /* per target column j: ridge over items i != j and pairs without j */
    size_t np = m->n_pairs;
    for (int j = 0; j < NI; j++) {
        int feat[NI + 4][2], nf = 0; /* {0, item} or {1, pair} */
        for (int i = 0; i < NI; i++)
            if (i != j) {
                feat[nf][0] = 0;
                feat[nf++][1] = i;
            }
        for (size_t p = 0; p < np; p++)
            if ((int)m->pair_a[p] != j && (int)m->pair_b[p] != j) {
                feat[nf][0] = 1;
                feat[nf++][1] = (int)p;
            }
        double f[NU][NI + 4], a[(NI + 4) * (NI + 4)], rhs[NI + 4];
        for (int u = 0; u < NU; u++)
            for (int q = 0; q < nf; q++)
                f[u][q] = feat[q][0] == 0 ? cell(u, feat[q][1])
                                          : (double)(has(u, (int)m->pair_a[feat[q][1]]) &&
                                                     has(u, (int)m->pair_b[feat[q][1]]));
        for (int q = 0; q < nf; q++) {
            rhs[q] = 0;
            for (int u = 0; u < NU; u++)
                rhs[q] += f[u][q] * cell(u, j);
            for (int r = 0; r < nf; r++) {
                double s = q == r ? lambda : 0.0;
                for (int u = 0; u < NU; u++)
                    s += f[u][q] * f[u][r];
                a[q * nf + r] = s;
            }
        }
        rs__dense_lu_solve(a, rhs, rhs, (size_t)nf, 0);
        ck_assert_float_eq(m->ease[j * NI + j], 0.0f);
        for (int q = 0; q < nf; q++) {
            float got = feat[q][0] == 0 ? m->ease[feat[q][1] * NI + j]
                                        : m->pair_w[(size_t)feat[q][1] * NI + (size_t)j];
            ck_assert_double_eq_tol(got, rhs[q], 2e-4);
        }
        for (size_t p = 0; p < np; p++)
            if ((int)m->pair_a[p] == j || (int)m->pair_b[p] == j)
                ck_assert_float_eq(m->pair_w[p * NI + (size_t)j], 0.0f);
    }

    /* a score: weighted x B plus the rows of the pairs present */
    uint32_t hist[4] = {m->pair_b[0], m->pair_a[0], m->pair_b[0], 5};
    float w[4] = {2.0f, 1.0f, 0.5f, 1.0f}, got[NI];
    ck_assert_ok(rs_cf_model_score(m, hist, w, 4, got, NI));
    for (int j = 0; j < NI; j++) {
        double want = 0;
        for (int e = 0; e < 4; e++)
            want += w[e] * m->ease[hist[e] * NI + j];
        for (size_t p = 0; p < np; p++) {
            bool ina = false, inb = false;
            for (int e = 0; e < 4; e++) {
                ina = ina || hist[e] == m->pair_a[p];
                inb = inb || hist[e] == m->pair_b[p];
            }
            if (ina && inb)
                want += m->pair_w[p * NI + (size_t)j];
        }
        ck_assert_double_eq_tol(got[j], want, 1e-5);
    }
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

START_TEST(no_iterations_is_ease)
{
    rs_cf_matrix *x = make_matrix();
    rs_cf_model *e = NULL, *p = NULL;
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE, &e));
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE_PAIRS, &p));
    ck_assert_ok(rs_cf_model_set_int(p, RS_CF_ITERATIONS, 0));
    ck_assert_ok(rs_cf_model_set_double(e, RS_CF_LAMBDA, 4.0));
    ck_assert_ok(rs_cf_model_set_double(p, RS_CF_LAMBDA, 4.0));
    ck_assert_ok(rs_cf_model_fit(e, x));
    ck_assert_ok(rs_cf_model_fit(p, x));
    uint32_t hist[3] = {0, 1, 2};
    float se[NI], sp[NI];
    ck_assert_ok(rs_cf_model_score(e, hist, NULL, 3, se, NI));
    ck_assert_ok(rs_cf_model_score(p, hist, NULL, 3, sp, NI));
    for (int j = 0; j < NI; j++)
        ck_assert_float_eq_tol(se[j], sp[j], 1e-4f);
    /* no pair asked for: EASE too, whatever the iterations */
    ck_assert_ok(rs_cf_model_set_int(p, RS_CF_PAIRS, 0));
    ck_assert_ok(rs_cf_model_set_int(p, RS_CF_ITERATIONS, 5));
    ck_assert_ok(rs_cf_model_fit(p, x));
    ck_assert_uint_eq(p->n_pairs, 0);
    ck_assert_ok(rs_cf_model_score(p, hist, NULL, 3, sp, NI));
    for (int j = 0; j < NI; j++)
        ck_assert_float_eq_tol(se[j], sp[j], 1e-4f);
    rs_cf_model_free(e);
    rs_cf_model_free(p);
    rs_cf_matrix_free(x);
}
END_TEST

START_TEST(save_load_and_damage)
{
    rs_cf_matrix *x = make_matrix();
    rs_cf_model *m = NULL, *back = NULL;
    rs_graph *g = NULL;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE_PAIRS, &m));
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_PAIRS, 3));
    ck_assert_ok(rs_cf_model_fit(m, x));
    ck_assert_ok(rs_cf_model_save(m, g, "p"));
    ck_assert_ok(rs_cf_model_load(g, "p", &back));
    ck_assert_int_eq(rs_cf_model_kind(back), RS_CF_EASE_PAIRS);
    long long pairs;
    ck_assert_ok(rs_cf_model_get_int(back, RS_CF_PAIRS, &pairs));
    ck_assert_int_eq(pairs, 3);
    ck_assert_uint_eq(back->n_pairs, m->n_pairs);
    for (uint32_t u = 0; u < NU; u++) {
        uint32_t hist[NI];
        size_t n = 0;
        for (int i = 0; i < NI; i++)
            if (has((int)u, i))
                hist[n++] = (uint32_t)i;
        float a[NI], b[NI];
        ck_assert_ok(rs_cf_model_score(m, hist, NULL, n, a, NI));
        ck_assert_ok(rs_cf_model_score(back, hist, NULL, n, b, NI));
        ck_assert_mem_eq(a, b, sizeof a);
    }
    rs_cf_model_free(back);
    back = NULL;
    /* damaged: a pair (a, a), an item out of range, a NaN weight, a
     * pair count above the option, a truncated body */
    const size_t body = BLOB_ARRAYS + 8 + NI * NI * 4;
    rewrite_blob(g, "cf.model:p", body + m->n_pairs * 4, &m->pair_a[0], 4); /* b = a */
    ck_assert_status(rs_cf_model_load(g, "p", &back), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("pairs");
    ck_assert_ok(rs_cf_model_save(m, g, "p"));
    uint32_t far = NI;
    rewrite_blob(g, "cf.model:p", body + m->n_pairs * 4, &far, 4);
    ck_assert_status(rs_cf_model_load(g, "p", &back), RS_ERR_CORRUPT);
    ck_assert_ok(rs_cf_model_save(m, g, "p"));
    float nan = NAN;
    rewrite_blob(g, "cf.model:p", body + m->n_pairs * 8, &nan, 4);
    ck_assert_status(rs_cf_model_load(g, "p", &back), RS_ERR_CORRUPT);
    ck_assert_ok(rs_cf_model_save(m, g, "p"));
    int64_t option = 1;
    rewrite_blob(g, "cf.model:p", BLOB_ARRAYS, &option, 8);
    ck_assert_status(rs_cf_model_load(g, "p", &back), RS_ERR_CORRUPT);
    ck_assert_ok(rs_cf_model_save(m, g, "p"));
    uint64_t count = m->n_pairs + 1;
    rewrite_blob(g, "cf.model:p", BLOB_ARRAYS - 8, &count, 8);
    ck_assert_status(rs_cf_model_load(g, "p", &back), RS_ERR_CORRUPT);
    ck_assert_ptr_null(back);
    rs_graph_close(g);
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

START_TEST(bad_input)
{
    rs_cf_matrix *x = make_matrix();
    rs_cf_model *m = NULL;
    ck_assert_status(rs_cf_model_create(RS_CF_EASE_PAIRS + 1, &m), RS_ERR_INVALID);
    ck_assert_ok(rs_cf_model_create(RS_CF_EASE_PAIRS, &m));
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_PAIRS, -1), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_int(m, RS_CF_PAIRS, 100001), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_LAMBDA, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_set_double(m, RS_CF_LAMBDA, INFINITY), RS_ERR_RANGE);
    float s[NI];
    uint32_t item = 1;
    ck_assert_status(rs_cf_model_score(m, &item, NULL, 1, s, NI), RS_ERR_STATE);
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_MAX_ITEMS, NI - 1));
    ck_assert_status(rs_cf_model_fit(m, x), RS_ERR_LIMIT);
    ck_assert_ok(rs_cf_model_set_int(m, RS_CF_MAX_ITEMS, NI));
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, 0.0));
    ck_assert_status(rs_cf_model_fit(m, x), RS_ERR_RANGE);
    ck_assert(!m->fitted);
    ck_assert_ok(rs_cf_model_set_double(m, RS_CF_LAMBDA, 10.0));
    ck_assert_ok(rs_cf_model_fit(m, x));
    item = NI;
    ck_assert_status(rs_cf_model_score(m, &item, NULL, 1, s, NI), RS_ERR_RANGE);
    item = 0;
    ck_assert_status(rs_cf_model_score(m, &item, NULL, 1, s, NI + 1), RS_ERR_DIM);
    float bad = NAN;
    ck_assert_status(rs_cf_model_score(m, &item, &bad, 1, s, NI), RS_ERR_RANGE);
    ck_assert_status(rs_cf_model_score(m, NULL, NULL, 1, s, NI), RS_ERR_INVALID);
    ck_assert_ok(rs_cf_model_score(m, NULL, NULL, 0, s, NI)); /* empty history: zeros */
    for (int j = 0; j < NI; j++)
        ck_assert_float_eq(s[j], 0.0f);
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("learn_cf_pairs");
    TCase *tc = tcase_create("pairs");
    tcase_add_test(tc, pairs_match_joint_closed_form);
    tcase_add_test(tc, no_iterations_is_ease);
    tcase_add_test(tc, save_load_and_damage);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}
