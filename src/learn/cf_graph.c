/*
 * cf_graph.c - the two item x item operators read off the user-item graph:
 * RP3beta (a two-step random walk with a popularity penalty, sparse top-N
 * per source item) and GF-CF (linear plus ideal low-pass filter over the
 * degree-normalised item-item matrix, dense, eigenvectors by LAPACK).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/blas.h"
#include "core/error.h"
#include "learn/cf_internal.h"

/* LAPACK (shipped by OpenBLAS), Fortran calling convention. */
extern void ssyevr_(const char *jobz, const char *range, const char *uplo, const int *n,
                    float *a, const int *lda, const float *vl, const float *vu, const int *il,
                    const int *iu, const float *abstol, int *m, float *w, float *z,
                    const int *ldz, int *isuppz, float *work, const int *lwork, int *iwork,
                    const int *liwork, int *info);

/* Weighted degrees: user_deg[u] = sum_i x_ui, item_deg[i] = sum_u x_ui. */
static void degrees(const rs_cf_matrix *x, double *user_deg, double *item_deg)
{
    for (size_t u = 0; u < x->n_users; u++) {
        double s = 0.0;
        for (size_t p = x->user_start[u]; p < x->user_start[u + 1]; p++)
            s += x->user_weight[p];
        user_deg[u] = s;
    }
    for (size_t i = 0; i < x->n_items; i++) {
        double s = 0.0;
        for (size_t p = x->item_start[i]; p < x->item_start[i + 1]; p++)
            s += x->item_weight[p];
        item_deg[i] = s;
    }
}

int rs__cf_rp3_fit(struct rs_cf_model *m, const rs_cf_matrix *x)
{
    size_t n = x->n_items, k = rs__cf_neighbors_kept(m, n), kept_cap;
    int rc = rs__mul_size(n, k, &kept_cap);
    if (rc < 0)
        return rc;
    rc = RS_ERR_NOMEM;
    double *user_deg = rs__alloc_array(x->n_users, sizeof *user_deg);
    double *item_deg = rs__alloc_array(n, sizeof *item_deg);
    float *to_user = rs__alloc_array(x->nnz, sizeof *to_user); /* P_iu^alpha, by item */
    float *to_item = rs__alloc_array(x->nnz, sizeof *to_item); /* P_uj^alpha, by user */
    float *penalty = rs__alloc_array(n, sizeof *penalty);      /* d_j^-beta */
    uint32_t *top_index = rs__alloc_array(kept_cap, sizeof *top_index);
    float *top_score = rs__alloc_array(kept_cap, sizeof *top_score);
    size_t *top_count = rs__calloc(n, sizeof *top_count);
    size_t *start = rs__calloc(n + 1, sizeof *start);
    if (!user_deg || !item_deg || !to_user || !to_item || !penalty || !top_index ||
        !top_score || !top_count || !start)
        goto done;
    degrees(x, user_deg, item_deg);
    /* Every degree touched below is > 0: the entries are. */
    for (size_t i = 0; i < n; i++) {
        for (size_t p = x->item_start[i]; p < x->item_start[i + 1]; p++)
            to_user[p] = (float)pow(x->item_weight[p] / item_deg[i], m->alpha);
        penalty[i] = item_deg[i] > 0.0 ? (float)pow(item_deg[i], -m->beta) : 0.0f;
    }
    for (size_t u = 0; u < x->n_users; u++)
        for (size_t p = x->user_start[u]; p < x->user_start[u + 1]; p++)
            to_item[p] = (float)pow(x->user_weight[p] / user_deg[u], m->alpha);
    rs__cf_cooc job = {x, to_user, to_item, NULL, 0.0f, penalty, k, top_index, top_score,
                       top_count};
    if ((rc = rs__cf_cooc_topk(&job)) < 0)
        goto done;
    /* Rows are source items already: pack them into CSR. */
    for (size_t i = 0; i < n; i++)
        start[i + 1] = start[i] + top_count[i];
    size_t total = start[n];
    rc = RS_ERR_NOMEM;
    m->nb_target = rs__alloc_array(total ? total : 1, sizeof *m->nb_target);
    m->nb_sim = rs__alloc_array(total ? total : 1, sizeof *m->nb_sim);
    if (!m->nb_target || !m->nb_sim)
        goto done;
    for (size_t i = 0; i < n; i++) {
        memcpy(m->nb_target + start[i], top_index + i * k, top_count[i] * sizeof *m->nb_target);
        memcpy(m->nb_sim + start[i], top_score + i * k, top_count[i] * sizeof *m->nb_sim);
    }
    m->nb_start = start;
    start = NULL;
    m->nb_count = total;
    m->n_users = x->n_users;
    m->n_items = n;
    rc = RS_OK;
done:
    free(user_deg);
    free(item_deg);
    free(to_user);
    free(to_item);
    free(penalty);
    free(top_index);
    free(top_score);
    free(top_count);
    free(start);
    return rc;
}

/*
 * The k leading eigenvectors of the symmetric n x n matrix a (destroyed),
 * into z (k x n row-major: eigenvector t at z + t n).
 */
