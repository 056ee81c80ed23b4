/*
 * item_ivf_scan.c - the scan of one inverted list for one query.
 *
 * A list keeps its vectors in blocks of 16, dimension-major (float32 or
 * 8-bit codes), so one 16-lane FMA scores 16 entries for one dimension and
 * one comparison tests the 16 scores against the shortlist's threshold;
 * the filters are tested only for scores that pass.  Each vector kernel
 * writes its block loop once, instantiated for float32 and for 8-bit codes
 * (an always-inline body with a constant `sq`), so the value type is never
 * tested inside the loop.
 */
#include "items/item_ivf_scan.h"

#include <math.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define IVF_X86 1
#include <immintrin.h>
#else
#define IVF_X86 0
#endif

static inline float gate_of(const rs_topk *top)
{
    return top->size < top->k ? -INFINITY : top->score[0];
}

/* Offer the passing lanes of a block's 16 scores. */
static void offer_block(const struct rs__ivf_scan *s, const uint32_t *ids, const float *scores,
                        unsigned pass, rs_topk *top, float *gate)
{
    while (pass) {
        unsigned lane = (unsigned)__builtin_ctz(pass);
        float score = scores[lane];
        pass &= pass - 1;
        if (s->cosine)
            score *= s->store->inv_norm[ids[lane]];
        if (score < *gate || !rs__ivf_admissible(s, ids[lane]))
            continue;
        rs__topk_push(top, ids[lane], score);
        *gate = gate_of(top);
    }
}

/* Lanes of block b that hold entries. */
static inline unsigned valid_lanes(const struct rs__ivf_list *l, size_t b)
{
    size_t left = l->size - b * RS_IVF_BLOCK;
    return left >= RS_IVF_BLOCK ? 0xFFFFu : (1u << left) - 1u;
}

/* Offer block b's scores: with cosine the gate compares scaled scores, so
 * every valid lane goes to offer_block, which scales them first. */
static inline void offer_scores(const struct rs__ivf_scan *s, const struct rs__ivf_list *l,
                                size_t b, const float *lanes, unsigned pass, rs_topk *top,
                                float *gate)
{
    pass = (s->cosine ? 0xFFFFu : pass) & valid_lanes(l, b);
    if (pass)
        offer_block(s, l->ids + b * RS_IVF_BLOCK, lanes, pass, top, gate);
}

/* The portable scan: 16 running sums per block. */
static void scan_portable(const struct rs__ivf_scan *s, const struct rs__ivf_list *l,
                          rs_topk *top, float *gate)
{
    const struct rs__ivf *ivf = s->ivf;
    size_t blocks = (l->size + RS_IVF_BLOCK - 1) / RS_IVF_BLOCK;
    for (size_t b = 0; b < blocks; b++) {
        const unsigned char *block = l->codes + b * rs__ivf_block_bytes(ivf);
        float acc[RS_IVF_BLOCK];
        unsigned pass = 0;
        for (unsigned j = 0; j < RS_IVF_BLOCK; j++)
            acc[j] = s->bias;
        for (size_t d = 0; d < ivf->dim; d++) {
            if (ivf->value_bytes == 1) {
                const uint8_t *c = block + d * RS_IVF_BLOCK;
                for (unsigned j = 0; j < RS_IVF_BLOCK; j++)
                    acc[j] += s->q[d] * (float)c[j];
            } else {
                const float *x = (const float *)(const void *)block + d * RS_IVF_BLOCK;
                for (unsigned j = 0; j < RS_IVF_BLOCK; j++)
                    acc[j] += s->q[d] * x[j];
            }
        }
        for (unsigned j = 0; j < RS_IVF_BLOCK; j++)
            if (acc[j] >= *gate)
                pass |= 1u << j;
        offer_scores(s, l, b, acc, pass, top, gate);
    }
}

#if IVF_X86
#define TARGET_AVX512 __attribute__((target("avx512f")))
#define TARGET_AVX2 __attribute__((target("avx2,fma")))
#define INLINE __attribute__((always_inline)) static inline

/* Dimension d of a block's 16 entries. */
TARGET_AVX512 INLINE __m512 avx512_row(const unsigned char *block, size_t d, bool sq)
{
    if (sq)
        return _mm512_cvtepi32_ps(
            _mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)(const void *)(block + d * 16))));
    return _mm512_load_ps((const float *)(const void *)block + d * 16);
}

/* A block's 16 scores: four partial sums hide the FMA latency. */
TARGET_AVX512 INLINE __m512 avx512_block(const struct rs__ivf_scan *s,
                                         const unsigned char *block, size_t dim, bool sq)
{
    __m512 a0 = _mm512_set1_ps(s->bias), a1 = _mm512_setzero_ps(), a2 = a1, a3 = a1;
    size_t d = 0;
    for (; d + 4 <= dim; d += 4) {
        a0 = _mm512_fmadd_ps(avx512_row(block, d, sq), _mm512_set1_ps(s->q[d]), a0);
        a1 = _mm512_fmadd_ps(avx512_row(block, d + 1, sq), _mm512_set1_ps(s->q[d + 1]), a1);
        a2 = _mm512_fmadd_ps(avx512_row(block, d + 2, sq), _mm512_set1_ps(s->q[d + 2]), a2);
        a3 = _mm512_fmadd_ps(avx512_row(block, d + 3, sq), _mm512_set1_ps(s->q[d + 3]), a3);
    }
    for (; d < dim; d++)
        a0 = _mm512_fmadd_ps(avx512_row(block, d, sq), _mm512_set1_ps(s->q[d]), a0);
    return _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3));
}

