/*
 * model_visit.c - fitting and drawing the visit-level response model
 * (model_visit.h).  Every fit is plain maximum likelihood: a multinomial
 * logit for the chosen items, a logistic return hazard, lognormal gaps and
 * basket sizes (their mean and deviation of logs).
 */
#include "model/model_visit.h"

#include "core/alloc.h"
#include "core/dense.h"
#include "core/error.h"
#include "core/fastmath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NF RS__VISIT_NF

/*
 * One user's contribution at weights w: the sum of chosen utilities minus
 * n_chosen log-partitions into *ll; gradient and negative Hessian (the
 * covariance of the features under the choice probabilities, times
 * n_chosen) added into g and h when non-NULL.  util: n_items scratch.
 */
static void user_terms(const struct rs__visit_user *u, size_t n_items, const double *w,
                       const double *bias, double *util, double *ll, double *g, double *h,
                       double *expect)
{
    double top = -HUGE_VAL, z = 0, mean[NF] = {0}, second[NF * NF] = {0};
    double n = (double)u->n_chosen;
    if (u->n_chosen == 0)
        return;
    for (size_t i = 0; i < n_items; i++) {
        const float *f = u->feat + i * NF;
        double v = 0;
        for (int k = 0; k < NF; k++)
            v += w[k] * f[k];
        if (bias)
            v += bias[i];
        util[i] = v;
        if (u->allowed[i] && v > top)
            top = v;
    }
    for (size_t i = 0; i < n_items; i++) {
        const float *f = u->feat + i * NF;
        double e;
        if (!u->allowed[i])
            continue;
        e = exp(util[i] - top);
        z += e;
        if (!g)
            continue;
        for (int k = 0; k < NF; k++) {
            mean[k] += e * f[k];
            for (int l = 0; l <= k; l++)
                second[k * NF + l] += e * f[k] * (double)f[l];
        }
    }
    *ll -= n * (top + log(z));
    for (size_t i = 0; expect && i < n_items; i++)
        if (u->allowed[i])
            expect[i] += n * exp(util[i] - top) / z;
    for (size_t c = 0; c < u->n_chosen; c++) {
        const float *f = u->feat + (size_t)u->chosen[c] * NF;
        *ll += util[u->chosen[c]];
        if (g)
            for (int k = 0; k < NF; k++)
                g[k] += f[k];
    }
    if (!g)
        return;
    for (int k = 0; k < NF; k++) {
        mean[k] /= z;
        g[k] -= n * mean[k];
    }
    for (int k = 0; k < NF; k++)
        for (int l = 0; l <= k; l++) {
            double c = n * (second[k * NF + l] / z - mean[k] * mean[l]);
            h[k * NF + l] += c;
            if (l != k)
                h[l * NF + k] += c;
        }
}

static double total(const struct rs__visit_user *users, size_t n_users, size_t n_items,
                    const double *w, const double *bias, double *util, double *g, double *h,
                    double *expect, double *n_out)
{
    double ll = 0, n = 0;
    if (g) {
        memset(g, 0, NF * sizeof *g);
        memset(h, 0, NF * NF * sizeof *h);
    }
    for (size_t u = 0; u < n_users; u++) {
        user_terms(&users[u], n_items, w, bias, util, &ll, g, h, expect);
        n += (double)users[u].n_chosen;
    }
    *n_out = n;
    return ll;
}

/* Solve h x = g (n x n, symmetric positive semi-definite, ridged) by
 * Gaussian elimination with partial pivoting; a singular pivot leaves
 * x_k = 0. */
static void solve_n(double *h, double *g, double *x, int n)
{
    for (int k = 0; k < n; k++)
        h[k * n + k] += 1e-9 + 1e-9 * fabs(h[k * n + k]);
    rs__dense_lu_solve(h, g, x, (size_t)n, 1e-300);
}

