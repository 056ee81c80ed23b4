/*
 * bench_learn.c - seconds per implicit-ALS iteration (f = 64, 3 CG steps) on
 * the retail train set and on a synthetic power-law log (200,000 users x
 * 50,000 items, 5,000,000 interactions, and its prefixes of 1.25 M and 2.5 M
 * to show the growth).  bench_learn.sh times the numpy peer on the same data
 * in the same run.
 *
 *   bench_learn gen DIR            write DIR/retail.bin (when the split is
 *                                  found) and DIR/synth.bin
 *   bench_learn time FILE NNZ ITERS print "wall_s pairs cpu_s" per iteration
 *                                  (medians of 3 fits)
 *   bench_learn                    gen into a temporary directory, time all
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recsim.h"

#define SYNTH_USERS 200000u
#define SYNTH_ITEMS 50000u
#define SYNTH_NNZ 5000000u
#define RETAIL_TRAIN "/work/shared/eval/retail_split/train.tsv"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A power-law index in [0, n): density ~ (x + 1)^-s. */
static uint32_t power_law(uint64_t *state, uint32_t n, double s)
{
    double u = (double)(splitmix(state) >> 11) / 9007199254740992.0;
    double top = pow((double)n + 1.0, 1.0 - s);
    double x = pow(u * (top - 1.0) + 1.0, 1.0 / (1.0 - s)) - 1.0;
    uint32_t i = (uint32_t)x;
    return i < n ? i : n - 1;
}

