/*
 * model_validate.c - rs_model_validate: does the simulator rank
 * recommenders the way real held-out behaviour does?
 *
 * The protocol (issue 17, item 3):
 *   1. the model's interaction events are cut in time; every policy is
 *      fitted on a train-only copy of the graph (rs__model_train_graph) and
 *      gives each evaluated user (warm, with a new item after the cut) a
 *      static top-10 list through the evaluation runner, which also gives
 *      the real NDCG@10;
 *   2. per replicate, the evaluated users are split in two halves by a
 *      seeded hash: the simulator's visit model (model_visit.h) is fitted on
 *      the post-cut behaviour of the first half only (its item counts, its
 *      own latent factors, the choice weights, the return hazard, gaps and
 *      basket sizes);
 *   3. the second half is simulated: each user visits, buys baskets, and
 *      each item of every policy's list enters the simulated visit by the
 *      slate-inclusion model (the same random numbers for every policy:
 *      common random numbers); the real per-visit hit rate of each list is
 *      measured on the same users' real baskets;
 *   4. reported: Kendall tau between simulated hit rate and real NDCG@10
 *      (random excluded) with a bootstrap interval over users, simulated vs
 *      real hit rate per policy, paired bootstrap intervals of each policy's
 *      simulated difference to the first, the visit shape real vs
 *      simulated, and the log-likelihood per slate impression of the drawn
 *      model against positions alone, beside the choice model's (drawn from
 *      before) and the slate-inclusion model's with its feature terms free
 *      (fitted, reported, not drawn from); medians over the replicates.
 *
 * A visit is the set of a user's events sharing one time stamp (an invoice).
 */
#include "model/model_internal.h"
#include "model/model_visit.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "graph/graph_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K 10
#define MAX_POLICIES 32
#define BOOTSTRAP 200
#define DAY 86400.0
#define NONE UINT32_MAX

/* ------------------------------------------------------------ text */

struct text {
    char *buf;
    size_t len, cap;
    int status;
};

static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (t->status != RS_OK)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->status = rs__fail(RS_ERR_INTERNAL, "rs_model_validate: formatting");
            return;
        }
        if (t->buf && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        if ((t->status = rs__grow((void **)&t->buf, &t->cap, t->len + (size_t)n + 256, 1)) !=
            RS_OK)
            return;
    }
}

/* ------------------------------------------------------------ data */

struct visit {
    double day;     /* days since the cut */
    uint32_t start; /* into items[] */
    uint32_t n;     /* distinct items, outside the catalogue included */
};

struct user {
    uint32_t *hist; /* pre-cut catalogue items, ascending */
    size_t n_hist;
    uint32_t pre_visits;
    struct visit *visits; /* post-cut, by time */
    size_t n_visits;
    uint32_t *items; /* post-cut basket items (catalogue index or NONE) */
    int seg;         /* segment id or -1 */
    uint32_t lists[MAX_POLICIES][K];
    uint8_t list_n[MAX_POLICIES];
    double ndcg[MAX_POLICIES];
};

struct vctx {
    const rs_model *m;
    struct model_events me;
    rs_eval *eval;
    int64_t cut;
    size_t n_cat, n_users, n_pol, n_seg;
    const char *pol_name[MAX_POLICIES];
    size_t row[MAX_POLICIES];
    struct user *users;    /* evaluated users, in rs_eval_users() order */
    uint32_t *eval_index;  /* evaluated user -> eval user index */
    float *vec;            /* n_cat x dim, unit rows */
    size_t dim;
    /* every post-cut (user, item) of every user, for the item counts */
    uint32_t *any_user, *any_item;
    size_t n_any;
    int *any_seg;          /* per eval user index: segment id */
    uint32_t *eval_pos;    /* eval user index -> evaluated position or NONE */
    size_t span_users;
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static bool in_sorted(const uint32_t *v, size_t n, uint32_t x)
{
    return n && bsearch(&x, v, n, sizeof *v, cmp_u32) != NULL;
}

/* ------------------------------------------------------------ policies */

struct triple {
    uint32_t user, item, rank;
};

static int triple_cmp(const void *a, const void *b)
{
    const struct triple *x = a, *y = b;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static int file_recommend(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                          size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    const struct triple *t = context;
    size_t n = 0;
    /* t[0].rank holds the count; entries follow; the user's train items are
     * skipped, as the runner wants */
    size_t lo = 1, hi = (size_t)t[0].rank + 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].user < user)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo <= (size_t)t[0].rank && t[lo].user == user && n < k; lo++)
        if (!in_sorted(exclude, n_exclude, t[lo].item))
            items_out[n++] = t[lo].item;
    *n_out = n;
    return 0;
}

/* A ranked list file "user\titem\trank" (the --eval-recs format) read into
 * a sorted triple array (entry 0 holds the count in .rank). */
static int read_list_file(const rs_eval *eval, const char *path, struct triple **out)
{
    FILE *f = fopen(path, "r");
    struct triple *t = NULL;
    size_t n = 1, cap = 0, line_no = 0, span = rs_eval_user_span(eval);
    char line[1024];
    int s = RS_OK;
    *out = NULL;
    if (!f)
        return rs__fail(RS_ERR_IO, "rs_model_validate: cannot open the list file %s", path);
    s = rs__grow((void **)&t, &cap, 1, sizeof *t);
    while (s == RS_OK && fgets(line, sizeof line, f)) {
        char *user = line, *item, *rank, *end;
        uint32_t it, u = NONE;
        long r;
        line_no++;
        if (!(item = strchr(user, '\t')) || !(rank = strchr(item + 1, '\t'))) {
            s = rs__fail(RS_ERR_PARSE, "rs_model_validate: %s:%zu: not user<TAB>item<TAB>rank",
                         path, line_no);
            break;
        }
        *item++ = 0;
        *rank++ = 0;
        r = strtol(rank, &end, 10);
        if (r < 1 || (*end && *end != '\n' && *end != '\r')) {
            s = rs__fail(RS_ERR_PARSE, "rs_model_validate: %s:%zu: bad rank", path, line_no);
            break;
        }
        if (rs_eval_item_find(eval, item, &it) != RS_OK)
            continue; /* outside the catalogue: a miss, as in the runner */
        for (size_t i = 0; i < span; i++) {
            const char *key = rs_eval_user_key(eval, (uint32_t)i);
            if (key && strcmp(key, user) == 0) {
                u = (uint32_t)i;
                break;
            }
        }
        if (u == NONE)
            continue;
        if (n == cap && (s = rs__grow((void **)&t, &cap, n + 1, sizeof *t)) != RS_OK)
            break;
        t[n++] = (struct triple){u, it, (uint32_t)r};
    }
    rs_clear_error();
    fclose(f);
    if (s != RS_OK) {
        free(t);
        return s;
    }
    qsort(t + 1, n - 1, sizeof *t, triple_cmp);
    t[0].rank = (uint32_t)(n - 1);
    *out = t;
    return RS_OK;
}

/* The options of a named model policy on top of the model's; NULL name for
 * an unknown policy. */
static int policy_options(const rs_model *m, const char *name, struct rs__model_options *o,
                          bool *tune_out)
{
    static const char *const kinds[] = {"ease", "als", "knn", "rp3beta", "edlae", "gfcf"};
    int s = rs__model_options_copy(o, &m->options);
    *tune_out = false;
    if (s != RS_OK)
        return s;
    if (strcmp(name, "scorer") == 0) {
        *tune_out = rs__model_opt_int(&m->options, "build.tune") != 0;
        return RS_OK;
    }
    s = rs__model_options_set(o, "build.tune", "0");
    if (s == RS_OK)
        s = rs__model_options_set(o, "scorer.mode", "blend");
    if (s == RS_OK)
        s = rs__model_options_set(o, "scorer.w_graph", "0");
    if (s == RS_OK)
        s = rs__model_options_set(o, "scorer.w_popularity", "0");
    if (s == RS_OK && strcmp(name, "content") == 0) {
        if ((s = rs__model_options_set(o, "build.cf", "none")) == RS_OK &&
            (s = rs__model_options_set(o, "scorer.w_collab", "0")) == RS_OK)
            s = rs__model_options_set(o, "scorer.w_content", "1");
        return s;
    }
    for (size_t i = 0; s == RS_OK && i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(name, kinds[i]) == 0) {
            if ((s = rs__model_options_set(o, "build.cf", kinds[i])) == RS_OK &&
                (s = rs__model_options_set(o, "scorer.w_collab", "1")) == RS_OK)
                s = rs__model_options_set(o, "scorer.w_content", "0");
            return s;
        }
    if (s == RS_OK)
        s = rs__fail(RS_ERR_INVALID, "rs_model_validate: unknown policy '%s' (random, "
                     "most-popular, recent-popular, segment-popular, scorer, ease, als, knn, "
                     "rp3beta, edlae, gfcf, content or file:PATH)", name);
    return s;
}

/* Fit one model policy on the train graph and run it; keeps the parts of
 * the content policy's kind (the item vectors) in *keep when asked. */
static int run_model_policy(struct vctx *c, rs_graph *train, const char *name, size_t *row,
                            struct rs__model_parts *keep)
{
    struct rs__model_options o;
    struct rs__model_parts parts;
    bool tune;
    int s = policy_options(c->m, name, &o, &tune);
    memset(&parts, 0, sizeof parts);
    if (s == RS_OK && tune) {
        rs_model scratch = *c->m;
        struct rs__model_options tuned;
        char *report = NULL;
        scratch.graph = train;
        if ((s = rs__model_tune(&scratch, &tuned, &report)) == RS_OK) {
            rs__model_options_free(&o);
            o = tuned;
        }
        free(report);
    }
    if (s == RS_OK)
        s = rs__model_fit(train, &o, &parts);
    rs__model_options_free(&o);
    if (s == RS_OK)
        s = rs__model_eval_parts(c->eval, &parts, name, row);
    if (s == RS_OK && keep && !keep->store) {
        *keep = parts;
        return RS_OK;
    }
    rs__model_parts_free(&parts);
    return s;
}

