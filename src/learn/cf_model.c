/*
 * cf_model.c - the rs_cf_model handle: options, fit dispatch, queries
 * (factors, fold-in, scores) and persistence in the graph's meta table (the
 * bridge to rs_item_store, rs_cf_model_item_store, is items/item_from_cf.c).
 */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/alloc.h"
#include "core/cpu.h"
#include "core/error.h"
#include "core/idmap.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"
#include "store/store.h"
#include "learn/cf_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_HAVE_EASE_AVX512 1
#include <immintrin.h>
#else
#define RS_HAVE_EASE_AVX512 0
#endif

static const struct {
    long long lo, hi, def;
} int_options[RS__CF_INT_OPTIONS] = {
    [RS_CF_FACTORS] = {1, 1024, 64},
    [RS_CF_ITERATIONS] = {0, 10000, 15},
    [RS_CF_CG_STEPS] = {1, 1024, 3},
    [RS_CF_SEED] = {0, INT_MAX, 42},
    [RS_CF_REPORT_LOSS] = {0, 1, 0},
    [RS_CF_NEIGHBORS] = {0, INT_MAX, 100},
    [RS_CF_MAX_ITEMS] = {1, 1000000, 20000},
    [RS_CF_FOLDIN_STEPS] = {0, 1024, 0},
    [RS_CF_EIGENVECTORS] = {0, 65536, 256},
    [RS_CF_PAIRS] = {0, 100000, 1000},
};

int rs_cf_model_create(int kind, rs_cf_model **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_create: out is NULL");
    if (kind < RS_CF_ALS || kind >= RS_CF_KIND_COUNT)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_create: unknown kind %d", kind);
    rs_cf_model *m = rs__calloc(1, sizeof *m);
    if (!m)
        return RS_ERR_NOMEM;
    m->kind = kind;
    for (int o = 0; o < RS__CF_INT_OPTIONS; o++)
        m->iopt[o] = int_options[o].def;
    m->alpha = 1.0;
    if (kind == RS_CF_EASE_PAIRS)
        m->iopt[RS_CF_ITERATIONS] = 3;
    m->lambda = kind == RS_CF_EASE || kind == RS_CF_EDLAE || kind == RS_CF_EASE_PAIRS ? 500.0
                                                                                      : 30.0;
    m->shrink = 0.0;
    m->init_scale = 0.01;
    m->beta = 0.5;
    m->dropout = 0.25;
    m->ideal_weight = 0.3;
    m->chunk_floats = RS__CF_CHUNK_FLOATS;
    m->tile_floats = RS__CF_TILE_FLOATS;
    m->dense_items = RS__CF_DENSE_ITEMS;
    *out = m;
    return RS_OK;
}

static void rows_free(struct rs__cf_rows *r);

void rs__cf_fit_clear(struct rs_cf_model *m)
{
    rows_free(m->rows);
    m->rows = NULL;
    rs__aligned_free(m->user_factors);
    rs__aligned_free(m->item_factors);
    free(m->gram);
    free(m->loss);
    free(m->nb_start);
    free(m->nb_target);
    free(m->nb_sim);
    free(m->ease);
    free(m->pair_a);
    free(m->pair_b);
    free(m->pair_start);
    free(m->pair_w);
    m->pair_a = m->pair_b = NULL;
    m->pair_start = NULL;
    m->pair_w = NULL;
    m->n_pairs = 0;
    m->user_factors = m->item_factors = m->gram = NULL;
    m->loss = NULL;
    m->nb_start = NULL;
    m->nb_target = NULL;
    m->nb_sim = m->ease = NULL;
    m->fitted = false;
    m->n_users = m->n_items = m->dim = m->n_loss = m->nb_count = 0;
}

void rs__cf_fit_move(struct rs_cf_model *dst, struct rs_cf_model *src)
{
    rs__cf_fit_clear(dst);
    dst->fitted = src->fitted;
    dst->n_users = src->n_users;
    dst->n_items = src->n_items;
    dst->dim = src->dim;
    dst->fit_alpha = src->fit_alpha;
    dst->fit_lambda = src->fit_lambda;
    dst->user_factors = src->user_factors;
    dst->item_factors = src->item_factors;
    dst->gram = src->gram;
    dst->loss = src->loss;
    dst->n_loss = src->n_loss;
    dst->nb_start = src->nb_start;
    dst->nb_target = src->nb_target;
    dst->nb_sim = src->nb_sim;
    dst->nb_count = src->nb_count;
    dst->ease = src->ease;
    dst->n_pairs = src->n_pairs;
    dst->pair_a = src->pair_a;
    dst->pair_b = src->pair_b;
    dst->pair_start = src->pair_start;
    dst->pair_w = src->pair_w;
    src->pair_a = src->pair_b = NULL;
    src->pair_start = NULL;
    src->pair_w = NULL;
    src->n_pairs = 0;
    dst->rows = src->rows;
    src->rows = NULL;
    src->user_factors = src->item_factors = src->gram = NULL;
    src->loss = NULL;
    src->nb_start = NULL;
    src->nb_target = NULL;
    src->nb_sim = src->ease = NULL;
    src->fitted = false;
}

void rs_cf_model_free(rs_cf_model *model)
{
    if (!model)
        return;
    rs__cf_fit_clear(model);
    rs__idmap_free(model->keys);
    free(model);
}

int rs_cf_model_set_int(rs_cf_model *model, int option, long long value)
{
    if (!model)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_set_int: model is NULL");
    if (option < 0 || option >= RS__CF_INT_OPTIONS)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_set_int: %d is not an int option", option);
    if (value < int_options[option].lo || value > int_options[option].hi)
        return rs__fail(RS_ERR_RANGE, "rs_cf_model_set_int: option %d = %lld outside %lld .. %lld",
                        option, value, int_options[option].lo, int_options[option].hi);
    model->iopt[option] = value;
    return RS_OK;
}

static double *double_option(rs_cf_model *m, int option)
{
    switch (option) {
    case RS_CF_ALPHA: return &m->alpha;
    case RS_CF_LAMBDA: return &m->lambda;
    case RS_CF_SHRINK: return &m->shrink;
    case RS_CF_INIT_SCALE: return &m->init_scale;
    case RS_CF_BETA: return &m->beta;
    case RS_CF_DROPOUT: return &m->dropout;
    case RS_CF_IDEAL_WEIGHT: return &m->ideal_weight;
    default: return NULL;
    }
}

int rs_cf_model_set_double(rs_cf_model *model, int option, double value)
{
    if (!model)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_set_double: model is NULL");
    double *slot = double_option(model, option);
    if (!slot)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_set_double: %d is not a double option",
                        option);
    if (!isfinite(value) || value < 0.0 || value > 1e30)
        return rs__fail(RS_ERR_RANGE, "rs_cf_model_set_double: option %d = %g must be finite "
                        "and >= 0", option, value);
    if (option == RS_CF_DROPOUT && !(value < 1.0))
        return rs__fail(RS_ERR_RANGE, "rs_cf_model_set_double: RS_CF_DROPOUT = %g must be < 1",
                        value);
    *slot = value;
    return RS_OK;
}

