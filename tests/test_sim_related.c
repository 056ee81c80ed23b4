/*
 * test_sim_related.c - the user's world beyond one slate: a time budget per
 * session, drift that spreads to related items (given directly or read from
 * a knowledge graph), and a host responder replacing the built-in model for
 * chosen users.
 */
#include "sim_fixture.h"

#include <string.h>

static int always_first(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    (void)ctx, (void)user, (void)step;
    for (size_t j = 0; j < k; j++)
        out[j] = (uint32_t)j;
    return 0;
}

START_TEST(time_budget_ends_sessions)
{
    /* budget B (0.5 + activity) = 4 with activity 0.5; a view costs 1 and a
     * click 1 + 2: nobody clicks, so every session ends on its 4th step */
    rs_sim *s = fx_sim(20, 3);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TRAIT_SPREAD, 0));
    ck_assert_ok(rs_sim_populate(s));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_RETURN_RATE, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 1e12));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TIME_BUDGET, 4));
    ck_assert_ok(rs_sim_run(s, always_first, NULL, NULL, NULL, 6, 3, NULL));
    double leaves, len, imp;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_LEAVES, &leaves));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_SESSION_LENGTH, &len));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_IMPRESSIONS, &imp));
    ck_assert_double_eq(leaves, 20);
    ck_assert_double_eq(len, 4);
    ck_assert_double_eq(imp, 80);
    /* clicks cost more time: with everyone clicking, one step uses 1 + 2 < 4
     * and two use 6 >= 4, so every session lasts two steps */
    ck_assert_ok(rs_sim_populate(s));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 1e-9));
    ck_assert_ok(rs_sim_run(s, always_first, NULL, NULL, NULL, 4, 3, NULL));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_SESSION_LENGTH, &len));
    ck_assert_double_eq(len, 2);
    /* the budget survives a snapshot */
    size_t n;
    rs_sim_snapshot(s, NULL, 0, &n);
    void *buf = malloc(n);
    ck_assert_ok(rs_sim_snapshot(s, buf, n, &n));
    ck_assert_ok(rs_sim_restore(s, buf, n));
    /* a damaged session time (the last user's, before the item counts) */
    float bad = NAN;
    memcpy((char *)buf + n - FX_ITEMS * 16 - sizeof bad, &bad, sizeof bad);
    ck_assert_status(rs_sim_restore(s, buf, n), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("user 19 has session time");
    free(buf);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_TIME_BUDGET, -1), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_CLICK_TIME, 2e6), RS_ERR_RANGE);
    rs_sim_free(s);
}
END_TEST

START_TEST(drift_spreads_to_related)
{
    /* user 0 clicks item 0 (the only item shown): with GRAPH_DRIFT 1 and
     * item 0 related to items 1 and 2, the interest moves toward their mean */
    rs_sim *s = fx_sim(1, 4);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 1e-12));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_DRIFT, 0.5));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_GRAPH_DRIFT, 1));
    size_t starts[FX_ITEMS + 1];
    uint32_t rel[2] = {1, 2};
    starts[0] = 0;
    for (size_t i = 1; i <= FX_ITEMS; i++)
        starts[i] = 2;
    ck_assert_ok(rs_sim_set_related(s, starts, rel));
    float before[FX_DIM], after[FX_DIM];
    ck_assert_ok(rs_sim_get_interest(s, 0, before, FX_DIM));
    ck_assert_ok(rs_sim_run(s, always_first, NULL, NULL, NULL, 1, 1, NULL));
    ck_assert_ok(rs_sim_get_interest(s, 0, after, FX_DIM));
    for (int k = 0; k < FX_DIM; k++) {
        float mean = (fx_items[1 * FX_DIM + k] + fx_items[2 * FX_DIM + k]) / 2;
        ck_assert_float_eq_tol(after[k], before[k] + 0.5f * (mean - before[k]), 1e-5);
    }
    /* bad input leaves the relation unchanged */
    starts[3] = 1;
    ck_assert_status(rs_sim_set_related(s, starts, rel), RS_ERR_RANGE);
    starts[3] = 2;
    rel[1] = FX_ITEMS;
    ck_assert_status(rs_sim_set_related(s, starts, rel), RS_ERR_NOTFOUND);
    ck_assert_status(rs_sim_set_related(s, starts, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_sim_set_related(NULL, starts, rel), RS_ERR_INVALID);
    ck_assert_ok(rs_sim_set_related(s, NULL, NULL)); /* removed: plain drift */
    ck_assert_ok(rs_sim_get_interest(s, 0, before, FX_DIM));
    ck_assert_ok(rs_sim_run(s, always_first, NULL, NULL, NULL, 1, 1, NULL));
    ck_assert_ok(rs_sim_get_interest(s, 0, after, FX_DIM));
    for (int k = 0; k < FX_DIM; k++)
        ck_assert_float_eq_tol(after[k], before[k] + 0.5f * (fx_items[k] - before[k]), 1e-5);
    rs_sim_free(s);
}
END_TEST