/* Newton steps on w with the item effects fixed; the log-likelihood. */
static double newton(const struct rs__visit_user *users, size_t n_users, size_t n_items,
                     double *w, const double *bias, double *util)
{
    double g[NF], h[NF * NF], n, ll;
    ll = total(users, n_users, n_items, w, bias, util, g, h, NULL, &n);
    for (int it = 0; it < 50; it++) {
        double step[NF], trial[NF], t = 1, ll_new = -HUGE_VAL, gh[NF * NF], gg[NF], gn = 0;
        for (int k = 0; k < NF; k++)
            gn += g[k] * g[k];
        if (sqrt(gn) < 1e-8 * n)
            break;
        memcpy(gh, h, sizeof gh);
        memcpy(gg, g, sizeof gg);
        solve_n(gh, gg, step, NF);
        for (int half = 0; half < 30; half++, t *= 0.5) {
            for (int k = 0; k < NF; k++)
                trial[k] = w[k] + t * step[k];
            ll_new = total(users, n_users, n_items, trial, bias, util, NULL, NULL, NULL, &n);
            if (ll_new >= ll)
                break;
        }
        if (!(ll_new >= ll))
            break;
        memcpy(w, trial, sizeof trial);
        if (ll_new - ll < 1e-10 * n) {
            ll = ll_new;
            break;
        }
        ll = total(users, n_users, n_items, w, bias, util, g, h, NULL, &n);
    }
    return ll;
}

int rs__visit_fit_choice(const struct rs__visit_user *users, size_t n_users, size_t n_items,
                         double w[NF], double *bias, double *loglik_out)
{
    double *util = rs__alloc_array(n_items ? n_items : 1, sizeof *util);
    double *expect = bias ? rs__calloc(n_items ? n_items : 1, sizeof *expect) : NULL;
    double *seen = bias ? rs__calloc(n_items ? n_items : 1, sizeof *seen) : NULL;
    double n = 0, ll = 0;
    if (!util || (bias && (!expect || !seen))) {
        free(util);
        free(expect);
        free(seen);
        return RS_ERR_NOMEM;
    }
    for (size_t u = 0; u < n_users; u++) {
        n += (double)users[u].n_chosen;
        for (size_t c = 0; seen && c < users[u].n_chosen; c++)
            seen[users[u].chosen[c]]++;
    }
    if (n == 0) {
        free(util);
        free(expect);
        free(seen);
        return rs__fail(RS_ERR_INVALID, "rs__visit_fit_choice: no choice to fit");
    }
    /* Alternate Newton on the weights with the item effects' own maximum
     * likelihood condition (expected = observed choices of the item, each
     * count smoothed by a pseudo-choice so that an unseen item keeps a
     * finite effect), a fixed number of rounds. */
    for (int round = 0; round < (bias ? 8 : 1); round++) {
        ll = newton(users, n_users, n_items, w, bias, util);
        if (!bias)
            break;
        memset(expect, 0, n_items * sizeof *expect);
        total(users, n_users, n_items, w, bias, util, NULL, NULL, expect, &n);
        for (size_t i = 0; i < n_items; i++)
            bias[i] += log((seen[i] + RS__VISIT_PSEUDO) / (expect[i] + RS__VISIT_PSEUDO));
    }
    if (bias)
        ll = newton(users, n_users, n_items, w, bias, util);
    free(util);
    free(expect);
    free(seen);
    if (loglik_out)
        *loglik_out = ll / n;
    return RS_OK;
}

double rs__visit_choice_loglik(const struct rs__visit_user *users, size_t n_users,
                               size_t n_items, const double w[NF], const double *bias)
{
    double *util = rs__alloc_array(n_items ? n_items : 1, sizeof *util), n, ll;
    if (!util)
        return NAN;
    ll = total(users, n_users, n_items, w, bias, util, NULL, NULL, NULL, &n);
    free(util);
    return n > 0 ? ll / n : NAN;
}

/* ------------------------------------------------------------ slate inclusion */

#define NX RS__VISIT_NX

void rs__visit_inclusion_x(float *x, double n_new, double log_choice, const float *feat,
                           bool before, size_t n_hist, size_t slot)
{
    memset(x, 0, NX * sizeof *x);
    x[RS__INC_ONE] = 1;
    x[RS__INC_LOG_NEW] = (float)log(n_new >= 1 ? n_new : 1);
    /* a choice probability that underflowed is as good as nil */
    x[RS__INC_LOG_CHOICE] = (float)(log_choice > -700 ? log_choice : -700);
    x[RS__INC_LOG_CHOICE2] = x[RS__INC_LOG_CHOICE] * x[RS__INC_LOG_CHOICE] / 100;
    for (int k = 0; k < NF; k++)
        x[RS__INC_FEAT + k] = feat[k];
    x[RS__INC_BEFORE] = before;
    x[RS__INC_HIST] = (float)log1p((double)n_hist);
    if (slot > 0)
        x[RS__INC_SLOT + (slot < RS__VISIT_SLOTS ? slot : RS__VISIT_SLOTS - 1) - 1] = 1;
}

