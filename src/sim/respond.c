/*
 * respond.c - the response model: utilities, the position-based logit or
 * cascade with a no-click option, purchase, rating and leaving; one user at
 * a time (rs_sim_respond) or a batch over threads (rs_sim_respond_batch).
 *
 * Speed: one Philox block (four 32-bit words) per response for the fixed
 * draws, the rating's normal by inverting its CDF (no Box-Muller), the
 * slate's item rows prefetched a few responses ahead in batches, the dot
 * products with the widest kernel the CPU runs (AVX-512, AVX2, portable:
 * chosen at run time, the same bits), and the slate's
 * intra-list diversity in O(n dim) from the sum of unit vectors.
 */
#include "sim/sim_internal.h"

#include "core/cpu.h"
#include "core/error.h"
#include "core/fastmath.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { STREAM_CHOICE = 0x5101, STREAM_CASCADE = 0x5102 };

#define BATCH_PER_TASK 1024
#define PREFETCH_AHEAD 6

static double clamp01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }


/* A 32-bit word as a uniform in (0, 1). */
static double unit(uint32_t w) { return ((double)w + 0.5) * 0x1.0p-32; }

/*
 * <a, b> in float with eight interleaved partial sums (lane l sums the
 * products k = l mod 8 in order), combined in a fixed tree
 * ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)): the GNU vector path and
 * the portable path give the same bits.
 */
#if defined(__GNUC__)
typedef float rs__v4f __attribute__((vector_size(16)));
typedef int32_t rs__v4i __attribute__((vector_size(16)));
#endif

static inline double dotf(const float *a, const float *b, size_t d)
{
    float l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t k = 0;
#if defined(__GNUC__)
    rs__v4f lo = {0, 0, 0, 0}, hi = {0, 0, 0, 0};
    for (; k + 8 <= d; k += 8) {
        rs__v4f x0, x1, y0, y1;
        memcpy(&x0, a + k, sizeof x0);
        memcpy(&x1, a + k + 4, sizeof x1);
        memcpy(&y0, b + k, sizeof y0);
        memcpy(&y1, b + k + 4, sizeof y1);
        lo += x0 * y0;
        hi += x1 * y1;
    }
    if (k == d) {
        rs__v4f sum = lo + hi;
        float q[4];
        memcpy(q, &sum, sizeof q);
        return (double)((q[0] + q[2]) + (q[1] + q[3]));
    }
    memcpy(l, &lo, sizeof lo);
    memcpy(l + 4, &hi, sizeof hi);
#else
    for (; k + 8 <= d; k += 8)
        for (int i = 0; i < 8; i++)
            l[i] += a[k + i] * b[k + i];
#endif
    for (; k < d; k++)
        l[0] += a[k] * b[k];
    return (double)(((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7])));
}

double rs__sim_dot(const float *a, const float *b, size_t d) { return dotf(a, b, d); }

/*
 * The slate's affinities <v, x_j>, d a multiple of 8, with one 8-lane
 * accumulator per item: lane l sums the products k = l mod 8 in order, as
 * dotf's two 4-lane halves do, and the reduction is dotf's, so the bits are
 * the same on either path (no FMA: each product is rounded, then added).
 */
#if defined(__GNUC__) && defined(__x86_64__)
#define RS_SIM_HAVE_AVX2 1
typedef float rs__v8f __attribute__((vector_size(32)));

/* One item's 8 lanes reduced as dotf reduces them. */
__attribute__((target("avx2"))) static inline double lanes_sum(rs__v8f acc)
{
    float l[8];
    memcpy(l, &acc, sizeof l);
    float q0 = l[0] + l[4], q1 = l[1] + l[5], q2 = l[2] + l[6], q3 = l[3] + l[7];
    return (double)((q0 + q2) + (q1 + q3));
}

/*
 * Four items at a time: each item's accumulator is a chain of d / 8
 * dependent additions, so one item alone waits on the adder's latency at
 * every step; four independent chains keep it busy.  Each item's lanes add
 * the same products in the same order as alone, so the bits do not change.
 */
