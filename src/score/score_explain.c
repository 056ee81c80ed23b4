/*
 * score_explain.c - the best path behind a recommendation, as data and as
 * one readable sentence.
 */
#include "core/alloc.h"
#include "core/bitset.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/topk.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"
#include "items/items_internal.h"
#include "user/user_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/score_internal.h"


/* ---------------------------------------------------------------- explain */

typedef struct sbuf {
    char *p;
    size_t cap, len;
} sbuf;

static void put(sbuf *b, const char *t)
{
    size_t n = strlen(t);
    if (b->cap && b->len + 1 < b->cap) {
        size_t m = b->cap - 1 - b->len;
        if (m > n)
            m = n;
        memcpy(b->p + b->len, t, m);
        b->p[b->len + m] = '\0';
    }
    b->len += n;
}

static void put_node(const rs_scorer *s, sbuf *b, uint32_t node, uint32_t target)
{
    const char *type = NULL, *key = NULL;
    if (node == target) {
        put(b, "this item");
        return;
    }
    if (rs_graph_node_key(s->graph, node, &type, &key) != RS_OK) {
        rs_clear_error();
        put(b, "?");
        return;
    }
    if (node < s->node_span && s->node_item[node] != NONE && s->names[s->node_item[node]])
        key = s->names[s->node_item[node]];
    if (strcmp(type, "item") != 0) {
        put(b, type);
        put(b, " ");
    }
    put(b, key);
}

static void put_relation(const rs_scorer *s, sbuf *b, uint32_t rel)
{
    const char *name = rs_graph_relation_name(s->graph, rel & ~RS_GRAPH_REVERSED);
    char tmp[128];
    if (!name)
        name = "is linked to";
    if (strncmp(name, "has_", 4) == 0) {
        snprintf(tmp, sizeof tmp, "has %s", name + 4);
        name = tmp;
    }
    put(b, name);
}

static void sentence(const rs_scorer *s, sbuf *b, const uint32_t *nodes, const uint32_t *rels,
                     size_t len, uint32_t target, int source)
{
    if (len == 0) {
        put(b, source == RS_SCORER_FROM_POPULARITY
                   ? "recommended because it is popular (cold start: no history, and the graph links you to no item)"
                   : "recommended because it scores well for your interests");
        return;
    }
    put(b, source == RS_SCORER_FROM_PROFILE ? "recommended (cold start, from your profile) "
                                            "because you "
                                            : "recommended because you ");
    size_t i = 0;
    while (i < len) {
        uint32_t r = rels[i];
        if (i > 0) {
            uint32_t t = rs__graph_node_type(s->graph, nodes[i]);
            put(b, t == s->user_type ? ", who " : ", which ");
        }
        if (!(r & RS_GRAPH_REVERSED) && i + 1 < len && (rels[i + 1] & RS_GRAPH_REVERSED) &&
            (rels[i + 1] & ~RS_GRAPH_REVERSED) == r && nodes[i + 2] != target &&
            rs__graph_node_type(s->graph, nodes[i + 2]) == s->user_type &&
            rs__graph_node_type(s->graph, nodes[i + 1]) != s->user_type) {
            /* you bought X, as did user N, who ...; you share country C
             * with user N, who ... (an attribute relation has_...) */
            const char *rn = rs_graph_relation_name(s->graph, r & ~RS_GRAPH_REVERSED);
            int attribute = rn && strncmp(rn, "has_", 4) == 0;
            if (attribute)
                put(b, i == 0 ? "share " : "shares ");
            else
                put_relation(s, b, r), put(b, " ");
            put_node(s, b, nodes[i + 1], target);
            put(b, attribute ? " with " : i == 0 ? ", as did " : ", as does ");
            put_node(s, b, nodes[i + 2], target);
            i += 2;
        } else if (!(r & RS_GRAPH_REVERSED) && i + 1 < len && (rels[i + 1] & RS_GRAPH_REVERSED) &&
            (rels[i + 1] & ~RS_GRAPH_REVERSED) == r) {
            put(b, i == 0 ? "share " : "shares ");
            put_node(s, b, nodes[i + 1], target);
            put(b, " with ");
            put_node(s, b, nodes[i + 2], target);
            i += 2;
        } else if (!(r & RS_GRAPH_REVERSED)) {
            put_relation(s, b, r);
            put(b, " ");
            put_node(s, b, nodes[i + 1], target);
            i += 1;
        } else {
            put(b, "is linked (");
            put_relation(s, b, r);
            put(b, ") from ");
            put_node(s, b, nodes[i + 1], target);
            i += 1;
        }
    }
}

