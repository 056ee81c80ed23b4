/*
 * score_signals.c - the time-aware signals of the scorer: the history
 * weights fed to the collaborative model (RS_SCORER_HISTORY_HALF_LIFE,
 * RS_SCORER_HISTORY_MERGE), recency-weighted popularity
 * (RS_SCORER_POP_HALF_LIFE) and the "first basket" popularity of the
 * cold-start ranking (RS_SCORER_W_FIRST_BASKET).  Both popularity arrays are
 * snapshots of the user model, taken at create and whenever one of these
 * options changes.
 */
#include "core/alloc.h"
#include "core/error.h"
#include "graph/graph_internal.h"
#include "user/user_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/score_internal.h"

#define FIRST_BASKET_WINDOW 86400 /* seconds after a user's first event */

double rs__score_history_decay(const rs_scorer *s, int64_t t)
{
    if (s->hist_half_life <= 0.0 || !s->has_now || t >= s->t_now)
        return 1.0;
    return exp2(-((double)s->t_now - (double)t) / s->hist_half_life);
}

void rs__score_history_merge(const rs_scorer *s, work *w)
{
    /* w->content is zero and unused until rs__score_finish: scratch per item */
    float *best = w->content;
    size_t m = 0;
    if (!s->hist_merge)
        return;
    for (size_t i = 0; i < w->n_hist; i++)
        if (w->hist_w[i] > 0.0f && w->hist_w[i] > best[w->hist[i]])
            best[w->hist[i]] = w->hist_w[i];
    for (size_t i = 0; i < w->n_hist; i++) {
        uint32_t it = w->hist[i];
        float wt = w->hist_w[i];
        if (wt > 0.0f) {
            if (best[it] <= 0.0f)
                continue; /* already emitted */
            wt = best[it];
            best[it] = 0.0f;
        }
        w->hist[m] = it;
        w->hist_w[m++] = wt;
    }
    w->n_hist = m;
}

/* Largest event time of the user model (s->t_now, s->has_now). */
static void find_now(rs_scorer *s)
{
    size_t nu = rs_user_model_count(s->users);
    s->has_now = 0;
    s->t_now = 0;
    for (size_t u = 0; u < nu; u++) {
        const rs__user *r = &s->users->recs[u];
        if (r->has_time && (!s->has_now || r->t_ref > s->t_now)) {
            s->t_now = r->t_ref;
            s->has_now = 1;
        }
    }
}

static double pop_decay(const rs_scorer *s, int64_t t)
{
    if (s->pop_half_life <= 0.0 || !s->has_now || t >= s->t_now)
        return 1.0;
    return exp2(-((double)s->t_now - (double)t) / s->pop_half_life);
}

static void scale_to_one(float *v, size_t n)
{
    float mx = 0.0f;
    for (size_t i = 0; i < n; i++)
        if (v[i] > mx)
            mx = v[i];
    for (size_t i = 0; i < n && mx > 0.0f; i++)
        v[i] /= mx;
}

