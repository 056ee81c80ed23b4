/*
 * bench_util.h - the clocks and the median every benchmark reports with.
 * Header-only (static inline) because each benchmark is one program.
 */
#ifndef RS_BENCH_UTIL_H
#define RS_BENCH_UTIL_H

#include <stddef.h>
#include <stdlib.h>
#include <time.h>

/* Wall-clock seconds (monotonic). */
static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (all threads). */
static inline double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v in place); the upper middle for even n. */
static inline double median(double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof *v, compare_doubles);
    return v[n / 2];
}

#endif
