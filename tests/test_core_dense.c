/*
 * test_core_dense.c - the small dense solves (src/core/dense.c): LU with
 * partial pivoting and Cholesky against systems with a known solution,
 * pivoting that a zero leading entry forces, singular, semi-definite,
 * indefinite and NaN input, the tolerance, aliasing and n = 0.
 */
#include "testutil.h"

#include "core/dense.h"
#include "core/rng.h"

#include <math.h>
#include <string.h>

#define N 8

/* A = M M^T + I (symmetric positive definite), x planted, b = A x. */
static void planted_spd(uint64_t seed, double *a, double *x, double *b)
{
    rs_rng rng;
    double m[N * N];
    rs__rng_init(&rng, seed, 0, 0, 0);
    for (int i = 0; i < N * N; i++)
        m[i] = rs__rng_normal(&rng);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = i == j ? 1.0 : 0.0;
            for (int k = 0; k < N; k++)
                s += m[i * N + k] * m[j * N + k];
            a[i * N + j] = s;
        }
    for (int i = 0; i < N; i++)
        x[i] = rs__rng_normal(&rng);
    for (int i = 0; i < N; i++) {
        b[i] = 0;
        for (int j = 0; j < N; j++)
            b[i] += a[i * N + j] * x[j];
    }
}

START_TEST(lu_solves_a_planted_system)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        double a[N * N], x[N], b[N], got[N];
        planted_spd(seed, a, x, b);
        ck_assert_uint_eq(rs__dense_lu_solve(a, b, got, N, 0), 0);
        for (int i = 0; i < N; i++)
            ck_assert_msg(fabs(got[i] - x[i]) < 1e-9 * (1 + fabs(x[i])), "seed %d x[%d] %g, %g",
                          (int)seed, i, got[i], x[i]);
        /* x may be b */
        planted_spd(seed, a, x, b);
        ck_assert_uint_eq(rs__dense_lu_solve(a, b, b, N, 0), 0);
        for (int i = 0; i < N; i++)
            ck_assert_double_eq(b[i], got[i]);
    }
}
END_TEST

START_TEST(lu_pivots_past_a_zero)
{
    /* a[0][0] = 0: without a row exchange the first step divides by zero */
    double a[9] = {0, 2, 1, 1, 1, 1, 2, 1, 0};
    double b[3] = {4, 4, 3}; /* x = (1, 1, 2) */
    double x[3];
    ck_assert_uint_eq(rs__dense_lu_solve(a, b, x, 3, 0), 0);
    ck_assert_double_eq_tol(x[0], 1.0, 1e-14);
    ck_assert_double_eq_tol(x[1], 1.0, 1e-14);
    ck_assert_double_eq_tol(x[2], 2.0, 1e-14);
    /* negative definite (a maximum's Hessian) is as good as positive */
    double n2[4] = {-2, 1, 1, -3}, r2[2] = {-1, -2}, y[2];
    ck_assert_uint_eq(rs__dense_lu_solve(n2, r2, y, 2, 0), 0);
    ck_assert_double_eq_tol(-2 * y[0] + y[1], -1.0, 1e-14);
    ck_assert_double_eq_tol(y[0] - 3 * y[1], -2.0, 1e-14);
}
END_TEST

START_TEST(lu_singular_and_semidefinite)
{
    /* rank 1: the second pivot vanishes; its unknown is 0 and the first
     * solves what the system determines */
    double a[4] = {1, 1, 1, 1}, b[2] = {2, 2}, x[2] = {7, 7};
    ck_assert_uint_eq(rs__dense_lu_solve(a, b, x, 2, 0), 1);
    ck_assert_double_eq(x[1], 0.0);
    ck_assert_double_eq(x[0], 2.0);
    /* all zero: every pivot singular, x all zero, nothing divided by 0 */
    double z[9] = {0}, zb[3] = {1, 2, 3}, zx[3] = {7, 7, 7};
    ck_assert_uint_eq(rs__dense_lu_solve(z, zb, zx, 3, 0), 3);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq(zx[i], 0.0);
    /* the tolerance decides: a pivot of 1e-13 is singular at 1e-12 ... */
    double t[4] = {1, 0, 0, 1e-13}, tb[2] = {1, 1}, tx[2];
    ck_assert_uint_eq(rs__dense_lu_solve(t, tb, tx, 2, 1e-12), 1);
    ck_assert_double_eq(tx[0], 1.0);
    ck_assert_double_eq(tx[1], 0.0);
    /* ... and regular at 0 */
    double t2[4] = {1, 0, 0, 1e-13}, tb2[2] = {1, 1};
    ck_assert_uint_eq(rs__dense_lu_solve(t2, tb2, tx, 2, 0), 0);
    ck_assert_double_eq_tol(tx[1], 1e13, 1.0);
    /* a pivot equal to the tolerance is singular (not above it) */
    double e[1] = {0.5}, eb[1] = {1}, ex[1];
    ck_assert_uint_eq(rs__dense_lu_solve(e, eb, ex, 1, 0.5), 1);
    ck_assert_double_eq(ex[0], 0.0);
}
END_TEST

