/*
 * bench_score.c - the scorer at catalogue scale: single-user recommend with
 * graph reasoning (3 hops) against the bare kernel scan (rs_item_store_search,
 * one cosine query, k = 10) on the same items; batch recommend; online
 * rs_user_model_observe updates per second.
 *
 *   bench_score [N_ITEMS]     (default 1000000)
 */
#include "recsim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DIM 64
#define RUNS 5
#define K 10
#define N_USERS 10000
#define PER_USER 20
#define N_CATS 500

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "bench_score: %s: %s (%s)\n", what, rs_strerror(rc), rs_errmsg());
        exit(1);
    }
}

static uint64_t state = 88172645463325252ull;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* Observes per second with collaborative fold-in: an ALS model (f = 64) on
 * the first FOLD_ITEMS items, 1000 users observing 20 events each (the
 * histories grow to 20), for the default RS_CF_FOLDIN_STEPS (up to f) and
 * for 3 steps. */
#define FOLD_ITEMS 10000
static void bench_fold_in(const rs_item_store *store)
{
    enum { N_FOLD_USERS = 1000, EVENTS = 20, FIT_USERS = 2000 };
    uint32_t *fu = malloc(FIT_USERS * EVENTS * sizeof *fu), *fi = malloc(FIT_USERS * EVENTS * sizeof *fi);
    char **keys = malloc(FOLD_ITEMS * sizeof *keys);
    rs_cf_matrix *x;
    rs_cf_model *als;
    for (size_t e = 0; e < (size_t)FIT_USERS * EVENTS; e++)
        fu[e] = (uint32_t)(e / EVENTS), fi[e] = (uint32_t)(next() % FOLD_ITEMS);
    for (size_t i = 0; i < FOLD_ITEMS; i++) {
        keys[i] = malloc(16);
        snprintf(keys[i], 16, "i%zu", i);
    }
    check(rs_cf_matrix_create(FIT_USERS, FOLD_ITEMS, fu, fi, NULL, (size_t)FIT_USERS * EVENTS, &x),
          "matrix");
    check(rs_cf_model_create(RS_CF_ALS, &als), "als");
    check(rs_cf_model_set_int(als, RS_CF_ITERATIONS, 2), "iterations");
    check(rs_cf_model_fit(als, x), "fit");
    for (int steps = 0; steps <= 3; steps += 3) {
        rs_user_model *um;
        check(rs_cf_model_set_int(als, RS_CF_FOLDIN_STEPS, steps), "steps");
        check(rs_user_model_create(store, &um), "users");
        check(rs_user_model_set_collaborative(um, als, (const char *const *)keys, FOLD_ITEMS),
              "attach");
        double t0 = now();
        for (size_t e = 0; e < (size_t)N_FOLD_USERS * EVENTS; e++) {
            char ukey[32], ikey[32];
            snprintf(ukey, sizeof ukey, "f%d", (int)(e % N_FOLD_USERS));
            snprintf(ikey, sizeof ikey, "i%zu", (size_t)(next() % FOLD_ITEMS));
            check(rs_user_model_observe(um, ukey, ikey, "bought", 1.0, (int64_t)e), "observe");
        }
        double t = now() - t0;
        printf("observe with ALS fold-in (f %zu, %s CG steps, histories up to %d): %.0f "
               "events/s\n", rs_cf_model_dim(als), steps ? "3" : "default", EVENTS,
               (double)N_FOLD_USERS * EVENTS / t);
        rs_user_model_free(um);
    }
    rs_cf_model_free(als);
    rs_cf_matrix_free(x);
    for (size_t i = 0; i < FOLD_ITEMS; i++)
        free(keys[i]);
    free(keys), free(fu), free(fi);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    char key[32];
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *um;
    rs_scorer *s;
    uint32_t rel_cat, rel_bought, node, cat[N_CATS], *item_node = malloc(n * sizeof *item_node);
    float v[DIM];
    double t0 = now();
    printf("bench_score: %zu items, dim %d, %d users x %d purchases, BLAS core %s\n", n, DIM,
           N_USERS, PER_USER, rs_blas_corename());
    check(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g), "open");
    check(rs_item_store_create(DIM, &store), "store");
    check(rs_graph_add_relation(g, "has_category", &rel_cat), "rel");
    check(rs_graph_add_relation(g, "bought", &rel_bought), "rel");
    check(rs_graph_bulk_begin(g), "bulk");
    for (int c = 0; c < N_CATS; c++) {
        snprintf(key, sizeof key, "c%d", c);
        check(rs_graph_add_node(g, "category", key, &cat[c]), "cat");
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "i%zu", i);
        for (int d = 0; d < DIM; d++)
            v[d] = (float)((double)(next() % 20001) / 10000.0 - 1.0);
        check(rs_item_store_add(store, key, v, DIM, NULL), "add");
        check(rs_graph_add_node(g, "item", key, &item_node[i]), "item");
        check(rs_graph_add_edge(g, item_node[i], rel_cat, cat[next() % N_CATS], 1.0, 0, 0), "edge");
    }
    check(rs_user_model_create(store, &um), "users");
    for (int u = 0; u < N_USERS; u++) {
        snprintf(key, sizeof key, "u%d", u);
        check(rs_graph_add_node(g, "user", key, &node), "user");
        for (int j = 0; j < PER_USER; j++) {
            /* popular head: half the purchases among the first 1% of items */
            size_t it = (next() & 1) ? next() % (n / 100 + 1) : next() % n;
            check(rs_graph_add_edge(g, node, rel_bought, item_node[it], 1.0, 0,
                                    RS_GRAPH_MERGE_MAX), "bought");
        }
    }
    check(rs_graph_bulk_commit(g), "commit");
    printf("setup %.1f s\n", now() - t0);

    /* observe rate */
    t0 = now();
    size_t n_obs = 1000000;
    for (size_t e = 0; e < n_obs; e++) {
        char ukey[32], ikey[32];
        snprintf(ukey, sizeof ukey, "u%d", (int)(e % N_USERS));
        snprintf(ikey, sizeof ikey, "i%zu", (size_t)(next() % n));
        check(rs_user_model_observe(um, ukey, ikey, "bought", 1.0, (int64_t)e), "observe");
    }
    double t_obs = now() - t0;
    printf("observe: %.2f M events/s (dim %d, incl. key formatting)\n", n_obs / t_obs / 1e6, DIM);
    if (n >= FOLD_ITEMS)
        bench_fold_in(store);
    rs_user_model_free(um);
    check(rs_user_model_create(store, &um), "users");
    check(rs_scorer_create(g, store, um, &s), "scorer");

    uint32_t items[K];
    float scores[K];
    size_t got;
    double tk[RUNS], ts[RUNS], tp[RUNS];
    float q[DIM];
    for (int r = 0; r < RUNS; r++) {
        char ukey[32];
        snprintf(ukey, sizeof ukey, "u%d", r * 7);
        for (int d = 0; d < DIM; d++)
            q[d] = (float)((double)(next() % 20001) / 10000.0 - 1.0);
        t0 = now();
        check(rs_item_store_search(store, q, 1, DIM, K, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0, items,
                                   scores, NULL), "search");
        tk[r] = now() - t0;
        check(rs_scorer_set_int(s, RS_SCORER_MODE, RS_SCORER_BLEND), "mode");
        t0 = now();
        check(rs_scorer_recommend(s, ukey, K, items, scores, &got), "recommend");
        ts[r] = now() - t0;
        check(rs_scorer_set_int(s, RS_SCORER_MODE, RS_SCORER_PRODUCT), "mode");
        t0 = now();
        check(rs_scorer_recommend(s, ukey, K, items, scores, &got), "recommend");
        tp[r] = now() - t0;
    }
    qsort(tk, RUNS, sizeof(double), by_value);
    qsort(ts, RUNS, sizeof(double), by_value);
    qsort(tp, RUNS, sizeof(double), by_value);
    printf("kernel scan (1 query, k=%d):      %8.2f ms (median of %d)\n", K, tk[RUNS / 2] * 1e3,
           RUNS);
    printf("recommend, blend, 3 hops:         %8.2f ms  = %.2f x kernel\n", ts[RUNS / 2] * 1e3,
           ts[RUNS / 2] / tk[RUNS / 2]);
    printf("recommend, product cos x R_ui:    %8.2f ms  = %.2f x kernel\n", tp[RUNS / 2] * 1e3,
           tp[RUNS / 2] / tk[RUNS / 2]);
    /* the graph operator instead of the walk: built once, then
     * O(|history| x top-N) per user */
    double to[RUNS];
    check(rs_scorer_set_int(s, RS_SCORER_MODE, RS_SCORER_BLEND), "mode");
    t0 = now();
    check(rs_scorer_set_int(s, RS_SCORER_GRAPH_OPERATOR, 1), "operator");
    double t_op = now() - t0;
    for (int r = 0; r < RUNS; r++) {
        char ukey[32];
        snprintf(ukey, sizeof ukey, "u%d", r * 7);
        t0 = now();
        check(rs_scorer_recommend(s, ukey, K, items, scores, &got), "recommend");
        to[r] = now() - t0;
    }
    qsort(to, RUNS, sizeof(double), by_value);
    printf("graph operator build:             %8.2f s\n", t_op);
    printf("recommend, blend, operator:       %8.2f ms  = %.2f x kernel\n", to[RUNS / 2] * 1e3,
           to[RUNS / 2] / tk[RUNS / 2]);
    check(rs_scorer_set_int(s, RS_SCORER_GRAPH_OPERATOR, 0), "operator");
    /* batch */
    size_t nb = 200;
    char **users = malloc(nb * sizeof *users);
    uint32_t *bi = malloc(nb * K * sizeof *bi);
    size_t *counts = malloc(nb * sizeof *counts);
    for (size_t u = 0; u < nb; u++) {
        users[u] = malloc(16);
        snprintf(users[u], 16, "u%zu", u);
    }
    t0 = now();
    check(rs_scorer_recommend_batch(s, (const char *const *)users, nb, K, bi, NULL, counts),
          "batch");
    double tb = now() - t0;
    printf("recommend_batch: %zu users in %.2f s = %.1f users/s\n", nb, tb, nb / tb);
    /* the same batch on one thread (library and OpenBLAS), for the speed-up
     * of the parallel batch */
    int threads = rs_get_num_threads();
    check(rs_set_num_threads(1), "threads");
    t0 = now();
    check(rs_scorer_recommend_batch(s, (const char *const *)users, nb, K, bi, NULL, counts),
          "batch");
    double t1 = now() - t0;
    check(rs_set_num_threads(threads), "threads");
    printf("recommend_batch on 1 thread: %.1f users/s; %d threads: %.2f x\n", nb / t1, threads,
           t1 / tb);
    for (size_t u = 0; u < nb; u++)
        free(users[u]);
    free(users), free(bi), free(counts), free(item_node);
    rs_scorer_free(s);
    rs_user_model_free(um);
    rs_item_store_free(store);
    rs_graph_close(g);
    return 0;
}
