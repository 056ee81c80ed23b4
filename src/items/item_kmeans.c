/*
 * item_kmeans.c - the coarse quantiser of the approximate index: seeded
 * spherical k-means (Lloyd) on a sample of the items, and the assignment of
 * every item to a centroid, both on the store's fused top-k kernel.
 *
 * Spherical, because the index answers inner-product and cosine queries and
 * probes the lists whose centroids have the largest q.c: a point must sit in
 * the list of its largest x.c for the probe to find it where it was put.
 * With L2 k-means (centroids of unequal length, points in the list of the
 * nearest one) the two rules disagree near borders; on bench_ann's
 * clustered unit vectors (1M x 64, 410 lists) recall@10 at one probed list
 * was 0.90 with L2 lists, 0.98 with spherical ones; with lengths spread
 * over 0.5-2 it was 0.54 against 0.97, so non-unit vectors get spherical
 * lists as well.
 *
 * Deterministic for a seed: the sample and the starting centroids come from
 * the seeded generator, sums run in a fixed order, and an empty cluster is
 * refilled by splitting the largest one (lowest index on ties).
 */
#include "items/item_kmeans.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "items/items_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per task of the parallel assignment. */
#define ASSIGN_ROWS 1024u
/* Lloyd stops early once at most 1 in CONVERGED_PER (1%) sample points changed
 * list in an iteration. */
#ifndef CONVERGED_PER
#define CONVERGED_PER 100u
#endif
/* Split an emptied cluster's donor by this relative amount. */
#define SPLIT_EPS (1.0f / 1024.0f)

void rs__kmeans_half_norms(const float *centroids, size_t nlist, size_t dim, float *half_norm)
{
    for (size_t j = 0; j < nlist; j++) {
        double sum = 0.0;
        for (size_t d = 0; d < dim; d++)
            sum += (double)centroids[j * dim + d] * centroids[j * dim + d];
        half_norm[j] = (float)(sum / 2);
    }
}

struct assign_ctx {
    const rs_item_store *centres; /* the centroids with -|c|^2 / 2 appended */
    const float *rows;
    size_t n, dim;
    float *scratch;   /* per worker: ASSIGN_ROWS x (dim + 1) */
    float *scores;    /* per worker: ASSIGN_ROWS */
    uint32_t *out;
};

/* Rows [lo, lo + ASSIGN_ROWS) with 1 appended, on this worker's thread. */
static int assign_task(void *ctx, size_t task, unsigned worker)
{
    const struct assign_ctx *a = ctx;
    size_t lo = task * ASSIGN_ROWS, m = lo + ASSIGN_ROWS < a->n ? ASSIGN_ROWS : a->n - lo;
    size_t wide = a->dim + 1;
    float *q = a->scratch + (size_t)worker * ASSIGN_ROWS * wide;
    for (size_t r = 0; r < m; r++) {
        memcpy(q + r * wide, a->rows + (lo + r) * a->dim, a->dim * sizeof(float));
        q[r * wide + a->dim] = 1.0f;
    }
    return rs__item_store_search_on(a->centres, q, m, wide, 1, RS_ITEM_METRIC_INNER_PRODUCT, NULL,
                                    0, NULL, 0, a->out + lo,
                                    a->scores + (size_t)worker * ASSIGN_ROWS, NULL, 1);
}

/*
 * Nearest centroid in L2 = largest x.c - |c|^2 / 2 = largest (x, 1).(c,
 * -|c|^2 / 2) (0 appended for the largest x.c): an exact top-1 search of the rows over the centroids with one
 * dimension appended, on the store's fused kernel (scores never leave the
 * registers, where sgemm wrote an n x nlist matrix to scan again).  Ties go
 * to the lower index.  Rows are split over the workers, each searching
 * single-threaded, so that a small nlist still uses every core.
 */
int rs__kmeans_assign(const float *rows, size_t n, size_t dim, const float *centroids,
                      const float *half_norm, size_t nlist, uint32_t *assign_out)
{
    struct assign_ctx a = {NULL, rows, n, dim, NULL, NULL, assign_out};
    rs_item_store *centres = NULL;
    size_t wide = dim + 1, n_tasks = (n + ASSIGN_ROWS - 1) / ASSIGN_ROWS;
    unsigned workers = rs__parallel_workers(n_tasks, 0);
    float *row = rs__alloc_array(wide, sizeof *row);
    char key[32];
    int rc = row ? rs_item_store_create(wide, &centres) : RS_ERR_NOMEM;
    for (size_t j = 0; rc == 0 && j < nlist; j++) {
        memcpy(row, centroids + j * dim, dim * sizeof(float));
        row[dim] = half_norm ? -half_norm[j] : 0.0f;
        snprintf(key, sizeof key, "%zu", j);
        rc = rs_item_store_add(centres, key, row, wide, NULL);
    }
    if (rc == 0) {
        a.centres = centres;
        a.scratch = rs__alloc_array((size_t)workers * ASSIGN_ROWS, wide * sizeof(float));
        a.scores = rs__alloc_array((size_t)workers * ASSIGN_ROWS, sizeof(float));
        rc = a.scratch && a.scores ? 0 : RS_ERR_NOMEM;
    }
    if (rc == 0 && n)
        rc = rs__parallel_for(n_tasks, workers, assign_task, &a);
    free(a.scratch);
    free(a.scores);
    free(row);
    rs_item_store_free(centres);
    return rc;
}

