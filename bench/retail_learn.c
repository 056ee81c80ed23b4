/*
 * retail_learn.c - the collaborative models on the public retail protocol
 * (../shared/eval/README.md): hyper-parameters tuned on the validation split
 * (cut 2011-07-01, carved from train_events.tsv.gz), then each model refit
 * on the full train and scored once on test.tsv, NDCG@10 etc. over the warm
 * users with train items excluded.  Not part of `make check` (it reads the
 * shared data); run with `make eval-learn` or
 *   build/bench/retail_learn [--split DIR] [--recs PREFIX] [--no-tune] [--only KIND]
 * PREFIX + "als.tsv" etc. get the warm recommendations for retail_eval.py.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recsim.h"

#define K 10
#define CUT "2011-09-01 00:00:00"
#define VAL_CUT "2011-07-01 00:00:00"

typedef struct event {
    long cust;
    char *code;
    char date[20];
} event;

typedef struct pair {
    uint32_t user, item;
} pair;

typedef struct split {
    size_t n_users, n_items;
    long *cust;     /* sorted train customers */
    char **items;   /* sorted catalogue */
    rs_cf_matrix *binary, *count;
    size_t *tr_start; /* per user train items (sorted) and counts */
    uint32_t *tr_item;
    float *tr_count;
    size_t n_eval;
    uint32_t *eval_user;
    size_t *te_start;
    uint32_t *te_item;
} split;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "retail_learn: %s: %s (%s)\n", what, rs_strerror(rc), rs_errmsg());
    exit(1);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

static long find_long(const long *v, size_t n, long key)
{
    const long *p = bsearch(&key, v, n, sizeof *v, cmp_long);
    return p ? p - v : -1;
}

static long find_str(char **v, size_t n, const char *key)
{
    char **p = bsearch(&key, v, n, sizeof *v, cmp_str);
    return p ? p - v : -1;
}

static event *read_events(const char *dir, size_t *n_out)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s/train_events.tsv.gz'", dir);
    FILE *f = popen(cmd, "r");
    if (!f) {
        perror(cmd);
        exit(1);
    }
    size_t n = 0, cap = 1 << 18;
    event *ev = malloc(cap * sizeof *ev);
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *c = strtok(line, "\t"), *s = strtok(NULL, "\t"), *inv = strtok(NULL, "\t"),
             *d = strtok(NULL, "\t\n");
        if (!c || !s || !inv || !d)
            continue;
        if (n == cap)
            ev = realloc(ev, (cap *= 2) * sizeof *ev);
        ev[n].cust = atol(c);
        ev[n].code = strdup(s);
        snprintf(ev[n].date, sizeof ev[n].date, "%s", d);
        n++;
    }
    pclose(f);
    *n_out = n;
    return ev;
}

