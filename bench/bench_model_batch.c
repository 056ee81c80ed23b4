/*
 * bench_model_batch.c - rs_model_recommend_batch for every customer of a
 * model file, from C: the reference the Python package is timed against
 * (bench/python_batch.py, driven by bench_model_batch.sh).
 *
 *   bench_model_batch MODEL USERS_FILE [RUNS] [K] [THREADS]
 *
 * Prints the median wall and CPU time of RUNS calls (each the whole batch, k items
 * per user, scores + store indices + counts: the outputs Python asks for).
 */
#include "bench_util.h"

#include <recsim.h>
#include <stdint.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL USERS_FILE [RUNS] [K] [THREADS]\n", argv[0]);
        return 2;
    }
    size_t runs = argc > 3 ? (size_t)atoi(argv[3]) : 7, k = argc > 4 ? (size_t)atoi(argv[4]) : 10;
    size_t n = 0;
    char **users = read_lines(argv[2], true, &n);
    rs_model *m = NULL;
    if (argc > 5 && rs_set_num_threads(atoi(argv[5])) != RS_OK) {
        fprintf(stderr, "%s\n", rs_errmsg());
        return 2;
    }
    if (rs_model_open(argv[1], RS_MODEL_READONLY, &m) != RS_OK) {
        fprintf(stderr, "%s\n", rs_errmsg());
        return 1;
    }
    float *scores = malloc(n * k * sizeof *scores);
    uint32_t *items = malloc(n * k * sizeof *items);
    size_t *counts = malloc(n * sizeof *counts);
    double *t = malloc((runs + 1) * sizeof *t), *cpu = malloc((runs + 1) * sizeof *cpu);
    if (!scores || !items || !counts || !t || !cpu)
        return 1;
    for (size_t r = 0; r <= runs; r++) { /* run 0 warms up */
        double t0 = now(), c0 = cpu_now();
        if (rs_model_recommend_batch(m, (const char *const *)users, n, k, NULL, scores, items,
                                     counts) != RS_OK) {
            fprintf(stderr, "%s\n", rs_errmsg());
            return 1;
        }
        t[r] = now() - t0;
        cpu[r] = cpu_now() - c0;
    }
    double med = median(t + 1, runs); /* sorts: t[1] is then the fastest run */
    printf("C       rs_model_recommend_batch: %zu users, k = %zu, %d threads: median %.4f s "
           "of %zu runs, min %.4f s, cpu %.4f s\n", n, k, rs_get_num_threads(), med, runs, t[1],
           median(cpu + 1, runs));
    rs_model_close(m);
    for (size_t i = 0; i < n; i++)
        free(users[i]);
    free(users);
    free(scores);
    free(items);
    free(counts);
    free(t);
    free(cpu);
    return 0;
}
