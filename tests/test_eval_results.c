/*
 * test_eval_results.c - what a runner row holds beyond the rank metrics:
 * AUC and graded NDCG (hand-computed), the per-user values behind every
 * average (rs_eval_result_users), the segment-popular baseline
 * (rs_eval_set_segment) and the JSON of undefined fields.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOL 1e-12
#define INV_L3 0.63092975357145743710 /* 1 / log2(3) */

/*
 * Catalogue (train items in byte order): a=0 b=1 c=2 d=3 e=4.
 * Train (time 0): u1 {a}, u2 {a, b}, u3 {b, c, d, e}; popularity a2 b2 c1 d1 e1.
 * Test (time 1): u1 c (weights 2 and 1), d (1) -> T = {c:3, d:1};
 * u2 e -> T = {e:1}; u3 a -> T = {a:1}; cold u4 {a, b}, cold u5 {c}.
 */
static rs_eval *make_eval(void)
{
    static const struct { const char *u, *i; int t; double w; } rows[] = {
        {"u1", "a", 0, 1}, {"u2", "a", 0, 1}, {"u2", "b", 0, 1}, {"u3", "b", 0, 1},
        {"u3", "c", 0, 1}, {"u3", "d", 0, 1}, {"u3", "e", 0, 1}, {"u1", "c", 1, 2},
        {"u1", "d", 1, 1}, {"u1", "c", 1, 1}, {"u2", "e", 1, 1}, {"u3", "a", 1, 1},
        {"u4", "a", 1, 1}, {"u4", "b", 1, 1}, {"u5", "c", 1, 1},
    };
    rs_events *ev;
    rs_eval *e;
    ck_assert_ok(rs_events_create(&ev));
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++)
        ck_assert_ok(rs_events_add(ev, rows[r].u, rows[r].i, rows[r].t, rows[r].w));
    ck_assert_ok(rs_events_split_temporal(ev, 1, RS_PART_TEST));
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &e));
    rs_events_free(ev);
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_K, 2));
    return e;
}

/* u1 (index 0): [e, c]; u2: [a (excluded), e]; u3: [b (excluded), a]. */
static int fixed_lists(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                       size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    static const uint32_t lists[3][2] = {{4, 2}, {0, 4}, {1, 0}};
    (void)context, (void)exclude, (void)n_exclude;
    if (user > 2 || k != 2)
        return 1;
    memcpy(items_out, lists[user], sizeof lists[user]);
    *n_out = 2;
    return 0;
}

static double field(const rs_eval *e, size_t row, int f)
{
    double v = -1;
    ck_assert_ok(rs_eval_result(e, row, f, &v));
    return v;
}

START_TEST(auc_and_graded_ndcg_by_hand)
{
    rs_eval *e = make_eval();
    size_t row, n;
    uint32_t users[3];
    double auc[3], graded[3], ndcg[3];
    ck_assert_ok(rs_eval_run(e, "fixed", fixed_lists, NULL, &row));
    /* u1: 4 candidates, negatives {b, e}; e listed first, c second, d not
     * listed: (1 + 0.5 * 1 * (2 - 1)) / (2 * 2) */
    /* u2: a is excluded, so dropped for AUC: 3 candidates {c, d, e}, e above
     * both negatives -> 1.  u3: one candidate, no negative -> undefined. */
    ck_assert_ok(rs_eval_result_users(e, row, RS_EVAL_AUC, users, auc, 3, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(users[0], 0);
    ck_assert_uint_eq(users[2], 2);
    ck_assert_double_eq_tol(auc[0], 0.375, TOL);
    ck_assert_double_eq_tol(auc[1], 1.0, TOL);
    ck_assert(isnan(auc[2]));
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_AUC), (0.375 + 1.0) / 2, TOL);
    /* graded: u1 gains c 3, d 1; c at rank 2: (3 / log2 3) / (3 + 1 / log2 3) */
    ck_assert_ok(rs_eval_result_users(e, row, RS_EVAL_NDCG_GRADED, NULL, graded, 3, &n));
    ck_assert_double_eq_tol(graded[0], 3 * INV_L3 / (3 + INV_L3), TOL);
    ck_assert_double_eq_tol(graded[1], INV_L3, TOL);
    ck_assert_double_eq_tol(graded[2], INV_L3, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_NDCG_GRADED),
                            (3 * INV_L3 / (3 + INV_L3) + 2 * INV_L3) / 3, TOL);
    /* binary NDCG of u1 differs from the graded one */
    ck_assert_ok(rs_eval_result_users(e, row, RS_EVAL_NDCG, NULL, ndcg, 3, &n));
    ck_assert_double_eq_tol(ndcg[0], INV_L3 / (1 + INV_L3), TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_NDCG), (ndcg[0] + ndcg[1] + ndcg[2]) / 3,
                            TOL);
    ck_assert_str_eq(rs_eval_field_name(RS_EVAL_AUC), "auc");
    ck_assert_str_eq(rs_eval_field_name(RS_EVAL_NDCG_GRADED), "ndcg_graded");
    rs_eval_free(e);
}
END_TEST