static bool is_baseline(const char *name)
{
    return strcmp(name, "random") == 0 || strcmp(name, "most-popular") == 0 ||
           strcmp(name, "recent-popular") == 0 || strcmp(name, "segment-popular") == 0;
}

static int run_policies(struct vctx *c, const char *const *names, struct rs__model_parts *keep)
{
    rs_graph *train = NULL;
    int s = RS_OK;
    for (size_t p = 0; s == RS_OK && p < c->n_pol; p++) {
        const char *n = names[p];
        c->pol_name[p] = n;
        if (strcmp(n, "random") == 0)
            s = rs_eval_run_baseline(c->eval, RS_BASELINE_RANDOM, 0, &c->row[p]);
        else if (strcmp(n, "most-popular") == 0)
            s = rs_eval_run_baseline(c->eval, RS_BASELINE_MOST_POPULAR, 0, &c->row[p]);
        else if (strcmp(n, "recent-popular") == 0)
            s = rs_eval_run_baseline(c->eval, RS_BASELINE_RECENT_POPULAR,
                                     rs__model_opt_double(&c->m->options, "eval.recent_days"),
                                     &c->row[p]);
        else if (strcmp(n, "segment-popular") == 0)
            s = rs_eval_run_baseline(c->eval, RS_BASELINE_SEGMENT_POPULAR, 0, &c->row[p]);
        else if (strncmp(n, "file:", 5) == 0) {
            struct triple *t = NULL;
            if ((s = read_list_file(c->eval, n + 5, &t)) == RS_OK)
                s = rs_eval_run(c->eval, n, file_recommend, t, &c->row[p]);
            free(t);
        } else {
            if (!train && (s = rs__model_train_graph(c->m, &c->me, false, &train)) != RS_OK)
                break;
            s = run_model_policy(c, train, n, &c->row[p], strcmp(n, "content") == 0 ? keep
                                                                                     : NULL);
        }
    }
    if (s == RS_OK && !keep->store) { /* the item vectors, from a content fit */
        struct rs__model_options o;
        bool tune;
        if (!train)
            s = rs__model_train_graph(c->m, &c->me, false, &train);
        if (s == RS_OK && (s = policy_options(c->m, "content", &o, &tune)) == RS_OK) {
            s = rs__model_fit(train, &o, keep);
            rs__model_options_free(&o);
        }
    }
    rs_graph_close(train);
    return s;
}

/* ------------------------------------------------------------ the log */

/* Append (u, i) to two parallel growing arrays of capacity *cap. */
static int push_pair(uint32_t **ru, uint32_t **ri, size_t *n, size_t *cap, uint32_t u,
                     uint32_t i)
{
    if (*n == *cap) {
        size_t c1 = *cap, c2 = *cap;
        int s = rs__grow((void **)ru, &c1, *n + 1, sizeof **ru);
        if (s == RS_OK)
            s = rs__grow((void **)ri, &c2, *n + 1, sizeof **ri);
        if (s != RS_OK)
            return s;
        *cap = c1 < c2 ? c1 : c2;
    }
    (*ru)[*n] = u;
    (*ri)[(*n)++] = i;
    return RS_OK;
}


struct post {
    uint32_t user; /* evaluated position */
    int64_t time;
    uint32_t item; /* catalogue index or NONE, node for dedup */
    uint32_t node;
};

static int post_cmp(const void *a, const void *b)
{
    const struct post *x = a, *y = b;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->node > y->node) - (x->node < y->node);
}

static int collect(struct vctx *c, const struct rs__model_parts *content)
{
    rs_graph *g = c->m->graph;
    size_t span = rs_graph_node_span(g), n_eval_users = 0, n_post = 0, cap_post = 0;
    size_t any_cap = 0;
    uint32_t *item_of = rs__alloc_array(span ? span : 1, sizeof *item_of);
    uint32_t *user_of = rs__alloc_array(span ? span : 1, sizeof *user_of);
    uint32_t *evaluated = NULL;
    struct post *post = NULL;
    const char **seg_name = NULL, *names[256];
    int s = item_of && user_of ? RS_OK : RS_ERR_NOMEM;
    c->span_users = rs_eval_user_span(c->eval);
    if (s == RS_OK)
        s = rs_eval_users(c->eval, NULL, 0, &n_eval_users);
    if (s == RS_ERR_BUFFER || s == RS_OK) {
        s = RS_OK;
        rs_clear_error();
    }
    c->n_users = n_eval_users;
    evaluated = rs__alloc_array(n_eval_users ? n_eval_users : 1, sizeof *evaluated);
    c->users = rs__calloc(n_eval_users ? n_eval_users : 1, sizeof *c->users);
    c->eval_pos = rs__alloc_array(c->span_users ? c->span_users : 1, sizeof *c->eval_pos);
    c->any_seg = rs__alloc_array(c->span_users ? c->span_users : 1, sizeof *c->any_seg);
    seg_name = rs__calloc(c->span_users ? c->span_users : 1, sizeof *seg_name);
    if (!evaluated || !c->users || !c->eval_pos || !c->any_seg || !seg_name)
        s = RS_ERR_NOMEM;
    if (s == RS_OK)
        s = rs_eval_users(c->eval, evaluated, n_eval_users, &n_eval_users);
    c->eval_index = evaluated;
    for (size_t v = 0; s == RS_OK && v < span; v++)
        item_of[v] = user_of[v] = NONE;
    for (uint32_t i = 0; s == RS_OK && i < c->n_cat; i++) {
        uint32_t node;
        if (rs_graph_find_node(g, "item", rs_eval_item_key(c->eval, i), &node) == RS_OK)
            item_of[node] = i;
    }
    for (uint32_t u = 0; s == RS_OK && u < c->span_users; u++) {
        uint32_t node;
        c->eval_pos[u] = NONE;
        c->any_seg[u] = -1;
        if (rs_graph_find_node(g, "user", rs_eval_user_key(c->eval, u), &node) == RS_OK)
            user_of[node] = u;
    }
    rs_clear_error();
    for (size_t p = 0; s == RS_OK && p < n_eval_users; p++)
        c->eval_pos[evaluated[p]] = (uint32_t)p;
    /* segments (country): ids in order of first sight */
    if (s == RS_OK)
        s = rs__model_eval_segments(c->m, c->eval, seg_name);
    for (uint32_t u = 0; s == RS_OK && u < c->span_users; u++) {
        size_t j = 0;
        if (!seg_name[u])
            continue;
        while (j < c->n_seg && strcmp(names[j], seg_name[u]) != 0)
            j++;
        if (j == c->n_seg && c->n_seg < 256)
            names[c->n_seg++] = seg_name[u];
        c->any_seg[u] = j < c->n_seg ? (int)j : -1;
    }
    /* the post-cut events of everyone (item counts, the simulator's
     * factors), and those of the evaluated users (their visits) */
    for (size_t i = 0; s == RS_OK && i < c->me.n; i++) {
        const struct event_row *e = &c->me.rows[i];
        uint32_t u = user_of[e->user];
        if (u == NONE || e->time < c->cut)
            continue;
        if (item_of[e->item] != NONE &&
            (s = push_pair(&c->any_user, &c->any_item, &c->n_any, &any_cap, u,
                           item_of[e->item])) != RS_OK)
            break;
        if (c->eval_pos[u] == NONE)
            continue;
        if (n_post == cap_post &&
            (s = rs__grow((void **)&post, &cap_post, n_post + 1, sizeof *post)) != RS_OK)
            break;
        post[n_post++] = (struct post){c->eval_pos[u], e->time, item_of[e->item], e->item};
    }
    /* pre-cut visits: distinct times per evaluated user */
    {
        struct post *pre = NULL;
        size_t n_pre = 0, cap_pre = 0;
        for (size_t i = 0; s == RS_OK && i < c->me.n; i++) {
            const struct event_row *e = &c->me.rows[i];
            uint32_t u = user_of[e->user];
            if (u == NONE || e->time >= c->cut || c->eval_pos[u] == NONE)
                continue;
            if (n_pre == cap_pre &&
                (s = rs__grow((void **)&pre, &cap_pre, n_pre + 1, sizeof *pre)) != RS_OK)
                break;
            pre[n_pre++] = (struct post){c->eval_pos[u], e->time, 0, 0};
        }
        if (s == RS_OK && n_pre)
            qsort(pre, n_pre, sizeof *pre, post_cmp);
        for (size_t i = 0; s == RS_OK && i < n_pre; i++)
            if (i == 0 || pre[i].user != pre[i - 1].user || pre[i].time != pre[i - 1].time)
                c->users[pre[i].user].pre_visits++;
        free(pre);
    }
    if (s == RS_OK && n_post)
        qsort(post, n_post, sizeof *post, post_cmp);
    /* visits: runs of equal (user, time); items distinct within */
    for (size_t i = 0; s == RS_OK && i < n_post;) {
        size_t j = i;
        struct user *us = &c->users[post[i].user];
        while (j < n_post && post[j].user == post[i].user)
            j++;
        us->items = rs__alloc_array(j - i, sizeof *us->items);
        us->visits = rs__alloc_array(j - i, sizeof *us->visits);
        if (!us->items || !us->visits) {
            s = RS_ERR_NOMEM;
            break;
        }
        for (size_t a = i; a < j;) {
            size_t b = a;
            struct visit *v = &us->visits[us->n_visits++];
            v->day = (double)(post[a].time - c->cut) / DAY;
            v->start = (uint32_t)(us->visits == v ? 0 : (v - 1)->start + (v - 1)->n);
            v->n = 0;
            for (; b < j && post[b].time == post[a].time; b++)
                if (b == a || post[b].node != post[b - 1].node)
                    us->items[v->start + v->n++] = post[b].item;
            a = b;
        }
        i = j;
    }
    free(post);
    /* histories, segment, lists, NDCG */
    for (size_t p = 0; s == RS_OK && p < n_eval_users; p++) {
        struct user *us = &c->users[p];
        size_t n = 0;
        us->seg = c->any_seg[evaluated[p]];
        s = rs_eval_train_items(c->eval, evaluated[p], NULL, 0, &n);
        if (s == RS_ERR_BUFFER || s == RS_OK) {
            rs_clear_error();
            us->hist = rs__alloc_array(n ? n : 1, sizeof *us->hist);
            s = us->hist ? rs_eval_train_items(c->eval, evaluated[p], us->hist, n, &us->n_hist)
                         : RS_ERR_NOMEM;
        }
        for (size_t q = 0; s == RS_OK && q < c->n_pol; q++) {
            size_t got = 0;
            uint32_t who;
            s = rs_eval_result_list(c->eval, c->row[q], p, &who, us->lists[q], K, &got);
            us->list_n[q] = (uint8_t)got;
            if (s == RS_OK && who != evaluated[p])
                s = rs__fail(RS_ERR_INTERNAL, "rs_model_validate: row order differs");
        }
    }
    double *vals = rs__alloc_array(n_eval_users ? n_eval_users : 1, sizeof *vals);
    if (s == RS_OK && !vals)
        s = RS_ERR_NOMEM;
    for (size_t q = 0; s == RS_OK && q < c->n_pol; q++) {
        size_t got;
        if ((s = rs_eval_result_users(c->eval, c->row[q], RS_EVAL_NDCG, NULL, vals, n_eval_users,
                                      &got)) == RS_OK)
            for (size_t p = 0; p < got; p++)
                c->users[p].ndcg[q] = vals[p];
    }
    free(vals);
    /* the item vectors, unit rows, catalogue order */
    c->dim = content && content->store ? rs_item_store_dim(content->store) : 0;
    if (s == RS_OK && c->dim) {
        size_t bytes;
        if (rs__mul_size(c->n_cat, c->dim, &bytes) != RS_OK || !(c->vec = rs__calloc(bytes, 4)))
            s = RS_ERR_NOMEM;
        for (uint32_t i = 0; s == RS_OK && i < c->n_cat; i++) {
            float *v = c->vec + (size_t)i * c->dim;
            double nn = 0;
            if (rs_item_store_get(content->store, rs_eval_item_key(c->eval, i), v, c->dim) !=
                RS_OK) {
                memset(v, 0, c->dim * sizeof *v);
                continue;
            }
            for (size_t d = 0; d < c->dim; d++)
                nn += (double)v[d] * v[d];
            for (size_t d = 0; nn > 0 && d < c->dim; d++)
                v[d] = (float)(v[d] / sqrt(nn));
        }
        rs_clear_error();
    }
    free(item_of);
    free(user_of);
    free(seg_name);
    return s;
}

