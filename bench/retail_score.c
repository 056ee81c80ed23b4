/*
 * retail_score.c - the scorer on the public retail protocol
 * (../shared/eval/README.md), through rs_model as a host program gets it
 * (retail_build.h): the catalogue with its descriptions, the customers with
 * their countries and the dated purchase events (train_events.tsv.gz)
 * imported into a model file and built (hashing embedder, EASE at lambda
 * 500, the protocol's validation choice) -- first on the protocol's
 * validation split (events before 2011-07-01; the later train events are
 * the truth), then on the full train.  Configurations are scorer options
 * set by name (rs_model_set_option); lists come from rs_model_recommend.  For each it prints P, R, NDCG, MAP, MRR, hit rate and coverage at
 * 10 of the combine modes, the signals alone, the cold-start variants, the
 * previous defaults and the default, for the warm and the cold users.  The
 * scorer's defaults were chosen on the validation table only (--sweep);
 * the test table measures them.  Then the default again through the
 * evaluation runner (rs_eval_run) beside most-popular, a few explanations,
 * and PREFIX{warm,cold}.tsv for retail_eval.py --eval-recs/--cold-recs.
 * Not part of `make check`:
 *   build/bench/retail_score [--split DIR] [--recs PREFIX]
 *   build/bench/retail_score --sweep "wc=0.3,hhl=60;wc=0.1" (validation only;
 *       RS_SWEEP_GROUP=warm or cold evaluates one group)
 */
#include <stdbool.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idmap.h"
#include "recsim.h"
#include "retail_build.h"

#define K 10
#define CUT "2011-09-01 00:00:00"
#define VAL_CUT "2011-07-01 00:00:00"

static void die(const char *what, int rc)
{
    fprintf(stderr, "retail_score: %s: %s (%s)\n", what, rs_strerror(rc), rs_errmsg());
    exit(1);
}
#define CHECK(call)                \
    do {                           \
        int rc_ = (call);          \
        if (rc_ < 0)               \
            die(#call, rc_);       \
    } while (0)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct pairs {
    char **a, **b;
    size_t n;
} pairs;

static pairs read_pairs(const char *dir, const char *name)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    pairs p = {NULL, NULL, 0};
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        if (p.n == cap) {
            cap = cap ? cap * 2 : 1024;
            p.a = realloc(p.a, cap * sizeof *p.a);
            p.b = realloc(p.b, cap * sizeof *p.b);
        }
        p.a[p.n] = strdup(line);
        p.b[p.n++] = strdup(tab + 1);
    }
    fclose(f);
    return p;
}

/* One purchase event of train_events.tsv.gz. */
typedef struct event {
    char *cust, *code;
    int64_t t;
} event;

static event *read_events(const char *dir, size_t *n_out)
{
    char cmd[4200], line[1024];
    event *ev = NULL;
    size_t n = 0, cap = 0;
    snprintf(cmd, sizeof cmd, "gzip -dc '%s/train_events.tsv.gz'", dir);
    FILE *f = popen(cmd, "r");
    while (f && fgets(line, sizeof line, f)) {
        char *c = strtok(line, "\t"), *code = strtok(NULL, "\t"), *inv = strtok(NULL, "\t"),
             *d = strtok(NULL, "\t\n");
        int64_t t;
        if (!c || !code || !inv || !d || rs_io_parse_time(d, strlen(d), &t) != RS_OK)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            ev = realloc(ev, cap * sizeof *ev);
        }
        ev[n].cust = strdup(c);
        ev[n].code = strdup(code);
        ev[n++].t = t;
    }
    if (!f || pclose(f) != 0 || n == 0) {
        fprintf(stderr, "retail_score: cannot read %s\n", cmd);
        exit(1);
    }
    *n_out = n;
    return ev;
}

/* Evaluated users and their truth (item keys [start[u], start[u+1])). */
typedef struct group {
    size_t n_users;
    char **user;
    size_t *start;
    char **truth;
} group;

static group make_group(const pairs *tp)
{
    group g = {0, malloc(tp->n * sizeof(char *)), calloc(tp->n + 2, sizeof(size_t)), tp->b};
    for (size_t i = 0; i < tp->n; i++) {
        if (g.n_users == 0 || strcmp(g.user[g.n_users - 1], tp->a[i]) != 0) {
            g.start[g.n_users] = i;
            g.user[g.n_users++] = tp->a[i];
        }
        g.start[g.n_users] = i + 1;
    }
    return g;
}