__attribute__((target("avx2"))) static void dots_avx2(const float *v, const float *items,
                                                      const uint32_t *slate, size_t n,
                                                      size_t d, double *out)
{
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const float *x0 = items + (size_t)slate[j] * d, *x1 = items + (size_t)slate[j + 1] * d;
        const float *x2 = items + (size_t)slate[j + 2] * d, *x3 = items + (size_t)slate[j + 3] * d;
        rs__v8f a0 = {0, 0, 0, 0, 0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0;
        for (size_t k = 0; k < d; k += 8) {
            rs__v8f a, b0, b1, b2, b3;
            memcpy(&a, v + k, sizeof a);
            memcpy(&b0, x0 + k, sizeof b0);
            memcpy(&b1, x1 + k, sizeof b1);
            memcpy(&b2, x2 + k, sizeof b2);
            memcpy(&b3, x3 + k, sizeof b3);
            a0 += a * b0;
            a1 += a * b1;
            a2 += a * b2;
            a3 += a * b3;
        }
        out[j] = lanes_sum(a0);
        out[j + 1] = lanes_sum(a1);
        out[j + 2] = lanes_sum(a2);
        out[j + 3] = lanes_sum(a3);
    }
    for (; j < n; j++) {
        const float *x = items + (size_t)slate[j] * d;
        rs__v8f acc = {0, 0, 0, 0, 0, 0, 0, 0};
        for (size_t k = 0; k < d; k += 8) {
            rs__v8f a, b;
            memcpy(&a, v + k, sizeof a);
            memcpy(&b, x + k, sizeof b);
            acc += a * b;
        }
        out[j] = lanes_sum(acc);
    }
}
#endif

#if defined(RS_SIM_HAVE_AVX2)
#include <immintrin.h>

/* One item's 8 lanes (half of a 16-lane register) reduced as dotf does. */
__attribute__((target("avx512f"))) static inline double half_sum(__m256 acc)
{
    float l[8];
    _mm256_storeu_ps(l, acc);
    float q0 = l[0] + l[4], q1 = l[1] + l[5], q2 = l[2] + l[6], q3 = l[3] + l[7];
    return (double)((q0 + q2) + (q1 + q3));
}

/* x_a[k .. k+8) in the low half, x_b[k .. k+8) in the high half. */
__attribute__((target("avx512f"))) static inline __m512 pair_load(const float *a,
                                                                  const float *b)
{
    __m512d lo = _mm512_castps_pd(_mm512_castps256_ps512(_mm256_loadu_ps(a)));
    return _mm512_castpd_ps(_mm512_insertf64x4(lo, _mm256_castps_pd(_mm256_loadu_ps(b)), 1));
}

/*
 * AVX-512: two items per 16-lane register, each in its own 8 lanes, against
 * v[k .. k+8) broadcast to both halves.  Lane l of an item's half sums the
 * products k = l mod 8 in order, a product rounded before its add (separate
 * statements: never contracted to an FMA), as dots_avx2 and dotf do, so the
 * bits are the same on every path; four items (two registers) per pass for
 * independent chains.
 */