/*
 * The path behind an operator score: the history item i with the largest
 * h_i W_ij and the user who links it to the target j most strongly,
 * user -> i <- other user -> j (the first node NONE for a user without a
 * graph node, or whose history item is not one of its graph edges).
 * Returns 1 when such a path exists.
 */
static int operator_path(const rs_scorer *s, const work *w, uint32_t idx, uint32_t *nodes,
                         uint32_t *rels, size_t *len_out, double *weight_out)
{
    double best = 0.0;
    uint32_t item = NONE, other, r_oi, r_oj;
    for (size_t h = 0; h < w->n_hist; h++) {
        double v = (double)w->hist_w[h] * rs__score_operator_entry(s, w->hist[h], idx);
        if (v > best && s->item_node[w->hist[h]] != NONE &&
            rs__score_operator_witness(s, w->hist[h], idx, w->user_node, &other, &r_oi,
                                       &r_oj)) {
            best = v;
            item = w->hist[h];
        }
    }
    if (item == NONE ||
        !rs__score_operator_witness(s, item, idx, w->user_node, &other, &r_oi, &r_oj))
        return 0;
    uint32_t first = NONE, r_first = NONE, from = s->item_node[item];
    if (w->user_node != NONE) {
        rs__graph_csr out;
        rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &out);
        uint32_t v = w->user_node;
        for (uint32_t e = out.start[v]; e < out.start[v] + out.degree[v] && first == NONE; e++)
            if (out.target[e] == from) {
                first = v;
                r_first = out.relation[e];
            }
    }
    nodes[0] = first;
    nodes[1] = from;
    nodes[2] = other;
    nodes[3] = s->item_node[idx];
    rels[0] = r_first;
    rels[1] = r_oi | RS_GRAPH_REVERSED;
    rels[2] = r_oj;
    *len_out = 3;
    *weight_out = best;
    return 1;
}