static char *pair_key(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *k = malloc(la + lb + 2);
    memcpy(k, a, la);
    k[la] = '\t';
    memcpy(k + la + 1, b, lb + 1);
    return k;
}

static int cmp_pair(const void *x, const void *y)
{
    const char *const *p = x, *const *q = y;
    long a = atol(p[0]), b = atol(q[0]);
    if (a != b)
        return a < b ? -1 : 1;
    return strcmp(p[1], q[1]);
}

/*
 * The validation split of the protocol (rule 7): the events before VAL_CUT
 * are val-train, the later train events val-test; warm truth = val-catalogue
 * items a val-train customer bought in val-test and not before; cold users =
 * customers without a val-train event with >= 5 distinct val-catalogue items.
 * Fills *train (distinct pairs), *warm_tp and *cold_tp (sorted pairs).
 */
static void validation_split(const event *ev, size_t n, int64_t cut, pairs *train,
                             pairs *warm_tp, pairs *cold_tp)
{
    rs_idmap *cat = rs__idmap_create(), *bought = rs__idmap_create(),
             *custs = rs__idmap_create(), *seen = rs__idmap_create();
    pairs tr = {NULL, NULL, 0}, wt = {NULL, NULL, 0}, ct = {NULL, NULL, 0};
    uint32_t id;
    bool created;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].t >= cut)
            continue;
        rs__idmap_intern(cat, ev[i].code, strlen(ev[i].code), &id, &created);
        rs__idmap_intern(custs, ev[i].cust, strlen(ev[i].cust), &id, &created);
        char *k = pair_key(ev[i].cust, ev[i].code);
        rs__idmap_intern(bought, k, strlen(k), &id, &created);
        if (created) {
            tr.a = realloc(tr.a, (tr.n + 1) * sizeof(char *));
            tr.b = realloc(tr.b, (tr.n + 1) * sizeof(char *));
            tr.a[tr.n] = ev[i].cust;
            tr.b[tr.n++] = ev[i].code;
        }
        free(k);
    }
    for (size_t i = 0; i < n; i++) {
        if (ev[i].t < cut ||
            rs__idmap_find(cat, ev[i].code, strlen(ev[i].code)) == RS_IDMAP_NONE)
            continue;
        char *k = pair_key(ev[i].cust, ev[i].code);
        int warm = rs__idmap_find(custs, ev[i].cust, strlen(ev[i].cust)) != RS_IDMAP_NONE;
        if ((warm && rs__idmap_find(bought, k, strlen(k)) != RS_IDMAP_NONE)) {
            free(k);
            continue;
        }
        rs__idmap_intern(seen, k, strlen(k), &id, &created);
        free(k);
        if (!created)
            continue;
        pairs *p = warm ? &wt : &ct;
        p->a = realloc(p->a, (p->n + 1) * sizeof(char *));
        p->b = realloc(p->b, (p->n + 1) * sizeof(char *));
        p->a[p->n] = ev[i].cust;
        p->b[p->n++] = ev[i].code;
    }
    /* sort by customer then code; keep cold users with >= 5 items */
    pairs *all[3] = {&tr, &wt, &ct};
    for (int s = 0; s < 3; s++) {
        char **tmp = malloc(2 * all[s]->n * sizeof(char *) + 1);
        for (size_t i = 0; i < all[s]->n; i++)
            tmp[2 * i] = all[s]->a[i], tmp[2 * i + 1] = all[s]->b[i];
        qsort(tmp, all[s]->n, 2 * sizeof(char *), cmp_pair);
        for (size_t i = 0; i < all[s]->n; i++)
            all[s]->a[i] = tmp[2 * i], all[s]->b[i] = tmp[2 * i + 1];
        free(tmp);
    }
    size_t m = 0;
    for (size_t i = 0; i < ct.n;) {
        size_t j = i;
        while (j < ct.n && !strcmp(ct.a[j], ct.a[i]))
            j++;
        for (size_t q = i; j - i >= 5 && q < j; q++)
            ct.a[m] = ct.a[q], ct.b[m++] = ct.b[q];
        i = j;
    }
    ct.n = m;
    *train = tr, *warm_tp = wt, *cold_tp = ct;
    rs__idmap_free(cat), rs__idmap_free(bought), rs__idmap_free(custs), rs__idmap_free(seen);
}