int rs_cf_model_get_int(const rs_cf_model *model, int option, long long *out)
{
    if (!model || !out)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_get_int: %s is NULL",
                        !model ? "model" : "out");
    if (option < 0 || option >= RS__CF_INT_OPTIONS)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_get_int: %d is not an int option", option);
    *out = model->iopt[option];
    return RS_OK;
}

int rs_cf_model_get_double(const rs_cf_model *model, int option, double *out)
{
    if (!model || !out)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_get_double: %s is NULL",
                        !model ? "model" : "out");
    double *slot = double_option((rs_cf_model *)model, option);
    if (!slot)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_get_double: %d is not a double option",
                        option);
    *out = *slot;
    return RS_OK;
}

int rs_cf_model_fit(rs_cf_model *model, const rs_cf_matrix *matrix)
{
    if (!model || !matrix)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_fit: %s is NULL",
                        !model ? "model" : "matrix");
    /* Fit into a scratch model so that a failure leaves the old fit. */
    struct rs_cf_model fit = *model;
    fit.user_factors = fit.item_factors = fit.gram = NULL;
    fit.loss = NULL;
    fit.nb_start = NULL;
    fit.nb_target = NULL;
    fit.nb_sim = fit.ease = NULL;
    fit.rows = NULL;
    fit.pair_a = fit.pair_b = NULL;
    fit.pair_start = NULL;
    fit.pair_w = NULL;
    fit.n_pairs = 0;
    fit.fitted = false;
    fit.n_loss = fit.nb_count = 0;
    int rc;
    switch (model->kind) {
    case RS_CF_ALS: rc = rs__cf_als_fit(&fit, matrix); break;
    case RS_CF_ITEMKNN: rc = rs__cf_knn_fit(&fit, matrix); break;
    case RS_CF_RP3BETA: rc = rs__cf_rp3_fit(&fit, matrix); break;
    case RS_CF_GFCF: rc = rs__cf_gfcf_fit(&fit, matrix); break;
    case RS_CF_EASE_PAIRS: rc = rs__cf_pairs_fit(&fit, matrix); break;
    default: rc = rs__cf_ease_fit(&fit, matrix); break; /* EASE, EDLAE */
    }
    if (rc < 0) {
        rs__cf_fit_clear(&fit);
        return rc;
    }
    fit.fitted = true;
    rs__cf_fit_move(model, &fit);
    /* a new fit, new items: the old keys name nothing */
    rs__idmap_free(model->keys);
    model->keys = NULL;
    return RS_OK;
}

int rs_cf_model_kind(const rs_cf_model *model) { return model ? model->kind : -1; }
size_t rs_cf_model_dim(const rs_cf_model *model) { return model && model->fitted ? model->dim : 0; }
size_t rs_cf_model_users(const rs_cf_model *model)
{
    return model && model->fitted ? model->n_users : 0;
}
size_t rs_cf_model_items(const rs_cf_model *model)
{
    return model && model->fitted ? model->n_items : 0;
}

int rs_cf_model_loss(const rs_cf_model *model, size_t iteration, double *loss_out)
{
    if (!model || !loss_out)
        return rs__fail(RS_ERR_INVALID, "rs_cf_model_loss: %s is NULL",
                        !model ? "model" : "loss_out");
    if (model->kind != RS_CF_ALS || !model->fitted || !model->loss)
        return rs__fail(RS_ERR_STATE, "rs_cf_model_loss: no loss recorded (fit an ALS model "
                        "with RS_CF_REPORT_LOSS = 1)");
    if (iteration >= model->n_loss)
        return rs__fail(RS_ERR_RANGE, "rs_cf_model_loss: iteration %zu beyond the last (%zu)",
                        iteration, model->n_loss);
    *loss_out = model->loss[iteration];
    return RS_OK;
}

static int need_als(const rs_cf_model *m, const char *fn, const void *out, size_t dim)
{
    if (!m || !out)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, !m ? "model" : "output");
    if (m->kind != RS_CF_ALS || !m->fitted)
        return rs__fail(RS_ERR_STATE, "%s: not a fitted ALS model", fn);
    if (dim != m->dim)
        return rs__fail(RS_ERR_DIM, "%s: dim %zu, the model has %zu factors", fn, dim, m->dim);
    return RS_OK;
}

int rs_cf_model_user_factors(const rs_cf_model *model, uint32_t user, float *factors_out,
                             size_t dim)
{
    int rc = need_als(model, "rs_cf_model_user_factors", factors_out, dim);
    if (rc < 0)
        return rc;
    if (user >= model->n_users)
        return rs__fail(RS_ERR_RANGE, "rs_cf_model_user_factors: user %u out of range (%zu)",
                        user, model->n_users);
    memcpy(factors_out, model->user_factors + (size_t)user * dim, dim * sizeof(float));
    return RS_OK;
}

int rs_cf_model_item_factors(const rs_cf_model *model, uint32_t item, float *factors_out,
                             size_t dim)
{
    int rc = need_als(model, "rs_cf_model_item_factors", factors_out, dim);
    if (rc < 0)
        return rc;
    if (item >= model->n_items)
        return rs__fail(RS_ERR_RANGE, "rs_cf_model_item_factors: item %u out of range (%zu)",
                        item, model->n_items);
    memcpy(factors_out, model->item_factors + (size_t)item * dim, dim * sizeof(float));
    return RS_OK;
}

static int check_history(const rs_cf_model *m, const char *fn, const uint32_t *items,
                         const float *weights, size_t n)
{
    if (n > 0 && !items)
        return rs__fail(RS_ERR_INVALID, "%s: items is NULL", fn);
    for (size_t e = 0; e < n; e++) {
        if (items[e] >= m->n_items)
            return rs__fail(RS_ERR_RANGE, "%s: items[%zu] = %u out of range (%zu items)", fn, e,
                            items[e], m->n_items);
        if (weights && !(isfinite(weights[e]) && weights[e] > 0.0f))
            return rs__fail(RS_ERR_RANGE, "%s: weights[%zu] = %g is not finite and > 0", fn, e,
                            (double)weights[e]);
    }
    return RS_OK;
}

typedef struct history {
    uint32_t item;
    float weight;
} history;

static int history_cmp(const void *a, const void *b)
{
    uint32_t x = ((const history *)a)->item, y = ((const history *)b)->item;
    return (x > y) - (x < y);
}

