/*
 * item_kmeans.h - seeded k-means and nearest-centroid assignment on BLAS
 * tiles, for the approximate index's coarse quantiser.
 */
#ifndef RS_ITEM_KMEANS_H
#define RS_ITEM_KMEANS_H

#include <stddef.h>
#include <stdint.h>

/* nlist unit-length centroids (nlist x dim, into centroids_out) of the
 * m x dim sample by spherical k-means: `iterations` Lloyd steps from seeded
 * sample points, each point in the list of its largest inner product with a
 * centroid, each centroid its members' mean scaled to unit length (a zero
 * mean stays zero).  nlist <= m. */
int rs__kmeans_train(const float *sample, size_t m, size_t dim, size_t nlist, int iterations,
                     uint64_t seed, float *centroids_out);

/* |c|^2 / 2 of each centroid. */
void rs__kmeans_half_norms(const float *centroids, size_t nlist, size_t dim, float *half_norm);

/* The list of each of n rows (n x dim, contiguous): its nearest centroid in
 * L2 (largest x.c - |c|^2 / 2) given half_norm, or its largest inner product
 * x.c when half_norm is NULL.  Ties go to the lower index. */
int rs__kmeans_assign(const float *rows, size_t n, size_t dim, const float *centroids,
                      const float *half_norm, size_t nlist, uint32_t *assign_out);

#endif
