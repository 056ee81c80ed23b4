/*
 * cpu.c - CPU feature detection for the vector kernels (see cpu.h).
 */
#include "core/cpu.h"

#include <stdatomic.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
static unsigned detect(void)
{
    unsigned bits = 0;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        bits |= RS_CPU_AVX2;
    if (__builtin_cpu_supports("fma"))
        bits |= RS_CPU_FMA;
    if (__builtin_cpu_supports("avx512f"))
        bits |= RS_CPU_AVX512F;
    if (__builtin_cpu_supports("avx512bf16"))
        bits |= RS_CPU_AVX512BF16;
    return bits;
}
#else
static unsigned detect(void)
{
    return 0;
}
#endif

unsigned rs__cpu_features(void)
{
    /* Kernels may start concurrently: the answer is cached atomically (two
     * first callers both detect, and store the same bits). */
    static atomic_int cached = -1;
    int bits = atomic_load(&cached);
    if (bits < 0) {
        bits = (int)detect();
        atomic_store(&cached, bits);
    }
    return (unsigned)bits;
}

bool rs__cpu_has(unsigned features)
{
    return (rs__cpu_features() & features) == features;
}
