/*
 * test_sim_respond.c - the response model: bad input, probabilities against
 * their formulas, each behaviour's frequencies against its formula, and
 * maximum-likelihood calibration recovering known parameters.
 */
#include "sim_fixture.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

START_TEST(create_bad_input)
{
    fx_init();
    rs_sim *s = (rs_sim *)1;
    ck_assert_status(rs_sim_create(NULL, 10, 2, NULL, 0, 5, 1, &s), RS_ERR_INVALID);
    ck_assert_status(rs_sim_create(fx_items, 10, 2, NULL, 0, 5, 1, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_sim_create(fx_items, 0, 2, NULL, 0, 5, 1, &s), RS_ERR_RANGE);
    ck_assert_status(rs_sim_create(fx_items, 10, 0, NULL, 0, 5, 1, &s), RS_ERR_RANGE);
    ck_assert_status(rs_sim_create(fx_items, 10, 2, NULL, 0, 0, 1, &s), RS_ERR_RANGE);
    ck_assert_status(rs_sim_create(fx_items, 10, 70000, NULL, 0, 5, 1, &s), RS_ERR_RANGE);
    ck_assert_status(rs_sim_create(fx_items, 10, 2, fx_cats, 0, 5, 1, &s), RS_ERR_RANGE);
    ck_assert_status(rs_sim_create(fx_items, 10, 2, fx_cats, 3, 5, 1, &s), RS_ERR_RANGE);
    ck_assert_errmsg_has("category 3 of item 3");
    ck_assert_status(rs_sim_create(fx_items, SIZE_MAX / 2, 4, NULL, 0, 5, 1, &s), RS_ERR_RANGE);
    float bad[4] = {1, 2, NAN, 0};
    ck_assert_status(rs_sim_create(bad, 2, 2, NULL, 0, 5, 1, &s), RS_ERR_RANGE);
    ck_assert_errmsg_has("item 1 component 0");
    bad[2] = INFINITY;
    ck_assert_status(rs_sim_create(bad, 2, 2, NULL, 0, 5, 1, &s), RS_ERR_RANGE);
    ck_assert_ptr_eq(s, (rs_sim *)1);
    rs_sim_free(NULL);
}
END_TEST

START_TEST(options)
{
    rs_sim *s = fx_sim(3, 1);
    double v;
    ck_assert_ok(rs_sim_get_double(s, RS_SIM_POSITION_DECAY, &v));
    ck_assert_double_eq(v, 0.85);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TEMPERATURE, 0.25));
    ck_assert_ok(rs_sim_get_double(s, RS_SIM_TEMPERATURE, &v));
    ck_assert_double_eq(v, 0.25);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_TEMPERATURE, 0), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_TEMPERATURE, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_POSITION_DECAY, 1.5), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_ACTIVITY_MEAN, 1.0), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_PURCHASE_BIAS, -INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_double(s, 99, 1), RS_ERR_INVALID);
    ck_assert_status(rs_sim_set_double(NULL, RS_SIM_DRIFT, 0.1), RS_ERR_INVALID);
    ck_assert_status(rs_sim_get_double(s, -1, &v), RS_ERR_INVALID);
    ck_assert_ok(rs_sim_get_double(s, RS_SIM_TEMPERATURE, &v));
    ck_assert_double_eq(v, 0.25); /* unchanged by the failures */
    int64_t iv;
    ck_assert_ok(rs_sim_set_int(s, RS_SIM_POSITION_MODEL, RS_SIM_CASCADE));
    ck_assert_ok(rs_sim_get_int(s, RS_SIM_POSITION_MODEL, &iv));
    ck_assert_int_eq(iv, RS_SIM_CASCADE);
    ck_assert_status(rs_sim_set_int(s, RS_SIM_POSITION_MODEL, 7), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_int(s, RS_SIM_THREADS, -1), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_int(s, 5, 1), RS_ERR_INVALID);
    ck_assert_status(rs_sim_get_int(s, RS_SIM_THREADS, NULL), RS_ERR_INVALID);
    rs_sim_free(s);
}
END_TEST

