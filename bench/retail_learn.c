/*
 * retail_learn.c - the collaborative models on the public retail protocol
 * (../shared/eval/README.md): hyper-parameters tuned on the validation split
 * (cut 2011-07-01, carved from train_events.tsv.gz), then each model refit
 * on the full train and scored once on test.tsv, NDCG@10 etc. over the warm
 * users with train items excluded.  Not part of `make check` (it reads the
 * shared data); run with `make eval-learn` or
 *   build/bench/retail_learn [--split DIR] [--recs PREFIX] [--no-tune] [--only KIND]
 * (--only takes an rs_cf_kind: 0 ALS, 1 item-kNN, 2 EASE, 3 RP3beta, 4 EDLAE,
 * 5 GF-CF; the last three are tuned by coordinate ascent.)
 * PREFIX + "als.tsv" etc. get the warm recommendations for retail_eval.py.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recsim.h"
#include "bench_util.h"

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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
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

/* Rank every evaluated user, fill lists (n_eval x K), compute the metrics;
 * per_user (n_eval, or NULL) gets each user's NDCG@10. */
static result evaluate(const split *sp, const rs_cf_model *m, int use_counts, int fold,
                       uint32_t *lists, double *per_user)
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
        rs_metric_at_k(RS_EVAL_METRIC_PRECISION, top, K, truth, nt, K, &v);
        r.precision += v;
        rs_metric_at_k(RS_EVAL_METRIC_RECALL, top, K, truth, nt, K, &v);
        r.recall += v;
        rs_metric_at_k(RS_EVAL_METRIC_NDCG, top, K, truth, nt, K, &v);
        r.ndcg += v;
        if (per_user)
            per_user[e] = v;
        rs_metric_at_k(RS_EVAL_METRIC_HIT_RATE, top, K, truth, nt, K, &v);
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
    double beta, dropout, ideal; /* RP3beta, EDLAE, GF-CF */
    long eigen;                  /* GF-CF eigenvectors */
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
    } else if (rc == 0 && c->kind == RS_CF_RP3BETA) {
        rc = rs_cf_model_set_int(m, RS_CF_NEIGHBORS, c->neighbors);
        if (rc == 0) rc = rs_cf_model_set_double(m, RS_CF_ALPHA, c->alpha);
        if (rc == 0) rc = rs_cf_model_set_double(m, RS_CF_BETA, c->beta);
    } else if (rc == 0 && c->kind == RS_CF_GFCF) {
        rc = rs_cf_model_set_int(m, RS_CF_EIGENVECTORS, c->eigen);
        if (rc == 0) rc = rs_cf_model_set_double(m, RS_CF_IDEAL_WEIGHT, c->ideal);
    } else if (rc == 0 && c->kind == RS_CF_EDLAE) {
        rc = rs_cf_model_set_double(m, RS_CF_LAMBDA, c->lambda);
        if (rc == 0) rc = rs_cf_model_set_double(m, RS_CF_DROPOUT, c->dropout);
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
    else if (c->kind == RS_CF_RP3BETA)
        snprintf(buf, len, "RP3beta %s alpha=%g beta=%g N=%ld", c->counts ? "count" : "binary",
                 c->alpha, c->beta, c->neighbors);
    else if (c->kind == RS_CF_EDLAE)
        snprintf(buf, len, "EDLAE %s lambda=%g p=%g", c->counts ? "count" : "binary", c->lambda,
                 c->dropout);
    else if (c->kind == RS_CF_GFCF)
        snprintf(buf, len, "GF-CF %s k=%ld ideal=%g", c->counts ? "count" : "binary", c->eigen,
                 c->ideal);
    else
        snprintf(buf, len, "EASE %s lambda=%g", c->counts ? "count" : "binary", c->lambda);
}

/* Fit on the validation split and score it; prints one line. */
static double validate(const split *val, const config *c)
{
    uint32_t *lists = malloc(val->n_eval * K * sizeof *lists);
    double t0 = now();
    rs_cf_model *m = fit(val, c);
    double fit_secs = now() - t0;
    result r = evaluate(val, m, c->counts, c->fold, lists, NULL);
    rs_cf_model_free(m);
    free(lists);
    char name[160];
    describe(c, name, sizeof name);
    printf("  val  %-52s ndcg@10 %.5f  (fit %.1f s, all %.1f s)\n", name, r.ndcg, fit_secs,
           now() - t0);
    fflush(stdout);
    return r.ndcg;
}

static config tune(const split *val, const config *grid, size_t n, double *best_out)
{
    size_t best = 0;
    double best_ndcg = -1;
    for (size_t g = 0; g < n; g++) {
        double v = validate(val, &grid[g]);
        if (v > best_ndcg) {
            best_ndcg = v;
            best = g;
        }
    }
    *best_out = best_ndcg;
    return grid[best];
}

