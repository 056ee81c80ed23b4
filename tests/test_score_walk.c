/*
 * test_score_walk.c - the scorer's graph propagation (rs__score_propagate)
 * against the plain formulation it replaces, bit for bit in the float item
 * scores it produces: weighted edges and
 * relations, both directions, every walk length, from a user node and from
 * item seeds, with and without entity masses.
 */
#include "testutil.h"

#include "graph/graph_internal.h"
#include "score/score_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The straightforward walk: the specification of the propagation. */
static void reference_walk(const rs_scorer *s, const uint32_t *seeds, const double *seed_mass,
                           size_t n_seeds, int first_hop, float *graph, double *entity)
{
    size_t ns = s->node_span;
    double *mass = calloc(ns + 1, sizeof *mass), *next = calloc(ns + 1, sizeof *next);
    uint32_t *front = malloc((ns + 1) * sizeof *front), *nfront = malloc((ns + 1) * sizeof *nfront);
    size_t n_front = 0;
    rs__graph_csr adj[2];
    ck_assert_ptr_nonnull(mass);
    ck_assert_ptr_nonnull(next);
    ck_assert_ptr_nonnull(front);
    ck_assert_ptr_nonnull(nfront);
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &adj[0]);
    rs__graph_adjacency(s->graph, RS_GRAPH_IN, &adj[1]);
    for (size_t i = 0; i < n_seeds; i++) {
        if (mass[seeds[i]] == 0.0)
            front[n_front++] = seeds[i];
        mass[seeds[i]] += seed_mass[i];
    }
    double hop_w = 1.0;
    for (int h = first_hop; h <= s->hops; h++) {
        size_t nn = 0;
        for (size_t f = 0; f < n_front; f++) {
            uint32_t v = front[f];
            double m = mass[v] * s->inv_strength[v];
            mass[v] = 0.0;
            if (m == 0.0)
                continue;
            for (int d = 0; d < 2; d++)
                for (uint32_t e = adj[d].start[v]; e < adj[d].start[v] + adj[d].degree[v]; e++) {
                    uint32_t t = adj[d].target[e];
                    double c = m * adj[d].weight[e] *
                               rs__graph_relation_weight(s->graph, adj[d].relation[e]);
                    if (t >= ns || c == 0.0)
                        continue;
                    if (next[t] == 0.0)
                        nfront[nn++] = t;
                    next[t] += c;
                }
        }
        for (size_t f = 0; f < nn; f++) {
            uint32_t t = nfront[f];
            if (s->node_item[t] != NONE)
                graph[s->node_item[t]] += (float)(hop_w * next[t]);
            else if (entity && rs__graph_node_type(s->graph, t) != s->user_type)
                entity[t] += hop_w * next[t];
        }
        hop_w *= s->decay;
        double *tm = mass;
        mass = next;
        next = tm;
        uint32_t *tf = front;
        front = nfront;
        nfront = tf;
        n_front = nn;
    }
    free(mass);
    free(next);
    free(front);
    free(nfront);
}

typedef struct walk_fixture {
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *s;
    uint32_t user, items[6];
} walk_fixture;

/* Six items, three users, a country and two tags; weights that do not
 * round trivially (edge 0.3 and 1.7, relation 0.45). */
