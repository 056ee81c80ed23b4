/*
 * score_operator.c - the graph signal as a sparse item-item operator
 * (RS_SCORER_GRAPH_OPERATOR): the three-hop user -> item <- user -> item
 * propagation of the walk, computed once from the graph's user -> item edges
 * in the manner of RP3beta, so that a user's graph signal costs
 * O(|history| x top-N) instead of a walk over every edge it reaches.
 *
 * With a_ui the summed weight (edge weight x relation weight) of user u's
 * edges to item i, d_u = sum_i a_ui and d_i = sum_u a_ui:
 *
 *   W_ij = (sum_u (a_ui / d_i) (a_uj / d_u)) x d_j^-beta,   i != j,
 *
 * keeping the top-N entries of each row (higher value, then lower column).
 * Row i is summed in user-node order and, within a user, in item order, so
 * the operator is the same whatever the thread count.  It is kept as CSR
 * (columns ascending in a row) and saved as a little-endian, XXH3-checked
 * blob in the graph's meta table (rs_scorer_save_operator).
 */
#include "core/alloc.h"
#include "core/error.h"
#include "core/lebytes.h"
#include "core/parallel.h"
#include "core/topk.h"
#include "graph/graph_internal.h"
#include "store/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "score/score_internal.h"

#define OP_MAGIC 0x504f5352u /* "RSOP" */
#define OP_VERSION 1u
#define OP_META_KEY "scorer.operator"
#define OP_HEADER 48 /* magic, version, rows, nnz, pairs, beta, top_n */

void rs__score_bipartite_free(rs__score_bipartite *b)
{
    free(b->user_node), free(b->u_start), free(b->u_item), free(b->u_w), free(b->d_user);
    free(b->i_start), free(b->i_user), free(b->i_w), free(b->d_item);
    memset(b, 0, sizeof *b);
}

/* qsort order of uint32_t values (score_signals.c uses it too). */
int rs__score_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The weight of an edge for the operator: edge weight x relation weight. */
static double edge_weight(const rs_scorer *s, const rs__graph_csr *a, uint32_t e)
{
    return (double)a->weight[e] * rs__graph_relation_weight(s->graph, a->relation[e]);
}