int rs_cf_model_fold_in(const rs_cf_model *model, const uint32_t *items, const float *weights,
                        size_t n, float *factors_out, size_t dim)
{
    const char *fn = "rs_cf_model_fold_in";
    int rc = need_als(model, fn, factors_out, dim);
    if (rc == 0)
        rc = check_history(model, fn, items, weights, n);
    if (rc < 0)
        return rc;
    /* Repeated items are merged first (as rs_cf_matrix_create does): one
     * term per item, weights summed. */
    float *scratch = rs__alloc_array(3 * dim, sizeof *scratch);
    history *h = rs__alloc_array(n ? n : 1, sizeof *h);
    uint32_t *merged_items = rs__alloc_array(n ? n : 1, sizeof *merged_items);
    float *merged_weights = rs__alloc_array(n ? n : 1, sizeof *merged_weights);
    if (!scratch || !h || !merged_items || !merged_weights) {
        free(scratch);
        free(h);
        free(merged_items);
        free(merged_weights);
        return RS_ERR_NOMEM;
    }
    for (size_t e = 0; e < n; e++) {
        h[e].item = items[e];
        h[e].weight = weights ? weights[e] : 1.0f;
    }
    qsort(h, n, sizeof *h, history_cmp);
    size_t m = 0;
    for (size_t e = 0; e < n; e++) {
        if (m > 0 && merged_items[m - 1] == h[e].item) {
            merged_weights[m - 1] += h[e].weight;
            continue;
        }
        merged_items[m] = h[e].item;
        merged_weights[m++] = h[e].weight;
    }
    memset(factors_out, 0, dim * sizeof *factors_out);
    unsigned steps = model->iopt[RS_CF_FOLDIN_STEPS] ? (unsigned)model->iopt[RS_CF_FOLDIN_STEPS]
                                                     : (unsigned)dim;
    rs__cf_cg_row(model->gram, model->item_factors, dim, merged_items, merged_weights, m,
                  (float)model->fit_alpha, steps, factors_out, scratch);
    free(scratch);
    free(h);
    free(merged_items);
    free(merged_weights);
    return RS_OK;
}

/*
 * EASE scores: out[j] = sum over the history, in its order, of w_e * B[i_e][j]
 * (out zeroed by the caller).  Every element sees the same operations in the
 * same order in both kernels -- a product rounded to float, then a float add,
 * row after row -- so they agree bit for bit; the vector one takes four rows
 * per pass over out (the adds still row by row) and 16 columns at a time.
 */
static void ease_sum(const float *restrict b, size_t stride, size_t n_items,
                     const uint32_t *items, const float *weights, size_t n,
                     float *restrict out)
{
    for (size_t e = 0; e < n; e++) {
        float w = weights ? weights[e] : 1.0f;
        const float *restrict row = b + (size_t)items[e] * stride;
        for (size_t j = 0; j < n_items; j++) {
            float p = w * row[j]; /* two statements: never contracted to an FMA */
            out[j] += p;
        }
    }
}

static atomic_int ease_forced_portable = 0;

void rs__cf_force_portable(int on)
{
    atomic_store(&ease_forced_portable, on ? 1 : 0);
}

#if RS_HAVE_EASE_AVX512
static bool ease_use_avx512(void)
{
    if (atomic_load(&ease_forced_portable))
        return false;
    return rs__cpu_has(RS_CPU_AVX512F);
}

__attribute__((target("avx512f"))) static void
ease_sum_avx512(const float *b, size_t stride, size_t n_items, const uint32_t *items,
                const float *weights, size_t n, float *out)
{
    size_t full = n_items / 16 * 16;
    __mmask16 tail = (__mmask16)((1u << (n_items - full)) - 1u);
    size_t e = 0;
    for (; e + 4 <= n; e += 4) {
        const float *r0 = b + (size_t)items[e] * stride, *r1 = b + (size_t)items[e + 1] * stride,
                    *r2 = b + (size_t)items[e + 2] * stride,
                    *r3 = b + (size_t)items[e + 3] * stride;
        __m512 w0 = _mm512_set1_ps(weights ? weights[e] : 1.0f),
               w1 = _mm512_set1_ps(weights ? weights[e + 1] : 1.0f),
               w2 = _mm512_set1_ps(weights ? weights[e + 2] : 1.0f),
               w3 = _mm512_set1_ps(weights ? weights[e + 3] : 1.0f);
        size_t j = 0;
        for (; j < full; j += 16) {
            __m512 acc = _mm512_loadu_ps(out + j);
            acc = _mm512_add_ps(acc, _mm512_mul_ps(w0, _mm512_loadu_ps(r0 + j)));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(w1, _mm512_loadu_ps(r1 + j)));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(w2, _mm512_loadu_ps(r2 + j)));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(w3, _mm512_loadu_ps(r3 + j)));
            _mm512_storeu_ps(out + j, acc);
        }
        if (tail) {
            __m512 acc = _mm512_maskz_loadu_ps(tail, out + j);
            acc = _mm512_add_ps(acc, _mm512_mul_ps(w0, _mm512_maskz_loadu_ps(tail, r0 + j)));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(w1, _mm512_maskz_loadu_ps(tail, r1 + j)));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(w2, _mm512_maskz_loadu_ps(tail, r2 + j)));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(w3, _mm512_maskz_loadu_ps(tail, r3 + j)));
            _mm512_mask_storeu_ps(out + j, tail, acc);
        }
    }
    for (; e < n; e++) {
        const float *r0 = b + (size_t)items[e] * stride;
        __m512 w0 = _mm512_set1_ps(weights ? weights[e] : 1.0f);
        size_t j = 0;
        for (; j < full; j += 16)
            _mm512_storeu_ps(out + j,
                             _mm512_add_ps(_mm512_loadu_ps(out + j),
                                           _mm512_mul_ps(w0, _mm512_loadu_ps(r0 + j))));
        if (tail)
            _mm512_mask_storeu_ps(
                out + j, tail,
                _mm512_add_ps(_mm512_maskz_loadu_ps(tail, out + j),
                              _mm512_mul_ps(w0, _mm512_maskz_loadu_ps(tail, r0 + j))));
    }
}
#endif

/* The kernel of the machine: bitwise the same sums either way. */
static void ease_kernel_cols(const float *b, size_t stride, size_t n_items,
                             const uint32_t *items, const float *weights, size_t n,
                             float *out)
{
#if RS_HAVE_EASE_AVX512
    if (ease_use_avx512()) {
        ease_sum_avx512(b, stride, n_items, items, weights, n, out);
        return;
    }
#endif
    ease_sum(b, stride, n_items, items, weights, n, out);
}

static void ease_kernel(const float *b, size_t n_items, const uint32_t *items,
                        const float *weights, size_t n, float *out)
{
    ease_kernel_cols(b, n_items, n_items, items, weights, n, out);
}

/* ------------------------------------------------- rows read from the file */

/*
 * A dense operator left in the file (rs__cf_model_load_rows): an open blob
 * handle on the meta row (it keeps the connection's read snapshot, and
 * SQLite's map of the overflow pages, so a row is one seek), read under
 * lock.  full: the whole operator once read (published with release
 * order, never changed after).
 */
#define ROWS_CHUNK 64 /* rows read per lock; a multiple of the kernel's 4 */

