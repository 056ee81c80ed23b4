/*
 * test_model_sim_kept.c - rs_model_simulate's scorer policy keeps each
 * user's ranking and collaborative sums from one step to the next (one kept
 * run over the steps): its traces are bit for bit those of the plain policy
 * (rs__sim_force_plain: every step ranked afresh, as before 1.1), on one and
 * two threads, with and without the users' profiles.
 */
#include "evalsim_fixture.h"

#include "sim/sim_internal.h"

START_TEST(kept_run_traces_are_the_plain_ones)
{
    static const char *const scorer[] = {"scorer"};
    for (int with_users = 0; with_users <= 1; with_users++) {
        rs_model *m = fixture_model(with_users ? "keptu" : "kept", 1, with_users);
        int threads = rs_get_num_threads();
        for (int t = 1; t <= 2; t++) {
            rs_sim_trace *plain = NULL, *kept = NULL;
            rs_set_num_threads(t);
            rs__sim_force_plain(1);
            ck_assert_ok(rs_model_simulate(m, scorer, 1, 30, 12, 3, 7, &plain));
            rs__sim_force_plain(0);
            ck_assert_ok(rs_model_simulate(m, scorer, 1, 30, 12, 3, 7, &kept));
            assert_same_trace(plain, kept);
            double clicks;
            ck_assert_ok(rs_sim_trace_value(kept, 0, 11, RS_SIM_STAT_CLICKS, &clicks));
            ck_assert(clicks > 0); /* the histories grew: the sums were extended */
            rs_sim_trace_free(plain);
            rs_sim_trace_free(kept);
        }
        rs_set_num_threads(threads);
        rs_model_close(m);
        fixture_remove();
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_sim_kept");
    TCase *tc = tcase_create("kept scorer run");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, kept_run_traces_are_the_plain_ones);
    suite_add_tcase(s, tc);
    return s;
}
