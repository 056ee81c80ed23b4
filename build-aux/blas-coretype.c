/*
 * blas-coretype.c - prints "OPENBLAS_CORETYPE=NAME" when OpenBLAS fell back
 * to its generic kernel on this CPU (Debian's 0.3.21 does not know every
 * recent CPU and then runs "Prescott" code), NAME being the best kernel the
 * CPU supports; prints nothing when OpenBLAS chose a kernel itself or the
 * caller already set OPENBLAS_CORETYPE.
 *
 * With RECSIM_ITEM_KERNEL=avx2 (the AVX2 top-k kernel forced on an AVX-512
 * CPU, to measure it) it prints Haswell, OpenBLAS's AVX2 kernel, on such a
 * CPU whatever OpenBLAS chose: every contender then runs the instructions an
 * AVX2-only CPU has, and faiss's sgemm is not measured on AVX-512 against
 * recsim's AVX2 kernel.
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
    const char *kernel = getenv("RECSIM_ITEM_KERNEL");
    const char *want = NULL;
    int avx2_only = kernel && strcmp(kernel, "avx2") == 0, fell_back;
    if (getenv("OPENBLAS_CORETYPE") || !core)
        return 0;
    fell_back = strcmp(core, "Prescott") == 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (!avx2_only && !fell_back)
        return 0;
    if (avx2_only && !fell_back && !__builtin_cpu_supports("avx512f"))
        return 0; /* OpenBLAS's own choice has no AVX-512 here */
    if (!avx2_only && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        want = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        want = "Haswell";
#else
    (void)avx2_only, (void)fell_back;
#endif
    if (want)
        printf("OPENBLAS_CORETYPE=%s\n", want);
    return 0;
}