static double inc_eta(const double *inc, const float *x)
{
    double eta = 0;
    for (int k = 0; k < NX; k++)
        eta += inc[k] * x[k];
    /* past e^4 the item is in the basket for sure; the clamp keeps e^eta finite */
    return eta < -700 ? -700 : eta > 4 ? 4 : eta;
}

double rs__visit_inclusion_rate(const double inc[NX], const float *x)
{
    return exp(inc_eta(inc, x));
}

double rs__visit_inclusion_prob(const double inc[NX], const float *x)
{
    return -expm1(-exp(inc_eta(inc, x)));
}

/* Log-likelihood (with the prior) at inc; the score and Fisher information
 * into g and h when non-NULL. */
static double inc_total(const float *x, const uint8_t *y, size_t n, const double *inc, double *g,
                        double *h, double *plain)
{
    double ll = 0;
    if (g) {
        memset(g, 0, NX * sizeof *g);
        memset(h, 0, NX * NX * sizeof *h);
    }
    for (size_t i = 0; i < n; i++) {
        const float *r = x + i * NX;
        double lam = exp(inc_eta(inc, r)), em1 = expm1(lam), d, w;
        /* y = 1: log(1 - e^-lam), d/deta = lam / (e^lam - 1); y = 0: -lam */
        ll += y[i] ? log(-expm1(-lam)) : -lam;
        if (!g)
            continue;
        d = y[i] ? lam / em1 : -lam;
        w = lam * lam / em1; /* the expected information */
        for (int k = 0; k < NX; k++) {
            if (r[k] == 0)
                continue;
            g[k] += d * r[k];
            for (int l = 0; l <= k; l++)
                h[k * NX + l] += w * r[k] * r[l];
        }
    }
    if (plain)
        *plain = ll;
    for (int k = 1; k < NX; k++) {
        ll -= 0.5 * inc[k] * inc[k];
        if (g) {
            g[k] -= inc[k];
            h[k * NX + k] += 1;
        }
    }
    for (int k = 0; g && k < NX; k++)
        for (int l = 0; l < k; l++)
            h[l * NX + k] = h[k * NX + l];
    return ll;
}

int rs__visit_fit_inclusion(const float *x, const uint8_t *y, size_t n, const uint8_t *fixed,
                            double inc[NX], double *loglik_out)
{
    double g[NX], h[NX * NX], ll, plain = 0, hits = 0, shift = 0;
    for (size_t i = 0; i < n; i++)
        hits += y[i] != 0;
    if (n == 0 || hits == 0)
        return rs__fail(RS_ERR_INVALID, "rs__visit_fit_inclusion: %zu shown items, none taken",
                        n);
    for (int k = 0; fixed && k < NX; k++)
        if (fixed[k] && !isfinite(inc[k]))
            return rs__fail(RS_ERR_INVALID, "rs__visit_fit_inclusion: fixed coefficient %d is "
                            "%g", k, inc[k]);
    /* start: the constant rate of the log (net of the fixed terms' mean),
     * every other free coefficient 0 */
    for (int k = 0; k < NX; k++)
        if (!fixed || !fixed[k] || k == RS__INC_ONE)
            inc[k] = 0;
    for (size_t i = 0; fixed && i < n; i++)
        for (int k = 1; k < NX; k++)
            shift += fixed[k] ? inc[k] * x[i * NX + k] : 0;
    if (!fixed || !fixed[RS__INC_ONE])
        inc[RS__INC_ONE] = log(-log1p(-hits / ((double)n + 1))) - shift / (double)n;
    ll = inc_total(x, y, n, inc, g, h, &plain);
    for (int it = 0; it < 100; it++) {
        double step[NX], trial[NX], t = 1, ll_new = -HUGE_VAL, change = 0;
        /* a fixed coefficient: no score, a unit information apart from the
         * rest, so its step is 0 */
        for (int k = 0; fixed && k < NX; k++)
            if (fixed[k]) {
                g[k] = 0;
                for (int l = 0; l < NX; l++)
                    h[k * NX + l] = h[l * NX + k] = k == l;
            }
        solve_n(h, g, step, NX);
        for (int half = 0; half < 40; half++, t *= 0.5) {
            for (int k = 0; k < NX; k++)
                trial[k] = inc[k] + t * step[k];
            ll_new = inc_total(x, y, n, trial, NULL, NULL, NULL);
            if (ll_new >= ll)
                break;
        }
        if (!(ll_new >= ll))
            break;
        for (int k = 0; k < NX; k++)
            change += fabs(trial[k] - inc[k]);
        memcpy(inc, trial, sizeof trial);
        ll = inc_total(x, y, n, inc, g, h, &plain);
        if (change < 1e-9)
            break;
    }
    if (loglik_out)
        *loglik_out = plain / (double)n;
    return RS_OK;
}

