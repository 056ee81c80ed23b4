/*
 * cf_neighbors.c - the two item x item models: item-kNN cosine (similarities
 * by sgemm over dense tiles of the interaction matrix, or by sparse
 * co-occurrence counting for large catalogues; top-N per item) and
 * EASE^R and EDLAE (Gram matrix by syrk, inverse by LAPACK's Cholesky);
 * the sparse co-occurrence top-k that RP3beta shares.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/topk.h"
#include "learn/cf_internal.h"

/* LAPACK (shipped by OpenBLAS), Fortran calling convention. */
extern void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
extern void spotri_(const char *uplo, const int *n, float *a, const int *lda, int *info);


void rs__cf_densify(const rs_cf_matrix *x, size_t first, size_t rows, const float *row_scale,
                    const float *col_scale, float *d)
{
    memset(d, 0, rows * x->n_items * sizeof *d);
    for (size_t r = 0; r < rows; r++) {
        size_t u = first + r;
        float su = row_scale ? row_scale[u] : 1.0f;
        for (size_t p = x->user_start[u]; p < x->user_start[u + 1]; p++) {
            uint32_t i = x->user_item[p];
            d[r * x->n_items + i] = x->user_weight[p] * su * (col_scale ? col_scale[i] : 1.0f);
        }
    }
}

/*
 * The sparse co-occurrence path (item-kNN on large catalogues, RP3beta):
 * each row item's co-occurrences are accumulated from its users' rows, in
 * parallel over rows, each worker with its own accumulator and a mark per
 * column (so that a sum that stays 0 is never listed twice).
 */
typedef struct cooc_work {
    const rs__cf_cooc *job;
    float *acc;       /* n_items per worker, kept zero between rows */
    unsigned char *mark; /* n_items per worker, kept zero between rows */
    uint32_t *touched; /* n_items per worker */
} cooc_work;

#define ROWS_PER_TASK 64

static int cooc_task(void *ctx, size_t task, unsigned worker)
{
    const cooc_work *work = ctx;
    const rs__cf_cooc *job = work->job;
    const rs_cf_matrix *x = job->x;
    size_t n = x->n_items;
    float *acc = work->acc + (size_t)worker * n;
    unsigned char *mark = work->mark + (size_t)worker * n;
    uint32_t *touched = work->touched + (size_t)worker * n;
    size_t last = (task + 1) * ROWS_PER_TASK < n ? (task + 1) * ROWS_PER_TASK : n;
    for (size_t r = task * ROWS_PER_TASK; r < last; r++) {
        size_t n_touched = 0;
        for (size_t p = x->item_start[r]; p < x->item_start[r + 1]; p++) {
            uint32_t u = x->item_user[p];
            float wr = job->left[p];
            for (size_t q = x->user_start[u]; q < x->user_start[u + 1]; q++) {
                uint32_t c = x->user_item[q];
                if (!mark[c]) {
                    mark[c] = 1;
                    touched[n_touched++] = c;
                }
                acc[c] += wr * job->right[q];
            }
        }
        rs_topk top;
        rs__topk_init(&top, job->k, job->top_index + r * job->k, job->top_score + r * job->k);
        for (size_t t = 0; t < n_touched; t++) {
            uint32_t c = touched[t];
            float s;
            if (job->norm) {
                float den = job->norm[r] * job->norm[c] + job->shrink;
                s = den > 0.0f ? acc[c] / den : 0.0f;
            } else {
                s = acc[c] * job->col_scale[c];
            }
            acc[c] = 0.0f;
            mark[c] = 0;
            if (c != r && s != 0.0f)
                rs__topk_push(&top, c, s);
        }
        job->top_count[r] = rs__topk_finish(&top);
    }
    return 0;
}

