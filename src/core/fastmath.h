/*
 * fastmath.h - the library's one copy of the scalar math its hot loops share:
 * e^x without libm (for draws, where 1e-13 relative is plenty and libm's
 * call is a measurable share of a response) and the logistic function.
 * Static inline, so every caller compiles the same expressions it had when
 * each module kept its own copy (the same bits; traces are pinned by tests).
 */
#ifndef RS_CORE_FASTMATH_H
#define RS_CORE_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/*
 * e^x to about 1e-13 relative, inline and branch-light: x = k ln2 + r with
 * |r| <= ln2/2, a degree-10 Taylor polynomial in r, then the exponent bits
 * of 2^k.  NaN stays NaN; below -708 gives 0, above 709 HUGE_VAL.
 */
static inline double rs__fast_exp(double x)
{
    if (!(x > -708.0))
        return x != x ? x : 0.0;
    if (x > 709.0)
        return HUGE_VAL;
    const double shifter = 0x1.8p52;
    double kd = (x * 0x1.71547652b82fep0 + shifter) - shifter;
    double r = (x - kd * 0x1.62e42fee00000p-1) - kd * 0x1.a39ef35793c76p-33;
    double p = 1.0 / 3628800;
    p = p * r + 1.0 / 362880;
    p = p * r + 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t bits = (uint64_t)((int64_t)kd + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* The logistic function 1 / (1 + e^-x), with libm's exp. */
static inline double rs__sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* The same with rs__fast_exp, for draws. */
static inline double rs__fast_sigmoid(double x) { return 1.0 / (1.0 + rs__fast_exp(-x)); }

#endif