/* ------------------------------------------------------------ one replicate */

struct rep {
    double sim_hit[MAX_POLICIES], real_hit[MAX_POLICIES], ndcg[MAX_POLICIES];
    double diff[MAX_POLICIES], diff_lo[MAX_POLICIES], diff_hi[MAX_POLICIES];
    double tau, tau_lo, tau_hi, tau_hit;
    double real_bpc, sim_bpc, real_size, sim_size, real_gap, sim_gap;
    double ll_model, ll_pos, ll_inc, ll_full, choice_hit[MAX_POLICIES];
    struct rs__visit_params par;
    size_t n_fit, n_test;
};

struct per_user { /* one E user's tallies */
    double sim_visits, real_visits;
    double sim_hits[MAX_POLICIES], real_hits[MAX_POLICIES];
    double choice_hits[MAX_POLICIES]; /* the choice draws' hits (the earlier simulator) */
};

static double kendall(const double *x, const double *y, const bool *use, size_t n)
{
    double conc = 0, disc = 0, tx = 0, ty = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double a, b;
            if (!use[i] || !use[j])
                continue;
            a = (x[i] > x[j]) - (x[i] < x[j]);
            b = (y[i] > y[j]) - (y[i] < y[j]);
            if (a == 0 && b == 0)
                continue;
            if (a == 0)
                tx++;
            else if (b == 0)
                ty++;
            else if (a == b)
                conc++;
            else
                disc++;
        }
    double d = sqrt((conc + disc + tx) * (conc + disc + ty));
    return d > 0 ? (conc - disc) / d : NAN;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, dbl_cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double quantile_sorted(const double *v, size_t n, double q)
{
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return n ? v[i < n ? i : n - 1] : NAN;
}

static bool is_new(const struct user *u, uint32_t item)
{
    return item != NONE && !in_sorted(u->hist, u->n_hist, item);
}

/* The new catalogue items of a visit. */
static size_t new_in_visit(const struct user *u, const struct visit *v)
{
    size_t n = 0;
    for (uint32_t j = 0; j < v->n; j++)
        n += is_new(u, u->items[v->start + j]);
    return n;
}

struct model_state {
    const struct vctx *c;
    const uint8_t *half;          /* per evaluated position: 0 fit, 1 test */
    float *item_cnt, *seg_cnt;    /* fit-half post-cut buyers */
    rs_cf_model *cf;
    double *bias;                 /* n_cat: the fitted item effects */
    float *scores;                /* n_cat scratch */
    uint8_t *own;                 /* n_cat scratch */
};

/* The features of evaluated user p (n_cat x NF into f); a fit-half user's
 * own purchases are left out of the counts. */
static int features(struct model_state *ms, size_t p, float *f)
{
    const struct vctx *c = ms->c;
    const struct user *u = &c->users[p];
    size_t n_cat = c->n_cat;
    float *prof = NULL;
    int s = RS_OK;
    memset(ms->own, 0, n_cat);
    if (ms->half[p] == 0)
        for (size_t v = 0; v < u->n_visits; v++)
            for (uint32_t j = 0; j < u->visits[v].n; j++) {
                uint32_t it = u->items[u->visits[v].start + j];
                if (it != NONE)
                    ms->own[it] = 1;
            }
    if (ms->cf && u->n_hist)
        s = rs_cf_model_score(ms->cf, u->hist, NULL, u->n_hist, ms->scores, n_cat);
    else
        memset(ms->scores, 0, n_cat * sizeof *ms->scores);
    if (s == RS_OK && c->dim && !(prof = rs__calloc(c->dim, sizeof *prof)))
        s = RS_ERR_NOMEM;
    if (s != RS_OK)
        return s;
    for (size_t h = 0; prof && h < u->n_hist; h++)
        for (size_t d = 0; d < c->dim; d++)
            prof[d] += c->vec[(size_t)u->hist[h] * c->dim + d];
    if (prof) {
        double nn = 0;
        for (size_t d = 0; d < c->dim; d++)
            nn += (double)prof[d] * prof[d];
        for (size_t d = 0; nn > 0 && d < c->dim; d++)
            prof[d] = (float)(prof[d] / sqrt(nn));
    }
    for (size_t i = 0; i < n_cat; i++) {
        double dot = 0, seg = 0;
        for (size_t d = 0; prof && d < c->dim; d++)
            dot += (double)prof[d] * c->vec[i * c->dim + d];
        if (u->seg >= 0)
            seg = ms->seg_cnt[(size_t)u->seg * n_cat + i] - ms->own[i];
        f[i * RS__VISIT_NF + 0] = (float)log1p(ms->item_cnt[i] - ms->own[i]);
        f[i * RS__VISIT_NF + 1] = ms->scores[i];
        f[i * RS__VISIT_NF + 2] = (float)dot;
        f[i * RS__VISIT_NF + 3] = (float)log1p(seg > 0 ? seg : 0);
    }
    free(prof);
    return RS_OK;
}

/* The choice model's utilities of user u (features feat) into util; the
 * largest allowed one (not in the history) into *top and the log of the sum
 * of exp(util - top) over the allowed items into *log_z. */
static void choice_logits(const struct model_state *ms, const struct rs__visit_params *par,
                          const struct user *u, const float *feat, double *util, double *top,
                          double *log_z)
{
    size_t n_cat = ms->c->n_cat;
    double t = -HUGE_VAL, z = 0;
    for (size_t i = 0; i < n_cat; i++) {
        double v = ms->bias[i];
        for (int k = 0; k < RS__VISIT_NF; k++)
            v += par->w[k] * feat[i * RS__VISIT_NF + k];
        util[i] = v;
        if (!in_sorted(u->hist, u->n_hist, (uint32_t)i) && v > t)
            t = v;
    }
    for (size_t i = 0; i < n_cat; i++)
        if (!in_sorted(u->hist, u->n_hist, (uint32_t)i))
            z += exp(util[i] - t);
    *top = t;
    *log_z = z > 0 ? log(z) : 0;
}