static void walk_open(walk_fixture *f)
{
    static const char *const keys[] = {"i0", "i1", "i2", "i3", "i4", "i5"};
    uint32_t bought, tagged, from, u[3], tag[2], country;
    float vec[4];
    memset(f, 0, sizeof *f);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &f->g));
    ck_assert_ok(rs_item_store_create(4, &f->store));
    ck_assert_ok(rs_graph_add_relation(f->g, "bought", &bought));
    ck_assert_ok(rs_graph_add_relation(f->g, "tagged", &tagged));
    ck_assert_ok(rs_graph_add_relation(f->g, "from", &from));
    ck_assert_ok(rs_graph_set_relation_weight(f->g, tagged, 0.45));
    for (int i = 0; i < 6; i++) {
        for (int j = 0; j < 4; j++)
            vec[j] = (float)((i * 7 + j * 3) % 5) + 0.25f;
        ck_assert_ok(rs_item_store_add(f->store, keys[i], vec, 4, NULL));
        ck_assert_ok(rs_graph_add_node(f->g, "item", keys[i], &f->items[i]));
    }
    ck_assert_ok(rs_graph_add_node(f->g, "tag", "red", &tag[0]));
    ck_assert_ok(rs_graph_add_node(f->g, "tag", "big", &tag[1]));
    ck_assert_ok(rs_graph_add_node(f->g, "country", "FR", &country));
    for (int k = 0; k < 3; k++) {
        char key[16];
        snprintf(key, sizeof key, "u%d", k);
        ck_assert_ok(rs_graph_add_node(f->g, "user", key, &u[k]));
        ck_assert_ok(rs_graph_add_edge(f->g, u[k], from, country, 1.0, 0, 0));
    }
    static const struct { int u, i; double w; } buys[] = {
        {0, 0, 1.0}, {0, 1, 0.3}, {1, 1, 1.7}, {1, 2, 1.0}, {1, 3, 0.3}, {2, 3, 1.0}, {2, 4, 2.5},
    };
    for (size_t b = 0; b < sizeof buys / sizeof *buys; b++)
        ck_assert_ok(rs_graph_add_edge(f->g, u[buys[b].u], bought, f->items[buys[b].i],
                                       buys[b].w, 0, 0));
    for (int i = 0; i < 6; i++)
        ck_assert_ok(rs_graph_add_edge(f->g, f->items[i], tagged, tag[i % 2], i == 5 ? 0.7 : 1.0,
                                       0, 0));
    f->user = u[0];
    ck_assert_ok(rs_user_model_create(f->store, &f->users));
    ck_assert_ok(rs_scorer_create(f->g, f->store, f->users, &f->s));
}

static void walk_close(walk_fixture *f)
{
    rs_scorer_free(f->s);
    rs_user_model_free(f->users);
    rs_item_store_free(f->store);
    rs_graph_close(f->g);
}

/* One walk both ways; the scratch must come back clean. */
static void compare(walk_fixture *f, const uint32_t *seeds, const double *seed_mass,
                    size_t n_seeds, int first_hop, int entities)
{
    const rs_scorer *s = f->s;
    work w;
    float *want = calloc(s->item_span + 1, sizeof *want);
    double *want_entity = calloc(s->node_span + 1, sizeof *want_entity);
    ck_assert_ok(rs__score_work_init(s, &w));
    ck_assert_ok(rs__score_work_walk(s, &w));
    if (entities)
        ck_assert_ptr_nonnull(w.entity = calloc(s->node_span + 1, sizeof *w.entity));
    for (size_t i = 0; i < n_seeds; i++) {
        if (w.mass[seeds[i]] == 0.0)
            w.front[w.n_front++] = seeds[i];
        w.mass[seeds[i]] += seed_mass[i];
    }
    rs__score_propagate(s, &w, first_hop);
    reference_walk(s, seeds, seed_mass, n_seeds, first_hop, want, entities ? want_entity : NULL);
    ck_assert_mem_eq(w.graph, want, s->item_span * sizeof *want);
    if (entities)
        ck_assert_mem_eq(w.entity, want_entity, s->node_span * sizeof *want_entity);
    ck_assert_uint_eq(w.n_front, 0);
    for (size_t v = 0; v < s->node_span; v++) {
        ck_assert(w.mass[v] == 0.0);
        ck_assert(w.next[v] == 0.0);
    }
    int reached = 0;
    for (size_t i = 0; i < s->item_span; i++)
        reached += want[i] > 0.0f;
    /* items are reached unless the only hop leads from items to users/tags */
    ck_assert_int_eq(reached > 0, first_hop == 1 || s->hops > first_hop);
    rs__score_work_free(&w);
    free(want);
    free(want_entity);
}

START_TEST(walk_matches_reference)
{
    walk_fixture f;
    walk_open(&f);
    double one = 1.0, two[2] = {0.625, 0.375};
    uint32_t items[2];
    items[0] = f.items[1];
    items[1] = f.items[3];
    for (int hops = 1; hops <= 6; hops++) {
        ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_HOPS, hops));
        for (int entities = 0; entities < 2; entities++) {
            compare(&f, &f.user, &one, 1, 1, entities);        /* from the user node */
            if (hops >= 2)
                compare(&f, items, two, 2, 2, entities);       /* from history items */
        }
        ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_DECAY, 0.35));
    }
    walk_close(&f);
}
END_TEST

/* ------------------------------------------------------------ operator */

