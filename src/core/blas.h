/*
 * blas.h - thin wrappers over CBLAS (OpenBLAS) that take size_t dimensions,
 * check that they fit BLAS's int, and use row-major storage throughout.
 *
 * Callers keep their dimensions in size_t; the checks here are the single
 * place where they are narrowed.  Each returns 0 or RS_ERR_OVERFLOW.
 */
#ifndef RS_CORE_BLAS_H
#define RS_CORE_BLAS_H

#include <stdbool.h>
#include <stddef.h>

/* C[m x n] = alpha * op(A) * op(B) + beta * C, all row-major;
 * op(A) is m x k, op(B) is k x n. */
int rs__sgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
              float alpha, const float *a, size_t lda, const float *b, size_t ldb,
              float beta, float *c, size_t ldc);

/* y[rows or cols] = alpha * op(A) * x + beta * y, A row-major rows x cols. */
int rs__sgemv(bool trans, size_t rows, size_t cols, float alpha, const float *a,
              size_t lda, const float *x, float beta, float *y);

/* C[n x n] (upper triangle) = alpha * A^T A + beta * C, A row-major k x n. */
int rs__ssyrk_ata(size_t n, size_t k, float alpha, const float *a, size_t lda,
                  float beta, float *c, size_t ldc);

/* Level 1 over n contiguous floats (n must fit an int; checked by caller
 * through rs__blas_fits where it could not). */
float rs__sdot(size_t n, const float *x, const float *y);
float rs__snrm2(size_t n, const float *x);
void rs__saxpy(size_t n, float alpha, const float *x, float *y);
void rs__sscal(size_t n, float alpha, float *x);

/* True when every value fits the BLAS integer type. */
bool rs__blas_fits(size_t a, size_t b, size_t c);

/* True when RLIMIT_AS (ulimit -v) was finite at the first call. */
bool rs__address_space_limited(void);

/* 0, or RS_ERR_NOMEM when an address-space limit leaves no room for
 * OpenBLAS's work buffer (which OpenBLAS would otherwise retry forever):
 * call before any level-3, LAPACK or large level-2 routine (blas_guard.c). */
int rs__blas_ready(void);

/* Process-wide OpenBLAS thread count (used by rs_set_num_threads only). */
void rs__blas_set_threads(int n);
int rs__blas_get_threads(void);

/* Hold OpenBLAS at one thread from begin to the matching end (nesting
 * counts), for the span of a parallel loop of the library's own threads;
 * rs__blas_set_threads meanwhile takes effect at the last end. */
void rs__blas_single_begin(void);
void rs__blas_single_end(void);

#endif