struct rs__cf_rows {
    pthread_mutex_t lock;
    sqlite3_blob *blob;
    size_t offset;    /* of row 0 in the blob */
    size_t rows_read; /* under lock */
    float *_Atomic full;
    char *key; /* the meta key, for messages */
};

static void rows_free(struct rs__cf_rows *r)
{
    if (!r)
        return;
    sqlite3_blob_close(r->blob);
    pthread_mutex_destroy(&r->lock);
    free(atomic_load_explicit(&r->full, memory_order_relaxed));
    free(r->key);
    free(r);
}

/* bytes at off of the blob (a blob is under 2 GiB: both fit an int; the
 * caller checked off + len against the blob's size) */
static int rows_read_at(struct rs__cf_rows *r, void *dst, size_t len, size_t off)
{
    int rc = sqlite3_blob_read(r->blob, dst, (int)len, (int)off);
    if (rc != SQLITE_OK)
        return rs__fail(rc == SQLITE_NOMEM ? RS_ERR_NOMEM : RS_ERR_IO,
                        "rs_cf_model_score: table meta: key \"%s\": reading %zu bytes at %zu: %s",
                        r->key, len, off, sqlite3_errstr(rc));
    return RS_OK;
}

/* The whole operator, read once (under r->lock). */
static int rows_materialize(const rs_cf_model *m, struct rs__cf_rows *r)
{
    size_t nn, bytes;
    float *full;
    int rc;
    if (atomic_load_explicit(&r->full, memory_order_relaxed))
        return RS_OK;
    if ((rc = rs__mul_size(m->n_items, m->n_items, &nn)) < 0 ||
        (rc = rs__mul_size(nn, sizeof *full, &bytes)) < 0)
        return rc;
    if (!(full = rs__alloc_array(nn, sizeof *full)))
        return RS_ERR_NOMEM;
    if ((rc = rows_read_at(r, full, bytes, r->offset)) < 0) {
        free(full);
        return rc;
    }
    atomic_store_explicit(&r->full, full, memory_order_release);
    return RS_OK;
}

bool rs__cf_rows_in_memory(const rs_cf_model *m)
{
    return m->rows && atomic_load_explicit(&m->rows->full, memory_order_acquire);
}

/* The operator in memory, read whole if it was not yet (for save). */
static const float *dense_operator(const rs_cf_model *m)
{
    struct rs__cf_rows *r = m->rows;
    const float *full;
    int rc;
    if (!r)
        return m->ease;
    if ((full = atomic_load_explicit(&r->full, memory_order_acquire)))
        return full;
    pthread_mutex_lock(&r->lock);
    rc = rows_materialize(m, r);
    pthread_mutex_unlock(&r->lock);
    return rc < 0 ? NULL : atomic_load_explicit(&r->full, memory_order_acquire);
}

/*
 * Scores from rows read from the file: the history's rows ROWS_CHUNK at a
 * time into a buffer, the kernel over them in the history's order (so
 * grouped into fours exactly as over the whole operator).  Once the rows read
 * by all calls reach the operator's size, the whole of it is read and kept.
 */
static int rows_score(const rs_cf_model *m, const uint32_t *items, const float *weights,
                      size_t n, float *out)
{
    struct rs__cf_rows *r = m->rows;
    size_t n_items = m->n_items, row_bytes = n_items * sizeof(float), chunk;
    const float *full = atomic_load_explicit(&r->full, memory_order_acquire);
    float *buf;
    uint32_t index[ROWS_CHUNK];
    int rc = RS_OK;
    if (!full) {
        pthread_mutex_lock(&r->lock);
        if (r->rows_read >= n_items || n >= n_items - r->rows_read)
            rc = rows_materialize(m, r);
        else
            r->rows_read += n;
        pthread_mutex_unlock(&r->lock);
        if (rc < 0)
            return rc;
        full = atomic_load_explicit(&r->full, memory_order_acquire);
    }
    if (full) {
        ease_kernel(full, n_items, items, weights, n, out);
        return RS_OK;
    }
    chunk = n < ROWS_CHUNK ? n : ROWS_CHUNK;
    if (!(buf = rs__alloc_array(chunk ? chunk : 1, row_bytes)))
        return RS_ERR_NOMEM;
    for (uint32_t k = 0; k < ROWS_CHUNK; k++)
        index[k] = k;
    for (size_t e = 0; e < n && rc == RS_OK; e += chunk) {
        size_t rows = n - e < chunk ? n - e : chunk;
        pthread_mutex_lock(&r->lock);
        for (size_t k = 0; k < rows && rc == RS_OK; k++)
            rc = rows_read_at(r, buf + k * n_items, row_bytes,
                              r->offset + (size_t)items[e + k] * row_bytes);
        pthread_mutex_unlock(&r->lock);
        if (rc == RS_OK)
            ease_kernel(buf, n_items, index, weights ? weights + e : NULL, rows, out);
    }
    free(buf);
    return rc;
}

static int score_rows(const rs_cf_model *model, const uint32_t *items, const float *weights,
                      size_t n, float *scores_out);

int rs_cf_model_score(const rs_cf_model *model, const uint32_t *items, const float *weights,
                      size_t n, float *scores_out, size_t n_items)
{
    const char *fn = "rs_cf_model_score";
    if (!model || !scores_out)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, !model ? "model" : "scores_out");
    if (!model->fitted)
        return rs__fail(RS_ERR_STATE, "%s: the model is not fitted", fn);
    if (n_items != model->n_items)
        return rs__fail(RS_ERR_DIM, "%s: n_items %zu, the model has %zu items", fn, n_items,
                        model->n_items);
    int rc = check_history(model, fn, items, weights, n);
    if (rc < 0)
        return rc;
    if (model->kind == RS_CF_ALS) {
        size_t f = model->dim;
        float *x = rs__alloc_array(f, sizeof *x);
        if (!x)
            return RS_ERR_NOMEM;
        rc = rs_cf_model_fold_in(model, items, weights, n, x, f);
        if (rc == 0)
            for (size_t i = 0; i < n_items; i++) {
                const float *y = model->item_factors + i * f;
                float s = 0.0f;
                for (size_t k = 0; k < f; k++)
                    s += x[k] * y[k];
                scores_out[i] = s;
            }
        free(x);
        return rc;
    }
    memset(scores_out, 0, n_items * sizeof *scores_out);
    if (model->kind == RS_CF_EASE_PAIRS) {
        ease_kernel(model->ease, n_items, items, weights, n, scores_out);
        return rs__cf_pairs_score(model, items, n, scores_out);
    }
    return score_rows(model, items, weights, n, scores_out);
}

/*
 * out += the scores of a history's rows, for the kinds whose score is a sum
 * of one row per history entry added in the history's order (the dense
 * operators and item-kNN): the very adds rs_cf_model_score makes after
 * zeroing out, so a sum kept for a history and extended by its new entries
 * has the bits of the whole history scored at once.
 */
bool rs__cf_model_additive(const rs_cf_model *model)
{
    return model && model->fitted && model->kind != RS_CF_ALS &&
           model->kind != RS_CF_EASE_PAIRS;
}

