/*
 * test_model_visit.c - the visit model of the simulator's validation
 * (src/model/model_visit.c): maximum likelihood recovers planted choice
 * weights, item effects and return hazards from data drawn from the model;
 * basket sizes and gaps follow their formulas; bad input.
 */
#include "testutil.h"

#include "core/rng.h"
#include "model/model_visit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NI 120
#define NU 1500
#define PER 12

/* Users drawn from a planted logit: features N(0, 1), an item's effect
 * bias[i] (or none), PER choices each among the items not excluded. */
static struct rs__visit_user *planted(const double *w, const double *bias, uint64_t seed)
{
    struct rs__visit_user *u = calloc(NU, sizeof *u);
    ck_assert_ptr_nonnull(u);
    for (size_t n = 0; n < NU; n++) {
        float *f = malloc(NI * RS__VISIT_NF * sizeof *f);
        uint8_t *allowed = malloc(NI);
        uint32_t *chosen = malloc(PER * sizeof *chosen);
        double p[NI];
        rs_rng rng;
        ck_assert(f && allowed && chosen);
        rs__rng_init(&rng, seed, 1, n, 0);
        for (size_t i = 0; i < NI; i++) {
            double v = bias ? bias[i] : 0;
            allowed[i] = rs__rng_uniform(&rng) > 0.2;
            for (int k = 0; k < RS__VISIT_NF; k++) {
                f[i * RS__VISIT_NF + k] = (float)rs__rng_normal(&rng);
                v += w[k] * f[i * RS__VISIT_NF + k];
            }
            p[i] = allowed[i] ? exp(v) : 0;
        }
        for (size_t c = 0; c < PER; c++) {
            size_t pick;
            ck_assert_ok(rs__rng_categorical(&rng, p, NI, &pick));
            chosen[c] = (uint32_t)pick;
        }
        u[n] = (struct rs__visit_user){f, allowed, chosen, PER};
    }
    return u;
}

static void free_users(struct rs__visit_user *u)
{
    for (size_t n = 0; n < NU; n++) {
        free((void *)u[n].feat);
        free((void *)u[n].allowed);
        free((void *)u[n].chosen);
    }
    free(u);
}

START_TEST(choice_recovers_planted_weights)
{
    const double planted_w[RS__VISIT_NF] = {0.8, -0.5, 1.2, 0.3};
    struct rs__visit_user *u = planted(planted_w, NULL, 7);
    double w[RS__VISIT_NF] = {0}, ll_fit, ll_planted;
    ck_assert_ok(rs__visit_fit_choice(u, NU, NI, w, NULL, &ll_fit));
    for (int k = 0; k < RS__VISIT_NF; k++)
        ck_assert_msg(fabs(w[k] - planted_w[k]) < 0.06, "w[%d] %g, planted %g", k, w[k],
                      planted_w[k]);
    /* the fit is the maximum: at least as likely as the planted weights */
    ll_planted = rs__visit_choice_loglik(u, NU, NI, planted_w, NULL);
    ck_assert(ll_fit >= ll_planted - 1e-9);
    ck_assert(ll_fit < 0);
    free_users(u);
}
END_TEST

START_TEST(choice_recovers_item_effects)
{
    const double planted_w[RS__VISIT_NF] = {0.5, 0, -0.7, 0.2};
    double bias[NI], fit[NI] = {0}, w[RS__VISIT_NF] = {0}, mb = 0, mf = 0, err = 0;
    struct rs__visit_user *u;
    rs_rng rng;
    rs__rng_init(&rng, 3, 2, 0, 0);
    for (size_t i = 0; i < NI; i++)
        bias[i] = 0.7 * rs__rng_normal(&rng);
    u = planted(planted_w, bias, 11);
    ck_assert_ok(rs__visit_fit_choice(u, NU, NI, w, fit, NULL));
    for (int k = 0; k < RS__VISIT_NF; k++)
        ck_assert_msg(fabs(w[k] - planted_w[k]) < 0.08, "w[%d] %g, planted %g", k, w[k],
                      planted_w[k]);
    /* effects are identified up to a constant: compare centred */
    for (size_t i = 0; i < NI; i++) {
        mb += bias[i] / NI;
        mf += fit[i] / NI;
    }
    for (size_t i = 0; i < NI; i++)
        err += fabs((fit[i] - mf) - (bias[i] - mb)) / NI;
    ck_assert_msg(err < 0.2, "mean item-effect error %g", err);
    free_users(u);
}
END_TEST