int rs__score_signals_update(rs_scorer *s)
{
    size_t n = s->item_span + 1, nu;
    float *recent = rs__calloc(n, sizeof(float)), *first = rs__calloc(n, sizeof(float));
    int64_t *last = rs__alloc_array(n, sizeof(int64_t));
    uint32_t *touched = rs__alloc_array(n, sizeof(uint32_t));
    unsigned char *mark = rs__calloc(n, 1);
    if (!recent || !first || !last || !touched || !mark) {
        free(recent), free(first), free(last), free(touched), free(mark);
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the popularity of %zu "
                                      "items", n);
    }
    find_now(s);
    nu = rs_user_model_count(s->users);
    int64_t t_min = s->t_now;
    for (size_t u = 0; u < nu; u++) {
        const rs__user *r = &s->users->recs[u];
        size_t nt = 0;
        int64_t t0 = 0;
        int has_t0 = 0;
        for (size_t e = 0; e < r->n; e++) {
            uint32_t it = r->items[e];
            if (it >= s->item_span || r->weights[e] <= 0.0f)
                continue;
            if (!has_t0 || r->times[e] < t0)
                t0 = r->times[e], has_t0 = 1;
            if (r->times[e] < t_min)
                t_min = r->times[e];
            if (!mark[it]) {
                mark[it] = 1;
                last[it] = r->times[e];
                touched[nt++] = it;
            } else if (r->times[e] > last[it]) {
                last[it] = r->times[e];
            }
        }
        for (size_t j = 0; j < nt; j++) {
            uint32_t it = touched[j];
            mark[it] = 0;
            recent[it] += (float)pop_decay(s, last[it]);
        }
        /* the items of the user's first day: what a new customer buys */
        for (size_t e = 0; has_t0 && e < r->n; e++) {
            uint32_t it = r->items[e];
            if (it >= s->item_span || r->weights[e] <= 0.0f ||
                r->times[e] - t0 >= FIRST_BASKET_WINDOW || mark[it])
                continue;
            mark[it] = 1;
            first[it] += (float)pop_decay(s, t0);
        }
        for (size_t e = 0; has_t0 && e < r->n; e++)
            if (r->items[e] < s->item_span)
                mark[r->items[e]] = 0;
    }
    /* the graph's popularity without a half-life, or when the model's
     * events carry no time (all at one instant) */
    if (s->pop_half_life <= 0.0 || !s->has_now || t_min >= s->t_now)
        memcpy(recent, s->pop, s->item_span * sizeof(float));
    scale_to_one(recent, s->item_span);
    scale_to_one(first, s->item_span);
    free(s->pop_recent);
    free(s->first_basket);
    s->pop_recent = recent;
    s->first_basket = first;
    free(last), free(touched), free(mark);
    return RS_OK;
}

void rs__score_signals_free(rs_scorer *s)
{
    free(s->pop_recent);
    free(s->first_basket);
    s->pop_recent = s->first_basket = NULL;
}

/*
 * Cold start by profile attribute.  The attributes of a user are its
 * profile nodes: the non-item, non-user graph neighbours of its node (a
 * country, an age band, ...), whatever the profile holds.  For a cold user
 * with attributes P, each item i gets
 *
 *   g(i)   = buyers of i / users                      (global rate)
 *   a_p(i) = (c_p(i) + m g(i)) / (n_p + m)             per attribute p
 *   A(i)   = mean over p in P of a_p(i)
 *   C(i)   = (c_P(i) + m2 A(i)) / (n_P + m2)            when |P| > 1
 *
 * with n_p the users (who bought something) sharing p, c_p(i) those who
 * bought i, n_P and c_P the same over the users sharing every attribute of
 * P, m = RS_SCORER_SEGMENT_SHRINK and m2 = RS_SCORER_COMBO_SHRINK (with
 * RS_SCORER_SEGMENT_HALF_LIFE, each user counts by the age of its latest
 * purchase, and each buyer by the age of its latest purchase of i): a rare
 * combination backs off to the attributes, a rare attribute to the global
 * popularity.  The segment signal is C (or A) over its largest value.
 */
void rs__score_segments_free(rs__score_segments *g)
{
    rs__score_bipartite_free(&g->bi);
    free(g->attr_node), free(g->node_attr), free(g->ua_start), free(g->ua_attr);
    free(g->au_start), free(g->au_user), free(g->c_start), free(g->c_item), free(g->c_count);
    free(g->global), free(g->u_weight), free(g->ui_weight), free(g->a_users);
    memset(g, 0, sizeof *g);
}

/* The distinct profile nodes of node v (ascending) into out (capacity: its
 * degree); returns how many. */
static size_t profile_nodes(const rs_scorer *s, const rs__graph_csr adj[2], uint32_t v,
                            uint32_t *out)
{
    size_t n = 0;
    for (int d = 0; d < 2; d++)
        for (uint32_t e = adj[d].start[v]; e < adj[d].start[v] + adj[d].degree[v]; e++) {
            uint32_t p = adj[d].target[e];
            if (p < s->node_span && s->node_item[p] == NONE &&
                rs__graph_node_type(s->graph, p) != s->user_type)
                out[n++] = p;
        }
    qsort(out, n, sizeof *out, rs__score_cmp_u32);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (m == 0 || out[k] != out[m - 1])
            out[m++] = out[k];
    return m;
}

