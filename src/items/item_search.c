/*
 * item_search.c - the top-k kernel: score a batch of queries against every
 * item and keep the k best per query, with filters applied during selection.
 *
 * The kernels produce the same selection (the top-k heap breaks ties by
 * lower index, so the order items arrive in never matters):
 *
 *  - "avx512" (x86-64 CPUs with AVX-512F, chosen at run time): a register-
 *    blocked dot-product kernel fused with the selection.  For a batch the
 *    queries are transposed once into panels of 16, so one FMA scores one
 *    item against 16 queries and the selection compares those 16 scores with
 *    16 per-query thresholds in one instruction; scores never leave the
 *    registers unless one beats a threshold.  A single query streams rows
 *    with 16 dot products per step.  Item ranges are split across
 *    rs_get_num_threads() workers; no BLAS call runs inside, so OpenBLAS's
 *    own threads are never oversubscribed.
 *  - "avx2" (x86-64 CPUs with AVX2 and FMA but not AVX-512F): the same
 *    fused kernel on 8-lane registers, each 16-query panel as two halves.
 *    A batch sums every score in the same order as the AVX-512 kernel, so
 *    the results are bitwise the same; a single query sums in another order.
 *  - "blas" (portable): cblas_sgemm per item tile (sgemv for one query) into
 *    a cache-sized score buffer, scanned with the heap threshold while hot.
 *    It runs on the calling thread and leaves parallelism to OpenBLAS.
 *
 * Filters (removed items, the allow list, per-query exclude sets) are tested
 * only for scores that beat the current threshold, so they cost nothing on
 * the common path.
 */
#include "items/items_internal.h"
#include "items/item_ivf.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/blas.h"
#include "core/cpu.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/topk.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_HAVE_AVX512_KERNEL 1
#include <immintrin.h>
#define RS_TARGET_AVX512 __attribute__((target("avx512f")))
#else
#define RS_HAVE_AVX512_KERNEL 0
#endif

enum {
    KERNEL_AUTO = 0,
    KERNEL_BLAS = RS__KERNEL_BLAS,
    KERNEL_AVX2 = RS__KERNEL_AVX2,
    KERNEL_AVX512 = RS__KERNEL_AVX512
};
static atomic_int forced_kernel = KERNEL_AUTO;

/* Items per task of the parallel loop, and the work below which one thread
 * is faster than starting another (in multiply-adds: 2^21 take ~0.3 ms,
 * starting a thread ~0.05 ms). */
#define TASK_ITEMS_MIN 2048u
#define PARALLEL_MIN_WORK (1u << 21)

/* The most multiply-adds one task holds (~0.2 ms of a core): the loop ends
 * when its last task does, so a worker that the scheduler takes off its core
 * mid-task (another process wants it) or that runs slower than the other
 * keeps the caller waiting for at most one task.  A batch of 256 over 1M
 * items in 16 tasks per worker made tasks of ~5 ms. */
#define TASK_WORK_MAX ((size_t)1 << 24)

/* Portable kernel: bytes of scores per sgemm tile (half an L2). */
#define BLAS_TILE_BYTES (256u * 1024u)

struct worker {
    rs_topk *top;    /* n_queries selections */
    uint32_t *index; /* n_queries x k */
    float *score;    /* n_queries x k */
    float *gate;     /* n_groups x 16: a score must be >= gate to be offered;
                        NaN for padding lanes so that nothing passes */
};

struct plan {
    const rs_item_store *store;
    size_t n_queries, k, dim, span;
    bool cosine;
    bool filtered; /* holes, an allow list or exclude sets exist */
    int kernel;    /* KERNEL_AVX512, KERNEL_AVX2 or KERNEL_BLAS */
    const float *queries; /* n_queries x dim, unit length for cosine */
    float *panels;        /* n_groups x dim x 16: queries transposed, 0-padded */
    size_t n_groups;
    const uint64_t *exclude;
    size_t exclude_words;
    const uint64_t *allow;
    size_t allow_words;
    bool bf16;              /* scanning the bfloat16 copy for candidates */
    const uint32_t *bf_rows; /* store->bf16 as pairs, bf_pairs per row */
    size_t bf_pairs;
    uint32_t *bf_panels;    /* n_groups x bf_pairs x 16 pairs */
    uint32_t *bf_query;     /* the single query as pairs */
    size_t task_items;
    size_t tile_items; /* items per cache tile inside a task */
    struct worker *workers;
};

void rs__item_force_kernel(int kernel)
{
    atomic_store(&forced_kernel, kernel);
}

/* The cap RECSIM_ITEM_KERNEL sets ("avx2" or "blas"; anything else: none),
 * so that the AVX2 and BLAS paths can be measured on an AVX-512 CPU without
 * a rebuild.  Read once. */
static int environment_cap(void)
{
    static atomic_int cap = -1;
    if (atomic_load(&cap) < 0) {
        const char *v = getenv("RECSIM_ITEM_KERNEL");
        int c = KERNEL_AUTO;
        if (v && strcmp(v, "avx2") == 0)
            c = KERNEL_AVX2;
        else if (v && strcmp(v, "blas") == 0)
            c = KERNEL_BLAS;
        atomic_store(&cap, c);
    }
    return atomic_load(&cap);
}

/* The kernel searches use now: the forced one if this CPU runs it, else the
 * best this CPU runs (AVX-512F, then AVX2 with FMA, then BLAS) up to the
 * environment's cap. */
static int kernel_in_use(void)
{
#if RS_HAVE_AVX512_KERNEL
    int forced = atomic_load(&forced_kernel);
    if (forced == KERNEL_AUTO)
        forced = environment_cap();
    if (forced == KERNEL_BLAS)
        return KERNEL_BLAS;
    if (forced != KERNEL_AVX2 && rs__cpu_has(RS_CPU_AVX512F))
        return KERNEL_AVX512;
    if (rs__cpu_has(RS_CPU_AVX2 | RS_CPU_FMA))
        return KERNEL_AVX2;
#endif
    return KERNEL_BLAS;
}

static bool use_bf16(void)
{
#if RS_HAVE_AVX512_KERNEL
    return rs__cpu_has(RS_CPU_AVX512BF16);
#else
    return false;
#endif
}

int rs__item_kernel_in_use(void)
{
    return kernel_in_use();
}

const char *rs__item_kernel_name(void)
{
    switch (kernel_in_use()) {
    case KERNEL_AVX512:
        return "avx512";
    case KERNEL_AVX2:
        return "avx2";
    default:
        return "blas";
    }
}

/* ------------------------------------------------------------ selection */

static inline bool admissible(const struct plan *p, size_t query, size_t item)
{
    if (!p->filtered)
        return true;
    if (!rs__bitset_test(p->store->live_bits, item))
        return false;
    if (p->allow && (item / 64 >= p->allow_words || !rs__bitset_test(p->allow, item)))
        return false;
    if (p->exclude && item / 64 < p->exclude_words &&
        rs__bitset_test(p->exclude + query * p->exclude_words, item))
        return false;
    return true;
}

/* The least score that may still enter: every pair while the selection is
 * not full, else just above the worst kept score (a later item, having a
 * higher index, loses a tie). */
static inline float gate_of(const rs_topk *top)
{
    return top->size < top->k ? -INFINITY : nextafterf(top->score[0], INFINITY);
}

