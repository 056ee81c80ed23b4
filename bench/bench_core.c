/*
 * bench_core.c - throughput of the core utilities every module leans on:
 * key map inserts and lookups (10 million keys), Philox draws, and top-k
 * selection over a catalogue-sized score array.  Medians of 5 runs.
 */
#include "core/idmap.h"
#include "core/rng.h"
#include "core/topk.h"
#include "recsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_util.h"

#define RUNS 5

static void bench_idmap(size_t n_keys)
{
    double insert_s[RUNS], find_s[RUNS];
    char key[32];
    for (int run = 0; run < RUNS; run++) {
        rs_idmap *map = rs__idmap_create();
        uint32_t index, found = 0;
        double t0 = now();
        for (size_t i = 0; i < n_keys; i++) {
            int len = snprintf(key, sizeof key, "customer:%zu", i);
            if (rs__idmap_intern(map, key, (size_t)len, &index, NULL) != 0)
                abort();
        }
        double t1 = now();
        for (size_t i = 0; i < n_keys; i++) {
            int len = snprintf(key, sizeof key, "customer:%zu", (i * 7919) % n_keys);
            found += rs__idmap_find(map, key, (size_t)len) != RS_IDMAP_NONE;
        }
        double t2 = now();
        if (found != n_keys)
            abort();
        insert_s[run] = t1 - t0;
        find_s[run] = t2 - t1;
        if (run == 0)
            printf("idmap: %zu keys hold %.1f bytes per key\n", n_keys,
                   (double)rs__idmap_memory(map) / (double)n_keys);
        rs__idmap_free(map);
    }
    printf("idmap: insert %.2f M keys/s, lookup %.2f M keys/s (median of %d, includes "
           "snprintf)\n",
           n_keys / median(insert_s, RUNS) / 1e6, n_keys / median(find_s, RUNS) / 1e6, RUNS);
}

static void bench_rng(size_t draws)
{
    double uniform_s[RUNS], normal_s[RUNS];
    volatile double sink = 0;
    for (int run = 0; run < RUNS; run++) {
        rs_rng r;
        double acc = 0, t0, t1, t2;
        rs__rng_init(&r, 1, 0, (uint64_t)run, 0);
        t0 = now();
        for (size_t i = 0; i < draws; i++)
            acc += rs__rng_uniform(&r);
        t1 = now();
        for (size_t i = 0; i < draws; i++)
            acc += rs__rng_normal(&r);
        t2 = now();
        sink = acc;
        uniform_s[run] = t1 - t0;
        normal_s[run] = t2 - t1;
    }
    (void)sink;
    printf("rng: uniform %.1f M draws/s, normal %.1f M draws/s\n",
           draws / median(uniform_s, RUNS) / 1e6, draws / median(normal_s, RUNS) / 1e6);
}

static void bench_topk(size_t n, size_t k)
{
    float *scores = malloc(n * sizeof *scores);
    uint32_t *index = malloc(k * sizeof *index);
    float *best = malloc(k * sizeof *best);
    double seconds[RUNS];
    rs_rng r;
    rs__rng_init(&r, 2, 0, 0, 0);
    for (size_t i = 0; i < n; i++)
        scores[i] = (float)rs__rng_normal(&r);
    for (int run = 0; run < RUNS; run++) {
        rs_topk top;
        double t0 = now();
        rs__topk_init(&top, k, index, best);
        for (size_t i = 0; i < n; i++)
            rs__topk_push(&top, (uint32_t)i, scores[i]);
        rs__topk_finish(&top);
        seconds[run] = now() - t0;
    }
    printf("topk: k=%zu over %zu scores: %.2f ms, %.0f M scores/s\n", k, n,
           median(seconds, RUNS) * 1e3, n / median(seconds, RUNS) / 1e6);
    free(scores);
    free(index);
    free(best);
}

int main(void)
{
    printf("librecsim %s, OpenBLAS kernel %s\n", rs_version_string(), rs_blas_corename());
    bench_idmap(10000000);
    bench_rng(20000000);
    bench_topk(1000000, 10);
    bench_topk(1000000, 1000);
    return 0;
}
