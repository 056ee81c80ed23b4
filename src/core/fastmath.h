/*
 * fastmath.h - the library's one copy of the scalar math its hot loops share:
 * e^x without libm (for draws, where 1e-13 relative is plenty and libm's
 * call is a measurable share of a response) and the logistic function.
 * The same expressions each module's copy had, so the same bits.
 */
#ifndef RS_CORE_FASTMATH_H
#define RS_CORE_FASTMATH_H

#include <stdint.h>
#include <string.h>

/*
 * e^x to about 1e-13 relative, inline and branch-light: x = k ln2 + r with
 * |r| <= ln2/2, a degree-10 Taylor polynomial in r, then the exponent bits
 * of 2^k.  NaN stays NaN; below -708 gives 0, above 709 +infinity (made
 * from its bits, so that the header needs no <math.h>: glibc's does not
 * compile with __GNUC__ undefined, which header-check tries).
 */
static inline double rs__fast_exp(double x)
{
    if (!(x > -708.0))
        return x != x ? x : 0.0;
    if (x > 709.0) {
        const uint64_t inf_bits = (uint64_t)0x7ff << 52;
        double inf;
        memcpy(&inf, &inf_bits, sizeof inf);
        return inf;
    }
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

/* The logistic function 1 / (1 + e^-x), with libm's exp (fastmath.c). */
double rs__sigmoid(double x);

/* The same with rs__fast_exp, for draws. */
static inline double rs__fast_sigmoid(double x) { return 1.0 / (1.0 + rs__fast_exp(-x)); }

#endif