/* ------------------------------------------------------------ visit propensity */

double rs__visit_frail_rate(double lam, double k)
{
    /* E[exp(-r e)] = (1 + r / k)^-k = exp(-lam) for e ~ Gamma(k, 1 / k);
     * past e^700 the rate is a sure entry either way: keep it finite */
    return k > 0 ? k * expm1(fmin(lam / k, 700)) : lam;
}

#define FRAIL_NODES 160

/* The visits' log-likelihood at shape k: the propensity integrated on a
 * log grid of e (the gamma density's weights renormalised on the grid). */
static double frail_total(const double *lam, const uint8_t *y, const size_t *start, size_t n_v,
                          double k)
{
    double logw[FRAIL_NODES], e[FRAIL_NODES], top = -HUGE_VAL, norm = 0, ll = 0;
    for (int j = 0; j < FRAIL_NODES; j++) {
        double t = -14.0 + 21.0 * j / (FRAIL_NODES - 1); /* log e */
        e[j] = exp(t);
        logw[j] = k * t - k * e[j]; /* e^k exp(-k e) de / e, de = e dt */
        top = fmax(top, logw[j]);
    }
    for (int j = 0; j < FRAIL_NODES; j++)
        norm += exp(logw[j] - top);
    for (int j = 0; j < FRAIL_NODES; j++)
        logw[j] -= top + log(norm);
    for (size_t v = 0; v < n_v; v++) {
        double miss = 0, hit[64], lv[FRAIL_NODES], m = -HUGE_VAL, z = 0;
        size_t n_hit = 0;
        for (size_t i = start[v]; i < start[v + 1]; i++) {
            double r = rs__visit_frail_rate(lam[i], k);
            if (!y[i])
                miss += r;
            else if (n_hit < 64)
                hit[n_hit++] = r;
        }
        for (int j = 0; j < FRAIL_NODES; j++) {
            double l = logw[j] - miss * e[j];
            for (size_t i = 0; i < n_hit; i++)
                l += log(-expm1(-hit[i] * e[j]) + 1e-300);
            lv[j] = l;
            m = fmax(m, l);
        }
        for (int j = 0; j < FRAIL_NODES; j++)
            z += exp(lv[j] - m);
        ll += m + log(z);
    }
    return ll;
}

int rs__visit_fit_frailty(const double *lam, const uint8_t *y, const size_t *start,
                          size_t n_visits, double *k_out)
{
    const double phi = 0.6180339887498949;
    double a = log(0.02), b = log(1000.0), c, d, fc, fd;
    if (!lam || !y || !start || !k_out || n_visits == 0)
        return rs__fail(RS_ERR_INVALID, "rs__visit_fit_frailty: no visit");
    for (size_t i = start[0]; i < start[n_visits]; i++)
        if (!(lam[i] >= 0) || !isfinite(lam[i]))
            return rs__fail(RS_ERR_INVALID, "rs__visit_fit_frailty: rate %zu is %g", i, lam[i]);
    /* golden-section search on log k: the profile is unimodal in practice */
    c = b - phi * (b - a);
    d = a + phi * (b - a);
    fc = frail_total(lam, y, start, n_visits, exp(c));
    fd = frail_total(lam, y, start, n_visits, exp(d));
    for (int it = 0; it < 40 && b - a > 1e-3; it++) {
        if (fc >= fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - phi * (b - a);
            fc = frail_total(lam, y, start, n_visits, exp(c));
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + phi * (b - a);
            fd = frail_total(lam, y, start, n_visits, exp(d));
        }
    }
    /* a shape at the top of the range: the entries are independent */
    *k_out = b >= log(1000.0) - 1e-2 ? 0 : exp((a + b) / 2);
    return RS_OK;
}

