/*
 * cf_pairs.c - EASE with pairwise (higher-order) interactions, after Steck
 * and Liang 2021: score = x B + z C, z the user's indicator over selected
 * item pairs (both items in the history).  Fitted by alternating exact
 * block minimisation of ||X - X B - Z C||^2 + lambda (||B||^2 + ||C||^2)
 * under diag(B) = 0 and C[p][a] = C[p][b] = 0 for pair p = (a, b): each
 * block is a constrained ridge regression with a closed form, so the loss
 * never rises.  B starts as EASE (C = 0).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/blas.h"
#include "core/dense.h"
#include "core/error.h"
#include "learn/cf_internal.h"

extern void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
extern void spotri_(const char *uplo, const int *n, float *a, const int *lda, int *info);

/* The inverse of the symmetric positive definite a (n x n, upper triangle
 * row-major read), written in full. */
static int spd_inverse(float *a, size_t n)
{
    int ni = (int)n, info = 0;
    if (!rs__blas_fits(n, n, 1))
        return rs__fail(RS_ERR_OVERFLOW, "EASE pairs: %zu exceeds BLAS's int", n);
    if (rs__blas_ready() < 0)
        return RS_ERR_NOMEM;
    spotrf_("L", &ni, a, &ni, &info);
    if (info == 0)
        spotri_("L", &ni, a, &ni, &info);
    if (info != 0)
        return rs__fail(RS_ERR_INTERNAL, "EASE pairs: Cholesky failed (info %d)", info);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            a[i * n + j] = a[j * n + i];
    return RS_OK;
}

typedef struct pair_count {
    uint32_t a, b, count;
} pair_count;