/* The adds of an additive kind, the history checked. */
static int score_rows(const rs_cf_model *model, const uint32_t *items, const float *weights,
                      size_t n, float *scores_out)
{
    if (rs__cf_dense_kind(model->kind)) {
        if (model->rows)
            return rows_score(model, items, weights, n, scores_out);
        ease_kernel(model->ease, model->n_items, items, weights, n, scores_out);
        return RS_OK;
    }
    for (size_t e = 0; e < n; e++) {
        float w = weights ? weights[e] : 1.0f;
        for (size_t p = model->nb_start[items[e]]; p < model->nb_start[items[e] + 1]; p++)
            scores_out[model->nb_target[p]] += w * model->nb_sim[p];
    }
    return RS_OK;
}

int rs__cf_model_score_add(const rs_cf_model *model, const uint32_t *items,
                           const float *weights, size_t n, float *scores_out)
{
    const char *fn = "rs_cf_model_score";
    if (!rs__cf_model_additive(model) || !scores_out)
        return rs__fail(RS_ERR_INVALID, "%s: %s", fn,
                        !scores_out ? "scores_out is NULL"
                                    : "the model is not fitted or not a sum of rows");
    int rc = check_history(model, fn, items, weights, n);
    return rc < 0 ? rc : score_rows(model, items, weights, n, scores_out);
}

bool rs__cf_model_columns(const rs_cf_model *model)
{
    return model && model->fitted && rs__cf_dense_kind(model->kind) &&
           model->kind != RS_CF_EASE_PAIRS;
}

int rs__cf_model_score_add_cols(const rs_cf_model *model, const uint32_t *items,
                                const float *weights, size_t n, size_t j0, size_t j1,
                                float *scores_out)
{
    const char *fn = "rs_cf_model_score";
    if (!rs__cf_model_columns(model) || !scores_out || j0 > j1 || j1 > model->n_items)
        return rs__fail(RS_ERR_INVALID, "%s: no dense model, no output or columns %zu .. %zu "
                        "outside 0 .. %zu", fn, j0, j1, model ? model->n_items : 0);
    int rc = check_history(model, fn, items, weights, n);
    if (rc < 0)
        return rc;
    const float *b = dense_operator(model); /* the file's rows: read whole once */
    if (!b)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for the operator", fn);
    ease_kernel_cols(b + j0, model->n_items, j1 - j0, items, weights, n, scores_out + j0);
    return RS_OK;
}

/* ----------------------------------------------------------- persistence */

/*
 * Blob layout (little-endian host order; the magic tells a foreign one):
 * "RSCF", u32 format version, u32 kind, u32 0, u64 n_users, n_items, dim,
 * i64 int options[9], f64 alpha, lambda, shrink, init_scale, beta, dropout,
 * ideal weight, fit alpha, fit lambda, u64 count (neighbour entries), then
 * the arrays of the kind, then u64 XXH3 of everything before it.
 * Format 1 (release 1.0: kinds ALS, item-kNN, EASE) had 8 int options and
 * the doubles alpha, lambda, shrink, init_scale, fit alpha, fit lambda; it
 * is still read.
 */
#define CF_FORMAT 2u
#define CF_DOUBLES 9
#define CF_HEADER_SIZE(n_int, n_double) (16 + 3 * 8 + (n_int) * 8 + (n_double) * 8 + 8)
/* RS_CF_PAIRS (int option 9) is not in the header: an EASE pairs body
 * starts with it (u64), then B, the pairs (u32 a, then u32 b) and C. */
#define CF_HEADER_INTS 9
#define CF_HEADER CF_HEADER_SIZE(CF_HEADER_INTS, CF_DOUBLES)

typedef struct blob_writer {
    unsigned char *data;
    size_t len;
} blob_writer;

static void put(blob_writer *w, const void *src, size_t len)
{
    memcpy(w->data + w->len, src, len);
    w->len += len;
}

static int arrays_size(const rs_cf_model *m, size_t *out)
{
    size_t a = 0, b = 0, c = 0;
    int rc = 0;
    if (m->kind == RS_CF_ALS) {
        if ((rc = rs__add_size(m->n_users, m->n_items, &a)) < 0 ||
            (rc = rs__mul_size(a, m->dim, &b)) < 0 || (rc = rs__mul_size(b, 4, &c)) < 0)
            return rc;
    } else if (rs__cf_sparse_kind(m->kind)) {
        if ((rc = rs__mul_size(m->n_items + 1, 8, &a)) < 0 ||
            (rc = rs__mul_size(m->nb_count, 8, &b)) < 0 || (rc = rs__add_size(a, b, &c)) < 0)
            return rc;
    } else {
        if ((rc = rs__mul_size(m->n_items, m->n_items, &a)) < 0 ||
            (rc = rs__mul_size(a, 4, &c)) < 0)
            return rc;
        if (m->kind == RS_CF_EASE_PAIRS) { /* 8 + 8 per pair + C */
            size_t d = 0, e = 0;
            if ((rc = rs__add_size(m->n_items, 2, &d)) < 0 ||
                (rc = rs__mul_size(m->n_pairs, d, &e)) < 0 ||
                (rc = rs__mul_size(e, 4, &d)) < 0 || (rc = rs__add_size(c, d, &e)) < 0 ||
                (rc = rs__add_size(e, 8, &c)) < 0)
                return rc;
        }
    }
    *out = c;
    return RS_OK;
}

static int meta_key(const char *name, const char *fn, char **out)
{
    size_t len;
    int rc = rs__check_key(name, "name", &len);
    if (rc < 0)
        return rs__fail_context("%s: ", fn);
    char *key = rs__malloc(len + sizeof RS__CF_MODEL_FIELD + 1);
    if (!key)
        return RS_ERR_NOMEM;
    if ((rc = rs__store_key(key, len + sizeof RS__CF_MODEL_FIELD + 1, RS__CF_MODEL_FIELD,
                            name)) < 0) {
        free(key);
        return rc;
    }
    *out = key;
    return RS_OK;
}