static double seg_decay(const rs_scorer *s, int64_t t)
{
    if (s->seg_half_life <= 0.0 || !s->has_now || t >= s->t_now)
        return 1.0;
    return exp2(-((double)s->t_now - (double)t) / s->seg_half_life);
}

/* g->u_weight and g->ui_weight: 1 each, or with RS_SCORER_SEGMENT_HALF_LIFE
 * the decay of the user's latest purchase (of the item) in the user model
 * (a user the model does not know keeps 1). */
static int segment_weights(const rs_scorer *s, rs__score_segments *g)
{
    const rs__score_bipartite *b = &g->bi;
    g->u_weight = rs__alloc_array(b->n_users + 1, sizeof(double));
    g->ui_weight = rs__alloc_array(b->pairs + 1, sizeof(double));
    int64_t *last = rs__alloc_array(s->item_span + 1, sizeof(int64_t));
    unsigned char *have = rs__calloc(s->item_span + 1, 1);
    if (!g->u_weight || !g->ui_weight || !last || !have) {
        free(last), free(have);
        return RS_ERR_NOMEM;
    }
    for (size_t u = 0; u < b->n_users; u++) {
        const rs__user *r = NULL;
        const char *type, *key;
        g->u_weight[u] = 1.0;
        for (size_t q = b->u_start[u]; q < b->u_start[u + 1]; q++)
            g->ui_weight[q] = 1.0;
        if (s->seg_half_life <= 0.0 || !s->has_now)
            continue;
        if (rs_graph_node_key(s->graph, b->user_node[u], &type, &key) == RS_OK)
            r = rs__user_find(s->users, key);
        else
            rs_clear_error();
        if (!r)
            continue;
        int64_t t_last = 0;
        int any = 0;
        for (size_t e = 0; e < r->n; e++) {
            uint32_t it = r->items[e];
            if (it >= s->item_span || r->weights[e] <= 0.0f)
                continue;
            if (!have[it] || r->times[e] > last[it])
                last[it] = r->times[e], have[it] = 1;
            if (!any || r->times[e] > t_last)
                t_last = r->times[e], any = 1;
        }
        if (any)
            g->u_weight[u] = seg_decay(s, t_last);
        for (size_t q = b->u_start[u]; q < b->u_start[u + 1]; q++)
            if (have[b->u_item[q]])
                g->ui_weight[q] = seg_decay(s, last[b->u_item[q]]);
        for (size_t e = 0; e < r->n; e++)
            if (r->items[e] < s->item_span)
                have[r->items[e]] = 0;
    }
    free(last), free(have);
    return RS_OK;
}