int rs__score_bipartite_build(const rs_scorer *s, rs__score_bipartite *b)
{
    rs__graph_csr out;
    size_t cap = 0, n = 0;
    uint32_t *tmp = NULL;
    memset(b, 0, sizeof *b);
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &out);
    size_t ns = s->node_span, is = s->item_span;
    b->user_node = rs__alloc_array(ns + 1, sizeof(uint32_t));
    b->u_start = rs__calloc(ns + 2, sizeof(size_t));
    b->i_start = rs__calloc(is + 2, sizeof(size_t));
    b->d_item = rs__calloc(is + 1, sizeof(double));
    if (!b->user_node || !b->u_start || !b->i_start || !b->d_item)
        goto nomem;
    /* upper bound of the pairs: every out edge of a user node */
    for (size_t v = 0; v < ns; v++)
        if (s->user_type != NONE && rs__graph_node_type(s->graph, (uint32_t)v) == s->user_type)
            n += out.degree[v];
    b->u_item = rs__alloc_array(n + 1, sizeof(uint32_t));
    b->u_w = rs__alloc_array(n + 1, sizeof(double));
    if (!b->u_item || !b->u_w)
        goto nomem;
    size_t p = 0;
    for (size_t v = 0; v < ns && s->user_type != NONE; v++) {
        if (rs__graph_node_type(s->graph, (uint32_t)v) != s->user_type)
            continue;
        size_t m = 0, first = p;
        if (out.degree[v] > cap) {
            cap = out.degree[v];
            free(tmp);
            if (!(tmp = rs__alloc_array(cap, sizeof(uint32_t))))
                goto nomem;
        }
        for (uint32_t e = out.start[v]; e < out.start[v] + out.degree[v]; e++) {
            uint32_t t = out.target[e];
            if (t < ns && s->node_item[t] != NONE && edge_weight(s, &out, e) > 0.0)
                tmp[m++] = s->node_item[t];
        }
        if (!m)
            continue;
        qsort(tmp, m, sizeof *tmp, rs__score_cmp_u32);
        for (size_t k = 0; k < m; k++)
            if (k == 0 || tmp[k] != tmp[k - 1])
                b->u_item[p++] = tmp[k];
        /* the weights, summed over the user's edges to each item */
        for (size_t k = first; k < p; k++)
            b->u_w[k] = 0.0;
        for (uint32_t e = out.start[v]; e < out.start[v] + out.degree[v]; e++) {
            uint32_t t = out.target[e];
            double wt;
            if (t >= ns || s->node_item[t] == NONE || !((wt = edge_weight(s, &out, e)) > 0.0))
                continue;
            uint32_t it = s->node_item[t];
            size_t lo = first, hi = p; /* binary search in the user's items */
            while (lo + 1 < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (b->u_item[mid] <= it)
                    lo = mid;
                else
                    hi = mid;
            }
            b->u_w[lo] += wt;
        }
        b->user_node[b->n_users++] = (uint32_t)v;
        b->u_start[b->n_users] = p;
    }
    free(tmp);
    tmp = NULL;
    b->pairs = p;
    b->d_user = rs__calloc(b->n_users + 1, sizeof(double));
    b->i_user = rs__alloc_array(p + 1, sizeof(uint32_t));
    b->i_w = rs__alloc_array(p + 1, sizeof(double));
    if (!b->d_user || !b->i_user || !b->i_w)
        goto nomem;
    for (size_t u = 0; u < b->n_users; u++)
        for (size_t k = b->u_start[u]; k < b->u_start[u + 1]; k++) {
            b->d_user[u] += b->u_w[k];
            b->d_item[b->u_item[k]] += b->u_w[k];
            b->i_start[b->u_item[k] + 1]++;
        }
    for (size_t i = 0; i < is; i++)
        b->i_start[i + 1] += b->i_start[i];
    size_t *fill = rs__alloc_array(is + 1, sizeof(size_t));
    if (!fill)
        goto nomem;
    memcpy(fill, b->i_start, (is + 1) * sizeof(size_t));
    for (size_t u = 0; u < b->n_users; u++) /* users ascending within an item */
        for (size_t k = b->u_start[u]; k < b->u_start[u + 1]; k++) {
            size_t q = fill[b->u_item[k]]++;
            b->i_user[q] = (uint32_t)u;
            b->i_w[q] = b->u_w[k];
        }
    free(fill);
    return RS_OK;
nomem:
    free(tmp);
    rs__score_bipartite_free(b);
    return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the graph operator");
}

/* One row per task; per-worker scratch. */
typedef struct op_build {
    const rs_scorer *s;
    const rs__score_bipartite *b;
    size_t top_n;
    double beta;
    double **acc;        /* per worker: item_span, zero between rows */
    uint32_t **touched;  /* per worker: item_span */
    uint32_t **sel;      /* per worker: top_n */
    float **sel_val;     /* per worker: top_n */
    uint32_t **row_col;  /* per row, NULL when empty */
    float **row_val;
    size_t *row_len;
    double *penalty;     /* item_span: d_j^-beta */
} op_build;