typedef struct result {
    double ndcg, precision, recall, map, mrr, hit, coverage, secs;
} result;

static result evaluate(const rs_model *m, const group *g, FILE *recs)
{
    result r = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t span = rs_item_store_span(rs_model_item_store(m));
    unsigned char *used = calloc(span, 1);
    uint32_t items[K], truth[4096];
    const char *keys[K];
    size_t n;
    double t0 = now();
    static const int metric[6] = {RS_EVAL_METRIC_NDCG,     RS_EVAL_METRIC_PRECISION, RS_EVAL_METRIC_RECALL,
                                  RS_EVAL_METRIC_MAP,      RS_EVAL_METRIC_MRR,       RS_EVAL_METRIC_HIT_RATE};
    double *sum[6] = {&r.ndcg, &r.precision, &r.recall, &r.map, &r.mrr, &r.hit};
    for (size_t u = 0; u < g->n_users; u++) {
        CHECK(rs_model_recommend(m, g->user[u], K, NULL, 0, NULL, 0, keys, NULL, items, &n));
        size_t nt = 0;
        for (size_t i = g->start[u]; i < g->start[u + 1] && nt < 4096; i++) {
            uint32_t idx;
            if (rs_model_item_index(m, g->truth[i], &idx) == RS_OK)
                truth[nt++] = idx;
        }
        for (int q = 0; q < 6; q++) {
            double v;
            CHECK(rs_metric_at_k(metric[q], items, n, truth, nt, K, &v));
            *sum[q] += v;
        }
        for (size_t i = 0; i < n; i++) {
            used[items[i]] = 1;
            if (recs)
                fprintf(recs, "%s\t%s\t%zu\n", g->user[u], keys[i], i + 1);
        }
    }
    rs_clear_error();
    r.secs = now() - t0;
    size_t cov = 0;
    for (size_t i = 0; i < span; i++)
        cov += used[i];
    double nu = g->n_users ? (double)g->n_users : 1.0;
    for (int q = 0; q < 6; q++)
        *sum[q] /= nu;
    r.coverage = (double)cov / (double)rs_model_item_count(m);
    free(used);
    return r;
}

static void print_header(void)
{
    printf("%-30s %-10s %5s  %7s %7s %7s %7s %7s %7s %6s %6s %7s\n", "configuration", "split",
           "users", "NDCG", "P", "R", "MAP", "MRR", "HR", "cov", "secs", "us/user");
}

static void print_row(const char *name, const char *grp, size_t users, result r)
{
    printf("%-30s %-10s %5zu  %7.4f %7.4f %7.4f %7.4f %7.4f %7.4f %6.3f %6.1f %7.0f\n", name, grp,
           users, r.ndcg, r.precision, r.recall, r.map, r.mrr, r.hit, r.coverage, r.secs,
           users ? r.secs * 1e6 / (double)users : 0.0);
    fflush(stdout);
}

/* Everything built from one training set. */
typedef struct world {
    rs_model *m;
    char path[4096];
    struct retail_options defaults; /* the scorer's options after the build */
    size_t n_cat;
    group warm, cold;
} world;

/*
 * The model of the catalogue bought before cut (items of train), every
 * customer with its country, and every dated purchase event before cut.
 */