int rs_cf_model_save(const rs_cf_model *model, rs_graph *graph, const char *name)
{
    const char *fn = "rs_cf_model_save";
    if (!model || !graph || !name)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !model ? "model" : !graph ? "graph" : "name");
    if (!model->fitted)
        return rs__fail(RS_ERR_STATE, "%s: the model is not fitted", fn);
    if (rs__graph_readonly(graph))
        return rs__fail(RS_ERR_READONLY, "%s: the graph is read-only", fn);
    char *key = NULL;
    int rc = meta_key(name, fn, &key);
    if (rc < 0)
        return rc;
    size_t body, total;
    if ((rc = arrays_size(model, &body)) < 0 || (rc = rs__add_size(body, CF_HEADER + 8, &total)) < 0) {
        free(key);
        return rc;
    }
    const float *ease = rs__cf_dense_kind(model->kind) ? dense_operator(model) : NULL;
    if (rs__cf_dense_kind(model->kind) && !ease) {
        free(key);
        return rs__fail_context("%s: ", fn);
    }
    blob_writer w = {rs__malloc(total), 0};
    if (!w.data) {
        free(key);
        return RS_ERR_NOMEM;
    }
    uint32_t head[4] = {0, CF_FORMAT, (uint32_t)model->kind, 0};
    memcpy(head, "RSCF", 4);
    put(&w, head, sizeof head);
    uint64_t sizes[3] = {model->n_users, model->n_items, model->dim};
    put(&w, sizes, sizeof sizes);
    int64_t iopt[CF_HEADER_INTS];
    for (int o = 0; o < CF_HEADER_INTS; o++)
        iopt[o] = model->iopt[o];
    put(&w, iopt, sizeof iopt);
    double dopt[CF_DOUBLES] = {model->alpha,   model->lambda,       model->shrink,
                               model->init_scale, model->beta,   model->dropout,
                               model->ideal_weight, model->fit_alpha, model->fit_lambda};
    put(&w, dopt, sizeof dopt);
    uint64_t count = model->kind == RS_CF_EASE_PAIRS ? model->n_pairs : model->nb_count;
    put(&w, &count, sizeof count);
    if (model->kind == RS_CF_ALS) {
        put(&w, model->user_factors, model->n_users * model->dim * 4);
        put(&w, model->item_factors, model->n_items * model->dim * 4);
    } else if (rs__cf_sparse_kind(model->kind)) {
        for (size_t i = 0; i <= model->n_items; i++) {
            uint64_t s = model->nb_start[i];
            put(&w, &s, 8);
        }
        put(&w, model->nb_target, model->nb_count * 4);
        put(&w, model->nb_sim, model->nb_count * 4);
    } else if (model->kind == RS_CF_EASE_PAIRS) {
        int64_t pairs = model->iopt[RS_CF_PAIRS];
        put(&w, &pairs, 8);
        put(&w, model->ease, model->n_items * model->n_items * 4);
        put(&w, model->pair_a, model->n_pairs * 4);
        put(&w, model->pair_b, model->n_pairs * 4);
        put(&w, model->pair_w, model->n_pairs * model->n_items * 4);
    } else {
        put(&w, ease, model->n_items * model->n_items * 4);
    }
    uint64_t trailer = 0;
    put(&w, &trailer, 8);
    rs__blob_seal(w.data, w.len);
    rc = rs__graph_meta_set(graph, key, w.data, w.len);
    if (rc == RS_OK)
        rc = rs__cf_keys_save(model, graph, name);
    free(w.data);
    free(key);
    return rc < 0 ? rs__fail_context("%s: ", fn) : RS_OK;
}

/* No NaN or infinity: no exponent of all ones.  Blocks of 16 without an
 * early exit, so that the compiler vectorises them (tens of MB at a load). */
static bool all_finite(const float *v, size_t n)
{
    size_t k = 0;
    for (; k + 16 <= n; k += 16) {
        uint32_t bits[16], bad = 0;
        memcpy(bits, v + k, sizeof bits);
        for (int j = 0; j < 16; j++)
            bad |= (bits[j] & 0x7f800000u) == 0x7f800000u;
        if (bad)
            return false;
    }
    for (; k < n; k++)
        if (!isfinite(v[k]))
            return false;
    return true;
}

/* RS_ERR_CORRUPT naming the table and key, after the function's name. */
static int corrupt(const char *fn, const char *key, const char *what)
{
    rs__store_corrupt("meta", key, what);
    return rs__fail_context("%s: ", fn);
}

/* The checks made before the checksum: "RSCF", the format, a length that
 * holds the header; *header_out: the header's size.  Reads d[0 .. 16). */
static int blob_head(const unsigned char *d, size_t len, const char *fn, const char *key,
                     size_t *header_out)
{
    uint32_t head[4];
    if (len < CF_HEADER_SIZE(8, 6) + 8 || memcmp(d, "RSCF", 4) != 0)
        return corrupt(fn, key, "damaged blob (not a saved model: truncated or bad magic)");
    memcpy(head, d, 16);
    if (head[1] > CF_FORMAT)
        return rs__fail(RS_ERR_VERSION, "%s: \"%s\" has format %u, newer than this library's %u",
                        fn, key, head[1], CF_FORMAT);
    /* format 1: 8 int options, no beta, dropout, ideal weight */
    size_t n_int = head[1] < 2 ? 8 : CF_HEADER_INTS, n_double = head[1] < 2 ? 6 : CF_DOUBLES;
    size_t header = CF_HEADER_SIZE(n_int, n_double);
    if (head[1] < 1 || len < header + 8 || (head[1] < 2 && head[2] > RS_CF_EASE))
        return rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": format %u, kind %u, %zu bytes", fn, key,
                        head[1], head[2], len);
    *header_out = header;
    return RS_OK;
}

/* The model the header d[0 .. header) describes (blob_head passed, the
 * checksum matched), its arrays not yet read; checks their size against
 * the blob's len. */
