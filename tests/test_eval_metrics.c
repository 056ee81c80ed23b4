/*
 * test_eval_metrics.c - every metric against hand-computed values, and the
 * edge cases: empty truth, short lists, duplicates, padding, bad input.
 */
#include "testutil.h"

#include <math.h>

#define TOL 1e-9
#define L3 1.5849625007211562 /* log2(3) */
#define L5 2.321928094887362  /* log2(5) */

static double at_k(int metric, const uint32_t *ranked, size_t n, const uint32_t *truth,
                   size_t nt, size_t k)
{
    double v = -1.0;
    ck_assert_ok(rs_metric_at_k(metric, ranked, n, truth, nt, k, &v));
    return v;
}

START_TEST(hand_computed_list)
{
    /* hits at ranks 2 and 4 of 5; |truth| = 3 */
    const uint32_t ranked[] = {5, 1, 9, 2, 7}, truth[] = {1, 2, 3};
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_PRECISION, ranked, 5, truth, 3, 5), 0.4, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_RECALL, ranked, 5, truth, 3, 5), 2.0 / 3, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_F1, ranked, 5, truth, 3, 5), 0.5, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_NDCG, ranked, 5, truth, 3, 5),
                            (1 / L3 + 1 / L5) / (1 + 1 / L3 + 0.5), TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_MAP, ranked, 5, truth, 3, 5),
                            (1.0 / 2 + 2.0 / 4) / 3, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_MRR, ranked, 5, truth, 3, 5), 0.5, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_HIT_RATE, ranked, 5, truth, 3, 5), 1.0, TOL);
    /* cut-off 3 keeps only the rank-2 hit */
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_PRECISION, ranked, 5, truth, 3, 3), 1.0 / 3, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_NDCG, ranked, 5, truth, 3, 3),
                            (1 / L3) / (1 + 1 / L3 + 0.5), TOL);
    /* no hit at cut-off 1 */
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_HIT_RATE, ranked, 5, truth, 3, 1), 0.0, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_F1, ranked, 5, truth, 3, 1), 0.0, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_MRR, ranked, 5, truth, 3, 1), 0.0, TOL);
}
END_TEST

START_TEST(short_list_is_not_rewarded)
{
    const uint32_t ranked[] = {1}, truth[] = {1, 2};
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_PRECISION, ranked, 1, truth, 2, 10), 0.1, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_RECALL, ranked, 1, truth, 2, 10), 0.5, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_NDCG, ranked, 1, truth, 2, 10), 1 / (1 + 1 / L3),
                            TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_MAP, ranked, 1, truth, 2, 10), 0.5, TOL);
    /* an empty list scores 0 */
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_NDCG, NULL, 0, truth, 2, 10), 0.0, TOL);
}
END_TEST

START_TEST(duplicates_and_padding)
{
    /* the second 1 is a miss */
    const uint32_t ranked[] = {1, 1, 2}, truth[] = {1, 2};
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_PRECISION, ranked, 3, truth, 2, 3), 2.0 / 3, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_NDCG, ranked, 3, truth, 2, 3),
                            1.5 / (1 + 1 / L3), TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_MAP, ranked, 3, truth, 2, 3), (1 + 2.0 / 3) / 2,
                            TOL);
    /* duplicates in truth count once */
    const uint32_t truth_dup[] = {2, 1, 1, 2};
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_RECALL, ranked, 3, truth_dup, 4, 3), 1.0, TOL);
    /* padding is a miss */
    const uint32_t padded[] = {RS_NO_ITEM, 2}, truth2[] = {2};
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_MRR, padded, 2, truth2, 1, 2), 0.5, TOL);
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_NDCG, padded, 2, truth2, 1, 2), 1 / L3, TOL);
}
END_TEST