static world build_world(const pairs *items, const pairs *custs, const event *ev, size_t n_ev,
                         int64_t cut, const pairs *train, const char *tag)
{
    world w;
    rs_idmap *incat = rs__idmap_create();
    uint32_t id;
    bool created;
    memset(&w, 0, sizeof w);
    for (size_t i = 0; i < train->n; i++)
        rs__idmap_intern(incat, train->b[i], strlen(train->b[i]), &id, &created);
    char **cat = malloc(items->n * sizeof(char *)), **desc = malloc(items->n * sizeof(char *));
    for (size_t i = 0; i < items->n; i++) {
        if (rs__idmap_find(incat, items->a[i], strlen(items->a[i])) == RS_IDMAP_NONE)
            continue;
        desc[w.n_cat] = items->b[i];
        cat[w.n_cat++] = items->a[i];
    }
    char **eu = malloc(n_ev * sizeof(char *)), **ei = malloc(n_ev * sizeof(char *));
    int64_t *et = malloc(n_ev * sizeof(int64_t));
    size_t n = 0;
    for (size_t i = 0; i < n_ev; i++)
        if (ev[i].t < cut)
            eu[n] = ev[i].cust, ei[n] = ev[i].code, et[n++] = ev[i].t;
    snprintf(w.path, sizeof w.path, "%s/retail_score_%s_%d.rsm",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", tag, (int)getpid());
    w.m = retail_model(w.path, cat, desc, w.n_cat, custs->a, custs->b, custs->n, eu, ei, et, n);
    retail_save_options(w.m, &w.defaults);
    free(cat), free(desc), free(eu), free(ei), free(et);
    rs__idmap_free(incat);
    return w;
}

static void free_world(world *w)
{
    rs_model_close(w->m);
    retail_remove(w->path);
}

/* The scorer back at the build's options. */
static rs_model *default_scorer(const world *w)
{
    retail_restore(w->m, &w->defaults);
    return w->m;
}

/*
 * The combine modes and the signals alone (warm users), the cold-start
 * variants (cold users: the combine mode does not change a cold ranking),
 * the previous defaults and the default, on one split.
 */
static void table(const world *w, const char *split, const char *prefix)
{
    enum { WARM = 1, COLD = 2 };
    static const struct {
        const char *name, *spec;
        int cf, groups;
    } confs[] = {
        {"product cos x R_ui", "mode=0", 0, WARM},
        {"blend content only (TF-IDF)", "wc=1,wcf=0,wg=0,wp=0", 0, WARM},
        {"content only (store vectors)", "wc=1,wcf=0,wg=0,wp=0,cp=0", 0, WARM},
        {"blend graph only (walk)", "wc=0,wcf=0,wg=1,wp=0", 0, WARM},
        {"graph only (operator)", "wc=0,wcf=0,wg=1,wp=0,op=1", 0, WARM},
        {"blend collab only (EASE)", "wc=0,wcf=1,wg=0,wp=0", 1, WARM},
        {"blend popularity only", "wc=0,wcf=0,wg=0,wp=1", 0, WARM},
        {"cold: walk + popularity", "wseg=0,phl=0", 1, COLD},
        {"cold: walk + segment", "wseg=10,shrink=0", 1, COLD},
        {"cold: segment shrink 20", "shrink=20", 1, COLD},
        {"cold: shrink 20, half-life 120d", "shrink=20,shl=120", 1, COLD},
        {"previous defaults", "wc=0.15,wp=0,merge=0,hhl=0,phl=0,wseg=0,cp=0", 1,
         WARM | COLD},
        {"defaults before (vectors)", "cp=0", 1, WARM | COLD},
        {"default + operator, wg 0.05", "op=1,wg=0.05", 1, WARM},
        {"default (blend)", "", 1, WARM | COLD},
    };
    for (size_t c = 0; c < sizeof confs / sizeof confs[0]; c++) {
        rs_model *s = default_scorer(w);
        if (!confs[c].cf) /* no collaborative signal */
            retail_apply_spec(s, "wcf=0");
        retail_apply_spec(s, confs[c].spec);
        int last = c + 1 == sizeof confs / sizeof confs[0];
        char path[4096], grp[32];
        FILE *fw = NULL, *fc = NULL;
        if (prefix && last) {
            snprintf(path, sizeof path, "%swarm.tsv", prefix);
            fw = fopen(path, "w");
            snprintf(path, sizeof path, "%scold.tsv", prefix);
            fc = fopen(path, "w");
        }
        snprintf(grp, sizeof grp, "%s warm", split);
        if (confs[c].groups & WARM)
            print_row(confs[c].name, grp, w->warm.n_users, evaluate(s, &w->warm, fw));
        snprintf(grp, sizeof grp, "%s cold", split);
        if (confs[c].groups & COLD)
            print_row(confs[c].name, grp, w->cold.n_users, evaluate(s, &w->cold, fc));
        if (fw)
            fclose(fw);
        if (fc)
            fclose(fc);
    }
}

/*
 * Per-user recommend time of the warm users, the best of three passes (the
 * machine is shared), for the configurations whose difference is the cost of
 * one signal: a blend weight of 0 skips its signal, so "popularity only" is
 * the fixed cost (lookup, scratch, ranking) and "graph only" minus it the
 * graph signal's.
 */
static void speed(const world *w)
{
    static const struct {
        const char *name, *spec;
    } confs[] = {
        {"popularity only (fixed cost)", "wc=0,wcf=0,wg=0,wp=1"},
        {"graph only, walk", "wc=0,wcf=0,wg=1,wp=0"},
        {"graph only, operator", "wc=0,wcf=0,wg=1,wp=0,op=1"},
        {"content only, TF-IDF", "wc=1,wcf=0,wg=0,wp=0"},
        {"content only, vectors", "wc=1,wcf=0,wg=0,wp=0,cp=0"},
        {"collab only (EASE)", "wc=0,wcf=1,wg=0,wp=0"},
        {"default (walk)", ""},
        {"default + operator, wg 0.05", "op=1,wg=0.05"},
    };
    uint32_t items[K];
    size_t n;
    printf("\nper-user recommend time, warm users (best of 3 passes, one thread):\n");
    for (size_t c = 0; c < sizeof confs / sizeof confs[0]; c++) {
        rs_model *s = default_scorer(w);
        retail_apply_spec(s, confs[c].spec);
        double best = INFINITY;
        for (int pass = 0; pass < 3; pass++) {
            double t0 = now();
            for (size_t u = 0; u < w->warm.n_users; u++)
                CHECK(rs_model_recommend(s, w->warm.user[u], K, NULL, 0, NULL, 0, NULL, NULL,
                                         items, &n));
            double t = (now() - t0) / (double)w->warm.n_users;
            if (t < best)
                best = t;
        }
        printf("  %-30s %8.1f us\n", confs[c].name, best * 1e6);
    }
}

/* The scorer's defaults, as the model built them (its borrowed scorer). */
static void print_defaults(world *w)
{
    rs_scorer *s = rs_model_scorer(default_scorer(w));
    int64_t iv[3];
    double dv[12];
    static const int io[3] = {RS_SCORER_MODE, RS_SCORER_HOPS, RS_SCORER_HISTORY_MERGE};
    static const int dop[11] = {RS_SCORER_DECAY,         RS_SCORER_W_CONTENT,
                                RS_SCORER_W_COLLAB,      RS_SCORER_W_GRAPH,
                                RS_SCORER_W_POPULARITY,  RS_SCORER_POP_PENALTY,
                                RS_SCORER_W_COLD_POPULARITY, RS_SCORER_HISTORY_HALF_LIFE,
                                RS_SCORER_POP_HALF_LIFE, RS_SCORER_W_FIRST_BASKET,
                                RS_SCORER_FLOOR};
    for (int i = 0; i < 3; i++)
        CHECK(rs_scorer_get_int(s, io[i], &iv[i]));
    for (int i = 0; i < 11; i++)
        CHECK(rs_scorer_get_double(s, dop[i], &dv[i]));
    printf("default scorer: mode %lld, hops %lld, decay %g, w_content %g, w_collab %g, "
           "w_graph %g, w_pop %g, pop_penalty %g, w_cold_pop %g, history merge %lld, "
           "history half-life %g days, popularity half-life %g days, w_first_basket %g\n",
           (long long)iv[0], (long long)iv[1], dv[0], dv[1], dv[2], dv[3], dv[4], dv[5], dv[6],
           (long long)iv[2], dv[7] / 86400, dv[8] / 86400, dv[9]);
}

/*
 * The scorer as a recommender of the evaluation runner: the runner hands a
 * user index and the user's excluded train items, the scorer answers with
 * item-store indices, mapped back to the runner's catalogue by key.  Called
 * from several threads at once: the scorer's read calls allow it.
 */
struct runner_ctx {
    const rs_eval *eval;
    const rs_model *model;
};

static int scorer_recommender(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                              size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    const struct runner_ctx *c = context;
    const char *picked[64];
    size_t n = 0, out = 0;
    (void)exclude; /* the model excludes the user's history itself */
    (void)n_exclude;
    if (k > 64)
        k = 64;
    if (rs_model_recommend(c->model, rs_eval_user_key(c->eval, user), k, NULL, 0, NULL, 0,
                           picked, NULL, NULL, &n))
        return 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t item;
        if (rs_eval_item_find(c->eval, picked[i], &item) == RS_OK)
            items_out[out++] = item;
    }
    *n_out = out;
    return 0;
}