/* Scale each centroid to unit length (a zero one stays zero: it scores 0
 * with every point, the same in the build and in the probe). */
static void normalise(float *centroids, size_t nlist, size_t dim)
{
    for (size_t j = 0; j < nlist; j++) {
        float *c = centroids + j * dim;
        double sum = 0.0;
        for (size_t d = 0; d < dim; d++)
            sum += (double)c[d] * c[d];
        if (sum > 0.0)
            for (size_t d = 0; d < dim; d++)
                c[d] = (float)(c[d] / sqrt(sum));
    }
}

/* New centroids: the means of their members at unit length; an empty
 * cluster takes half of the largest one (its centroid nudged apart both
 * ways). */
static void update_centroids(const float *sample, size_t m, size_t dim, const uint32_t *assign,
                             size_t nlist, double *sums, size_t *counts, float *centroids)
{
    memset(sums, 0, nlist * dim * sizeof *sums);
    memset(counts, 0, nlist * sizeof *counts);
    for (size_t i = 0; i < m; i++) {
        double *s = sums + (size_t)assign[i] * dim;
        counts[assign[i]]++;
        for (size_t d = 0; d < dim; d++)
            s[d] += sample[i * dim + d];
    }
    for (size_t j = 0; j < nlist; j++)
        if (counts[j])
            for (size_t d = 0; d < dim; d++)
                centroids[j * dim + d] = (float)(sums[j * dim + d] / (double)counts[j]);
    for (size_t j = 0; j < nlist; j++) {
        size_t donor = 0;
        if (counts[j])
            continue;
        for (size_t b = 1; b < nlist; b++)
            if (counts[b] > counts[donor])
                donor = b;
        for (size_t d = 0; d < dim; d++) {
            float v = centroids[donor * dim + d];
            float nudge = (d % 2 ? SPLIT_EPS : -SPLIT_EPS) * (v != 0.0f ? v : 1.0f);
            centroids[j * dim + d] = v + nudge;
            centroids[donor * dim + d] = v - nudge;
        }
        counts[j] = counts[donor] / 2;
        counts[donor] -= counts[j];
    }
    normalise(centroids, nlist, dim);
}

int rs__kmeans_train(const float *sample, size_t m, size_t dim, size_t nlist, int iterations,
                     uint64_t seed, float *centroids_out)
{
    uint32_t *assign = rs__alloc_array(m, sizeof *assign);
    uint32_t *order = rs__alloc_array(m, sizeof *order);
    double *sums = rs__alloc_array(nlist, dim * sizeof(double));
    size_t *counts = rs__alloc_array(nlist, sizeof *counts);
    rs_rng rng;
    int rc = assign && order && sums && counts ? 0 : RS_ERR_NOMEM;
    if (rc == 0 && nlist > m)
        rc = rs__fail(RS_ERR_RANGE, "k-means: %zu lists for %zu points", nlist, m);
    if (rc == 0) {
        /* Start from nlist distinct sample points in a seeded order. */
        rs__rng_init(&rng, seed, 0x6b6d, 0, 0);
        for (size_t i = 0; i < m; i++)
            order[i] = (uint32_t)i;
        for (size_t j = 0; j < nlist; j++) {
            size_t pick = j + (size_t)rs__rng_below(&rng, m - j);
            uint32_t t = order[j];
            order[j] = order[pick], order[pick] = t;
            memcpy(centroids_out + j * dim, sample + (size_t)order[j] * dim,
                   dim * sizeof(float));
        }
        normalise(centroids_out, nlist, dim);
    }
    /* `order` now keeps the previous assignment (none before the first). */
    for (size_t i = 0; rc == 0 && i < m; i++)
        order[i] = UINT32_MAX;
    for (int it = 0; it < iterations && rc == 0; it++) {
        size_t moved = 0;
        rc = rs__kmeans_assign(sample, m, dim, centroids_out, NULL, nlist, assign);
        if (rc < 0)
            break;
        for (size_t i = 0; i < m; i++) {
            moved += assign[i] != order[i];
            order[i] = assign[i];
        }
        if (moved <= m / CONVERGED_PER)
            break; /* converged: the centroids would hardly move */
        update_centroids(sample, m, dim, assign, nlist, sums, counts, centroids_out);
    }
    free(assign);
    free(order);
    free(sums);
    free(counts);
    return rc;
}
