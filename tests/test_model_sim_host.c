/*
 * test_model_sim_host.c - rs_model_set_sim_responder: the hosted users'
 * visits in words (profile, history and slate texts), only the chosen users
 * hosted, a click joining the next visit's history, the host's answers in
 * the trace, the same trace at 1 and 2 threads, and bad input.
 */
#include "evalsim_fixture.h"

#include <string.h>

static const char *const fixture_texts[][2] = {
    {"i1", "metal lantern holder"}, {"i2", "ceramic tea mug"},  {"i3", "cotton tote bag"},
    {"i4", "metal candle lantern"}, {"i5", "ceramic coffee mug"},
};

static const char *text_of(const char *key)
{
    for (size_t i = 0; i < sizeof fixture_texts / sizeof fixture_texts[0]; i++)
        if (strcmp(fixture_texts[i][0], key) == 0)
            return fixture_texts[i][1];
    return NULL;
}

struct seen {
    size_t calls, fail_at;
    int answer_position; /* what the host answers: -1 skip, else a click */
    char users[8][8];    /* user_key of each distinct hosted user seen */
    size_t n_users;
    /* u1's previous visit in this policy's run: history length, the clicked text */
    char last_policy[16], last_click[64];
    size_t last_history;
    uint64_t last_step;
    size_t grew; /* visits whose history had the previous click appended */
};

static int host(void *context, const rs_sim_visit *v, int *position, int *behaviour,
                int *rating, int *left)
{
    struct seen *s = context;
    size_t u;
    s->calls++;
    if (s->fail_at && s->calls == s->fail_at)
        return 1;
    ck_assert_ptr_nonnull(v->user_key);
    for (u = 0; u < s->n_users && strcmp(s->users[u], v->user_key) != 0; u++)
        ;
    if (u == s->n_users && u < 8)
        snprintf(s->users[s->n_users++], sizeof s->users[0], "%s", v->user_key);
    /* the slate in words: each text is its key's description */
    ck_assert_uint_gt(v->slate_size, 0);
    for (size_t j = 0; j < v->slate_size; j++)
        ck_assert_str_eq(v->slate[j], text_of(v->slate_keys[j]));
    if (strcmp(v->user_key, "u1") == 0) {
        ck_assert_str_eq(v->profile, "has_country: France");
        /* u1 bought i1, i2 (train) and i3 (after the cut), oldest first */
        ck_assert_uint_ge(v->n_history, 3);
        ck_assert_str_eq(v->history[0], "metal lantern holder");
        ck_assert_str_eq(v->history[1], "ceramic tea mug");
        ck_assert_str_eq(v->history[2], "cotton tote bag");
        if (strcmp(s->last_policy, v->policy) == 0 && v->step > s->last_step &&
            s->last_click[0]) {
            ck_assert_uint_eq(v->n_history, s->last_history + 1);
            ck_assert_str_eq(v->history[v->n_history - 1], s->last_click);
            s->grew++;
        }
        snprintf(s->last_policy, sizeof s->last_policy, "%s", v->policy);
        s->last_step = v->step;
        s->last_history = v->n_history;
        s->last_click[0] = '\0';
        if (s->answer_position >= 0)
            snprintf(s->last_click, sizeof s->last_click, "%s",
                     v->slate[s->answer_position]);
    }
    *position = s->answer_position;
    *behaviour = s->answer_position >= 0 ? RS_SIM_CLICK : RS_SIM_SKIP;
    *rating = s->answer_position >= 0 ? 4 : 0;
    *left = 0;
    return 0;
}

static const char *const policies[] = {"scorer", "random"};