/* Run the baselines and the scorer on one group of the runner and print the
 * table; returns the scorer's NDCG@10. */
static double runner_group(rs_eval *e, int group, struct runner_ctx *ctx)
{
    size_t row = 0;
    double ndcg = 0.0;
    CHECK(rs_eval_set_int(e, RS_EVAL_GROUP, group));
    CHECK(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, NULL));
    CHECK(rs_eval_run(e, group == RS_EVAL_WARM ? "scorer (blend default)"
                                               : "scorer (blend default), cold",
                      scorer_recommender, ctx, &row));
    CHECK(rs_eval_result(e, row, RS_EVAL_NDCG, &ndcg));
    return ndcg;
}

static void run_through_runner(const pairs *train, const pairs *test, const pairs *cold,
                               const rs_model *m)
{
    rs_events *ev;
    rs_eval *e;
    size_t len = 0;
    char *report;
    struct runner_ctx ctx;
    double warm, coldv;
    /* train events at time 0, test events at time 1: a temporal cut at 1
     * gives exactly the protocol's split (the files hold it already). */
    CHECK(rs_events_create(&ev));
    for (size_t i = 0; i < train->n; i++)
        CHECK(rs_events_add(ev, train->a[i], train->b[i], 0, 1.0));
    for (size_t i = 0; i < test->n; i++)
        CHECK(rs_events_add(ev, test->a[i], test->b[i], 1, 1.0));
    for (size_t i = 0; i < cold->n; i++)
        CHECK(rs_events_add(ev, cold->a[i], cold->b[i], 1, 1.0));
    CHECK(rs_events_split_temporal(ev, 1, RS_PART_TEST));
    CHECK(rs_eval_create(ev, RS_PART_TEST, &e));
    ctx.eval = e;
    ctx.model = m;
    warm = runner_group(e, RS_EVAL_WARM, &ctx);
    coldv = runner_group(e, RS_EVAL_COLD, &ctx);
    rs_eval_report(e, RS_EVAL_TABLE, NULL, 0, &len); /* asks for the size */
    report = malloc(len + 1);
    CHECK(rs_eval_report(e, RS_EVAL_TABLE, report, len + 1, &len));
    printf("\nthe same split through the evaluation runner (rs_eval_run, %d threads):\n%s",
           rs_get_num_threads(), report);
    printf("scorer NDCG@10 through the runner: warm %.4f, cold %.4f\n", warm, coldv);
    free(report);
    rs_eval_free(e);
    rs_events_free(ev);
}

