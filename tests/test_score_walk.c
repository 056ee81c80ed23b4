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

Suite *test_suite(void)
{
    Suite *s = suite_create("score_walk");
    TCase *tc = tcase_create("walk");
    tcase_add_test(tc, walk_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
