/*
 * cf_neighbors.c - the two item x item models: item-kNN cosine (similarities
 * by sgemm over dense tiles of the interaction matrix, or by sparse
 * co-occurrence counting for large catalogues; top-N per item) and
 * EASE^R (Gram matrix by syrk, inverse by LAPACK's Cholesky).
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


/* Dense rows first .. first + rows - 1 of x into d (rows x n_items). */
static void densify(const rs_cf_matrix *x, size_t first, size_t rows, float *d)
{
    memset(d, 0, rows * x->n_items * sizeof *d);
    for (size_t r = 0; r < rows; r++) {
        size_t u = first + r;
        for (size_t p = x->user_start[u]; p < x->user_start[u + 1]; p++)
            d[r * x->n_items + x->user_item[p]] = x->user_weight[p];
    }
}

/*
 * The sparse path, for catalogues where dense tiles would cost
 * n_items^2 x n_users: each target item's co-occurrences are accumulated
 * from its users' rows (cost sum over users of n_u^2), in parallel over
 * targets, each worker with its own accumulator.
 */
typedef struct sparse_job {
    const rs_cf_matrix *x;
    const float *norm;
    float shrink;
    size_t k;
    uint32_t *top_index;
    float *top_score;
    size_t *top_count;
    float *acc;       /* n_items per worker, kept zero between targets */
    uint32_t *touched; /* n_items per worker */
} sparse_job;

#define TARGETS_PER_TASK 64

static int sparse_task(void *ctx, size_t task, unsigned worker)
{
    sparse_job *job = ctx;
    const rs_cf_matrix *x = job->x;
    size_t n = x->n_items;
    float *acc = job->acc + (size_t)worker * n;
    uint32_t *touched = job->touched + (size_t)worker * n;
    size_t last = (task + 1) * TARGETS_PER_TASK < n ? (task + 1) * TARGETS_PER_TASK : n;
    for (size_t j = task * TARGETS_PER_TASK; j < last; j++) {
        size_t n_touched = 0;
        for (size_t p = x->item_start[j]; p < x->item_start[j + 1]; p++) {
            uint32_t u = x->item_user[p];
            float wj = x->item_weight[p];
            for (size_t q = x->user_start[u]; q < x->user_start[u + 1]; q++) {
                uint32_t i = x->user_item[q];
                if (acc[i] == 0.0f)
                    touched[n_touched++] = i;
                acc[i] += wj * x->user_weight[q];
            }
        }
        rs_topk top;
        rs__topk_init(&top, job->k, job->top_index + j * job->k, job->top_score + j * job->k);
        for (size_t t = 0; t < n_touched; t++) {
            uint32_t i = touched[t];
            float den = job->norm[i] * job->norm[j] + job->shrink;
            float sim = den > 0.0f ? acc[i] / den : 0.0f;
            acc[i] = 0.0f;
            if (i != j && sim != 0.0f)
                rs__topk_push(&top, i, sim);
        }
        job->top_count[j] = rs__topk_finish(&top);
    }
    return 0;
}

int rs__cf_knn_fit(struct rs_cf_model *m, const rs_cf_matrix *x)
{
    size_t n = x->n_items;
    size_t k = m->iopt[RS_CF_NEIGHBORS] == 0 || (size_t)m->iopt[RS_CF_NEIGHBORS] > n - 1
                   ? (n > 1 ? n - 1 : 1)
                   : (size_t)m->iopt[RS_CF_NEIGHBORS];
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
        size_t tasks = (n + TARGETS_PER_TASK - 1) / TARGETS_PER_TASK;
        unsigned workers = rs__parallel_workers(tasks, 0);
        sparse_job job = {x, norm, shrink, k, top_index, top_score, top_count, NULL, NULL};
        job.acc = rs__calloc((size_t)workers * n, sizeof *job.acc);
        job.touched = rs__alloc_array((size_t)workers * n, sizeof *job.touched);
        rc = job.acc && job.touched ? rs__parallel_for(tasks, 0, sparse_task, &job) : RS_ERR_NOMEM;
        free(job.acc);
        free(job.touched);
        if (rc < 0)
            goto done;
    }
    for (size_t t0 = 0; n <= m->dense_items && t0 < n; t0 += tile) {
        size_t rows = t0 + tile <= n ? tile : n - t0;
        /* sim[rows x n] = X[:, t0 ..]^T X, accumulated over user chunks */
        for (size_t u0 = 0; u0 < x->n_users; u0 += chunk) {
            size_t cu = u0 + chunk <= x->n_users ? chunk : x->n_users - u0;
            densify(x, u0, cu, dense);
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
    if (n > (size_t)m->iopt[RS_CF_MAX_ITEMS])
        return rs__fail(RS_ERR_LIMIT,
                        "EASE: %zu items exceed RS_CF_MAX_ITEMS = %lld (its Gram matrix is "
                        "dense, n^2 floats)", n, m->iopt[RS_CF_MAX_ITEMS]);
    if (!(m->lambda > 0.0))
        return rs__fail(RS_ERR_RANGE, "EASE: lambda must be > 0 (is %g)", m->lambda);
    size_t chunk = m->chunk_floats / n ? m->chunk_floats / n : 1;
    if (chunk > x->n_users)
        chunk = x->n_users;
    if (!rs__blas_fits(n, n, chunk))
        return rs__fail(RS_ERR_OVERFLOW, "EASE: %zu items exceed BLAS's int", n);
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
        densify(x, u0, cu, dense);
        if ((rc = rs__ssyrk_ata(n, cu, 1.0f, dense, n, u0 == 0 ? 0.0f : 1.0f, g, n)) < 0)
            goto fail;
    }
    free(dense);
    dense = NULL;
    for (size_t i = 0; i < n; i++)
        g[i * n + i] += (float)m->lambda;
    /* Row-major upper triangle = column-major lower: factor and invert "L". */
    int ni = (int)n, info = 0;
    spotrf_("L", &ni, g, &ni, &info);
    if (info == 0)
        spotri_("L", &ni, g, &ni, &info);
    if (info != 0) {
        rc = rs__fail(RS_ERR_INTERNAL, "EASE: Cholesky of X^T X + lambda I failed (info %d)",
                      info);
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            g[i * n + j] = g[j * n + i];
    /* B_ij = -P_ij / P_jj, diagonal 0: scale column j by -1 / P_jj. */
    float *inv_diag = rs__alloc_array(n, sizeof *inv_diag);
    if (!inv_diag)
        goto fail;
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
    free(dense);
    return rc;
}