static int write_bin(const char *path, uint64_t nu, uint64_t ni, uint64_t nnz, const uint32_t *u,
                     const uint32_t *i)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint64_t head[3] = {nu, ni, nnz};
    int ok = fwrite(head, 8, 3, f) == 3 && fwrite(u, 4, nnz, f) == nnz &&
             fwrite(i, 4, nnz, f) == nnz;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int gen_retail(const char *dir)
{
    FILE *f = fopen(RETAIL_TRAIN, "r");
    if (!f)
        return 1;
    size_t n = 0, cap = 1 << 18;
    long *cust = malloc(cap * sizeof *cust);
    char **code = malloc(cap * sizeof *code);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *c = strtok(line, "\t"), *s = strtok(NULL, "\t\n");
        if (!c || !s)
            continue;
        if (n == cap) {
            cap *= 2;
            cust = realloc(cust, cap * sizeof *cust);
            code = realloc(code, cap * sizeof *code);
        }
        cust[n] = atol(c);
        code[n++] = strdup(s);
    }
    fclose(f);
    /* customers come sorted; items: sorted distinct codes */
    char **sorted = malloc(n * sizeof *sorted);
    memcpy(sorted, code, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    size_t ni = 0;
    for (size_t e = 0; e < n; e++)
        if (ni == 0 || strcmp(sorted[ni - 1], sorted[e]) != 0)
            sorted[ni++] = sorted[e];
    uint32_t *u = malloc(n * sizeof *u), *i = malloc(n * sizeof *i);
    uint32_t nu = 0;
    for (size_t e = 0; e < n; e++) {
        if (e > 0 && cust[e] != cust[e - 1])
            nu++;
        u[e] = nu;
        char **p = bsearch(&code[e], sorted, ni, sizeof *sorted, cmp_str);
        i[e] = (uint32_t)(p - sorted);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/retail.bin", dir);
    int rc = write_bin(path, nu + 1, ni, n, u, i);
    for (size_t e = 0; e < n; e++)
        free(code[e]);
    free(cust);
    free(code);
    free(sorted);
    free(u);
    free(i);
    return rc;
}

static int gen_synth(const char *dir)
{
    uint32_t *u = malloc(SYNTH_NNZ * sizeof *u), *i = malloc(SYNTH_NNZ * sizeof *i);
    uint64_t state = 42;
    for (uint32_t e = 0; e < SYNTH_NNZ; e++) {
        u[e] = power_law(&state, SYNTH_USERS, 0.5);
        i[e] = power_law(&state, SYNTH_ITEMS, 0.9);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/synth.bin", dir);
    int rc = write_bin(path, SYNTH_USERS, SYNTH_ITEMS, SYNTH_NNZ, u, i);
    free(u);
    free(i);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over 3 fits of wall seconds per iteration; *cpu_out the median CPU
 * seconds (all threads) per iteration, *nnz_out the distinct pairs. */
static double time_als(const char *path, size_t nnz_limit, int iterations, size_t *nnz_out,
                       double *cpu_out)
{
    FILE *f = fopen(path, "rb");
    uint64_t head[3];
    if (!f || fread(head, 8, 3, f) != 3) {
        fprintf(stderr, "bench_learn: cannot read %s\n", path);
        exit(1);
    }
    size_t n = head[2];
    uint32_t *u = malloc(n * 4), *i = malloc(n * 4);
    if (fread(u, 4, n, f) != n || fread(i, 4, n, f) != n) {
        fprintf(stderr, "bench_learn: short %s\n", path);
        exit(1);
    }
    fclose(f);
    if (nnz_limit && nnz_limit < n)
        n = nnz_limit;
    rs_cf_matrix *x;
    rs_cf_model *m;
    int rc = rs_cf_matrix_create(head[0], head[1], u, i, NULL, n, &x);
    if (rc == 0)
        rc = rs_cf_model_create(RS_CF_ALS, &m);
    if (rc == 0)
        rc = rs_cf_model_set_int(m, RS_CF_ITERATIONS, iterations);
    if (rc < 0) {
        fprintf(stderr, "bench_learn: %s\n", rs_errmsg());
        exit(1);
    }
    rs_cf_matrix_shape(x, NULL, NULL, nnz_out);
    /* A fit of 0 iterations (initialisation and the fold-in Gram matrix) is
     * timed too and subtracted, since the peer's timing excludes its
     * initialisation. */
    double t[3], c[3];
    for (int r = 0; r < 3; r++) {
        double w[2], p[2];
        for (int pass = 0; pass < 2; pass++) {
            rs_cf_model_set_int(m, RS_CF_ITERATIONS, pass == 0 ? 0 : iterations);
            double t0 = now(), c0 = cpu_now();
            if ((rc = rs_cf_model_fit(m, x)) < 0) {
                fprintf(stderr, "bench_learn: %s\n", rs_errmsg());
                exit(1);
            }
            w[pass] = now() - t0;
            p[pass] = cpu_now() - c0;
        }
        t[r] = (w[1] - w[0]) / iterations;
        c[r] = (p[1] - p[0]) / iterations;
    }
    qsort(t, 3, sizeof *t, cmp_double);
    qsort(c, 3, sizeof *c, cmp_double);
    *cpu_out = c[1];
    rs_cf_model_free(m);
    rs_cf_matrix_free(x);
    free(u);
    free(i);
    return t[1];
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "gen")) {
        printf("bench_learn: BLAS core %s, %d threads\n", rs_blas_corename(),
               rs_get_num_threads());
        if (gen_retail(argv[2]) != 0)
            fprintf(stderr, "bench_learn: %s not found, retail skipped\n", RETAIL_TRAIN);
        return gen_synth(argv[2]) == 0 ? 0 : 1;
    }
    if (argc == 5 && !strcmp(argv[1], "time")) {
        size_t nnz;
        double cpu, s = time_als(argv[2], (size_t)atol(argv[3]), atoi(argv[4]), &nnz, &cpu);
        printf("%.4f %zu %.4f\n", s, nnz, cpu);
        return 0;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: bench_learn [gen DIR | time FILE NNZ ITERS]\n");
        return 2;
    }
    printf("bench_learn: BLAS core %s, %d threads\n", rs_blas_corename(), rs_get_num_threads());
    char dir[] = "/tmp/bench_learn.XXXXXX";
    if (!mkdtemp(dir) || gen_synth(dir) != 0)
        return 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/synth.bin", dir);
    const size_t sizes[] = {1250000, 2500000, 5000000};
    for (int k = 0; k < 3; k++) {
        size_t nnz;
        double cpu, s = time_als(path, sizes[k], 1, &nnz, &cpu);
        printf("ALS f=64 cg=3 synthetic %zu events (%zu pairs): %.3f s/iteration "
               "(%.3f CPU s)\n", sizes[k], nnz, s, cpu);
    }
    remove(path);
    remove(dir);
    return 0;
}