START_TEST(visit_in_words)
{
    rs_model *m = fixture_model("simhost", 1, 1);
    const char *hosted[] = {"u1"};
    struct seen s;
    rs_sim_trace *t = NULL;
    memset(&s, 0, sizeof s);
    s.answer_position = 0; /* u1 always clicks the first item */
    ck_assert_ok(rs_model_set_sim_responder(m, host, &s, hosted, 1));
    ck_assert_ok(rs_model_simulate(m, policies, 2, 0, 4, 2, 3, &t));
    ck_assert_uint_gt(s.calls, 0);
    ck_assert_uint_eq(s.n_users, 1); /* only u1 is hosted */
    ck_assert_str_eq(s.users[0], "u1");
    ck_assert_uint_gt(s.grew, 0);    /* a click joined the next visit's history */
    /* the host's clicks are in the trace: at least one per hosted visit */
    double clicks = 0;
    ck_assert_ok(rs_sim_trace_value(t, 1, 3, RS_SIM_STAT_CLICKS, &clicks));
    ck_assert(clicks >= 1);
    rs_sim_trace_free(t);

    /* NULL keys: every mirrored user is hosted; a host that never clicks
     * gives no click at all */
    memset(&s, 0, sizeof s);
    s.answer_position = -1;
    ck_assert_ok(rs_model_set_sim_responder(m, host, &s, NULL, 0));
    ck_assert_ok(rs_model_simulate(m, policies, 2, 0, 3, 2, 3, &t));
    ck_assert_uint_eq(s.n_users, 5);
    ck_assert_ok(rs_sim_trace_value(t, 0, 2, RS_SIM_STAT_CLICKS, &clicks));
    ck_assert_double_eq(clicks, 0);
    rs_sim_trace_free(t);

    /* removed: the built-in model answers everyone again */
    ck_assert_ok(rs_model_set_sim_responder(m, NULL, NULL, NULL, 0));
    s.calls = 0;
    ck_assert_ok(rs_model_simulate(m, policies, 2, 0, 3, 2, 3, &t));
    ck_assert_uint_eq(s.calls, 0);
    rs_sim_trace_free(t);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* The same answers give the same trace at any thread count. */
START_TEST(same_trace_across_threads)
{
    rs_model *m = fixture_model("simhostthr", 1, 1);
    const char *hosted[] = {"u2", "u3"};
    struct seen s;
    rs_sim_trace *a = NULL, *b = NULL;
    int threads = rs_get_num_threads();
    memset(&s, 0, sizeof s);
    s.answer_position = 1;
    ck_assert_ok(rs_model_set_sim_responder(m, host, &s, hosted, 2));
    rs_set_num_threads(1);
    ck_assert_ok(rs_model_simulate(m, policies, 2, 12, 5, 2, 7, &a));
    rs_set_num_threads(2);
    ck_assert_ok(rs_model_simulate(m, policies, 2, 12, 5, 2, 7, &b));
    rs_set_num_threads(threads);
    for (size_t p = 0; p < 2; p++)
        for (uint64_t t = 0; t < 5; t++)
            for (int k = 0; k <= RS_SIM_STAT_TRUTH_CLICKS; k++) {
                double x, y;
                ck_assert_ok(rs_sim_trace_value(a, p, t, k, &x));
                ck_assert_ok(rs_sim_trace_value(b, p, t, k, &y));
                assert_same_value(x, y, "a statistic");
            }
    rs_sim_trace_free(a);
    rs_sim_trace_free(b);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

static int bad_answer(void *context, const rs_sim_visit *v, int *position, int *behaviour,
                      int *rating, int *left)
{
    (void)context;
    *position = (int)v->slate_size; /* past the slate */
    *behaviour = RS_SIM_CLICK;
    *rating = 3;
    *left = 0;
    return 0;
}

START_TEST(bad_input)
{
    rs_model *m = fixture_model("simhostbad", 1, 1);
    const char *unknown[] = {"u1", "nobody"}, *null_key[] = {NULL}, *empty[] = {""};
    const char *item_key[] = {"i1"};
    struct seen s;
    rs_sim_trace *t = NULL;
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(rs_model_set_sim_responder(NULL, host, &s, NULL, 0), RS_ERR_INVALID);
    ck_assert_int_eq(rs_model_set_sim_responder(m, host, &s, NULL, 2), RS_ERR_INVALID);
    ck_assert_int_eq(rs_model_set_sim_responder(m, host, &s, null_key, 1), RS_ERR_INVALID);
    ck_assert_int_eq(rs_model_set_sim_responder(m, host, &s, empty, 1), RS_ERR_INVALID);
    ck_assert_int_eq(rs_model_set_sim_responder(m, host, &s, unknown, 2), RS_ERR_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(rs_errmsg(), "nobody"));
    /* an item's key is no user */
    ck_assert_int_eq(rs_model_set_sim_responder(m, host, &s, item_key, 1), RS_ERR_NOTFOUND);
    ck_assert_int_eq(rs_model_set_sim_responder(m, host, &s, unknown, (size_t)-1),
                     RS_ERR_RANGE);
    /* none of these installed anything */
    ck_assert_ok(rs_model_simulate(m, policies, 2, 0, 2, 2, 3, &t));
    ck_assert_uint_eq(s.calls, 0);
    rs_sim_trace_free(t);

    /* a host that fails stops the run */
    s.fail_at = 2;
    ck_assert_ok(rs_model_set_sim_responder(m, host, &s, NULL, 0));
    ck_assert_int_eq(rs_model_simulate(m, policies, 2, 0, 3, 2, 3, &t), RS_ERR_CALLBACK);
    ck_assert_ptr_null(t);
    /* an answer out of range too */
    ck_assert_ok(rs_model_set_sim_responder(m, bad_answer, NULL, NULL, 0));
    ck_assert_int_eq(rs_model_simulate(m, policies, 2, 0, 3, 2, 3, &t), RS_ERR_CALLBACK);
    ck_assert_ptr_null(t);
    /* a failed setting keeps the previous one */
    ck_assert_int_eq(rs_model_set_sim_responder(m, host, &s, unknown, 2), RS_ERR_NOTFOUND);
    ck_assert_int_eq(rs_model_simulate(m, policies, 2, 0, 3, 2, 3, &t), RS_ERR_CALLBACK);
    rs_model_close(m); /* frees the setting */
    fixture_remove();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_sim_host");
    TCase *tc = tcase_create("host");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, visit_in_words);
    tcase_add_test(tc, same_trace_across_threads);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}