/* test: NULL to take the events from cut on, else (customer, code) pairs. */
static void build_split(const event *ev, size_t n_ev, const char *cut, const long *test_cust,
                        char **test_code, size_t n_test, split *sp)
{
    memset(sp, 0, sizeof *sp);
    size_t n_tr = 0;
    char **codes = malloc(n_ev * sizeof *codes);
    long *custs = malloc(n_ev * sizeof *custs);
    for (size_t e = 0; e < n_ev; e++)
        if (strcmp(ev[e].date, cut) < 0) {
            codes[n_tr] = ev[e].code;
            custs[n_tr++] = ev[e].cust;
        }
    qsort(codes, n_tr, sizeof *codes, cmp_str);
    qsort(custs, n_tr, sizeof *custs, cmp_long);
    size_t ni = 0, nu = 0;
    for (size_t e = 0; e < n_tr; e++) {
        if (ni == 0 || strcmp(codes[ni - 1], codes[e]) != 0)
            codes[ni++] = codes[e];
        if (nu == 0 || custs[nu - 1] != custs[e])
            custs[nu++] = custs[e];
    }
    sp->items = codes;
    sp->cust = custs;
    sp->n_items = ni;
    sp->n_users = nu;
    pair *pr = malloc(n_tr * sizeof *pr);
    size_t np = 0;
    for (size_t e = 0; e < n_ev; e++)
        if (strcmp(ev[e].date, cut) < 0) {
            pr[np].user = (uint32_t)find_long(custs, nu, ev[e].cust);
            pr[np].item = (uint32_t)find_str(codes, ni, ev[e].code);
            np++;
        }
    qsort(pr, np, sizeof *pr, cmp_pair);
    sp->tr_start = calloc(nu + 1, sizeof *sp->tr_start);
    sp->tr_item = malloc(np * sizeof *sp->tr_item);
    sp->tr_count = malloc(np * sizeof *sp->tr_count);
    uint32_t *uu = malloc(np * sizeof *uu);
    size_t nd = 0;
    for (size_t p = 0; p < np; p++) {
        if (nd > 0 && uu[nd - 1] == pr[p].user && sp->tr_item[nd - 1] == pr[p].item) {
            sp->tr_count[nd - 1] += 1.0f;
            continue;
        }
        uu[nd] = pr[p].user;
        sp->tr_item[nd] = pr[p].item;
        sp->tr_count[nd] = 1.0f;
        sp->tr_start[pr[p].user + 1]++;
        nd++;
    }
    for (size_t u = 0; u < nu; u++)
        sp->tr_start[u + 1] += sp->tr_start[u];
    int rc = rs_cf_matrix_create(nu, ni, uu, sp->tr_item, NULL, nd, &sp->binary);
    if (rc == 0)
        rc = rs_cf_matrix_create(nu, ni, uu, sp->tr_item, sp->tr_count, nd, &sp->count);
    if (rc < 0)
        die("matrix", rc);
    free(uu);
    /* test positives */
    size_t cap = test_cust ? n_test : n_ev;
    pair *tp = malloc((cap ? cap : 1) * sizeof *tp);
    size_t nt = 0;
    for (size_t e = 0; e < cap; e++) {
        long c;
        const char *code;
        if (test_cust) {
            c = test_cust[e];
            code = test_code[e];
        } else {
            if (strcmp(ev[e].date, cut) < 0)
                continue;
            c = ev[e].cust;
            code = ev[e].code;
        }
        long u = find_long(custs, nu, c), i = find_str(codes, ni, code);
        if (u < 0 || i < 0)
            continue;
        uint32_t key = (uint32_t)i;
        int seen = 0;
        for (size_t p = sp->tr_start[u]; p < sp->tr_start[u + 1]; p++)
            if (sp->tr_item[p] == key)
                seen = 1;
        if (seen)
            continue;
        tp[nt].user = (uint32_t)u;
        tp[nt++].item = key;
    }
    qsort(tp, nt, sizeof *tp, cmp_pair);
    sp->eval_user = malloc((nt ? nt : 1) * sizeof *sp->eval_user);
    sp->te_start = calloc(nt + 2, sizeof *sp->te_start);
    sp->te_item = malloc((nt ? nt : 1) * sizeof *sp->te_item);
    size_t ne = 0, nti = 0;
    for (size_t p = 0; p < nt; p++) {
        if (p > 0 && tp[p].user == tp[p - 1].user && tp[p].item == tp[p - 1].item)
            continue;
        if (ne == 0 || sp->eval_user[ne - 1] != tp[p].user) {
            sp->eval_user[ne++] = tp[p].user;
            sp->te_start[ne - 1] = nti;
        }
        sp->te_item[nti++] = tp[p].item;
        sp->te_start[ne] = nti;
    }
    sp->n_eval = ne;
    free(tp);
    free(pr);
}

typedef struct result {
    double precision, recall, ndcg, hit, coverage, secs;
} result;