static int cmp_entry(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int op_row(void *ctx, size_t i, unsigned worker)
{
    op_build *c = ctx;
    const rs__score_bipartite *b = c->b;
    double *acc = c->acc[worker];
    uint32_t *touched = c->touched[worker];
    size_t nt = 0;
    c->row_len[i] = 0;
    if (!(b->d_item[i] > 0.0))
        return 0;
    for (size_t k = b->i_start[i]; k < b->i_start[i + 1]; k++) {
        uint32_t u = b->i_user[k];
        double p_iu = b->i_w[k] / b->d_item[i], du = b->d_user[u];
        for (size_t q = b->u_start[u]; q < b->u_start[u + 1]; q++) {
            uint32_t j = b->u_item[q];
            if (j == i)
                continue;
            if (acc[j] == 0.0)
                touched[nt++] = j;
            acc[j] += p_iu * (b->u_w[q] / du);
        }
    }
    rs_topk top;
    rs__topk_init(&top, c->top_n, c->sel[worker], c->sel_val[worker]);
    for (size_t t = 0; t < nt; t++) {
        uint32_t j = touched[t];
        rs__topk_push(&top, j, (float)(acc[j] * c->penalty[j]));
        acc[j] = 0.0;
    }
    size_t m = rs__topk_finish(&top);
    if (!m)
        return 0;
    /* ascending columns: (column, value bits) pairs sorted by column */
    uint32_t *pairs = rs__alloc_array(m, 2 * sizeof(uint32_t));
    c->row_col[i] = rs__alloc_array(m, sizeof(uint32_t));
    c->row_val[i] = rs__alloc_array(m, sizeof(float));
    if (!pairs || !c->row_col[i] || !c->row_val[i]) {
        free(pairs);
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for operator row %zu", i);
    }
    for (size_t k = 0; k < m; k++) {
        pairs[2 * k] = c->sel[worker][k];
        memcpy(&pairs[2 * k + 1], &c->sel_val[worker][k], sizeof(float));
    }
    qsort(pairs, m, 2 * sizeof(uint32_t), cmp_entry);
    for (size_t k = 0; k < m; k++) {
        c->row_col[i][k] = pairs[2 * k];
        memcpy(&c->row_val[i][k], &pairs[2 * k + 1], sizeof(float));
    }
    free(pairs);
    c->row_len[i] = m;
    return 0;
}

void rs__score_operator_free(rs__score_operator *op)
{
    free(op->start);
    free(op->col);
    free(op->val);
    memset(op, 0, sizeof *op);
}

int rs__score_operator_build(rs_scorer *s)
{
    rs__score_bipartite b;
    int rc;
    size_t is = s->item_span;
    if ((rc = rs__score_bipartite_build(s, &b)) != RS_OK)
        return rc;
    unsigned workers = rs__parallel_workers(is, 0);
    op_build c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.b = &b;
    c.top_n = (size_t)s->op_top_n;
    c.beta = s->op_beta;
    c.acc = rs__calloc(workers, sizeof(double *));
    c.touched = rs__calloc(workers, sizeof(uint32_t *));
    c.sel = rs__calloc(workers, sizeof(uint32_t *));
    c.sel_val = rs__calloc(workers, sizeof(float *));
    c.row_col = rs__calloc(is + 1, sizeof(uint32_t *));
    c.row_val = rs__calloc(is + 1, sizeof(float *));
    c.row_len = rs__calloc(is + 1, sizeof(size_t));
    c.penalty = rs__calloc(is + 1, sizeof(double));
    rs__score_operator op;
    memset(&op, 0, sizeof op);
    rc = c.acc && c.touched && c.sel && c.sel_val && c.row_col && c.row_val && c.row_len &&
                 c.penalty
             ? RS_OK
             : RS_ERR_NOMEM;
    for (unsigned w = 0; rc == RS_OK && w < workers; w++) {
        c.acc[w] = rs__calloc(is + 1, sizeof(double));
        c.touched[w] = rs__alloc_array(is + 1, sizeof(uint32_t));
        c.sel[w] = rs__alloc_array(c.top_n + 1, sizeof(uint32_t));
        c.sel_val[w] = rs__alloc_array(c.top_n + 1, sizeof(float));
        if (!c.acc[w] || !c.touched[w] || !c.sel[w] || !c.sel_val[w])
            rc = RS_ERR_NOMEM;
    }
    if (rc != RS_OK) {
        rc = rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the graph operator");
        goto done;
    }
    for (size_t j = 0; j < is; j++)
        c.penalty[j] = b.d_item[j] > 0.0 ? pow(b.d_item[j], -c.beta) : 0.0;
    if ((rc = rs__parallel_for(is, 0, op_row, &c)) != RS_OK)
        goto done;
    size_t nnz = 0;
    for (size_t i = 0; i < is; i++)
        nnz += c.row_len[i];
    op.start = rs__alloc_array(is + 1, sizeof(uint64_t));
    op.col = rs__alloc_array(nnz + 1, sizeof(uint32_t));
    op.val = rs__alloc_array(nnz + 1, sizeof(float));
    if (!op.start || !op.col || !op.val) {
        rs__score_operator_free(&op);
        rc = rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for an operator of %zu entries",
                      nnz);
        goto done;
    }
    op.start[0] = 0;
    for (size_t i = 0; i < is; i++) {
        uint64_t at = op.start[i];
        if (c.row_len[i]) {
            memcpy(op.col + at, c.row_col[i], c.row_len[i] * sizeof(uint32_t));
            memcpy(op.val + at, c.row_val[i], c.row_len[i] * sizeof(float));
        }
        op.start[i + 1] = at + c.row_len[i];
    }
    op.rows = is;
    op.nnz = nnz;
    op.pairs = b.pairs;
    op.beta = c.beta;
    op.top_n = c.top_n;
    op.built = 1;
    rs__score_operator_free(&s->op);
    s->op = op;
done:
    for (unsigned w = 0; w < workers; w++) {
        if (c.acc)
            free(c.acc[w]);
        if (c.touched)
            free(c.touched[w]);
        if (c.sel)
            free(c.sel[w]);
        if (c.sel_val)
            free(c.sel_val[w]);
    }
    for (size_t i = 0; i < is && c.row_col; i++) {
        free(c.row_col[i]);
        free(c.row_val[i]);
    }
    free(c.acc), free(c.touched), free(c.sel), free(c.sel_val);
    free(c.row_col), free(c.row_val), free(c.row_len), free(c.penalty);
    rs__score_bipartite_free(&b);
    return rc;
}