/* Whether the user's real visits before visit k hold item. */
static bool bought_before(const struct user *u, size_t k, uint32_t item)
{
    for (size_t v = 0; v < k; v++)
        for (uint32_t j = 0; j < u->visits[v].n; j++)
            if (u->items[u->visits[v].start + j] == item)
                return true;
    return false;
}

/* The inclusion covariates of slot r of policy q's list for user u at a
 * visit with n_new new items; util/top/log_z from choice_logits. */
static void shown_x(const struct user *u, size_t q, size_t r, double n_new, const float *feat,
                    const double *util, double top, double log_z, bool before, float *x)
{
    uint32_t it = u->lists[q][r];
    rs__visit_inclusion_x(x, n_new, util[it] - top - log_z, feat + (size_t)it * RS__VISIT_NF,
                          before, u->n_hist, r);
}

/* The simulator's factors take the model's ALS options (cf.als.*), not a
 * choice made by looking at the validation's outcome. */
static int als_options(const rs_model *m, rs_cf_model *cf)
{
    const struct rs__model_options *o = &m->options;
    int s = rs_cf_model_set_int(cf, RS_CF_FACTORS, rs__model_opt_int(o, "cf.als.factors"));
    if (s == RS_OK)
        s = rs_cf_model_set_int(cf, RS_CF_ITERATIONS, rs__model_opt_int(o, "cf.als.iterations"));
    if (s == RS_OK)
        s = rs_cf_model_set_double(cf, RS_CF_LAMBDA, rs__model_opt_double(o, "cf.als.lambda"));
    if (s == RS_OK)
        s = rs_cf_model_set_double(cf, RS_CF_ALPHA, rs__model_opt_double(o, "cf.als.alpha"));
    if (s == RS_OK)
        s = rs_cf_model_set_int(cf, RS_CF_SEED, rs__model_opt_int(o, "cf.seed"));
    return s;
}

/* The fit half's item and segment counts and the simulator's own latent
 * factors: ALS over every user's train items (what the policies see too)
 * and, as rows of their own, the fit half's post-cut items, so that the
 * factors learn which items follow which from that half alone, without a
 * fit-half user's own future sitting in the row its history folds into. */
static int fit_counts(struct model_state *ms, const uint8_t *any_half)
{
    const struct vctx *c = ms->c;
    size_t n_cat = c->n_cat, n_seg = c->n_seg ? c->n_seg : 1, bytes;
    uint32_t *ru = NULL, *ri = NULL;
    size_t n = 0, cap = 0;
    rs_cf_matrix *mx = NULL;
    int s = rs__mul_size(n_seg, n_cat, &bytes);
    if (s != RS_OK)
        return s;
    ms->item_cnt = rs__calloc(n_cat, sizeof *ms->item_cnt);
    ms->seg_cnt = rs__calloc(bytes, sizeof *ms->seg_cnt);
    if (!ms->item_cnt || !ms->seg_cnt)
        return RS_ERR_NOMEM;
    for (size_t e = 0; e < c->n_any; e++) {
        uint32_t u = c->any_user[e], i = c->any_item[e];
        if (any_half[u] != 0 || (e > 0 && c->any_user[e - 1] == u && c->any_item[e - 1] == i))
            continue;
        ms->item_cnt[i] += 1;
        if (c->any_seg[u] >= 0)
            ms->seg_cnt[(size_t)c->any_seg[u] * n_cat + i] += 1;
    }
    /* the ALS entries: post-cut pairs and train items of the fit half */
    for (size_t e = 0; s == RS_OK && e < c->n_any; e++)
        if (any_half[c->any_user[e]] == 0)
            s = push_pair(&ru, &ri, &n, &cap, (uint32_t)c->span_users + c->any_user[e],
                          c->any_item[e]);
    for (uint32_t u = 0; s == RS_OK && u < c->span_users; u++) {
        uint32_t buf[4096];
        size_t got = 0;
        if (rs_eval_train_items(c->eval, u, buf, 4096, &got) != RS_OK)
            got = got > 4096 ? 4096 : got;
        for (size_t j = 0; s == RS_OK && j < got; j++)
            s = push_pair(&ru, &ri, &n, &cap, u, buf[j]);
    }
    rs_clear_error();
    if (s == RS_OK && n > 0 && (s = rs_cf_matrix_create(2 * c->span_users, n_cat, ru, ri, NULL, n,
                                                         &mx)) == RS_OK &&
        (s = rs_cf_model_create(RS_CF_ALS, &ms->cf)) == RS_OK &&
        (s = als_options(c->m, ms->cf)) == RS_OK)
        s = rs_cf_model_fit(ms->cf, mx);
    rs_cf_matrix_free(mx);
    free(ru);
    free(ri);
    return s;
}

/*
 * A fit-half user's utilities as if their own choices had not fitted the
 * item effects: an effect solves expected = seen + pseudo-choice smoothing
 * (rs__visit_fit_choice), so without the user's c choices of the item it
 * is lower by about log((seen + pseudo) / (seen - c + pseudo)).  Without
 * this the inclusion model learns from choice probabilities that already
 * know the answer, and over-trusts them on the test half.  log_z follows.
 */
static void leave_own_out(const struct rs__visit_user *fu, const double *seen, double *util,
                          double top, double *log_z)
{
    double z = exp(*log_z);
    for (size_t j = 0; j < fu->n_chosen; j++) {
        uint32_t it = fu->chosen[j];
        double own = 0, drop;
        bool earlier = false;
        for (size_t l = 0; l < j && !earlier; l++)
            earlier = fu->chosen[l] == it;
        if (earlier)
            continue; /* done at its first choice */
        for (size_t l = j; l < fu->n_chosen; l++)
            own += fu->chosen[l] == it;
        drop = log((seen[it] + RS__VISIT_PSEUDO) / (seen[it] - own + RS__VISIT_PSEUDO));
        z -= exp(util[it] - top) * -expm1(-drop);
        util[it] -= drop;
    }
    *log_z = z > 0 ? log(z) : *log_z;
}

/* The covariate rows of user p's real visits with a new catalogue item:
 * every slot of every policy's list, appended at xs/ys/its from *m (at most
 * cap rows); each visit's first row into vstart[(*n_vis)++]. */
static void inclusion_rows(const struct model_state *ms, size_t p, const float *feat,
                           const double *util, double top, double log_z, float *xs,
                           uint8_t *ys, uint32_t *its, size_t *vstart, size_t *n_vis,
                           size_t *m, size_t cap)
{
    const struct vctx *c = ms->c;
    const struct user *u = &c->users[p];
    for (size_t k = 0; k < u->n_visits; k++) {
        const struct visit *vis = &u->visits[k];
        double n_new = (double)new_in_visit(u, vis);
        if (n_new == 0)
            continue; /* nothing new bought: no list item can enter */
        vstart[(*n_vis)++] = *m;
        for (size_t q = 0; q < c->n_pol; q++)
            for (size_t r = 0; r < u->list_n[q] && *m < cap; r++, (*m)++) {
                uint32_t it = u->lists[q][r];
                bool hit = false;
                for (uint32_t j = 0; j < vis->n && !hit; j++)
                    hit = u->items[vis->start + j] == it;
                ys[*m] = hit;
                its[*m] = it;
                shown_x(u, q, r, n_new, feat, util, top, log_z, bought_before(u, k, it),
                        xs + *m * RS__VISIT_NX);
            }
    }
}

/* The rows' visit propensity (rs__visit_fit_frailty): each visit's distinct
 * shown items (an item in several lists is one event of the basket) at the
 * rate of its first slot.  Reuses its/ys/vstart in place. */
static int fit_propensity(struct rs__visit_params *par, const float *xs, uint8_t *ys,
                          uint32_t *its, size_t *vstart, size_t n_vis)
{
    size_t n_dist = 0;
    double *lam = rs__alloc_array(vstart[n_vis] ? vstart[n_vis] : 1, sizeof *lam);
    int s = lam ? RS_OK : RS_ERR_NOMEM;
    for (size_t v = 0; s == RS_OK && v < n_vis; v++) {
        size_t first = n_dist, end = vstart[v + 1];
        for (size_t r = vstart[v]; r < end; r++) {
            bool seen = false;
            for (size_t j = first; j < n_dist && !seen; j++)
                seen = its[j] == its[r];
            if (seen)
                continue;
            its[n_dist] = its[r];
            ys[n_dist] = ys[r];
            lam[n_dist++] = rs__visit_inclusion_rate(par->inc, xs + r * RS__VISIT_NX);
        }
        vstart[v] = first;
    }
    vstart[n_vis] = n_dist;
    if (s == RS_OK && n_vis)
        s = rs__visit_fit_frailty(lam, ys, vstart, n_vis, &par->frailty);
    free(lam);
    return s;
}

/* The coefficients the drawn slate-inclusion model keeps fixed: the
 * choice model's log probability enters at weight 1 (an offset), its
 * square and the four features not at all.  Measured on the retail log
 * (issue 17): with those terms free the model learns on the fit half how
 * much to distrust the features inside the policies' lists (a list picks
 * the items whose scores are high by chance too) and over-predicts the
 * lists that did not select on them (random, segment-popular: +80 %, +29 %
 * simulated hit rate); with the offset it stays calibrated on every kind
 * of list.  The full model is still fitted and reported. */
static void drawn_fixed(uint8_t fixed[RS__VISIT_NX], double inc[RS__VISIT_NX])
{
    memset(fixed, 0, RS__VISIT_NX);
    fixed[RS__INC_LOG_CHOICE] = fixed[RS__INC_LOG_CHOICE2] = 1;
    inc[RS__INC_LOG_CHOICE] = 1;
    inc[RS__INC_LOG_CHOICE2] = 0;
    for (int k = 0; k < RS__VISIT_NF; k++) {
        fixed[RS__INC_FEAT + k] = 1;
        inc[RS__INC_FEAT + k] = 0;
    }
}

