/*
 * calibrate.c - maximum-likelihood fit of the position-based logit:
 * P(j) = g^j e^{u_j/T} / (m + sum_k g^k e^{u_k/T}), P(none) = m / (...).
 * In theta = (1/T, log m, log g) the logits are linear, so the
 * log-likelihood is concave and Newton's method with step halving converges.
 * rs_sim_calibrate_terms fits a utility that is a weighted sum of terms the
 * same way: theta = (w_1/T .. w_n/T, log m, log g) is still linear in the
 * logits; w_1 = 1 fixes the scale the logit cannot see.
 */
#include "sim/sim_internal.h"

#include "core/alloc.h"
#include "core/dense.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The log-likelihood of the position-based logit with nt utility terms at
 * th = (beta_1 .. beta_nt, log m, log g), beta_t = w_t / T: slot j of an
 * impression has the logit sum_t beta_t x_jt + j log g, the no-click
 * option log m.  grad and hess (may be NULL): the gradient and the negated
 * Hessian (positive semi-definite), d = nt + 2 square.
 */
static double terms_loglik(const double *X, const int32_t *pos, size_t n_imp, size_t k,
                           size_t nt, const double *th, double *grad, double *hess)
{
    size_t d = nt + 2;
    double ll = 0, e[RS_SIM_CALIBRATE_MAX_TERMS + 2];
    double e2[(RS_SIM_CALIBRATE_MAX_TERMS + 2) * (RS_SIM_CALIBRATE_MAX_TERMS + 2)];
    double z[RS_SIM_MAX_SLATE];
    if (grad) {
        memset(grad, 0, d * sizeof *grad);
        memset(hess, 0, d * d * sizeof *hess);
    }
    for (size_t i = 0; i < n_imp; i++) {
        const double *x = X + i * k * nt;
        double mx = th[nt], zsum;
        for (size_t j = 0; j < k; j++) {
            double v = th[nt + 1] * (double)j;
            for (size_t t = 0; t < nt; t++)
                v += th[t] * x[j * nt + t];
            z[j] = v;
            if (v > mx)
                mx = v;
        }
        zsum = exp(th[nt] - mx);
        if (grad) {
            memset(e, 0, d * sizeof *e);
            memset(e2, 0, d * d * sizeof *e2);
            e[nt] = zsum;
            e2[nt * d + nt] = zsum;
        }
        for (size_t j = 0; j < k; j++) {
            double w = exp(z[j] - mx);
            zsum += w;
            if (!grad)
                continue;
            /* the slot's covariates: its terms, 0 for log m, j for log g */
            for (size_t a = 0; a < d; a++) {
                double xa = a < nt ? x[j * nt + a] : (a == nt ? 0.0 : (double)j);
                if (xa == 0)
                    continue;
                e[a] += w * xa;
                for (size_t b = 0; b <= a; b++) {
                    double xb = b < nt ? x[j * nt + b] : (b == nt ? 0.0 : (double)j);
                    e2[a * d + b] += w * xa * xb;
                }
            }
        }
        ll += (pos[i] >= 0 ? z[pos[i]] : th[nt]) - mx - log(zsum);
        if (!grad)
            continue;
        for (size_t a = 0; a < d; a++) {
            double xc = pos[i] < 0 ? (a == nt ? 1.0 : 0.0)
                                   : (a < nt ? x[(size_t)pos[i] * nt + a]
                                             : (a == nt ? 0.0 : (double)pos[i]));
            grad[a] += xc - e[a] / zsum;
            for (size_t b = 0; b <= a; b++)
                hess[a * d + b] += e2[a * d + b] / zsum - (e[a] / zsum) * (e[b] / zsum);
        }
    }
    for (size_t a = 0; grad && a < d; a++)
        for (size_t b = 0; b < a; b++)
            hess[b * d + a] = hess[a * d + b];
    return ll;
}

/* Solve H x = g (d x d; H and g are overwritten); returns 0, or -1 if
 * singular: a pivot at or below 1e-12 of the largest diagonal entry, since
 * rounding leaves a collinear direction at ~1e-16 of the information's
 * scale, not at 0. */