START_TEST(per_user_values_match_the_averages)
{
    rs_eval *e = make_eval();
    size_t rows[2], n;
    double one[3], two[3];
    for (int t = 0; t < 2; t++) {
        ck_assert_ok(rs_eval_set_int(e, RS_EVAL_THREADS, t + 1));
        ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, &rows[t]));
    }
    for (int f = 0; f < RS_EVAL_FIELD_COUNT; f++) {
        int status = rs_eval_result_users(e, rows[0], f, NULL, one, 3, &n);
        if (f <= RS_EVAL_HIT_RATE || f == RS_EVAL_AUC || f == RS_EVAL_NDCG_GRADED) {
            double sum = 0.0;
            size_t defined = 0;
            ck_assert_int_eq(status, RS_OK);
            ck_assert_ok(rs_eval_result_users(e, rows[1], f, NULL, two, 3, &n));
            ck_assert_mem_eq(one, two, sizeof one); /* thread count: bit for bit */
            for (size_t p = 0; p < n; p++)
                if (!isnan(one[p])) {
                    sum += one[p];
                    defined++;
                }
            ck_assert_double_eq_tol(field(e, rows[0], f), sum / (double)defined, TOL);
        } else {
            ck_assert_int_eq(status, RS_ERR_INVALID); /* no per-user values */
        }
    }
    rs_eval_free(e);
}
END_TEST

START_TEST(per_user_buffers_and_errors)
{
    rs_eval *e = make_eval();
    size_t row, n = 99;
    uint32_t users[3] = {7, 7, 7};
    double v[3];
    ck_assert_status(rs_eval_result_users(e, 0, RS_EVAL_NDCG, users, v, 3, &n),
                     RS_ERR_NOTFOUND);
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
    ck_assert_status(rs_eval_result_users(e, row, RS_EVAL_NDCG, NULL, NULL, 0, &n),
                     RS_ERR_BUFFER); /* the count, as rs_eval_users() */
    ck_assert_uint_eq(n, 3);
    n = 0;
    ck_assert_status(rs_eval_result_users(e, row, RS_EVAL_NDCG, users, v, 2, &n),
                     RS_ERR_BUFFER);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(users[1], 1);
    ck_assert_uint_eq(users[2], 7); /* beyond the capacity: untouched */
    ck_assert_status(rs_eval_result_users(e, row, RS_EVAL_NDCG, NULL, NULL, 3, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_users(NULL, row, RS_EVAL_NDCG, users, v, 3, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_users(e, row, RS_EVAL_NDCG, users, v, 3, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_users(e, row, RS_EVAL_COVERAGE, users, v, 3, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_users(e, row, -1, users, v, 3, &n), RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_users(e, row, RS_EVAL_FIELD_COUNT, users, v, 3, &n),
                     RS_ERR_INVALID);
    rs_eval_free(e);
}
END_TEST

START_TEST(segment_popular)
{
    rs_eval *e = make_eval();
    size_t seg_row, pop_row, n;
    double v[2];
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_GROUP, RS_EVAL_COLD));
    /* without segments it ranks as most-popular */
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &pop_row));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_SEGMENT_POPULAR, 0, &seg_row));
    ck_assert_str_eq(rs_eval_result_name(e, seg_row), "segment-popular");
    for (int f = 0; f <= RS_EVAL_HIT_RATE; f++)
        ck_assert_double_eq(field(e, seg_row, f), field(e, pop_row, f));
    /* u1, u2 in "fr"; u3, u4 in "uk"; u5 in none.  uk scores: b c d e 1 each,
     * a 0, plus popularity / 3: b 1+2/3, c d e 1+1/3, a 2/3 -> u4 gets [b, c]
     * (truth {a, b}: P 1/2); u5 gets most-popular [a, b] (truth {c}: 0). */
    ck_assert_ok(rs_eval_set_segment(e, "u1", "fr"));
    ck_assert_ok(rs_eval_set_segment(e, "u2", "fr"));
    ck_assert_ok(rs_eval_set_segment(e, "u3", "uk"));
    ck_assert_ok(rs_eval_set_segment(e, "u4", "uk"));
    ck_assert_ok(rs_eval_set_segment(e, "u5", "fr"));
    ck_assert_ok(rs_eval_set_segment(e, "u5", NULL)); /* out again */
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_SEGMENT_POPULAR, 0, &seg_row));
    ck_assert_ok(rs_eval_result_users(e, seg_row, RS_EVAL_PRECISION, NULL, v, 2, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_double_eq_tol(v[0], 0.5, TOL);
    ck_assert_double_eq_tol(v[1], 0.0, TOL);
    ck_assert_ok(rs_eval_result_users(e, seg_row, RS_EVAL_MRR, NULL, v, 2, &n));
    ck_assert_double_eq_tol(v[0], 1.0, TOL); /* b first */
    /* the written list of u4 */
    char path[] = "/tmp/rs_eval_segXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_ok(rs_eval_write_recs(e, seg_row, path));
    FILE *f = fdopen(fd, "r");
    char line[64];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "u4\tb\t1\n");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "u4\tc\t2\n");
    fclose(f);
    unlink(path);
    rs_eval_free(e);
}
END_TEST

