/*
 * item_kmeans.c - the coarse quantiser of the approximate index: seeded
 * k-means (Lloyd) on a sample of the items, and the nearest-centroid
 * assignment of every item, both on OpenBLAS sgemm tiles.
 *
 * Deterministic for a seed: the sample and the starting centroids come from
 * the seeded generator, sums run in a fixed order, and an empty cluster is
 * refilled by splitting the largest one (lowest index on ties).
 */
#include "items/item_kmeans.h"

#include "core/alloc.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <stdlib.h>
#include <string.h>

/* Floats of sgemm output per assignment tile (16 MiB). */
#define TILE_FLOATS (4u << 20)
/* Rows of a tile scanned per task of the parallel arg-max. */
#define ARGMAX_ROWS 256u
/* Split an emptied cluster's donor by this relative amount. */
#define SPLIT_EPS (1.0f / 1024.0f)

struct argmax_ctx {
    const float *scores; /* rows x nlist */
    const float *half_norm;
    size_t rows, nlist;
    uint32_t *out;
};

/* Nearest centroid in L2 = largest x.c - |c|^2 / 2; ties to the lower. */
static int argmax_task(void *ctx, size_t task, unsigned worker)
{
    const struct argmax_ctx *a = ctx;
    size_t lo = task * ARGMAX_ROWS, hi = lo + ARGMAX_ROWS < a->rows ? lo + ARGMAX_ROWS : a->rows;
    (void)worker;
    for (size_t r = lo; r < hi; r++) {
        const float *s = a->scores + r * a->nlist;
        float best = s[0] - a->half_norm[0];
        uint32_t arg = 0;
        for (size_t j = 1; j < a->nlist; j++) {
            float v = s[j] - a->half_norm[j];
            if (v > best)
                best = v, arg = (uint32_t)j;
        }
        a->out[r] = arg;
    }
    return 0;
}

void rs__kmeans_half_norms(const float *centroids, size_t nlist, size_t dim, float *half_norm)
{
    for (size_t j = 0; j < nlist; j++) {
        double sum = 0.0;
        for (size_t d = 0; d < dim; d++)
            sum += (double)centroids[j * dim + d] * centroids[j * dim + d];
        half_norm[j] = (float)(sum / 2);
    }
}

int rs__kmeans_assign(const float *rows, size_t n, size_t dim, const float *centroids,
                      const float *half_norm, size_t nlist, uint32_t *assign_out)
{
    size_t tile = TILE_FLOATS / nlist;
    float *scores;
    int rc = 0;
    if (tile < 16)
        tile = 16;
    if (tile > n)
        tile = n;
    scores = rs__alloc_array(tile, nlist * sizeof(float));
    if (!scores)
        return RS_ERR_NOMEM;
    for (size_t lo = 0; lo < n && rc == 0; lo += tile) {
        size_t m = lo + tile < n ? tile : n - lo;
        struct argmax_ctx a = {scores, half_norm, m, nlist, assign_out + lo};
        rc = rs__sgemm(false, true, m, nlist, dim, 1.0f, rows + lo * dim, dim, centroids, dim,
                       0.0f, scores, nlist);
        if (rc == 0)
            rc = rs__parallel_for((m + ARGMAX_ROWS - 1) / ARGMAX_ROWS, 0, argmax_task, &a);
    }
    free(scores);
    return rc;
}

/* New centroids: the means of their members; an empty cluster takes half of
 * the largest one (its centroid nudged apart both ways). */
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
}

int rs__kmeans_train(const float *sample, size_t m, size_t dim, size_t nlist, int iterations,
                     uint64_t seed, float *centroids_out)
{
    uint32_t *assign = rs__alloc_array(m, sizeof *assign);
    uint32_t *order = rs__alloc_array(m, sizeof *order);
    double *sums = rs__alloc_array(nlist, dim * sizeof(double));
    size_t *counts = rs__alloc_array(nlist, sizeof *counts);
    float *half_norm = rs__alloc_array(nlist, sizeof *half_norm);
    rs_rng rng;
    int rc = assign && order && sums && counts && half_norm ? 0 : RS_ERR_NOMEM;
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
    }
    for (int it = 0; it < iterations && rc == 0; it++) {
        rs__kmeans_half_norms(centroids_out, nlist, dim, half_norm);
        rc = rs__kmeans_assign(sample, m, dim, centroids_out, half_norm, nlist, assign);
        if (rc == 0)
            update_centroids(sample, m, dim, assign, nlist, sums, counts, centroids_out);
    }
    free(assign);
    free(order);
    free(sums);
    free(counts);
    free(half_norm);
    return rc;
}