__attribute__((target("avx512f"))) static void dots_avx512(const float *v, const float *items,
                                                          const uint32_t *slate, size_t n,
                                                          size_t d, double *out)
{
    size_t j = 0;
    for (; j + 2 <= n; j += 2) {
        const float *x0 = items + (size_t)slate[j] * d, *x1 = items + (size_t)slate[j + 1] * d;
        if (j + 4 <= n) {
            const float *x2 = items + (size_t)slate[j + 2] * d,
                        *x3 = items + (size_t)slate[j + 3] * d;
            __m512 a01 = _mm512_setzero_ps(), a23 = _mm512_setzero_ps();
            for (size_t k = 0; k < d; k += 8) {
                __m512 vv = _mm512_castpd_ps(_mm512_broadcast_f64x4(
                    _mm256_castps_pd(_mm256_loadu_ps(v + k))));
                __m512 p01 = _mm512_mul_ps(vv, pair_load(x0 + k, x1 + k));
                __m512 p23 = _mm512_mul_ps(vv, pair_load(x2 + k, x3 + k));
                a01 = _mm512_add_ps(a01, p01);
                a23 = _mm512_add_ps(a23, p23);
            }
            out[j] = half_sum(_mm512_castps512_ps256(a01));
            out[j + 1] = half_sum(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a01), 1)));
            out[j + 2] = half_sum(_mm512_castps512_ps256(a23));
            out[j + 3] = half_sum(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a23), 1)));
            j += 2;
            continue;
        }
        __m512 a01 = _mm512_setzero_ps();
        for (size_t k = 0; k < d; k += 8) {
            __m512 vv = _mm512_castpd_ps(
                _mm512_broadcast_f64x4(_mm256_castps_pd(_mm256_loadu_ps(v + k))));
            __m512 p01 = _mm512_mul_ps(vv, pair_load(x0 + k, x1 + k));
            a01 = _mm512_add_ps(a01, p01);
        }
        out[j] = half_sum(_mm512_castps512_ps256(a01));
        out[j + 1] = half_sum(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a01), 1)));
    }
    for (; j < n; j++) {
        const float *x = items + (size_t)slate[j] * d;
        __m256 acc = _mm256_setzero_ps();
        for (size_t k = 0; k < d; k += 8) {
            __m256 p = _mm256_mul_ps(_mm256_loadu_ps(v + k), _mm256_loadu_ps(x + k));
            acc = _mm256_add_ps(acc, p);
        }
        out[j] = half_sum(acc);
    }
}
#endif

/* The cap RECSIM_SIM_KERNEL sets ("avx2" or "portable"; anything else: none),
 * so that the slower paths can be measured on an AVX-512 CPU without a
 * rebuild.  Read once. */
static int environment_cap(void)
{
    static atomic_int cap = -1;
    if (atomic_load(&cap) < 0) {
        const char *v = getenv("RECSIM_SIM_KERNEL");
        int c = RS__SIM_KERNEL_AVX512;
        if (v && strcmp(v, "avx2") == 0)
            c = RS__SIM_KERNEL_AVX2;
        else if (v && strcmp(v, "portable") == 0)
            c = RS__SIM_KERNEL_PORTABLE;
        atomic_store(&cap, c);
    }
    return atomic_load(&cap);
}

/* The best kernel this CPU runs (AVX-512F, then AVX2, then portable), up to
 * the environment's cap: every one gives the same bits. */
int rs__sim_cpu_kernel(void)
{
    int best = RS__SIM_KERNEL_PORTABLE;
#if defined(RS_SIM_HAVE_AVX2)
    if (rs__cpu_has(RS_CPU_AVX512F))
        best = RS__SIM_KERNEL_AVX512;
    else if (rs__cpu_has(RS_CPU_AVX2))
        best = RS__SIM_KERNEL_AVX2;
#endif
    int cap = environment_cap();
    return best < cap ? best : cap;
}

const char *rs__sim_kernel_name(int kernel)
{
    return kernel == RS__SIM_KERNEL_AVX512 ? "avx512"
                                           : (kernel == RS__SIM_KERNEL_AVX2 ? "avx2" : "portable");
}

/*
 * Ask for one cache line.  On x86-64 an asm statement: GCC 12 at -O1 and
 * above deleted every __builtin_prefetch of prefetch_response as dead code
 * (the batch ran with no prefetching at all).
 */
static inline void prefetch_line(const char *c)
{
#if defined(__GNUC__) && defined(__x86_64__)
    __asm__ volatile("prefetcht0 %0" : : "m"(*c));
#elif defined(__GNUC__)
    __builtin_prefetch(c);
#else
    (void)c;
#endif
}

/* Ask for the cache lines of a slate's item rows and of the user's state. */
static inline void prefetch_lines(const void *p, size_t bytes)
{
#if defined(__GNUC__)
    const char *c = p;
    if (bytes > 2048)
        bytes = 2048;
    for (size_t off = 0; off < bytes; off += 64)
        prefetch_line(c + off);
    prefetch_line(c + bytes - 1);
#else
    (void)p, (void)bytes;
#endif
}