START_TEST(return_recovers_planted_hazard)
{
    const size_t n = 20000;
    const double a = -1.0, b = 0.8;
    double *x = malloc(n * sizeof *x), fa, fb;
    uint32_t *visits = malloc(n * sizeof *visits);
    struct rs__visit_params p;
    rs_rng rng;
    ck_assert(x && visits);
    memset(&p, 0, sizeof p);
    p.return_a = a;
    p.return_b = b;
    rs__rng_init(&rng, 5, 3, 0, 0);
    for (size_t i = 0; i < n; i++) {
        double r;
        x[i] = 3 * rs__rng_uniform(&rng);
        r = rs__visit_return_prob(&p, x[i]);
        visits[i] = 1;
        while (visits[i] < 10000 && rs__rng_uniform(&rng) < r)
            visits[i]++;
    }
    ck_assert_ok(rs__visit_fit_return(x, visits, n, &fa, &fb));
    ck_assert_msg(fabs(fa - a) < 0.06 && fabs(fb - b) < 0.05, "a %g b %g", fa, fb);
    free(x);
    free(visits);
}
END_TEST

/* Standard normal CDF. */
static double phi(double z) { return 0.5 * erfc(-z / sqrt(2)); }

START_TEST(basket_sizes_follow_the_formula)
{
    /* size = max(1, round(lognormal(mu, sigma))): P(size <= s) =
     * Phi((log(s + 0.5) - mu) / sigma) for s >= 1 */
    const size_t n = 200000;
    struct rs__visit_params p;
    size_t le[4] = {0}, sizes[4] = {1, 5, 15, 40};
    double *v = malloc(n * sizeof *v), mu, sigma;
    rs_rng rng;
    ck_assert_ptr_nonnull(v);
    memset(&p, 0, sizeof p);
    p.size_mu = log(15);
    p.size_sigma = 0.9;
    rs__rng_init(&rng, 9, 4, 0, 0);
    for (size_t i = 0; i < n; i++) {
        size_t b = rs__visit_basket_size(&p, &rng);
        ck_assert_uint_ge(b, 1);
        v[i] = (double)b;
        for (int k = 0; k < 4; k++)
            le[k] += b <= sizes[k];
    }
    for (int k = 0; k < 4; k++) {
        double want = phi((log(sizes[k] + 0.5) - p.size_mu) / p.size_sigma);
        ck_assert_msg(fabs((double)le[k] / n - want) < 0.005, "P(size <= %zu) %g, formula %g",
                      sizes[k], (double)le[k] / n, want);
    }
    /* the fit of the drawn sizes gives the parameters back (rounding blurs
     * small sizes a little) */
    rs__visit_fit_lognormal(v, n, &mu, &sigma);
    ck_assert_msg(fabs(mu - p.size_mu) < 0.03 && fabs(sigma - p.size_sigma) < 0.03,
                  "mu %g sigma %g", mu, sigma);
    free(v);
}
END_TEST

START_TEST(gaps_follow_the_fitted_sample)
{
    /* gaps are drawn from the fitted (sorted) sample: each value with
     * probability 1/n */
    const double sample[5] = {0.5, 2, 7, 14, 60};
    size_t count[5] = {0}, n = 100000;
    struct rs__visit_params p;
    rs_rng rng;
    memset(&p, 0, sizeof p);
    p.gaps = sample;
    p.n_gaps = 5;
    rs__rng_init(&rng, 2, 5, 0, 0);
    for (size_t i = 0; i < n; i++) {
        double g = rs__visit_gap(&p, &rng);
        int k = 0;
        while (k < 5 && sample[k] != g)
            k++;
        ck_assert_int_lt(k, 5);
        count[k]++;
    }
    for (int k = 0; k < 5; k++)
        ck_assert_msg(fabs((double)count[k] / n - 0.2) < 0.006, "gap %g drawn %zu times",
                      sample[k], count[k]);
    p.n_gaps = 0;
    ck_assert(rs__visit_gap(&p, &rng) == 0);
}
END_TEST