static inline void offer(const struct plan *p, struct worker *w, size_t query, size_t item,
                         float score)
{
    if (!admissible(p, query, item))
        return;
    rs__topk_push(&w->top[query], (uint32_t)item, score);
    w->gate[query] = gate_of(&w->top[query]);
}

/* ------------------------------------------------------------ AVX-512 */

#if RS_HAVE_AVX512_KERNEL

/* The rare path of offer16: some of the 16 scores beat their threshold. */
RS_TARGET_AVX512 __attribute__((noinline)) static void offer16_slow(
    const struct plan *p, struct worker *w, size_t item, size_t g, __m512 s, __mmask16 pass)
{
    float lanes[16];
    _mm512_storeu_ps(lanes, s);
    while (pass) {
        unsigned lane = (unsigned)__builtin_ctz(pass);
        pass &= (__mmask16)(pass - 1);
        offer(p, w, g * 16 + lane, item, lanes[lane]);
    }
}

/* Offer the 16 scores of one item against the queries of group g. */
RS_TARGET_AVX512 __attribute__((always_inline)) static inline void offer16(
    const struct plan *p, struct worker *w, size_t item, size_t g, __m512 s)
{
    __mmask16 pass;
    if (p->cosine)
        s = _mm512_mul_ps(s, _mm512_set1_ps(p->store->inv_norm[item]));
    pass = _mm512_cmp_ps_mask(s, _mm512_load_ps(w->gate + g * 16), _CMP_GE_OQ);
    if (pass)
        offer16_slow(p, w, item, g, s, pass);
}

/* Blocks ahead that the batch kernels prefetch: the broadcasts read six or
 * eight rows at once, a pattern the hardware prefetcher follows too late.
 * The prefetches are spread over the dot-product loop, a few lines per 16
 * dimensions: issued in one burst per block they exhaust the line fill
 * buffers and stall the core (measured: a third of the time of a 32-query
 * batch over 100k x 128 went to that burst). */
#define PREFETCH_BLOCKS 4

/* How many floats from `ahead` may be prefetched (up to `want`, not past
 * `end`); 0 when not prefetching. */
static inline size_t prefetch_span(bool prefetch, const float *x, size_t ahead, size_t want,
                                   const float *end)
{
    size_t left;
    if (!prefetch || x >= end || (size_t)(end - x) <= ahead)
        return 0;
    left = (size_t)(end - x) - ahead;
    return left < want ? left : want;
}

/* Prefetch lines [first, first + lines) (16 floats each) of the `valid`
 * floats at `from`. */
__attribute__((always_inline)) static inline void prefetch_lines(
    const float *from, size_t valid, size_t first, size_t lines)
{
    for (size_t j = first * 16; j < (first + lines) * 16 && j < valid; j += 16)
        _mm_prefetch((const char *)(from + j), _MM_HINT_T0);
}

/* Rows a single-query scan prefetches ahead: ~32 KiB.  The rows stream in
 * order, yet prefetching them explicitly measured 1.15-1.25x faster for one
 * query over 1M x 64 (paired runs under load); the hardware prefetchers stop
 * at every 4 KiB page. */
static inline size_t single_ahead_rows(size_t row_floats)
{
    size_t rows = (32u * 1024u) / (row_floats * sizeof(float));
    return rows < 16 ? 16 : rows;
}

/* Prefetch row j of the 16 rows `ahead` rows after x (rows of row_floats). */
__attribute__((always_inline)) static inline void prefetch_row(const float *x, size_t ahead,
                                                               size_t row_floats,
                                                               size_t valid, unsigned j)
{
    size_t lines = (row_floats + 15) / 16;
    prefetch_lines(x + ahead * row_floats, valid, j * row_floats / 16, lines);
}

/* Items [lo, hi) against the two query groups g, g + 1: eight items at a
 * time, sixteen accumulators, each FMA scoring one item against 16 queries.
 * Per dimension two panel loads and eight broadcasts feed sixteen FMAs
 * (six items and twelve FMAs measured ~10% slower in L1). */
#define PAIR_ITEMS 8

RS_TARGET_AVX512 static void panel_pair(const struct plan *p, struct worker *w, size_t lo,
                                        size_t hi, size_t g, bool prefetch)
{
    const size_t dim = p->dim;
    const float *pa = p->panels + g * dim * 16, *pb = pa + dim * 16;
    const float *matrix = p->store->matrix, *end = matrix + p->span * dim;
    size_t i = lo;
    for (; i + PAIR_ITEMS <= hi; i += PAIR_ITEMS) {
        const float *x = matrix + i * dim;
        const size_t ahead = PREFETCH_BLOCKS * PAIR_ITEMS * dim;
        const size_t pf = prefetch_span(prefetch, x, ahead, PAIR_ITEMS * dim, end);
        __m512 a0 = _mm512_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0;
        __m512 a3 = a0, b3 = a0, a4 = a0, b4 = a0, a5 = a0, b5 = a0;
        __m512 a6 = a0, b6 = a0, a7 = a0, b7 = a0;
        for (size_t d = 0; d < dim; d++) {
            if (pf && d % 16 == 0)
                prefetch_lines(x + ahead, pf, d / 16 * PAIR_ITEMS, PAIR_ITEMS);
            __m512 qa = _mm512_load_ps(pa + d * 16), qb = _mm512_load_ps(pb + d * 16), v;
            v = _mm512_set1_ps(x[d]);
            a0 = _mm512_fmadd_ps(qa, v, a0), b0 = _mm512_fmadd_ps(qb, v, b0);
            v = _mm512_set1_ps(x[dim + d]);
            a1 = _mm512_fmadd_ps(qa, v, a1), b1 = _mm512_fmadd_ps(qb, v, b1);
            v = _mm512_set1_ps(x[2 * dim + d]);
            a2 = _mm512_fmadd_ps(qa, v, a2), b2 = _mm512_fmadd_ps(qb, v, b2);
            v = _mm512_set1_ps(x[3 * dim + d]);
            a3 = _mm512_fmadd_ps(qa, v, a3), b3 = _mm512_fmadd_ps(qb, v, b3);
            v = _mm512_set1_ps(x[4 * dim + d]);
            a4 = _mm512_fmadd_ps(qa, v, a4), b4 = _mm512_fmadd_ps(qb, v, b4);
            v = _mm512_set1_ps(x[5 * dim + d]);
            a5 = _mm512_fmadd_ps(qa, v, a5), b5 = _mm512_fmadd_ps(qb, v, b5);
            v = _mm512_set1_ps(x[6 * dim + d]);
            a6 = _mm512_fmadd_ps(qa, v, a6), b6 = _mm512_fmadd_ps(qb, v, b6);
            v = _mm512_set1_ps(x[7 * dim + d]);
            a7 = _mm512_fmadd_ps(qa, v, a7), b7 = _mm512_fmadd_ps(qb, v, b7);
        }
        offer16(p, w, i, g, a0), offer16(p, w, i, g + 1, b0);
        offer16(p, w, i + 1, g, a1), offer16(p, w, i + 1, g + 1, b1);
        offer16(p, w, i + 2, g, a2), offer16(p, w, i + 2, g + 1, b2);
        offer16(p, w, i + 3, g, a3), offer16(p, w, i + 3, g + 1, b3);
        offer16(p, w, i + 4, g, a4), offer16(p, w, i + 4, g + 1, b4);
        offer16(p, w, i + 5, g, a5), offer16(p, w, i + 5, g + 1, b5);
        offer16(p, w, i + 6, g, a6), offer16(p, w, i + 6, g + 1, b6);
        offer16(p, w, i + 7, g, a7), offer16(p, w, i + 7, g + 1, b7);
    }
    for (; i < hi; i++) {
        const float *x = matrix + i * dim;
        __m512 a0 = _mm512_setzero_ps(), b0 = a0;
        for (size_t d = 0; d < dim; d++) {
            __m512 v = _mm512_set1_ps(x[d]);
            a0 = _mm512_fmadd_ps(_mm512_load_ps(pa + d * 16), v, a0);
            b0 = _mm512_fmadd_ps(_mm512_load_ps(pb + d * 16), v, b0);
        }
        offer16(p, w, i, g, a0), offer16(p, w, i, g + 1, b0);
    }
}