START_TEST(lu_nan_and_empty)
{
    /* a NaN pivot counts as singular: its unknown is 0, not NaN */
    double a[4] = {NAN, 0, 0, 2}, b[2] = {1, 4}, x[2];
    ck_assert_uint_eq(rs__dense_lu_solve(a, b, x, 2, 0), 1);
    ck_assert_double_eq(x[0], 0.0);
    ck_assert_double_eq(x[1], 2.0);
    /* NaN everywhere: every pivot singular */
    double n[4] = {NAN, NAN, NAN, NAN}, nb[2] = {1, 1}, nx[2];
    ck_assert_uint_eq(rs__dense_lu_solve(n, nb, nx, 2, 0), 2);
    ck_assert_double_eq(nx[0], 0.0);
    ck_assert_double_eq(nx[1], 0.0);
    /* n = 0 touches nothing */
    ck_assert_uint_eq(rs__dense_lu_solve(NULL, NULL, NULL, 0, 0), 0);
}
END_TEST

START_TEST(cholesky_solves_a_planted_system)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        double a[N * N], x[N], b[N], lu[N * N], lb[N], lx[N];
        planted_spd(seed, a, x, b);
        memcpy(lu, a, sizeof lu);
        memcpy(lb, b, sizeof lb);
        /* only the lower triangle is read: garbage above it changes nothing */
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++)
                a[i * N + j] = NAN;
        ck_assert(rs__dense_cholesky_solve(a, b, N));
        ck_assert_uint_eq(rs__dense_lu_solve(lu, lb, lx, N, 0), 0);
        for (int i = 0; i < N; i++) {
            ck_assert_msg(fabs(b[i] - x[i]) < 1e-9 * (1 + fabs(x[i])), "x[%d] %g, %g", i, b[i],
                          x[i]);
            ck_assert_double_eq_tol(b[i], lx[i], 1e-9 * (1 + fabs(x[i])));
        }
        /* the factor L is left in the lower triangle: L L^T is A again */
        double again[N * N];
        planted_spd(seed, again, x, lb);
        for (int i = 0; i < N; i++)
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k <= j; k++)
                    s += a[i * N + k] * a[j * N + k];
                ck_assert_double_eq_tol(s, again[i * N + j], 1e-9 * fabs(again[i * N + i]));
            }
    }
}
END_TEST

START_TEST(cholesky_refuses_what_is_not_positive_definite)
{
    double indef[4] = {1, 2, 2, 1}, b[2] = {1, 1};
    ck_assert(!rs__dense_cholesky_solve(indef, b, 2));
    double semi[4] = {1, 1, 1, 1}, sb[2] = {1, 1};
    ck_assert(!rs__dense_cholesky_solve(semi, sb, 2));
    double neg[1] = {-1}, nb[1] = {1};
    ck_assert(!rs__dense_cholesky_solve(neg, nb, 1));
    double zero[1] = {0}, zb[1] = {1};
    ck_assert(!rs__dense_cholesky_solve(zero, zb, 1));
    double nan[4] = {4, 0, NAN, 1}, qb[2] = {1, 1};
    ck_assert(!rs__dense_cholesky_solve(nan, qb, 2));
    double inf[1] = {INFINITY}, ib[1] = {1};
    /* an infinite pivot is "positive"; the solution is then 0, not NaN */
    ck_assert(rs__dense_cholesky_solve(inf, ib, 1));
    ck_assert_double_eq(ib[0], 0.0);
    ck_assert(rs__dense_cholesky_solve(NULL, NULL, 0));
    double one[1] = {4}, ob[1] = {2};
    ck_assert(rs__dense_cholesky_solve(one, ob, 1));
    ck_assert_double_eq(ob[0], 0.5);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("core_dense");
    TCase *tc = tcase_create("dense");
    tcase_add_test(tc, lu_solves_a_planted_system);
    tcase_add_test(tc, lu_pivots_past_a_zero);
    tcase_add_test(tc, lu_singular_and_semidefinite);
    tcase_add_test(tc, lu_nan_and_empty);
    tcase_add_test(tc, cholesky_solves_a_planted_system);
    tcase_add_test(tc, cholesky_refuses_what_is_not_positive_definite);
    suite_add_tcase(s, tc);
    return s;
}