/* The slate-inclusion models (model_visit.h) on the fit half's real
 * visits (every slot of every policy's list at every visit with a new
 * catalogue item), at the fitted choice model with the user's own choices
 * left out of the item effects: the full model into par->inc_full, the
 * drawn one (drawn_fixed) into par->inc, and the visits' propensity at
 * the drawn one's rates. */
static int fit_inclusion(struct model_state *ms, struct rs__visit_params *par,
                         const struct rs__visit_user *fu, const size_t *fu_p, size_t n_fu)
{
    const struct vctx *c = ms->c;
    size_t m = 0, bytes, hits = 0, n_shown = 0, n_vis = 0;
    float *xs = NULL;
    uint8_t *ys = NULL, fixed[RS__VISIT_NX];
    uint32_t *its = NULL;
    size_t *vstart = NULL;
    double *util = rs__alloc_array(c->n_cat ? c->n_cat : 1, sizeof *util);
    double *seen = rs__calloc(c->n_cat ? c->n_cat : 1, sizeof *seen);
    int s = util && seen ? RS_OK : RS_ERR_NOMEM;
    for (size_t i = 0; i < n_fu; i++) {
        const struct user *u = &c->users[fu_p[i]];
        for (size_t k = 0; k < u->n_visits; k++)
            if (new_in_visit(u, &u->visits[k]))
                for (size_t q = 0; q < c->n_pol; q++)
                    n_shown += u->list_n[q];
    }
    if (s == RS_OK)
        s = rs__mul_size(n_shown ? n_shown : 1, RS__VISIT_NX * sizeof *xs, &bytes);
    if (s == RS_OK && (!(xs = rs__malloc(bytes)) || !(ys = rs__malloc(n_shown ? n_shown : 1)) ||
                       !(its = rs__alloc_array(n_shown ? n_shown : 1, sizeof *its)) ||
                       !(vstart = rs__alloc_array(n_shown + 2, sizeof *vstart))))
        s = RS_ERR_NOMEM;
    for (size_t i = 0; s == RS_OK && i < n_fu; i++)
        for (size_t j = 0; j < fu[i].n_chosen; j++)
            seen[fu[i].chosen[j]]++;
    for (size_t i = 0; s == RS_OK && i < n_fu; i++) {
        const struct user *u = &c->users[fu_p[i]];
        double top, log_z;
        choice_logits(ms, par, u, fu[i].feat, util, &top, &log_z);
        leave_own_out(&fu[i], seen, util, top, &log_z);
        inclusion_rows(ms, fu_p[i], fu[i].feat, util, top, log_z, xs, ys, its, vstart, &n_vis,
                       &m, n_shown);
    }
    if (vstart)
        vstart[n_vis] = m;
    for (size_t r = 0; s == RS_OK && r < m; r++)
        hits += ys[r];
    par->frailty = 0;
    if (s == RS_OK && hits == 0) {
        /* a small log whose fit half never took a shown item: a constant
         * rate of half an entry in the shown items */
        memset(par->inc, 0, sizeof par->inc);
        par->inc[RS__INC_ONE] = log(-log1p(-0.5 / ((double)m + 1)));
        memcpy(par->inc_full, par->inc, sizeof par->inc);
    } else if (s == RS_OK) {
        s = rs__visit_fit_inclusion(xs, ys, m, NULL, par->inc_full, NULL);
        drawn_fixed(fixed, par->inc);
        if (s == RS_OK)
            s = rs__visit_fit_inclusion(xs, ys, m, fixed, par->inc, NULL);
        if (s == RS_OK)
            s = fit_propensity(par, xs, ys, its, vstart, n_vis);
    }
    free(xs);
    free(ys);
    free(its);
    free(vstart);
    free(util);
    free(seen);
    return s;
}

/* The visits' share of new catalogue items (beta-binomial maximum
 * likelihood over the fit half's visits): real visits differ, a tenth of
 * them buys nothing new, which one share for every item cannot give. */
static int fit_new_share(const struct vctx *c, const uint8_t *half,
                         struct rs__visit_params *par)
{
    size_t total = 0, n = 0;
    double *succ, *trials;
    int s;
    for (size_t p = 0; p < c->n_users; p++)
        total += c->users[p].n_visits;
    succ = rs__alloc_array(total ? total : 1, sizeof *succ);
    trials = rs__alloc_array(total ? total : 1, sizeof *trials);
    s = succ && trials ? RS_OK : RS_ERR_NOMEM;
    for (size_t p = 0; s == RS_OK && p < c->n_users; p++) {
        const struct user *u = &c->users[p];
        if (half[p] != 0)
            continue;
        for (size_t k = 0; k < u->n_visits; k++) {
            succ[n] = (double)new_in_visit(u, &u->visits[k]);
            trials[n++] = u->visits[k].n;
        }
    }
    par->new_alpha = par->new_beta = 0;
    if (s == RS_OK && n)
        s = rs__visit_fit_beta_binomial(succ, trials, n, &par->new_alpha, &par->new_beta);
    free(succ);
    free(trials);
    return s;
}

/* Fit-half user u's visits into the gaps, basket sizes, item counts
 * (all, new) and the positions-alone tallies (hits per slot, new items of
 * the visits each slot was shown at). */
static void visit_tallies(const struct vctx *c, const struct user *u, double *gaps,
                          size_t *n_gaps, double *sizes, size_t *n_sizes, double *items,
                          double *new_items, double *pos_hit, double *pos_n)
{
    for (size_t k = 0; k < u->n_visits; k++) {
        const struct visit *vis = &u->visits[k];
        double n_new = (double)new_in_visit(u, vis);
        if (k > 0)
            gaps[(*n_gaps)++] = vis->day - u->visits[k - 1].day;
        sizes[(*n_sizes)++] = vis->n;
        *items += vis->n;
        *new_items += n_new;
        for (size_t q = 0; q < c->n_pol; q++)
            for (size_t r = 0; r < u->list_n[q]; r++) {
                bool hit = false;
                for (uint32_t j = 0; j < vis->n && !hit; j++)
                    hit = u->items[vis->start + j] == u->lists[q][r];
                pos_hit[r] += hit;
                pos_n[r] += n_new;
            }
    }
}

/* Fit the visit model on the fit half (half[p] == 0): choice weights,
 * slate inclusion, return hazard, gaps, basket sizes, the visits' share of
 * new catalogue items; positions-alone hit probabilities per slot. */
static int fit_half(struct model_state *ms, struct rs__visit_params *par, double *pos_p,
                    double *ll_fit, size_t *n_fit)
{
    const struct vctx *c = ms->c;
    size_t n_cat = c->n_cat, n_fu = 0, bytes, n_gaps = 0, n_sizes = 0;
    struct rs__visit_user *fu = rs__calloc(c->n_users ? c->n_users : 1, sizeof *fu);
    double *x = rs__alloc_array(c->n_users ? c->n_users : 1, sizeof *x);
    uint32_t *nv = rs__alloc_array(c->n_users ? c->n_users : 1, sizeof *nv);
    size_t *fu_p = rs__alloc_array(c->n_users ? c->n_users : 1, sizeof *fu_p);
    double *gaps = NULL, *sizes = NULL, items = 0, new_items = 0, pos_hit[K] = {0};
    double pos_n[K] = {0};
    int s = fu && x && nv && fu_p ? RS_OK : RS_ERR_NOMEM;
    size_t total_visits = 0;
    for (size_t p = 0; p < c->n_users; p++)
        total_visits += c->users[p].n_visits;
    if (s == RS_OK) {
        gaps = rs__alloc_array(total_visits + 1, sizeof *gaps);
        sizes = rs__alloc_array(total_visits + 1, sizeof *sizes);
        if (!gaps || !sizes)
            s = RS_ERR_NOMEM;
    }
    for (size_t p = 0; s == RS_OK && p < c->n_users; p++) {
        const struct user *u = &c->users[p];
        struct rs__visit_user *v = &fu[n_fu];
        uint32_t *chosen;
        uint8_t *allowed;
        float *feat;
        size_t nc = 0;
        if (ms->half[p] != 0 || u->n_visits == 0)
            continue;
        x[n_fu] = log1p(u->pre_visits);
        nv[n_fu] = (uint32_t)u->n_visits;
        fu_p[n_fu] = p;
        if ((s = rs__mul_size(n_cat, RS__VISIT_NF * sizeof *feat, &bytes)) != RS_OK)
            break;
        feat = rs__malloc(bytes);
        allowed = rs__malloc(n_cat);
        chosen = rs__alloc_array(u->visits[u->n_visits - 1].start + u->visits[u->n_visits - 1].n
                                     + 1, sizeof *chosen);
        v->feat = feat;
        v->allowed = allowed;
        v->chosen = chosen;
        n_fu++;
        if (!feat || !allowed || !chosen || (s = features(ms, p, feat)) != RS_OK) {
            s = s != RS_OK ? s : RS_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < n_cat; i++)
            allowed[i] = !in_sorted(u->hist, u->n_hist, (uint32_t)i);
        visit_tallies(c, u, gaps, &n_gaps, sizes, &n_sizes, &items, &new_items, pos_hit, pos_n);
        for (size_t k = 0; k < u->n_visits; k++)
            for (uint32_t j = 0; j < u->visits[k].n; j++)
                if (is_new(u, u->items[u->visits[k].start + j]))
                    chosen[nc++] = u->items[u->visits[k].start + j];
        v->n_chosen = nc;
    }
    if (s == RS_OK && n_fu == 0)
        s = rs__fail(RS_ERR_STATE, "rs_model_validate: the fitting half has no user with a "
                     "visit after the cut");
    memset(par, 0, sizeof *par);
    par->w[0] = 1;
    if (s == RS_OK)
        s = rs__visit_fit_choice(fu, n_fu, n_cat, par->w, ms->bias, ll_fit);
    if (s == RS_OK)
        s = fit_inclusion(ms, par, fu, fu_p, n_fu);
    if (s == RS_OK)
        s = rs__visit_fit_return(x, nv, n_fu, &par->return_a, &par->return_b);
    if (s == RS_OK) {
        qsort(gaps, n_gaps, sizeof *gaps, dbl_cmp);
        par->gaps = gaps; /* handed over: freed by the caller */
        par->n_gaps = n_gaps;
        gaps = NULL;
        rs__visit_fit_lognormal(sizes, n_sizes, &par->size_mu, &par->size_sigma);
        par->repeat_share = items > 0 ? 1 - new_items / items : 0;
        s = fit_new_share(c, ms->half, par);
        for (size_t r = 0; r < K; r++)
            pos_p[r] = pos_n[r] > 0 ? (pos_hit[r] + 0.5) / (pos_n[r] + 1) : 0;
    }
    *n_fit = n_fu;
    for (size_t i = 0; fu && i < n_fu; i++) {
        free((void *)fu[i].feat);
        free((void *)fu[i].allowed);
        free((void *)fu[i].chosen);
    }
    free(fu);
    free(fu_p);
    free(x);
    free(nv);
    free(gaps);
    free(sizes);
    return s;
}