/* Items [lo, hi) against the one query group g: eight items at a time. */
RS_TARGET_AVX512 static void panel_one(const struct plan *p, struct worker *w, size_t lo,
                                       size_t hi, size_t g, bool prefetch)
{
    const size_t dim = p->dim;
    const float *pa = p->panels + g * dim * 16;
    const float *matrix = p->store->matrix, *end = matrix + p->span * dim;
    size_t i = lo;
    for (; i + 8 <= hi; i += 8) {
        const float *x = matrix + i * dim;
        const size_t pf = prefetch_span(prefetch, x, PREFETCH_BLOCKS * 8 * dim, 8 * dim, end);
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        __m512 a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (size_t d = 0; d < dim; d++) {
            if (pf && d % 16 == 0)
                prefetch_lines(x + PREFETCH_BLOCKS * 8 * dim, pf, d / 16 * 8, 8);
            __m512 qa = _mm512_load_ps(pa + d * 16);
            a0 = _mm512_fmadd_ps(qa, _mm512_set1_ps(x[d]), a0);
            a1 = _mm512_fmadd_ps(qa, _mm512_set1_ps(x[dim + d]), a1);
            a2 = _mm512_fmadd_ps(qa, _mm512_set1_ps(x[2 * dim + d]), a2);
            a3 = _mm512_fmadd_ps(qa, _mm512_set1_ps(x[3 * dim + d]), a3);
            a4 = _mm512_fmadd_ps(qa, _mm512_set1_ps(x[4 * dim + d]), a4);
            a5 = _mm512_fmadd_ps(qa, _mm512_set1_ps(x[5 * dim + d]), a5);
            a6 = _mm512_fmadd_ps(qa, _mm512_set1_ps(x[6 * dim + d]), a6);
            a7 = _mm512_fmadd_ps(qa, _mm512_set1_ps(x[7 * dim + d]), a7);
        }
        offer16(p, w, i, g, a0), offer16(p, w, i + 1, g, a1);
        offer16(p, w, i + 2, g, a2), offer16(p, w, i + 3, g, a3);
        offer16(p, w, i + 4, g, a4), offer16(p, w, i + 5, g, a5);
        offer16(p, w, i + 6, g, a6), offer16(p, w, i + 7, g, a7);
    }
    for (; i < hi; i++) {
        const float *x = matrix + i * dim;
        __m512 a0 = _mm512_setzero_ps();
        for (size_t d = 0; d < dim; d++)
            a0 = _mm512_fmadd_ps(_mm512_load_ps(pa + d * 16), _mm512_set1_ps(x[d]), a0);
        offer16(p, w, i, g, a0);
    }
}

/* One item's dot product with the single query, 16 dimensions per step. */
RS_TARGET_AVX512 static inline float dot_row(const float *x, const float *q, size_t dim,
                                             __mmask16 tail_mask)
{
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0;
    size_t d = 0;
    for (; d + 32 <= dim; d += 32) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + d), _mm512_loadu_ps(q + d), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + d + 16), _mm512_loadu_ps(q + d + 16), acc1);
    }
    if (d + 16 <= dim) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + d), _mm512_loadu_ps(q + d), acc0);
        d += 16;
    }
    if (tail_mask)
        acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail_mask, x + d),
                               _mm512_maskz_loadu_ps(tail_mask, q + d), acc1);
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

/* Items [lo, hi) against one query: 16 dot products, then one comparison
 * of the 16 scores with the threshold. */
/*
 * A single query's scores of items i .. i+15 (in `lanes`): scale them for
 * cosine, and offer those that pass the gate.  Shared by the float32 and the
 * bfloat16 scans, which differ only in how they compute the dot products.
 */
RS_TARGET_AVX512 __attribute__((always_inline)) static inline void offer_lanes(
    const struct plan *p, struct worker *w, size_t i, float lanes[16])
{
    __m512 s = _mm512_loadu_ps(lanes);
    __mmask16 pass;
    if (p->cosine)
        s = _mm512_mul_ps(s, _mm512_loadu_ps(p->store->inv_norm + i));
    pass = _mm512_cmp_ps_mask(s, _mm512_set1_ps(w->gate[0]), _CMP_GE_OQ);
    if (!pass)
        return;
    _mm512_storeu_ps(lanes, s);
    while (pass) {
        unsigned lane = (unsigned)__builtin_ctz(pass);
        pass &= (__mmask16)(pass - 1);
        if (lanes[lane] >= w->gate[0])
            offer(p, w, 0, i + lane, lanes[lane]);
    }
}

/* One single-query score past the last full group of 16. */
static inline void offer_one(const struct plan *p, struct worker *w, size_t i, float s)
{
    if (p->cosine)
        s *= p->store->inv_norm[i];
    if (s >= w->gate[0])
        offer(p, w, 0, i, s);
}

RS_TARGET_AVX512 static void single_query(const struct plan *p, struct worker *w, size_t lo,
                                          size_t hi)
{
    const size_t dim = p->dim;
    const float *q = p->queries, *matrix = p->store->matrix;
    const __mmask16 tail_mask = (__mmask16)((1u << (dim % 16)) - 1u);
    const float *end = matrix + p->span * dim;
    const size_t ahead = single_ahead_rows(dim);
    float lanes[16];
    size_t i = lo;
    for (; i + 16 <= hi; i += 16) {
        const float *x = matrix + i * dim;
        const size_t pf = prefetch_span(true, x, ahead * dim, 16 * dim, end);
        for (unsigned j = 0; j < 16; j++) {
            if (pf)
                prefetch_row(x, ahead, dim, pf, j);
            lanes[j] = dot_row(x + j * dim, q, dim, tail_mask);
        }
        offer_lanes(p, w, i, lanes);
    }
    for (; i < hi; i++)
        offer_one(p, w, i, dot_row(matrix + i * dim, q, dim, tail_mask));
}


/* ---- bfloat16 scan: the same kernels over pairs of dimensions, one
 * vdpbf16ps adding two products per lane. */

#define RS_TARGET_BF16 __attribute__((target("avx512f,avx512bw,avx512bf16")))

RS_TARGET_BF16 static inline __m512bh as_bf16(__m512i v)
{
    return (__m512bh)v;
}