START_TEST(response_bad_input)
{
    rs_sim *s = fx_sim(3, 1);
    uint32_t slate[3] = {0, 1, 2};
    double p[4];
    ck_assert_status(rs_sim_probabilities(NULL, 0, slate, 3, p), RS_ERR_INVALID);
    ck_assert_status(rs_sim_probabilities(s, 0, NULL, 3, p), RS_ERR_INVALID);
    ck_assert_status(rs_sim_probabilities(s, 0, slate, 3, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_sim_probabilities(s, 3, slate, 3, p), RS_ERR_NOTFOUND);
    ck_assert_status(rs_sim_probabilities(s, 0, slate, 0, p), RS_ERR_RANGE);
    ck_assert_status(rs_sim_utilities(s, 0, slate, RS_SIM_MAX_SLATE + 1, p), RS_ERR_RANGE);
    slate[1] = FX_ITEMS;
    ck_assert_status(rs_sim_respond(s, 0, 0, slate, 3, NULL, NULL, NULL, NULL),
                     RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("slate[1]");
    rs_sim_free(s);
}
END_TEST

/* A population whose traits are all exactly 0.5 (tau = 1, activity 0.5). */
static rs_sim *flat_sim(size_t n_users, uint64_t seed)
{
    rs_sim *s = fx_sim(n_users, seed);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TRAIT_SPREAD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_CONFORMITY_MEAN, 0.5));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_CONFORMITY_WEIGHT, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_FATIGUE_WEIGHT, 0));
    ck_assert_ok(rs_sim_populate(s));
    return s;
}

START_TEST(probabilities_match_formulas)
{
    rs_sim *s = flat_sim(4, 3);
    const double T = 0.7, m = 1.7, g = 0.8;
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TEMPERATURE, T));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, m));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_POSITION_DECAY, g));
    uint32_t slate[5] = {3, 17, 40, 41, 199};
    double u[5], p[6], want[6];
    ck_assert_ok(rs_sim_utilities(s, 2, slate, 5, u));
    ck_assert_ok(rs_sim_probabilities(s, 2, slate, 5, p));
    double z = m;
    for (int j = 0; j < 5; j++)
        z += pow(g, j) * exp(u[j] / T);
    for (int j = 0; j < 5; j++)
        want[j] = pow(g, j) * exp(u[j] / T) / z;
    want[5] = m / z;
    for (int j = 0; j < 6; j++)
        ck_assert_double_eq_tol(p[j], want[j], 1e-12);
    /* cascade: examine top-down, click w.p. a_j, continue w.p. g */
    ck_assert_ok(rs_sim_set_int(s, RS_SIM_POSITION_MODEL, RS_SIM_CASCADE));
    ck_assert_ok(rs_sim_probabilities(s, 2, slate, 5, p));
    double reach = 1, none = 1;
    for (int j = 0; j < 5; j++) {
        double a = exp(u[j] / T) / (exp(u[j] / T) + m);
        ck_assert_double_eq_tol(p[j], reach * a, 1e-12);
        none -= reach * a;
        reach *= (1 - a) * g;
    }
    ck_assert_double_eq_tol(p[5], none, 1e-12);
    rs_sim_free(s);
}
END_TEST

/* Empirical click frequencies of rs_sim_respond vs rs_sim_probabilities. */
static void check_frequencies(int model)
{
    rs_sim *s = flat_sim(2, 5);
    ck_assert_ok(rs_sim_set_int(s, RS_SIM_POSITION_MODEL, model));
    uint32_t slate[4] = {10, 11, 12, 13};
    double p[5];
    ck_assert_ok(rs_sim_probabilities(s, 1, slate, 4, p));
    enum { N = 40000 };
    unsigned count[5] = {0};
    for (uint64_t t = 0; t < N; t++) {
        int pos;
        ck_assert_ok(rs_sim_respond(s, 1, t, slate, 4, &pos, NULL, NULL, NULL));
        count[pos < 0 ? 4 : pos]++;
    }
    for (int j = 0; j < 5; j++) {
        double sd = sqrt(p[j] * (1 - p[j]) / N);
        ck_assert_msg(fabs(count[j] / (double)N - p[j]) < 4.5 * sd + 1e-9,
                      "model %d position %d: %g vs %g", model, j, count[j] / (double)N, p[j]);
    }
    rs_sim_free(s);
}

