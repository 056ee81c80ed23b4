/*
 * retail_speed.c - how fast the evaluation runner serves the library's
 * default recommender on the public retail protocol (../shared/eval): an
 * rs_model made as retail_score.c makes it (retail_build.h: catalogue,
 * countries, the train pairs at time 0; EASE at lambda 500; build excluded
 * from the timing), opened read-only, then the runner evaluates the 1,875
 * warm customers (and the 927 cold ones) through rs_model_recommend five
 * times; the median wall time of a run is printed.  --dump FILE writes every user's top-10 items and scores
 * (hexadecimal floats) so two builds can be compared bit for bit.
 * Not part of `make check` or `make bench` (it needs ../shared):
 *   build/bench/retail_speed [--split DIR] [--runs N] [--threads T] [--dump FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "recsim.h"
#include "retail_build.h"

#define K 10

static void die(const char *what, int rc)
{
    fprintf(stderr, "retail_speed: %s: %s (%s)\n", what, rs_strerror(rc), rs_errmsg());
    exit(1);
}
#define CHECK(call)                \
    do {                           \
        int rc_ = (call);          \
        if (rc_ < 0)               \
            die(#call, rc_);       \
    } while (0)

typedef struct pairs {
    char **a, **b;
    size_t n;
} pairs;

static pairs read_pairs(const char *dir, const char *name)
{
    char path[4096];
    size_t n;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char **lines = read_lines(path, true, &n);
    pairs p = {malloc((n + 1) * sizeof(char *)), malloc((n + 1) * sizeof(char *)), 0};
    for (size_t i = 0; i < n; i++) {
        char *tab = strchr(lines[i], '\t');
        if (!tab)
            continue;
        *tab = '\0';
        p.a[p.n] = lines[i];
        p.b[p.n++] = tab + 1;
    }
    free(lines);
    return p;
}

struct runner_ctx {
    const rs_eval *eval;
    const rs_model *model;
    uint32_t *store_to_eval; /* item store index -> catalogue index or RS_NO_ITEM */
};

/* The 1, 5 and 15 minute load averages (Linux), or "?". */
static const char *loadavg(void)
{
    static char buf[64];
    FILE *f = fopen("/proc/loadavg", "r");
    int ok = f && fgets(buf, sizeof buf, f) != NULL;
    if (f)
        fclose(f);
    if (!ok)
        return "?\n";
    char *sp = buf;
    for (int fields = 0; *sp && fields < 3; sp++)
        fields += *sp == ' ';
    if (sp > buf && sp[-1] == ' ')
        sp[-1] = '\n', sp[0] = '\0';
    return buf;
}