START_TEST(inclusion_recovers_planted_coefficients)
{
    /* shown items of random covariates, entered w.p. 1 - exp(-exp(inc . x)) */
    const size_t n = 80000;
    double inc[RS__VISIT_NX], fit[RS__VISIT_NX], ll;
    float *x = malloc(n * RS__VISIT_NX * sizeof *x);
    uint8_t *y = malloc(n);
    rs_rng rng;
    ck_assert(x && y);
    for (int k = 0; k < RS__VISIT_NX; k++)
        inc[k] = 0.1 * ((k % 5) - 2); /* small slot terms and weights of both signs */
    inc[RS__INC_ONE] = 0.5;
    inc[RS__INC_LOG_NEW] = 0.8;
    inc[RS__INC_LOG_CHOICE] = 0.6;
    inc[RS__INC_BEFORE] = 1.2;
    rs__rng_init(&rng, 11, 6, 0, 0);
    for (size_t i = 0; i < n; i++) {
        float feat[RS__VISIT_NF];
        for (int k = 0; k < RS__VISIT_NF; k++)
            feat[k] = (float)rs__rng_normal(&rng);
        rs__visit_inclusion_x(x + i * RS__VISIT_NX, 1 + rs__rng_below(&rng, 40),
                              -4 - 6 * rs__rng_uniform(&rng), feat, rs__rng_uniform(&rng) < 0.1,
                              rs__rng_below(&rng, 300), rs__rng_below(&rng, 12));
        y[i] = rs__rng_uniform(&rng) < rs__visit_inclusion_prob(inc, x + i * RS__VISIT_NX);
    }
    ck_assert_ok(rs__visit_fit_inclusion(x, y, n, NULL, fit, &ll));
    ck_assert(ll < 0 && isfinite(ll));
    /* slots past the last term share it: slot 11 is slot RS__VISIT_SLOTS - 1 */
    for (int k = 0; k < RS__VISIT_NX; k++)
        ck_assert_msg(fabs(fit[k] - inc[k]) < 0.15, "coefficient %d: fit %g planted %g", k,
                      fit[k], inc[k]);
    /* bad input: nothing shown, nothing taken */
    ck_assert_status(rs__visit_fit_inclusion(x, y, 0, NULL, fit, NULL), RS_ERR_INVALID);
    /* the log choice probability as an offset at its planted weight: the
     * others are found again and it stays put */
    {
        uint8_t fixed[RS__VISIT_NX] = {0};
        fixed[RS__INC_LOG_CHOICE] = 1;
        fit[RS__INC_LOG_CHOICE] = inc[RS__INC_LOG_CHOICE];
        ck_assert_ok(rs__visit_fit_inclusion(x, y, n, fixed, fit, NULL));
        ck_assert(fit[RS__INC_LOG_CHOICE] == inc[RS__INC_LOG_CHOICE]);
        for (int k = 0; k < RS__VISIT_NX; k++)
            ck_assert_msg(fabs(fit[k] - inc[k]) < 0.15, "offset fit: coefficient %d: fit %g "
                          "planted %g", k, fit[k], inc[k]);
        fit[RS__INC_LOG_CHOICE] = NAN;
        ck_assert_status(rs__visit_fit_inclusion(x, y, n, fixed, fit, NULL), RS_ERR_INVALID);
    }
    memset(y, 0, n);
    ck_assert_status(rs__visit_fit_inclusion(x, y, n, NULL, fit, NULL), RS_ERR_INVALID);
    free(x);
    free(y);
}
END_TEST