/* Clamped Bernoulli log-likelihood of hit at probability q. */
static double bern_ll(bool hit, double q)
{
    q = fmin(fmax(q, 1e-12), 1 - 1e-12);
    return hit ? log(q) : log1p(-q);
}

/* Score test-half user u's real visits: each policy's per-visit hit, and
 * the impression log-likelihoods ll[0..4]: the choice model, positions
 * alone, the count, the drawn slate-inclusion model, the full one. */
static void score_real(const struct vctx *c, const struct rs__visit_params *par,
                       const double *pos_p, const struct user *u, const float *feat,
                       const double *util, double top, double log_z, struct per_user *pu,
                       double *ll)
{
    float x[RS__VISIT_NX];
    for (size_t k = 0; k < u->n_visits; k++) {
        const struct visit *vis = &u->visits[k];
        double n_new = (double)new_in_visit(u, vis);
        pu->real_visits++;
        for (size_t q = 0; q < c->n_pol; q++) {
            bool any = false;
            for (size_t r = 0; r < u->list_n[q]; r++) {
                uint32_t it = u->lists[q][r];
                bool hit = false;
                double pi = exp(util[it] - top - log_z), qi = 0, qf = 0;
                for (uint32_t j = 0; j < vis->n && !hit; j++)
                    hit = u->items[vis->start + j] == it;
                any |= hit;
                if (n_new > 0) {
                    shown_x(u, q, r, n_new, feat, util, top, log_z, bought_before(u, k, it), x);
                    qi = rs__visit_inclusion_prob(par->inc, x);
                    qf = rs__visit_inclusion_prob(par->inc_full, x);
                }
                ll[0] += bern_ll(hit, 1 - exp(-n_new * pi));
                ll[1] += bern_ll(hit, 1 - exp(-n_new * pos_p[r]));
                ll[2]++;
                ll[3] += bern_ll(hit, qi);
                ll[4] += bern_ll(hit, qf);
            }
            pu->real_hits[q] += any;
        }
    }
}

/* Simulate test-half user p (and score the real visits against the
 * models): visits, gaps, baskets of a size and a share of new items drawn
 * per visit; the new items drawn from the choice model; each shown item of
 * every policy's list enters with the drawn slate-inclusion model's rate
 * times the visit's propensity (common random numbers: one propensity per
 * visit, one uniform per visit and item).  Appends the simulated gaps and
 * basket sizes; ll as in score_real.  util: n_cat scratch. */
static int simulate_user(struct model_state *ms, const struct rs__visit_params *par,
                         const double *pos_p, uint64_t seed, size_t p,
                         float *feat, double *cum, double *util, struct per_user *pu,
                         double *gaps, size_t *n_gaps, double *sizes, size_t *n_sizes,
                         double *ll)
{
    const struct vctx *c = ms->c;
    const struct user *u = &c->users[p];
    size_t n_cat = c->n_cat;
    double top, log_z, z = 0;
    float x[RS__VISIT_NX];
    uint8_t sim_before[MAX_POLICIES][K];
    int s = features(ms, p, feat);
    rs_rng rng;
    if (s != RS_OK)
        return s;
    choice_logits(ms, par, u, feat, util, &top, &log_z);
    score_real(c, par, pos_p, u, feat, util, top, log_z, pu, ll);
    /* the choice draws' cumulative weights over the items the user may
     * newly buy */
    for (size_t i = 0; i < n_cat; i++) {
        if (!in_sorted(u->hist, u->n_hist, (uint32_t)i))
            z += exp(util[i] - top);
        cum[i] = z;
    }
    /* the simulated visits */
    double xr = log1p(u->pre_visits), ret = rs__visit_return_prob(par, xr);
    memset(sim_before, 0, sizeof sim_before);
    for (uint64_t v = 0; v < 1000; v++) {
        uint32_t drawn[4096];
        size_t b, nd = 0;
        double p_new, e;
        rs__rng_init(&rng, seed, 17, c->eval_index[p], v);
        if (v > 0) {
            if (rs__rng_uniform(&rng) >= ret)
                break;
            gaps[(*n_gaps)++] = rs__visit_gap(par, &rng);
        }
        b = rs__visit_basket_size(par, &rng);
        b = b > 4096 ? 4096 : b;
        p_new = par->new_alpha > 0 ? rs__visit_beta(&rng, par->new_alpha, par->new_beta)
                                   : 1 - par->repeat_share;
        sizes[(*n_sizes)++] = (double)b;
        pu->sim_visits++;
        for (size_t j = 0; j < b; j++) {
            double a = rs__rng_uniform(&rng), pick = rs__rng_uniform(&rng);
            if (a >= p_new || z <= 0)
                continue; /* a repeat, or an item outside the catalogue: no list has it */
            drawn[nd++] = (uint32_t)rs__visit_pick(cum, n_cat, pick);
        }
        /* the visit's propensity, shared by every list */
        e = par->frailty > 0 ? rs__visit_gamma(&rng, par->frailty) : 1;
        for (size_t q = 0; q < c->n_pol; q++) {
            bool any = false, chosen = false;
            for (size_t r = 0; r < u->list_n[q]; r++)
                for (size_t j = 0; j < nd; j++)
                    chosen |= drawn[j] == u->lists[q][r];
            for (size_t r = 0; nd > 0 && r < u->list_n[q]; r++) {
                uint32_t it = u->lists[q][r];
                rs_rng item_rng;
                double lam;
                rs__rng_init(&item_rng, seed, 29, c->eval_index[p], v * n_cat + it);
                shown_x(u, q, r, (double)nd, feat, util, top, log_z, sim_before[q][r], x);
                lam = rs__visit_frail_rate(rs__visit_inclusion_rate(par->inc, x), par->frailty);
                if (rs__rng_uniform(&item_rng) < -expm1(-lam * e)) {
                    sim_before[q][r] = 1;
                    any = true;
                }
            }
            pu->sim_hits[q] += any;
            pu->choice_hits[q] += chosen;
        }
    }
    return RS_OK;
}

static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }

/* Per-policy aggregates of users idx[0..n) (with repetition). */
static void aggregate(const struct vctx *c, const struct per_user *pu, const size_t *test,
                      const size_t *idx, size_t n, double *sim, double *real, double *ndcg)
{
    for (size_t q = 0; q < c->n_pol; q++) {
        double sh = 0, sv = 0, rh = 0, rv = 0, nd = 0;
        for (size_t i = 0; i < n; i++) {
            const struct per_user *x = &pu[idx ? idx[i] : i];
            sh += x->sim_hits[q];
            sv += x->sim_visits;
            rh += x->real_hits[q];
            rv += x->real_visits;
            nd += c->users[test[idx ? idx[i] : i]].ndcg[q];
        }
        sim[q] = ratio(sh, sv);
        real[q] = ratio(rh, rv);
        ndcg[q] = n ? nd / (double)n : NAN;
    }
}