typedef struct op_fixture {
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *s;
} op_fixture;

#define OP_ITEMS 6
#define OP_USERS 8

static uint32_t op_node(rs_graph *g, const char *type, const char *key)
{
    uint32_t n;
    ck_assert_ok(rs_graph_add_node(g, type, key, &n));
    return n;
}

static void op_edge(rs_graph *g, uint32_t a, const char *rel, uint32_t b, double w)
{
    uint32_t r;
    if (rs_graph_find_relation(g, rel, &r) != RS_OK)
        ck_assert_ok(rs_graph_add_relation(g, rel, &r));
    ck_assert_ok(rs_graph_add_edge(g, a, r, b, w, 0, RS_GRAPH_MERGE_MAX));
}

/* Users u0..u7 with weighted "bought" and "viewed" (relation weight 0.5)
 * edges to items i0..i5, a country node and an item attribute that the
 * operator must ignore; "viewed" duplicates some "bought" pairs. */
static void op_open(op_fixture *f)
{
    static const int buys[OP_USERS][OP_ITEMS] = {
        {2, 1, 0, 0, 1, 0}, {1, 0, 3, 0, 0, 0}, {0, 1, 1, 1, 0, 0}, {1, 1, 0, 0, 0, 2},
        {0, 0, 1, 0, 1, 1}, {1, 0, 0, 1, 0, 0}, {0, 2, 0, 0, 1, 0}, {1, 1, 1, 0, 0, 0}};
    char key[16];
    uint32_t item[OP_ITEMS], r;
    memset(f, 0, sizeof *f);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &f->g));
    ck_assert_ok(rs_item_store_create(2, &f->store));
    for (int i = 0; i < OP_ITEMS; i++) {
        float v[2] = {1.0f, (float)i};
        snprintf(key, sizeof key, "i%d", i);
        ck_assert_ok(rs_item_store_add(f->store, key, v, 2, NULL));
        item[i] = op_node(f->g, "item", key);
    }
    uint32_t colour = op_node(f->g, "colour", "red"), fr = op_node(f->g, "country", "FR");
    op_edge(f->g, item[0], "has_colour", colour, 1.0);
    op_edge(f->g, item[3], "has_colour", colour, 1.0);
    ck_assert_ok(rs_graph_add_relation(f->g, "viewed", &r));
    ck_assert_ok(rs_graph_set_relation_weight(f->g, r, 0.5));
    for (int u = 0; u < OP_USERS; u++) {
        snprintf(key, sizeof key, "u%d", u);
        uint32_t un = op_node(f->g, "user", key);
        op_edge(f->g, un, "has_country", fr, 1.0);
        for (int i = 0; i < OP_ITEMS; i++) {
            if (buys[u][i] >= 1)
                op_edge(f->g, un, "bought", item[i], buys[u][i] == 3 ? 0.5 : 1.0);
            if (buys[u][i] == 2)
                op_edge(f->g, un, "viewed", item[i], 1.0);
        }
    }
    ck_assert_ok(rs_user_model_create(f->store, &f->users));
    ck_assert_ok(rs_scorer_create(f->g, f->store, f->users, &f->s));
}

static void op_close(op_fixture *f)
{
    rs_scorer_free(f->s);
    rs_user_model_free(f->users);
    rs_item_store_free(f->store);
    rs_graph_close(f->g);
}

/* The dense operator of the definition, with its top-n per row (ties to the
 * lower column), into W (OP_ITEMS x OP_ITEMS, 0 outside the top-n). */