static int blob_model(const unsigned char *d, size_t len, size_t header, const char *fn,
                      const char *key, rs_cf_model **out)
{
    rs_cf_model *m = NULL;
    int rc;
    uint32_t head[4];
    uint64_t sizes[3], count;
    int64_t iopt[RS__CF_INT_OPTIONS];
    double dopt[CF_DOUBLES];
    memcpy(head, d, 16);
    size_t n_int = head[1] < 2 ? 8 : CF_HEADER_INTS, n_double = head[1] < 2 ? 6 : CF_DOUBLES;
    memcpy(sizes, d + 16, sizeof sizes);
    for (int o = 0; o < RS__CF_INT_OPTIONS; o++)
        iopt[o] = int_options[o].def;
    memcpy(iopt, d + 40, n_int * 8);
    if (n_double == CF_DOUBLES) {
        memcpy(dopt, d + 40 + n_int * 8, sizeof dopt);
    } else { /* alpha .. init_scale, defaults, fit alpha and lambda */
        memcpy(dopt, d + 40 + n_int * 8, 4 * 8);
        dopt[4] = 0.5;
        dopt[5] = 0.25;
        dopt[6] = 0.3;
        memcpy(dopt + 7, d + 40 + n_int * 8 + 4 * 8, 2 * 8);
    }
    memcpy(&count, d + header - 8, 8);
    if ((rc = rs_cf_model_create((int)head[2], &m)) < 0) {
        if (rc != RS_ERR_NOMEM) /* out of memory is not damage */
            rc = rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": unknown kind %u", fn, key, head[2]);
        goto fail;
    }
    for (int o = 0; o < CF_HEADER_INTS; o++)
        if (rs_cf_model_set_int(m, o, iopt[o]) < 0) {
            rc = rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": option %d out of range", fn, key, o);
            goto fail;
        }
    for (int o = 0; o < 7; o++)
        if (rs_cf_model_set_double(m, RS_CF_ALPHA + o, dopt[o]) < 0) {
            rc = rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": option %d out of range", fn, key,
                          RS_CF_ALPHA + o);
            goto fail;
        }
    if (!isfinite(dopt[7]) || !isfinite(dopt[8])) {
        rc = rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": a non-finite fitted alpha or lambda", fn, key);
        goto fail;
    }
    m->n_users = sizes[0];
    m->n_items = sizes[1];
    m->dim = sizes[2];
    if (m->kind == RS_CF_EASE_PAIRS)
        m->n_pairs = count;
    else
        m->nb_count = count;
    m->fit_alpha = dopt[7];
    m->fit_lambda = dopt[8];
    size_t body;
    /* only ALS has factors (1..1024 of them); the other kinds are saved with 0 */
    if (m->kind == RS_CF_ALS ? sizes[2] < 1 || sizes[2] > 1024 : sizes[2] != 0) {
        rc = rs__fail(RS_ERR_CORRUPT, "%s: table meta: key \"%s\": dim %llu is not valid for "
                      "a %s model (%s)", fn, key, (unsigned long long)sizes[2],
                      m->kind == RS_CF_ALS ? "ALS" : "non-ALS",
                      m->kind == RS_CF_ALS ? "1 to 1024" : "must be 0");
        goto fail;
    }
    bool shape_ok = sizes[0] <= UINT32_MAX && sizes[1] >= 1 && sizes[1] <= UINT32_MAX &&
                    count <= ((uint64_t)1 << 40) &&
                    (rs__cf_sparse_kind(m->kind) || m->kind == RS_CF_EASE_PAIRS || count == 0);
    if (!shape_ok || arrays_size(m, &body) < 0 || body != len - header - 8) {
        rc = rs__fail(RS_ERR_CORRUPT, "%s: table meta: key \"%s\": shape %llu x %llu x %llu "
                      "(%llu neighbours) does not match its %zu bytes", fn, key,
                      (unsigned long long)sizes[0], (unsigned long long)sizes[1],
                      (unsigned long long)sizes[2], (unsigned long long)count, len);
        goto fail;
    }
    *out = m;
    return RS_OK;
fail:
    rs_cf_model_free(m);
    return rc;
}

/* An EASE pairs body at a (its size checked): option, B, pairs, C. */
static int pairs_load(rs_cf_model *m, const unsigned char *a, const char *fn, const char *key)
{
    size_t n = m->n_items, np = m->n_pairs, nn = n * n, pn = np * n;
    int64_t option;
    bool ok = true;
    memcpy(&option, a, 8);
    if (rs_cf_model_set_int(m, RS_CF_PAIRS, option) < 0 || np > (uint64_t)option)
        return rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": %zu pairs, option %lld", fn, key, np,
                        (long long)option);
    m->ease = rs__alloc_array(nn, 4);
    m->pair_a = rs__alloc_array(np ? np : 1, 4);
    m->pair_b = rs__alloc_array(np ? np : 1, 4);
    m->pair_w = rs__alloc_array(pn ? pn : 1, 4);
    if (!m->ease || !m->pair_a || !m->pair_b || !m->pair_w)
        return RS_ERR_NOMEM;
    a += 8;
    memcpy(m->ease, a, nn * 4);
    memcpy(m->pair_a, a + nn * 4, np * 4);
    memcpy(m->pair_b, a + nn * 4 + np * 4, np * 4);
    memcpy(m->pair_w, a + nn * 4 + np * 8, pn * 4);
    /* a < b < n, ascending by (a, b), no repeat */
    for (size_t p = 0; ok && p < np; p++)
        ok = m->pair_a[p] < m->pair_b[p] && m->pair_b[p] < n &&
             (p == 0 || m->pair_a[p - 1] < m->pair_a[p] ||
              (m->pair_a[p - 1] == m->pair_a[p] && m->pair_b[p - 1] < m->pair_b[p]));
    if (!ok)
        return rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": bad item pairs", fn, key);
    if (!all_finite(m->ease, nn) || !all_finite(m->pair_w, pn))
        return rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": a non-finite weight", fn, key);
    return rs__cf_pairs_index(m);
}

int rs_cf_model_load(rs_graph *graph, const char *name, rs_cf_model **out)
{
    const char *fn = "rs_cf_model_load";
    if (out)
        *out = NULL;
    if (!graph || !name || !out)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !graph ? "graph" : !name ? "name" : "out");
    char *key = NULL;
    int rc = meta_key(name, fn, &key);
    if (rc < 0)
        return rc;
    void *value = NULL;
    size_t len = 0;
    rc = rs__graph_meta_get(graph, key, &value, &len);
    if (rc < 0) {
        rc = rc == RS_ERR_NOTFOUND
                 ? rs__fail(RS_ERR_NOTFOUND, "%s: no model \"%s\" in the file", fn, name)
                 : rs__fail_context("%s: ", fn);
        free(key);
        return rc;
    }
    const unsigned char *d = value;
    rs_cf_model *m = NULL;
    size_t header, header_end;
    if ((rc = blob_head(d, len, fn, key, &header)) < 0)
        goto fail;
    if ((rc = rs__blob_check(d, len, "RSCF", 4, "meta", key, &header_end)) < 0) {
        rc = rs__fail_context("%s: ", fn);
        goto fail;
    }
    if ((rc = blob_model(d, len, header, fn, key, &m)) < 0)
        goto fail;
    size_t count = m->nb_count;
    const unsigned char *a = d + header;
    rc = RS_ERR_NOMEM;
    if (m->kind == RS_CF_ALS) {
        size_t nu = m->n_users * m->dim, ni = m->n_items * m->dim;
        m->user_factors = rs__aligned_alloc(RS_ALIGNMENT, (nu ? nu : 1) * 4);
        m->item_factors = rs__aligned_alloc(RS_ALIGNMENT, ni * 4);
        m->gram = rs__alloc_array(m->dim * m->dim, 4);
        if (!m->user_factors || !m->item_factors || !m->gram)
            goto fail;
        memcpy(m->user_factors, a, nu * 4);
        memcpy(m->item_factors, a + nu * 4, ni * 4);
        if (!all_finite(m->user_factors, nu) || !all_finite(m->item_factors, ni)) {
            rc = rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": a non-finite factor", fn, key);
            goto fail;
        }
        if ((rc = rs__cf_als_gram(m->item_factors, m->n_items, m->dim, m->fit_lambda, m->gram)) < 0)
            goto fail;
    } else if (rs__cf_sparse_kind(m->kind)) {
        m->nb_start = rs__alloc_array(m->n_items + 1, sizeof *m->nb_start);
        m->nb_target = rs__alloc_array(count ? count : 1, 4);
        m->nb_sim = rs__alloc_array(count ? count : 1, 4);
        if (!m->nb_start || !m->nb_target || !m->nb_sim)
            goto fail;
        bool ok = true;
        for (size_t i = 0; i <= m->n_items; i++) {
            uint64_t s;
            memcpy(&s, a + 8 * i, 8);
            m->nb_start[i] = (size_t)s;
            ok = ok && s <= count && (i == 0 ? s == 0 : s >= m->nb_start[i - 1]);
        }
        ok = ok && m->nb_start[m->n_items] == count;
        memcpy(m->nb_target, a + 8 * (m->n_items + 1), count * 4);
        memcpy(m->nb_sim, a + 8 * (m->n_items + 1) + count * 4, count * 4);
        for (size_t p = 0; ok && p < count; p++)
            ok = m->nb_target[p] < m->n_items && isfinite(m->nb_sim[p]);
        if (!ok) {
            rc = rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": bad neighbour lists", fn, key);
            goto fail;
        }
    } else if (m->kind == RS_CF_EASE_PAIRS) {
        if ((rc = pairs_load(m, a, fn, key)) < 0)
            goto fail;
    } else {
        size_t nn = m->n_items * m->n_items;
        /* The matrix takes over the blob's buffer, moved to its start,
         * rather than a copy: for EASE on a few thousand items (tens of MB)
         * that is one pass less through fresh memory at every load. */
        float *shrunk;
        memmove(value, a, nn * 4);
        shrunk = realloc(value, nn * 4);
        m->ease = shrunk ? shrunk : value;
        value = NULL;
        if (!all_finite(m->ease, nn)) {
            rc = rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": a non-finite weight", fn, key);
            goto fail;
        }
    }
    m->fitted = true;
    if ((rc = rs__cf_keys_load(m, graph, name)) < 0) {
        rs__fail_context("%s: ", fn);
        goto fail;
    }
    free(value);
    free(key);
    *out = m;
    return RS_OK;
