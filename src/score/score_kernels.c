/*
 * score_kernels.c - the scorer's passes over every item that are plain
 * arithmetic: the largest |x|, a division by it, the blend's weighted sums.
 * Portable loops (four lanes at a time where GNU vectors exist), and AVX2
 * ones taken when the CPU runs AVX2: each lane makes the scalar
 * expression's operations (a maximum taken in any order, a correctly
 * rounded quotient, double products and sums left to right, never an FMA),
 * so every path gives the same bits.  On the retail catalogue these passes
 * were a sixth of a simulated step at four lanes of SSE2.
 */
#include "core/cpu.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "score/score_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_SCORE_HAVE_AVX2 1
#include <immintrin.h>
#else
#define RS_SCORE_HAVE_AVX2 0
#endif

static atomic_int forced_portable = 0;

void rs__score_force_portable(int on) { atomic_store(&forced_portable, on ? 1 : 0); }

#if RS_SCORE_HAVE_AVX2
static bool use_avx2(void)
{
    return !atomic_load(&forced_portable) && rs__cpu_has(RS_CPU_AVX2);
}
#endif

/* ------------------------------------------------------------ portable */

/*
 * The largest |x[i]| (NaN ignored, 0 for none), and dst[i] = src[i] / d,
 * four lanes at a time (twice per pass) where GNU vectors exist: a maximum
 * does not depend on the order it is taken in and each quotient is the
 * scalar one, so the bits are the scalar loops'; the scalar loops ran a
 * division at a time (about a tenth of a simulated step on the retail
 * catalogue).
 */
#if defined(__GNUC__)
typedef float rs__score_v4f __attribute__((vector_size(16)));
typedef int32_t rs__score_v4i __attribute__((vector_size(16)));

static inline rs__score_v4f vmax_abs(rs__score_v4f m, const float *x)
{
    const rs__score_v4i magnitude = {INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX};
    rs__score_v4f v;
    memcpy(&v, x, sizeof v);
    rs__score_v4i b = (rs__score_v4i)v & magnitude; /* |v|, as bits */
    rs__score_v4i gt = (rs__score_v4f)b > m;      /* NaN: false, as in the scalar loop */
    return (rs__score_v4f)((b & gt) | ((rs__score_v4i)m & ~gt));
}
#endif

static float abs_max(const float *x, size_t n)
{
    float mx = 0.0f;
    size_t i = 0;
#if defined(__GNUC__)
    rs__score_v4f m0 = {0, 0, 0, 0}, m1 = m0;
    for (; i + 8 <= n; i += 8) {
        m0 = vmax_abs(m0, x + i);
        m1 = vmax_abs(m1, x + i + 4);
    }
    float lanes[8];
    memcpy(lanes, &m0, sizeof m0);
    memcpy(lanes + 4, &m1, sizeof m1);
    for (int l = 0; l < 8; l++)
        if (lanes[l] > mx)
            mx = lanes[l];
#endif
    for (; i < n; i++)
        if (fabsf(x[i]) > mx)
            mx = fabsf(x[i]);
    return mx;
}

static void divide(float *dst, const float *src, size_t n, float d)
{
    size_t i = 0;
#if defined(__GNUC__)
    const rs__score_v4f dv = {d, d, d, d};
    for (; i + 4 <= n; i += 4) {
        rs__score_v4f v;
        memcpy(&v, src + i, sizeof v);
        v /= dv;
        memcpy(dst + i, &v, sizeof v);
    }
#endif
    for (; i < n; i++)
        dst[i] = src[i] / d;
}

/* c[i] = (float)(wc c[i] + wk cf[i]) in double, four lanes at a time where
 * GNU vectors exist: each lane makes the scalar expression's operations, so
 * the bits are the same (the scalar loop was a conversion at a time). */
static void blend2(float *c, const float *cf, size_t n, double wc, double wk)
{
    size_t i = 0;
#if defined(__GNUC__)
    typedef float v4f __attribute__((vector_size(16)));
    typedef double v4d __attribute__((vector_size(32)));
    const v4d a = {wc, wc, wc, wc}, b = {wk, wk, wk, wk};
    for (; i + 4 <= n; i += 4) {
        v4f x, y;
        memcpy(&x, c + i, sizeof x);
        memcpy(&y, cf + i, sizeof y);
        v4d xd = __builtin_convertvector(x, v4d), yd = __builtin_convertvector(y, v4d);
        v4d left = a * xd, right = b * yd; /* never contracted to an FMA */
        x = __builtin_convertvector(left + right, v4f);
        memcpy(c + i, &x, sizeof x);
    }
#endif
    for (; i < n; i++)
        c[i] = (float)(wc * c[i] + wk * cf[i]);
}

/* c[i] = (float)(wc c[i] + wk cf[i] + wg r[i] + wp p[i]) in double, the
 * sum taken left to right as the scalar expression does, four lanes at a
 * time where GNU vectors exist (the same bits, as blend2): the retail
 * model's blend (popularity weighted, the graph's weight 0) ran this loop a
 * conversion at a time, a tenth of a simulated step. */