/*
 * Coordinate ascent on validation: from a start, each axis in turn tries its
 * values with the others held at the best so far, and keeps an improvement;
 * sweeps until one changes nothing (at most 3).  Configurations already
 * scored are not refitted.
 */
enum { AX_COUNTS, AX_ALPHA, AX_LAMBDA, AX_NEIGHBORS, AX_BETA, AX_DROPOUT, AX_IDEAL, AX_EIGEN };

typedef struct axis {
    int field;
    size_t n;
    double values[8];
} axis;

static void set_field(config *c, int field, double v)
{
    switch (field) {
    case AX_COUNTS: c->counts = (int)v; break;
    case AX_ALPHA: c->alpha = v; break;
    case AX_LAMBDA: c->lambda = v; break;
    case AX_NEIGHBORS: c->neighbors = (long)v; break;
    case AX_BETA: c->beta = v; break;
    case AX_DROPOUT: c->dropout = v; break;
    case AX_IDEAL: c->ideal = v; break;
    default: c->eigen = (long)v; break;
    }
}

static config coordinate_search(const split *val, config start, const axis *axes, size_t n_axes,
                                 double *best_out)
{
    enum { MAX_TRIED = 128 };
    config tried[MAX_TRIED];
    size_t n_tried = 0;
    config best = start;
    double best_ndcg = validate(val, &best);
    tried[n_tried++] = best;
    for (int sweep = 0; sweep < 3; sweep++) {
        int changed = 0;
        for (size_t a = 0; a < n_axes; a++)
            for (size_t v = 0; v < axes[a].n; v++) {
                config c = best;
                set_field(&c, axes[a].field, axes[a].values[v]);
                size_t t = 0;
                while (t < n_tried && memcmp(&tried[t], &c, sizeof c) != 0)
                    t++;
                if (t < n_tried)
                    continue;
                double ndcg = validate(val, &c);
                if (n_tried < MAX_TRIED)
                    tried[n_tried++] = c;
                if (ndcg > best_ndcg) {
                    best_ndcg = ndcg;
                    best = c;
                    changed = 1;
                }
            }
        if (!changed)
            break;
    }
    *best_out = best_ndcg;
    return best;
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
            fprintf(stderr, "usage: %s [--split DIR] [--recs PREFIX] [--no-tune] [--only 0..5]\n", argv[0]);
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

    /* memset first: configurations are compared bytewise */
    config als, knn, ease, rp3, edlae, gfcf;
    memset(&als, 0, sizeof als);
    als.kind = RS_CF_ALS, als.alpha = 1.0, als.lambda = 30.0, als.iterations = 15,
    als.cg_steps = 3;
    knn = ease = rp3 = edlae = gfcf = als;
    knn.kind = RS_CF_ITEMKNN, knn.alpha = knn.lambda = 0, knn.neighbors = 100;
    knn.iterations = knn.cg_steps = 0;
    ease.kind = RS_CF_EASE, ease.alpha = 0, ease.lambda = 500.0;
    ease.iterations = ease.cg_steps = 0;
    rp3 = knn;
    rp3.kind = RS_CF_RP3BETA, rp3.alpha = 1.0, rp3.beta = 0.5;
    edlae = ease;
    edlae.kind = RS_CF_EDLAE, edlae.lambda = 500.0, edlae.dropout = 0.25;
    gfcf = ease;
    gfcf.kind = RS_CF_GFCF, gfcf.lambda = 0, gfcf.eigen = 256, gfcf.ideal = 0.3;
    double val_ndcg[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    if (do_tune) {
        config grid[64];
        size_t n = 0;
        const double alphas[] = {1, 2}, lambdas[] = {15, 20, 30, 45};
        for (int fold = 0; fold < 2; fold++) {
            for (size_t a = 0; a < 2; a++)
                for (size_t l = 0; l < 4; l++) {
                    grid[n] = als;
                    grid[n].alpha = alphas[a], grid[n].lambda = lambdas[l], grid[n++].fold = fold;
                }
            for (size_t l = 1; l < 3; l++) {
                grid[n] = als;
                grid[n].counts = 1, grid[n].lambda = lambdas[l], grid[n++].fold = fold;
            }
        }
        if (only < 0 || only == RS_CF_ALS)
            als = tune(&val, grid, n, &val_ndcg[0]);
        n = 0;
        const long ks[] = {20, 50, 100, 200, 0};
        const double shrinks[] = {0, 5, 20};
        for (size_t k = 0; k < 5; k++)
            for (size_t s = 0; s < 3; s++) {
                grid[n] = knn;
                grid[n].shrink = shrinks[s], grid[n++].neighbors = ks[k];
            }
        if (only < 0 || only == RS_CF_ITEMKNN)
            knn = tune(&val, grid, n, &val_ndcg[1]);
        n = 0;
        const double el[] = {100, 200, 500, 1000, 2000};
        for (size_t l = 0; l < 5; l++) {
            grid[n] = ease;
            grid[n++].lambda = el[l];
        }
        if (only < 0 || only == RS_CF_EASE)
            ease = tune(&val, grid, n, &val_ndcg[2]);
        const axis rp3_axes[] = {
            {AX_BETA, 7, {0, 0.2, 0.35, 0.5, 0.6, 0.7, 0.8}},
            {AX_ALPHA, 8, {0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.25, 1.5}},
            {AX_NEIGHBORS, 8, {10, 20, 30, 50, 100, 200, 400, 0}},
            {AX_COUNTS, 2, {0, 1}},
        };
        if (only < 0 || only == RS_CF_RP3BETA)
            rp3 = coordinate_search(&val, rp3, rp3_axes, 4, &val_ndcg[3]);
        const axis edlae_axes[] = {
            {AX_DROPOUT, 8, {0, 0.1, 0.25, 0.33, 0.5, 0.7, 0.8, 0.9}},
            {AX_LAMBDA, 8, {10, 30, 100, 200, 300, 500, 1000, 2000}},
            {AX_COUNTS, 2, {0, 1}},
        };
        /* EDLAE with dropout 0 is EASE: start from EASE's choice, so that
         * the search can only improve on it (on validation) */
        if (val_ndcg[2] == val_ndcg[2])
            edlae.lambda = ease.lambda, edlae.dropout = 0.0, edlae.counts = ease.counts;
        if (only < 0 || only == RS_CF_EDLAE)
            edlae = coordinate_search(&val, edlae, edlae_axes, 3, &val_ndcg[4]);
        const axis gfcf_axes[] = {
            {AX_IDEAL, 7, {0, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5}},
            {AX_EIGEN, 6, {64, 128, 256, 512, 1024, 1536}},
            {AX_COUNTS, 2, {0, 1}},
        };
        if (only < 0 || only == RS_CF_GFCF)
            gfcf = coordinate_search(&val, gfcf, gfcf_axes, 3, &val_ndcg[5]);
    }
    config finals[6] = {als, knn, ease, rp3, edlae, gfcf};
    const char *short_names[6] = {"als", "knn", "ease", "rp3beta", "edlae", "gfcf"};
    uint32_t *lists = malloc(test.n_eval * K * sizeof *lists);
    printf("\n%-52s %9s %9s %9s %9s %9s %9s %7s %7s\n", "test (warm users, @10)", "precision",
           "recall", "ndcg", "hit_rate", "coverage", "val_ndcg", "fit_s", "secs");
    double *per_user[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    for (int k = 0; k < 6; k++) {
        if (only >= 0 && only != finals[k].kind)
            continue;
        double t0 = now();
        rs_cf_model *m = fit(&test, &finals[k]);
        double fit_secs = now() - t0;
        per_user[k] = malloc(test.n_eval * sizeof *per_user[k]);
        result r = evaluate(&test, m, finals[k].counts, finals[k].fold, lists, per_user[k]);
        r.secs = now() - t0;
        rs_cf_model_free(m);
        char name[160];
        describe(&finals[k], name, sizeof name);
        printf("%-52s %9.4f %9.4f %9.5f %9.4f %9.4f %9.5f %7.2f %7.2f\n", name, r.precision,
               r.recall, r.ndcg, r.hit, r.coverage, val_ndcg[k], fit_secs, r.secs);
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
    /* How much of a difference is noise: a paired bootstrap over the warm
     * users of (kind - EASE) test NDCG@10, 2000 resamples. */
    if (per_user[2]) {
        printf("\npaired bootstrap over users, test ndcg@10 minus EASE's: mean [2.5%%, 97.5%%]\n");
        enum { RESAMPLES = 2000 };
        double *diffs = malloc(RESAMPLES * sizeof *diffs);
        for (int k = 0; k < 6; k++) {
            if (k == 2 || !per_user[k])
                continue;
            uint64_t st = 20260901u;
            double mean = 0;
            for (int b = 0; b < RESAMPLES; b++) {
                double d = 0;
                for (size_t e = 0; e < test.n_eval; e++) {
                    st = st * 6364136223846793005ull + 1442695040888963407ull;
                    size_t pick = (size_t)((st >> 33) % test.n_eval);
                    d += per_user[k][pick] - per_user[2][pick];
                }
                diffs[b] = d / (double)test.n_eval;
                mean += diffs[b] / RESAMPLES;
            }
            qsort(diffs, RESAMPLES, sizeof *diffs, cmp_double);
            printf("  %-8s %+.5f [%+.5f, %+.5f]\n", short_names[k], mean,
                   diffs[RESAMPLES * 25 / 1000], diffs[RESAMPLES * 975 / 1000]);
        }
        free(diffs);
    }
    for (int k = 0; k < 6; k++)
        free(per_user[k]);
    printf("reference (retail_baselines.json): ALS 0.1223, item-kNN 0.1168, EASE 0.1254\n");
    free(lists);
    return 0;
}
