/*
 * test_user_clone.c - rs__user_model_clone: the copy is the model a save
 * and a load give back (options, event weights, users in order, interests,
 * texts, histories; an event of an item removed from the store dropped; no
 * collaborative factors), it learns on as the loaded one does, it is
 * independent of its source, and it fails cleanly when out of memory.
 */
#include "testutil.h"

#include "core/alloc.h"
#include "graph_fixture.h"
#include "user/user_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const keys[] = {"lantern", "holder", "mug", "candle", "bowl"};
static const float vecs[][4] = {
    {1, 0.2f, 0, 0}, {0.9f, 0.3f, 0.1f, 0}, {0, 0, 1, 0.1f}, {0.1f, 0, 0, 1}, {0, 1, 0.2f, 0}};

/* "metal ..." -> the lantern's direction, else the bowl's. */
static int embed(void *ctx, const char *const *texts, size_t n, float *out, size_t dim,
                 char *message, size_t message_size)
{
    (void)ctx, (void)message, (void)message_size;
    for (size_t t = 0; t < n; t++)
        for (size_t j = 0; j < dim; j++)
            out[t * dim + j] = strncmp(texts[t], "metal", 5) == 0 ? vecs[0][j] : vecs[4][j];
    return 0;
}

static rs_user_model *make_model(rs_item_store *store, rs_embedder *e)
{
    rs_user_model *m;
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_HALF_LIFE, 100.0));
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_TEXT_WEIGHT, 0.4));
    ck_assert_ok(rs_user_model_set_event_weight(m, "reviewed", 2.5));
    ck_assert_ok(rs_user_model_set_event_weight(m, "viewed", 0.1));
    ck_assert_ok(rs_user_model_observe(m, "alice", "lantern", "bought", 1.0, 10));
    ck_assert_ok(rs_user_model_observe(m, "alice", "mug", "viewed", 1.0, 50));
    ck_assert_ok(rs_user_model_observe(m, "alice", "holder", "reviewed", -0.5, 200));
    ck_assert_ok(rs_user_model_observe(m, "bob", "candle", NULL, 1.0, 5));
    ck_assert_ok(rs_user_model_observe(m, "bob", "mug", NULL, 2.0, 6));
    ck_assert_ok(rs_user_model_observe_text(m, "bob", "metal lantern", 1.0, 7, e));
    ck_assert_ok(rs_user_model_observe_text(m, "carol", "wooden bowl", 2.0, 1, e));
    ck_assert_ok(rs_user_model_observe(m, "dave", "bowl", "bought", 1.0, 3));
    return m;
}

/* Every field the scorer and the simulator read, bit for bit. */
static void assert_same(const rs_user_model *a, const rs_user_model *b)
{
    ck_assert_ptr_eq(a->store, b->store);
    ck_assert_uint_eq(a->dim, b->dim);
    ck_assert_mem_eq(&a->half_life, &b->half_life, sizeof a->half_life);
    ck_assert_mem_eq(&a->text_weight, &b->text_weight, sizeof a->text_weight);
    ck_assert_ptr_null(b->cf);
    const char *events[] = {"bought", "carted", "viewed", "reviewed", "clicked"};
    for (size_t e = 0; e < sizeof events / sizeof *events; e++) {
        double x, y;
        ck_assert_ok(rs_user_model_get_event_weight(a, events[e], &x));
        ck_assert_ok(rs_user_model_get_event_weight(b, events[e], &y));
        ck_assert_mem_eq(&x, &y, sizeof x);
    }
    ck_assert_uint_eq(rs__idmap_span(a->users), rs__idmap_span(b->users));
    ck_assert_uint_eq(rs__idmap_count(a->users), rs__idmap_count(b->users));
    for (uint32_t i = 0; i < rs__idmap_span(a->users); i++) {
        const char *ka = rs__idmap_key(a->users, i, NULL), *kb = rs__idmap_key(b->users, i, NULL);
        ck_assert_ptr_nonnull(ka);
        ck_assert_str_eq(ka, kb);
        const rs__user *x = &a->recs[i], *y = &b->recs[i];
        ck_assert_int_eq(x->t_ref, y->t_ref);
        ck_assert_int_eq(x->has_time, y->has_time);
        ck_assert_mem_eq(x->interest, y->interest, a->dim * sizeof(float));
        ck_assert_int_eq(x->text != NULL, y->text != NULL);
        if (x->text)
            ck_assert_mem_eq(x->text, y->text, a->dim * sizeof(float));
        ck_assert_uint_eq(x->n, y->n);
        if (x->n) {
            ck_assert_mem_eq(x->items, y->items, x->n * sizeof *x->items);
            ck_assert_mem_eq(x->weights, y->weights, x->n * sizeof *x->weights);
            ck_assert_mem_eq(x->times, y->times, x->n * sizeof *x->times);
        }
    }
}

