/*
 * test_core_blas.c - the CBLAS wrappers against naive loops, and bit sets.
 */
#include "testutil.h"

#include "core/bitset.h"
#include "core/blas.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

static float *random_matrix(size_t rows, size_t cols, uint64_t seed)
{
    float *m = malloc(rows * cols * sizeof *m);
    rs_rng r;
    rs__rng_init(&r, seed, 0, 0, 0);
    for (size_t i = 0; i < rows * cols; i++)
        m[i] = (float)rs__rng_normal(&r);
    return m;
}

START_TEST(sgemm_matches_naive)
{
    enum { M = 7, N = 5, K = 9 };
    float *a = random_matrix(M, K, 1), *b = random_matrix(N, K, 2);
    float c[M * N];
    ck_assert_int_eq(rs__sgemm(false, true, M, N, K, 1.0f, a, K, b, K, 0.0f, c, N), 0);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double want = 0;
            for (size_t p = 0; p < K; p++)
                want += (double)a[i * K + p] * b[j * K + p];
            ck_assert_double_eq_tol(c[i * N + j], want, 1e-4);
        }
    /* empty dimensions are a no-op, oversized ones an error */
    ck_assert_int_eq(rs__sgemm(false, true, 0, N, K, 1.0f, a, K, b, K, 0.0f, c, N), 0);
    ck_assert_int_eq(rs__sgemm(false, true, (size_t)INT_MAX + 1, N, K, 1.0f, a, K, b, K,
                               0.0f, c, N),
                     RS_ERR_OVERFLOW);
    ck_assert_errmsg_has("sgemm");
    free(a);
    free(b);
}
END_TEST

START_TEST(sgemv_and_level1)
{
    enum { R = 6, C = 4 };
    float *a = random_matrix(R, C, 3), *x = random_matrix(1, C, 4), *xr = random_matrix(1, R, 5);
    float y[R], yt[C];
    ck_assert_int_eq(rs__sgemv(false, R, C, 1.0f, a, C, x, 0.0f, y), 0);
    ck_assert_int_eq(rs__sgemv(true, R, C, 1.0f, a, C, xr, 0.0f, yt), 0);
    for (size_t i = 0; i < R; i++) {
        double want = 0;
        for (size_t j = 0; j < C; j++)
            want += (double)a[i * C + j] * x[j];
        ck_assert_double_eq_tol(y[i], want, 1e-4);
    }
    for (size_t j = 0; j < C; j++) {
        double want = 0;
        for (size_t i = 0; i < R; i++)
            want += (double)a[i * C + j] * xr[i];
        ck_assert_double_eq_tol(yt[j], want, 1e-4);
    }
    float u[3] = {3, 4, 0}, v[3] = {1, 2, 3};
    ck_assert_float_eq_tol(rs__sdot(3, u, v), 11.0f, 1e-6f);
    ck_assert_float_eq_tol(rs__snrm2(3, u), 5.0f, 1e-6f);
    ck_assert_float_eq(rs__sdot(0, u, v), 0.0f);
    rs__saxpy(3, 2.0f, u, v); /* v = 2u + v */
    ck_assert_float_eq_tol(v[1], 10.0f, 1e-6f);
    rs__sscal(3, 0.5f, v);
    ck_assert_float_eq_tol(v[0], 3.5f, 1e-6f);
    free(a);
    free(x);
    free(xr);
}
END_TEST

START_TEST(syrk_is_gram_matrix)
{
    enum { K = 8, N = 5 };
    float *a = random_matrix(K, N, 6);
    float c[N * N];
    memset(c, 0, sizeof c);
    ck_assert_int_eq(rs__ssyrk_ata(N, K, 1.0f, a, N, 0.0f, c, N), 0);
    for (size_t i = 0; i < N; i++)
        for (size_t j = i; j < N; j++) {
            double want = 0;
            for (size_t p = 0; p < K; p++)
                want += (double)a[p * N + i] * a[p * N + j];
            ck_assert_double_eq_tol(c[i * N + j], want, 1e-4);
        }
    free(a);
}
END_TEST

/* Each task records the OpenBLAS thread count it runs under. */
static int seen_blas_threads(void *ctx, size_t task, unsigned worker)
{
    int *seen = ctx;
    (void)worker;
    seen[task] = openblas_get_num_threads();
    return 0;
}

/* Inside a loop of the library's threads OpenBLAS runs on one thread (no
 * OpenBLAS threads nested in ours); the caller's count comes back after,
 * including one set while the loop ran. */
START_TEST(blas_single_inside_loops)
{
    int seen[64];
    ck_assert_ok(rs_set_num_threads(2));
    ck_assert_int_eq(openblas_get_num_threads(), 2);
    ck_assert_int_eq(rs__parallel_for(64, 2, seen_blas_threads, seen), 0);
    for (int t = 0; t < 64; t++)
        ck_assert_int_eq(seen[t], 1);
    ck_assert_int_eq(openblas_get_num_threads(), 2);
    /* one worker: nothing to hold */
    ck_assert_int_eq(rs__parallel_for(8, 1, seen_blas_threads, seen), 0);
    ck_assert_int_eq(seen[0], 2);
    /* nested, and a count set meanwhile takes effect at the last end */
    rs__blas_single_begin();
    rs__blas_single_begin();
    ck_assert_int_eq(openblas_get_num_threads(), 1);
    ck_assert_int_eq(rs__blas_get_threads(), 2);
    ck_assert_ok(rs_set_num_threads(3));
    ck_assert_int_eq(openblas_get_num_threads(), 1);
    ck_assert_int_eq(rs__blas_get_threads(), 3);
    rs__blas_single_end();
    ck_assert_int_eq(openblas_get_num_threads(), 1);
    rs__blas_single_end();
    ck_assert_int_eq(openblas_get_num_threads(), 3);
    rs__blas_single_end(); /* unmatched: ignored */
    ck_assert_int_eq(openblas_get_num_threads(), 3);
    ck_assert_ok(rs_set_num_threads(0));
}
END_TEST

START_TEST(bitsets)
{
    uint64_t bits[3] = {0};
    ck_assert_uint_eq(rs__bitset_words(0), 0);
    ck_assert_uint_eq(rs__bitset_words(64), 1);
    ck_assert_uint_eq(rs__bitset_words(65), 2);
    rs__bitset_set(bits, 0);
    rs__bitset_set(bits, 63);
    rs__bitset_set(bits, 64);
    rs__bitset_set(bits, 130);
    ck_assert(rs__bitset_test(bits, 63) && rs__bitset_test(bits, 64));
    ck_assert(!rs__bitset_test(bits, 1));
    ck_assert_uint_eq(rs__bitset_count(bits, 131), 4);
    ck_assert_uint_eq(rs__bitset_count(bits, 130), 3);
    rs__bitset_clear(bits, 63);
    ck_assert_uint_eq(rs__bitset_count(bits, 192), 3);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("core_blas");
    TCase *tc = tcase_create("blas");
    tcase_add_test(tc, sgemm_matches_naive);
    tcase_add_test(tc, sgemv_and_level1);
    tcase_add_test(tc, syrk_is_gram_matrix);
    tcase_add_test(tc, bitsets);
    tcase_add_test(tc, blas_single_inside_loops);
    suite_add_tcase(s, tc);
    return s;
}
