/*
 * test_core_fastmath.c - the shared scalar math (src/core/fastmath.h):
 * rs__fast_exp against libm over the range the draws use and at its edges
 * (NaN, infinities, underflow, overflow), and the logistic functions'
 * symmetry, limits and agreement with each other.
 */
#include "testutil.h"

#include "core/fastmath.h"

#include <math.h>

START_TEST(fast_exp_matches_libm)
{
    double worst = 0;
    for (double x = -700.0; x <= 700.0; x += 0.0137) {
        double want = exp(x), got = rs__fast_exp(x);
        double rel = fabs(got - want) / want;
        if (rel > worst)
            worst = rel;
    }
    ck_assert_msg(worst < 1e-12, "worst relative error %g", worst);
    ck_assert_double_eq(rs__fast_exp(0.0), 1.0);
}
END_TEST

START_TEST(fast_exp_edges)
{
    ck_assert(isnan(rs__fast_exp(NAN)));
    ck_assert_double_eq(rs__fast_exp(-INFINITY), 0.0);
    ck_assert_double_eq(rs__fast_exp(-1000.0), 0.0);
    ck_assert(isinf(rs__fast_exp(INFINITY)));
    ck_assert(isinf(rs__fast_exp(710.0)));
    ck_assert(isfinite(rs__fast_exp(709.0)));
}
END_TEST

START_TEST(sigmoids_agree)
{
    for (double x = -40.0; x <= 40.0; x += 0.25) {
        double s = rs__sigmoid(x), f = rs__fast_sigmoid(x);
        ck_assert(s > 0 && s <= 1);
        ck_assert(fabs(s - f) <= 1e-12);
        ck_assert(fabs(s + rs__sigmoid(-x) - 1.0) < 1e-15);
    }
    ck_assert_double_eq(rs__sigmoid(0.0), 0.5);
    ck_assert_double_eq(rs__sigmoid(INFINITY), 1.0);
    ck_assert_double_eq(rs__sigmoid(-INFINITY), 0.0);
    ck_assert_double_eq(rs__fast_sigmoid(-INFINITY), 0.0);
    ck_assert(isnan(rs__sigmoid(NAN)) && isnan(rs__fast_sigmoid(NAN)));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("core_fastmath");
    TCase *tc = tcase_create("fastmath");
    tcase_add_test(tc, fast_exp_matches_libm);
    tcase_add_test(tc, fast_exp_edges);
    tcase_add_test(tc, sigmoids_agree);
    suite_add_tcase(s, tc);
    return s;
}
