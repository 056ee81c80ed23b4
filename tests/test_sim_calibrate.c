/*
 * test_sim_calibrate.c - maximum-likelihood recovery of the cascade's
 * parameters and of the drift rate from logs the simulator generated itself.
 */
#include "sim_fixture.h"

#include <string.h>

typedef struct log_t {
    rs_sim *sim;
    size_t n, cap, k;
    double *util;
    uint32_t *users, *slates;
    int32_t *pos;
    uint64_t salt;
} log_t;

static int log_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    log_t *L = ctx;
    fx_random_policy(&L->salt, user, step, k, out);
    if (L->util)
        return rs_sim_utilities(L->sim, user, out, k, L->util + (L->n + user) * k) == RS_OK
                   ? 0 : 1;
    return 0;
}

static int log_feedback(void *ctx, uint32_t user, uint64_t step, const uint32_t *slate,
                        size_t k, int position, int behaviour, int rating, int left)
{
    (void)step, (void)behaviour, (void)rating, (void)left;
    log_t *L = ctx;
    ck_assert_uint_lt(L->n, L->cap);
    L->users[L->n] = user;
    memcpy(L->slates + L->n * k, slate, k * sizeof *slate);
    L->pos[L->n++] = position;
    return 0;
}

static void log_init(log_t *L, rs_sim *s, size_t cap, size_t k, int with_util)
{
    memset(L, 0, sizeof *L);
    L->sim = s;
    L->cap = cap;
    L->k = k;
    L->salt = 31;
    L->util = with_util ? malloc(cap * k * sizeof(double)) : NULL;
    L->users = malloc(cap * sizeof(uint32_t));
    L->slates = malloc(cap * k * sizeof(uint32_t));
    L->pos = malloc(cap * sizeof(int32_t));
}

static void log_free(log_t *L)
{
    free(L->util);
    free(L->users);
    free(L->slates);
    free(L->pos);
}

START_TEST(cascade_recovers_parameters)
{
    const double T = 0.7, m = 3.0, g = 0.8;
    rs_sim *s = fx_sim(400, 23);
    ck_assert_ok(rs_sim_set_int(s, RS_SIM_POSITION_MODEL, RS_SIM_CASCADE));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TEMPERATURE, T));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, m));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_POSITION_DECAY, g));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    log_t L;
    log_init(&L, s, 400 * 60, 6, 1);
    for (int step = 0; step < 60; step++)
        ck_assert_ok(rs_sim_run(s, log_policy, &L, log_feedback, &L, 1, L.k, NULL));
    double t_hat, m_hat, g_hat;
    ck_assert_ok(rs_sim_calibrate_cascade(L.util, L.pos, L.n, L.k, &t_hat, &m_hat, &g_hat));
    ck_assert_msg(fabs(t_hat - T) < 0.07 && fabs(m_hat / m - 1) < 0.12 && fabs(g_hat - g) < 0.03,
                  "fitted T %g m %g g %g", t_hat, m_hat, g_hat);
    /* the PBM fit of a cascade log differs: the models are distinguishable */
    ck_assert_status(rs_sim_calibrate_cascade(NULL, L.pos, L.n, L.k, &t_hat, &m_hat, &g_hat),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_calibrate_cascade(L.util, L.pos, 0, L.k, &t_hat, &m_hat, &g_hat),
                     RS_ERR_INVALID);
    L.pos[9] = 6;
    ck_assert_status(rs_sim_calibrate_cascade(L.util, L.pos, L.n, L.k, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    L.pos[9] = -1;
    L.util[4] = INFINITY;
    ck_assert_status(rs_sim_calibrate_cascade(L.util, L.pos, L.n, L.k, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    log_free(&L);
    rs_sim_free(s);
}
END_TEST

START_TEST(drift_rate_recovered)
{
    const double eta = 0.3;
    rs_sim *s = fx_sim(300, 29);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_DRIFT, eta));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_CONFORMITY_WEIGHT, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TEMPERATURE, 0.3));
    size_t len;
    rs_sim_snapshot(s, NULL, 0, &len);
    void *before = malloc(len);
    ck_assert_ok(rs_sim_snapshot(s, before, len, &len));
    log_t L;
    log_init(&L, s, 300 * 40, 8, 0);
    ck_assert_ok(rs_sim_run(s, log_policy, &L, log_feedback, &L, 40, L.k, NULL));
    ck_assert_uint_eq(L.n, 12000);
    ck_assert_ok(rs_sim_restore(s, before, len));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_DRIFT, 0.9)); /* a wrong starting value */
    float v0[FX_DIM], v1[FX_DIM];
    ck_assert_ok(rs_sim_get_interest(s, 5, v0, FX_DIM));
    double hat;
    ck_assert_ok(rs_sim_calibrate_drift(s, L.users, L.slates, L.pos, L.n, L.k, &hat));
    ck_assert_msg(fabs(hat - eta) < 0.06, "fitted drift %g", hat);
    /* the simulator is unchanged */
    double d;
    ck_assert_ok(rs_sim_get_double(s, RS_SIM_DRIFT, &d));
    ck_assert_double_eq(d, 0.9);
    ck_assert_ok(rs_sim_get_interest(s, 5, v1, FX_DIM));
    ck_assert_int_eq(memcmp(v0, v1, sizeof v0), 0);
    /* bad input */
    ck_assert_status(rs_sim_calibrate_drift(NULL, L.users, L.slates, L.pos, L.n, L.k, &hat),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_calibrate_drift(s, L.users, L.slates, L.pos, 0, L.k, &hat),
                     RS_ERR_INVALID);
    L.users[7] = 300;
    ck_assert_status(rs_sim_calibrate_drift(s, L.users, L.slates, L.pos, L.n, L.k, &hat),
                     RS_ERR_NOTFOUND);
    L.users[7] = 0;
    L.slates[3] = FX_ITEMS;
    ck_assert_status(rs_sim_calibrate_drift(s, L.users, L.slates, L.pos, L.n, L.k, &hat),
                     RS_ERR_NOTFOUND);
    free(before);
    log_free(&L);
    rs_sim_free(s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_calibrate");
    TCase *tc = tcase_create("calibrate");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, cascade_recovers_parameters);
    tcase_add_test(tc, drift_rate_recovered);
    suite_add_tcase(s, tc);
    return s;
}