START_TEST(related_from_graph)
{
    /* items 0 and 1 share a brand; item 2 is linked to item 0 directly;
     * item 3 shares only a user (purchases are not relatedness) */
    rs_graph *g;
    uint32_t it[4], brand, user, r_brand, r_sim, r_bought;
    const char *keys[4] = {"a", "b", "c", "d"};
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_relation(g, "has_brand", &r_brand));
    ck_assert_ok(rs_graph_add_relation(g, "similar", &r_sim));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &r_bought));
    for (int i = 0; i < 4; i++)
        ck_assert_ok(rs_graph_add_node(g, "item", keys[i], &it[i]));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &brand));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &user));
    ck_assert_ok(rs_graph_add_edge(g, it[0], r_brand, brand, 1, 0, RS_GRAPH_MERGE_MAX));
    ck_assert_ok(rs_graph_add_edge(g, it[1], r_brand, brand, 1, 0, RS_GRAPH_MERGE_MAX));
    ck_assert_ok(rs_graph_add_edge(g, it[2], r_sim, it[0], 1, 0, RS_GRAPH_MERGE_MAX));
    ck_assert_ok(rs_graph_add_edge(g, user, r_bought, it[0], 1, 0, RS_GRAPH_MERGE_MAX));
    ck_assert_ok(rs_graph_add_edge(g, user, r_bought, it[3], 1, 0, RS_GRAPH_MERGE_MAX));
    float items[4 * 2] = {1, 0, 0, 1, 1, 1, -1, 0};
    rs_sim *s;
    ck_assert_ok(rs_sim_create(items, 4, 2, NULL, 0, 1, 1, &s));
    ck_assert_ok(rs_sim_set_related_graph(s, g, keys, 5));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 1e-12));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_DRIFT, 1));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_GRAPH_DRIFT, 1));
    /* a click on item 0 moves the interest to the mean of items 1 and 2 */
    float v[2];
    ck_assert_ok(rs_sim_run(s, always_first, NULL, NULL, NULL, 1, 1, NULL));
    ck_assert_ok(rs_sim_get_interest(s, 0, v, 2));
    ck_assert_float_eq_tol(v[0], 0.5f, 1e-6);
    ck_assert_float_eq_tol(v[1], 1.0f, 1e-6);
    ck_assert_status(rs_sim_set_related_graph(s, g, keys, 0), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_related_graph(s, NULL, keys, 3), RS_ERR_INVALID);
    ck_assert_status(rs_sim_set_related_graph(s, g, NULL, 3), RS_ERR_INVALID);
    rs_sim_free(s);
    rs_graph_close(g);
}
END_TEST

typedef struct host_ctx {
    unsigned calls;
    int bad;
} host_ctx;

/* The host always clicks the last position and rates it 5; user 1 leaves. */
static int host(void *vctx, uint32_t user, uint64_t step, const uint32_t *slate, size_t k,
                int *pos, int *beh, int *rating, int *left)
{
    (void)step, (void)slate;
    host_ctx *c = vctx;
    c->calls++;
    ck_assert(user == 1 || user == 4);
    *pos = c->bad ? (int)k : (int)k - 1;
    *beh = RS_SIM_PURCHASE;
    *rating = 5;
    *left = user == 1;
    return 0;
}

typedef struct fb_log {
    int pos[8], rating[8], left[8];
} fb_log;

static int fb(void *vctx, uint32_t user, uint64_t step, const uint32_t *slate, size_t k,
              int position, int behaviour, int rating, int left)
{
    (void)step, (void)slate, (void)k, (void)behaviour;
    fb_log *l = vctx;
    l->pos[user] = position;
    l->rating[user] = rating;
    l->left[user] = left;
    return 0;
}