static void explanations(const world *w)
{
    /* the interests, parts and source: the borrowed scorer's finer calls */
    rs_scorer *s = rs_model_scorer(default_scorer(w));
    for (size_t u = 0; u < 4; u++) {
        const group *gr = u < 2 ? &w->warm : &w->cold;
        const char *user = gr->user[(u % 2) * 7];
        const char *top[3];
        uint32_t nodes[8], ent[5];
        size_t n, len;
        int source;
        char text[512];
        float share[5];
        CHECK(rs_scorer_interests(s, user, 5, ent, share, &n));
        printf("  customer %s (%s) interests:", user, u < 2 ? "warm" : "cold");
        for (size_t i = 0; i < n; i++) {
            const char *type, *key;
            CHECK(rs_graph_node_key(rs_model_graph(w->m), ent[i], &type, &key));
            printf(" %s=%s %.2f%s", type, key, share[i], i + 1 < n ? "," : "");
        }
        printf("\n");
        CHECK(rs_model_recommend(w->m, user, 3, NULL, 0, NULL, 0, top, NULL, NULL, &n));
        for (size_t i = 0; i < n; i++) {
            double parts[RS_SCORER_PARTS];
            const char *key = top[i];
            CHECK(rs_scorer_explain(s, user, key, nodes, NULL, 8, &len, NULL, &source, text,
                                    sizeof text));
            CHECK(rs_scorer_score(s, user, key, parts, RS_SCORER_PARTS));
            printf("  customer %s -> %s [score %.3f: content %.3f, graph %.3f, collab %.3f, "
                   "popularity %.3f, segment %.3f, first basket %.3f; source %s]: %s\n",
                   user, key, parts[0], parts[1], parts[2], parts[3], parts[4], parts[5],
                   parts[6],
                   source == RS_SCORER_FROM_HISTORY   ? "history"
                   : source == RS_SCORER_FROM_PROFILE ? "profile"
                                                      : "popularity",
                   text);
        }
    }
}

