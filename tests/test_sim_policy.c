/*
 * test_sim_policy.c - the library's scorer as the simulator's policy:
 * closing the loop (clicks observed in the scorer's user model), slates that
 * never repeat an item already shown, reproducibility across thread counts,
 * rs_sim_create_from_store, and bad input.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PI_ITEMS 60
#define PI_DIM 6

typedef struct world {
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *scorer;
} world;

static uint64_t mixp(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void world_open(world *w)
{
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &w->g));
    ck_assert_ok(rs_item_store_create(PI_DIM, &w->store));
    uint32_t rel, node, cat[4];
    ck_assert_ok(rs_graph_add_relation(w->g, "in_category", &rel));
    for (int c = 0; c < 4; c++) {
        char key[16];
        snprintf(key, sizeof key, "c%d", c);
        ck_assert_ok(rs_graph_add_node(w->g, "category", key, &cat[c]));
    }
    for (int i = 0; i < PI_ITEMS; i++) {
        char key[16];
        float v[PI_DIM];
        snprintf(key, sizeof key, "i%d", i);
        for (int k = 0; k < PI_DIM; k++)
            v[k] = (float)((double)(mixp((uint64_t)i * 31 + (uint64_t)k + 1) % 2000) / 1000.0 - 1);
        ck_assert_ok(rs_item_store_add(w->store, key, v, PI_DIM, NULL));
        ck_assert_ok(rs_graph_add_node(w->g, "item", key, &node));
        ck_assert_ok(rs_graph_add_edge(w->g, node, rel, cat[i % 4], 1.0, 0, RS_GRAPH_MERGE_MAX));
    }
    ck_assert_ok(rs_user_model_create(w->store, &w->users));
    ck_assert_ok(rs_scorer_create(w->g, w->store, w->users, &w->scorer));
}

static void world_close(world *w)
{
    rs_scorer_free(w->scorer);
    rs_user_model_free(w->users);
    rs_item_store_free(w->store);
    rs_graph_close(w->g);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    return b;
}

/* Run 40 users x 5 steps; return the trace text and the clicked histories. */
static char *run_loop_m(int threads, int flags, size_t *observed, uint32_t *hist,
                        size_t *n_hist, double noclick)
{
    world w;
    world_open(&w);
    rs_sim *s;
    ck_assert_ok(rs_sim_create_from_store(w.store, NULL, 0, 40, 5, &s));
    ck_assert_ok(rs_sim_set_int(s, RS_SIM_THREADS, threads));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, noclick));
    char path[] = "/tmp/rs_sim_policyXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ok(rs_sim_run_scorer(s, w.scorer, w.users, NULL, 5, 4, flags, path));
    char *t = slurp(path);
    unlink(path);
    *observed = rs_user_model_count(w.users);
    if (hist) {
        ck_assert_ok(rs_user_model_history(w.users, "sim-3", hist, NULL, 64, n_hist));
    }
    double imp;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_IMPRESSIONS, &imp));
    ck_assert_double_eq(imp, 200);
    rs_sim_free(s);
    world_close(&w);
    return t;
}

static char *run_loop(int threads, int flags, size_t *observed, uint32_t *hist, size_t *n_hist)
{
    return run_loop_m(threads, flags, observed, hist, n_hist, 1.0);
}

START_TEST(cached_rankings_give_the_scorers_slates)
{
    /* few clicks, so most slates come from the cached ranking: the run is
     * the same as asking the scorer at every step */
    size_t obs_a, obs_b, na = 0, nb = 0;
    uint32_t ha[64], hb[64];
    char *a = run_loop_m(2, 0, &obs_a, ha, &na, 30.0);
    char *b = run_loop_m(1, RS_SIM_NO_CACHE, &obs_b, hb, &nb, 30.0);
    ck_assert_str_eq(a, b);
    ck_assert_uint_eq(obs_a, obs_b);
    ck_assert_uint_gt(obs_a, 0);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(ha, hb, na * sizeof *ha), 0);
    free(a);
    free(b);
}
END_TEST

