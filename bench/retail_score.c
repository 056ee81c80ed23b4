/*
 * retail_score.c - the scorer on the public retail protocol
 * (../shared/eval/README.md).  Builds a graph from retail_split/ (customers
 * -bought-> items, customers -has_country-> country, items -has_word->
 * description words), a hashing-embedder item store of the descriptions, a
 * user model of the train purchases and an EASE model (lambda 500, the
 * reference's setting), then prints NDCG@10 etc. of several combine modes for
 * the warm users (test.tsv) and the cold users (cold_test.tsv), a few
 * explanations, and writes PREFIX{warm,cold}.tsv for retail_eval.py.  The
 * default configuration is then evaluated again through the evaluation
 * runner (rs_eval_run), beside the most-popular baseline on the same split.
 * Not part of `make check`:
 *   build/bench/retail_score [--split DIR] [--recs PREFIX]
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recsim.h"

#define K 10

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

typedef struct group {
    size_t n_users;
    char **user;
    size_t *start; /* truth of user u: item keys [start[u], start[u+1]) of tp */
    const pairs *tp;
} group;

static group make_group(const pairs *tp)
{
    group g = {0, malloc(tp->n * sizeof(char *)), calloc(tp->n + 2, sizeof(size_t)), tp};
    for (size_t i = 0; i < tp->n; i++) {
        if (g.n_users == 0 || strcmp(g.user[g.n_users - 1], tp->a[i]) != 0) {
            g.start[g.n_users] = i;
            g.user[g.n_users++] = tp->a[i];
        }
        g.start[g.n_users] = i + 1;
    }
    return g;
}

typedef struct result {
    double ndcg, precision, recall, hit, coverage, secs;
} result;

static result evaluate(const rs_scorer *s, const rs_item_store *store, const group *g,
                       FILE *recs)
{
    result r = {0, 0, 0, 0, 0, 0};
    size_t span = rs_item_store_span(store);
    unsigned char *used = calloc(span, 1);
    uint32_t items[K], truth[4096];
    size_t n;
    double t0 = now();
    for (size_t u = 0; u < g->n_users; u++) {
        CHECK(rs_scorer_recommend(s, g->user[u], K, items, NULL, &n));
        size_t nt = 0;
        for (size_t i = g->start[u]; i < g->start[u + 1] && nt < 4096; i++) {
            uint32_t idx;
            if (rs_item_store_index(store, g->tp->b[i], &idx) == RS_OK)
                truth[nt++] = idx;
        }
        double v;
        rs_metric_at_k(RS_METRIC_NDCG, items, n, truth, nt, K, &v);
        r.ndcg += v;
        rs_metric_at_k(RS_METRIC_PRECISION, items, n, truth, nt, K, &v);
        r.precision += v;
        rs_metric_at_k(RS_METRIC_RECALL, items, n, truth, nt, K, &v);
        r.recall += v;
        rs_metric_at_k(RS_METRIC_HIT_RATE, items, n, truth, nt, K, &v);
        r.hit += v;
        for (size_t i = 0; i < n; i++) {
            used[items[i]] = 1;
            if (recs)
                fprintf(recs, "%s\t%s\t%zu\n", g->user[u], rs_item_store_key(store, items[i]),
                        i + 1);
        }
    }
    r.secs = now() - t0;
    size_t cov = 0;
    for (size_t i = 0; i < span; i++)
        cov += used[i];
    double nu = g->n_users ? (double)g->n_users : 1.0;
    r.ndcg /= nu, r.precision /= nu, r.recall /= nu, r.hit /= nu;
    r.coverage = (double)cov / (double)rs_item_store_count(store);
    free(used);
    return r;
}

static void print_row(const char *name, const char *grp, size_t users, result r)
{
    printf("%-28s %-5s %5zu  NDCG@10 %.4f  P@10 %.4f  R@10 %.4f  HR@10 %.4f  cov %.3f  %.1fs\n",
           name, grp, users, r.ndcg, r.precision, r.recall, r.hit, r.coverage, r.secs);
    fflush(stdout);
}

/*
 * The scorer as a recommender of the evaluation runner: the runner hands a
 * user index and the user's excluded train items, the scorer answers with
 * item-store indices, mapped back to the runner's catalogue by key.  Called
 * from several threads at once: the scorer's read calls allow it.
 */