static int solve_d(double *H, double *g, double *x, size_t d)
{
    double scale = 0;
    for (size_t a = 0; a < d; a++)
        scale = fmax(scale, fabs(H[a * d + a]));
    return rs__dense_lu_solve(H, g, x, d, 1e-12 * scale) == 0 ? 0 : -1;
}

/* Newton's method with step halving from th (d = nt + 2 entries, in place). */
static int terms_newton(const double *X, const int32_t *pos, size_t n_imp, size_t k, size_t nt,
                        double *th, const char *fn)
{
    enum { D = RS_SIM_CALIBRATE_MAX_TERMS + 2 };
    size_t d = nt + 2;
    double grad[D], hess[D * D], step[D], nt_th[D];
    double ll = terms_loglik(X, pos, n_imp, k, nt, th, grad, hess);
    for (int it = 0; it < 100; it++) {
        double t = 1.0, nll = ll, delta = 0;
        if (solve_d(hess, grad, step, d) != 0)
            return rs__fail(RS_ERR_RANGE, "%s: the log does not identify the parameters "
                            "(singular information matrix)", fn);
        for (int h = 0; h < 60; h++, t *= 0.5) {
            for (size_t a = 0; a < d; a++)
                nt_th[a] = th[a] + t * step[a];
            nll = terms_loglik(X, pos, n_imp, k, nt, nt_th, NULL, NULL);
            if (nll >= ll - 1e-12 * fabs(ll))
                break;
        }
        for (size_t a = 0; a < d; a++) {
            delta += fabs(step[a]);
            th[a] = nt_th[a];
        }
        ll = terms_loglik(X, pos, n_imp, k, nt, th, grad, hess);
        if (!isfinite(ll))
            return rs__fail(RS_ERR_RANGE, "%s: the likelihood diverged", fn);
        if (t * delta < 1e-10)
            break;
    }
    return RS_OK;
}

static int check_terms(const double *X, const int32_t *pos, size_t n_imp, size_t k, size_t nt,
                       const char *fn)
{
    size_t cells;
    if (n_imp == 0 || k == 0 || k > RS_SIM_MAX_SLATE)
        return rs__fail(n_imp == 0 ? RS_ERR_INVALID : RS_ERR_RANGE,
                        "%s: %zu impressions of slate size %zu", fn, n_imp, k);
    if (nt == 0 || nt > RS_SIM_CALIBRATE_MAX_TERMS)
        return rs__fail(RS_ERR_RANGE, "%s: %zu utility terms, 1 .. %d", fn, nt,
                        RS_SIM_CALIBRATE_MAX_TERMS);
    if (rs__mul_size(k, nt, &cells) != RS_OK || rs__mul_size(cells, n_imp, &cells) != RS_OK)
        return rs__fail(RS_ERR_OVERFLOW, "%s: %zu x %zu x %zu terms overflow", fn, n_imp, k,
                        nt);
    for (size_t i = 0; i < n_imp; i++) {
        if (pos[i] < -1 || pos[i] >= (int64_t)k)
            return rs__fail(RS_ERR_RANGE, "%s: position %d of impression %zu outside -1 .. %zu",
                            fn, (int)pos[i], i, k - 1);
        for (size_t j = 0; j < k * nt; j++)
            if (!isfinite(X[i * k * nt + j]))
                return rs__fail(RS_ERR_RANGE, "%s: utility term %zu of slot %zu of impression "
                                "%zu is not finite", fn, j % nt, j / nt, i);
    }
    return RS_OK;
}