START_TEST(closes_the_loop)
{
    size_t obs1, obs2, obs0, n_hist = 0;
    uint32_t hist[64];
    char *a = run_loop(1, 0, &obs1, hist, &n_hist);
    char *b = run_loop(2, 0, &obs2, NULL, NULL);
    ck_assert_str_eq(a, b); /* bitwise the same whatever the thread count */
    ck_assert_uint_eq(obs1, obs2);
    ck_assert_uint_gt(obs1, 20); /* most users clicked and were observed */
    /* a clicked item is in the history and never recommended again */
    for (size_t i = 0; i < n_hist; i++)
        for (size_t j = i + 1; j < n_hist; j++)
            ck_assert_uint_ne(hist[i], hist[j]);
    char *c = run_loop(2, RS_SIM_NO_FEEDBACK, &obs0, NULL, NULL);
    ck_assert_uint_eq(obs0, 0); /* feedback disabled: the model is untouched */
    free(a);
    free(b);
    free(c);
}
END_TEST


/* Clicks are stamped after the model's latest event: with a one-day
 * half-life in the user model, a click stamped at the step number would
 * weigh 2^(-1e9 / 86400) = 0 against an event at time 1e9 and leave the
 * interest as it was. */
START_TEST(clicks_count_as_current)
{
    world w;
    world_open(&w);
    rs_scorer_free(w.scorer);
    ck_assert_ok(rs_user_model_set_double(w.users, RS_USER_HALF_LIFE, 86400.0));
    ck_assert_ok(rs_user_model_observe(w.users, "real", "i0", "bought", 1.0, 1000000000));
    ck_assert_ok(rs_scorer_create(w.g, w.store, w.users, &w.scorer));
    float before[PI_DIM], after[PI_DIM];
    ck_assert_ok(rs_user_model_interest(w.users, "real", before, PI_DIM));
    rs_sim *s;
    const char *keys[] = {"real"};
    ck_assert_ok(rs_sim_create_from_store(w.store, NULL, 0, 1, 5, &s));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 1e-6));
    ck_assert_ok(rs_sim_run_scorer(s, w.scorer, w.users, keys, 3, 4, 0, NULL));
    double clicks;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_CLICKS, &clicks));
    ck_assert_double_gt(clicks, 0);
    ck_assert_ok(rs_user_model_interest(w.users, "real", after, PI_DIM));
    double dot = 0, nb = 0, na = 0;
    for (int k = 0; k < PI_DIM; k++) {
        dot += (double)before[k] * after[k];
        nb += (double)before[k] * before[k];
        na += (double)after[k] * after[k];
    }
    ck_assert_double_lt(dot / sqrt(nb * na), 0.99); /* the clicks moved it */
    rs_sim_free(s);
    world_close(&w);
}
END_TEST

START_TEST(never_repeats_shown_items)
{
    /* 60 items, slates of 4, 15 steps: exactly the catalogue, no repeats;
     * a 16th step starts the exposure over instead of failing */
    world w;
    world_open(&w);
    rs_sim *s;
    ck_assert_ok(rs_sim_create_from_store(w.store, NULL, 0, 3, 9, &s));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 1e12)); /* nobody clicks */
    char path[] = "/tmp/rs_sim_policyXXXXXX";
    int fd = mkstemp(path);
    close(fd);
    ck_assert_ok(rs_sim_run_scorer(s, w.scorer, w.users, NULL, 16, 4, 0, path));
    double cov, imp;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_COVERAGE, &cov));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_IMPRESSIONS, &imp));
    ck_assert_double_eq(imp, 48);
    ck_assert_double_eq(cov, 1.0); /* each user saw the whole catalogue */
    unlink(path);
    /* with SHOW_AGAIN the scorer's favourites come back: far less coverage */
    ck_assert_ok(rs_sim_populate(s));
    ck_assert_ok(rs_sim_run_scorer(s, w.scorer, w.users, NULL, 16, 4, RS_SIM_SHOW_AGAIN, NULL));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_COVERAGE, &cov));
    ck_assert(cov < 0.5);
    rs_sim_free(s);
    world_close(&w);
}
END_TEST