RS_TARGET_BF16 static void bf16_panel_pair(const struct plan *p, struct worker *w, size_t lo,
                                           size_t hi, size_t g, bool prefetch)
{
    const size_t pairs = p->bf_pairs;
    const uint32_t *pa = p->bf_panels + g * pairs * 16, *pb = pa + pairs * 16;
    const uint32_t *rows = p->bf_rows;
    const float *end = (const float *)(rows + p->span * pairs);
    size_t i = lo;
    for (; i + 6 <= hi; i += 6) {
        const uint32_t *x = rows + i * pairs;
        const float *xf = (const float *)x;
        const size_t pf =
            prefetch_span(prefetch, xf, PREFETCH_BLOCKS * 6 * pairs, 6 * pairs, end);
        __m512 a0 = _mm512_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0;
        __m512 a3 = a0, b3 = a0, a4 = a0, b4 = a0, a5 = a0, b5 = a0;
        for (size_t d = 0; d < pairs; d++) {
            if (pf && d % 16 == 0)
                prefetch_lines(xf + PREFETCH_BLOCKS * 6 * pairs, pf, d / 16 * 6, 6);
            __m512bh qa = as_bf16(_mm512_load_si512(pa + d * 16));
            __m512bh qb = as_bf16(_mm512_load_si512(pb + d * 16)), v;
            v = as_bf16(_mm512_set1_epi32((int)x[d]));
            a0 = _mm512_dpbf16_ps(a0, qa, v), b0 = _mm512_dpbf16_ps(b0, qb, v);
            v = as_bf16(_mm512_set1_epi32((int)x[pairs + d]));
            a1 = _mm512_dpbf16_ps(a1, qa, v), b1 = _mm512_dpbf16_ps(b1, qb, v);
            v = as_bf16(_mm512_set1_epi32((int)x[2 * pairs + d]));
            a2 = _mm512_dpbf16_ps(a2, qa, v), b2 = _mm512_dpbf16_ps(b2, qb, v);
            v = as_bf16(_mm512_set1_epi32((int)x[3 * pairs + d]));
            a3 = _mm512_dpbf16_ps(a3, qa, v), b3 = _mm512_dpbf16_ps(b3, qb, v);
            v = as_bf16(_mm512_set1_epi32((int)x[4 * pairs + d]));
            a4 = _mm512_dpbf16_ps(a4, qa, v), b4 = _mm512_dpbf16_ps(b4, qb, v);
            v = as_bf16(_mm512_set1_epi32((int)x[5 * pairs + d]));
            a5 = _mm512_dpbf16_ps(a5, qa, v), b5 = _mm512_dpbf16_ps(b5, qb, v);
        }
        offer16(p, w, i, g, a0), offer16(p, w, i, g + 1, b0);
        offer16(p, w, i + 1, g, a1), offer16(p, w, i + 1, g + 1, b1);
        offer16(p, w, i + 2, g, a2), offer16(p, w, i + 2, g + 1, b2);
        offer16(p, w, i + 3, g, a3), offer16(p, w, i + 3, g + 1, b3);
        offer16(p, w, i + 4, g, a4), offer16(p, w, i + 4, g + 1, b4);
        offer16(p, w, i + 5, g, a5), offer16(p, w, i + 5, g + 1, b5);
    }
    for (; i < hi; i++) {
        const uint32_t *x = rows + i * pairs;
        __m512 a0 = _mm512_setzero_ps(), b0 = a0;
        for (size_t d = 0; d < pairs; d++) {
            __m512bh v = as_bf16(_mm512_set1_epi32((int)x[d]));
            a0 = _mm512_dpbf16_ps(a0, as_bf16(_mm512_load_si512(pa + d * 16)), v);
            b0 = _mm512_dpbf16_ps(b0, as_bf16(_mm512_load_si512(pb + d * 16)), v);
        }
        offer16(p, w, i, g, a0), offer16(p, w, i, g + 1, b0);
    }
}

RS_TARGET_BF16 static void bf16_panel_one(const struct plan *p, struct worker *w, size_t lo,
                                          size_t hi, size_t g, bool prefetch)
{
    const size_t pairs = p->bf_pairs;
    const uint32_t *pa = p->bf_panels + g * pairs * 16;
    const uint32_t *rows = p->bf_rows;
    const float *end = (const float *)(rows + p->span * pairs);
    size_t i = lo;
    for (; i + 8 <= hi; i += 8) {
        const uint32_t *x = rows + i * pairs;
        const float *xf = (const float *)x;
        const size_t pf =
            prefetch_span(prefetch, xf, PREFETCH_BLOCKS * 8 * pairs, 8 * pairs, end);
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        __m512 a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (size_t d = 0; d < pairs; d++) {
            if (pf && d % 16 == 0)
                prefetch_lines(xf + PREFETCH_BLOCKS * 8 * pairs, pf, d / 16 * 8, 8);
            __m512bh qa = as_bf16(_mm512_load_si512(pa + d * 16));
            a0 = _mm512_dpbf16_ps(a0, qa, as_bf16(_mm512_set1_epi32((int)x[d])));
            a1 = _mm512_dpbf16_ps(a1, qa, as_bf16(_mm512_set1_epi32((int)x[pairs + d])));
            a2 = _mm512_dpbf16_ps(a2, qa, as_bf16(_mm512_set1_epi32((int)x[2 * pairs + d])));
            a3 = _mm512_dpbf16_ps(a3, qa, as_bf16(_mm512_set1_epi32((int)x[3 * pairs + d])));
            a4 = _mm512_dpbf16_ps(a4, qa, as_bf16(_mm512_set1_epi32((int)x[4 * pairs + d])));
            a5 = _mm512_dpbf16_ps(a5, qa, as_bf16(_mm512_set1_epi32((int)x[5 * pairs + d])));
            a6 = _mm512_dpbf16_ps(a6, qa, as_bf16(_mm512_set1_epi32((int)x[6 * pairs + d])));
            a7 = _mm512_dpbf16_ps(a7, qa, as_bf16(_mm512_set1_epi32((int)x[7 * pairs + d])));
        }
        offer16(p, w, i, g, a0), offer16(p, w, i + 1, g, a1);
        offer16(p, w, i + 2, g, a2), offer16(p, w, i + 3, g, a3);
        offer16(p, w, i + 4, g, a4), offer16(p, w, i + 5, g, a5);
        offer16(p, w, i + 6, g, a6), offer16(p, w, i + 7, g, a7);
    }
    for (; i < hi; i++) {
        const uint32_t *x = rows + i * pairs;
        __m512 a0 = _mm512_setzero_ps();
        for (size_t d = 0; d < pairs; d++)
            a0 = _mm512_dpbf16_ps(a0, as_bf16(_mm512_load_si512(pa + d * 16)),
                                  as_bf16(_mm512_set1_epi32((int)x[d])));
        offer16(p, w, i, g, a0);
    }
}

