/*
 * bench_sim.c - throughput of the user simulator on a synthetic catalogue
 * (20,000 items, dim 32, 20 categories), slates of 10:
 *   1. responses/s of the response model alone (rs_sim_respond_batch:
 *      utilities, position-based logit, purchase, rating, leaving), on 1
 *      and 2 threads;
 *   2. end-to-end user-steps/s of rs_sim_run with a simple random policy on
 *      2 threads, for 10k .. 80k users (linear scaling: the time per
 *      user-step should stay flat).
 *      (RS_BENCH_SIM_RESPONSE_ONLY set: stop after this part)
 *   3. end-to-end user-steps/s of rs_sim_run_scorer (the library's scorer
 *      as the policy, clicks observed in its user model) on the retail
 *      catalogue (../shared/eval/retail_split or $RS_RETAIL_SPLIT: items
 *      with hashing-embedder description vectors, a graph of the train
 *      purchases and description words), the simulated users mirroring the
 *      real customers, slate 10, 8 steps, a no-click weight of 200 (CTR
 *      about 8%), for 500 .. 4,000 users; scorer hops 1 and 3.
 * Medians of 5 runs (3 for the scorer loop).
 */
#include "recsim.h"

#include "fx_mix.h" /* tests/fixtures: the synthetic worlds' mixer */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int random_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    (void)ctx;
    uint64_t h = fx_mix(user * 0x9e3779b97f4a7c15ULL + step);
    for (size_t j = 0; j < k; j++) {
        h = fx_mix(h + j);
        out[j] = (uint32_t)(((h >> 32) * ITEMS) >> 32);
    }
    return 0;
}

/* ------------------------------------------------------------ retail */

typedef struct pairs {
    char **a, **b;
    size_t n;
} pairs;

static int read_pairs(const char *dir, const char *name, pairs *p)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t cap = 0;
    p->a = p->b = NULL;
    p->n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        if (p->n == cap) {
            cap = cap ? cap * 2 : 1024;
            p->a = realloc(p->a, cap * sizeof *p->a);
            p->b = realloc(p->b, cap * sizeof *p->b);
        }
        p->a[p->n] = strdup(line);
        p->b[p->n++] = strdup(tab + 1);
    }
    fclose(f);
    return 0;
}

static void free_pairs(pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->a[i]);
        free(p->b[i]);
    }
    free(p->a);
    free(p->b);
}