static int by_count(const void *x, const void *y)
{
    const pair_count *p = x, *q = y;
    if (p->count != q->count)
        return p->count < q->count ? 1 : -1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static int by_items(const void *x, const void *y)
{
    const pair_count *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

/* The wanted pairs (a < b) seen together by the most users, at least 2. */
static int select_pairs(struct rs_cf_model *m, const rs_cf_matrix *x, size_t wanted)
{
    size_t n = x->n_items, have = 0, cap = 0;
    pair_count *all = NULL;
    uint32_t *seen = rs__calloc(n ? n : 1, sizeof *seen);
    int rc = RS_ERR_NOMEM;
    if (!seen)
        return rc;
    for (size_t a = 0; a < n && wanted > 0; a++) {
        for (size_t p = x->item_start[a]; p < x->item_start[a + 1]; p++) {
            uint32_t u = x->item_user[p];
            for (size_t q = x->user_start[u]; q < x->user_start[u + 1]; q++)
                if (x->user_item[q] > a)
                    seen[x->user_item[q]]++;
        }
        for (size_t b = a + 1; b < n; b++) {
            if (seen[b] >= 2) {
                if (have == cap) {
                    size_t grow = cap ? cap * 2 : 1024;
                    pair_count *more = rs__realloc_array(all, grow, sizeof *all);
                    if (!more)
                        goto done;
                    all = more;
                    cap = grow;
                }
                all[have++] = (pair_count){(uint32_t)a, (uint32_t)b, seen[b]};
            }
            seen[b] = 0;
        }
    }
    if (have > 0) { /* qsort wants a non-NULL base */
        qsort(all, have, sizeof *all, by_count);
        if (have > wanted)
            have = wanted;
        qsort(all, have, sizeof *all, by_items);
    }
    m->pair_a = rs__alloc_array(have ? have : 1, sizeof *m->pair_a);
    m->pair_b = rs__alloc_array(have ? have : 1, sizeof *m->pair_b);
    if (!m->pair_a || !m->pair_b)
        goto done;
    for (size_t p = 0; p < have; p++) {
        m->pair_a[p] = all[p].a;
        m->pair_b[p] = all[p].b;
    }
    m->n_pairs = have;
    rc = RS_OK;
done:
    free(all);
    free(seen);
    return rc;
}

int rs__cf_pairs_index(struct rs_cf_model *m)
{
    size_t n = m->n_items;
    free(m->pair_start);
    if (!(m->pair_start = rs__calloc(n + 1, sizeof *m->pair_start)))
        return RS_ERR_NOMEM;
    for (size_t p = 0; p < m->n_pairs; p++)
        m->pair_start[m->pair_a[p] + 1]++;
    for (size_t i = 0; i < n; i++)
        m->pair_start[i + 1] += m->pair_start[i];
    return RS_OK;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Z^T Z + lambda I (np x np) and Z^T X (np x n), from each user's pairs. */
static int pair_grams(const struct rs_cf_model *m, const rs_cf_matrix *x, float *ztz, float *ztx)
{
    size_t np = m->n_pairs, n = x->n_items;
    size_t *mine = rs__alloc_array(np ? np : 1, sizeof *mine);
    if (!mine)
        return RS_ERR_NOMEM;
    memset(ztz, 0, np * np * sizeof *ztz);
    memset(ztx, 0, np * n * sizeof *ztx);
    for (size_t u = 0; u < x->n_users; u++) {
        const uint32_t *items = x->user_item + x->user_start[u];
        size_t len = x->user_start[u + 1] - x->user_start[u], k = 0;
        for (size_t e = 0; e < len; e++) /* user_item ascends within a row */
            for (size_t p = m->pair_start[items[e]]; p < m->pair_start[items[e] + 1]; p++)
                if (bsearch(&m->pair_b[p], items, len, sizeof *items, cmp_u32))
                    mine[k++] = p;
        for (size_t s = 0; s < k; s++) {
            float *row = ztx + mine[s] * n;
            for (size_t e = 0; e < len; e++)
                row[items[e]] += x->user_weight[x->user_start[u] + e];
            for (size_t t = 0; t < k; t++)
                ztz[mine[s] * np + mine[t]] += 1.0f;
        }
    }
    for (size_t p = 0; p < np; p++)
        ztz[p * np + p] += (float)m->lambda;
    free(mine);
    return RS_OK;
}

/*
 * C from its unconstrained solution ct = Q Z^T R (Q = (Z^T Z + lambda I)^-1):
 * column j must vanish on the pairs S_j holding item j; the equality-
 * constrained minimiser is ct_j - Q[:, S] (Q[S, S])^-1 ct[S, j].
 */
static int constrain_c(const struct rs_cf_model *m, const float *q, float *c)
{
    size_t np = m->n_pairs, n = m->n_items, most = 0;
    size_t *start = rs__calloc(n + 1, sizeof *start), *list = NULL, *fill = NULL;
    double *a = NULL, *rhs = NULL;
    int rc = RS_ERR_NOMEM;
    if (!start)
        return rc;
    for (size_t p = 0; p < np; p++) {
        start[m->pair_a[p] + 1]++;
        start[m->pair_b[p] + 1]++;
    }
    for (size_t i = 0; i < n; i++) {
        most = start[i + 1] > most ? start[i + 1] : most;
        start[i + 1] += start[i];
    }
    list = rs__alloc_array(2 * np + 1, sizeof *list);
    fill = rs__alloc_array(n + 1, sizeof *fill);
    a = rs__alloc_array(most * most + 1, sizeof *a);
    rhs = rs__alloc_array(most + 1, sizeof *rhs);
    if (!list || !fill || !a || !rhs)
        goto done;
    memcpy(fill, start, n * sizeof *fill);
    for (size_t p = 0; p < np; p++) {
        list[fill[m->pair_a[p]]++] = p;
        list[fill[m->pair_b[p]]++] = p;
    }
    for (size_t j = 0; j < n; j++) {
        const size_t *set = list + start[j];
        size_t s = start[j + 1] - start[j];
        if (s == 0)
            continue;
        for (size_t r = 0; r < s; r++) {
            rhs[r] = c[set[r] * n + j];
            for (size_t t = 0; t < s; t++)
                a[r * s + t] = q[set[r] * np + set[t]];
        }
        if (!rs__dense_cholesky_solve(a, rhs, s)) {
            rc = rs__fail(RS_ERR_INTERNAL, "EASE pairs: constraint system of item %zu is "
                          "singular", j);
            goto done;
        }
        for (size_t p = 0; p < np; p++) {
            double v = c[p * n + j];
            for (size_t r = 0; r < s; r++)
                v -= (double)q[p * np + set[r]] * rhs[r];
            c[p * n + j] = (float)v;
        }
        for (size_t r = 0; r < s; r++)
            c[set[r] * n + j] = 0.0f;
    }
    rc = RS_OK;
done:
    free(start);
    free(list);
    free(fill);
    free(a);
    free(rhs);
    return rc;
}

/* B = P (X^T Y) with diag 0: Bt - P diag(Bt_jj / P_jj); xty is overwritten. */
static int b_step(size_t n, const float *p, const float *xty, float *b)
{
    int rc = rs__sgemm(false, false, n, n, n, 1.0f, p, n, xty, n, 0.0f, b, n);
    if (rc < 0)
        return rc;
    for (size_t j = 0; j < n; j++) {
        float gamma = b[j * n + j] / p[j * n + j];
        for (size_t i = 0; i < n; i++)
            b[i * n + j] -= p[i * n + j] * gamma;
        b[j * n + j] = 0.0f;
    }
    return RS_OK;
}

int rs__cf_pairs_fit(struct rs_cf_model *m, const rs_cf_matrix *x)
{
    size_t n = x->n_items, nn, np, pn, pp;
    long long iterations = m->iopt[RS_CF_ITERATIONS];
    float *g = NULL, *p = NULL, *tmp = NULL, *b = NULL, *ztz = NULL, *ztx = NULL, *c = NULL;
    int rc;
    if (rs__cf_dense_limit(m, n, "EASE pairs") < 0)
        return RS_ERR_LIMIT;
    if (!(m->lambda > 0.0))
        return rs__fail(RS_ERR_RANGE, "EASE pairs: lambda must be > 0 (is %g)", m->lambda);
    m->n_items = n;
    m->n_users = x->n_users;
    if ((rc = select_pairs(m, x, (size_t)m->iopt[RS_CF_PAIRS])) < 0 ||
        (rc = rs__cf_pairs_index(m)) < 0)
        return rc;
    np = m->n_pairs;
    if ((rc = rs__mul_size(n, n, &nn)) < 0 || (rc = rs__mul_size(np, n, &pn)) < 0 ||
        (rc = rs__mul_size(np, np, &pp)) < 0)
        return rc;
    if (!rs__blas_fits(n, n, np))
        return rs__fail(RS_ERR_OVERFLOW, "EASE pairs: %zu items, %zu pairs exceed BLAS's int",
                        n, np);
    if ((rc = rs__cf_gram(m, x, NULL, NULL, &g)) < 0)
        return rs__fail_context("EASE pairs: ");
    rc = RS_ERR_NOMEM;
    p = rs__alloc_array(nn, sizeof *p);
    tmp = rs__alloc_array(nn > pn ? nn : pn, sizeof *tmp); /* X^T Y, then Z^T R */
    b = rs__alloc_array(nn, sizeof *b);
    ztz = rs__alloc_array(pp ? pp : 1, sizeof *ztz);
    ztx = rs__alloc_array(pn ? pn : 1, sizeof *ztx);
    c = rs__calloc(pn ? pn : 1, sizeof *c);
    if (!p || !tmp || !b || !ztz || !ztx || !c)
        goto done;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            g[i * n + j] = g[j * n + i];
    memcpy(p, g, nn * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i * n + i] += (float)m->lambda;
    if ((rc = spd_inverse(p, n)) < 0 || (rc = b_step(n, p, g, b)) < 0)
        goto done;
    if (np > 0 && iterations > 0) {
        if ((rc = pair_grams(m, x, ztz, ztx)) < 0 || (rc = spd_inverse(ztz, np)) < 0)
            goto done;
        for (long long it = 0; it < iterations; it++) {
            /* C given B: Q Z^T (X - X B), constrained */
            memcpy(tmp, ztx, pn * sizeof *tmp);
            if ((rc = rs__sgemm(false, false, np, n, n, -1.0f, ztx, n, b, n, 1.0f, tmp, n)) < 0 ||
                (rc = rs__sgemm(false, false, np, n, np, 1.0f, ztz, np, tmp, n, 0.0f, c, n)) < 0 ||
                (rc = constrain_c(m, ztz, c)) < 0)
                goto done;
            /* B given C: target X - Z C, X^T (X - Z C) = G - (Z^T X)^T C */
            memcpy(tmp, g, nn * sizeof *tmp);
            if ((rc = rs__sgemm(true, false, n, n, np, -1.0f, ztx, n, c, n, 1.0f, tmp, n)) < 0 ||
                (rc = b_step(n, p, tmp, b)) < 0)
                goto done;
        }
    }
    m->ease = b;
    m->pair_w = c;
    b = c = NULL;
    rc = RS_OK;
done:
    free(g);
    free(p);
    free(tmp);
    free(b);
    free(ztz);
    free(ztx);
    free(c);
    return rc;
}

int rs__cf_pairs_score(const struct rs_cf_model *m, const uint32_t *items, size_t n, float *out)
{
    if (n == 0) /* no history, no pair */
        return RS_OK;
    uint32_t *sorted = rs__alloc_array(n, sizeof *sorted);
    if (!sorted)
        return RS_ERR_NOMEM;
    memcpy(sorted, items, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u32);
    size_t len = 0;
    for (size_t e = 0; e < n; e++)
        if (len == 0 || sorted[len - 1] != sorted[e])
            sorted[len++] = sorted[e];
    for (size_t e = 0; e < len; e++)
        for (size_t p = m->pair_start[sorted[e]]; p < m->pair_start[sorted[e] + 1]; p++)
            if (bsearch(&m->pair_b[p], sorted, len, sizeof *sorted, cmp_u32)) {
                const float *row = m->pair_w + p * m->n_items;
                for (size_t j = 0; j < m->n_items; j++)
                    out[j] += row[j];
            }
    free(sorted);
    return RS_OK;
}