START_TEST(click_frequencies_pbm) { check_frequencies(RS_SIM_PBM); }
END_TEST

START_TEST(click_frequencies_cascade) { check_frequencies(RS_SIM_CASCADE); }
END_TEST

static double phi(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

START_TEST(purchase_rating_leave_formulas)
{
    rs_sim *s = flat_sim(1, 9);
    const double bias = -0.5, noise = 0.8, hazard = 0.2;
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_PURCHASE_BIAS, bias));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_RATING_NOISE, noise));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, hazard));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 0.5));
    uint32_t slate[1] = {7};
    double a; /* tau = 1 and no popularity/fatigue: utility = affinity */
    ck_assert_ok(rs_sim_utilities(s, 0, slate, 1, &a));
    enum { N = 60000 };
    unsigned clicks = 0, buys = 0, skips = 0, leave_click = 0, leave_skip = 0;
    double rating_sum = 0;
    for (uint64_t t = 0; t < N; t++) {
        int pos, beh, rating, left;
        ck_assert_ok(rs_sim_respond(s, 0, t, slate, 1, &pos, &beh, &rating, &left));
        if (pos == 0) {
            clicks++;
            buys += beh == RS_SIM_PURCHASE;
            ck_assert(beh == RS_SIM_CLICK || beh == RS_SIM_PURCHASE);
            ck_assert(rating >= 1 && rating <= 5);
            rating_sum += rating;
            leave_click += left;
        } else {
            skips++;
            ck_assert_int_eq(beh, RS_SIM_SKIP);
            ck_assert_int_eq(rating, 0);
            leave_skip += left;
        }
    }
    ck_assert(clicks > 1000 && skips > 1000);
    double pb = 1 / (1 + exp(-(bias + a)));
    ck_assert_double_eq_tol(buys / (double)clicks, pb, 4.5 * sqrt(pb * (1 - pb) / clicks));
    /* E[rating] = sum_r r P(round(3 + 2 tanh a + noise Z) clamps to r) */
    double mu = 3 + 2 * tanh(a), er = 0;
    for (int r = 1; r <= 5; r++) {
        double lo = r == 1 ? -INFINITY : (r - 0.5 - mu) / noise;
        double hi = r == 5 ? INFINITY : (r + 0.5 - mu) / noise;
        er += r * (phi(hi) - phi(lo));
    }
    ck_assert_double_eq_tol(rating_sum / clicks, er, 4.5 * 2.0 / sqrt(clicks));
    /* leaving hazard: h = base (1.5 - activity), doubled after a skip */
    double hc = hazard * 1.0, hs = 2 * hazard * 1.0;
    ck_assert_double_eq_tol(leave_click / (double)clicks, hc,
                            4.5 * sqrt(hc * (1 - hc) / clicks));
    ck_assert_double_eq_tol(leave_skip / (double)skips, hs, 4.5 * sqrt(hs * (1 - hs) / skips));
    rs_sim_free(s);
}
END_TEST

typedef struct cal_log {
    rs_sim *sim;
    size_t n, cap, k;
    double *util;
    int32_t *pos;
} cal_log;

static int cal_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    cal_log *L = ctx;
    uint64_t salt = 77;
    fx_random_policy(&salt, user, step, k, out);
    /* the log records the utilities the user sees, as a user model would */
    /* every user is active (no leaving): user u of this step is row n + u */
    ck_assert_uint_lt(L->n + user, L->cap);
    return rs_sim_utilities(L->sim, user, out, k, L->util + (L->n + user) * k) == RS_OK ? 0
                                                                                         : 1;
}

static int cal_feedback(void *ctx, uint32_t user, uint64_t step, const uint32_t *slate,
                        size_t k, int position, int behaviour, int rating, int left)
{
    (void)user, (void)step, (void)slate, (void)k, (void)behaviour, (void)rating, (void)left;
    cal_log *L = ctx;
    L->pos[L->n++] = position;
    return 0;
}