/* Rank every evaluated user, fill lists (n_eval x K), compute the metrics. */
static result evaluate(const split *sp, const rs_cf_model *m, int use_counts, int fold,
                       uint32_t *lists)
{
    result r = {0, 0, 0, 0, 0, 0};
    size_t ni = sp->n_items;
    float *scores = malloc(ni * sizeof *scores);
    size_t dim = fold ? 0 : rs_cf_model_dim(m);
    float *x = dim ? malloc(dim * sizeof *x) : NULL;
    float *y = dim ? malloc(ni * dim * sizeof *y) : NULL;
    for (size_t i = 0; dim && i < ni; i++)
        rs_cf_model_item_factors(m, (uint32_t)i, y + i * dim, dim);
    for (size_t e = 0; e < sp->n_eval; e++) {
        uint32_t u = sp->eval_user[e];
        size_t b = sp->tr_start[u], n = sp->tr_start[u + 1] - b;
        int rc;
        if (dim) { /* ALS: the trained user factors */
            rc = rs_cf_model_user_factors(m, u, x, dim);
            for (size_t i = 0; rc == 0 && i < ni; i++) {
                float s = 0;
                for (size_t k = 0; k < dim; k++)
                    s += x[k] * y[i * dim + k];
                scores[i] = s;
            }
        } else {
            rc = rs_cf_model_score(m, sp->tr_item + b, use_counts ? sp->tr_count + b : NULL, n,
                                   scores, ni);
        }
        if (rc < 0)
            die("score", rc);
        for (size_t p = b; p < b + n; p++)
            scores[sp->tr_item[p]] = -INFINITY;
        uint32_t *top = lists + e * K;
        float best[K];
        size_t kept = 0;
        for (size_t i = 0; i < ni; i++) {
            float s = scores[i];
            if (s == -INFINITY)
                continue;
            if (kept == K && !(s > best[K - 1]))
                continue;
            size_t at = kept < K ? kept++ : K - 1;
            while (at > 0 && s > best[at - 1]) {
                best[at] = best[at - 1];
                top[at] = top[at - 1];
                at--;
            }
            best[at] = s;
            top[at] = (uint32_t)i;
        }
        for (size_t q = kept; q < K; q++)
            top[q] = RS_NO_ITEM;
        const uint32_t *truth = sp->te_item + sp->te_start[e];
        size_t nt = sp->te_start[e + 1] - sp->te_start[e];
        double v;
        rs_metric_at_k(RS_METRIC_PRECISION, top, K, truth, nt, K, &v);
        r.precision += v;
        rs_metric_at_k(RS_METRIC_RECALL, top, K, truth, nt, K, &v);
        r.recall += v;
        rs_metric_at_k(RS_METRIC_NDCG, top, K, truth, nt, K, &v);
        r.ndcg += v;
        rs_metric_at_k(RS_METRIC_HIT_RATE, top, K, truth, nt, K, &v);
        r.hit += v;
    }
    double ne = sp->n_eval ? (double)sp->n_eval : 1.0;
    r.precision /= ne;
    r.recall /= ne;
    r.ndcg /= ne;
    r.hit /= ne;
    rs_metric_coverage(lists, sp->n_eval, K, ni, &r.coverage);
    free(scores);
    free(x);
    free(y);
    return r;
}

typedef struct config {
    int kind;
    int counts;       /* weights: distinct invoices instead of 1 */
    double alpha, lambda, shrink;
    long neighbors;
    int iterations, cg_steps;
    int fold; /* ALS: score with users folded in against the final item
                 factors (one more exact user half-step) */
} config;

static rs_cf_model *fit(const split *sp, const config *c)
{
    rs_cf_model *m;
    int rc = rs_cf_model_create(c->kind, &m);
    if (rc == 0 && c->kind == RS_CF_ALS) {
        rc = rs_cf_model_set_double(m, RS_CF_ALPHA, c->alpha);
        if (rc == 0) rc = rs_cf_model_set_double(m, RS_CF_LAMBDA, c->lambda);
        if (rc == 0) rc = rs_cf_model_set_int(m, RS_CF_ITERATIONS, c->iterations);
        if (rc == 0) rc = rs_cf_model_set_int(m, RS_CF_CG_STEPS, c->cg_steps);
        if (rc == 0) rc = rs_cf_model_set_int(m, RS_CF_FACTORS, 64);
    } else if (rc == 0 && c->kind == RS_CF_ITEMKNN) {
        rc = rs_cf_model_set_int(m, RS_CF_NEIGHBORS, c->neighbors);
        if (rc == 0) rc = rs_cf_model_set_double(m, RS_CF_SHRINK, c->shrink);
    } else if (rc == 0) {
        rc = rs_cf_model_set_double(m, RS_CF_LAMBDA, c->lambda);
    }
    if (rc == 0)
        rc = rs_cf_model_fit(m, c->counts ? sp->count : sp->binary);
    if (rc < 0)
        die("fit", rc);
    return m;
}