static void blend4(float *c, const float *cf, const float *r, const float *p, size_t n,
                   double wc, double wk, double wg, double wp)
{
    size_t i = 0;
#if defined(__GNUC__)
    typedef float v4f __attribute__((vector_size(16)));
    typedef double v4d __attribute__((vector_size(32)));
    const v4d a = {wc, wc, wc, wc}, b = {wk, wk, wk, wk}, g = {wg, wg, wg, wg},
              q = {wp, wp, wp, wp};
    for (; i + 4 <= n; i += 4) {
        v4f x, y, z, u;
        memcpy(&x, c + i, sizeof x);
        memcpy(&y, cf + i, sizeof y);
        memcpy(&z, r + i, sizeof z);
        memcpy(&u, p + i, sizeof u);
        v4d sum = a * __builtin_convertvector(x, v4d) + b * __builtin_convertvector(y, v4d);
        sum = sum + g * __builtin_convertvector(z, v4d);
        sum = sum + q * __builtin_convertvector(u, v4d);
        x = __builtin_convertvector(sum, v4f);
        memcpy(c + i, &x, sizeof x);
    }
#endif
    for (; i < n; i++)
        c[i] = (float)(wc * c[i] + wk * cf[i] + wg * r[i] + wp * p[i]);
}

/* ------------------------------------------------------------ AVX2 */

#if RS_SCORE_HAVE_AVX2
/* max(|v|, m) lane by lane, m first in the comparison's false case: a NaN
 * |v| keeps m, as the scalar loop's "|x| > mx" does. */
__attribute__((target("avx2"))) static float abs_max_avx2(const float *x, size_t n)
{
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MAX));
    __m256 m0 = _mm256_setzero_ps(), m1 = m0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        /* MAXPS gives its second operand when either is NaN */
        m0 = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), magnitude), m0);
        m1 = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i + 8), magnitude), m1);
    }
    float lanes[16], mx = 0.0f;
    _mm256_storeu_ps(lanes, m0);
    _mm256_storeu_ps(lanes + 8, m1);
    for (int l = 0; l < 16; l++)
        if (lanes[l] > mx)
            mx = lanes[l];
    for (; i < n; i++)
        if (fabsf(x[i]) > mx)
            mx = fabsf(x[i]);
    return mx;
}

__attribute__((target("avx2"))) static void divide_avx2(float *dst, const float *src,
                                                        size_t n, float d)
{
    const __m256 dv = _mm256_set1_ps(d);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_div_ps(_mm256_loadu_ps(src + i), dv));
    for (; i < n; i++)
        dst[i] = src[i] / d;
}

__attribute__((target("avx2"))) static void blend2_avx2(float *c, const float *cf, size_t n,
                                                        double wc, double wk)
{
    const __m256d a = _mm256_set1_pd(wc), b = _mm256_set1_pd(wk);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d x = _mm256_cvtps_pd(_mm_loadu_ps(c + i)), y = _mm256_cvtps_pd(_mm_loadu_ps(cf + i));
        __m256d sum = _mm256_add_pd(_mm256_mul_pd(a, x), _mm256_mul_pd(b, y));
        _mm_storeu_ps(c + i, _mm256_cvtpd_ps(sum));
    }
    for (; i < n; i++)
        c[i] = (float)(wc * c[i] + wk * cf[i]);
}

__attribute__((target("avx2"))) static void blend4_avx2(float *c, const float *cf,
                                                        const float *r, const float *p,
                                                        size_t n, double wc, double wk,
                                                        double wg, double wp)
{
    const __m256d a = _mm256_set1_pd(wc), b = _mm256_set1_pd(wk), g = _mm256_set1_pd(wg),
                  q = _mm256_set1_pd(wp);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d x = _mm256_cvtps_pd(_mm_loadu_ps(c + i)), y = _mm256_cvtps_pd(_mm_loadu_ps(cf + i)),
                z = _mm256_cvtps_pd(_mm_loadu_ps(r + i)), u = _mm256_cvtps_pd(_mm_loadu_ps(p + i));
        __m256d sum = _mm256_add_pd(_mm256_mul_pd(a, x), _mm256_mul_pd(b, y));
        sum = _mm256_add_pd(sum, _mm256_mul_pd(g, z));
        sum = _mm256_add_pd(sum, _mm256_mul_pd(q, u));
        _mm_storeu_ps(c + i, _mm256_cvtpd_ps(sum));
    }
    for (; i < n; i++)
        c[i] = (float)(wc * c[i] + wk * cf[i] + wg * r[i] + wp * p[i]);
}
#endif

/* ------------------------------------------------------------ dispatch */

float rs__score_abs_max(const float *x, size_t n)
{
#if RS_SCORE_HAVE_AVX2
    if (use_avx2())
        return abs_max_avx2(x, n);
#endif
    return abs_max(x, n);
}

void rs__score_divide(float *dst, const float *src, size_t n, float d)
{
#if RS_SCORE_HAVE_AVX2
    if (use_avx2()) {
        divide_avx2(dst, src, n, d);
        return;
    }
#endif
    divide(dst, src, n, d);
}

void rs__score_blend2(float *c, const float *cf, size_t n, double wc, double wk)
{
#if RS_SCORE_HAVE_AVX2
    if (use_avx2()) {
        blend2_avx2(c, cf, n, wc, wk);
        return;
    }
#endif
    blend2(c, cf, n, wc, wk);
}

void rs__score_blend4(float *c, const float *cf, const float *r, const float *p, size_t n,
                      double wc, double wk, double wg, double wp)
{
#if RS_SCORE_HAVE_AVX2
    if (use_avx2()) {
        blend4_avx2(c, cf, r, p, n, wc, wk, wg, wp);
        return;
    }
#endif
    blend4(c, cf, r, p, n, wc, wk, wg, wp);
}