struct runner_ctx {
    const rs_eval *eval;
    const rs_scorer *scorer;
    const rs_item_store *store;
};

static int scorer_recommender(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                              size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    const struct runner_ctx *c = context;
    uint32_t picked[64];
    size_t n = 0, out = 0;
    (void)exclude; /* the scorer excludes the user's history itself */
    (void)n_exclude;
    if (k > 64)
        k = 64;
    if (rs_scorer_recommend(c->scorer, rs_eval_user_key(c->eval, user), k, picked, NULL, &n))
        return 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t item;
        if (rs_eval_item_find(c->eval, rs_item_store_key(c->store, picked[i]), &item) == RS_OK)
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
                               const rs_scorer *s, const rs_item_store *store)
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
    ctx.scorer = s;
    ctx.store = store;
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

int main(int argc, char **argv)
{
    const char *dir = "../shared/eval/retail_split", *prefix = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--split") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--recs") && i + 1 < argc)
            prefix = argv[++i];
    }
    double t0 = now();
    pairs items = read_pairs(dir, "items.tsv"), custs = read_pairs(dir, "customers.tsv");
    pairs train = read_pairs(dir, "train.tsv"), test = read_pairs(dir, "test.tsv");
    pairs cold = read_pairs(dir, "cold_test.tsv");

    /* graph */
    rs_graph *g;
    uint32_t r_bought, r_country, r_word, node, other;
    CHECK(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    CHECK(rs_graph_add_relation(g, "bought", &r_bought));
    CHECK(rs_graph_add_relation(g, "has_country", &r_country));
    CHECK(rs_graph_add_relation(g, "has_word", &r_word));
    CHECK(rs_graph_set_relation_weight(g, r_word,
                                       getenv("RS_W_WORD") ? atof(getenv("RS_W_WORD")) : 0.3));
    if (getenv("RS_W_COUNTRY"))
        CHECK(rs_graph_set_relation_weight(g, r_country, atof(getenv("RS_W_COUNTRY"))));
    CHECK(rs_graph_bulk_begin(g));
    for (size_t i = 0; i < items.n; i++) {
        CHECK(rs_graph_add_node(g, "item", items.a[i], &node));
        CHECK(rs_graph_set_property(g, node, "name", items.b[i]));
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", items.b[i]);
        for (char *w = strtok(buf, " ,.-/&+()'\""); w; w = strtok(NULL, " ,.-/&+()'\"")) {
            if (strlen(w) < 3 || isdigit((unsigned char)w[0]))
                continue;
            CHECK(rs_graph_add_node(g, "word", w, &other));
            CHECK(rs_graph_add_edge(g, node, r_word, other, 1.0, 0, RS_GRAPH_MERGE_MAX));
        }
    }
    for (size_t i = 0; i < custs.n; i++) {
        CHECK(rs_graph_add_node(g, "user", custs.a[i], &node));
        if (custs.b[i][0]) {
            CHECK(rs_graph_add_node(g, "country", custs.b[i], &other));
            CHECK(rs_graph_add_edge(g, node, r_country, other, 1.0, 0, RS_GRAPH_MERGE_MAX));
        }
    }
    for (size_t i = 0; i < train.n; i++) {
        CHECK(rs_graph_add_node(g, "user", train.a[i], &node));
        CHECK(rs_graph_find_node(g, "item", train.b[i], &other));
        CHECK(rs_graph_add_edge(g, node, r_bought, other, 1.0, 0, RS_GRAPH_MERGE_MAX));
    }
    CHECK(rs_graph_bulk_commit(g));

    /* content: hashing embedder of the descriptions */
    rs_embedder *emb;
    CHECK(rs_embedder_create_hashing(&emb));
    size_t dim = rs_embedder_dim(emb);
    CHECK(rs_embedder_fit(emb, (const char *const *)items.b, items.n));
    float *vec = malloc(items.n * dim * sizeof *vec);
    CHECK(rs_embedder_embed_batch(emb, (const char *const *)items.b, items.n, vec, dim));
    rs_item_store *store;
    CHECK(rs_item_store_create(dim, &store));
    for (size_t i = 0; i < items.n; i++)
        CHECK(rs_item_store_add(store, items.a[i], vec + i * dim, dim, NULL));

    /* user model */
    rs_user_model *um;
    CHECK(rs_user_model_create(store, &um));
    double t_obs = now();
    if (getenv("RS_HALF_LIFE_DAYS")) {
        CHECK(rs_user_model_set_double(um, RS_USER_HALF_LIFE,
                                       atof(getenv("RS_HALF_LIFE_DAYS")) * 86400.0));
        char cmd[4200], line[1024];
        snprintf(cmd, sizeof cmd, "gzip -dc '%s/train_events.tsv.gz'", dir);
        FILE *f = popen(cmd, "r");
        size_t ne = 0;
        while (f && fgets(line, sizeof line, f)) {
            char *c = strtok(line, "\t"), *code = strtok(NULL, "\t"), *inv = strtok(NULL, "\t"),
                 *d = strtok(NULL, "\t\n");
            int64_t t;
            if (!c || !code || !inv || !d || rs_io_parse_time(d, strlen(d), &t) != RS_OK)
                continue;
            if (rs_user_model_observe(um, c, code, "bought", 1.0, t) == RS_OK)
                ne++;
        }
        if (f)
            pclose(f);
        printf("observed %zu timed events\n", ne);
    } else {
        for (size_t i = 0; i < train.n; i++)
            CHECK(rs_user_model_observe(um, train.a[i], train.b[i], "bought", 1.0, 0));
    }
    t_obs = now() - t_obs;

    /* EASE on the store's item order */
    size_t nu = rs_user_model_count(um);
    uint32_t *mu = malloc(train.n * sizeof *mu), *mi = malloc(train.n * sizeof *mi);
    char **ukeys = malloc(train.n * sizeof *ukeys);
    size_t nuk = 0;
    for (size_t i = 0; i < train.n; i++) {
        if (nuk == 0 || strcmp(ukeys[nuk - 1], train.a[i]) != 0)
            ukeys[nuk++] = train.a[i];
        mu[i] = (uint32_t)(nuk - 1);
        CHECK(rs_item_store_index(store, train.b[i], &mi[i]));
    }
    (void)nu;
    rs_cf_matrix *mat;
    rs_cf_model *ease;
    CHECK(rs_cf_matrix_create(nuk, items.n, mu, mi, NULL, train.n, &mat));
    CHECK(rs_cf_model_create(RS_CF_EASE, &ease));
    CHECK(rs_cf_model_set_double(ease, RS_CF_LAMBDA, 500.0));
    CHECK(rs_cf_model_fit(ease, mat));

    rs_scorer *s;
    CHECK(rs_scorer_create(g, store, um, &s));
    printf("retail_score: %zu items, %zu customers, %zu train pairs, dim %zu; setup %.1fs; "
           "observe %.0f events/s\n",
           items.n, custs.n, train.n, dim, now() - t0, train.n / (t_obs > 0 ? t_obs : 1e-9));
    group warm = make_group(&test), coldg = make_group(&cold);

    if (getenv("RS_SWEEP")) { /* RS_SWEEP="wc,wcf,wg,wp,hops,decay;..." warm only */
        char *spec = strdup(getenv("RS_SWEEP"));
        CHECK(rs_scorer_set_collaborative(s, ease, (const char *const *)items.a, items.n));
        for (char *c = strtok(spec, ";"); c; c = strtok(NULL, ";")) {
            double v[7] = {0, 1, 0, 0, 3, 0.5, 0};
            sscanf(c, "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                   &v[6]);
            CHECK(rs_scorer_set_double(s, RS_SCORER_POP_PENALTY, v[6]));
            CHECK(rs_scorer_set_double(s, RS_SCORER_W_CONTENT, v[0]));
            CHECK(rs_scorer_set_double(s, RS_SCORER_W_COLLAB, v[1]));
            CHECK(rs_scorer_set_double(s, RS_SCORER_W_GRAPH, v[2]));
            CHECK(rs_scorer_set_double(s, RS_SCORER_W_POPULARITY, v[3]));
            CHECK(rs_scorer_set_int(s, RS_SCORER_HOPS, (int64_t)v[4]));
            CHECK(rs_scorer_set_double(s, RS_SCORER_DECAY, v[5]));
            if (getenv("RS_SWEEP_COLD"))
                print_row(c, "cold", coldg.n_users, evaluate(s, store, &coldg, NULL));
            else
                print_row(c, "warm", warm.n_users, evaluate(s, store, &warm, NULL));
        }
        return 0;
    }
    struct conf {
        const char *name;
        int mode, cf;
        double wc, wcf, wg, wp;
    } confs[] = {
        {"product cos x R_ui", RS_SCORER_PRODUCT, 0, 0, 0, 0, 0},
        {"blend content only", RS_SCORER_BLEND, 0, 1, 0, 0, 0},
        {"blend graph only", RS_SCORER_BLEND, 0, 0, 0, 1, 0},
        {"blend collab only (EASE)", RS_SCORER_BLEND, 1, 0, 1, 0, 0},
        {"blend default", RS_SCORER_BLEND, 1, -1, -1, -1, -1},
    };
    for (size_t c = 0; c < sizeof confs / sizeof confs[0]; c++) {
        CHECK(rs_scorer_set_int(s, RS_SCORER_MODE, confs[c].mode));
        CHECK(rs_scorer_set_collaborative(s, confs[c].cf ? ease : NULL,
                                          (const char *const *)items.a, items.n));
        rs_scorer *def;
        CHECK(rs_scorer_create(g, store, um, &def));
        double dv[4];
        CHECK(rs_scorer_get_double(def, RS_SCORER_W_CONTENT, &dv[0]));
        CHECK(rs_scorer_get_double(def, RS_SCORER_W_COLLAB, &dv[1]));
        CHECK(rs_scorer_get_double(def, RS_SCORER_W_GRAPH, &dv[2]));
        CHECK(rs_scorer_get_double(def, RS_SCORER_W_POPULARITY, &dv[3]));
        rs_scorer_free(def);
        CHECK(rs_scorer_set_double(s, RS_SCORER_W_CONTENT, confs[c].wc < 0 ? dv[0] : confs[c].wc));
        CHECK(rs_scorer_set_double(s, RS_SCORER_W_COLLAB, confs[c].wcf < 0 ? dv[1] : confs[c].wcf));
        CHECK(rs_scorer_set_double(s, RS_SCORER_W_GRAPH, confs[c].wg < 0 ? dv[2] : confs[c].wg));
        CHECK(rs_scorer_set_double(s, RS_SCORER_W_POPULARITY,
                                   confs[c].wp < 0 ? dv[3] : confs[c].wp));
        int last = c + 1 == sizeof confs / sizeof confs[0];
        char path[4096];
        FILE *fw = NULL, *fc = NULL;
        if (prefix && last) {
            snprintf(path, sizeof path, "%swarm.tsv", prefix);
            fw = fopen(path, "w");
            snprintf(path, sizeof path, "%scold.tsv", prefix);
            fc = fopen(path, "w");
        }
        print_row(confs[c].name, "warm", warm.n_users, evaluate(s, store, &warm, fw));
        print_row(confs[c].name, "cold", coldg.n_users, evaluate(s, store, &coldg, fc));
        if (fw)
            fclose(fw);
        if (fc)
            fclose(fc);
    }
    run_through_runner(&train, &test, &cold, s, store);

    /* explanations for a few customers */
    for (size_t u = 0; u < 3; u++) {
        const group *gr = u < 2 ? &warm : &coldg;
        const char *user = gr->user[u * 7];
        uint32_t top[3], nodes[8];
        size_t n, len;
        int source;
        char text[512];
        uint32_t ent[5];
        float share[5];
        CHECK(rs_scorer_interests(s, user, 5, ent, share, &n));
        printf("  customer %s interests:", user);
        for (size_t i = 0; i < n; i++) {
            const char *type, *key;
            CHECK(rs_graph_node_key(g, ent[i], &type, &key));
            printf(" %s=%s %.2f%s", type, key, share[i], i + 1 < n ? "," : "");
        }
        printf("\n");
        CHECK(rs_scorer_recommend(s, user, 3, top, NULL, &n));
        for (size_t i = 0; i < n; i++) {
            CHECK(rs_scorer_explain(s, user, rs_item_store_key(store, top[i]), nodes, NULL, 8,
                                    &len, NULL, &source, text, sizeof text));
            printf("  customer %s -> %s: %s\n", user, rs_item_store_key(store, top[i]), text);
        }
    }
    rs_scorer_free(s);
    rs_cf_model_free(ease);
    rs_cf_matrix_free(mat);
    rs_user_model_free(um);
    rs_item_store_free(store);
    rs_embedder_free(emb);
    rs_graph_close(g);
    return 0;
}