static inline void prefetch_response(const rs_sim *s, uint32_t u, const uint32_t *slate,
                                     size_t n)
{
    for (size_t j = 0; j < n; j++) {
        uint32_t i = slate[j];
        prefetch_lines(s->items + (size_t)i * s->dim, s->dim * sizeof(float));
        /* the category and popularity: random lines of their own, on the
         * utilities' critical path (category -> fatigue) */
        prefetch_line((const char *)(s->cat + i));
        prefetch_line((const char *)(s->pop + i));
    }
    prefetch_lines(s->interest + (size_t)u * s->dim, s->dim * sizeof(float));
    prefetch_lines(s->fatigue + (size_t)u * s->n_cat, s->n_cat * sizeof(float));
    prefetch_lines(&s->trait[u], sizeof s->trait[u]);
}

/*
 * Intra-list diversity: 1 - mean pairwise cosine.  With unit vectors y_j,
 * sum_{a != b} <y_a, y_b> = |sum y|^2 - sum |y_j|^2, in O(n dim).
 */
#if defined(RS_SIM_HAVE_AVX2)
/* acc[k] += c x[k] for k < w, four doubles a lane each: the scalar loop's
 * product (exact in double) and add per lane, so the same bits. */
__attribute__((target("avx2"))) static void ild_add_avx2(double *acc, const float *x,
                                                         double c, size_t w)
{
    const __m256d cv = _mm256_set1_pd(c);
    size_t k = 0;
    for (; k + 4 <= w; k += 4)
        _mm256_storeu_pd(acc + k, _mm256_add_pd(_mm256_loadu_pd(acc + k),
                                                _mm256_mul_pd(cv, _mm256_cvtps_pd(
                                                                      _mm_loadu_ps(x + k)))));
    for (; k < w; k++)
        acc[k] += c * x[k];
}
#endif

double rs__sim_ild(const rs_sim *s, const uint32_t *slate, size_t n)
{
    if (n < 2)
        return 0.0;
    double acc[64];
    double sq = 0, self = 0;
    for (size_t k0 = 0; k0 < s->dim; k0 += 64) {
        size_t w = s->dim - k0 < 64 ? s->dim - k0 : 64;
        for (size_t k = 0; k < w; k++)
            acc[k] = 0;
        for (size_t j = 0; j < n; j++) {
            const float *x = s->items + (size_t)slate[j] * s->dim + k0;
            double c = s->item_inv_norm[slate[j]];
#if defined(RS_SIM_HAVE_AVX2)
            if (s->kernel >= RS__SIM_KERNEL_AVX2) {
                ild_add_avx2(acc, x, c, w);
                continue;
            }
#endif
            for (size_t k = 0; k < w; k++)
                acc[k] += c * x[k];
        }
        for (size_t k = 0; k < w; k++)
            sq += acc[k] * acc[k];
    }
    for (size_t j = 0; j < n; j++)
        self += s->item_inv_norm[slate[j]] > 0 ? 1.0 : 0.0;
    double pairs = (double)n * (double)(n - 1);
    return 1.0 - (sq - self) / pairs;
}