static int run_replicate(const struct vctx *c, uint64_t seed, struct rep *out)
{
    struct model_state ms;
    uint8_t *half = rs__malloc(c->n_users ? c->n_users : 1);
    uint8_t *any_half = rs__malloc(c->span_users ? c->span_users : 1);
    size_t *test = rs__alloc_array(c->n_users ? c->n_users : 1, sizeof *test), n_test = 0;
    struct per_user *pu = NULL;
    float *feat = NULL;
    double *util = NULL, *cum = NULL, *gaps = NULL, *sizes = NULL, *rgaps = NULL;
    double *rsizes = NULL, pos_p[K], ll_fit = 0, ll[5] = {0, 0, 0, 0, 0};
    size_t n_gaps = 0, n_sizes = 0, n_rg = 0, n_rs = 0, total_real = 0, cap;
    bool use[MAX_POLICIES];
    int s = half && any_half && test ? RS_OK : RS_ERR_NOMEM;
    memset(&ms, 0, sizeof ms);
    memset(out, 0, sizeof *out);
    ms.c = c;
    ms.half = half;
    /* the seeded split of every user of the log */
    for (uint32_t u = 0; s == RS_OK && u < c->span_users; u++) {
        rs_rng rng;
        rs__rng_init(&rng, seed, 5, u, 0);
        any_half[u] = (uint8_t)(rs__rng_u32(&rng) & 1);
    }
    for (size_t p = 0; s == RS_OK && p < c->n_users; p++) {
        half[p] = any_half[c->eval_index[p]];
        if (half[p])
            test[n_test++] = p;
        total_real += c->users[p].n_visits;
    }
    if (s == RS_OK) {
        ms.scores = rs__alloc_array(c->n_cat, sizeof *ms.scores);
        ms.own = rs__malloc(c->n_cat);
        ms.bias = rs__calloc(c->n_cat, sizeof *ms.bias);
        feat = rs__alloc_array(c->n_cat, RS__VISIT_NF * sizeof *feat);
        util = rs__alloc_array(c->n_cat, sizeof *util);
        cum = rs__alloc_array(c->n_cat, sizeof *cum);
        pu = rs__calloc(n_test ? n_test : 1, sizeof *pu);
        if (rs__mul_size(n_test + 1, 1000, &cap) != RS_OK)
            s = RS_ERR_OVERFLOW;
        gaps = rs__alloc_array(cap, sizeof *gaps);
        sizes = rs__alloc_array(cap, sizeof *sizes);
        rgaps = rs__alloc_array(total_real + 1, sizeof *rgaps);
        rsizes = rs__alloc_array(total_real + 1, sizeof *rsizes);
        if (!ms.scores || !ms.own || !ms.bias || !feat || !util || !cum || !pu || !gaps || !sizes ||
            !rgaps || !rsizes)
            s = s != RS_OK ? s : RS_ERR_NOMEM;
    }
    if (s == RS_OK)
        s = fit_counts(&ms, any_half);
    if (s == RS_OK)
        s = fit_half(&ms, &out->par, pos_p, &ll_fit, &out->n_fit);
    for (size_t t = 0; s == RS_OK && t < n_test; t++) {
        const struct user *u = &c->users[test[t]];
        s = simulate_user(&ms, &out->par, pos_p, seed, test[t], feat, cum, util, &pu[t], gaps,
                          &n_gaps, sizes, &n_sizes, ll);
        for (size_t k = 0; k < u->n_visits; k++) {
            if (k > 0)
                rgaps[n_rg++] = u->visits[k].day - u->visits[k - 1].day;
            rsizes[n_rs++] = u->visits[k].n;
        }
    }
    out->n_test = n_test;
    if (s == RS_OK && n_test == 0)
        s = rs__fail(RS_ERR_STATE, "rs_model_validate: the test half has no user");
    if (s == RS_OK) {
        double sv = 0, rv = 0;
        aggregate(c, pu, test, NULL, n_test, out->sim_hit, out->real_hit, out->ndcg);
        for (size_t q = 0; q < c->n_pol; q++) {
            use[q] = strcmp(c->pol_name[q], "random") != 0;
            out->diff[q] = out->sim_hit[q] - out->sim_hit[0];
        }
        out->tau = kendall(out->sim_hit, out->ndcg, use, c->n_pol);
        out->tau_hit = kendall(out->sim_hit, out->real_hit, use, c->n_pol);
        for (size_t t = 0; t < n_test; t++) {
            sv += pu[t].sim_visits;
            rv += pu[t].real_visits;
        }
        out->sim_bpc = sv / (double)n_test;
        out->real_bpc = rv / (double)n_test;
        out->sim_size = median(sizes, n_sizes);
        out->real_size = median(rsizes, n_rs);
        out->sim_gap = median(gaps, n_gaps);
        out->real_gap = median(rgaps, n_rg);
        out->ll_model = ll[2] > 0 ? ll[0] / ll[2] : NAN;
        out->ll_pos = ll[2] > 0 ? ll[1] / ll[2] : NAN;
        out->ll_inc = ll[2] > 0 ? ll[3] / ll[2] : NAN;
        out->ll_full = ll[2] > 0 ? ll[4] / ll[2] : NAN;
        for (size_t q = 0; q < c->n_pol; q++) {
            double h = 0, v = 0;
            for (size_t t = 0; t < n_test; t++) {
                h += pu[t].choice_hits[q];
                v += pu[t].sim_visits;
            }
            out->choice_hit[q] = ratio(h, v);
        }
    }
    /* the bootstrap over test users: tau, and each policy's paired
     * simulated difference to the first policy (same users, same draws) */
    if (s == RS_OK) {
        size_t *idx = rs__alloc_array(n_test, sizeof *idx);
        double *taus = rs__alloc_array(BOOTSTRAP, sizeof *taus);
        double *diffs = rs__alloc_array((size_t)BOOTSTRAP * MAX_POLICIES, sizeof *diffs);
        if (!idx || !taus || !diffs)
            s = RS_ERR_NOMEM;
        for (size_t b = 0; s == RS_OK && b < BOOTSTRAP; b++) {
            double sim[MAX_POLICIES], real[MAX_POLICIES], nd[MAX_POLICIES];
            rs_rng rng;
            rs__rng_init(&rng, seed, 23, b, 0);
            for (size_t i = 0; i < n_test; i++)
                idx[i] = (size_t)rs__rng_below(&rng, n_test);
            aggregate(c, pu, test, idx, n_test, sim, real, nd);
            taus[b] = kendall(sim, nd, use, c->n_pol);
            for (size_t q = 0; q < c->n_pol; q++)
                diffs[q * BOOTSTRAP + b] = sim[q] - sim[0];
        }
        if (s == RS_OK) {
            size_t m = 0;
            for (size_t b = 0; b < BOOTSTRAP; b++)
                if (!isnan(taus[b]))
                    taus[m++] = taus[b];
            qsort(taus, m, sizeof *taus, dbl_cmp);
            out->tau_lo = quantile_sorted(taus, m, 0.025);
            out->tau_hi = quantile_sorted(taus, m, 0.975);
            for (size_t q = 0; q < c->n_pol; q++) {
                double *d = diffs + q * BOOTSTRAP;
                qsort(d, BOOTSTRAP, sizeof *d, dbl_cmp);
                out->diff_lo[q] = quantile_sorted(d, BOOTSTRAP, 0.025);
                out->diff_hi[q] = quantile_sorted(d, BOOTSTRAP, 0.975);
            }
        }
        free(idx);
        free(taus);
        free(diffs);
    }
    free((void *)out->par.gaps);
    out->par.gaps = NULL;
    rs_cf_model_free(ms.cf);
    free(ms.item_cnt);
    free(ms.seg_cnt);
    free(ms.scores);
    free(ms.own);
    free(ms.bias);
    free(half);
    free(any_half);
    free(test);
    free(pu);
    free(feat);
    free(util);
    free(cum);
    free(gaps);
    free(sizes);
    free(rgaps);
    free(rsizes);
    return s;
}

/* ------------------------------------------------------------ the report */

static double med_of(const struct rep *r, size_t n, size_t offset)
{
    double v[64];
    size_t m = 0;
    for (size_t i = 0; i < n && m < 64; i++) {
        double x = *(const double *)((const char *)&r[i] + offset);
        if (!isnan(x))
            v[m++] = x;
    }
    return median(v, m);
}

#define MED(field) med_of(reps, n_reps, offsetof(struct rep, field))

static void pct(struct text *t, double sim, double real)
{
    if (real > 0 && !isnan(sim))
        put(t, "%+7.1f %%", 100 * (sim / real - 1));
    else
        put(t, "%9s", "n/a");
}

static void inclusion_line(struct text *t, const char *what, const double *b)
{
    put(t, "%s: log rate %.3f %+.3f*log(new items) %+.3f*log P(choice) %+.3f*(log P)^2/100 "
        "%+.3f*item %+.3f*collaborative %+.3f*content %+.3f*segment %+.3f*bought earlier "
        "%+.3f*log1p(history); slot terms 0", what, b[RS__INC_ONE], b[RS__INC_LOG_NEW],
        b[RS__INC_LOG_CHOICE], b[RS__INC_LOG_CHOICE2], b[RS__INC_FEAT], b[RS__INC_FEAT + 1],
        b[RS__INC_FEAT + 2], b[RS__INC_FEAT + 3], b[RS__INC_BEFORE], b[RS__INC_HIST]);
    for (size_t r = 1; r < RS__VISIT_SLOTS; r++)
        put(t, " %+.3f", b[RS__INC_SLOT + r - 1]);
    put(t, "\n");
}