/* The model as the runner's recommender (thread-safe: read-only model). */
static int scorer_recommender(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                              size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    const struct runner_ctx *c = context;
    uint32_t picked[64];
    size_t n = 0, out = 0;
    (void)exclude; /* the model excludes the user's history itself */
    (void)n_exclude;
    if (k > 64)
        k = 64;
    if (rs_model_recommend(c->model, rs_eval_user_key(c->eval, user), k, NULL, 0, NULL, 0, NULL,
                           NULL, picked, &n))
        return 1;
    for (size_t i = 0; i < n; i++)
        if (c->store_to_eval[picked[i]] != RS_NO_ITEM)
            items_out[out++] = c->store_to_eval[picked[i]];
    *n_out = out;
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = "../shared/eval/retail_split", *dump = NULL;
    int runs = 5, threads = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--split") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dump = argv[++i];
        else {
            fprintf(stderr, "usage: retail_speed [--split DIR] [--runs N] [--threads T] "
                            "[--dump FILE]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > 100)
        runs = 5;
    double t0 = now();
    pairs items = read_pairs(dir, "items.tsv"), custs = read_pairs(dir, "customers.tsv");
    pairs train = read_pairs(dir, "train.tsv"), test = read_pairs(dir, "test.tsv");
    pairs cold = read_pairs(dir, "cold_test.tsv");

    /* the model of retail_score.c, the train pairs at time 0 */
    char path[4096];
    int64_t *times = calloc(train.n + 1, sizeof *times);
    snprintf(path, sizeof path, "%s/retail_speed_%d.rsm",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    rs_model *m = retail_model(path, items.a, items.b, items.n, custs.a, custs.b, custs.n,
                               train.a, train.b, times, train.n);
    const rs_item_store *store = rs_model_item_store(m);

    /* the runner on the protocol's split: train at time 0, test at time 1 */
    rs_events *ev;
    rs_eval *e;
    CHECK(rs_events_create(&ev));
    for (size_t i = 0; i < train.n; i++)
        CHECK(rs_events_add(ev, train.a[i], train.b[i], 0, 1.0));
    for (size_t i = 0; i < test.n; i++)
        CHECK(rs_events_add(ev, test.a[i], test.b[i], 1, 1.0));
    for (size_t i = 0; i < cold.n; i++)
        CHECK(rs_events_add(ev, cold.a[i], cold.b[i], 1, 1.0));
    CHECK(rs_events_split_temporal(ev, 1, RS_PART_TEST));
    CHECK(rs_eval_create(ev, RS_PART_TEST, &e));
    CHECK(rs_eval_set_int(e, RS_EVAL_THREADS, threads));
    size_t span = rs_item_store_span(store);
    struct runner_ctx ctx = {e, m, malloc(span * sizeof(uint32_t))};
    for (size_t i = 0; i < span; i++) {
        const char *key = rs_item_store_key(store, (uint32_t)i);
        uint32_t item;
        ctx.store_to_eval[i] = RS_NO_ITEM;
        if (key && rs_eval_item_find(e, key, &item) == RS_OK)
            ctx.store_to_eval[i] = item;
        else
            rs_clear_error();
    }
    printf("retail_speed: %zu items, %zu train pairs; setup and fit %.1fs; %d threads; "
           "OpenBLAS %s\n",
           items.n, train.n, now() - t0, threads ? threads : rs_get_num_threads(),
           rs_blas_corename());

    for (int group = RS_EVAL_WARM; group <= RS_EVAL_COLD; group++) {
        double secs[100], cpu[100], ndcg = 0.0, users = 0.0;
        size_t row = 0;
        CHECK(rs_eval_set_int(e, RS_EVAL_GROUP, group));
        for (int r = 0; r < runs; r++) {
            double c0 = cpu_now(), w0 = now();
            CHECK(rs_eval_run(e, "scorer (blend default)", scorer_recommender, &ctx, &row));
            secs[r] = now() - w0;
            cpu[r] = cpu_now() - c0;
        }
        CHECK(rs_eval_result(e, row, RS_EVAL_NDCG, &ndcg));
        CHECK(rs_eval_result(e, row, RS_EVAL_USERS, &users));
        double best = secs[0], best_cpu = cpu[0];
        for (int r = 1; r < runs; r++) {
            best = secs[r] < best ? secs[r] : best;
            best_cpu = cpu[r] < best_cpu ? cpu[r] : best_cpu;
        }
        printf("%-4s %5.0f users: runner + scorer median %.3f s wall (%.3f s cpu) over %d "
               "runs, NDCG@10 %.17g\n",
               group == RS_EVAL_WARM ? "warm" : "cold", users, median(secs, (size_t)runs),
               median(cpu, (size_t)runs), runs, ndcg);
        /* the machine may be shared: the best run and the load beside the median */
        printf("     best run %.3f s wall, %.3f s cpu; load average %s", best, best_cpu,
               loadavg());
        fflush(stdout);
    }

    if (dump) { /* every user's list and scores, bit for bit */
        FILE *f = fopen(dump, "w");
        const char *top[K];
        float sc[K];
        size_t n;
        if (!f) {
            perror(dump);
            return 1;
        }
        for (size_t u = 0; u < rs_eval_user_span(e); u++) {
            const char *user = rs_eval_user_key(e, (uint32_t)u);
            CHECK(rs_model_recommend(m, user, K, NULL, 0, NULL, 0, top, sc, NULL, &n));
            fprintf(f, "%s", user);
            for (size_t i = 0; i < n; i++)
                fprintf(f, "\t%s:%a", top[i], (double)sc[i]);
            fprintf(f, "\n");
        }
        fclose(f);
    }
    free(ctx.store_to_eval);
    rs_eval_free(e);
    rs_events_free(ev);
    rs_model_close(m);
    retail_remove(path);
    free(times);
    return 0;
}