START_TEST(calibration_recovers_parameters)
{
    const double T = 0.6, m = 2.5, g = 0.75;
    rs_sim *s = fx_sim(500, 21);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TEMPERATURE, T));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, m));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_POSITION_DECAY, g));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    cal_log L = {s, 0, 500 * 60, 6, NULL, NULL};
    L.util = malloc(L.cap * L.k * sizeof(double));
    L.pos = malloc(L.cap * sizeof(int32_t));
    /* the feedback runs after all policies of a step: index by arrival */
    for (int step = 0; step < 60; step++) {
        size_t base = L.n;
        ck_assert_ok(rs_sim_run(s, cal_policy, &L, cal_feedback, &L, 1, L.k, NULL));
        ck_assert_uint_eq(L.n, base + 500);
    }
    ck_assert_uint_eq(L.n, 30000);
    double t_hat, m_hat, g_hat;
    ck_assert_ok(rs_sim_calibrate(L.util, L.pos, L.n, L.k, &t_hat, &m_hat, &g_hat));
    ck_assert_msg(fabs(t_hat - T) < 0.05 && fabs(m_hat / m - 1) < 0.1 && fabs(g_hat - g) < 0.03,
                  "fitted T %g m %g g %g", t_hat, m_hat, g_hat);
    /* one term: rs_sim_calibrate_terms is the same fit */
    {
        double w1, t1, m1, g1;
        ck_assert_ok(rs_sim_calibrate_terms(L.util, 1, L.pos, L.n, L.k, &w1, &t1, &m1, &g1));
        ck_assert_double_eq(w1, 1);
        ck_assert_double_eq_tol(t1, t_hat, 1e-6 * t_hat);
        ck_assert_double_eq_tol(m1, m_hat, 1e-6 * m_hat);
        ck_assert_double_eq_tol(g1, g_hat, 1e-6);
    }
    /* bad input */
    ck_assert_status(rs_sim_calibrate(NULL, L.pos, L.n, L.k, &t_hat, &m_hat, &g_hat),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_calibrate(L.util, L.pos, 0, L.k, &t_hat, &m_hat, &g_hat),
                     RS_ERR_INVALID);
    L.pos[5] = 6;
    ck_assert_status(rs_sim_calibrate(L.util, L.pos, L.n, L.k, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    L.pos[5] = -1;
    L.util[3] = NAN;
    ck_assert_status(rs_sim_calibrate(L.util, L.pos, L.n, L.k, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    free(L.util);
    free(L.pos);
    rs_sim_free(s);
}
END_TEST

/* A test-local generator (splitmix64), so that the planted log does not
 * depend on the library's own draws. */
static double cal_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

START_TEST(calibration_terms_recover_planted_weights)
{
    /* every utility weight planted: the content affinity (the reference),
     * an item effect, a collaborative affinity, a segment term and
     * popularity; with T, m and g */
    enum { N = 40000, KS = 6, NT = 5 };
    const double w[NT] = {1.0, 0.8, 1.5, -0.5, 0.3}, T = 0.7, m = 3.0, g = 0.8;
    double *x = malloc((size_t)N * KS * NT * sizeof *x), w_hat[NT], t_hat, m_hat, g_hat;
    int32_t *pos = malloc(N * sizeof *pos);
    uint64_t state = 12345;
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(pos);
    for (size_t i = 0; i < N; i++) {
        double p[KS + 1], z = m, u, acc = 0;
        for (size_t j = 0; j < KS; j++) {
            double util = 0;
            for (size_t t = 0; t < NT; t++) {
                /* terms of different spreads and means, as real ones have */
                double v = (cal_uniform(&state) - 0.5) * (1.0 + (double)t) + 0.1 * (double)t;
                x[(i * KS + j) * NT + t] = v;
                util += w[t] * v;
            }
            p[j] = pow(g, (double)j) * exp(util / T);
            z += p[j];
        }
        p[KS] = m;
        u = cal_uniform(&state) * z;
        pos[i] = -1;
        for (size_t j = 0; j < KS; j++) {
            acc += p[j];
            if (u < acc) {
                pos[i] = (int32_t)j;
                break;
            }
        }
    }
    ck_assert_ok(rs_sim_calibrate_terms(x, NT, pos, N, KS, w_hat, &t_hat, &m_hat, &g_hat));
    /* tolerances: about four standard errors at this log's size */
    for (size_t t = 0; t < NT; t++)
        ck_assert_msg(fabs(w_hat[t] - w[t]) < 0.08, "weight %zu: fitted %g, planted %g", t,
                      w_hat[t], w[t]);
    ck_assert_msg(fabs(t_hat - T) < 0.05 && fabs(m_hat / m - 1) < 0.1 && fabs(g_hat - g) < 0.03,
                  "fitted T %g m %g g %g", t_hat, m_hat, g_hat);
    /* bad input */
    ck_assert_status(rs_sim_calibrate_terms(NULL, NT, pos, N, KS, w_hat, &t_hat, &m_hat, &g_hat),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_calibrate_terms(x, NT, pos, N, KS, NULL, &t_hat, &m_hat, &g_hat),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_calibrate_terms(x, NT, pos, 0, KS, w_hat, &t_hat, &m_hat, &g_hat),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_calibrate_terms(x, 0, pos, N, KS, w_hat, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    ck_assert_status(rs_sim_calibrate_terms(x, RS_SIM_CALIBRATE_MAX_TERMS + 1, pos, N, KS, w_hat,
                                            &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    ck_assert_status(rs_sim_calibrate_terms(x, NT, pos, N, RS_SIM_MAX_SLATE + 1, w_hat, &t_hat,
                                            &m_hat, &g_hat),
                     RS_ERR_RANGE);
    ck_assert_status(rs_sim_calibrate_terms(x, NT, pos, SIZE_MAX / 2, KS, w_hat, &t_hat, &m_hat,
                                            &g_hat),
                     RS_ERR_OVERFLOW);
    pos[7] = KS;
    ck_assert_status(rs_sim_calibrate_terms(x, NT, pos, N, KS, w_hat, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    pos[7] = -1;
    x[11] = INFINITY;
    ck_assert_status(rs_sim_calibrate_terms(x, NT, pos, N, KS, w_hat, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    /* two terms the log cannot tell apart: term 1 is twice term 0 */
    for (size_t c = 0; c < (size_t)N * KS; c++)
        x[c * NT + 1] = 2 * x[c * NT];
    w_hat[0] = -7;
    ck_assert_status(rs_sim_calibrate_terms(x, NT, pos, N, KS, w_hat, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    ck_assert_double_eq(w_hat[0], -7); /* nothing written */
    /* one term (rows of KS values) that the clicks avoid: its weight is
     * negative, no T */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < KS; j++)
            x[i * KS + j] = (pos[i] == (int32_t)j ? -1.0 : 1.0) + cal_uniform(&state);
    ck_assert_status(rs_sim_calibrate_terms(x, 1, pos, N, KS, w_hat, &t_hat, &m_hat, &g_hat),
                     RS_ERR_RANGE);
    free(x);
    free(pos);
}
END_TEST

START_TEST(calibration_unidentifiable)
{
    /* identical utilities everywhere: T is not identified */
    double u[20];
    int32_t pos[10];
    for (int i = 0; i < 20; i++)
        u[i] = 1.0;
    for (int i = 0; i < 10; i++)
        pos[i] = i % 3 - 1;
    double t, m, g;
    ck_assert_status(rs_sim_calibrate(u, pos, 10, 2, &t, &m, &g), RS_ERR_RANGE);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_respond");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, create_bad_input);
    tcase_add_test(tc, options);
    tcase_add_test(tc, response_bad_input);
    tcase_add_test(tc, probabilities_match_formulas);
    tcase_add_test(tc, click_frequencies_pbm);
    tcase_add_test(tc, click_frequencies_cascade);
    tcase_add_test(tc, purchase_rating_leave_formulas);
    tcase_add_test(tc, calibration_recovers_parameters);
    tcase_add_test(tc, calibration_unidentifiable);
    tcase_add_test(tc, calibration_terms_recover_planted_weights);
    suite_add_tcase(s, tc);
    return s;
}