/* w->graph from the user's positive history through the operator. */
void rs__score_operator_apply(const rs_scorer *s, work *w)
{
    const rs__score_operator *op = &s->op;
    for (size_t h = 0; h < w->n_hist; h++) {
        uint32_t i = w->hist[h];
        float hw = w->hist_w[h];
        if (!(hw > 0.0f) || i >= op->rows)
            continue;
        for (uint64_t k = op->start[i]; k < op->start[i + 1]; k++)
            w->graph[op->col[k]] += hw * op->val[k];
    }
    w->graph_from_operator = 1;
}

float rs__score_operator_entry(const rs_scorer *s, uint32_t i, uint32_t j)
{
    const rs__score_operator *op = &s->op;
    if (!op->built || i >= op->rows)
        return 0.0f;
    uint64_t lo = op->start[i], hi = op->start[i + 1];
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (op->col[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < op->start[i + 1] && op->col[lo] == j ? op->val[lo] : 0.0f;
}

/*
 * The witness of a pair: the user u (not exclude) and the relations of the
 * path item i <- u -> item j with the largest (a_ui / d_i)(a_uj / d_u).
 * Returns 1 and fills the nodes/relations, 0 when no user links them.
 */
int rs__score_operator_witness(const rs_scorer *s, uint32_t item_i, uint32_t item_j,
                               uint32_t exclude, uint32_t *user_out, uint32_t *rel_ui_out,
                               uint32_t *rel_uj_out)
{
    rs__graph_csr in, out;
    uint32_t ni = s->item_node[item_i], nj = s->item_node[item_j];
    double best = 0.0;
    int found = 0;
    if (ni == NONE || nj == NONE || s->user_type == NONE)
        return 0;
    rs__graph_adjacency(s->graph, RS_GRAPH_IN, &in);
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &out);
    for (uint32_t e = in.start[ni]; e < in.start[ni] + in.degree[ni]; e++) {
        uint32_t u = in.target[e];
        if (u == exclude || u >= s->node_span ||
            rs__graph_node_type(s->graph, u) != s->user_type || !(edge_weight(s, &in, e) > 0.0))
            continue;
        double du = 0.0, a_ui = 0.0, a_uj = 0.0;
        uint32_t r_ui = NONE, r_uj = NONE;
        for (uint32_t f = out.start[u]; f < out.start[u] + out.degree[u]; f++) {
            uint32_t t = out.target[f];
            double wt;
            if (t >= s->node_span || s->node_item[t] == NONE ||
                !((wt = edge_weight(s, &out, f)) > 0.0))
                continue;
            du += wt;
            if (t == ni) {
                a_ui += wt;
                if (r_ui == NONE)
                    r_ui = out.relation[f];
            } else if (t == nj) {
                a_uj += wt;
                if (r_uj == NONE)
                    r_uj = out.relation[f];
            }
        }
        if (r_ui == NONE || r_uj == NONE || !(du > 0.0))
            continue;
        double v = a_ui * a_uj / du;
        if (!found || v > best) { /* the first (in-edge order) on ties */
            best = v;
            found = 1;
            *user_out = u;
            *rel_ui_out = r_ui;
            *rel_uj_out = r_uj;
        }
    }
    return found;
}

/* ------------------------------------------------------------ persistence */

static void put_f64(unsigned char *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    rs__le_put64(p, bits);
}

static double get_f64(const unsigned char *p)
{
    uint64_t bits = rs__le_get64(p);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

int rs_scorer_save_operator(const rs_scorer *s, rs_graph *graph)
{
    static const char fn[] = "rs_scorer_save_operator";
    if (!s || !graph)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, !s ? "scorer" : "graph");
    if (graph != s->graph)
        return rs__fail(RS_ERR_INVALID, "%s: the graph is not the scorer's", fn);
    if (rs__score_check_fresh(s, fn) != RS_OK)
        return rs_errcode();
    if (!s->op.built)
        return rs__fail(RS_ERR_STATE, "%s: no operator (RS_SCORER_GRAPH_OPERATOR is 0)", fn);
    const rs__score_operator *op = &s->op;
    size_t len, part;
    /* header + start (8 per row + 8) + col and val (4 + 4 per entry) + sum */
    if (rs__mul_size(op->rows + 1, 8, &len) || rs__mul_size(op->nnz, 8, &part) ||
        rs__add_size(len, part, &len) || rs__add_size(len, OP_HEADER + 8, &len))
        return rs__fail(RS_ERR_OVERFLOW, "%s: an operator of %zu entries is too large", fn,
                        op->nnz);
    unsigned char *buf = rs__malloc(len), *p = buf;
    if (!buf)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for %zu bytes", fn, len);
    rs__le_put32(p, OP_MAGIC), p += 4;
    rs__le_put32(p, OP_VERSION), p += 4;
    rs__le_put64(p, op->rows), p += 8;
    rs__le_put64(p, op->nnz), p += 8;
    rs__le_put64(p, op->pairs), p += 8;
    put_f64(p, op->beta), p += 8;
    rs__le_put64(p, op->top_n), p += 8;
    for (size_t i = 0; i <= op->rows; i++, p += 8)
        rs__le_put64(p, op->start[i]);
    for (size_t k = 0; k < op->nnz; k++, p += 4)
        rs__le_put32(p, op->col[k]);
    for (size_t k = 0; k < op->nnz; k++, p += 4) {
        uint32_t bits;
        memcpy(&bits, &op->val[k], sizeof bits);
        rs__le_put32(p, bits);
    }
    rs__blob_seal(buf, len);
    int rc = rs__graph_meta_set(graph, OP_META_KEY, buf, len);
    free(buf);
    return rc == RS_OK ? RS_OK : rs__fail_context("%s: ", fn);
}

/* The operator of a blob, checked against the scorer's items and graph. */
static int decode(const rs_scorer *s, const unsigned char *d, size_t len,
                  rs__score_operator *op, const char *fn, size_t pairs_now)
{
    memset(op, 0, sizeof *op);
    unsigned char magic[4];
    size_t end;
    rs__le_put32(magic, OP_MAGIC);
    if (rs__blob_check(d, len, (const char *)magic, 4, "meta", OP_META_KEY, &end) != RS_OK)
        return rs__fail_context("%s: ", fn);
    if (len < OP_HEADER + 8) {
        rs__store_corrupt("meta", OP_META_KEY, "damaged blob (shorter than its header)");
        return rs__fail_context("%s: ", fn);
    }
    if (rs__le_get32(d + 4) != OP_VERSION)
        return rs__fail(RS_ERR_VERSION, "%s: operator format %u, this library reads %u", fn,
                        rs__le_get32(d + 4), OP_VERSION);
    uint64_t rows = rs__le_get64(d + 8), nnz = rs__le_get64(d + 16), pairs = rs__le_get64(d + 24);
    double beta = get_f64(d + 32);
    uint64_t top_n = rs__le_get64(d + 40);
    if (rows != s->item_span || pairs != pairs_now)
        return rs__fail(RS_ERR_STATE, "%s: the operator was built on %llu items and %llu "
                                      "user-item pairs, the scorer has %zu and %zu", fn,
                        (unsigned long long)rows, (unsigned long long)pairs, s->item_span,
                        pairs_now);
    if (!(beta >= 0.0 && beta <= 2.0) || top_n < 1 || top_n > 100000 || nnz > rows * top_n ||
        len != OP_HEADER + 8 + 8 * (rows + 1) + 8 * nnz)
        return rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": bad header (beta %g, top-N %llu, %llu "
                                        "entries, %zu bytes)", fn, OP_META_KEY, beta,
                        (unsigned long long)top_n, (unsigned long long)nnz, len);
    op->start = rs__alloc_array(rows + 1, sizeof(uint64_t));
    op->col = rs__alloc_array(nnz + 1, sizeof(uint32_t));
    op->val = rs__alloc_array(nnz + 1, sizeof(float));
    if (!op->start || !op->col || !op->val) {
        rs__score_operator_free(op);
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for %llu entries", fn,
                        (unsigned long long)nnz);
    }
    const unsigned char *p = d + OP_HEADER;
    for (size_t i = 0; i <= rows; i++, p += 8)
        op->start[i] = rs__le_get64(p);
    for (size_t k = 0; k < nnz; k++, p += 4)
        op->col[k] = rs__le_get32(p);
    for (size_t k = 0; k < nnz; k++, p += 4) {
        uint32_t bits = rs__le_get32(p);
        memcpy(&op->val[k], &bits, sizeof bits);
    }
    int bad = op->start[0] != 0 || op->start[rows] != nnz;
    for (size_t i = 0; i < rows && !bad; i++) {
        bad = op->start[i + 1] < op->start[i] || op->start[i + 1] - op->start[i] > top_n;
        for (uint64_t k = op->start[i]; k < op->start[i + 1] && !bad; k++)
            bad = op->col[k] >= rows || (k > op->start[i] && op->col[k] <= op->col[k - 1]) ||
                  !isfinite(op->val[k]) || op->val[k] < 0.0f;
    }
    if (bad) {
        rs__score_operator_free(op);
        return rs__fail(RS_ERR_CORRUPT, "%s: \"%s\": rows out of order or bad entries", fn,
                        OP_META_KEY);
    }
    op->rows = rows;
    op->nnz = nnz;
    op->pairs = pairs;
    op->beta = beta;
    op->top_n = top_n;
    op->built = 1;
    return RS_OK;
}