static void op_reference(const rs_scorer *s, double beta, size_t top_n, double *W)
{
    double a[OP_USERS][OP_ITEMS] = {{0}}, du[OP_USERS] = {0}, di[OP_ITEMS] = {0};
    rs__graph_csr out;
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &out);
    size_t u = 0;
    for (uint32_t v = 0; v < s->node_span; v++) {
        if (rs__graph_node_type(s->graph, v) != s->user_type)
            continue;
        for (uint32_t e = out.start[v]; e < out.start[v] + out.degree[v]; e++) {
            uint32_t it = s->node_item[out.target[e]];
            if (it != NONE)
                a[u][it] += out.weight[e] * rs__graph_relation_weight(s->graph, out.relation[e]);
        }
        u++;
    }
    ck_assert_uint_eq(u, OP_USERS);
    for (u = 0; u < OP_USERS; u++)
        for (int i = 0; i < OP_ITEMS; i++)
            du[u] += a[u][i], di[i] += a[u][i];
    for (int i = 0; i < OP_ITEMS; i++) {
        double row[OP_ITEMS] = {0};
        for (int j = 0; j < OP_ITEMS; j++) {
            if (j == i)
                continue;
            for (u = 0; u < OP_USERS; u++)
                if (di[i] > 0 && du[u] > 0)
                    row[j] += a[u][i] / di[i] * a[u][j] / du[u];
            row[j] *= di[j] > 0 ? pow(di[j], -beta) : 0.0;
        }
        for (int j = 0; j < OP_ITEMS; j++) {
            size_t better = 0;
            for (int k = 0; k < OP_ITEMS; k++)
                better += (float)row[k] > (float)row[j] || ((float)row[k] == (float)row[j] && k < j);
            W[i * OP_ITEMS + j] = row[j] > 0 && better < top_n ? row[j] : 0.0;
        }
    }
}

static void op_compare(const rs_scorer *s, double beta, size_t top_n)
{
    double W[OP_ITEMS * OP_ITEMS];
    op_reference(s, beta, top_n, W);
    ck_assert_int_eq(s->op.built, 1);
    ck_assert_uint_eq(s->op.rows, OP_ITEMS);
    for (uint32_t i = 0; i < OP_ITEMS; i++)
        for (uint32_t j = 0; j < OP_ITEMS; j++)
            ck_assert_msg(fabs(rs__score_operator_entry(s, i, j) - W[i * OP_ITEMS + j]) < 1e-6,
                          "W[%u][%u] = %g, want %g", i, j, rs__score_operator_entry(s, i, j),
                          W[i * OP_ITEMS + j]);
}

START_TEST(operator_matches_dense_reference)
{
    op_fixture f;
    op_open(&f);
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GRAPH_OPERATOR, 1));
    op_compare(f.s, 0.4, 50);
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_OPERATOR_BETA, 0.9));
    op_compare(f.s, 0.9, 50);
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_OPERATOR_TOP_N, 2));
    op_compare(f.s, 0.9, 2);
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_OPERATOR_BETA, 0.0));
    op_compare(f.s, 0.0, 2);
    ck_assert_status(rs_scorer_set_int(f.s, RS_SCORER_OPERATOR_TOP_N, 0), RS_ERR_RANGE);
    ck_assert_status(rs_scorer_set_double(f.s, RS_SCORER_OPERATOR_BETA, 2.5), RS_ERR_RANGE);

    /* a user's graph signal: its history (graph edges) times the operator */
    double W[OP_ITEMS * OP_ITEMS];
    op_reference(f.s, 0.0, 2, W);
    work w;
    ck_assert_ok(rs__score_prepare_user(f.s, "u3", &w, "test"));
    ck_assert_int_eq(w.graph_from_operator, 1);
    float want[OP_ITEMS] = {0};
    for (size_t h = 0; h < w.n_hist; h++)
        for (int j = 0; j < OP_ITEMS; j++)
            want[j] += w.hist_w[h] * (float)W[w.hist[h] * OP_ITEMS + j];
    for (int j = 0; j < OP_ITEMS; j++)
        ck_assert_float_eq_tol(w.graph[j], want[j], 1e-6f);
    rs__score_work_free(&w);

    /* the same operator, bit for bit, at 1 and 2 threads */
    int threads = rs_get_num_threads();
    ck_assert_ok(rs_set_num_threads(1));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_OPERATOR_TOP_N, 3));
    size_t nnz = f.s->op.nnz;
    float *one = malloc(nnz * sizeof *one);
    memcpy(one, f.s->op.val, nnz * sizeof *one);
    ck_assert_ok(rs_set_num_threads(2));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_OPERATOR_TOP_N, 4));
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_OPERATOR_TOP_N, 3));
    ck_assert_uint_eq(f.s->op.nnz, nnz);
    ck_assert_int_eq(memcmp(one, f.s->op.val, nnz * sizeof *one), 0);
    free(one);
    ck_assert_ok(rs_set_num_threads(threads));

    /* off: the walk again, and the operator dropped */
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GRAPH_OPERATOR, 0));
    ck_assert_ok(rs__score_prepare_user(f.s, "u3", &w, "test"));
    ck_assert_int_eq(w.graph_from_operator, 0);
    rs__score_work_free(&w);
    op_close(&f);
}
END_TEST