START_TEST(propensity_keeps_marginals_and_is_recovered)
{
    /* visits of PER_V shown items; a gamma propensity of shape k shared by
     * the visit's items: the marginal entry probability stays
     * 1 - exp(-lam) and the fit finds k back */
    enum { NV = 6000, PER_V = 30 };
    const double k = 0.6;
    double *lam = malloc(NV * PER_V * sizeof *lam), want = 0, got = 0, fit, m1 = 0, m2 = 0;
    uint8_t *y = malloc(NV * PER_V);
    size_t *start = malloc((NV + 1) * sizeof *start);
    rs_rng rng;
    ck_assert(lam && y && start);
    rs__rng_init(&rng, 12, 7, 0, 0);
    for (size_t v = 0; v < NV; v++) {
        double e = rs__visit_gamma(&rng, k);
        m1 += e;
        m2 += e * e;
        start[v] = v * PER_V;
        for (size_t i = v * PER_V; i < (v + 1) * PER_V; i++) {
            lam[i] = 0.01 + 0.2 * rs__rng_uniform(&rng);
            y[i] = rs__rng_uniform(&rng) < -expm1(-rs__visit_frail_rate(lam[i], k) * e);
            want += -expm1(-lam[i]);
            got += y[i];
        }
    }
    start[NV] = NV * PER_V;
    /* the gamma draws: mean 1, variance 1 / k */
    ck_assert_msg(fabs(m1 / NV - 1) < 0.05 && fabs(m2 / NV - m1 * m1 / NV / NV - 1 / k) < 0.2,
                  "gamma mean %g variance %g", m1 / NV, m2 / NV - m1 * m1 / NV / NV);
    ck_assert_msg(fabs(got / want - 1) < 0.05, "entries %g, marginal formula %g", got, want);
    ck_assert_ok(rs__visit_fit_frailty(lam, y, start, NV, &fit));
    ck_assert_msg(fabs(fit / k - 1) < 0.25, "shape %g planted %g", fit, k);
    /* without a propensity: independent entries give no (or a very large) shape */
    for (size_t i = 0; i < NV * PER_V; i++)
        y[i] = rs__rng_uniform(&rng) < -expm1(-lam[i]);
    ck_assert_ok(rs__visit_fit_frailty(lam, y, start, NV, &fit));
    ck_assert_msg(fit == 0 || fit > 10, "shape %g without clustering", fit);
    /* bad input: no visit, NULL, a rate that is NaN, infinite or negative */
    ck_assert_status(rs__visit_fit_frailty(lam, y, start, 0, &fit), RS_ERR_INVALID);
    ck_assert_status(rs__visit_fit_frailty(NULL, y, start, NV, &fit), RS_ERR_INVALID);
    ck_assert_status(rs__visit_fit_frailty(lam, y, start, NV, NULL), RS_ERR_INVALID);
    lam[5] = NAN;
    ck_assert_status(rs__visit_fit_frailty(lam, y, start, NV, &fit), RS_ERR_INVALID);
    lam[5] = INFINITY;
    ck_assert_status(rs__visit_fit_frailty(lam, y, start, NV, &fit), RS_ERR_INVALID);
    lam[5] = -0.1;
    ck_assert_status(rs__visit_fit_frailty(lam, y, start, NV, &fit), RS_ERR_INVALID);
    /* no propensity: the rate itself; a huge rate stays finite */
    ck_assert(rs__visit_frail_rate(0.3, 0) == 0.3);
    ck_assert(isfinite(rs__visit_frail_rate(1e6, 0.5)));
    free(lam);
    free(y);
    free(start);
}
END_TEST