static void report(const struct vctx *c, const struct rep *reps, size_t n_reps, uint64_t seed,
                   struct text *t)
{
    size_t n_used = 0;
    put(t, "simulator validation: cut %lld (unix seconds), %zu evaluated users, %zu replicates"
        " (seeds %llu..%llu), medians\n", (long long)c->cut, c->n_users, n_reps,
        (unsigned long long)seed, (unsigned long long)(seed + n_reps - 1));
    put(t, "fitted on %zu users' post-cut visits, tested on %zu (first replicate)\n\n",
        reps[0].n_fit, reps[0].n_test);
    put(t, "%-24s %9s %10s %10s %9s   %s\n", "policy", "real NDCG", "real hit/v", "sim hit/v",
        "sim/real", "sim diff vs first [95% paired CI]");
    for (size_t q = 0; q < c->n_pol; q++) {
        double sim = MED(sim_hit[q]), real = MED(real_hit[q]);
        n_used += strcmp(c->pol_name[q], "random") != 0;
        put(t, "%-24.24s %9.4f %10.4f %10.4f ", c->pol_name[q], MED(ndcg[q]), real, sim);
        pct(t, sim, real);
        put(t, "   %+.4f [%+.4f, %+.4f]\n", MED(diff[q]), MED(diff_lo[q]),
            MED(diff_hi[q]));
    }
    put(t, "\nKendall tau (sim hit/visit vs real NDCG@10, %zu policies, random excluded): "
        "%.3f [bootstrap 95%% %.3f, %.3f]\n", n_used, MED(tau), MED(tau_lo), MED(tau_hi));
    put(t, "Kendall tau (sim hit/visit vs real hit/visit): %.3f\n", MED(tau_hit));
    put(t, "\n%-28s %10s %10s %9s\n", "visit shape (test half)", "real", "sim", "sim/real");
    put(t, "%-28s %10.3f %10.3f ", "baskets per customer", MED(real_bpc), MED(sim_bpc));
    pct(t, MED(sim_bpc), MED(real_bpc));
    put(t, "\n%-28s %10.1f %10.1f ", "median items per basket", MED(real_size), MED(sim_size));
    pct(t, MED(sim_size), MED(real_size));
    put(t, "\n%-28s %10.2f %10.2f ", "median gap (days)", MED(real_gap), MED(sim_gap));
    pct(t, MED(sim_gap), MED(real_gap));
    /* "model" is the model the simulation draws the slate hits from: the
     * slate-inclusion model with the choice model as its offset (it was the
     * choice model until the inclusion draws, whose figure follows) */
    put(t, "\n\nlog-likelihood per slate impression (test half): model %.5f, positions alone "
        "%.5f (%.1f %% better)\n", MED(ll_inc), MED(ll_pos),
        100 * (1 - MED(ll_inc) / MED(ll_pos)));
    put(t, "log-likelihood per slate impression (test half), choice model (drew the slate hits "
        "before; still draws the basket's new items): %.5f (%.1f %% better than positions "
        "alone)\n", MED(ll_model), 100 * (1 - MED(ll_model) / MED(ll_pos)));
    /* the line as it was before the inclusion draws: the model with every
     * term free, which over-predicts lists that did not select on the
     * features (drawn_fixed) */
    put(t, "log-likelihood per slate impression (test half), slate-inclusion model (not "
        "drawn from): %.5f (%.1f %% better than positions alone)\n", MED(ll_full),
        100 * (1 - MED(ll_full) / MED(ll_pos)));
    put(t, "sim hit/visit with the choice draws instead (the simulator before the inclusion "
        "draws):");
    for (size_t q = 0; q < c->n_pol; q++) {
        double v = MED(choice_hit[q]);
        put(t, " %s %.4f (", c->pol_name[q], v);
        pct(t, v, MED(real_hit[q]));
        put(t, ")%s", q + 1 < c->n_pol ? "," : "\n");
    }
    put(t, "fitted weights (first replicate): item %.3f, collaborative %.3f, content %.3f, "
        "segment %.3f; return logit %.3f %+.3f*log1p(visits); gaps: the %zu of the fit half; "
        "basket lognormal(%.3f, %.3f); repeat/outside share %.3f\n",
        reps[0].par.w[0], reps[0].par.w[1], reps[0].par.w[2], reps[0].par.w[3],
        reps[0].par.return_a, reps[0].par.return_b, reps[0].par.n_gaps,
        reps[0].par.size_mu, reps[0].par.size_sigma, reps[0].par.repeat_share);
    put(t, "visit (first replicate): share of new items Beta(%.3f, %.3f); propensity gamma "
        "shape %.3f (0: none)\n", reps[0].par.new_alpha, reps[0].par.new_beta,
        reps[0].par.frailty);
    inclusion_line(t, "slate inclusion (first replicate)", reps[0].par.inc_full);
    inclusion_line(t, "slate inclusion drawn from (first replicate; log P at weight 1, no "
                   "square, no feature term)", reps[0].par.inc);
}

/* ------------------------------------------------------------ the call */

static const char *const default_policies[] = {"scorer", "ease", "als", "knn", "rp3beta",
                                               "content", "most-popular", "recent-popular",
                                               "segment-popular", "random"};

int rs_model_validate(const rs_model *m, const char *const *policies, size_t n_policies,
                      double cut, uint64_t seed, size_t replicates, char **report_out)
{
    const char *fn = "rs_model_validate";
    struct vctx c;
    struct rs__model_parts content;
    struct rep *reps = NULL;
    struct text t = {NULL, 0, 0, RS_OK};
    int s = RS_OK;
    if (!report_out)
        return rs__fail(RS_ERR_INVALID, "%s: report_out is NULL", fn);
    *report_out = NULL;
    if (!m)
        return rs__fail(RS_ERR_INVALID, "%s: model is NULL", fn);
    if (!policies && n_policies)
        return rs__fail(RS_ERR_INVALID, "%s: policies is NULL with n_policies %zu", fn,
                        n_policies);
    if (n_policies > MAX_POLICIES)
        return rs__fail(RS_ERR_RANGE, "%s: %zu policies, at most %d", fn, n_policies,
                        MAX_POLICIES);
    if (replicates < 1 || replicates > 64)
        return rs__fail(RS_ERR_RANGE, "%s: replicates %zu outside 1..64", fn, replicates);
    if (!isnan(cut) && (!(cut >= -9.2e18 && cut <= 9.2e18) || cut != floor(cut)))
        return rs__fail(RS_ERR_RANGE, "%s: the cut %g is not a whole number of seconds", fn,
                        cut);
    if (!policies) {
        policies = default_policies;
        n_policies = sizeof default_policies / sizeof *default_policies;
    }
    for (size_t p = 0; p < n_policies; p++) {
        struct rs__model_options o;
        bool tune;
        if (!policies[p] || !*policies[p])
            return rs__fail(RS_ERR_INVALID, "%s: policy %zu is NULL or empty", fn, p);
        if (is_baseline(policies[p]) || strncmp(policies[p], "file:", 5) == 0)
            continue;
        /* a model policy: its name is known before anything is fitted */
        s = policy_options(m, policies[p], &o, &tune);
        rs__model_options_free(&o);
        if (s != RS_OK)
            return s;
    }
    memset(&c, 0, sizeof c);
    memset(&content, 0, sizeof content);
    c.m = m;
    c.n_pol = n_policies;
    if ((s = rs__model_eval_events(m, &c.me)) != RS_OK) {
        rs__model_eval_events_free(&c.me);
        return s;
    }
    {
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (size_t i = 0; i < c.me.n; i++) {
            lo = c.me.rows[i].time < lo ? c.me.rows[i].time : lo;
            hi = c.me.rows[i].time > hi ? c.me.rows[i].time : hi;
        }
        if (c.me.n == 0)
            s = rs__fail(RS_ERR_STATE, "%s: the model has no interaction events", fn);
        else if (lo == hi)
            s = rs__fail(RS_ERR_STATE, "%s: the interactions carry no time (every event at "
                         "%lld): visits need the 'time' column (import with --map "
                         "time=COLUMN)", fn, (long long)lo);
        c.cut = isnan(cut) ? rs__model_eval_default_cut(&c.me) : (int64_t)cut;
    }
    if (s == RS_OK)
        s = rs_events_split_temporal(c.me.events, c.cut, RS_PART_TEST);
    if (s == RS_OK && (rs_events_part_count(c.me.events, RS_PART_TEST) == 0 ||
                       rs_events_part_count(c.me.events, RS_PART_TRAIN) == 0))
        s = rs__fail(RS_ERR_STATE, "%s: the cut %lld leaves no event on one side", fn,
                     (long long)c.cut);
    if (s == RS_OK)
        s = rs_eval_create(c.me.events, RS_PART_TEST, &c.eval);
    if (s == RS_OK)
        s = rs__model_options_apply_eval(&m->options, c.eval);
    if (s == RS_OK)
        s = rs_eval_set_int(c.eval, RS_EVAL_K, K);
    if (s == RS_OK)
        s = rs_eval_set_int(c.eval, RS_EVAL_SEED, (int64_t)(seed & INT64_MAX));
    if (s == RS_OK)
        s = rs_eval_set_int(c.eval, RS_EVAL_RECENT_END, c.cut);
    if (s == RS_OK)
        s = rs__model_eval_segments(m, c.eval, NULL); /* for segment-popular */
    c.n_cat = c.eval ? rs_eval_item_count(c.eval) : 0;
    if (s == RS_OK)
        s = run_policies(&c, policies, &content);
    if (s == RS_OK)
        s = collect(&c, &content);
    if (s == RS_OK && !(reps = rs__calloc(replicates, sizeof *reps)))
        s = RS_ERR_NOMEM;
    for (size_t r = 0; s == RS_OK && r < replicates; r++)
        s = run_replicate(&c, seed + r, &reps[r]);
    if (s == RS_OK) {
        report(&c, reps, replicates, seed, &t);
        s = t.status;
    }
    free(reps);
    rs__model_parts_free(&content);
    for (size_t p = 0; c.users && p < c.n_users; p++) {
        free(c.users[p].hist);
        free(c.users[p].visits);
        free(c.users[p].items);
    }
    free(c.users);
    free(c.eval_index);
    free(c.eval_pos);
    free(c.any_seg);
    free(c.any_user);
    free(c.any_item);
    free(c.vec);
    rs_eval_free(c.eval);
    rs__model_eval_events_free(&c.me);
    if (s != RS_OK) {
        free(t.buf);
        return s;
    }
    rs_clear_error();
    *report_out = t.buf;
    return RS_OK;
}