int rs__score_segments_build(rs_scorer *s)
{
    rs__score_segments g;
    rs__graph_csr adj[2];
    int rc;
    memset(&g, 0, sizeof g);
    if (s->user_type == NONE)
        return RS_OK;
    if ((rc = rs__score_bipartite_build(s, &g.bi)) != RS_OK)
        return rc;
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &adj[0]);
    rs__graph_adjacency(s->graph, RS_GRAPH_IN, &adj[1]);
    size_t nu = g.bi.n_users, total = 0, is = s->item_span;
    for (size_t u = 0; u < nu; u++)
        total += adj[0].degree[g.bi.user_node[u]] + adj[1].degree[g.bi.user_node[u]];
    g.node_attr = rs__alloc_array(s->node_span + 1, sizeof(uint32_t));
    g.attr_node = rs__alloc_array(s->node_span + 1, sizeof(uint32_t));
    g.ua_start = rs__calloc(nu + 2, sizeof(size_t));
    g.ua_attr = rs__alloc_array(total + 1, sizeof(uint32_t));
    g.global = rs__calloc(is + 1, sizeof(float));
    float *acc = rs__calloc(is + 1, sizeof(float));
    uint32_t *touched = rs__alloc_array(is + 1, sizeof(uint32_t));
    if (!g.node_attr || !g.attr_node || !g.ua_start || !g.ua_attr || !g.global || !acc ||
        !touched)
        goto nomem;
    for (size_t v = 0; v < s->node_span; v++)
        g.node_attr[v] = NONE;
    /* the users' profile nodes; attributes numbered by first appearance
     * (users ascending), then renumbered by node so that they ascend */
    for (size_t u = 0; u < nu; u++) {
        size_t at = g.ua_start[u];
        size_t m = profile_nodes(s, adj, g.bi.user_node[u], g.ua_attr + at);
        for (size_t k = 0; k < m; k++)
            if (g.node_attr[g.ua_attr[at + k]] == NONE)
                g.node_attr[g.ua_attr[at + k]] = 0, g.attr_node[g.n_attr++] = g.ua_attr[at + k];
        g.ua_start[u + 1] = at + m;
    }
    qsort(g.attr_node, g.n_attr, sizeof(uint32_t), rs__score_cmp_u32);
    for (size_t a = 0; a < g.n_attr; a++)
        g.node_attr[g.attr_node[a]] = (uint32_t)a;
    for (size_t k = 0; k < g.ua_start[nu]; k++) /* node -> ordinal keeps the order */
        g.ua_attr[k] = g.node_attr[g.ua_attr[k]];
    if (segment_weights(s, &g) != RS_OK)
        goto nomem;
    g.au_start = rs__calloc(g.n_attr + 2, sizeof(size_t));
    g.au_user = rs__alloc_array(g.ua_start[nu] + 1, sizeof(uint32_t));
    g.c_start = rs__calloc(g.n_attr + 2, sizeof(size_t));
    g.a_users = rs__calloc(g.n_attr + 1, sizeof(double));
    if (!g.au_start || !g.au_user || !g.c_start || !g.a_users)
        goto nomem;
    for (size_t k = 0; k < g.ua_start[nu]; k++)
        g.au_start[g.ua_attr[k] + 1]++;
    for (size_t a = 0; a < g.n_attr; a++)
        g.au_start[a + 1] += g.au_start[a];
    size_t *fill = rs__alloc_array(g.n_attr + 1, sizeof(size_t));
    if (!fill)
        goto nomem;
    memcpy(fill, g.au_start, (g.n_attr + 1) * sizeof(size_t));
    for (size_t u = 0; u < nu; u++)
        for (size_t k = g.ua_start[u]; k < g.ua_start[u + 1]; k++)
            g.au_user[fill[g.ua_attr[k]]++] = (uint32_t)u;
    free(fill);
    /* buyer counts per attribute, kept sparse (items ascending) */
    size_t cap = 0, nnz = 0;
    for (size_t a = 0; a < g.n_attr; a++) {
        size_t nt = 0;
        for (size_t k = g.au_start[a]; k < g.au_start[a + 1]; k++) {
            uint32_t u = g.au_user[k];
            g.a_users[a] += g.u_weight[u];
            for (size_t q = g.bi.u_start[u]; q < g.bi.u_start[u + 1]; q++) {
                uint32_t it = g.bi.u_item[q];
                if (acc[it] == 0.0f)
                    touched[nt++] = it;
                acc[it] += (float)g.ui_weight[q];
            }
        }
        qsort(touched, nt, sizeof *touched, rs__score_cmp_u32);
        if (nnz + nt > cap) {
            size_t c = 2 * (nnz + nt) + 1024;
            uint32_t *ni = rs__realloc_array(g.c_item, c, sizeof(uint32_t));
            if (!ni)
                goto nomem;
            g.c_item = ni;
            float *nc = rs__realloc_array(g.c_count, c, sizeof(float));
            if (!nc)
                goto nomem;
            g.c_count = nc;
            cap = c;
        }
        for (size_t k = 0; k < nt; k++) {
            g.c_item[nnz] = touched[k];
            g.c_count[nnz++] = acc[touched[k]];
            acc[touched[k]] = 0.0f;
        }
        g.c_start[a + 1] = nnz;
    }
    for (size_t i = 0; i < is && nu; i++)
        g.global[i] = (float)((double)(g.bi.i_start[i + 1] - g.bi.i_start[i]) / (double)nu);
    free(acc), free(touched);
    g.built = 1;
    rs__score_segments_free(&s->seg);
    s->seg = g;
    return RS_OK;