static void describe(const config *c, char *buf, size_t len)
{
    if (c->kind == RS_CF_ALS)
        snprintf(buf, len, "ALS f=64 %s alpha=%g lambda=%g it=%d cg=%d%s",
                 c->counts ? "count" : "binary", c->alpha, c->lambda, c->iterations, c->cg_steps,
                 c->fold ? " fold-in" : "");
    else if (c->kind == RS_CF_ITEMKNN)
        snprintf(buf, len, "item-kNN cosine %s k=%ld shrink=%g", c->counts ? "count" : "binary",
                 c->neighbors, c->shrink);
    else
        snprintf(buf, len, "EASE %s lambda=%g", c->counts ? "count" : "binary", c->lambda);
}

static config tune(const split *val, const config *grid, size_t n)
{
    size_t best = 0;
    double best_ndcg = -1;
    uint32_t *lists = malloc(val->n_eval * K * sizeof *lists);
    for (size_t g = 0; g < n; g++) {
        double t0 = now();
        rs_cf_model *m = fit(val, &grid[g]);
        result r = evaluate(val, m, grid[g].counts, grid[g].fold, lists);
        rs_cf_model_free(m);
        char name[160];
        describe(&grid[g], name, sizeof name);
        printf("  val  %-52s ndcg@10 %.5f  (%.1f s)\n", name, r.ndcg, now() - t0);
        fflush(stdout);
        if (r.ndcg > best_ndcg) {
            best_ndcg = r.ndcg;
            best = g;
        }
    }
    free(lists);
    return grid[best];
}

