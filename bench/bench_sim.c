/*
 * bench_sim.c - throughput of the user simulator on a synthetic catalogue
 * (20,000 items, dim 32, 20 categories), slates of 10:
 *   1. responses/s of the response model alone (rs_sim_respond_batch:
 *      utilities, position-based logit, purchase, rating, leaving), on 1
 *      and 2 threads;
 *   2. end-to-end user-steps/s of rs_sim_run with a simple random policy on
 *      2 threads, for 10k .. 80k users (linear scaling: the time per
 *      user-step should stay flat).
 * Medians of 5 runs.  (The library's scorer as the policy is not yet
 * available on this branch.)
 */
#include "recsim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RUNS 5
#ifndef ITEMS
#define ITEMS 20000
#endif
#define DIM 32
#define CATS 20
#define SLATE 10

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return v[n / 2];
}

static void check(int status, const char *what)
{
    if (status != RS_OK) {
        fprintf(stderr, "bench_sim: %s: %s\n", what, rs_errmsg());
        exit(1);
    }
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int random_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    (void)ctx;
    uint64_t h = mix(user * 0x9e3779b97f4a7c15ULL + step);
    for (size_t j = 0; j < k; j++) {
        h = mix(h + j);
        out[j] = (uint32_t)(((h >> 32) * ITEMS) >> 32);
    }
    return 0;
}

int main(void)
{
    float *items = malloc((size_t)ITEMS * DIM * sizeof *items);
    uint32_t *cats = malloc(ITEMS * sizeof *cats);
    for (size_t i = 0; i < (size_t)ITEMS * DIM; i++)
        items[i] = (float)(((double)(mix(i + 1) >> 11) / 9007199254740992.0 * 2 - 1) /
                           sqrt((double)DIM) * 2);
    for (size_t i = 0; i < ITEMS; i++)
        cats[i] = (uint32_t)(mix(i + 77) % CATS);
    printf("bench_sim: %d items, dim %d, %d categories, slate %d, median of %d runs\n",
           ITEMS, DIM, CATS, SLATE, RUNS);

    /* 1. the response model alone: rs_sim_respond_batch over 1,000,000
     * prepared slates (users in order, as rs_sim_run visits them) */
    rs_sim *sim;
    const size_t n_resp = 1000000, n_users = 100000;
    check(rs_sim_create(items, ITEMS, DIM, cats, CATS, n_users, 1, &sim), "create");
    uint32_t *users = malloc(n_resp * sizeof *users);
    uint32_t *slates = malloc(n_resp * SLATE * sizeof *slates);
    int32_t *pos = malloc(n_resp * sizeof *pos), *beh = malloc(n_resp * sizeof *beh);
    int32_t *rating = malloc(n_resp * sizeof *rating), *left = malloc(n_resp * sizeof *left);
    for (size_t i = 0; i < n_resp; i++) {
        users[i] = (uint32_t)(i % n_users);
        random_policy(NULL, users[i], i / n_users, SLATE, slates + i * SLATE);
    }
    for (unsigned threads = 1; threads <= 2; threads++) {
        double t[RUNS], cpu[RUNS];
        long clicks = 0;
        check(rs_sim_set_int(sim, RS_SIM_THREADS, threads), "threads");
        for (int r = 0; r < RUNS; r++) {
            double t0 = now(), c0 = cpu_now();
            check(rs_sim_respond_batch(sim, users, (uint64_t)r, slates, n_resp, SLATE, pos, beh,
                                       rating, left), "respond");
            t[r] = now() - t0;
            cpu[r] = cpu_now() - c0;
        }
        for (size_t i = 0; i < n_resp; i++)
            clicks += pos[i] >= 0;
        double m = median(t, RUNS), mc = median(cpu, RUNS);
        double n = (double)n_resp;
        printf("  response model alone (rs_sim_respond_batch), %u thread%s: %.0f responses/s "
               "wall; %.0f ns CPU each, i.e. %.0f responses/s per fully available core "
               "(CTR %.3f)\n", threads, threads > 1 ? "s" : "", n / m, mc / n * 1e9, n / mc,
               (double)clicks / n);
    }
    free(users);
    free(slates);
    free(pos);
    free(beh);
    free(rating);
    free(left);
    rs_sim_free(sim);

    /* 2. end to end, scaling with population size */
    rs_set_num_threads(2);
    const size_t sizes[] = {10000, 20000, 40000, 80000};
    const uint64_t steps = 20;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        double t[RUNS], cpu[RUNS], imp = 0;
        for (int r = 0; r < RUNS; r++) {
            check(rs_sim_create(items, ITEMS, DIM, cats, CATS, sizes[si], 7, &sim), "create");
            double t0 = now(), c0 = cpu_now();
            check(rs_sim_run(sim, random_policy, NULL, NULL, NULL, steps, SLATE, NULL), "run");
            t[r] = now() - t0;
            cpu[r] = cpu_now() - c0;
            check(rs_sim_stat(sim, RS_SIM_STAT_IMPRESSIONS, &imp), "stat");
            rs_sim_free(sim);
        }
        double m = median(t, RUNS), mc = median(cpu, RUNS);
        printf("  end to end, %6zu users x %llu steps, 2 threads: %.0f user-steps/s wall "
               "(%.0f user-steps; %.0f ns CPU per user-step)\n", sizes[si],
               (unsigned long long)steps, imp / m, imp, mc / imp * 1e9);
    }
    free(items);
    free(cats);
    return 0;
}