static void bench_retail(int hops)
{
    const double noclick = getenv("RS_BENCH_SIM_NOCLICK") ? atof(getenv("RS_BENCH_SIM_NOCLICK"))
                                                          : 200.0;
    const char *dir = getenv("RS_RETAIL_SPLIT");
    pairs items, custs, train;
    if (!dir)
        dir = "../shared/eval/retail_split";
    if (read_pairs(dir, "items.tsv", &items) != 0) {
        dir = "/work/shared/eval/retail_split";
        if (read_pairs(dir, "items.tsv", &items) != 0) {
            printf("  scorer loop: no retail split found (set RS_RETAIL_SPLIT); skipped\n");
            return;
        }
    }
    if (read_pairs(dir, "customers.tsv", &custs) != 0 ||
        read_pairs(dir, "train.tsv", &train) != 0) {
        printf("  scorer loop: %s is incomplete; skipped\n", dir);
        return;
    }
    rs_graph *g;
    uint32_t r_bought, r_word, node, other;
    check(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g), "graph");
    check(rs_graph_add_relation(g, "bought", &r_bought), "relation");
    check(rs_graph_add_relation(g, "has_word", &r_word), "relation");
    check(rs_graph_set_relation_weight(g, r_word, 0.3), "weight");
    check(rs_graph_bulk_begin(g), "bulk");
    for (size_t i = 0; i < items.n; i++) {
        check(rs_graph_add_node(g, "item", items.a[i], &node), "item");
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", items.b[i]);
        for (char *w = strtok(buf, " ,.-/&+()'\""); w; w = strtok(NULL, " ,.-/&+()'\"")) {
            if (strlen(w) < 3 || isdigit((unsigned char)w[0]))
                continue;
            check(rs_graph_add_node(g, "word", w, &other), "word");
            check(rs_graph_add_edge(g, node, r_word, other, 1.0, 0, RS_GRAPH_MERGE_MAX),
                  "edge");
        }
    }
    for (size_t i = 0; i < train.n; i++) {
        check(rs_graph_add_node(g, "user", train.a[i], &node), "user");
        if (rs_graph_find_node(g, "item", train.b[i], &other) == RS_OK)
            check(rs_graph_add_edge(g, node, r_bought, other, 1.0, 0, RS_GRAPH_MERGE_MAX),
                  "edge");
    }
    check(rs_graph_bulk_commit(g), "commit");
    rs_embedder *emb;
    check(rs_embedder_create_hashing(&emb), "embedder");
    /* dim 64: the store's matrix (0.9 MB) stays in cache across the
     * scorer's per-user matrix-vector products */
    check(rs_embedder_set_int(emb, RS_EMBEDDER_DIM, getenv("RS_BENCH_SIM_DIM")
                                                        ? atoi(getenv("RS_BENCH_SIM_DIM")) : 64),
          "dim");
    size_t dim = rs_embedder_dim(emb);
    check(rs_embedder_fit(emb, (const char *const *)items.b, items.n), "fit");
    float *vec = malloc(items.n * dim * sizeof *vec);
    check(rs_embedder_embed_batch(emb, (const char *const *)items.b, items.n, vec, dim),
          "embed");
    rs_item_store *store;
    check(rs_item_store_create(dim, &store), "store");
    for (size_t i = 0; i < items.n; i++)
        check(rs_item_store_add(store, items.a[i], vec + i * dim, dim, NULL), "add");
    /* categories: the first description word's hash, 50 buckets */
    uint32_t *cats = malloc(items.n * sizeof *cats);
    for (size_t i = 0; i < items.n; i++) {
        uint64_t h = 1469598103934665603ULL;
        for (const char *c = items.b[i]; *c && *c != ' '; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ULL;
        cats[i] = (uint32_t)(h % 50);
    }
    const size_t sizes[] = {500, 1000, 2000, 4000};
    const size_t n_sizes = getenv("RS_BENCH_SIM_QUICK") ? 1 : 4;
    const uint64_t steps = 8;
    const char **keys = malloc(custs.n * sizeof *keys);
    for (size_t i = 0; i < custs.n; i++)
        keys[i] = custs.a[i];
    printf("  scorer loop on the retail catalogue: %zu items, dim %zu, slate %d, %llu steps, "
           "%d threads, scorer hops %s, no-click weight %g, users mirror real customers "
           "(keys, interest of their train items)\n", items.n, dim, SLATE,
           (unsigned long long)steps, rs_get_num_threads(),
           hops ? "1 (content + popularity)" : "3 (default)", noclick);
    for (size_t si = 0; si < n_sizes; si++) {
        size_t nu = sizes[si] < custs.n ? sizes[si] : custs.n;
        double t[3], cpu[3], imp = 0, ctr = 0;
        for (int r = 0; r < 3; r++) {
            rs_user_model *um;
            rs_scorer *sc;
            rs_sim *sim;
            check(rs_user_model_create(store, &um), "user model");
            for (size_t i = 0; i < train.n; i++)
                rs_user_model_observe(um, train.a[i], train.b[i], "bought", 1.0, 0);
            check(rs_scorer_create(g, store, um, &sc), "scorer");
            if (hops)
                check(rs_scorer_set_int(sc, RS_SCORER_HOPS, hops), "hops");
            check(rs_sim_create_from_store(store, cats, 50, nu, 11, &sim), "sim");
            /* a no-click weight for a retail-like click-through rate */
            check(rs_sim_set_double(sim, RS_SIM_NOCLICK, noclick), "noclick");
            for (size_t u = 0; u < nu; u++) {
                float v[4096];
                if (dim <= 4096 && rs_user_model_interest(um, keys[u], v, dim) == RS_OK) {
                    for (size_t k = 0; k < dim; k++)
                        v[k] *= 3.0f; /* unit interest: sharpen to a few items */
                    check(rs_sim_set_interest(sim, (uint32_t)u, v, dim), "interest");
                }
            }
            double t0 = now(), c0 = cpu_now();
            check(rs_sim_run_scorer(sim, sc, um, keys, steps, SLATE, 0, NULL), "run_scorer");
            t[r] = now() - t0;
            cpu[r] = cpu_now() - c0;
            check(rs_sim_stat(sim, RS_SIM_STAT_IMPRESSIONS, &imp), "stat");
            check(rs_sim_stat(sim, RS_SIM_STAT_CTR, &ctr), "stat");
            rs_sim_free(sim);
            rs_scorer_free(sc);
            rs_user_model_free(um);
        }
        double m = median(t, 3), mc = median(cpu, 3);
        printf("    %5zu users: %.0f user-steps/s wall (%.0f user-steps, CTR %.3f; %.1f us CPU "
               "per user-step)\n", nu, imp / m, imp, ctr, mc / imp * 1e6);
    }
    free(keys);
    free(cats);
    free(vec);
    rs_item_store_free(store);
    rs_embedder_free(emb);
    rs_graph_close(g);
    free_pairs(&items);
    free_pairs(&custs);
    free_pairs(&train);
}

int main(void)
{
    if (getenv("RS_BENCH_SIM_RETAIL_ONLY")) {
        bench_retail(atoi(getenv("RS_BENCH_SIM_RETAIL_ONLY")));
        return 0;
    }
    float *items = malloc((size_t)ITEMS * DIM * sizeof *items);
    uint32_t *cats = malloc(ITEMS * sizeof *cats);
    for (size_t i = 0; i < (size_t)ITEMS * DIM; i++)
        items[i] = (float)(((double)(fx_mix(i + 1) >> 11) / 9007199254740992.0 * 2 - 1) /
                           sqrt((double)DIM) * 2);
    for (size_t i = 0; i < ITEMS; i++)
        cats[i] = (uint32_t)(fx_mix(i + 77) % CATS);
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
    if (getenv("RS_BENCH_SIM_RESPONSE_ONLY")) {
        free(items);
        free(cats);
        return 0;
    }

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
    bench_retail(1);
    bench_retail(0);
    return 0;
}
