/*
 * calibrate.c - maximum-likelihood fit of the position-based logit:
 * P(j) = g^j e^{u_j/T} / (m + sum_k g^k e^{u_k/T}), P(none) = m / (...).
 * In theta = (1/T, log m, log g) the logits are linear, so the
 * log-likelihood is concave and Newton's method with step halving converges.
 */
#include "sim/sim_internal.h"

#include "core/error.h"

#include <math.h>

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