START_TEST(host_responder_for_chosen_users)
{
    rs_sim *s = fx_sim(8, 6);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    host_ctx hc = {0, 0};
    ck_assert_ok(rs_sim_set_responder(s, host, &hc));
    ck_assert_ok(rs_sim_set_hosted(s, 1, 1));
    ck_assert_ok(rs_sim_set_hosted(s, 4, 1));
    ck_assert_status(rs_sim_set_hosted(s, 8, 1), RS_ERR_NOTFOUND);
    ck_assert_status(rs_sim_set_hosted(NULL, 0, 1), RS_ERR_INVALID);
    fb_log l;
    memset(&l, 0, sizeof l);
    ck_assert_ok(rs_sim_run(s, always_first, NULL, fb, &l, 1, 5, NULL));
    ck_assert_uint_eq(hc.calls, 2);
    ck_assert_int_eq(l.pos[1], 4);
    ck_assert_int_eq(l.pos[4], 4);
    ck_assert_int_eq(l.rating[4], 5);
    ck_assert_int_eq(l.left[1], 1);
    ck_assert_int_eq(l.left[4], 0);
    /* the other users got the built-in model */
    ck_assert_int_ge(l.pos[0], -1);
    ck_assert_int_eq(l.left[0], 0);
    (void)fx_random_policy;
    /* an invalid answer stops the run */
    hc.bad = 1;
    ck_assert_status(rs_sim_run(s, always_first, NULL, fb, &l, 1, 5, NULL), RS_ERR_CALLBACK);
    ck_assert_errmsg_has("responder gave position 5");
    /* removing the responder returns everyone to the built-in model */
    ck_assert_ok(rs_sim_set_responder(s, NULL, NULL));
    hc.calls = 0;
    ck_assert_ok(rs_sim_run(s, always_first, NULL, NULL, NULL, 1, 5, NULL));
    ck_assert_uint_eq(hc.calls, 0);
    rs_sim_free(s);
}
END_TEST

START_TEST(mirrored_from_heldout)
{
    rs_sim *s = fx_sim(4, 12);
    uint32_t truth[3] = {20, 7, 20}; /* a duplicate is ignored */
    ck_assert_ok(rs_sim_set_truth(s, 2, truth, 3, 2.0));
    /* interest = 2 x unit mean of the unit vectors of items 7 and 20 */
    float v[FX_DIM], want[FX_DIM];
    double nn = 0;
    for (int k = 0; k < FX_DIM; k++) {
        double a = 0, b = 0;
        for (int q = 0; q < FX_DIM; q++) {
            a += (double)fx_items[7 * FX_DIM + q] * fx_items[7 * FX_DIM + q];
            b += (double)fx_items[20 * FX_DIM + q] * fx_items[20 * FX_DIM + q];
        }
        want[k] = (float)(fx_items[7 * FX_DIM + k] / sqrt(a) + fx_items[20 * FX_DIM + k] / sqrt(b));
        nn += (double)want[k] * want[k];
    }
    ck_assert_ok(rs_sim_get_interest(s, 2, v, FX_DIM));
    for (int k = 0; k < FX_DIM; k++)
        ck_assert_float_eq_tol(v[k], (float)(2.0 * want[k] / sqrt(nn)), 1e-5);
    /* the truth bonus: item 7's utility rises by bonus / tau, item 8's not */
    uint32_t slate[2] = {7, 8};
    double with[2], without[2];
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TRUTH_BONUS, 3));
    ck_assert_ok(rs_sim_utilities(s, 2, slate, 2, with));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TRUTH_BONUS, 0));
    ck_assert_ok(rs_sim_utilities(s, 2, slate, 2, without));
    ck_assert(with[0] - without[0] > 1.0);
    ck_assert_double_eq_tol(with[1], without[1], 1e-12);
    /* clicks on the truth are counted */
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TRUTH_BONUS, 50));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_run(s, always_first, NULL, NULL, NULL, 5, 8, NULL));
    double tc;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_TRUTH_CLICKS, &tc));
    ck_assert_double_eq(tc, 5); /* user 2 always takes item 7 */
    /* bad input; n = 0 removes the truth */
    ck_assert_status(rs_sim_set_truth(s, 4, truth, 1, 1), RS_ERR_NOTFOUND);
    truth[0] = FX_ITEMS;
    ck_assert_status(rs_sim_set_truth(s, 1, truth, 1, 1), RS_ERR_NOTFOUND);
    ck_assert_status(rs_sim_set_truth(s, 1, NULL, 1, 1), RS_ERR_INVALID);
    ck_assert_status(rs_sim_set_truth(s, 1, truth + 1, 1, NAN), RS_ERR_RANGE);
    ck_assert_ok(rs_sim_set_truth(s, 2, NULL, 0, 0));
    ck_assert_ok(rs_sim_populate(s));
    ck_assert_ok(rs_sim_run(s, always_first, NULL, NULL, NULL, 2, 8, NULL));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_TRUTH_CLICKS, &tc));
    ck_assert_double_eq(tc, 0);
    rs_sim_free(s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_related");
    TCase *tc = tcase_create("world");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, time_budget_ends_sessions);
    tcase_add_test(tc, drift_spreads_to_related);
    tcase_add_test(tc, related_from_graph);
    tcase_add_test(tc, host_responder_for_chosen_users);
    tcase_add_test(tc, mirrored_from_heldout);
    suite_add_tcase(s, tc);
    return s;
}