int main(int argc, char **argv)
{
    const char *dir = "../shared/eval/retail_split", *prefix = NULL, *sweep = NULL;
    int64_t vcut;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--split") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--recs") && i + 1 < argc)
            prefix = argv[++i];
        else if (!strcmp(argv[i], "--sweep") && i + 1 < argc)
            sweep = argv[++i];
    }
    double t0 = now();
    pairs items = read_pairs(dir, "items.tsv"), custs = read_pairs(dir, "customers.tsv");
    pairs train = read_pairs(dir, "train.tsv"), test = read_pairs(dir, "test.tsv");
    pairs cold = read_pairs(dir, "cold_test.tsv");
    size_t n_ev;
    event *ev = read_events(dir, &n_ev);
    CHECK(rs_io_parse_time(VAL_CUT, strlen(VAL_CUT), &vcut));

    /* validation: every choice of the defaults was made on these figures */
    pairs vtrain, vwarm, vcold;
    validation_split(ev, n_ev, vcut, &vtrain, &vwarm, &vcold);
    world v = build_world(&items, &custs, ev, n_ev, vcut, &vtrain, "valid");
    print_defaults(&v);
    v.warm = make_group(&vwarm);
    v.cold = make_group(&vcold);
    printf("validation (cut %s): %zu items, %zu train pairs, %zu warm users (%zu pairs), "
           "%zu cold users (%zu pairs); setup %.1fs\n",
           VAL_CUT, v.n_cat, vtrain.n, v.warm.n_users, vwarm.n, v.cold.n_users, vcold.n,
           now() - t0);
    if (sweep) { /* --sweep "spec;spec;...": validation only */
        char *copy = strdup(sweep);
        print_header();
        for (char *c = strtok(copy, ";"), *save = NULL; c; c = strtok(save, ";")) {
            save = c + strlen(c) + 1 <= copy + strlen(sweep) ? c + strlen(c) + 1 : NULL;
            rs_model *s = default_scorer(&v);
            retail_apply_spec(s, c);
            const char *only = getenv("RS_SWEEP_GROUP"); /* warm or cold: only that */
            if (!only || strcmp(only, "cold"))
                print_row(c, "valid warm", v.warm.n_users, evaluate(s, &v.warm, NULL));
            if (!only || strcmp(only, "warm"))
                print_row(c, "valid cold", v.cold.n_users, evaluate(s, &v.cold, NULL));
            if (!save || save >= copy + strlen(sweep))
                break;
        }
        free_world(&v);
        return 0;
    }
    print_header();
    table(&v, "valid", NULL);
    free_world(&v);

    /* test: measured once with the defaults chosen above */
    t0 = now();
    world t = build_world(&items, &custs, ev, n_ev, INT64_MAX, &train, "test");
    t.warm = make_group(&test);
    t.cold = make_group(&cold);
    printf("\ntest (cut %s): %zu items, %zu train pairs, %zu warm users, %zu cold users; "
           "setup %.1fs\n",
           CUT, t.n_cat, train.n, t.warm.n_users, t.cold.n_users, now() - t0);
    print_header();
    table(&t, "test", prefix);
    speed(&t);
    run_through_runner(&train, &test, &cold, default_scorer(&t));
    printf("\nexplanations (default scorer, test model):\n");
    explanations(&t);
    {
        /* the operator's path: a witness user for the pair */
        rs_model *so = default_scorer(&t);
        const char *top[2];
        uint32_t nodes[8];
        size_t n, len;
        char text[512];
        retail_apply_spec(so, "op=1,wg=0.05");
        const char *user = t.warm.user[0];
        CHECK(rs_model_recommend(so, user, 2, NULL, 0, NULL, 0, top, NULL, NULL, &n));
        for (size_t i = 0; i < n; i++) {
            CHECK(rs_scorer_explain(rs_model_scorer(so), user, top[i], nodes, NULL, 8, &len,
                                    NULL, NULL, text, sizeof text));
            printf("  operator: customer %s -> %s: %s\n", user, top[i], text);
        }
    }
    free_world(&t);
    return 0;
}
