/*
 * model_visit.c - fitting and drawing the visit-level response model
 * (model_visit.h).  Every fit is plain maximum likelihood: a multinomial
 * logit for the chosen items, a logistic return hazard, lognormal gaps and
 * basket sizes (their mean and deviation of logs).
 */
#include "model/model_visit.h"

#include "core/alloc.h"
#include "core/error.h"

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

/* Solve h x = g (h symmetric positive semi-definite, ridged) by Gaussian
 * elimination with partial pivoting; a singular pivot leaves x_k = 0. */
static void solve(double *h, double *g, double *x)
{
    for (int k = 0; k < NF; k++)
        h[k * NF + k] += 1e-9 + 1e-9 * fabs(h[k * NF + k]);
    for (int c = 0; c < NF; c++) {
        int p = c;
        for (int r = c + 1; r < NF; r++)
            if (fabs(h[r * NF + c]) > fabs(h[p * NF + c]))
                p = r;
        if (p != c) {
            for (int k = 0; k < NF; k++) {
                double t = h[c * NF + k];
                h[c * NF + k] = h[p * NF + k];
                h[p * NF + k] = t;
            }
            double t = g[c];
            g[c] = g[p];
            g[p] = t;
        }
        if (fabs(h[c * NF + c]) < 1e-300)
            continue;
        for (int r = c + 1; r < NF; r++) {
            double f = h[r * NF + c] / h[c * NF + c];
            for (int k = c; k < NF; k++)
                h[r * NF + k] -= f * h[c * NF + k];
            g[r] -= f * g[c];
        }
    }
    for (int c = NF - 1; c >= 0; c--) {
        double v = g[c];
        for (int k = c + 1; k < NF; k++)
            v -= h[c * NF + k] * x[k];
        x[c] = fabs(h[c * NF + c]) < 1e-300 ? 0 : v / h[c * NF + c];
    }
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
        solve(gh, gg, step);
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

/* ------------------------------------------------------------ return hazard */

static double sigmoid(double v) { return 1 / (1 + exp(-v)); }

int rs__visit_fit_return(const double *x, const uint32_t *visits, size_t n, double *a_out,
                         double *b_out)
{
    /* logistic regression: visits - 1 successes and one failure at x */
    double a = 0, b = 0;
    if (n == 0)
        return rs__fail(RS_ERR_INVALID, "rs__visit_fit_return: no user");
    for (int it = 0; it < 100; it++) {
        double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0, det, da, db;
        for (size_t i = 0; i < n; i++) {
            double p = sigmoid(a + b * x[i]), succ = visits[i] ? visits[i] - 1.0 : 0.0;
            double trials = succ + 1, r = succ - trials * p, v = trials * p * (1 - p);
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
    return sigmoid(p->return_a + p->return_b * x);
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
