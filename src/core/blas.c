/*
 * blas.c - CBLAS wrappers with checked dimensions, and the OpenBLAS queries.
 */
#include "core/blas.h"
#include "core/error.h"
#include "recsim.h"

#include <cblas.h>
#include <limits.h>
#include <pthread.h>

bool rs__blas_fits(size_t a, size_t b, size_t c)
{
    return a <= INT_MAX && b <= INT_MAX && c <= INT_MAX;
}

static int too_large(const char *routine, size_t a, size_t b, size_t c)
{
    return rs__fail(RS_ERR_OVERFLOW,
                    "%s: dimensions %zu, %zu, %zu exceed the BLAS integer range",
                    routine, a, b, c);
}

int rs__sgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
              float alpha, const float *a, size_t lda, const float *b, size_t ldb,
              float beta, float *c, size_t ldc)
{
    if (!rs__blas_fits(m, n, k) || !rs__blas_fits(lda, ldb, ldc))
        return too_large("sgemm", m, n, k);
    if (m == 0 || n == 0)
        return 0;
    if (rs__blas_ready() != 0)
        return RS_ERR_NOMEM;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha,
                a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
    return 0;
}

int rs__sgemv(bool trans, size_t rows, size_t cols, float alpha, const float *a,
              size_t lda, const float *x, float beta, float *y)
{
    if (!rs__blas_fits(rows, cols, lda))
        return too_large("sgemv", rows, cols, lda);
    if (rows == 0 || cols == 0)
        return 0;
    if (rs__blas_ready() != 0)
        return RS_ERR_NOMEM;
    cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, (int)rows,
                (int)cols, alpha, a, (int)lda, x, 1, beta, y, 1);
    return 0;
}

int rs__ssyrk_ata(size_t n, size_t k, float alpha, const float *a, size_t lda,
                  float beta, float *c, size_t ldc)
{
    if (!rs__blas_fits(n, k, lda) || ldc > INT_MAX)
        return too_large("ssyrk", n, k, lda);
    if (n == 0)
        return 0;
    if (rs__blas_ready() != 0)
        return RS_ERR_NOMEM;
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, (int)k, alpha, a,
                (int)lda, beta, c, (int)ldc);
    return 0;
}

float rs__sdot(size_t n, const float *x, const float *y)
{
    return n ? cblas_sdot((int)n, x, 1, y, 1) : 0.0f;
}

float rs__snrm2(size_t n, const float *x)
{
    return n ? cblas_snrm2((int)n, x, 1) : 0.0f;
}

void rs__saxpy(size_t n, float alpha, const float *x, float *y)
{
    if (n)
        cblas_saxpy((int)n, alpha, x, 1, y, 1);
}

void rs__sscal(size_t n, float alpha, float *x)
{
    if (n)
        cblas_sscal((int)n, alpha, x, 1);
}

/*
 * OpenBLAS's thread count is process-wide.  Inside the library's own
 * parallel loops every worker calling a threaded BLAS routine would nest
 * OpenBLAS's threads inside ours: on 2 cores, 4 busy threads spinning on
 * each other (1.5 to 2.2 times the CPU of a batch).  While any loop runs,
 * BLAS is therefore held at one thread; the count to come back to (and any
 * rs_set_num_threads made meanwhile) is kept in `wanted`.
 */
static pthread_mutex_t single_lock = PTHREAD_MUTEX_INITIALIZER;
static int single_depth; /* loops running */
static int wanted;       /* the count to restore when the last one ends */

void rs__blas_set_threads(int n)
{
    /* More OpenBLAS threads would each map a work buffer at start, and a
     * failed map hangs them (blas_guard.c): under an address-space limit
     * the count OpenBLAS started with stays. */
    if (rs__address_space_limited())
        return;
    pthread_mutex_lock(&single_lock);
    if (single_depth > 0)
        wanted = n;
    else
        openblas_set_num_threads(n);
    pthread_mutex_unlock(&single_lock);
}

int rs__blas_get_threads(void)
{
    int n;
    pthread_mutex_lock(&single_lock);
    n = single_depth > 0 ? wanted : openblas_get_num_threads();
    pthread_mutex_unlock(&single_lock);
    return n;
}

void rs__blas_single_begin(void)
{
    pthread_mutex_lock(&single_lock);
    if (single_depth++ == 0) {
        wanted = openblas_get_num_threads();
        if (wanted > 1)
            openblas_set_num_threads(1);
    }
    pthread_mutex_unlock(&single_lock);
}

void rs__blas_single_end(void)
{
    pthread_mutex_lock(&single_lock);
    if (single_depth > 0 && --single_depth == 0 && wanted > 1)
        openblas_set_num_threads(wanted);
    pthread_mutex_unlock(&single_lock);
}

const char *rs_blas_corename(void)
{
    const char *name = openblas_get_corename();
    return name ? name : "unknown";
}
