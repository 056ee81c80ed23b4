/*
 * cpu.h - which instruction-set extensions this CPU runs, detected once.
 *
 * The one place the library asks the CPU: kernels with a wider-vector path
 * (item search, the EASE fold-in sum, the simulator's utilities) dispatch
 * on rs__cpu_has().  On a compiler or architecture without the x86 builtins
 * every feature reads as absent, so callers take their portable path.
 */
#ifndef RS_CORE_CPU_H
#define RS_CORE_CPU_H

#include <stdbool.h>

enum {
    RS_CPU_AVX2 = 1u << 0,
    RS_CPU_FMA = 1u << 1,
    RS_CPU_AVX512F = 1u << 2,
    RS_CPU_AVX512BF16 = 1u << 3
};

/* The RS_CPU_* bits this CPU runs; detected on the first call, then cached
 * (safe from any thread). */
unsigned rs__cpu_features(void);

/* True when the CPU runs every feature in `features` (RS_CPU_* bits). */
bool rs__cpu_has(unsigned features);

#endif