double rs__visit_gamma(rs_rng *rng, double k)
{
    /* Marsaglia and Tsang's squeeze; G(k) = G(k + 1) U^(1/k) below 1 */
    double boost = 1, dd, cc, k0 = k;
    if (k < 1) {
        boost = pow(rs__rng_uniform(rng) + 1e-300, 1 / k);
        k += 1;
    }
    dd = k - 1.0 / 3;
    cc = 1 / sqrt(9 * dd);
    for (;;) {
        double x = rs__rng_normal(rng), v = 1 + cc * x, u;
        if (v <= 0)
            continue;
        v = v * v * v;
        u = rs__rng_uniform(rng);
        if (log(u + 1e-300) < 0.5 * x * x + dd - dd * v + dd * log(v))
            return boost * dd * v / k0; /* mean 1 */
    }
}

/* ------------------------------------------------------------ new share */

static double bb_total(const double *succ, const double *trials, size_t n, double la, double lb)
{
    double a = exp(la), b = exp(lb), ll = 0, base = lgamma(a + b) - lgamma(a) - lgamma(b);
    if (!isfinite(a) || !isfinite(b) || a < 1e-6 || b < 1e-6)
        return -HUGE_VAL;
    /* the binomial coefficient does not depend on (a, b): left out */
    for (size_t i = 0; i < n; i++)
        if (trials[i] > 0)
            ll += base + lgamma(succ[i] + a) + lgamma(trials[i] - succ[i] + b) -
                  lgamma(trials[i] + a + b);
    return ll;
}

int rs__visit_fit_beta_binomial(const double *succ, const double *trials, size_t n,
                                double *alpha_out, double *beta_out)
{
    double v[3][2], f[3], m = 0, t = 0;
    size_t used = 0;
    if (!succ || !trials || !alpha_out || !beta_out)
        return rs__fail(RS_ERR_INVALID, "rs__visit_fit_beta_binomial: NULL argument");
    for (size_t i = 0; i < n; i++) {
        if (!(succ[i] >= 0) || !(trials[i] >= succ[i]) || !isfinite(trials[i]))
            return rs__fail(RS_ERR_INVALID, "rs__visit_fit_beta_binomial: visit %zu has %g of "
                            "%g", i, succ[i], trials[i]);
        if (trials[i] > 0) {
            m += succ[i];
            t += trials[i];
            used++;
        }
    }
    if (used == 0)
        return rs__fail(RS_ERR_INVALID, "rs__visit_fit_beta_binomial: no visit with an item");
    /* start: the pooled share at precision 2; shares of 0 or 1 pulled in */
    m = (m + 0.5) / (t + 1);
    v[0][0] = log(2 * m);
    v[0][1] = log(2 * (1 - m));
    v[1][0] = v[0][0] + 0.5;
    v[1][1] = v[0][1];
    v[2][0] = v[0][0];
    v[2][1] = v[0][1] + 0.5;
    for (int j = 0; j < 3; j++)
        f[j] = -bb_total(succ, trials, n, v[j][0], v[j][1]);
    /* Nelder-Mead on the negative log-likelihood: two parameters only */
    for (int it = 0; it < 400; it++) {
        int lo = 0, hi = 0, mid;
        double c[2], r[2], fr;
        for (int j = 1; j < 3; j++) {
            if (f[j] < f[lo])
                lo = j;
            if (f[j] > f[hi])
                hi = j;
        }
        mid = 3 - lo - hi;
        if (lo == hi)
            mid = (lo + 1) % 3, hi = (lo + 2) % 3;
        if (fabs(f[hi] - f[lo]) < 1e-10 * (1 + fabs(f[lo])) &&
            fabs(v[hi][0] - v[lo][0]) + fabs(v[hi][1] - v[lo][1]) < 1e-7)
            break;
        for (int d = 0; d < 2; d++) {
            c[d] = (v[lo][d] + v[mid][d]) / 2;
            r[d] = 2 * c[d] - v[hi][d];
        }
        fr = -bb_total(succ, trials, n, r[0], r[1]);
        if (fr < f[lo]) {
            double e[2], fe;
            for (int d = 0; d < 2; d++)
                e[d] = 3 * c[d] - 2 * v[hi][d];
            fe = -bb_total(succ, trials, n, e[0], e[1]);
            if (fe < fr)
                memcpy(v[hi], e, sizeof e), f[hi] = fe;
            else
                memcpy(v[hi], r, sizeof r), f[hi] = fr;
        } else if (fr < f[mid]) {
            memcpy(v[hi], r, sizeof r);
            f[hi] = fr;
        } else {
            double k[2], fk;
            for (int d = 0; d < 2; d++)
                k[d] = (c[d] + v[hi][d]) / 2;
            fk = -bb_total(succ, trials, n, k[0], k[1]);
            if (fk < f[hi]) {
                memcpy(v[hi], k, sizeof k);
                f[hi] = fk;
            } else { /* shrink towards the best */
                for (int j = 0; j < 3; j++)
                    if (j != lo) {
                        for (int d = 0; d < 2; d++)
                            v[j][d] = (v[j][d] + v[lo][d]) / 2;
                        f[j] = -bb_total(succ, trials, n, v[j][0], v[j][1]);
                    }
            }
        }
    }
    {
        int best = 0;
        for (int j = 1; j < 3; j++)
            if (f[j] < f[best])
                best = j;
        *alpha_out = exp(v[best][0]);
        *beta_out = exp(v[best][1]);
    }
    return RS_OK;
}