START_TEST(bad_input)
{
    const uint32_t ranked[] = {1}, truth[] = {1};
    double v = 42.0;
    ck_assert_status(rs_metric_at_k(RS_EVAL_METRIC_NDCG, ranked, 1, truth, 0, 10, &v), RS_ERR_RANGE);
    ck_assert_errmsg_has("truth set is empty");
    ck_assert_status(rs_metric_at_k(RS_EVAL_METRIC_NDCG, ranked, 1, truth, 1, 0, &v), RS_ERR_RANGE);
    ck_assert_status(rs_metric_at_k(99, ranked, 1, truth, 1, 10, &v), RS_ERR_INVALID);
    ck_assert_status(rs_metric_at_k(-1, ranked, 1, truth, 1, 10, &v), RS_ERR_INVALID);
    ck_assert_status(rs_metric_at_k(RS_EVAL_METRIC_NDCG, ranked, 1, truth, 1, 10, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_metric_at_k(RS_EVAL_METRIC_NDCG, NULL, 3, truth, 1, 10, &v), RS_ERR_INVALID);
    ck_assert_status(rs_metric_at_k(RS_EVAL_METRIC_NDCG, ranked, 1, NULL, 1, 10, &v), RS_ERR_INVALID);
    ck_assert_double_eq(v, 42.0);
    ck_assert_str_eq(rs_metric_name(RS_EVAL_METRIC_NDCG), "ndcg");
    ck_assert_str_eq(rs_metric_name(RS_EVAL_METRIC_HIT_RATE), "hit_rate");
    ck_assert_ptr_null(rs_metric_name(RS_EVAL_METRIC_COUNT));
    /* a huge k is fine */
    ck_assert_double_eq_tol(at_k(RS_EVAL_METRIC_RECALL, ranked, 1, truth, 1, SIZE_MAX), 1.0, TOL);
}
END_TEST

START_TEST(graded_ndcg)
{
    const uint32_t ranked[] = {3, 1, 2}, truth[] = {1, 2, 3};
    const double gains[] = {3, 1, 0}, zero[] = {0, 0, 0}, negative[] = {1, -1, 0},
                 nan_gain[] = {1, NAN, 0};
    double v = -1;
    ck_assert_ok(rs_metric_ndcg_graded(ranked, 3, truth, gains, 3, 3, &v));
    ck_assert_double_eq_tol(v, (3 / L3 + 0.5) / (3 + 1 / L3), TOL);
    ck_assert_ok(rs_metric_ndcg_graded(ranked, 3, truth, zero, 3, 3, &v));
    ck_assert_double_eq_tol(v, 0.0, TOL);
    /* binary gains give the binary NDCG */
    const double ones[] = {1, 1, 1};
    const uint32_t list[] = {5, 1, 9, 2, 7};
    ck_assert_ok(rs_metric_ndcg_graded(list, 5, truth, ones, 3, 5, &v));
    ck_assert_double_eq_tol(v, at_k(RS_EVAL_METRIC_NDCG, list, 5, truth, 3, 5), TOL);
    ck_assert_status(rs_metric_ndcg_graded(ranked, 3, truth, negative, 3, 3, &v), RS_ERR_RANGE);
    ck_assert_errmsg_has("gain 1");
    ck_assert_status(rs_metric_ndcg_graded(ranked, 3, truth, nan_gain, 3, 3, &v), RS_ERR_RANGE);
    ck_assert_status(rs_metric_ndcg_graded(ranked, 3, truth, NULL, 3, 3, &v), RS_ERR_INVALID);
    ck_assert_status(rs_metric_ndcg_graded(ranked, 3, truth, gains, 0, 3, &v), RS_ERR_RANGE);
}
END_TEST

START_TEST(auc)
{
    const uint32_t full[] = {1, 0, 3, 2, 4}, truth[] = {1, 3}, partial[] = {0, 1};
    double v = -1;
    ck_assert_ok(rs_metric_auc(full, 5, truth, 2, 5, &v));
    ck_assert_double_eq_tol(v, 5.0 / 6, TOL);
    ck_assert_ok(rs_metric_auc(partial, 2, truth, 2, 5, &v));
    ck_assert_double_eq_tol(v, 3.0 / 6, TOL);
    /* perfect and worst orders */
    const uint32_t best[] = {1, 3, 0, 2, 4}, worst[] = {0, 2, 4, 1, 3};
    ck_assert_ok(rs_metric_auc(best, 5, truth, 2, 5, &v));
    ck_assert_double_eq_tol(v, 1.0, TOL);
    ck_assert_ok(rs_metric_auc(worst, 5, truth, 2, 5, &v));
    ck_assert_double_eq_tol(v, 0.0, TOL);
    /* nothing ranked: every pair ties */
    ck_assert_ok(rs_metric_auc(NULL, 0, truth, 2, 5, &v));
    ck_assert_double_eq_tol(v, 0.5, TOL);
    ck_assert_status(rs_metric_auc(full, 5, truth, 2, 2, &v), RS_ERR_RANGE);
    ck_assert_status(rs_metric_auc(full, 5, truth, 2, 4, &v), RS_ERR_RANGE);
    ck_assert_status(rs_metric_auc(full, 5, truth, 0, 5, &v), RS_ERR_RANGE);
}
END_TEST

START_TEST(coverage_and_gini)
{
    const uint32_t lists[] = {0, 1, 2, 1, 2, RS_NO_ITEM};
    const uint32_t skewed[] = {0, 0, 0, 1}, even[] = {0, 1, 2, 3}, one[] = {0};
    const uint32_t bad[] = {0, 10};
    double v = -1;
    ck_assert_ok(rs_metric_coverage(lists, 2, 3, 10, &v));
    ck_assert_double_eq_tol(v, 0.3, TOL);
    ck_assert_status(rs_metric_coverage(bad, 1, 2, 10, &v), RS_ERR_RANGE);
    ck_assert_errmsg_has("item 10");
    ck_assert_status(rs_metric_coverage(lists, 2, 3, 0, &v), RS_ERR_RANGE);
    ck_assert_status(rs_metric_coverage(NULL, 2, 3, 10, &v), RS_ERR_INVALID);
    ck_assert_status(rs_metric_coverage(lists, SIZE_MAX, 3, 10, &v), RS_ERR_OVERFLOW);
    ck_assert_ok(rs_metric_gini(skewed, 2, 2, 4, &v));
    ck_assert_double_eq_tol(v, 0.625, TOL);
    ck_assert_ok(rs_metric_gini(even, 2, 2, 4, &v));
    ck_assert_double_eq_tol(v, 0.0, TOL);
    ck_assert_ok(rs_metric_gini(one, 1, 1, 4, &v));
    ck_assert_double_eq_tol(v, 0.75, TOL);
    ck_assert_ok(rs_metric_gini(NULL, 0, 0, 4, &v));
    ck_assert_double_eq_tol(v, 0.0, TOL);
}
END_TEST

START_TEST(novelty_and_popularity_bias)
{
    const uint32_t lists[] = {0, 1, 2}, pop[] = {3, 1, 0}, first[] = {0};
    const uint32_t pop4[] = {3, 1, 0, 0}, zero[] = {0, 0, 0, 0}, too_big[] = {4, 0, 0};
    double v = -1;
    ck_assert_ok(rs_metric_novelty(lists, 1, 3, pop, 3, 3, &v));
    ck_assert_double_eq_tol(v, 1.0, TOL);
    ck_assert_status(rs_metric_novelty(lists, 1, 3, too_big, 3, 3, &v), RS_ERR_RANGE);
    ck_assert_status(rs_metric_novelty(lists, 1, 3, pop, 3, 0, &v), RS_ERR_RANGE);
    ck_assert_status(rs_metric_novelty(lists, 1, 3, NULL, 3, 3, &v), RS_ERR_INVALID);
    ck_assert_ok(rs_metric_popularity_bias(first, 1, 1, pop4, 4, &v));
    ck_assert_double_eq_tol(v, 3.0, TOL);
    ck_assert_status(rs_metric_popularity_bias(first, 1, 1, zero, 4, &v), RS_ERR_RANGE);
}
END_TEST

START_TEST(diversity)
{
    const float vectors[] = {1, 0, 0, 1, 1, 1, 0, 0};
    const float with_nan[] = {1, 0, NAN, 1};
    const uint32_t orth[] = {0, 1}, both[] = {0, 1, 0, 2}, single[] = {0, RS_NO_ITEM};
    const uint32_t zero_vec[] = {0, 3};
    double v = -1;
    ck_assert_ok(rs_metric_diversity(orth, 1, 2, vectors, 4, 2, &v));
    ck_assert_double_eq_tol(v, 1.0, 1e-7);
    ck_assert_ok(rs_metric_diversity(both, 2, 2, vectors, 4, 2, &v));
    ck_assert_double_eq_tol(v, (1.0 + (1.0 - 1.0 / sqrt(2.0))) / 2, 1e-7);
    ck_assert_ok(rs_metric_diversity(single, 1, 2, vectors, 4, 2, &v));
    ck_assert_double_eq_tol(v, 0.0, TOL);
    ck_assert_ok(rs_metric_diversity(zero_vec, 1, 2, vectors, 4, 2, &v));
    ck_assert_double_eq_tol(v, 1.0, TOL);
    ck_assert_status(rs_metric_diversity(orth, 1, 2, with_nan, 2, 2, &v), RS_ERR_RANGE);
    ck_assert_status(rs_metric_diversity(orth, 1, 2, vectors, 4, 0, &v), RS_ERR_DIM);
    ck_assert_status(rs_metric_diversity(orth, 1, 2, NULL, 4, 2, &v), RS_ERR_INVALID);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("eval_metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, hand_computed_list);
    tcase_add_test(tc, short_list_is_not_rewarded);
    tcase_add_test(tc, duplicates_and_padding);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, graded_ndcg);
    tcase_add_test(tc, auc);
    tcase_add_test(tc, coverage_and_gini);
    tcase_add_test(tc, novelty_and_popularity_bias);
    tcase_add_test(tc, diversity);
    suite_add_tcase(s, tc);
    return s;
}