/* The fit of both calibrators: T = 1 / beta_1, w_t = beta_t / beta_1. */
static int calibrate_terms(const double *X, const int32_t *pos, size_t n_imp, size_t k,
                           size_t nt, double *w_out, double *T_out, double *m_out,
                           double *g_out, const char *fn)
{
    double th[RS_SIM_CALIBRATE_MAX_TERMS + 2] = {0};
    int rc = check_terms(X, pos, n_imp, k, nt, fn);
    if (rc != RS_OK)
        return rc;
    th[0] = 1; /* the reference term at T = 1; the others start at 0 */
    if ((rc = terms_newton(X, pos, n_imp, k, nt, th, fn)) != RS_OK)
        return rc;
    double T = 1.0 / th[0], m = exp(th[nt]), g = exp(th[nt + 1]);
    if (!(th[0] > 0) || !(T <= 1e6) || !(m > 0 && m <= 1e12) || !(g > 0 && g <= 1.0 + 1e-9))
        return rs__fail(RS_ERR_RANGE, "%s: estimates T %g, m %g, g %g outside the model's "
                        "ranges", fn, T, m, g);
    for (size_t t = 0; w_out && t < nt; t++)
        w_out[t] = th[t] / th[0];
    *T_out = T;
    *m_out = m;
    *g_out = g > 1 ? 1 : g;
    return RS_OK;
}

int rs_sim_calibrate(const double *U, const int32_t *pos, size_t n_imp, size_t k,
                     double *T_out, double *m_out, double *g_out)
{
    if (!U || !pos || !T_out || !m_out || !g_out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_calibrate: an argument is NULL");
    /* one utility term, its weight the reference */
    return calibrate_terms(U, pos, n_imp, k, 1, NULL, T_out, m_out, g_out, "rs_sim_calibrate");
}

int rs_sim_calibrate_terms(const double *terms, size_t n_terms, const int32_t *positions,
                           size_t n_impressions, size_t slate_size, double *weights_out,
                           double *temperature_out, double *noclick_out, double *decay_out)
{
    const char *fn = "rs_sim_calibrate_terms";
    if (!terms || !positions || !weights_out || !temperature_out || !noclick_out || !decay_out)
        return rs__fail(RS_ERR_INVALID, "%s: an argument is NULL", fn);
    return calibrate_terms(terms, positions, n_impressions, slate_size, n_terms, weights_out,
                           temperature_out, noclick_out, decay_out, fn);
}

/* ------------------------------------------------------------ cascade */

/* Log-likelihood of the cascade at th = (1/T, log m, logit g). */
static double cascade_loglik(const double *U, const int32_t *pos, size_t n_imp, size_t k,
                             const double th[3])
{
    double g = 1.0 / (1.0 + exp(-th[2])), ll = 0;
    for (size_t i = 0; i < n_imp; i++) {
        const double *u = U + i * k;
        double reach = 1.0, clicked = 0;
        int p = pos[i];
        for (size_t j = 0; j < k; j++) {
            double a = 1.0 / (1.0 + exp(-(th[0] * u[j] - th[1])));
            if ((int)j == p) {
                ll += log(reach * a);
                break;
            }
            clicked += reach * a;
            reach *= (1.0 - a) * g;
        }
        if (p < 0)
            ll += log(fmax(1.0 - clicked, 1e-300));
    }
    return ll;
}

/* Nelder-Mead maximisation of f over R^3 from x (in place). */
static double nelder_mead3(double (*f)(const void *, const double *), const void *ctx,
                           double x[3], double step)
{
    double p[4][3], v[4];
    for (int i = 0; i < 4; i++) {
        for (int d = 0; d < 3; d++)
            p[i][d] = x[d] + (i == d + 1 ? step : 0.0);
        v[i] = f(ctx, p[i]);
    }
    for (int it = 0; it < 2000; it++) {
        /* order: best first (largest) */
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++)
                if (v[b] > v[a]) {
                    double t = v[a];
                    v[a] = v[b];
                    v[b] = t;
                    for (int d = 0; d < 3; d++) {
                        t = p[a][d];
                        p[a][d] = p[b][d];
                        p[b][d] = t;
                    }
                }
        double spread = 0;
        for (int i = 1; i < 4; i++)
            for (int d = 0; d < 3; d++)
                spread = fmax(spread, fabs(p[i][d] - p[0][d]));
        if (spread < 1e-7 || fabs(v[0] - v[3]) < 1e-10 * (1 + fabs(v[0])))
            break;
        double c[3], r[3], e[3], q[3];
        for (int d = 0; d < 3; d++)
            c[d] = (p[0][d] + p[1][d] + p[2][d]) / 3.0;
        for (int d = 0; d < 3; d++)
            r[d] = c[d] + (c[d] - p[3][d]);
        double vr = f(ctx, r);
        if (vr > v[0]) {
            for (int d = 0; d < 3; d++)
                e[d] = c[d] + 2.0 * (c[d] - p[3][d]);
            double ve = f(ctx, e);
            if (ve > vr) {
                memcpy(p[3], e, sizeof e);
                v[3] = ve;
            } else {
                memcpy(p[3], r, sizeof r);
                v[3] = vr;
            }
        } else if (vr > v[2]) {
            memcpy(p[3], r, sizeof r);
            v[3] = vr;
        } else {
            for (int d = 0; d < 3; d++)
                q[d] = c[d] + 0.5 * (p[3][d] - c[d]);
            double vq = f(ctx, q);
            if (vq > v[3]) {
                memcpy(p[3], q, sizeof q);
                v[3] = vq;
            } else {
                for (int i = 1; i < 4; i++) {
                    for (int d = 0; d < 3; d++)
                        p[i][d] = p[0][d] + 0.5 * (p[i][d] - p[0][d]);
                    v[i] = f(ctx, p[i]);
                }
            }
        }
    }
    int best = 0;
    for (int i = 1; i < 4; i++)
        if (v[i] > v[best])
            best = i;
    memcpy(x, p[best], 3 * sizeof *x);
    return v[best];
}