int main(int argc, char **argv)
{
    const char *dir = "/work/shared/eval/retail_split", *recs = NULL;
    int do_tune = 1, only = -1;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--split") && a + 1 < argc)
            dir = argv[++a];
        else if (!strcmp(argv[a], "--recs") && a + 1 < argc)
            recs = argv[++a];
        else if (!strcmp(argv[a], "--only") && a + 1 < argc)
            only = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--no-tune"))
            do_tune = 0;
        else {
            fprintf(stderr, "usage: %s [--split DIR] [--recs PREFIX] [--no-tune] [--only 0|1|2]\n", argv[0]);
            return 2;
        }
    }
    printf("librecsim %s, BLAS core %s, %d threads\n", rs_version_string(), rs_blas_corename(),
           rs_get_num_threads());
    size_t n_ev;
    event *ev = read_events(dir, &n_ev);
    /* test.tsv: the warm positives of the final split */
    char path[4200];
    snprintf(path, sizeof path, "%s/test.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t nt = 0, cap = 1 << 16;
    long *tc = malloc(cap * sizeof *tc);
    char **ts = malloc(cap * sizeof *ts);
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *c = strtok(line, "\t"), *s = strtok(NULL, "\t\n");
        if (!c || !s)
            continue;
        if (nt == cap) {
            cap *= 2;
            tc = realloc(tc, cap * sizeof *tc);
            ts = realloc(ts, cap * sizeof *ts);
        }
        tc[nt] = atol(c);
        ts[nt++] = strdup(s);
    }
    fclose(f);
    split val, test;
    build_split(ev, n_ev, VAL_CUT, NULL, NULL, 0, &val);
    build_split(ev, n_ev, CUT, tc, ts, nt, &test);
    size_t nnz;
    rs_cf_matrix_shape(test.binary, NULL, NULL, &nnz);
    printf("test split: %zu users, %zu items, %zu pairs, %zu warm users\n", test.n_users,
           test.n_items, nnz, test.n_eval);
    rs_cf_matrix_shape(val.binary, NULL, NULL, &nnz);
    printf("validation split: %zu users, %zu items, %zu pairs, %zu warm users\n", val.n_users,
           val.n_items, nnz, val.n_eval);

    config als = {RS_CF_ALS, 0, 1.0, 30.0, 0, 0, 15, 3, 0};
    config knn = {RS_CF_ITEMKNN, 0, 0, 0, 0.0, 100, 0, 0, 0};
    config ease = {RS_CF_EASE, 0, 0, 500.0, 0, 0, 0, 0, 0};
    if (do_tune) {
        config grid[64];
        size_t n = 0;
        const double alphas[] = {1, 2}, lambdas[] = {15, 20, 30, 45};
        for (int fold = 0; fold < 2; fold++) {
            for (size_t a = 0; a < 2; a++)
                for (size_t l = 0; l < 4; l++)
                    grid[n++] = (config){RS_CF_ALS, 0, alphas[a], lambdas[l], 0, 0, 15, 3, fold};
            for (size_t l = 1; l < 3; l++)
                grid[n++] = (config){RS_CF_ALS, 1, 1.0, lambdas[l], 0, 0, 15, 3, fold};
        }
        if (only < 0 || only == RS_CF_ALS)
            als = tune(&val, grid, n);
        n = 0;
        const long ks[] = {20, 50, 100, 200, 0};
        const double shrinks[] = {0, 5, 20};
        for (size_t k = 0; k < 5; k++)
            for (size_t s = 0; s < 3; s++)
                grid[n++] = (config){RS_CF_ITEMKNN, 0, 0, 0, shrinks[s], ks[k], 0, 0, 0};
        if (only < 0 || only == RS_CF_ITEMKNN)
            knn = tune(&val, grid, n);
        n = 0;
        const double el[] = {100, 200, 500, 1000, 2000};
        for (size_t l = 0; l < 5; l++)
            grid[n++] = (config){RS_CF_EASE, 0, 0, el[l], 0, 0, 0, 0, 0};
        if (only < 0 || only == RS_CF_EASE)
            ease = tune(&val, grid, n);
    }
    config finals[3] = {als, knn, ease};
    const char *short_names[3] = {"als", "knn", "ease"};
    uint32_t *lists = malloc(test.n_eval * K * sizeof *lists);
    printf("\n%-52s %9s %9s %9s %9s %9s %7s\n", "test (warm users, @10)", "precision", "recall",
           "ndcg", "hit_rate", "coverage", "secs");
    for (int k = 0; k < 3; k++) {
        if (only >= 0 && only != finals[k].kind)
            continue;
        double t0 = now();
        rs_cf_model *m = fit(&test, &finals[k]);
        result r = evaluate(&test, m, finals[k].counts, finals[k].fold, lists);
        r.secs = now() - t0;
        rs_cf_model_free(m);
        char name[160];
        describe(&finals[k], name, sizeof name);
        printf("%-52s %9.4f %9.4f %9.5f %9.4f %9.4f %7.2f\n", name, r.precision, r.recall,
               r.ndcg, r.hit, r.coverage, r.secs);
        fflush(stdout);
        if (recs) {
            char out[4300];
            snprintf(out, sizeof out, "%s%s.tsv", recs, short_names[k]);
            FILE *o = fopen(out, "w");
            if (!o) {
                perror(out);
                return 1;
            }
            for (size_t e = 0; e < test.n_eval; e++)
                for (int q = 0; q < K; q++)
                    if (lists[e * K + q] != RS_NO_ITEM)
                        fprintf(o, "%ld\t%s\t%d\n", test.cust[test.eval_user[e]],
                                test.items[lists[e * K + q]], q + 1);
            fclose(o);
        }
    }
    printf("reference (retail_baselines.json): ALS 0.1223, item-kNN 0.1168, EASE 0.1254\n");
    free(lists);
    return 0;
}
