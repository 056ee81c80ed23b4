/*
 * cf_als.c - implicit ALS (Hu, Koren and Volinsky 2008) with a few
 * warm-started conjugate-gradient steps per row (as in Takacs et al. 2011):
 * one half-iteration is a Gram matrix by syrk plus a parallel loop over rows,
 * each row costing O(steps (f^2 + n_u f)).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "learn/cf_internal.h"

/* The row solver is compiled twice where the compiler can dispatch at load
 * time: for AVX2 and for the baseline x86-64, so
 * that the library needs no -march flag. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#define RS_CG_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RS_CG_CLONES
#endif

/* Helpers are always inlined, so each clone gets its own vector code. */
#if defined(__GNUC__)
#define RS_CG_INLINE static inline __attribute__((always_inline))
#else
#define RS_CG_INLINE static inline
#endif

/* Rows per parallel task: big enough to amortise the hand-out. */
#define ROWS_PER_TASK 128

int rs__cf_als_gram(const float *factors, size_t rows, size_t dim, double lambda,
                    float *gram)
{
    int rc = rs__ssyrk_ata(dim, rows, 1.0f, factors, dim, 0.0f, gram, dim);
    if (rc < 0)
        return rc;
    for (size_t a = 0; a < dim; a++) {
        for (size_t b = 0; b < a; b++)
            gram[a * dim + b] = gram[b * dim + a];
        gram[a * dim + a] += (float)lambda;
    }
    return RS_OK;
}

#if defined(__GNUC__)
/* Eight floats in GCC/clang vector extensions: the compilers' -O2 cost model
 * leaves these short loops scalar, so the vector code is written out.  In
 * the baseline clone a v8f is two SSE registers, in the AVX2 clone one. */
typedef float v8f __attribute__((vector_size(32)));

/* Unaligned loads and stores (macros: a v8f crossing a function boundary
 * would change the ABI between the clones). */
#define LOAD8(v, p) memcpy(&(v), (p), sizeof(v))
#define STORE8(p, v) memcpy((p), &(v), sizeof(v))

RS_CG_INLINE float dot(const float *restrict a, const float *restrict b, size_t n)
{
    v8f acc = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        v8f va, vb;
        LOAD8(va, a + k);
        LOAD8(vb, b + k);
        acc += va * vb;
    }
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; k < n; k++)
        s += a[k] * b[k];
    return s;
}

RS_CG_INLINE void axpy(float alpha, const float *restrict x, float *restrict y, size_t n)
{
    v8f av = {alpha, alpha, alpha, alpha, alpha, alpha, alpha, alpha};
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        v8f vx, vy;
        LOAD8(vx, x + k);
        LOAD8(vy, y + k);
        vy += av * vx;
        STORE8(y + k, vy);
    }
    for (; k < n; k++)
        y[k] += alpha * x[k];
}
#else
RS_CG_INLINE float dot(const float *restrict a, const float *restrict b, size_t n)
{
    float s = 0.0f;
    for (size_t k = 0; k < n; k++)
        s += a[k] * b[k];
    return s;
}

RS_CG_INLINE void axpy(float alpha, const float *restrict x, float *restrict y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] += alpha * x[k];
}
#endif

/* out = G v for the symmetric dim x dim G, as a sum of G's rows (each an
 * axpy, which vectorises). */
RS_CG_INLINE void symv(const float *restrict g, const float *restrict v, float *restrict out,
                 size_t dim)
{
    memset(out, 0, dim * sizeof *out);
    for (size_t b = 0; b < dim; b++)
        axpy(v[b], g + b * dim, out, dim);
}

