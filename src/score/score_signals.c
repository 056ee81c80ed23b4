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
 * Segment popularity of a cold user: the distinct buyers of each item among
 * the users who share one of the user's profile nodes (the non-item,
 * non-user neighbours of the user's graph node, e.g. country=Iceland),
 * scaled to [0, 1] and pulled toward the global popularity with
 * RS_SCORER_SEGMENT_SHRINK pseudo-users: (n seg + m pop) / (n + m).
 */
int rs__score_segment(const rs_scorer *s, work *w)
{
    rs__graph_csr adj[2];
    size_t n_seg = 0;
    uint32_t v = w->user_node;
    float mx = 0.0f;
    if (v == NONE || s->user_type == NONE)
        return RS_OK;
    if (!(w->segment = rs__calloc(s->item_span + 1, sizeof(float))))
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the segment of %zu items",
                        s->item_span);
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &adj[0]);
    rs__graph_adjacency(s->graph, RS_GRAPH_IN, &adj[1]);
    for (int d = 0; d < 2; d++) {
        const rs__graph_csr *a = &adj[d];
        for (uint32_t e = a->start[v]; e < a->start[v] + a->degree[v]; e++) {
            uint32_t p = a->target[e];
            if (p >= s->node_span || s->node_item[p] != NONE ||
                rs__graph_node_type(s->graph, p) == s->user_type)
                continue;
            for (int d2 = 0; d2 < 2; d2++) {
                const rs__graph_csr *b = &adj[d2];
                for (uint32_t f = b->start[p]; f < b->start[p] + b->degree[p]; f++) {
                    uint32_t o = b->target[f];
                    if (o == v || o >= s->node_span ||
                        rs__graph_node_type(s->graph, o) != s->user_type)
                        continue;
                    n_seg++;
                    for (uint32_t g = adj[0].start[o]; g < adj[0].start[o] + adj[0].degree[o];
                         g++) {
                        uint32_t t = adj[0].target[g];
                        uint32_t it = t < s->node_span ? s->node_item[t] : NONE;
                        if (it != NONE)
                            w->segment[it] += 1.0f;
                    }
                }
            }
        }
    }
    for (size_t i = 0; i < s->item_span; i++)
        if (w->segment[i] > mx)
            mx = w->segment[i];
    if (mx <= 0.0f) {
        free(w->segment);
        w->segment = NULL;
        return RS_OK;
    }
    double n = (double)n_seg, m = s->segment_shrink;
    for (size_t i = 0; i < s->item_span; i++)
        w->segment[i] = (float)((n * (w->segment[i] / mx) + m * s->pop_recent[i]) / (n + m));
    return RS_OK;
}
