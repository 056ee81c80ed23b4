/*
 * bench_items.c - the top-k kernel (rs_item_store_search) at catalogue scale,
 * with the machine's bounds measured in the same process: the read bandwidth
 * of the item matrix (1 and 2 threads) and the OpenBLAS sgemm peak.
 *
 *   bench_items [DATADIR]
 *
 * With DATADIR, the generated items and queries are written there as raw
 * float32 files (items_N_D.f32, queries_D.f32) and the bounds and timings as
 * results.tsv, for bench_items_peers.py, which then times recsim, faiss and
 * numpy interleaved on the same data (bench_items.sh runs both).
 */
#include "recsim.h"

#include "core/alloc.h"
#include "core/rng.h"
#include "items/items_internal.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 5
#define K 10
#define N_QUERIES_MAX 256

static void fill_normal(float *v, size_t n, uint64_t seed)
{
    rs_rng r;
    rs__rng_init(&r, seed, 0, 0, 0);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)rs__rng_normal(&r);
}

static void write_file(const char *dir, const char *name, const float *v, size_t n)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(v, sizeof *v, n, f) != n) {
        fprintf(stderr, "bench_items: cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* ------------------------------------------------------------ bounds */

/* The system's transparent huge page mode ("always", "madvise", "never"),
 * the bracketed word of the sysfs file; "unknown" elsewhere. */
static const char *thp_mode(void)
{
    static char mode[32] = "unknown";
    char line[256], *open, *close;
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return mode;
    if (fgets(line, sizeof line, f) && (open = strchr(line, '[')) &&
        (close = strchr(open, ']')) && close - open - 1 < (long)sizeof mode) {
        memcpy(mode, open + 1, (size_t)(close - open - 1));
        mode[close - open - 1] = '\0';
    }
    fclose(f);
    return mode;
}

struct read_arg {
    const float *data;
    size_t n;
    double sum;
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include "bench_util.h"
/* OR of every 64-byte line: as close to a pure stream of loads as C gets. */
__attribute__((target("avx512f"))) static void *read_range(void *p)
{
    struct read_arg *a = p;
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 64 <= a->n; i += 64) {
        s0 = _mm512_or_si512(s0, _mm512_loadu_si512(a->data + i));
        s1 = _mm512_or_si512(s1, _mm512_loadu_si512(a->data + i + 16));
        s2 = _mm512_or_si512(s2, _mm512_loadu_si512(a->data + i + 32));
        s3 = _mm512_or_si512(s3, _mm512_loadu_si512(a->data + i + 48));
    }
    s0 = _mm512_or_si512(_mm512_or_si512(s0, s1), _mm512_or_si512(s2, s3));
    a->sum = (double)_mm512_reduce_or_epi32(s0);
    return NULL;
}
#else
static void *read_range(void *p)
{
    struct read_arg *a = p;
    const uint64_t *w = (const uint64_t *)a->data;
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t i = 0; i + 4 <= a->n / 2; i += 4)
        s0 |= w[i], s1 |= w[i + 1], s2 |= w[i + 2], s3 |= w[i + 3];
    a->sum = (double)(s0 | s1 | s2 | s3);
    return NULL;
}
#endif

/* Seconds to read n floats once with `threads` (1 or 2) threads. */
static double read_once(const float *data, size_t n, int threads)
{
    pthread_t th[2];
    struct read_arg a[2];
    double t0 = now();
    for (int i = 0; i < threads; i++) {
        a[i].data = data + n / (size_t)threads * (size_t)i;
        a[i].n = n / (size_t)threads;
        pthread_create(&th[i], NULL, read_range, &a[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    return now() - t0;
}

/* Median GB/s of reading `bytes` of data with `threads` threads. */
static double read_bandwidth(const float *data, size_t n, int threads)
{
    double t[RUNS];
    for (int r = 0; r < RUNS; r++)
        t[r] = read_once(data, n, threads);
    return (double)n * sizeof(float) / median(t, RUNS) / 1e9;
}

/* Median GFLOP/s of a 2048^3 sgemm on all OpenBLAS threads. */
static double sgemm_peak(void)
{
    const int n = 2048;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n);
    float *c = malloc(sizeof(float) * n * n);
    double t[RUNS];
    fill_normal(a, (size_t)n * n, 1);
    fill_normal(b, (size_t)n * n, 2);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        t[r] = now() - t0;
    }
    free(a), free(b), free(c);
    return 2.0 * n * n * n / median(t, RUNS) / 1e9;
}

/* ------------------------------------------------------------ the kernel */

static void bench_config(size_t n_items, size_t dim, const char *dir, FILE *results,
                         double bw2)
{
    static const size_t batches[] = {1, 32, 256};
    float *items = malloc(n_items * dim * sizeof(float));
    float *queries = malloc(N_QUERIES_MAX * dim * sizeof(float));
    uint32_t *index = malloc(N_QUERIES_MAX * K * sizeof *index);
    float *score = malloc(N_QUERIES_MAX * K * sizeof *score);
    rs_item_store *store;
    char key[32], name[64];
    double t0 = now();

    fill_normal(items, n_items * dim, 100 + dim);
    fill_normal(queries, N_QUERIES_MAX * dim, 200 + dim);
    if (rs_item_store_create(dim, &store) != RS_OK)
        exit(1);
    for (size_t i = 0; i < n_items; i++) {
        snprintf(key, sizeof key, "i%zu", i);
        if (rs_item_store_add(store, key, items + i * dim, dim, NULL) != RS_OK) {
            fprintf(stderr, "add: %s\n", rs_errmsg());
            exit(1);
        }
    }
    printf("\n%zu items x d = %zu (%.0f MB), k = %d; built in %.1f s\n", n_items, dim,
           n_items * dim * 4.0 / 1e6, K, now() - t0);
    if (dir) {
        snprintf(name, sizeof name, "items_%zu_%zu.f32", n_items, dim);
        write_file(dir, name, items, n_items * dim);
        snprintf(name, sizeof name, "queries_%zu.f32", dim);
        write_file(dir, name, queries, N_QUERIES_MAX * dim);
    }
    free(items);
    printf("%-6s %10s %12s %10s %10s %s\n", "batch", "ms", "queries/s", "GB/s", "GFLOP/s",
           "notes");
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        size_t nq = batches[b];
        double t[RUNS], t_read[RUNS], ms, gflops, read_ms;
        rs_item_store_search(store, queries, nq, dim, K, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0,
                             NULL, 0, index, score, NULL); /* warm up */
        for (int r = 0; r < RUNS; r++) {
            double s = now();
            if (rs_item_store_search(store, queries, nq, dim, K, RS_ITEM_METRIC_INNER_PRODUCT, NULL,
                                     0, NULL, 0, index, score, NULL) != RS_OK) {
                fprintf(stderr, "search: %s\n", rs_errmsg());
                exit(1);
            }
            t[r] = now() - s;
            /* The memory bound of a search, interleaved so that the
             * machine's load falls on both alike: reading this very matrix
             * once with two threads. */
            t_read[r] = read_once(store->matrix, n_items * dim, 2);
        }
        ms = median(t, RUNS) * 1e3;
        gflops = 2.0 * nq * n_items * dim / (ms / 1e3) / 1e9;
        printf("%-6zu %10.2f %12.0f %10.2f %10.1f", nq, ms, nq / (ms / 1e3),
               n_items * dim * 4.0 / (ms / 1e3) / 1e9, gflops);
        if (nq == 1)
            printf(" %.0f%% of 2-thread read bandwidth;",
                   100.0 * (n_items * dim * 4.0 / (ms / 1e3) / 1e9) / bw2);
        read_ms = median(t_read, RUNS) * 1e3;
        printf(" search / (reading the matrix, interleaved: %.2f ms = %.1f GB/s) = %.2f",
               read_ms, n_items * dim * 4.0 / (read_ms / 1e3) / 1e9, ms / read_ms);
        printf("\n");
        if (results)
            fprintf(results, "recsim\t%zu\t%zu\t%zu\t%.4f\n", n_items, dim, nq, ms);
    }
    rs_item_store_free(store);
    free(queries), free(index), free(score);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : NULL;
    FILE *results = NULL;
    size_t n_bw = 1000000 * 64;
    /* The same kind of memory as the store's matrix (huge pages where the
     * kernel grants them), so that the bound is the one the kernel faces. */
    float *buf = rs__scan_alloc(n_bw * sizeof(float));
    double bw1, bw2, peak;
    char path[4096];

    printf("OpenBLAS core: %s, threads: %d, kernel: %s\n", rs_blas_corename(),
           rs_get_num_threads(), rs__item_kernel_name());
    for (size_t i = 0; i < n_bw; i++)
        buf[i] = (float)(i % 1000);
    bw1 = read_bandwidth(buf, n_bw, 1);
    bw2 = read_bandwidth(buf, n_bw, 2);
    rs__aligned_free(buf);
    peak = sgemm_peak();
    printf("read bandwidth (256 MB, allocated as the store's matrix; transparent huge pages: "
           "%s): %.1f GB/s 1 thread, %.1f GB/s 2 threads\n", thp_mode(), bw1, bw2);
    printf("sgemm peak (2048^3, OpenBLAS, %d threads): %.1f GFLOP/s\n", rs_get_num_threads(),
           peak);
    if (dir) {
        snprintf(path, sizeof path, "%s/results.tsv", dir);
        results = fopen(path, "w");
        if (!results)
            return 1;
        fprintf(results, "bound\tbw1\t%.3f\nbound\tbw2\t%.3f\nbound\tsgemm\t%.3f\n", bw1, bw2,
                peak);
    }
    bench_config(1000000, 64, dir, results, bw2);
    bench_config(100000, 128, dir, results, bw2);
    if (results)
        fclose(results);
    return 0;
}