typedef struct cascade_log {
    const double *U;
    const int32_t *pos;
    size_t n, k;
} cascade_log;

static double cascade_f(const void *ctx, const double *th)
{
    const cascade_log *L = ctx;
    if (!(th[0] > 0))
        return -HUGE_VAL;
    double ll = cascade_loglik(L->U, L->pos, L->n, L->k, th);
    return isfinite(ll) ? ll : -HUGE_VAL;
}

static int check_log(const double *U, const int32_t *pos, size_t n_imp, size_t k, const char *fn)
{
    if (n_imp == 0 || k == 0 || k > RS_SIM_MAX_SLATE)
        return rs__fail(n_imp == 0 ? RS_ERR_INVALID : RS_ERR_RANGE,
                        "%s: %zu impressions of slate size %zu", fn, n_imp, k);
    for (size_t i = 0; i < n_imp; i++) {
        if (pos[i] < -1 || pos[i] >= (int64_t)k)
            return rs__fail(RS_ERR_RANGE, "%s: position %d of impression %zu outside -1 .. %zu",
                            fn, (int)pos[i], i, k - 1);
        for (size_t j = 0; U && j < k; j++)
            if (!isfinite(U[i * k + j]))
                return rs__fail(RS_ERR_RANGE, "%s: utility %zu of impression %zu is not finite",
                                fn, j, i);
    }
    return RS_OK;
}