int rs_scorer_explain(const rs_scorer *s, const char *user, const char *item,
                      uint32_t *nodes_out, uint32_t *relations_out, size_t capacity,
                      size_t *length_out, double *weight_out, int *source_out, char *text,
                      size_t text_capacity)
{
    static const char fn[] = "rs_scorer_explain";
    uint32_t idx;
    work w;
    int rc;
    if (!s || !length_out || (capacity && !nodes_out) || (text_capacity && !text))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *length_out = 0;
    if ((rc = rs__score_check_fresh(s, fn)) != RS_OK || (rc = rs__score_find_item(s, item, &idx, fn)) != RS_OK)
        return rc;
    if ((rc = rs__score_prepare_user(s, user, &w, fn)) != RS_OK)
        return rc;
    size_t H = (size_t)s->hops;
    uint32_t pn[8 * 7], pr[8 * 6], plen[8];
    double pw[8];
    size_t np = 0, best_len = 0;
    uint32_t best_nodes[8], best_rels[8];
    double best_w = 0.0;
    uint32_t target = s->item_node[idx];
    rc = RS_OK;
    int witnessed = 0;
    if (target != NONE && w.graph_from_operator)
        witnessed = operator_path(s, &w, idx, best_nodes, best_rels, &best_len, &best_w);
    if (target != NONE && !witnessed) {
        if (w.user_node != NONE) {
            if ((rc = rs_graph_best_paths(s->graph, w.user_node, target, (unsigned)H,
                                          RS_GRAPH_BOTH, 1, pn, pr, plen, pw, &np)) == RS_OK &&
                np) {
                best_len = plen[0];
                best_w = pw[0];
                memcpy(best_nodes, pn, (best_len + 1) * sizeof(uint32_t));
                memcpy(best_rels, pr, best_len * sizeof(uint32_t));
            }
        } else {
            /* from the history items: the path item_j -> ... -> target, shifted */
            for (size_t i = 0; rc == RS_OK && i < w.n_hist && i < 64; i++) {
                uint32_t from = s->item_node[w.hist[i]];
                if (from == NONE || from == target || w.hist_w[i] <= 0 || H < 2)
                    continue;
                if ((rc = rs_graph_best_paths(s->graph, from, target, (unsigned)(H - 1),
                                              RS_GRAPH_BOTH, 1, pn, pr, plen, pw, &np)) ==
                        RS_OK &&
                    np && pw[0] * w.hist_w[i] > best_w) {
                    best_w = pw[0] * w.hist_w[i];
                    best_len = plen[0] + 1;
                    best_nodes[0] = NONE;
                    memcpy(best_nodes + 1, pn, (plen[0] + 1) * sizeof(uint32_t));
                    best_rels[0] = NONE;
                    memcpy(best_rels + 1, pr, plen[0] * sizeof(uint32_t));
                }
            }
        }
        /* a path search that failed (out of memory) is an error, not "no
         * path": the sentence would silently lose its reason */
        if (rc != RS_OK) {
            rs__score_work_free(&w);
            return rs__fail_context("%s: user \"%s\", item \"%s\": ", fn, user, item);
        }
    }
    sbuf b = {text, text_capacity, 0};
    if (witnessed && best_nodes[0] == NONE) {
        /* a model-only user: the history item, its witness buyer, the item */
        put(&b, "recommended because you interacted with ");
        put_node(s, &b, best_nodes[1], target);
        put(&b, ", which ");
        put_node(s, &b, best_nodes[2], target);
        put(&b, " also ");
        put_relation(s, &b, best_rels[1] & ~RS_GRAPH_REVERSED);
        put(&b, ", who ");
        put_relation(s, &b, best_rels[2]);
        put(&b, " this item");
    } else if (best_len && best_nodes[0] == NONE) {
        /* a model-only user: "you interacted with X, which ..." */
        sentence(s, &b, best_nodes, best_rels, 0, target, RS_SCORER_FROM_HISTORY);
        b.len = 0;
        if (text_capacity)
            text[0] = '\0';
        put(&b, "recommended because you interacted with ");
        put_node(s, &b, best_nodes[1], target);
        sbuf rest = {NULL, 0, 0};
        (void)rest;
        char tail[1024] = "";
        sbuf t2 = {tail, sizeof tail, 0};
        sentence(s, &t2, best_nodes + 1, best_rels + 1, best_len - 1, target, RS_SCORER_FROM_HISTORY);
        const char *p = strstr(tail, "because you ");
        if (p) {
            put(&b, ", which ");
            p += strlen("because you ");
            /* "share X with" -> "shares X with" */
            if (strncmp(p, "share ", 6) == 0) {
                put(&b, "shares ");
                p += 6;
            }
            put(&b, p);
        }
    } else {
        sentence(s, &b, best_nodes, best_rels, best_len, target, w.source);
    }
    if (source_out)
        *source_out = w.source;
    if (weight_out)
        *weight_out = best_w;
    rs__score_work_free(&w);
    if (text_capacity && b.len >= text_capacity)
        text[text_capacity - 1] = '\0';
    *length_out = best_len;
    if (best_len + 1 > capacity && best_len)
        return rs__fail(RS_ERR_BUFFER, "%s: the path has %zu nodes, capacity %zu", fn,
                        best_len + 1, capacity);
    for (size_t i = 0; i <= best_len && best_len; i++) {
        nodes_out[i] = best_nodes[i] == NONE && w.user_node != NONE ? w.user_node : best_nodes[i];
        if (relations_out && i < best_len)
            relations_out[i] = best_rels[i];
    }
    return RS_OK;
}