int rs__cf_cooc_topk(const rs__cf_cooc *job)
{
    size_t n = job->x->n_items;
    size_t tasks = (n + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
    unsigned workers = rs__parallel_workers(tasks, 0);
    cooc_work work = {job, NULL, NULL, NULL};
    work.acc = rs__calloc((size_t)workers * n, sizeof *work.acc);
    work.mark = rs__calloc((size_t)workers * n, sizeof *work.mark);
    work.touched = rs__alloc_array((size_t)workers * n, sizeof *work.touched);
    int rc = work.acc && work.mark && work.touched ? rs__parallel_for(tasks, 0, cooc_task, &work)
                                                   : RS_ERR_NOMEM;
    free(work.acc);
    free(work.mark);
    free(work.touched);
    return rc;
}

int rs__cf_knn_fit(struct rs_cf_model *m, const rs_cf_matrix *x)
{
    size_t n = x->n_items;
    size_t k = rs__cf_neighbors_kept(m, n);
    size_t chunk = m->chunk_floats / n ? m->chunk_floats / n : 1;
    if (chunk > x->n_users)
        chunk = x->n_users;
    size_t tile = m->tile_floats / n ? m->tile_floats / n : 1;
    if (tile > n)
        tile = n;
    if (!rs__blas_fits(n, chunk, tile))
        return rs__fail(RS_ERR_OVERFLOW, "item-kNN: %zu items exceed BLAS's int", n);
    int rc = RS_ERR_NOMEM;
    size_t kept_cap;
    if ((rc = rs__mul_size(n, k, &kept_cap)) < 0)
        return rc;
    rc = RS_ERR_NOMEM;
    float *norm = rs__alloc_array(n, sizeof *norm);
    bool use_dense = n <= m->dense_items;
    float *dense = use_dense ? rs__alloc_array(chunk * n, sizeof *dense) : rs__malloc(1);
    float *sim = use_dense ? rs__alloc_array(tile * n, sizeof *sim) : rs__malloc(1);
    uint32_t *top_index = rs__alloc_array(kept_cap, sizeof *top_index);
    float *top_score = rs__alloc_array(kept_cap, sizeof *top_score);
    size_t *top_count = rs__calloc(n, sizeof *top_count);
    m->nb_start = rs__calloc(n + 1, sizeof *m->nb_start);
    if (!norm || !dense || !sim || !top_index || !top_score || !top_count || !m->nb_start)
        goto done;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t p = x->item_start[i]; p < x->item_start[i + 1]; p++)
            s += (double)x->item_weight[p] * x->item_weight[p];
        norm[i] = (float)sqrt(s);
    }
    float shrink = (float)m->shrink;
    if (n > m->dense_items) {
        rs__cf_cooc job = {x, x->item_weight, x->user_weight, norm, shrink, NULL,
                           k, top_index, top_score, top_count};
        if ((rc = rs__cf_cooc_topk(&job)) < 0)
            goto done;
    }
    for (size_t t0 = 0; n <= m->dense_items && t0 < n; t0 += tile) {
        size_t rows = t0 + tile <= n ? tile : n - t0;
        /* sim[rows x n] = X[:, t0 ..]^T X, accumulated over user chunks */
        for (size_t u0 = 0; u0 < x->n_users; u0 += chunk) {
            size_t cu = u0 + chunk <= x->n_users ? chunk : x->n_users - u0;
            rs__cf_densify(x, u0, cu, NULL, NULL, dense);
            if ((rc = rs__sgemm(true, false, rows, n, cu, 1.0f, dense + t0, n, dense, n,
                                u0 == 0 ? 0.0f : 1.0f, sim, n)) < 0)
                goto done;
        }
        for (size_t r = 0; r < rows; r++) {
            size_t j = t0 + r;
            rs_topk top;
            rs__topk_init(&top, k, top_index + j * k, top_score + j * k);
            const float *row = sim + r * n;
            for (size_t i = 0; i < n; i++) {
                if (i == j || row[i] == 0.0f)
                    continue;
                float den = norm[i] * norm[j] + shrink;
                float s = den > 0.0f ? row[i] / den : 0.0f;
                if (s != 0.0f)
                    rs__topk_push(&top, (uint32_t)i, s);
            }
            top_count[j] = rs__topk_finish(&top);
        }
    }
    /* Transpose: by source item i, the targets j that keep i. */
    size_t total = 0;
    for (size_t j = 0; j < n; j++) {
        total += top_count[j];
        for (size_t q = 0; q < top_count[j]; q++)
            m->nb_start[top_index[j * k + q] + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        m->nb_start[i + 1] += m->nb_start[i];
    m->nb_target = rs__alloc_array(total ? total : 1, sizeof *m->nb_target);
    m->nb_sim = rs__alloc_array(total ? total : 1, sizeof *m->nb_sim);
    if (!m->nb_target || !m->nb_sim)
        goto done;
    m->nb_count = total;
    size_t *fill = top_count; /* reused: per-source fill position */
    size_t *pos = rs__alloc_array(n + 1, sizeof *pos);
    if (!pos)
        goto done;
    memcpy(pos, m->nb_start, (n + 1) * sizeof *pos);
    for (size_t j = 0; j < n; j++)
        for (size_t q = 0; q < fill[j]; q++) {
            size_t at = pos[top_index[j * k + q]]++;
            m->nb_target[at] = (uint32_t)j;
            m->nb_sim[at] = top_score[j * k + q];
        }
    free(pos);
    m->n_users = x->n_users;
    m->n_items = n;
    rc = RS_OK;
done:
    free(norm);
    free(dense);
    free(sim);
    free(top_index);
    free(top_score);
    free(top_count);
    return rc;
}

int rs__cf_ease_fit(struct rs_cf_model *m, const rs_cf_matrix *x)
{
    size_t n = x->n_items;
    const char *what = m->kind == RS_CF_EDLAE ? "EDLAE" : "EASE";
    /* EDLAE's dropout p adds p / (1 - p) G_ii to the diagonal (EASE: p = 0) */
    double emphasis = m->kind == RS_CF_EDLAE ? m->dropout / (1.0 - m->dropout) : 0.0;
    if (rs__cf_dense_limit(m, n, what) < 0)
        return RS_ERR_LIMIT;
    if (!(m->lambda > 0.0))
        return rs__fail(RS_ERR_RANGE, "%s: lambda must be > 0 (is %g)", what, m->lambda);
    if (!(emphasis >= 0.0 && isfinite(emphasis)))
        return rs__fail(RS_ERR_RANGE, "%s: dropout must be in [0, 1) (is %g)", what, m->dropout);
    float *g = NULL;
    int rc = rs__cf_gram(m, x, NULL, NULL, &g);
    if (rc < 0)
        return rs__fail_context("%s: ", what);
    for (size_t i = 0; i < n; i++)
        g[i * n + i] = (float)(g[i * n + i] * (1.0 + emphasis) + m->lambda);
    /* Row-major upper triangle = column-major lower: factor and invert "L". */
    int ni = (int)n, info = 0;
    if ((rc = rs__blas_ready()) < 0)
        goto fail;
    spotrf_("L", &ni, g, &ni, &info);
    if (info == 0)
        spotri_("L", &ni, g, &ni, &info);
    if (info != 0) {
        rc = rs__fail(RS_ERR_INTERNAL, "%s: Cholesky of X^T X + Lambda failed (info %d)", what,
                      info);
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            g[i * n + j] = g[j * n + i];
    /* B_ij = -P_ij / P_jj, diagonal 0: scale column j by -1 / P_jj. */
    float *inv_diag = rs__alloc_array(n, sizeof *inv_diag);
    if (!inv_diag) {
        rc = RS_ERR_NOMEM;
        goto fail;
    }
    for (size_t j = 0; j < n; j++)
        inv_diag[j] = -1.0f / g[j * n + j];
    for (size_t i = 0; i < n; i++) {
        float *row = g + i * n;
        for (size_t j = 0; j < n; j++)
            row[j] *= inv_diag[j];
        row[i] = 0.0f;
    }
    free(inv_diag);
    m->ease = g;
    m->n_users = x->n_users;
    m->n_items = n;
    return RS_OK;
fail:
    free(g);
    return rc;
}

int rs__cf_gram(const struct rs_cf_model *m, const rs_cf_matrix *x, const float *row_scale,
                const float *col_scale, float **out)
{
    size_t n = x->n_items;
    size_t chunk = m->chunk_floats / n ? m->chunk_floats / n : 1;
    if (chunk > x->n_users)
        chunk = x->n_users;
    if (!rs__blas_fits(n, n, chunk))
        return rs__fail(RS_ERR_OVERFLOW, "%zu items exceed BLAS's int", n);
    size_t nn;
    int rc = rs__mul_size(n, n, &nn);
    if (rc < 0)
        return rc;
    rc = RS_ERR_NOMEM;
    float *g = rs__alloc_array(nn, sizeof *g);
    float *dense = rs__alloc_array(chunk * n, sizeof *dense);
    if (!g || !dense)
        goto fail;
    for (size_t u0 = 0; u0 < x->n_users; u0 += chunk) {
        size_t cu = u0 + chunk <= x->n_users ? chunk : x->n_users - u0;
        rs__cf_densify(x, u0, cu, row_scale, col_scale, dense);
        if ((rc = rs__ssyrk_ata(n, cu, 1.0f, dense, n, u0 == 0 ? 0.0f : 1.0f, g, n)) < 0)
            goto fail;
    }
    free(dense);
    *out = g;
    return RS_OK;
fail:
    free(g);
    free(dense);
    return rc;
}

int rs__cf_dense_limit(const struct rs_cf_model *m, size_t n, const char *what)
{
    if (n <= (size_t)m->iopt[RS_CF_MAX_ITEMS])
        return RS_OK;
    return rs__fail(RS_ERR_LIMIT, "%s: %zu items exceed RS_CF_MAX_ITEMS = %lld (its item x item "
                    "matrix is dense, n^2 floats)", what, n, m->iopt[RS_CF_MAX_ITEMS]);
}

size_t rs__cf_neighbors_kept(const struct rs_cf_model *m, size_t n)
{
    size_t all = n > 1 ? n - 1 : 1;
    long long k = m->iopt[RS_CF_NEIGHBORS];
    return k == 0 || (unsigned long long)k > all ? all : (size_t)k;
}