static int leading_eigenvectors(float *a, size_t n, size_t k, float *z)
{
    int ni = (int)n, il = (int)(n - k + 1), iu = (int)n, found = 0, info = 0;
    int lwork = -1, liwork = -1, iwork_query = 0;
    float vl = 0.0f, vu = 0.0f, abstol = 0.0f, work_query = 0.0f;
    float *w = rs__alloc_array(n, sizeof *w);
    int *isuppz = rs__alloc_array(2 * k, sizeof *isuppz);
    float *work = NULL;
    int *iwork = NULL;
    int rc = RS_ERR_NOMEM;
    if (!w || !isuppz)
        goto done;
    if ((rc = rs__blas_ready()) < 0)
        goto done;
    rc = RS_ERR_NOMEM;
    ssyevr_("V", "I", "L", &ni, a, &ni, &vl, &vu, &il, &iu, &abstol, &found, w, z, &ni, isuppz,
            &work_query, &lwork, &iwork_query, &liwork, &info);
    lwork = (int)work_query + 1;
    liwork = iwork_query;
    work = rs__alloc_array((size_t)lwork, sizeof *work);
    iwork = rs__alloc_array((size_t)(liwork > 0 ? liwork : 1), sizeof *iwork);
    if (info != 0 || !work || !iwork) {
        rc = info != 0 ? rs__fail(RS_ERR_INTERNAL, "ssyevr workspace query failed (info %d)", info)
                       : RS_ERR_NOMEM;
        goto done;
    }
    ssyevr_("V", "I", "L", &ni, a, &ni, &vl, &vu, &il, &iu, &abstol, &found, w, z, &ni, isuppz,
            work, &lwork, iwork, &liwork, &info);
    rc = info != 0 || found != (int)k
             ? rs__fail(RS_ERR_INTERNAL, "ssyevr found %d of %zu eigenvectors (info %d)", found,
                        k, info)
             : RS_OK;
done:
    free(w);
    free(isuppz);
    free(work);
    free(iwork);
    return rc;
}

int rs__cf_gfcf_fit(struct rs_cf_model *m, const rs_cf_matrix *x)
{
    size_t n = x->n_items, k = (size_t)m->iopt[RS_CF_EIGENVECTORS];
    if (rs__cf_dense_limit(m, n, "GF-CF") < 0)
        return RS_ERR_LIMIT;
    if (k > n)
        return rs__fail(RS_ERR_RANGE, "GF-CF: RS_CF_EIGENVECTORS = %zu exceeds the %zu items", k,
                        n);
    if (m->ideal_weight == 0.0)
        k = 0; /* the ideal term is off: no eigenvectors needed */
    int rc = RS_ERR_NOMEM;
    double *user_deg = rs__alloc_array(x->n_users, sizeof *user_deg);
    double *item_deg = rs__alloc_array(n, sizeof *item_deg);
    float *user_scale = rs__alloc_array(x->n_users, sizeof *user_scale); /* d_u^-1/2 */
    float *item_scale = rs__alloc_array(n, sizeof *item_scale);          /* d_i^-1/2 */
    float *g = NULL, *a = NULL, *z = NULL;
    if (!user_deg || !item_deg || !user_scale || !item_scale)
        goto fail;
    degrees(x, user_deg, item_deg);
    for (size_t u = 0; u < x->n_users; u++)
        user_scale[u] = user_deg[u] > 0.0 ? (float)(1.0 / sqrt(user_deg[u])) : 0.0f;
    for (size_t i = 0; i < n; i++)
        item_scale[i] = item_deg[i] > 0.0 ? (float)(1.0 / sqrt(item_deg[i])) : 0.0f;
    /* the linear filter R^T R, R = D_u^-1/2 X D_i^-1/2, made symmetric */
    if ((rc = rs__cf_gram(m, x, user_scale, item_scale, &g)) < 0) {
        rs__fail_context("GF-CF: ");
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            g[i * n + j] = g[j * n + i];
    if (k > 0) {
        /* the ideal filter D_i^-1/2 V V^T D_i^1/2 over the k leading
         * eigenvectors V of R^T R */
        rc = RS_ERR_NOMEM;
        a = rs__alloc_array(n * n, sizeof *a);
        z = rs__alloc_array(k * n, sizeof *z);
        if (!a || !z)
            goto fail;
        memcpy(a, g, n * n * sizeof *a);
        if ((rc = leading_eigenvectors(a, n, k, z)) < 0) {
            rs__fail_context("GF-CF: ");
            goto fail;
        }
        if ((rc = rs__sgemm(true, false, n, n, k, 1.0f, z, n, z, n, 0.0f, a, n)) < 0)
            goto fail;
        float weight = (float)m->ideal_weight;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (item_scale[j] > 0.0f)
                    g[i * n + j] += weight * item_scale[i] * a[i * n + j] / item_scale[j];
    }
    m->ease = g;
    g = NULL;
    m->n_users = x->n_users;
    m->n_items = n;
    rc = RS_OK;
fail:
    free(user_deg);
    free(item_deg);
    free(user_scale);
    free(item_scale);
    free(g);
    free(a);
    free(z);
    return rc;
}