/* Scaled utilities (before the temperature) and raw affinities. */
void rs__sim_utilities(const rs_sim *s, uint32_t u, const uint32_t *slate, size_t n,
                       double ild, double *util, double *aff)
{
    const rs__sim_trait *t = &s->trait[u];
    const float *v = s->interest + (size_t)u * s->dim;
    const float *fat = s->fatigue + (size_t)u * s->n_cat;
    double inv_tau = 1.0 / (0.5 + t->diversity);
    double thr = s->opt[RS_SIM_BOREDOM_THRESHOLD] * (0.5 + t->diversity);
    double cw = s->opt[RS_SIM_CONFORMITY_WEIGHT] * t->conformity;
    double fw = s->opt[RS_SIM_FATIGUE_WEIGHT];
    double shift = 0, bonus = s->truth && s->n_truth[u] ? s->opt[RS_SIM_TRUTH_BONUS] : 0.0;
    if (s->opt[RS_SIM_DIVERSITY_EFFECT] != 0) {
        if (isnan(ild))
            ild = rs__sim_ild(s, slate, n);
        shift = s->opt[RS_SIM_DIVERSITY_EFFECT] * (2.0 * t->diversity - 1.0) * ild;
    }
#if defined(RS_SIM_HAVE_AVX2)
    if (s->kernel == RS__SIM_KERNEL_AVX512 && s->dim % 8 == 0)
        dots_avx512(v, s->items, slate, n, s->dim, aff);
    else if (s->kernel == RS__SIM_KERNEL_AVX2 && s->dim % 8 == 0)
        dots_avx2(v, s->items, slate, n, s->dim, aff);
    else
#endif
        for (size_t j = 0; j < n; j++)
            aff[j] = dotf(v, s->items + (size_t)slate[j] * s->dim, s->dim);
    for (size_t j = 0; j < n; j++) {
        uint32_t i = slate[j];
        double a = aff[j];
        double bored = (double)fat[s->cat[i]] - thr;
        double x = a + cw * s->pop[i] - (bored > 0 ? fw * bored : 0.0) + shift;
        if (bonus != 0 && rs__sim_is_truth(s, u, i))
            x += bonus;
        util[j] = x * inv_tau;
    }
}

/* Choice probabilities from scaled utilities; probs has n + 1 entries. */
void rs__sim_choice_probs(const rs_sim *s, const double *util, size_t n, double *probs)
{
    double T = s->opt[RS_SIM_TEMPERATURE], m = s->opt[RS_SIM_NOCLICK];
    double g = s->opt[RS_SIM_POSITION_DECAY];
    if (s->position_model == RS_SIM_PBM) {
        double lg = log(g), mx = log(m);
        for (size_t j = 0; j < n; j++) {
            probs[j] = util[j] / T + lg * (double)j;
            if (probs[j] > mx)
                mx = probs[j];
        }
        double z = exp(log(m) - mx);
        for (size_t j = 0; j < n; j++) {
            probs[j] = exp(probs[j] - mx);
            z += probs[j];
        }
        double acc = 0;
        for (size_t j = 0; j < n; j++) {
            probs[j] /= z;
            acc += probs[j];
        }
        probs[n] = 1.0 - acc < 0 ? 0 : 1.0 - acc;
    } else {
        double reach = 1.0, acc = 0;
        for (size_t j = 0; j < n; j++) {
            double a = rs__sigmoid(util[j] / T - log(m));
            probs[j] = reach * a;
            acc += probs[j];
            reach *= (1.0 - a) * g;
        }
        probs[n] = 1.0 - acc < 0 ? 0 : 1.0 - acc;
    }
}

/*
 * The standard normal quantile, by Acklam's rational approximation
 * (relative error below 1.2e-9), for p in (0, 1).
 */
