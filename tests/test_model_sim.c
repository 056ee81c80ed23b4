/*
 * test_model_sim.c - rs_model_simulate and rs_sim_trace: reproducible
 * traces (same seed, 1 or 2 threads), the model left unchanged, policy
 * names, the trace's accessors and bad input.
 */
#include "evalsim_fixture.h"

#include <math.h>

static const char *const all_policies[] = {"scorer", "popular", "random"};

START_TEST(same_seed_same_trace)
{
    rs_model *m = fixture_model("simseed", 1, 1);
    rs_sim_trace *a = NULL, *b = NULL;
    int threads = rs_get_num_threads();
    rs_set_num_threads(1);
    ck_assert_ok(rs_model_simulate(m, all_policies, 3, 12, 6, 2, 5, &a));
    rs_set_num_threads(2);
    ck_assert_ok(rs_model_simulate(m, all_policies, 3, 12, 6, 2, 5, &b));
    rs_set_num_threads(threads);
    assert_same_trace(a, b);
    ck_assert_uint_eq(rs_sim_trace_policies(a), 3);
    ck_assert_str_eq(rs_sim_trace_policy_name(a, 2), "random");
    ck_assert_ptr_null(rs_sim_trace_policy_name(a, 3));
    ck_assert_uint_eq(rs_sim_trace_steps(a), 6);
    for (size_t p = 0; p < 3; p++) {
        double steps, impressions, ctr;
        ck_assert_ok(rs_sim_trace_value(a, p, 5, RS_SIM_STAT_STEPS, &steps));
        ck_assert_double_eq(steps, 6);
        /* every user is active at the first step */
        ck_assert_ok(rs_sim_trace_value(a, p, 0, RS_SIM_STAT_IMPRESSIONS, &impressions));
        ck_assert_double_eq(impressions, 12);
        ck_assert_ok(rs_sim_trace_value(a, p, 5, RS_SIM_STAT_CTR, &ctr));
        ck_assert(ctr >= 0 && ctr <= 1);
        ck_assert(rs_sim_trace_seconds(a, p) >= 0);
    }
    rs_sim_trace_free(a);
    rs_sim_trace_free(b);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* A policy's numbers do not depend on the others run beside it. */
START_TEST(policies_share_random_numbers)
{
    rs_model *m = fixture_model("simshare", 1, 0);
    rs_sim_trace *all = NULL, *one = NULL;
    const char *popular[] = {"popular"};
    ck_assert_ok(rs_model_simulate(m, all_policies, 3, 8, 4, 2, 9, &all));
    ck_assert_ok(rs_model_simulate(m, popular, 1, 8, 4, 2, 9, &one));
    for (uint64_t t = 0; t < 4; t++)
        for (int k = 0; k < RS_SIM_STAT_COUNT; k++) {
            double x, y;
            ck_assert_ok(rs_sim_trace_value(all, 1, t, k, &x));
            ck_assert_ok(rs_sim_trace_value(one, 0, t, k, &y));
            assert_same_value(x, y, "popular's statistic");
        }
    rs_sim_trace_free(all);
    rs_sim_trace_free(one);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* The scorer's clicks are observed in a copy: the model's user model and
 * its recommendations stay as they were. */
START_TEST(model_unchanged)
{
    rs_model *m = fixture_model("simsame", 1, 0);
    rs_sim_trace *t = NULL;
    const char *scorer[] = {"scorer"};
    uint32_t before[8], after[8];
    size_t n_before = 0, n_after = 0;
    ck_assert_ok(rs_user_model_history(rs_model_user_model(m), "u1", before, NULL, 8, &n_before));
    /* n_users 0: one simulated user per user of the model */
    ck_assert_ok(rs_model_simulate(m, scorer, 1, 0, 5, 1, 3, &t));
    ck_assert_ok(rs_user_model_history(rs_model_user_model(m), "u1", after, NULL, 8, &n_after));
    ck_assert_uint_eq(n_before, n_after);
    ck_assert_int_eq(memcmp(before, after, n_before * sizeof *before), 0);
    {
        double impressions;
        ck_assert_ok(rs_sim_trace_value(t, 0, 0, RS_SIM_STAT_IMPRESSIONS, &impressions));
        ck_assert_double_eq(impressions,
                            (double)rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY));
    }
    rs_sim_trace_free(t);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

START_TEST(bad_input)
{
    rs_model *m = fixture_model("simbad", 0, 0);
    rs_sim_trace *t = (rs_sim_trace *)&t;
    const char *unknown[] = {"scorer", "best-ever"}, *null_name[] = {NULL};
    double v;
    ck_assert_status(rs_model_simulate(m, all_policies, 3, 4, 2, 2, 1, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_simulate(NULL, all_policies, 3, 4, 2, 2, 1, &t), RS_ERR_INVALID);
    ck_assert_ptr_null(t);
    ck_assert_status(rs_model_simulate(m, NULL, 3, 4, 2, 2, 1, &t), RS_ERR_INVALID);
    ck_assert_status(rs_model_simulate(m, null_name, 1, 4, 2, 2, 1, &t), RS_ERR_INVALID);
    ck_assert_status(rs_model_simulate(m, unknown, 2, 4, 2, 2, 1, &t), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("best-ever");
    ck_assert_status(rs_model_simulate(m, all_policies, 0, 4, 2, 2, 1, &t), RS_ERR_RANGE);
    ck_assert_status(rs_model_simulate(m, all_policies, 3, 4, 0, 2, 1, &t), RS_ERR_RANGE);
    ck_assert_status(rs_model_simulate(m, all_policies, 3, 4, 2, 0, 1, &t), RS_ERR_RANGE);
    ck_assert_status(rs_model_simulate(m, all_policies, 3, 4, 2, RS_SIM_MAX_SLATE + 1, 1, &t),
                     RS_ERR_RANGE);
    /* not built */
    ck_assert_status(rs_model_simulate(m, all_policies, 3, 4, 2, 2, 1, &t), RS_ERR_STATE);
    ck_assert_ok(rs_model_build(m));
    /* a slate larger than the catalogue */
    ck_assert_status(rs_model_simulate(m, all_policies, 3, 4, 2, 50, 1, &t), RS_ERR_RANGE);
    ck_assert_ok(rs_model_simulate(m, all_policies, 3, 4, 2, 2, 1, &t));
    /* the trace's accessors */
    ck_assert_status(rs_sim_trace_value(t, 3, 0, 0, &v), RS_ERR_RANGE);
    ck_assert_status(rs_sim_trace_value(t, 0, 2, 0, &v), RS_ERR_RANGE);
    ck_assert_status(rs_sim_trace_value(t, 0, 0, RS_SIM_STAT_COUNT, &v), RS_ERR_RANGE);
    ck_assert_status(rs_sim_trace_value(t, 0, 0, -1, &v), RS_ERR_RANGE);
    ck_assert_status(rs_sim_trace_value(NULL, 0, 0, 0, &v), RS_ERR_INVALID);
    ck_assert_status(rs_sim_trace_value(t, 0, 0, 0, NULL), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_sim_trace_policies(NULL), 0);
    ck_assert_uint_eq(rs_sim_trace_steps(NULL), 0);
    ck_assert_ptr_null(rs_sim_trace_policy_name(NULL, 0));
    ck_assert(rs_sim_trace_seconds(t, 9) == 0.0);
    rs_sim_trace_free(t);
    rs_sim_trace_free(NULL);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* rs_model_set_progress: one report after every step of every policy. */
struct reports {
    uint64_t calls, last_done, total;
    int in_order;
};

static void on_progress(void *data, const char *stage, uint64_t done, uint64_t total)
{
    struct reports *r = data;
    r->in_order &= strcmp(stage, "simulate") == 0 && done == r->last_done + 1;
    r->calls++;
    r->last_done = done;
    r->total = total;
}

START_TEST(progress_reported)
{
    rs_model *m = fixture_model("simprogress", 1, 1);
    rs_sim_trace *t = NULL;
    struct reports r = {0, 0, 0, 1};
    ck_assert_status(rs_model_set_progress(NULL, on_progress, &r), RS_ERR_INVALID);
    ck_assert_ok(rs_model_set_progress(m, on_progress, &r));
    ck_assert_ok(rs_model_simulate(m, all_policies, 3, 6, 4, 2, 5, &t));
    rs_sim_trace_free(t);
    ck_assert_uint_eq(r.calls, 12);
    ck_assert_uint_eq(r.last_done, 12);
    ck_assert_uint_eq(r.total, 12);
    ck_assert(r.in_order);
    ck_assert_ok(rs_model_set_progress(m, NULL, NULL));
    ck_assert_ok(rs_model_simulate(m, all_policies, 1, 6, 4, 2, 5, &t));
    rs_sim_trace_free(t);
    ck_assert_uint_eq(r.calls, 12);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_sim");
    TCase *tc = tcase_create("simulate");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, same_seed_same_trace);
    tcase_add_test(tc, policies_share_random_numbers);
    tcase_add_test(tc, model_unchanged);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, progress_reported);
    suite_add_tcase(s, tc);
    return s;
}
