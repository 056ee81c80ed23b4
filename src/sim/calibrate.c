/*
 * calibrate.c - maximum-likelihood fit of the position-based logit:
 * P(j) = g^j e^{u_j/T} / (m + sum_k g^k e^{u_k/T}), P(none) = m / (...).
 * In theta = (1/T, log m, log g) the logits are linear, so the
 * log-likelihood is concave and Newton's method with step halving converges.
 */
#include "sim/sim_internal.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Log-likelihood, gradient and Hessian (negated: positive semi-definite). */
static double loglik(const double *U, const int32_t *pos, size_t n_imp, size_t k,
                     const double th[3], double grad[3], double hess[3][3])
{
    double ll = 0;
    if (grad)
        for (int a = 0; a < 3; a++) {
            grad[a] = 0;
            for (int b = 0; b < 3; b++)
                hess[a][b] = 0;
        }
    for (size_t i = 0; i < n_imp; i++) {
        const double *u = U + i * k;
        double mx = th[1];
        for (size_t j = 0; j < k; j++) {
            double z = th[0] * u[j] + th[2] * (double)j;
            if (z > mx)
                mx = z;
        }
        double zsum = exp(th[1] - mx), e[3] = {0, zsum, 0}, e2[3][3] = {{0}};
        e2[1][1] = zsum;
        for (size_t j = 0; j < k; j++) {
            double w = exp(th[0] * u[j] + th[2] * (double)j - mx);
            double x[3] = {u[j], 0, (double)j};
            zsum += w;
            for (int a = 0; a < 3; a++) {
                e[a] += w * x[a];
                for (int b = 0; b < 3; b++)
                    e2[a][b] += w * x[a] * x[b];
            }
        }
        double xc[3] = {0, 1, 0}, zc = th[1];
        if (pos[i] >= 0) {
            xc[0] = u[pos[i]];
            xc[1] = 0;
            xc[2] = (double)pos[i];
            zc = th[0] * xc[0] + th[2] * xc[2];
        }
        ll += zc - mx - log(zsum);
        if (grad)
            for (int a = 0; a < 3; a++) {
                grad[a] += xc[a] - e[a] / zsum;
                for (int b = 0; b < 3; b++)
                    hess[a][b] += e2[a][b] / zsum - (e[a] / zsum) * (e[b] / zsum);
            }
    }
    return ll;
}

/* Solve H d = g (3x3, partial pivoting); returns 0, or -1 if singular. */
static int solve3(double H[3][3], double g[3], double d[3])
{
    double A[3][4];
    for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++)
            A[r][c] = H[r][c];
        A[r][3] = g[r];
    }
    for (int c = 0; c < 3; c++) {
        int p = c;
        for (int r = c + 1; r < 3; r++)
            if (fabs(A[r][c]) > fabs(A[p][c]))
                p = r;
        if (fabs(A[p][c]) < 1e-300)
            return -1;
        for (int l = 0; l < 4; l++) {
            double t = A[c][l];
            A[c][l] = A[p][l];
            A[p][l] = t;
        }
        for (int r = 0; r < 3; r++)
            if (r != c) {
                double f = A[r][c] / A[c][c];
                for (int l = c; l < 4; l++)
                    A[r][l] -= f * A[c][l];
            }
    }
    for (int r = 0; r < 3; r++)
        d[r] = A[r][3] / A[r][r];
    return 0;
}

int rs_sim_calibrate(const double *U, const int32_t *pos, size_t n_imp, size_t k,
                     double *T_out, double *m_out, double *g_out)
{
    if (!U || !pos || !T_out || !m_out || !g_out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_calibrate: an argument is NULL");
    if (n_imp == 0 || k == 0 || k > RS_SIM_MAX_SLATE)
        return rs__fail(n_imp == 0 ? RS_ERR_INVALID : RS_ERR_RANGE,
                        "rs_sim_calibrate: %zu impressions of slate size %zu", n_imp, k);
    for (size_t i = 0; i < n_imp; i++) {
        if (pos[i] < -1 || pos[i] >= (int64_t)k)
            return rs__fail(RS_ERR_RANGE, "rs_sim_calibrate: position %d of impression %zu "
                            "outside -1 .. %zu", (int)pos[i], i, k - 1);
        for (size_t j = 0; j < k; j++)
            if (!isfinite(U[i * k + j]))
                return rs__fail(RS_ERR_RANGE, "rs_sim_calibrate: utility %zu of impression "
                                "%zu is not finite", j, i);
    }
    double th[3] = {1, 0, 0}, grad[3], hess[3][3], d[3];
    double ll = loglik(U, pos, n_imp, k, th, grad, hess);
    for (int it = 0; it < 100; it++) {
        if (solve3(hess, grad, d) != 0)
            return rs__fail(RS_ERR_RANGE, "rs_sim_calibrate: the log does not identify the "
                            "parameters (singular information matrix)");
        double step = 1.0, nt[3], nll = ll;
        for (int h = 0; h < 60; h++, step *= 0.5) {
            for (int a = 0; a < 3; a++)
                nt[a] = th[a] + step * d[a];
            nll = loglik(U, pos, n_imp, k, nt, NULL, NULL);
            if (nll >= ll - 1e-12 * fabs(ll))
                break;
        }
        double delta = fabs(d[0]) + fabs(d[1]) + fabs(d[2]);
        for (int a = 0; a < 3; a++)
            th[a] = nt[a];
        ll = loglik(U, pos, n_imp, k, th, grad, hess);
        if (step * delta < 1e-10)
            break;
        if (!isfinite(ll))
            return rs__fail(RS_ERR_RANGE, "rs_sim_calibrate: the likelihood diverged");
    }
    double T = 1.0 / th[0], m = exp(th[1]), g = exp(th[2]);
    if (!(th[0] > 0) || !(T <= 1e6) || !(m > 0 && m <= 1e12) || !(g > 0 && g <= 1.0 + 1e-9))
        return rs__fail(RS_ERR_RANGE, "rs_sim_calibrate: estimates T %g, m %g, g %g outside "
                        "the model's ranges", T, m, g);
    *T_out = T;
    *m_out = m;
    *g_out = g > 1 ? 1 : g;
    return RS_OK;
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