RS_CG_CLONES void rs__cf_cg_row(const float *gram, const float *factors, size_t dim,
                   const uint32_t *items, const float *weights, size_t n, float alpha,
                   unsigned steps, float *x, float *scratch)
{
    float *r = scratch, *p = scratch + dim, *ap = scratch + 2 * dim;
    /* r = b - A x */
    symv(gram, x, r, dim);
    for (size_t k = 0; k < dim; k++)
        r[k] = -r[k];
    for (size_t e = 0; e < n; e++) {
        const float *y = factors + (size_t)items[e] * dim;
        float c = 1.0f + alpha * (weights ? weights[e] : 1.0f);
        axpy(c - (c - 1.0f) * dot(y, x, dim), y, r, dim);
    }
    memcpy(p, r, dim * sizeof *p);
    float rr = dot(r, r, dim);
    float tol = rr * 1e-12f;
    for (unsigned s = 0; s < steps && rr > 0.0f; s++) {
        symv(gram, p, ap, dim);
        for (size_t e = 0; e < n; e++) {
            const float *y = factors + (size_t)items[e] * dim;
            float c1 = alpha * (weights ? weights[e] : 1.0f);
            axpy(c1 * dot(y, p, dim), y, ap, dim);
        }
        float pap = dot(p, ap, dim);
        if (!(pap > 0.0f))
            break;
        float step = rr / pap;
        axpy(step, p, x, dim);
        axpy(-step, ap, r, dim);
        float rr_new = dot(r, r, dim);
        if (rr_new <= tol)
            break;
        float beta = rr_new / rr;
        for (size_t k = 0; k < dim; k++)
            p[k] = r[k] + beta * p[k];
        rr = rr_new;
    }
}

typedef struct half_job {
    const float *gram;
    const float *other;   /* the fixed side's factors */
    float *solve;         /* the side being solved */
    const size_t *start;  /* CSR of the side being solved */
    const uint32_t *index;
    const float *weight;
    size_t rows, dim;
    float alpha;
    unsigned steps;
    float *scratch;       /* 3 * dim per worker */
} half_job;

static int half_task(void *ctx, size_t task, unsigned worker)
{
    half_job *job = ctx;
    size_t first = task * ROWS_PER_TASK;
    size_t last = first + ROWS_PER_TASK < job->rows ? first + ROWS_PER_TASK : job->rows;
    float *scratch = job->scratch + (size_t)worker * 3 * job->dim;
    for (size_t row = first; row < last; row++) {
        size_t b = job->start[row], e = job->start[row + 1];
        rs__cf_cg_row(job->gram, job->other, job->dim, job->index + b, job->weight + b, e - b,
                      job->alpha, job->steps, job->solve + row * job->dim, scratch);
    }
    return 0;
}

