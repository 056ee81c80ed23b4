/*
 * bench_util.h - the clocks and the median every benchmark reports with.
 * Header-only (static inline) because each benchmark is one program.
 */
#ifndef RS_BENCH_UTIL_H
#define RS_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
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

/* Every line of a text file, without its line ending, as malloc'd strings
 * (empty lines kept or skipped); exits on an unreadable file. */
static inline char **read_lines(const char *path, bool skip_empty, size_t *n_out)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, **lines = NULL;
    size_t cap = 0, n = 0, lines_cap = 0;
    ssize_t len;
    if (!f) {
        perror(path);
        exit(1);
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 && skip_empty)
            continue;
        if (n == lines_cap) {
            lines_cap = lines_cap ? 2 * lines_cap : 1024;
            lines = realloc(lines, lines_cap * sizeof *lines);
        }
        lines[n++] = strdup(line);
    }
    free(line);
    fclose(f);
    *n_out = n;
    return lines;
}

#endif