RS_TARGET_BF16 static inline float bf16_dot_row(const uint32_t *x, const uint32_t *q,
                                                size_t pairs, __mmask16 tail_mask)
{
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0;
    size_t d = 0;
    for (; d + 32 <= pairs; d += 32) {
        acc0 = _mm512_dpbf16_ps(acc0, as_bf16(_mm512_loadu_si512(x + d)),
                                as_bf16(_mm512_loadu_si512(q + d)));
        acc1 = _mm512_dpbf16_ps(acc1, as_bf16(_mm512_loadu_si512(x + d + 16)),
                                as_bf16(_mm512_loadu_si512(q + d + 16)));
    }
    if (d + 16 <= pairs) {
        acc0 = _mm512_dpbf16_ps(acc0, as_bf16(_mm512_loadu_si512(x + d)),
                                as_bf16(_mm512_loadu_si512(q + d)));
        d += 16;
    }
    if (tail_mask)
        acc1 = _mm512_dpbf16_ps(acc1, as_bf16(_mm512_maskz_loadu_epi32(tail_mask, x + d)),
                                as_bf16(_mm512_maskz_loadu_epi32(tail_mask, q + d)));
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

RS_TARGET_BF16 static void bf16_single_query(const struct plan *p, struct worker *w, size_t lo,
                                             size_t hi)
{
    const size_t pairs = p->bf_pairs;
    const uint32_t *q = p->bf_query, *rows = p->bf_rows;
    const __mmask16 tail_mask = (__mmask16)((1u << (pairs % 16)) - 1u);
    const float *end = (const float *)(rows + p->span * pairs);
    const size_t ahead = single_ahead_rows(pairs);
    float lanes[16];
    size_t i = lo;
    for (; i + 16 <= hi; i += 16) {
        const float *x = (const float *)(rows + i * pairs);
        const size_t pf = prefetch_span(true, x, ahead * pairs, 16 * pairs, end);
        for (unsigned j = 0; j < 16; j++) {
            if (pf)
                prefetch_row(x, ahead, pairs, pf, j);
            lanes[j] = bf16_dot_row(rows + (i + j) * pairs, q, pairs, tail_mask);
        }
        offer_lanes(p, w, i, lanes);
    }
    for (; i < hi; i++)
        offer_one(p, w, i, bf16_dot_row(rows + i * pairs, q, pairs, tail_mask));
}

/* ---- AVX2 with FMA (x86-64 CPUs without AVX-512): the same panels, each
 * 16-query group as two 8-lane halves; 16 registers hold six items x 16
 * queries (twelve accumulators), the two panel halves and a broadcast. */

#define RS_TARGET_AVX2 __attribute__((target("avx2,fma")))

RS_TARGET_AVX2 __attribute__((noinline)) static void avx2_offer16_slow(
    const struct plan *p, struct worker *w, size_t item, size_t g, __m256 lo, __m256 hi,
    unsigned pass)
{
    float lanes[16];
    _mm256_storeu_ps(lanes, lo);
    _mm256_storeu_ps(lanes + 8, hi);
    while (pass) {
        unsigned lane = (unsigned)__builtin_ctz(pass);
        pass &= pass - 1;
        offer(p, w, g * 16 + lane, item, lanes[lane]);
    }
}

/* Offer one item's scores against the queries of group g (lo: lanes 0-7). */
RS_TARGET_AVX2 __attribute__((always_inline)) static inline void avx2_offer16(
    const struct plan *p, struct worker *w, size_t item, size_t g, __m256 lo, __m256 hi)
{
    const float *gate = w->gate + g * 16;
    unsigned pass;
    if (p->cosine) {
        __m256 scale = _mm256_set1_ps(p->store->inv_norm[item]);
        lo = _mm256_mul_ps(lo, scale), hi = _mm256_mul_ps(hi, scale);
    }
    __m256 pass_lo = _mm256_cmp_ps(lo, _mm256_load_ps(gate), _CMP_GE_OQ);
    __m256 pass_hi = _mm256_cmp_ps(hi, _mm256_load_ps(gate + 8), _CMP_GE_OQ);
    pass = (unsigned)_mm256_movemask_ps(pass_lo) | (unsigned)_mm256_movemask_ps(pass_hi) << 8;
    if (pass)
        avx2_offer16_slow(p, w, item, g, lo, hi, pass);
}

#define AVX2_ITEMS 6

/* Items [lo, hi) against query group g, six items at a time. */
RS_TARGET_AVX2 static void avx2_panel(const struct plan *p, struct worker *w, size_t lo,
                                      size_t hi, size_t g, bool prefetch)
{
    const size_t dim = p->dim;
    const float *pa = p->panels + g * dim * 16;
    const float *matrix = p->store->matrix, *end = matrix + p->span * dim;
    size_t i = lo;
    for (; i + AVX2_ITEMS <= hi; i += AVX2_ITEMS) {
        const float *x = matrix + i * dim;
        const size_t ahead = PREFETCH_BLOCKS * AVX2_ITEMS * dim;
        const size_t pf = prefetch_span(prefetch, x, ahead, AVX2_ITEMS * dim, end);
        __m256 l0 = _mm256_setzero_ps(), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0;
        __m256 l3 = l0, h3 = l0, l4 = l0, h4 = l0, l5 = l0, h5 = l0;
        for (size_t d = 0; d < dim; d++) {
            if (pf && d % 16 == 0)
                prefetch_lines(x + ahead, pf, d / 16 * AVX2_ITEMS, AVX2_ITEMS);
            __m256 ql = _mm256_load_ps(pa + d * 16), qh = _mm256_load_ps(pa + d * 16 + 8), v;
            v = _mm256_broadcast_ss(x + d);
            l0 = _mm256_fmadd_ps(ql, v, l0), h0 = _mm256_fmadd_ps(qh, v, h0);
            v = _mm256_broadcast_ss(x + dim + d);
            l1 = _mm256_fmadd_ps(ql, v, l1), h1 = _mm256_fmadd_ps(qh, v, h1);
            v = _mm256_broadcast_ss(x + 2 * dim + d);
            l2 = _mm256_fmadd_ps(ql, v, l2), h2 = _mm256_fmadd_ps(qh, v, h2);
            v = _mm256_broadcast_ss(x + 3 * dim + d);
            l3 = _mm256_fmadd_ps(ql, v, l3), h3 = _mm256_fmadd_ps(qh, v, h3);
            v = _mm256_broadcast_ss(x + 4 * dim + d);
            l4 = _mm256_fmadd_ps(ql, v, l4), h4 = _mm256_fmadd_ps(qh, v, h4);
            v = _mm256_broadcast_ss(x + 5 * dim + d);
            l5 = _mm256_fmadd_ps(ql, v, l5), h5 = _mm256_fmadd_ps(qh, v, h5);
        }
        avx2_offer16(p, w, i, g, l0, h0), avx2_offer16(p, w, i + 1, g, l1, h1);
        avx2_offer16(p, w, i + 2, g, l2, h2), avx2_offer16(p, w, i + 3, g, l3, h3);
        avx2_offer16(p, w, i + 4, g, l4, h4), avx2_offer16(p, w, i + 5, g, l5, h5);
    }
    for (; i < hi; i++) {
        const float *x = matrix + i * dim;
        __m256 l0 = _mm256_setzero_ps(), h0 = l0;
        for (size_t d = 0; d < dim; d++) {
            __m256 v = _mm256_broadcast_ss(x + d);
            l0 = _mm256_fmadd_ps(_mm256_load_ps(pa + d * 16), v, l0);
            h0 = _mm256_fmadd_ps(_mm256_load_ps(pa + d * 16 + 8), v, h0);
        }
        avx2_offer16(p, w, i, g, l0, h0);
    }
}

/* One item's dot product with the single query, 16 dimensions per step. */
RS_TARGET_AVX2 static inline float avx2_dot_row(const float *x, const float *q, size_t dim)
{
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    __m128 s;
    float sum;
    size_t d = 0;
    for (; d + 16 <= dim; d += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + d), _mm256_loadu_ps(q + d), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + d + 8), _mm256_loadu_ps(q + d + 8), acc1);
    }
    if (d + 8 <= dim) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + d), _mm256_loadu_ps(q + d), acc0);
        d += 8;
    }
    acc0 = _mm256_add_ps(acc0, acc1);
    s = _mm_add_ps(_mm256_castps256_ps128(acc0), _mm256_extractf128_ps(acc0, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    sum = _mm_cvtss_f32(s);
    for (; d < dim; d++)
        sum += x[d] * q[d];
    return sum;
}

/* Items [lo, hi) against one query, a row at a time.  Bound by memory
 * reads: eight rows per step (eight FMA chains, the query loaded once per
 * eight rows, one horizontal reduction for all eight) measured no faster
 * over 1M x 64 and within noise over 100k x 128 (CPU time, paired runs). */
RS_TARGET_AVX2 static void avx2_single_query(const struct plan *p, struct worker *w,
                                             size_t lo, size_t hi)
{
    const size_t dim = p->dim;
    const float *q = p->queries, *matrix = p->store->matrix, *end = matrix + p->span * dim;
    const size_t ahead = single_ahead_rows(dim);
    for (size_t i = lo; i < hi; i++) {
        const float *x = matrix + i * dim;
        const size_t pf = prefetch_span(true, x, ahead * dim, dim, end);
        if (pf)
            prefetch_lines(x + ahead * dim, pf, 0, (dim + 15) / 16);
        offer_one(p, w, i, avx2_dot_row(x, q, dim));
    }
}

#endif /* RS_HAVE_AVX512_KERNEL */

/* One task of the parallel loop: a contiguous item range, in cache tiles,
 * every query group pair over each tile while it is hot. */
static int fused_task(void *ctx, size_t task, unsigned worker_id)
{
#if RS_HAVE_AVX512_KERNEL
    const struct plan *p = ctx;
    struct worker *w = &p->workers[worker_id];
    size_t lo = task * p->task_items;
    size_t hi = lo + p->task_items < p->span ? lo + p->task_items : p->span;
    if (p->kernel == KERNEL_AVX2) {
        if (p->n_queries == 1) {
            avx2_single_query(p, w, lo, hi);
            return 0;
        }
        for (size_t t = lo; t < hi; t += p->tile_items) {
            size_t end = t + p->tile_items < hi ? t + p->tile_items : hi;
            for (size_t g = 0; g < p->n_groups; g++)
                avx2_panel(p, w, t, end, g, g == 0);
        }
        return 0;
    }
    if (p->n_queries == 1) {
        if (p->bf16)
            bf16_single_query(p, w, lo, hi);
        else
            single_query(p, w, lo, hi);
        return 0;
    }
    for (size_t t = lo; t < hi; t += p->tile_items) {
        size_t end = t + p->tile_items < hi ? t + p->tile_items : hi;
        size_t g = 0;
        /* The first pass over a tile brings it in; later ones find it in L1. */
        for (; g + 2 <= p->n_groups; g += 2) {
            if (p->bf16)
                bf16_panel_pair(p, w, t, end, g, g == 0);
            else
                panel_pair(p, w, t, end, g, g == 0);
        }
        if (g < p->n_groups) {
            if (p->bf16)
                bf16_panel_one(p, w, t, end, g, g == 0);
            else
                panel_one(p, w, t, end, g, g == 0);
        }
    }
    return 0;
#else
    (void)ctx, (void)task, (void)worker_id;
    return rs__fail(RS_ERR_INTERNAL, "fused kernel called in a build without it");
#endif
}

/* ------------------------------------------------------------ portable */

static int blas_search(const struct plan *p, struct worker *w)
{
    const rs_item_store *store = p->store;
    size_t n = p->n_queries, tile = BLAS_TILE_BYTES / sizeof(float) / n;
    float *scores;
    int rc = 0;
    if (tile < 64)
        tile = 64;
    if (tile > p->span)
        tile = p->span;
    scores = rs__alloc_array(tile, n * sizeof(float));
    if (!scores)
        return RS_ERR_NOMEM;
    for (size_t lo = 0; lo < p->span && rc == 0; lo += tile) {
        size_t rows = lo + tile < p->span ? tile : p->span - lo;
        const float *x = store->matrix + lo * p->dim;
        if (n == 1)
            rc = rs__sgemv(false, rows, p->dim, 1.0f, x, p->dim, p->queries, 0.0f, scores);
        else
            rc = rs__sgemm(false, true, n, rows, p->dim, 1.0f, p->queries, p->dim, x, p->dim,
                           0.0f, scores, rows);
        for (size_t q = 0; q < n && rc == 0; q++) {
            const float *row = scores + q * rows;
            for (size_t j = 0; j < rows; j++) {
                float s = row[j];
                if (p->cosine)
                    s *= store->inv_norm[lo + j];
                if (s >= w->gate[q])
                    offer(p, w, q, lo + j, s);
            }
        }
    }
    free(scores);
    return rc;
}

/* ------------------------------------------------------------ driver */

static void free_workers(struct worker *workers, unsigned n)
{
    if (!workers)
        return;
    for (unsigned i = 0; i < n; i++) {
        free(workers[i].top);
        free(workers[i].index);
        free(workers[i].score);
        rs__aligned_free(workers[i].gate);
    }
    free(workers);
}

static int init_workers(struct plan *p, unsigned n)
{
    size_t pairs, gate_bytes;
    p->workers = rs__calloc(n, sizeof *p->workers);
    if (!p->workers)
        return RS_ERR_NOMEM;
    if (rs__mul_size(p->n_queries, p->k, &pairs) < 0 ||
        rs__mul_size(p->n_groups * 16, sizeof(float), &gate_bytes) < 0)
        return RS_ERR_OVERFLOW;
    for (unsigned i = 0; i < n; i++) {
        struct worker *w = &p->workers[i];
        w->top = rs__alloc_array(p->n_queries, sizeof *w->top);
        w->index = rs__alloc_array(pairs, sizeof *w->index);
        w->score = rs__alloc_array(pairs, sizeof *w->score);
        w->gate = rs__aligned_alloc(RS_ALIGNMENT, gate_bytes);
        if (!w->top || !w->index || !w->score || !w->gate)
            return RS_ERR_NOMEM;
        for (size_t q = 0; q < p->n_groups * 16; q++)
            w->gate[q] = q < p->n_queries ? -INFINITY : NAN;
        for (size_t q = 0; q < p->n_queries; q++)
            rs__topk_init(&w->top[q], p->k, w->index + q * p->k, w->score + q * p->k);
    }
    return 0;
}

/* Queries scaled to unit length for cosine (a zero query stays zero), and
 * for the batch kernel transposed into 16-query panels. */
static int prepare_queries(struct plan *p, const float *queries, float **scaled_out)
{
    size_t total, panel_floats;
    float *scaled = NULL;
    *scaled_out = NULL;
    if (rs__mul_size(p->n_queries, p->dim, &total) < 0)
        return RS_ERR_OVERFLOW;
    if (p->cosine) {
        scaled = rs__alloc_array(total, sizeof *scaled);
        if (!scaled)
            return RS_ERR_NOMEM;
        for (size_t q = 0; q < p->n_queries; q++) {
            const float *in = queries + q * p->dim;
            double sum = 0.0;
            for (size_t d = 0; d < p->dim; d++)
                sum += (double)in[d] * in[d];
            float scale = sum > 0.0 ? (float)(1.0 / sqrt(sum)) : 0.0f;
            for (size_t d = 0; d < p->dim; d++)
                scaled[q * p->dim + d] = in[d] * scale;
        }
        queries = scaled;
    }
    *scaled_out = scaled;
    p->queries = queries;
    if (p->n_queries == 1 || p->kernel == KERNEL_BLAS)
        return 0;
    if (rs__mul_size(p->n_groups * 16, p->dim, &panel_floats) < 0 ||
        rs__mul_size(panel_floats, sizeof(float), &panel_floats) < 0)
        return RS_ERR_OVERFLOW;
    p->panels = rs__aligned_alloc(RS_ALIGNMENT, panel_floats);
    if (!p->panels)
        return RS_ERR_NOMEM;
    for (size_t g = 0; g < p->n_groups; g++)
        for (size_t d = 0; d < p->dim; d++)
            for (size_t lane = 0; lane < 16; lane++) {
                size_t q = g * 16 + lane;
                p->panels[(g * p->dim + d) * 16 + lane] =
                    q < p->n_queries ? queries[q * p->dim + d] : 0.0f;
            }
    return 0;
}

/* Merge the workers' selections for each query into the caller's arrays. */
static void merge_results(const struct plan *p, unsigned n_workers, size_t k_out,
                          uint32_t *index_out, float *score_out, size_t *count_out)
{
    for (size_t q = 0; q < p->n_queries; q++) {
        rs_topk top;
        size_t got;
        rs__topk_init(&top, p->k, index_out + q * k_out, score_out + q * k_out);
        for (unsigned i = 0; i < n_workers; i++)
            rs__topk_merge(&top, &p->workers[i].top[q]);
        got = rs__topk_finish(&top);
        for (size_t j = got; j < k_out; j++) {
            index_out[q * k_out + j] = UINT32_MAX;
            score_out[q * k_out + j] = -INFINITY;
        }
        if (count_out)
            count_out[q] = got;
    }
}

/* The bfloat16 forms of the queries: 16-query panels of dimension pairs for
 * a batch, the pairs of the one query otherwise (dimension padded with 0). */
static int prepare_bf16(struct plan *p)
{
    const rs_item_store *store = p->store;
    size_t pairs = store->bf16_stride / 2, floats;
    p->bf_rows = (const uint32_t *)store->bf16;
    p->bf_pairs = pairs;
    if (p->n_queries == 1) {
        p->bf_query = rs__alloc_array(pairs, sizeof *p->bf_query);
        if (!p->bf_query)
            return RS_ERR_NOMEM;
        for (size_t d = 0; d < pairs; d++) {
            float lo = p->queries[2 * d], hi = 2 * d + 1 < p->dim ? p->queries[2 * d + 1] : 0;
            p->bf_query[d] = (uint32_t)rs__to_bf16(lo) | (uint32_t)rs__to_bf16(hi) << 16;
        }
        return 0;
    }
    if (rs__mul_size(p->n_groups * 16, pairs, &floats) < 0 ||
        rs__mul_size(floats, sizeof(uint32_t), &floats) < 0)
        return RS_ERR_OVERFLOW;
    p->bf_panels = rs__aligned_alloc(RS_ALIGNMENT, floats);
    if (!p->bf_panels)
        return RS_ERR_NOMEM;
    for (size_t g = 0; g < p->n_groups; g++)
        for (size_t d = 0; d < pairs; d++)
            for (size_t lane = 0; lane < 16; lane++) {
                size_t q = g * 16 + lane;
                float lo = 0, hi = 0;
                if (q < p->n_queries) {
                    lo = p->queries[q * p->dim + 2 * d];
                    hi = 2 * d + 1 < p->dim ? p->queries[q * p->dim + 2 * d + 1] : 0;
                }
                p->bf_panels[(g * pairs + d) * 16 + lane] =
                    (uint32_t)rs__to_bf16(lo) | (uint32_t)rs__to_bf16(hi) << 16;
            }
    return 0;
}

/* Re-score each query's candidates in float32 and keep the k best. */
static void rerank(const struct plan *p, size_t k, const uint32_t *cand_index,
                   const size_t *cand_count, uint32_t *index_out, float *score_out,
                   size_t *count_out)
{
    const rs_item_store *store = p->store;
    size_t k_final = k < store->live ? k : store->live;
    for (size_t q = 0; q < p->n_queries; q++) {
        const float *query = p->queries + q * p->dim;
        rs_topk top;
        size_t got;
        rs__topk_init(&top, k_final, index_out + q * k, score_out + q * k);
        for (size_t j = 0; j < cand_count[q]; j++) {
            uint32_t item = cand_index[q * p->k + j];
            const float *x = rs__item_row(store, item);
            float s = 0.0f;
            for (size_t d = 0; d < p->dim; d++)
                s += query[d] * x[d];
            if (p->cosine)
                s *= store->inv_norm[item];
            rs__topk_push(&top, item, s);
        }
        got = rs__topk_finish(&top);
        for (size_t j = got; j < k; j++) {
            index_out[q * k + j] = UINT32_MAX;
            score_out[q * k + j] = -INFINITY;
        }
        if (count_out)
            count_out[q] = got;
    }
}

static int check_search_args(const rs_item_store *store, const float *queries,
                             size_t n_queries, size_t dim, size_t k, int metric,
                             const uint64_t *exclude, size_t exclude_words,
                             const uint64_t *allow, size_t allow_words,
                             const uint32_t *index_out)
{
    const char *fn = "rs_item_store_search";
    if (!store)
        return rs__fail(RS_ERR_INVALID, "%s: store is NULL", fn);
    if (metric != RS_ITEM_METRIC_INNER_PRODUCT && metric != RS_ITEM_METRIC_COSINE)
        return rs__fail(RS_ERR_INVALID, "%s: unknown metric %d", fn, metric);
    if (dim != store->dim)
        return rs__fail(RS_ERR_DIM, "%s: queries have dimension %zu, store has %zu", fn, dim,
                        store->dim);
    if (n_queries == 0 || k == 0)
        return 0;
    if (!queries)
        return rs__fail(RS_ERR_INVALID, "%s: queries is NULL", fn);
    if (!index_out)
        return rs__fail(RS_ERR_INVALID, "%s: index_out is NULL", fn);
    if (exclude_words && !exclude)
        return rs__fail(RS_ERR_INVALID, "%s: exclude is NULL with %zu words", fn,
                        exclude_words);
    if (allow_words && !allow)
        return rs__fail(RS_ERR_INVALID, "%s: allow is NULL with %zu words", fn, allow_words);
    if (n_queries > UINT32_MAX || k > UINT32_MAX)
        return rs__fail(RS_ERR_RANGE, "%s: %zu queries x k = %zu is too large", fn, n_queries,
                        k);
    for (size_t q = 0; q < n_queries; q++)
        for (size_t d = 0; d < dim; d++)
            if (!isfinite(queries[q * dim + d]))
                return rs__fail(RS_ERR_RANGE, "%s: query %zu has %s at position %zu", fn, q,
                                isnan(queries[q * dim + d]) ? "NaN" : "Inf", d);
    return 0;
}

int rs_item_store_search(const rs_item_store *store, const float *queries, size_t n_queries,
                         size_t dim, size_t k, int metric, const uint64_t *exclude,
                         size_t exclude_words, const uint64_t *allow, size_t allow_words,
                         uint32_t *index_out, float *score_out, size_t *count_out)
{
    return rs__item_store_search_on(store, queries, n_queries, dim, k, metric, exclude,
                                     exclude_words, allow, allow_words, index_out, score_out,
                                     count_out, 0);
}

int rs__item_store_search_on(const rs_item_store *store, const float *queries,
                             size_t n_queries, size_t dim, size_t k, int metric,
                             const uint64_t *exclude, size_t exclude_words,
                             const uint64_t *allow, size_t allow_words, uint32_t *index_out,
                             float *score_out, size_t *count_out, unsigned max_workers)
{
    struct plan p;
    float *scaled = NULL, *own_scores = NULL, *cand_score = NULL;
    uint32_t *cand_index = NULL;
    size_t *cand_count = NULL;
    unsigned n_workers = 1;
    size_t n_tasks, pairs;
    int rc = check_search_args(store, queries, n_queries, dim, k, metric, exclude,
                               exclude_words, allow, allow_words, index_out);
    if (rc < 0)
        return rc;
    if (n_queries == 0)
        return RS_OK;
    if (k == 0 || store->live == 0 || (allow && allow_words == 0)) {
        /* Nothing can be selected: every slot is empty. */
        if (rs__mul_size(n_queries, k, &pairs) < 0)
            return RS_ERR_OVERFLOW;
        for (size_t j = 0; j < pairs; j++) {
            index_out[j] = UINT32_MAX;
            if (score_out)
                score_out[j] = -INFINITY;
        }
        if (count_out)
            memset(count_out, 0, n_queries * sizeof *count_out);
        return RS_OK;
    }
    if (rs__mul_size(n_queries, k, &pairs) < 0)
        return RS_ERR_OVERFLOW;
    if (!score_out) {
        own_scores = rs__alloc_array(pairs, sizeof *own_scores);
        if (!own_scores)
            return RS_ERR_NOMEM;
        score_out = own_scores;
    }
    if (store->ivf && store->index_kind != RS_INDEX_EXACT) {
        struct rs__ivf_filter filter = {exclude_words ? exclude : NULL, exclude_words, allow,
                                        allow_words};
        rc = rs__ivf_search(store, queries, n_queries, k, metric == RS_ITEM_METRIC_COSINE, &filter,
                            index_out, score_out, count_out);
        free(own_scores);
        return rc < 0 ? rc : RS_OK;
    }

    memset(&p, 0, sizeof p);
    p.store = store;
    p.n_queries = n_queries;
    p.k = k < store->live ? k : store->live;
    p.dim = dim;
    p.span = rs__item_span(store);
    p.kernel = kernel_in_use();
    p.cosine = metric == RS_ITEM_METRIC_COSINE;
    p.filtered = store->live != p.span || exclude_words || allow;
    p.n_groups = (n_queries + 15) / 16;
    p.exclude = exclude_words ? exclude : NULL;
    p.exclude_words = exclude_words;
    p.allow = allow;
    p.allow_words = allow_words;

    rc = prepare_queries(&p, queries, &scaled);
    if (rc < 0)
        goto done;
    if (store->scan == RS_SCAN_BF16 && store->bf16 && n_queries == 1 &&
        p.kernel == KERNEL_AVX512 && use_bf16()) {
        /* Scan for rerank x k candidates, re-score them exactly below.  Only
         * for one query, which is bound by memory traffic (halved here); a
         * batch is bound by arithmetic, where vdpbf16ps measured no faster
         * than float32 FMAs on the machines tried, so batches stay exact. */
        size_t want = p.k * (size_t)store->rerank;
        p.bf16 = true;
        p.k = want < store->live ? want : store->live;
        if ((rc = prepare_bf16(&p)) < 0)
            goto done;
    }
    if (p.kernel != KERNEL_BLAS) {
        /* Tiles of 24 KiB of items stay in L1 (with the query panels) while
         * every query group passes over them; whole blocks of the AVX-512
         * (8 items) and AVX2 (6 items) kernels. */
        size_t work;
        p.tile_items = (24u * 1024u) / (dim * sizeof(float));
        p.tile_items = p.tile_items < 24 ? 24 : p.tile_items - p.tile_items % 24;
        if (rs__mul_size(p.span, n_queries, &work) < 0 || rs__mul_size(work, dim, &work) < 0)
            work = SIZE_MAX;
        if (work >= PARALLEL_MIN_WORK)
            n_workers = rs__parallel_workers(p.span / TASK_ITEMS_MIN + 1, max_workers);
        /* At least 16 tasks per worker for balance, none above TASK_WORK_MAX
         * multiply-adds; each a whole number of tiles. */
        p.task_items = p.span / ((size_t)n_workers * 16) + 1;
        if (n_workers > 1 && work / TASK_WORK_MAX > p.span / p.task_items)
            p.task_items = p.span / (work / TASK_WORK_MAX) + 1;
        if (p.task_items < TASK_ITEMS_MIN)
            p.task_items = TASK_ITEMS_MIN;
        p.task_items += p.tile_items - p.task_items % p.tile_items;
        n_tasks = (p.span + p.task_items - 1) / p.task_items;
        n_workers = rs__parallel_workers(n_tasks, n_workers);
        if ((rc = init_workers(&p, n_workers)) < 0)
            goto done;
        rc = rs__parallel_for(n_tasks, n_workers, fused_task, &p);
    } else {
        if ((rc = init_workers(&p, 1)) < 0)
            goto done;
        rc = blas_search(&p, &p.workers[0]);
    }
    if (rc < 0)
        goto done;
    if (!p.bf16) {
        merge_results(&p, n_workers, k, index_out, score_out, count_out);
        goto done;
    }
    if (rs__mul_size(n_queries, p.k, &pairs) < 0) {
        rc = RS_ERR_OVERFLOW;
        goto done;
    }
    cand_index = rs__alloc_array(pairs, sizeof *cand_index);
    cand_score = rs__alloc_array(pairs, sizeof *cand_score);
    cand_count = rs__alloc_array(n_queries, sizeof *cand_count);
    if (!cand_index || !cand_score || !cand_count) {
        rc = RS_ERR_NOMEM;
        goto done;
    }
    merge_results(&p, n_workers, p.k, cand_index, cand_score, cand_count);
    rerank(&p, k, cand_index, cand_count, index_out, score_out, count_out);
done:
    free_workers(p.workers, n_workers);
    rs__aligned_free(p.panels);
    rs__aligned_free(p.bf_panels);
    free(p.bf_query);
    free(cand_index);
    free(cand_score);
    free(cand_count);
    free(scaled);
    free(own_scores);
    return rc < 0 ? rc : RS_OK;
}