START_TEST(new_share_recovers_planted_beta)
{
    /* visits of 1..40 items, each new with the visit's Beta(a, b) share */
    enum { NV = 8000 };
    const double a = 0.7, b = 0.45;
    double *succ = malloc(NV * sizeof *succ), *trials = malloc(NV * sizeof *trials), fa, fb;
    double m = 0;
    rs_rng rng;
    ck_assert(succ && trials);
    rs__rng_init(&rng, 13, 8, 0, 0);
    for (size_t v = 0; v < NV; v++) {
        double share = rs__visit_beta(&rng, a, b);
        ck_assert(share >= 0 && share <= 1);
        m += share;
        trials[v] = (double)(1 + rs__rng_below(&rng, 40));
        succ[v] = 0;
        for (double i = 0; i < trials[v]; i++)
            succ[v] += rs__rng_uniform(&rng) < share;
    }
    ck_assert_msg(fabs(m / NV - a / (a + b)) < 0.02, "mean share %g", m / NV);
    ck_assert_ok(rs__visit_fit_beta_binomial(succ, trials, NV, &fa, &fb));
    ck_assert_msg(fabs(fa / a - 1) < 0.12 && fabs(fb / b - 1) < 0.12, "fit (%g, %g) planted "
                  "(%g, %g)", fa, fb, a, b);
    /* bad input: NULL, no visit with an item, more new items than items, NaN */
    ck_assert_status(rs__visit_fit_beta_binomial(NULL, trials, NV, &fa, &fb), RS_ERR_INVALID);
    ck_assert_status(rs__visit_fit_beta_binomial(succ, trials, 0, &fa, &fb), RS_ERR_INVALID);
    ck_assert_status(rs__visit_fit_beta_binomial(succ, trials, NV, NULL, &fb), RS_ERR_INVALID);
    trials[3] = succ[3] - 1;
    ck_assert_status(rs__visit_fit_beta_binomial(succ, trials, NV, &fa, &fb), RS_ERR_INVALID);
    trials[3] = NAN;
    ck_assert_status(rs__visit_fit_beta_binomial(succ, trials, NV, &fa, &fb), RS_ERR_INVALID);
    succ[0] = trials[0] = 0;
    ck_assert_status(rs__visit_fit_beta_binomial(succ, trials, 1, &fa, &fb), RS_ERR_INVALID);
    free(succ);
    free(trials);
}
END_TEST

START_TEST(pick_and_bad_input)
{
    const double cum[4] = {1, 1, 3, 4}; /* item 1 has no mass */
    struct rs__visit_user none = {NULL, NULL, NULL, 0};
    double w[RS__VISIT_NF] = {0}, a, b, mu, sigma;
    const double bad[2] = {-1, 0};
    ck_assert_uint_eq(rs__visit_pick(cum, 4, 0), 0);
    ck_assert_uint_eq(rs__visit_pick(cum, 4, 0.2499), 0);
    ck_assert_uint_eq(rs__visit_pick(cum, 4, 0.25), 2);
    ck_assert_uint_eq(rs__visit_pick(cum, 4, 0.7499), 2);
    ck_assert_uint_eq(rs__visit_pick(cum, 4, 0.75), 3);
    ck_assert_uint_eq(rs__visit_pick(cum, 4, 0.999999), 3);
    ck_assert_status(rs__visit_fit_choice(&none, 1, 0, w, NULL, NULL), RS_ERR_INVALID);
    ck_assert_status(rs__visit_fit_choice(NULL, 0, 10, w, NULL, NULL), RS_ERR_INVALID);
    ck_assert(isnan(rs__visit_choice_loglik(&none, 1, 0, w, NULL)));
    ck_assert_status(rs__visit_fit_return(NULL, NULL, 0, &a, &b), RS_ERR_INVALID);
    ck_assert_status(rs__visit_fit_logistic(NULL, NULL, NULL, 0, &a, &b), RS_ERR_INVALID);
    /* only positive values enter the lognormal fit */
    rs__visit_fit_lognormal(bad, 2, &mu, &sigma);
    ck_assert(mu == 0 && sigma == 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_visit");
    TCase *tc = tcase_create("visit");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, choice_recovers_planted_weights);
    tcase_add_test(tc, choice_recovers_item_effects);
    tcase_add_test(tc, return_recovers_planted_hazard);
    tcase_add_test(tc, basket_sizes_follow_the_formula);
    tcase_add_test(tc, gaps_follow_the_fitted_sample);
    tcase_add_test(tc, pick_and_bad_input);
    tcase_add_test(tc, inclusion_recovers_planted_coefficients);
    tcase_add_test(tc, propensity_keeps_marginals_and_is_recovered);
    tcase_add_test(tc, new_share_recovers_planted_beta);
    suite_add_tcase(s, tc);
    return s;
}