double rs__visit_beta(rs_rng *rng, double alpha, double beta)
{
    /* Ga / (Ga + Gb) with Gamma draws of unit scale (rs__visit_gamma has mean 1) */
    double ga = alpha * rs__visit_gamma(rng, alpha), gb = beta * rs__visit_gamma(rng, beta);
    return ga + gb > 0 ? ga / (ga + gb) : alpha / (alpha + beta);
}

/* ------------------------------------------------------------ return hazard */


int rs__visit_fit_logistic(const double *x, const double *succ, const double *trials, size_t n,
                           double *a_out, double *b_out)
{
    double a = 0, b = 0;
    if (n == 0)
        return rs__fail(RS_ERR_INVALID, "rs__visit_fit_logistic: no observation");
    for (int it = 0; it < 100; it++) {
        double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0, det, da, db;
        for (size_t i = 0; i < n; i++) {
            double p = rs__sigmoid(a + b * x[i]), r = succ[i] - trials[i] * p;
            double v = trials[i] * p * (1 - p);
            ga += r;
            gb += r * x[i];
            haa += v;
            hab += v * x[i];
            hbb += v * x[i] * x[i];
        }
        haa += 1e-9;
        hbb += 1e-9;
        det = haa * hbb - hab * hab;
        if (!(fabs(det) > 1e-300))
            break;
        da = (hbb * ga - hab * gb) / det;
        db = (haa * gb - hab * ga) / det;
        a += da;
        b += db;
        if (fabs(da) + fabs(db) < 1e-12)
            break;
    }
    *a_out = a;
    *b_out = b;
    return RS_OK;
}

int rs__visit_fit_return(const double *x, const uint32_t *visits, size_t n, double *a_out,
                         double *b_out)
{
    /* visits - 1 returns and one leave at x */
    double *succ = rs__alloc_array(n ? n : 1, sizeof *succ);
    double *trials = rs__alloc_array(n ? n : 1, sizeof *trials);
    int s = succ && trials ? RS_OK : RS_ERR_NOMEM;
    if (s == RS_OK && n == 0)
        s = rs__fail(RS_ERR_INVALID, "rs__visit_fit_return: no user");
    for (size_t i = 0; s == RS_OK && i < n; i++) {
        succ[i] = visits[i] ? visits[i] - 1.0 : 0.0;
        trials[i] = succ[i] + 1;
    }
    if (s == RS_OK)
        s = rs__visit_fit_logistic(x, succ, trials, n, a_out, b_out);
    free(succ);
    free(trials);
    return s;
}

void rs__visit_fit_lognormal(const double *v, size_t n, double *mu_out, double *sigma_out)
{
    double s = 0, ss = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > 0) {
            double l = log(v[i]);
            s += l;
            ss += l * l;
            m++;
        }
    *mu_out = m ? s / (double)m : 0;
    *sigma_out = m > 1 ? sqrt(fmax(0, (ss - s * s / (double)m) / (double)(m - 1))) : 0;
}

/* ------------------------------------------------------------ draws */

double rs__visit_return_prob(const struct rs__visit_params *p, double x)
{
    return rs__sigmoid(p->return_a + p->return_b * x);
}

double rs__visit_gap(const struct rs__visit_params *p, rs_rng *rng)
{
    return p->n_gaps ? p->gaps[rs__rng_below(rng, p->n_gaps)] : 0;
}

size_t rs__visit_basket_size(const struct rs__visit_params *p, rs_rng *rng)
{
    double v = floor(exp(p->size_mu + p->size_sigma * rs__rng_normal(rng)) + 0.5);
    return v < 1 ? 1 : v > 1e6 ? 1000000 : (size_t)v;
}

size_t rs__visit_pick(const double *cum, size_t n, double u)
{
    double target = u * cum[n - 1];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > target)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}