int rs_sim_calibrate_cascade(const double *U, const int32_t *pos, size_t n_imp, size_t k,
                             double *T_out, double *m_out, double *g_out)
{
    if (!U || !pos || !T_out || !m_out || !g_out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_calibrate_cascade: an argument is NULL");
    int rc = check_log(U, pos, n_imp, k, "rs_sim_calibrate_cascade");
    if (rc)
        return rc;
    cascade_log L = {U, pos, n_imp, k};
    double th[3] = {1, 0, 1};
    nelder_mead3(cascade_f, &L, th, 0.5);
    nelder_mead3(cascade_f, &L, th, 0.1); /* restart: Nelder-Mead can stall */
    double T = 1.0 / th[0], m = exp(th[1]), g = 1.0 / (1.0 + exp(-th[2]));
    if (!(th[0] > 1e-6) || !(T <= 1e6) || !(m > 0 && m <= 1e12) || !(g > 1e-9) ||
        th[2] > 30)
        return rs__fail(RS_ERR_RANGE, "rs_sim_calibrate_cascade: estimates T %g, m %g, g %g "
                        "outside the model's ranges (not identified by the log)", T, m, g);
    *T_out = T;
    *m_out = m;
    *g_out = g;
    return RS_OK;
}

/* ------------------------------------------------------------ drift */

/* Log-likelihood of a log replayed from the simulator's state with drift eta. */
static double replay(rs_sim *s, const float *interest0, const float *fatigue0,
                     const uint32_t *users, const uint32_t *slates, const int32_t *pos,
                     size_t n, size_t k, double eta)
{
    memcpy(s->interest, interest0, s->n_users * s->dim * sizeof(float));
    memcpy(s->fatigue, fatigue0, s->n_users * s->n_cat * sizeof(float));
    s->opt[RS_SIM_DRIFT] = eta;
    double ll = 0, util[RS_SIM_MAX_SLATE], aff[RS_SIM_MAX_SLATE],
           probs[RS_SIM_MAX_SLATE + 1];
    for (size_t i = 0; i < n; i++) {
        const uint32_t *slate = slates + i * k;
        rs__sim_utilities(s, users[i], slate, k, NAN, util, aff);
        rs__sim_choice_probs(s, util, k, probs);
        ll += log(fmax(probs[pos[i] < 0 ? k : (size_t)pos[i]], 1e-300));
        rs__sim_response r = {pos[i], pos[i] < 0 ? RS_SIM_SKIP : RS_SIM_CLICK, 0, 0};
        rs__sim_apply(s, users[i], slate, &r);
    }
    return ll;
}

int rs_sim_calibrate_drift(rs_sim *sim, const uint32_t *users, const uint32_t *slates,
                           const int32_t *positions, size_t n_events, size_t slate_size,
                           double *drift_out)
{
    if (!sim || !users || !slates || !positions || !drift_out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_calibrate_drift: an argument is NULL");
    int rc = check_log(NULL, positions, n_events, slate_size, "rs_sim_calibrate_drift");
    if (rc)
        return rc;
    for (size_t i = 0; i < n_events; i++) {
        if (users[i] >= sim->n_users)
            return rs__fail(RS_ERR_NOTFOUND, "rs_sim_calibrate_drift: users[%zu] = %u >= "
                            "n_users %zu", i, users[i], sim->n_users);
        for (size_t j = 0; j < slate_size; j++)
            if (slates[i * slate_size + j] >= sim->n_items)
                return rs__fail(RS_ERR_NOTFOUND, "rs_sim_calibrate_drift: event %zu slate[%zu] "
                                ">= n_items %zu", i, j, sim->n_items);
    }
    size_t ni = sim->n_users * sim->dim, nf = sim->n_users * sim->n_cat;
    float *interest0 = rs__alloc_array(ni, sizeof(float));
    float *fatigue0 = rs__alloc_array(nf, sizeof(float));
    if (!interest0 || !fatigue0) {
        free(interest0);
        free(fatigue0);
        return RS_ERR_NOMEM;
    }
    memcpy(interest0, sim->interest, ni * sizeof(float));
    memcpy(fatigue0, sim->fatigue, nf * sizeof(float));
    double eta0 = sim->opt[RS_SIM_DRIFT];
    /* golden-section search on [0, 1] (the likelihood is smooth in eta) */
    const double phi = 0.6180339887498949;
    double a = 0, b = 1, c = b - phi * (b - a), d = a + phi * (b - a);
    double fc = replay(sim, interest0, fatigue0, users, slates, positions, n_events,
                       slate_size, c);
    double fd = replay(sim, interest0, fatigue0, users, slates, positions, n_events,
                       slate_size, d);
    for (int it = 0; it < 40 && b - a > 1e-5; it++) {
        if (fc >= fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - phi * (b - a);
            fc = replay(sim, interest0, fatigue0, users, slates, positions, n_events,
                        slate_size, c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + phi * (b - a);
            fd = replay(sim, interest0, fatigue0, users, slates, positions, n_events,
                        slate_size, d);
        }
    }
    /* the simulator is left as it was */
    memcpy(sim->interest, interest0, ni * sizeof(float));
    memcpy(sim->fatigue, fatigue0, nf * sizeof(float));
    sim->opt[RS_SIM_DRIFT] = eta0;
    free(interest0);
    free(fatigue0);
    *drift_out = (a + b) / 2;
    return RS_OK;
}