double rs__sim_normal_quantile(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};
    const double p_low = 0.02425;
    if (p < p_low) {
        double q = sqrt(-2 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - p_low) {
        double q = sqrt(-2 * log1p(-p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/*
 * e^x in float for x <= 0 (about 2e-7 relative; 0 below -87), four at a
 * time: x = k ln2 + r, a degree-6 polynomial in r, the exponent bits of 2^k.
 * The GNU vector path and the portable path compute the same operations.
 */
#if defined(__GNUC__)
static inline rs__v4f exp4f(rs__v4f x)
{
    const rs__v4f shifter = {0x1.8p23f, 0x1.8p23f, 0x1.8p23f, 0x1.8p23f};
    /* x = max(x, -87): keeps 2^k normal; the result there is ~0 */
    const rs__v4f floor = {-87.0f, -87.0f, -87.0f, -87.0f};
    rs__v4i below = x < floor, xi, fi;
    memcpy(&xi, &x, sizeof xi);
    memcpy(&fi, &floor, sizeof fi);
    xi = (xi & ~below) | (fi & below);
    memcpy(&x, &xi, sizeof x);
    rs__v4f t = x * 0x1.715476p0f + shifter;
    rs__v4f kf = t - shifter;
    rs__v4f r = (x - kf * 0x1.62e400p-1f) - kf * 0x1.7f7d1cp-20f;
    rs__v4f p = r * (1.0f / 720) + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    rs__v4i ti, bias = {0x4B400000 - 127, 0x4B400000 - 127, 0x4B400000 - 127,
                        0x4B400000 - 127};
    memcpy(&ti, &t, sizeof ti);
    rs__v4i e = (ti - bias) << 23;
    rs__v4f scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale;
}
#else
static inline float exp1f(float x)
{
    const float shifter = 0x1.8p23f;
    x = x < -87.0f ? -87.0f : x;
    float t = x * 0x1.715476p0f + shifter;
    float kf = t - shifter;
    float r = (x - kf * 0x1.62e400p-1f) - kf * 0x1.7f7d1cp-20f;
    float p = r * (1.0f / 720) + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t ti;
    memcpy(&ti, &t, sizeof ti);
    int32_t e = (int32_t)((uint32_t)(ti - (0x4B400000 - 127)) << 23);
    float scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale;
}
#endif

/* The clicked position under the position-based logit, or -1. */
static int choose_pbm(const rs_sim *s, const double *util, size_t n, double x)
{
    float w[RS_SIM_MAX_SLATE + 4];
    double inv_t = 1.0 / s->opt[RS_SIM_TEMPERATURE], lm = s->log_noclick;
    double lg = s->log_decay, mx = lm;
    for (size_t j = 0; j < n; j++) {
        double z = util[j] * inv_t + lg * (double)j;
        mx = z > mx ? z : mx;
    }
    size_t n4 = (n + 3) & ~(size_t)3;
    for (size_t j = 0; j < n; j++)
        w[j] = (float)(util[j] * inv_t + lg * (double)j - mx);
    for (size_t j = n; j < n4; j++)
        w[j] = -100.0f;
#if defined(__GNUC__)
    for (size_t j = 0; j < n4; j += 4) {
        rs__v4f v;
        memcpy(&v, w + j, sizeof v);
        v = exp4f(v);
        memcpy(w + j, &v, sizeof v);
    }
#else
    for (size_t j = 0; j < n4; j++)
        w[j] = exp1f(w[j]);
#endif
    double total = rs__fast_exp(lm - mx);
    for (size_t j = 0; j < n; j++)
        total += w[j];
    double target = x * total, acc = 0;
    for (size_t j = 0; j < n; j++) {
        acc += w[j];
        if (target < acc)
            return (int)j;
    }
    return -1;
}

/* The clicked position under the cascade, or -1 (its own stream). */
static int choose_cascade(const rs_sim *s, uint32_t u, uint64_t step, const double *util,
                          size_t n)
{
    rs_rng cas;
    rs__rng_init(&cas, s->seed, STREAM_CASCADE, u, step);
    double inv_t = 1.0 / s->opt[RS_SIM_TEMPERATURE], lm = s->log_noclick;
    double g = s->opt[RS_SIM_POSITION_DECAY];
    for (size_t j = 0; j < n; j++) {
        if (unit(rs__rng_u32(&cas)) < rs__fast_sigmoid(util[j] * inv_t - lm))
            return (int)j;
        if (unit(rs__rng_u32(&cas)) >= g)
            return -1;
    }
    return -1;
}

/*
 * One response.  The fixed draws come from one Philox block of
 * (seed, STREAM_CHOICE, user, step), always in the same roles (choice,
 * purchase, leave, rating), so that two policies see the same numbers.
 */
void rs__sim_draw(const rs_sim *s, uint32_t u, uint64_t step, const uint32_t *slate,
                  size_t n, double ild, rs__sim_response *r)
{
    double util[RS_SIM_MAX_SLATE], aff[RS_SIM_MAX_SLATE];
    rs__sim_utilities(s, u, slate, n, ild, util, aff);
    /* block 0 of the stream, as rs__rng_init + rs__rng_u32 would give it;
     * the key depends on the step's high half only */
    uint32_t w[4], counter[4] = {0, (uint32_t)step, u, 0};
    if (step >> 32) {
        rs_rng rng;
        rs__rng_init(&rng, s->seed, STREAM_CHOICE, u, step);
        rs__philox4x32(rng.counter, rng.key, w);
    } else {
        rs__philox4x32(counter, s->choice_key, w);
    }
    int pos = s->position_model == RS_SIM_PBM ? choose_pbm(s, util, n, unit(w[0]))
                                              : choose_cascade(s, u, step, util, n);
    r->position = pos;
    r->behaviour = RS_SIM_SKIP;
    r->rating = 0;
    if (pos >= 0) {
        double a = aff[pos];
        r->behaviour = unit(w[1]) < rs__fast_sigmoid(s->opt[RS_SIM_PURCHASE_BIAS] + a)
                           ? RS_SIM_PURCHASE : RS_SIM_CLICK;
        /* tanh a = 1 - 2 / (e^{2a} + 1) */
        double rv = 3.0 + 2.0 * (1.0 - 2.0 / (rs__fast_exp(2.0 * a) + 1.0)) +
                    s->opt[RS_SIM_RATING_NOISE] * rs__sim_normal_quantile(unit(w[3]));
        r->rating = rv < 1.5 ? 1 : (rv >= 4.5 ? 5 : (int)lround(rv));
    }
    r->left = unit(w[2]) < rs__sim_leave_prob(s, u, pos >= 0) || rs__sim_out_of_time(s, u, pos >= 0);
}

/* Whether this step (a view, plus a click) exhausts the session's budget. */
int rs__sim_out_of_time(const rs_sim *s, uint32_t u, int clicked)
{
    double budget = s->opt[RS_SIM_TIME_BUDGET];
    if (budget <= 0)
        return 0;
    double used = (double)s->time_used[u] + 1.0 + (clicked ? s->opt[RS_SIM_CLICK_TIME] : 0.0);
    return used >= budget * (0.5 + s->trait[u].activity);
}

double rs__sim_leave_prob(const rs_sim *s, uint32_t u, int clicked)
{
    double h = s->opt[RS_SIM_LEAVE_HAZARD] * (1.5 - s->trait[u].activity);
    return clamp01(clicked ? h : 2.0 * h);
}

double rs__sim_return_prob(const rs_sim *s, uint32_t u)
{
    return clamp01(s->opt[RS_SIM_RETURN_RATE] * (0.5 + s->trait[u].activity));
}

/* ------------------------------------------------------------ public */

static int check_slate(const rs_sim *s, uint32_t user, const uint32_t *slate, size_t n,
                       const void *out, const char *fn)
{
    if (!s || !slate || !out)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !s ? "sim" : (!slate ? "slate" : "output"));
    if (user >= s->n_users)
        return rs__fail(RS_ERR_NOTFOUND, "%s: user %u >= n_users %zu", fn, user, s->n_users);
    if (n == 0 || n > RS_SIM_MAX_SLATE)
        return rs__fail(RS_ERR_RANGE, "%s: slate size %zu outside 1 .. %d", fn, n,
                        RS_SIM_MAX_SLATE);
    for (size_t j = 0; j < n; j++)
        if (slate[j] >= s->n_items)
            return rs__fail(RS_ERR_NOTFOUND, "%s: slate[%zu] = %u >= n_items %zu", fn, j,
                            slate[j], s->n_items);
    return RS_OK;
}

int rs_sim_utilities(const rs_sim *sim, uint32_t user, const uint32_t *slate, size_t n,
                     double *utilities_out)
{
    int rc = check_slate(sim, user, slate, n, utilities_out, "rs_sim_utilities");
    if (rc)
        return rc;
    double aff[RS_SIM_MAX_SLATE];
    rs__sim_utilities(sim, user, slate, n, NAN, utilities_out, aff);
    return RS_OK;
}

int rs_sim_probabilities(const rs_sim *sim, uint32_t user, const uint32_t *slate, size_t n,
                         double *probs_out)
{
    int rc = check_slate(sim, user, slate, n, probs_out, "rs_sim_probabilities");
    if (rc)
        return rc;
    double util[RS_SIM_MAX_SLATE], aff[RS_SIM_MAX_SLATE];
    rs__sim_utilities(sim, user, slate, n, NAN, util, aff);
    rs__sim_choice_probs(sim, util, n, probs_out);
    return RS_OK;
}

int rs_sim_respond(const rs_sim *sim, uint32_t user, uint64_t step, const uint32_t *slate,
                   size_t n, int *position_out, int *behaviour_out, int *rating_out,
                   int *left_out)
{
    int rc = check_slate(sim, user, slate, n, slate, "rs_sim_respond");
    if (rc)
        return rc;
    rs__sim_response r;
    rs__sim_draw(sim, user, step, slate, n, NAN, &r);
    if (position_out)
        *position_out = r.position;
    if (behaviour_out)
        *behaviour_out = r.behaviour;
    if (rating_out)
        *rating_out = r.rating;
    if (left_out)
        *left_out = r.left;
    return RS_OK;
}

typedef struct batch_ctx {
    const rs_sim *s;
    const uint32_t *users, *slates;
    uint64_t step;
    size_t n, k;
    int32_t *pos, *beh, *rating, *left;
} batch_ctx;

static int batch_task(void *vctx, size_t task, unsigned worker)
{
    (void)worker;
    const batch_ctx *c = vctx;
    size_t lo = task * BATCH_PER_TASK, hi = lo + BATCH_PER_TASK;
    if (hi > c->n)
        hi = c->n;
    for (size_t i = lo; i < hi && i < lo + PREFETCH_AHEAD; i++)
        prefetch_response(c->s, c->users[i], c->slates + i * c->k, c->k);
    for (size_t i = lo; i < hi; i++) {
        if (i + PREFETCH_AHEAD < hi)
            prefetch_response(c->s, c->users[i + PREFETCH_AHEAD],
                              c->slates + (i + PREFETCH_AHEAD) * c->k, c->k);
        rs__sim_response r;
        rs__sim_draw(c->s, c->users[i], c->step, c->slates + i * c->k, c->k, NAN, &r);
        if (c->pos)
            c->pos[i] = r.position;
        if (c->beh)
            c->beh[i] = r.behaviour;
        if (c->rating)
            c->rating[i] = r.rating;
        if (c->left)
            c->left[i] = r.left;
    }
    return 0;
}

int rs_sim_respond_batch(const rs_sim *sim, const uint32_t *users, uint64_t step,
                         const uint32_t *slates, size_t n_responses, size_t slate_size,
                         int32_t *positions_out, int32_t *behaviours_out,
                         int32_t *ratings_out, int32_t *left_out)
{
    if (!sim || !users || !slates)
        return rs__fail(RS_ERR_INVALID, "rs_sim_respond_batch: %s is NULL",
                        !sim ? "sim" : (!users ? "users" : "slates"));
    if (slate_size == 0 || slate_size > RS_SIM_MAX_SLATE)
        return rs__fail(RS_ERR_RANGE, "rs_sim_respond_batch: slate size %zu outside 1 .. %d",
                        slate_size, RS_SIM_MAX_SLATE);
    for (size_t i = 0; i < n_responses; i++) {
        if (users[i] >= sim->n_users)
            return rs__fail(RS_ERR_NOTFOUND, "rs_sim_respond_batch: users[%zu] = %u >= "
                            "n_users %zu", i, users[i], sim->n_users);
        const uint32_t *slate = slates + i * slate_size;
        for (size_t j = 0; j < slate_size; j++)
            if (slate[j] >= sim->n_items)
                return rs__fail(RS_ERR_NOTFOUND, "rs_sim_respond_batch: response %zu slate[%zu]"
                                " = %u >= n_items %zu", i, j, slate[j], sim->n_items);
    }
    batch_ctx c = {sim, users, slates, step, n_responses, slate_size,
                   positions_out, behaviours_out, ratings_out, left_out};
    size_t n_tasks = (n_responses + BATCH_PER_TASK - 1) / BATCH_PER_TASK;
    return rs__parallel_for(n_tasks, sim->threads, batch_task, &c);
}

/* The run loop's per-user work: prefetch the next user, respond, apply. */
void rs__sim_prefetch(const rs_sim *s, uint32_t u, const uint32_t *slate, size_t n)
{
    prefetch_response(s, u, slate, n);
}