START_TEST(operator_explains_a_witness_and_persists)
{
    op_fixture f;
    uint32_t nodes[8], rels[8], top[3];
    size_t len, n;
    int source;
    char text[512];
    const char *type, *key;
    op_open(&f);
    ck_assert_status(rs_scorer_save_operator(f.s, f.g), RS_ERR_STATE); /* not built */
    ck_assert_ok(rs_scorer_set_int(f.s, RS_SCORER_GRAPH_OPERATOR, 1));
    ck_assert_ok(rs_scorer_recommend(f.s, "u5", 3, top, NULL, &n));
    ck_assert_uint_ge(n, 1);
    const char *item = rs_item_store_key(f.store, top[0]);
    ck_assert_ok(rs_scorer_explain(f.s, "u5", item, nodes, rels, 8, &len, NULL, &source, text,
                                   sizeof text));
    /* u5 -> history item <- another user -> the item, all real edges */
    ck_assert_uint_eq(len, 3);
    ck_assert_ok(rs_graph_node_key(f.g, nodes[0], &type, &key));
    ck_assert_str_eq(key, "u5");
    ck_assert_ok(rs_graph_node_key(f.g, nodes[2], &type, &key));
    ck_assert_str_eq(type, "user");
    ck_assert_str_ne(key, "u5");
    ck_assert_uint_eq(nodes[3], f.s->item_node[top[0]]);
    ck_assert_uint_ne(rels[1] & RS_GRAPH_REVERSED, 0);
    ck_assert_msg(strstr(text, "as did user") != NULL, "%s", text);

    /* saved, loaded into a new scorer: the same operator and options */
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_OPERATOR_BETA, 0.7));
    ck_assert_ok(rs_scorer_save_operator(f.s, f.g));
    rs_scorer *t;
    ck_assert_ok(rs_scorer_create(f.g, f.store, f.users, &t));
    ck_assert_ok(rs_scorer_load_operator(t, f.g));
    int64_t on;
    double beta;
    ck_assert_ok(rs_scorer_get_int(t, RS_SCORER_GRAPH_OPERATOR, &on));
    ck_assert_ok(rs_scorer_get_double(t, RS_SCORER_OPERATOR_BETA, &beta));
    ck_assert_int_eq(on, 1);
    ck_assert_double_eq(beta, 0.7);
    ck_assert_uint_eq(t->op.nnz, f.s->op.nnz);
    ck_assert_int_eq(memcmp(t->op.col, f.s->op.col, t->op.nnz * sizeof(uint32_t)), 0);
    ck_assert_int_eq(memcmp(t->op.val, f.s->op.val, t->op.nnz * sizeof(float)), 0);
    /* a damaged blob is refused and leaves the scorer as it was */
    void *blob;
    size_t blen;
    ck_assert_ok(rs__graph_meta_get(f.g, "scorer.operator", &blob, &blen));
    ((unsigned char *)blob)[blen / 2] ^= 1;
    ck_assert_ok(rs__graph_meta_set(f.g, "scorer.operator", blob, blen));
    ck_assert_status(rs_scorer_load_operator(t, f.g), RS_ERR_CORRUPT);
    ck_assert_ok(rs__graph_meta_set(f.g, "scorer.operator", blob, 10));
    ck_assert_status(rs_scorer_load_operator(t, f.g), RS_ERR_CORRUPT);
    free(blob);
    ck_assert_uint_eq(t->op.nnz, f.s->op.nnz);
    ck_assert_status(rs_scorer_load_operator(NULL, f.g), RS_ERR_INVALID);
    rs_scorer_free(t);
    op_close(&f);
}
END_TEST

/* ------------------------------------------------------------ segments */