START_TEST(from_store_and_bad_input)
{
    world w;
    world_open(&w);
    rs_sim *s = NULL;
    ck_assert_status(rs_sim_create_from_store(NULL, NULL, 0, 3, 1, &s), RS_ERR_INVALID);
    ck_assert_status(rs_sim_create_from_store(w.store, NULL, 0, 3, 1, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_sim_create_from_store(w.store, NULL, 0, 0, 1, &s), RS_ERR_RANGE);
    ck_assert_ok(rs_sim_create_from_store(w.store, NULL, 0, 3, 1, &s));
    /* simulator item i is store index i */
    uint32_t slate[1] = {7};
    float v[PI_DIM], iv[PI_DIM];
    ck_assert_ok(rs_item_store_get(w.store, rs_item_store_key(w.store, 7), v, PI_DIM));
    ck_assert_ok(rs_sim_set_interest(s, 0, v, PI_DIM));
    ck_assert_ok(rs_sim_get_interest(s, 0, iv, PI_DIM));
    double u;
    ck_assert_ok(rs_sim_utilities(s, 0, slate, 1, &u));
    ck_assert(u > 0);
    ck_assert_status(rs_sim_run_scorer(NULL, w.scorer, w.users, NULL, 1, 4, 0, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_run_scorer(s, NULL, w.users, NULL, 1, 4, 0, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_sim_run_scorer(s, w.scorer, NULL, NULL, 1, 4, 0, NULL), RS_ERR_INVALID);
    rs_user_model *other;
    ck_assert_ok(rs_user_model_create(w.store, &other));
    ck_assert_status(rs_sim_run_scorer(s, w.scorer, other, NULL, 1, 4, 0, NULL),
                     RS_ERR_INVALID);
    ck_assert_errmsg_has("not the scorer's");
    rs_user_model_free(other);
    ck_assert_status(rs_sim_run_scorer(s, w.scorer, w.users, NULL, 1, 0, 0, NULL), RS_ERR_RANGE);
    ck_assert_status(rs_sim_run_scorer(s, w.scorer, w.users, NULL, 1, 4, 16, NULL),
                     RS_ERR_INVALID);
    const char *keys[3] = {"a", "", "c"};
    ck_assert_status(rs_sim_run_scorer(s, w.scorer, w.users, keys, 1, 4, 0, NULL),
                     RS_ERR_INVALID);
    ck_assert_errmsg_has("user_keys[1]");
    keys[1] = "b";
    ck_assert_ok(rs_sim_run_scorer(s, w.scorer, w.users, keys, 2, 4, 0, NULL));
    ck_assert_status(rs_sim_run_scorer(s, w.scorer, w.users, keys, 1, 4, 0,
                                       "/nonexistent/dir/trace.csv"), RS_ERR_IO);
    rs_sim *small;
    float items[PI_DIM * 2] = {0};
    items[0] = 1;
    ck_assert_ok(rs_sim_create(items, 2, PI_DIM, NULL, 0, 3, 1, &small));
    ck_assert_status(rs_sim_run_scorer(small, w.scorer, w.users, NULL, 1, 4, 0, NULL),
                     RS_ERR_DIM);
    rs_sim_free(small);
    rs_sim_free(s);
    world_close(&w);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_policy");
    TCase *tc = tcase_create("scorer policy");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, closes_the_loop);
    tcase_add_test(tc, clicks_count_as_current);
    tcase_add_test(tc, cached_rankings_give_the_scorers_slates);
    tcase_add_test(tc, never_repeats_shown_items);
    tcase_add_test(tc, from_store_and_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