int rs_scorer_load_operator(rs_scorer *s, rs_graph *graph)
{
    static const char fn[] = "rs_scorer_load_operator";
    void *blob = NULL;
    size_t len = 0;
    rs__score_bipartite b;
    rs__score_operator op;
    int rc;
    if (!s || !graph)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, !s ? "scorer" : "graph");
    if (graph != s->graph)
        return rs__fail(RS_ERR_INVALID, "%s: the graph is not the scorer's", fn);
    if ((rc = rs__score_check_fresh(s, fn)) != RS_OK)
        return rc;
    if ((rc = rs__graph_meta_get(graph, OP_META_KEY, &blob, &len)) != RS_OK)
        return rc == RS_ERR_NOTFOUND
                   ? rs__fail(RS_ERR_NOTFOUND, "%s: no operator in the file", fn)
                   : rs__fail_context("%s: ", fn);
    /* the count of user-item pairs identifies the graph the operator is of */
    if ((rc = rs__score_bipartite_build(s, &b)) != RS_OK) {
        free(blob);
        return rs__fail_context("%s: ", fn);
    }
    size_t pairs = b.pairs;
    rs__score_bipartite_free(&b);
    rc = decode(s, blob, len, &op, fn, pairs);
    free(blob);
    if (rc != RS_OK)
        return rc;
    rs__score_operator_free(&s->op);
    s->op = op;
    s->op_beta = op.beta;
    s->op_top_n = (int)op.top_n;
    s->graph_op = 1;
    return RS_OK;
}