START_TEST(segment_backoff_reference_values)
{
    op_fixture f;
    uint32_t item[3];
    memset(&f, 0, sizeof f);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &f.g));
    ck_assert_ok(rs_item_store_create(2, &f.store));
    static const char *const keys[3] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        float v[2] = {1.0f, (float)i};
        ck_assert_ok(rs_item_store_add(f.store, keys[i], v, 2, NULL));
        item[i] = op_node(f.g, "item", keys[i]);
    }
    uint32_t fr = op_node(f.g, "country", "FR"), de = op_node(f.g, "country", "DE");
    uint32_t young = op_node(f.g, "age", "18-24"), old = op_node(f.g, "age", "65+");
    static const struct {
        const char *user;
        int fr, young, buys[3];
    } pop[] = {{"u1", 1, 1, {1, 1, 0}}, {"u2", 1, 0, {1, 0, 0}}, {"u3", 0, 1, {0, 0, 1}},
               {"u4", 1, 1, {0, 1, 0}}, {"new", 1, 1, {0, 0, 0}}, {"newde", 0, 0, {0, 0, 0}}};
    for (size_t k = 0; k < sizeof pop / sizeof pop[0]; k++) {
        uint32_t u = op_node(f.g, "user", pop[k].user);
        op_edge(f.g, u, "has_country", pop[k].fr ? fr : de, 1.0);
        if (strcmp(pop[k].user, "newde"))
            op_edge(f.g, u, "has_age", pop[k].young ? young : old, 1.0);
        for (int i = 0; i < 3; i++)
            if (pop[k].buys[i])
                op_edge(f.g, u, "bought", item[i], 1.0);
    }
    ck_assert_ok(rs_user_model_create(f.store, &f.users));
    ck_assert_ok(rs_scorer_create(f.g, f.store, f.users, &f.s));
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_SEGMENT_SHRINK, 2.0));
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_COMBO_SHRINK, 1.0));
    /*
     * By hand: 4 buying users, g = (2, 2, 1) / 4.  FR: 3 users, counts
     * (2, 2, 0): a_FR = ((2 + 1) / 5, (2 + 1) / 5, 0.5 / 5) = (.6, .6, .1).
     * 18-24: 3 users, counts (1, 2, 1): a = (.4, .6, .3).  A = (.5, .6, .2).
     * FR and 18-24 together: u1, u4, counts (1, 2, 0), m2 = 1:
     * C = (1.5 / 3, 2.6 / 3, .2 / 3); over its largest: (15/26, 1, 2/26).
     */
    double parts[RS_SCORER_PARTS];
    const double want[3] = {15.0 / 26.0, 1.0, 2.0 / 26.0};
    for (int i = 0; i < 3; i++) {
        ck_assert_ok(rs_scorer_score(f.s, "new", keys[i], parts, RS_SCORER_PARTS));
        ck_assert_double_eq_tol(parts[RS_SCORER_PART_SEGMENT], want[i], 1e-6);
    }
    /* a combination of no weight backs off to the mean of the attributes */
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_COMBO_SHRINK, 1e6));
    const double mean[3] = {0.5 / 0.6, 1.0, 0.2 / 0.6};
    for (int i = 0; i < 3; i++) {
        ck_assert_ok(rs_scorer_score(f.s, "new", keys[i], parts, RS_SCORER_PARTS));
        ck_assert_double_eq_tol(parts[RS_SCORER_PART_SEGMENT], mean[i], 1e-4);
    }
    /* one attribute, no shrink: DE's one buyer bought c */
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_SEGMENT_SHRINK, 0.0));
    const double de_want[3] = {0.0, 0.0, 1.0};
    for (int i = 0; i < 3; i++) {
        ck_assert_ok(rs_scorer_score(f.s, "newde", keys[i], parts, RS_SCORER_PARTS));
        ck_assert_double_eq_tol(parts[RS_SCORER_PART_SEGMENT], de_want[i], 1e-6);
    }
    /* a huge shrink: the global popularity (a and b tie at 1, c at .5) */
    ck_assert_ok(rs_scorer_set_double(f.s, RS_SCORER_SEGMENT_SHRINK, 1e6));
    const double g_want[3] = {1.0, 1.0, 0.5};
    for (int i = 0; i < 3; i++) {
        ck_assert_ok(rs_scorer_score(f.s, "newde", keys[i], parts, RS_SCORER_PARTS));
        ck_assert_double_eq_tol(parts[RS_SCORER_PART_SEGMENT], g_want[i], 1e-4);
    }
    op_close(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("score_walk");
    TCase *tc = tcase_create("walk");
    tcase_add_test(tc, walk_matches_reference);
    tcase_add_test(tc, operator_matches_dense_reference);
    tcase_add_test(tc, operator_explains_a_witness_and_persists);
    tcase_add_test(tc, segment_backoff_reference_values);
    suite_add_tcase(s, tc);
    return s;
}