TARGET_AVX512 INLINE void avx512_list(const struct rs__ivf_scan *s,
                                      const struct rs__ivf_list *l, rs_topk *top, float *gate,
                                      bool sq)
{
    const size_t dim = s->ivf->dim, bb = rs__ivf_block_bytes(s->ivf);
    size_t blocks = (l->size + RS_IVF_BLOCK - 1) / RS_IVF_BLOCK;
    float lanes[RS_IVF_BLOCK];
    for (size_t b = 0; b < blocks; b++) {
        const unsigned char *block = l->codes + b * bb;
        __m512 sum;
        if (b + 2 < blocks)
            for (size_t off = 0; off < bb; off += 64)
                _mm_prefetch((const char *)(block + 2 * bb + off), _MM_HINT_T0);
        sum = avx512_block(s, block, dim, sq);
        _mm512_storeu_ps(lanes, sum);
        offer_scores(s, l, b, lanes,
                     _mm512_cmp_ps_mask(sum, _mm512_set1_ps(*gate), _CMP_GE_OQ), top, gate);
    }
}

TARGET_AVX512 static void scan_avx512(const struct rs__ivf_scan *s,
                                      const struct rs__ivf_list *l, rs_topk *top, float *gate)
{
    if (s->ivf->value_bytes == 1)
        avx512_list(s, l, top, gate, true);
    else
        avx512_list(s, l, top, gate, false);
}

/* Dimension d of entries 8h .. 8h+7 of a block. */
TARGET_AVX2 INLINE __m256 avx2_half(const unsigned char *block, size_t d, int h, bool sq)
{
    if (sq)
        return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(
            _mm_loadl_epi64((const __m128i *)(const void *)(block + d * 16 + 8 * h))));
    return _mm256_load_ps((const float *)(const void *)block + d * 16 + 8 * h);
}

/* A block's scores as two 8-lane halves, two partial sums each. */
TARGET_AVX2 INLINE void avx2_block(const struct rs__ivf_scan *s, const unsigned char *block,
                                   size_t dim, bool sq, __m256 *lo, __m256 *hi)
{
    __m256 lo0 = _mm256_set1_ps(s->bias), hi0 = lo0, lo1 = _mm256_setzero_ps(), hi1 = lo1;
    size_t d = 0;
    for (; d + 2 <= dim; d += 2) {
        __m256 q0 = _mm256_set1_ps(s->q[d]), q1 = _mm256_set1_ps(s->q[d + 1]);
        lo0 = _mm256_fmadd_ps(avx2_half(block, d, 0, sq), q0, lo0);
        hi0 = _mm256_fmadd_ps(avx2_half(block, d, 1, sq), q0, hi0);
        lo1 = _mm256_fmadd_ps(avx2_half(block, d + 1, 0, sq), q1, lo1);
        hi1 = _mm256_fmadd_ps(avx2_half(block, d + 1, 1, sq), q1, hi1);
    }
    for (; d < dim; d++) {
        __m256 q0 = _mm256_set1_ps(s->q[d]);
        lo0 = _mm256_fmadd_ps(avx2_half(block, d, 0, sq), q0, lo0);
        hi0 = _mm256_fmadd_ps(avx2_half(block, d, 1, sq), q0, hi0);
    }
    *lo = _mm256_add_ps(lo0, lo1), *hi = _mm256_add_ps(hi0, hi1);
}

TARGET_AVX2 INLINE void avx2_list(const struct rs__ivf_scan *s, const struct rs__ivf_list *l,
                                  rs_topk *top, float *gate, bool sq)
{
    const size_t dim = s->ivf->dim, bb = rs__ivf_block_bytes(s->ivf);
    size_t blocks = (l->size + RS_IVF_BLOCK - 1) / RS_IVF_BLOCK;
    float lanes[RS_IVF_BLOCK];
    for (size_t b = 0; b < blocks; b++) {
        __m256 lo, hi, g = _mm256_set1_ps(*gate);
        avx2_block(s, l->codes + b * bb, dim, sq, &lo, &hi);
        _mm256_storeu_ps(lanes, lo);
        _mm256_storeu_ps(lanes + 8, hi);
        offer_scores(s, l, b, lanes,
                     (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(lo, g, _CMP_GE_OQ)) |
                         (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(hi, g, _CMP_GE_OQ)) << 8,
                     top, gate);
    }
}

TARGET_AVX2 static void scan_avx2(const struct rs__ivf_scan *s, const struct rs__ivf_list *l,
                                  rs_topk *top, float *gate)
{
    if (s->ivf->value_bytes == 1)
        avx2_list(s, l, top, gate, true);
    else
        avx2_list(s, l, top, gate, false);
}
#endif

void rs__ivf_scan_list(const struct rs__ivf_scan *s, const struct rs__ivf_list *l,
                       rs_topk *top, float *gate)
{
#if IVF_X86
    if (s->kernel == RS__KERNEL_AVX512) {
        scan_avx512(s, l, top, gate);
        return;
    }
    if (s->kernel == RS__KERNEL_AVX2) {
        scan_avx2(s, l, top, gate);
        return;
    }
#endif
    scan_portable(s, l, top, gate);
}