static rs_user_model *saved_and_loaded(const rs_user_model *m, rs_item_store *store)
{
    rs_graph *g;
    rs_user_model *back;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_user_model_save(m, g, "users"));
    ck_assert_ok(rs_user_model_load(g, "users", store, &back));
    rs_graph_close(g);
    return back;
}

START_TEST(the_clone_is_the_round_trip)
{
    rs_item_store *store;
    rs_embedder *e;
    ck_assert_ok(rs_item_store_create(4, &store));
    for (int i = 0; i < 5; i++)
        ck_assert_ok(rs_item_store_add(store, keys[i], vecs[i], 4, NULL));
    ck_assert_ok(rs_embedder_create_callback(4, embed, NULL, &e));
    rs_user_model *m = make_model(store, e), *copy, *back;
    /* a history item the store no longer holds: dropped by both */
    ck_assert_ok(rs_item_store_remove(store, "mug"));
    back = saved_and_loaded(m, store);
    ck_assert_ok(rs__user_model_clone(m, &copy));
    assert_same(back, copy);
    ck_assert_uint_eq(copy->recs[0].n, 2); /* alice without the mug */
    /* both learn on alike; the source is not touched by its copy */
    for (int k = 0; k < 2; k++) {
        rs_user_model *x = k ? copy : back;
        ck_assert_ok(rs_user_model_set_event_weight(x, "clicked", 0.5));
        ck_assert_ok(rs_user_model_observe(x, "alice", "bowl", "clicked", 1.0, 300));
        ck_assert_ok(rs_user_model_observe(x, "erin", "candle", NULL, 1.0, 301));
        ck_assert_ok(rs_user_model_observe_text(x, "bob", "metal", 1.0, 400, e));
    }
    assert_same(back, copy);
    ck_assert_uint_eq(rs_user_model_count(m), 4);
    ck_assert_uint_eq(m->recs[0].n, 3);
    rs_user_model_free(back);
    rs_user_model_free(copy);
    rs_user_model_free(m);
    rs_embedder_free(e);
    rs_item_store_free(store);
}
END_TEST

START_TEST(an_empty_model_and_no_memory)
{
    rs_item_store *store;
    rs_embedder *e;
    rs_user_model *m, *copy;
    ck_assert_ok(rs_item_store_create(4, &store));
    for (int i = 0; i < 5; i++)
        ck_assert_ok(rs_item_store_add(store, keys[i], vecs[i], 4, NULL));
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs__user_model_clone(m, &copy));
    ck_assert_uint_eq(rs_user_model_count(copy), 0);
    rs_user_model_free(copy);
    rs_user_model_free(m);
    /* every allocation of the copy failing in turn: RS_ERR_NOMEM, nothing
     * out (ASan finds the leaks), until the copy needs no more */
    ck_assert_ok(rs_embedder_create_callback(4, embed, NULL, &e));
    m = make_model(store, e);
    int done = 0;
    for (long n = 1; n < 1000 && !done; n++) {
        rs__alloc_fail_after(n);
        int s = rs__user_model_clone(m, &copy);
        done = s == RS_OK;
        if (done) {
            assert_same(m, copy);
            rs_user_model_free(copy);
        } else {
            ck_assert_int_eq(s, RS_ERR_NOMEM);
            ck_assert_ptr_null(copy);
        }
    }
    rs__alloc_fail_after(0);
    ck_assert(done);
    rs_user_model_free(m);
    rs_embedder_free(e);
    rs_item_store_free(store);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("user_clone");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, the_clone_is_the_round_trip);
    tcase_add_test(tc, an_empty_model_and_no_memory);
    suite_add_tcase(s, tc);
    return s;
}