nomem:
    free(acc), free(touched);
    rs__score_segments_free(&g);
    return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the profile segments");
}

/* Is every attribute of want (ascending, n) among the user's (ascending)? */
static int has_all(const rs__score_segments *g, uint32_t u, const uint32_t *want, size_t n)
{
    size_t k = g->ua_start[u], end = g->ua_start[u + 1], j = 0;
    while (j < n && k < end) {
        if (g->ua_attr[k] < want[j])
            k++;
        else if (g->ua_attr[k] == want[j])
            k++, j++;
        else
            return 0;
    }
    return j == n;
}

int rs__score_segment(const rs_scorer *s, work *w)
{
    const rs__score_segments *g = &s->seg;
    rs__graph_csr adj[2];
    uint32_t v = w->user_node;
    if (v == NONE || !g->built || !g->n_attr)
        return RS_OK;
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &adj[0]);
    rs__graph_adjacency(s->graph, RS_GRAPH_IN, &adj[1]);
    size_t is = s->item_span, deg = adj[0].degree[v] + adj[1].degree[v];
    uint32_t *attrs = rs__alloc_array(deg + 1, sizeof(uint32_t));
    double *a_mean = rs__calloc(is + 1, sizeof(double));
    double *combo = rs__calloc(is + 1, sizeof(double));
    if (!attrs || !a_mean || !combo) {
        free(attrs), free(a_mean), free(combo);
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the segment of %zu items",
                        is);
    }
    size_t n = profile_nodes(s, adj, v, attrs), m = 0;
    for (size_t k = 0; k < n; k++) /* the attributes some buyer shares */
        if (g->node_attr[attrs[k]] != NONE)
            attrs[m++] = g->node_attr[attrs[k]];
    qsort(attrs, m, sizeof *attrs, rs__score_cmp_u32);
    double shrink = s->segment_shrink, mean = m ? 1.0 / (double)m : 0.0;
    for (size_t k = 0; k < m; k++) {
        uint32_t a = attrs[k];
        double den = g->a_users[a] + shrink;
        if (!(den > 0.0))
            continue;
        for (size_t i = 0; i < is; i++)
            a_mean[i] += mean * shrink * g->global[i] / den;
        for (size_t q = g->c_start[a]; q < g->c_start[a + 1]; q++)
            a_mean[g->c_item[q]] += mean * g->c_count[q] / den;
    }
    const double *score = a_mean;
    if (m > 1) {
        /* the users sharing every attribute: scan the smallest attribute */
        uint32_t small = attrs[0];
        for (size_t k = 1; k < m; k++)
            if (g->au_start[attrs[k] + 1] - g->au_start[attrs[k]] <
                g->au_start[small + 1] - g->au_start[small])
                small = attrs[k];
        double n_c = 0.0, m2 = s->combo_shrink;
        for (size_t k = g->au_start[small]; k < g->au_start[small + 1]; k++) {
            uint32_t u = g->au_user[k];
            if (!has_all(g, u, attrs, m))
                continue;
            n_c += g->u_weight[u];
            for (size_t q = g->bi.u_start[u]; q < g->bi.u_start[u + 1]; q++)
                combo[g->bi.u_item[q]] += g->ui_weight[q];
        }
        if (n_c + m2 > 0.0) {
            for (size_t i = 0; i < is; i++)
                combo[i] = (combo[i] + m2 * a_mean[i]) / (n_c + m2);
            score = combo;
        }
    }
    double mx = 0.0;
    for (size_t i = 0; i < is; i++)
        if (score[i] > mx)
            mx = score[i];
    if (m && mx > 0.0 && (w->segment = rs__calloc(is + 1, sizeof(float)))) {
        for (size_t i = 0; i < is; i++)
            w->segment[i] = (float)(score[i] / mx);
    }
    int failed = m && mx > 0.0 && !w->segment;
    free(attrs), free(a_mean), free(combo);
    if (failed)
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the segment of %zu items",
                        is);
    return RS_OK;
}