START_TEST(segment_bad_input)
{
    rs_eval *e = make_eval();
    ck_assert_status(rs_eval_set_segment(NULL, "u1", "x"), RS_ERR_INVALID);
    ck_assert_status(rs_eval_set_segment(e, NULL, "x"), RS_ERR_INVALID);
    ck_assert_status(rs_eval_set_segment(e, "nobody", "x"), RS_ERR_NOTFOUND);
    ck_assert_status(rs_eval_set_segment(e, "", "x"), RS_ERR_INVALID);
    ck_assert_status(rs_eval_set_segment(e, "u1", ""), RS_ERR_INVALID);
    ck_assert_status(rs_eval_set_segment(e, "u1", "\xff\xfe"), RS_ERR_ENCODING);
    ck_assert_status(rs_eval_set_segment(e, "\xc3", "x"), RS_ERR_ENCODING);
    char *huge = malloc(RS_MAX_KEY_BYTES + 2);
    memset(huge, 'x', RS_MAX_KEY_BYTES + 1);
    huge[RS_MAX_KEY_BYTES + 1] = '\0';
    ck_assert_status(rs_eval_set_segment(e, "u1", huge), RS_ERR_RANGE);
    free(huge);
    ck_assert_status(rs_eval_run_baseline(e, 99, 0, NULL), RS_ERR_INVALID);
    rs_eval_free(e);
}
END_TEST

START_TEST(undefined_auc_is_null_in_json)
{
    /* one warm user whose only candidate is its truth item: no negative */
    rs_events *ev;
    rs_eval *e;
    size_t row, len;
    ck_assert_ok(rs_events_create(&ev));
    ck_assert_ok(rs_events_add(ev, "u1", "x", 0, 1.0));
    ck_assert_ok(rs_events_add(ev, "u2", "y", 0, 1.0));
    ck_assert_ok(rs_events_add(ev, "u1", "y", 1, 1.0));
    ck_assert_ok(rs_events_split_temporal(ev, 1, RS_PART_TEST));
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &e));
    rs_events_free(ev);
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
    ck_assert(isnan(field(e, row, RS_EVAL_AUC)));
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_NDCG_GRADED), 1.0, TOL);
    rs_eval_report(e, RS_EVAL_JSON, NULL, 0, &len);
    char *buf = malloc(len + 1);
    ck_assert_ok(rs_eval_report(e, RS_EVAL_JSON, buf, len + 1, &len));
    json_error_t err;
    json_t *root = json_loads(buf, 0, &err);
    ck_assert_msg(root != NULL, "JSON: %s in %s", err.text, buf);
    json_t *obj = json_array_get(root, 0);
    ck_assert(json_is_null(json_object_get(obj, "auc")));
    ck_assert(json_is_number(json_object_get(obj, "ndcg_graded")));
    json_decref(root);
    free(buf);
    rs_eval_free(e);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("eval_results");
    TCase *tc = tcase_create("results");
    tcase_add_test(tc, auc_and_graded_ndcg_by_hand);
    tcase_add_test(tc, per_user_values_match_the_averages);
    tcase_add_test(tc, per_user_buffers_and_errors);
    tcase_add_test(tc, segment_popular);
    tcase_add_test(tc, segment_bad_input);
    tcase_add_test(tc, undefined_auc_is_null_in_json);
    suite_add_tcase(s, tc);
    return s;
}