static int half_iteration(half_job *job, size_t other_rows, double lambda)
{
    int rc = rs__cf_als_gram(job->other, other_rows, job->dim, lambda, (float *)job->gram);
    if (rc < 0)
        return rc;
    size_t tasks = (job->rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
    return rs__parallel_for(tasks, 0, half_task, job);
}

/* sum c (1 - x.y)^2 + sum_unobserved (x.y)^2 + lambda (|X|^2 + |Y|^2). */
static int als_loss(const struct rs_cf_model *m, const rs_cf_matrix *x, float *gx, float *gy,
                    double *out)
{
    size_t f = m->dim;
    int rc = rs__ssyrk_ata(f, m->n_users, 1.0f, m->user_factors, f, 0.0f, gx, f);
    if (rc == 0)
        rc = rs__ssyrk_ata(f, m->n_items, 1.0f, m->item_factors, f, 0.0f, gy, f);
    if (rc < 0)
        return rc;
    double all = 0.0, reg = 0.0;
    for (size_t a = 0; a < f; a++) {
        all += (double)gx[a * f + a] * gy[a * f + a];
        reg += (double)gx[a * f + a] + gy[a * f + a];
        for (size_t b = a + 1; b < f; b++)
            all += 2.0 * (double)gx[a * f + b] * gy[a * f + b];
    }
    double obs = 0.0;
    for (size_t u = 0; u < x->n_users; u++)
        for (size_t p = x->user_start[u]; p < x->user_start[u + 1]; p++) {
            double d = dot(m->user_factors + u * f, m->item_factors + (size_t)x->user_item[p] * f, f);
            double c = 1.0 + m->fit_alpha * x->user_weight[p];
            obs += c * (1.0 - d) * (1.0 - d) - d * d;
        }
    *out = all + obs + m->fit_lambda * reg;
    return RS_OK;
}

int rs__cf_als_fit(struct rs_cf_model *m, const rs_cf_matrix *x)
{
    size_t f = (size_t)m->iopt[RS_CF_FACTORS];
    size_t iterations = (size_t)m->iopt[RS_CF_ITERATIONS];
    int rc = RS_ERR_NOMEM;
    size_t nu, ni;
    if ((rc = rs__mul_size(x->n_users, f, &nu)) < 0 || (rc = rs__mul_size(x->n_items, f, &ni)) < 0)
        return rc;
    if (!rs__blas_fits(x->n_users, x->n_items, f))
        return rs__fail(RS_ERR_OVERFLOW, "ALS: %zu x %zu x %zu exceeds BLAS's int",
                        x->n_users, x->n_items, f);
    m->dim = f;
    m->n_users = x->n_users;
    m->n_items = x->n_items;
    m->fit_alpha = m->alpha;
    m->fit_lambda = m->lambda;
    unsigned workers = rs__parallel_workers((x->n_users + ROWS_PER_TASK - 1) / ROWS_PER_TASK, 0);
    unsigned w2 = rs__parallel_workers((x->n_items + ROWS_PER_TASK - 1) / ROWS_PER_TASK, 0);
    if (w2 > workers)
        workers = w2;
    rc = RS_ERR_NOMEM;
    float *scratch = rs__alloc_array((size_t)workers * 3 * f, sizeof *scratch);
    float *gx = rs__alloc_array(f * f, sizeof *gx);
    m->user_factors = rs__aligned_alloc(RS_ALIGNMENT, nu * sizeof(float));
    m->item_factors = rs__aligned_alloc(RS_ALIGNMENT, ni * sizeof(float));
    m->gram = rs__alloc_array(f * f, sizeof *m->gram);
    if (m->iopt[RS_CF_REPORT_LOSS] && iterations > 0)
        m->loss = rs__alloc_array(iterations, sizeof *m->loss);
    if (!scratch || !gx || !m->user_factors || !m->item_factors || !m->gram ||
        (m->iopt[RS_CF_REPORT_LOSS] && iterations > 0 && !m->loss))
        goto done;

    double scale = m->init_scale;
    uint64_t seed = (uint64_t)m->iopt[RS_CF_SEED];
    for (size_t u = 0; u < x->n_users; u++) {
        rs_rng rng;
        rs__rng_init(&rng, seed, 1, u, 0);
        for (size_t k = 0; k < f; k++)
            m->user_factors[u * f + k] = (float)(scale * rs__rng_normal(&rng));
    }
    for (size_t i = 0; i < x->n_items; i++) {
        rs_rng rng;
        rs__rng_init(&rng, seed, 2, i, 0);
        for (size_t k = 0; k < f; k++)
            m->item_factors[i * f + k] = (float)(scale * rs__rng_normal(&rng));
    }
    half_job users = {m->gram, m->item_factors, m->user_factors, x->user_start, x->user_item,
                      x->user_weight, x->n_users, f, (float)m->alpha,
                      (unsigned)m->iopt[RS_CF_CG_STEPS], scratch};
    half_job items = {m->gram, m->user_factors, m->item_factors, x->item_start, x->item_user,
                      x->item_weight, x->n_items, f, (float)m->alpha,
                      (unsigned)m->iopt[RS_CF_CG_STEPS], scratch};
    for (size_t it = 0; it < iterations; it++) {
        if ((rc = half_iteration(&users, x->n_items, m->lambda)) < 0 ||
            (rc = half_iteration(&items, x->n_users, m->lambda)) < 0)
            goto done;
        if (m->loss) {
            if ((rc = als_loss(m, x, gx, m->gram, &m->loss[it])) < 0)
                goto done;
            m->n_loss = it + 1;
        }
    }
    /* The Gram matrix of the final item factors, for fold-in. */
    rc = rs__cf_als_gram(m->item_factors, x->n_items, f, m->lambda, m->gram);
done:
    free(scratch);
    free(gx);
    return rc;
}