fail:
    rs_cf_model_free(m);
    free(value);
    free(key);
    return rc;
}

/* The checksum (and, past the header, the finiteness) of the blob's first
 * len - 8 bytes, read through a small buffer: the operator is not kept. */
#define ROWS_SCAN_BYTES ((size_t)1 << 18)

static int rows_scan(struct rs__cf_rows *r, size_t len, size_t header, const char *fn,
                     uint64_t *sum_out, bool *finite_out)
{
    XXH3_state_t *state = XXH3_createState();
    float *buf = rs__malloc(ROWS_SCAN_BYTES);
    bool finite = true;
    int rc = RS_OK;
    if (!state || !buf || XXH3_64bits_reset(state) != XXH_OK)
        rc = rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    for (size_t off = 0; rc == RS_OK && off < len - 8; off += ROWS_SCAN_BYTES) {
        size_t n = len - 8 - off < ROWS_SCAN_BYTES ? len - 8 - off : ROWS_SCAN_BYTES;
        if ((rc = rows_read_at(r, buf, n, off)) < 0)
            break;
        XXH3_64bits_update(state, buf, n);
        /* header and chunks are multiples of 4 bytes: whole floats */
        size_t from = off < header ? (header - off < n ? header - off : n) : 0;
        finite = finite && all_finite(buf + from / 4, (n - from) / 4);
    }
    if (rc == RS_OK)
        *sum_out = XXH3_64bits_digest(state);
    *finite_out = finite;
    XXH3_freeState(state);
    free(buf);
    return rc;
}

int rs__cf_model_load_rows(rs_graph *graph, const char *name, rs_cf_model **out)
{
    const char *fn = "rs_cf_model_load";
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    struct rs__cf_rows *r = NULL;
    rs_cf_model *m = NULL;
    unsigned char head[CF_HEADER];
    char *key = NULL;
    sqlite3_int64 rowid = 0, bytes = -1;
    uint64_t sum = 0, stored;
    size_t len, header;
    bool finite = true;
    int rc;
    if (out)
        *out = NULL;
    if (!graph || !name || !out || !rs__graph_readonly(graph))
        return rs_cf_model_load(graph, name, out);
    if ((rc = meta_key(name, fn, &key)) < 0)
        return rc;
    db = rs__graph_db(graph);
    /* The open blob holds a read transaction for the model's life: in a
     * write-ahead log a snapshot that blocks no writer, in a rollback
     * journal a lock that would (there, and when in doubt, read it whole). */
    bool wal = false;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *mode = sqlite3_column_text(st, 0);
        wal = mode && strcmp((const char *)mode, "wal") == 0;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!wal) {
        free(key);
        return rs_cf_model_load(graph, name, out);
    }
    if (sqlite3_prepare_v2(db, "SELECT rowid, length(value) FROM meta WHERE key = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        free(key);
        return rs_cf_model_load(graph, name, out);
    }
    char stored_key[RS_MAX_KEY_BYTES + 32];
    sqlite3_bind_text(st, 1, rs__graph_meta_read_key(graph, key, stored_key, sizeof stored_key),
                      -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 1) == SQLITE_INTEGER) {
        rowid = sqlite3_column_int64(st, 0);
        bytes = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    /* missing, not a blob, too short for a header: as the full load says */
    if (bytes < (sqlite3_int64)CF_HEADER + 8 || (uint64_t)bytes > SIZE_MAX) {
        free(key);
        return rs_cf_model_load(graph, name, out);
    }
    len = (size_t)bytes;
    if (!(r = rs__calloc(1, sizeof *r))) {
        free(key);
        return RS_ERR_NOMEM;
    }
    r->key = key;
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        free(key);
        return rs__fail(RS_ERR_NOMEM, "%s: no mutex", fn);
    }
    if (sqlite3_blob_open(db, "main", "meta", "value", rowid, 0, &r->blob) != SQLITE_OK ||
        (size_t)sqlite3_blob_bytes(r->blob) != len) {
        rows_free(r);
        return rs_cf_model_load(graph, name, out);
    }
    if ((rc = rows_read_at(r, head, sizeof head, 0)) < 0 ||
        (rc = blob_head(head, len, fn, key, &header)) < 0)
        goto fail;
    if (!rs__cf_dense_kind((int)(head[8] | head[9] << 8 | head[10] << 16 |
                                 (unsigned)head[11] << 24))) {
        rows_free(r);
        return rs_cf_model_load(graph, name, out);
    }
    if ((rc = rows_scan(r, len, header, fn, &sum, &finite)) < 0 ||
        (rc = rows_read_at(r, &stored, 8, len - 8)) < 0)
        goto fail;
    if (sum != stored) {
        rc = corrupt(fn, key, "damaged blob (checksum mismatch)");
        goto fail;
    }
    if ((rc = blob_model(head, len, header, fn, key, &m)) < 0)
        goto fail;
    if (!finite) {
        rc = rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": a non-finite weight", fn, key);
        goto fail;
    }
    r->offset = header;
    m->rows = r;
    m->fitted = true;
    r = NULL;
    if ((rc = rs__cf_keys_load(m, graph, name)) < 0) {
        rs__fail_context("%s: ", fn);
        goto fail;
    }
    *out = m;
    return RS_OK;
fail:
    rs_cf_model_free(m);
    rows_free(r);
    return rc;
}
