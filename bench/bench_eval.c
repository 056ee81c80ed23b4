/*
 * bench_eval.c - throughput of the evaluation runner on a synthetic log:
 * 100,000 users with 20 to 60 events each over 20,000 items (Zipf-like
 * popularity), a random per-user hold-out of 20 %, then most-popular and
 * random over every warm user at k = 10.  Medians of 5 runs; the split and
 * the runner's construction are timed apart.  (The retail protocol and its
 * timing against the reference script: make eval-retail.)
 */
#include "core/rng.h"
#include "recsim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "bench_util.h"

#define RUNS 5
#define USERS 100000
#define ITEMS 20000

static void check(int status, const char *what)
{
    if (status != RS_OK) {
        fprintf(stderr, "bench_eval: %s: %s\n", what, rs_errmsg());
        exit(1);
    }
}

int main(void)
{
    rs_events *ev;
    rs_eval *e;
    char user[32], item[32];
    double t0, split_s, create_s, pop_s[RUNS], rand_s[RUNS], users = 0;
    size_t n_events;
    printf("blas core: %s, threads: %d\n", rs_blas_corename(), rs_get_num_threads());
    check(rs_events_create(&ev), "create");
    for (uint32_t u = 0; u < USERS; u++) {
        rs_rng rng;
        rs__rng_init(&rng, 1, 0, u, 0);
        unsigned n = 20 + (unsigned)rs__rng_below(&rng, 41);
        snprintf(user, sizeof user, "user%u", u);
        for (unsigned j = 0; j < n; j++) {
            /* Zipf-like: item = floor(ITEMS^x) - 1 for x uniform */
            unsigned it = (unsigned)pow(ITEMS, rs__rng_uniform(&rng)) - 1;
            snprintf(item, sizeof item, "item%05u", it);
            check(rs_events_add(ev, user, item, (int64_t)j, 1.0), "add");
        }
    }
    n_events = rs_events_count(ev);
    t0 = now();
    check(rs_events_split_random(ev, 0.2, 5, 42, RS_PART_TEST), "split");
    split_s = now() - t0;
    t0 = now();
    check(rs_eval_create(ev, RS_PART_TEST, &e), "eval create");
    create_s = now() - t0;
    for (int r = 0; r < RUNS; r++) {
        size_t row;
        check(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row), "most-popular");
        check(rs_eval_result(e, row, RS_EVAL_SECONDS, &pop_s[r]), "result");
        check(rs_eval_result(e, row, RS_EVAL_USERS, &users), "result");
        check(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, &row), "random");
        check(rs_eval_result(e, row, RS_EVAL_SECONDS, &rand_s[r]), "result");
    }
    printf("log: %zu events, %d users, %zu catalogue items\n", n_events, USERS,
           rs_eval_item_count(e));
    printf("random hold-out split (20 %%, per user): %.3f s; runner construction: %.3f s\n",
           split_s, create_s);
    double mp = median(pop_s, RUNS), rd = median(rand_s, RUNS);
    printf("most-popular over %.0f users, k = 10: median %.3f s (%.0f users/s)\n", users, mp,
           users / mp);
    printf("random       over %.0f users, k = 10: median %.3f s (%.0f users/s)\n", users, rd,
           users / rd);
    rs_eval_free(e);
    rs_events_free(ev);
    return 0;
}
