/*
 * blas-coretype.c - prints "OPENBLAS_CORETYPE=NAME" when OpenBLAS fell back
 * to its generic kernel on this CPU (Debian's 0.3.21 does not know every
 * recent CPU and then runs "Prescott" code), NAME being the best kernel the
 * CPU supports; prints nothing when OpenBLAS chose a kernel itself or the
 * caller already set OPENBLAS_CORETYPE.
 *
 * The Makefile's eval and bench targets run their programs under
 * `env $(build/blas-coretype)`, so that every contender gets the same kernel
 * and none is forced onto instructions the CPU lacks (a hard-coded SkylakeX
 * dies with SIGILL on an AVX2-only CPU).  The same rule as the CLI's
 * cli_select_blas_kernel().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *openblas_get_corename(void);

int main(void)
{
    const char *core = openblas_get_corename();
    const char *want = NULL;
    if (getenv("OPENBLAS_CORETYPE") || !core || strcmp(core, "Prescott") != 0)
        return 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl"))
        want = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        want = "Haswell";
#endif
    if (want)
        printf("OPENBLAS_CORETYPE=%s\n", want);
    return 0;
}
