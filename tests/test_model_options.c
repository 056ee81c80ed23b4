/*
 * test_model_options.c - the model's option table (src/model/model_options.c):
 * every default parses and equals the handle's own default (where the table
 * does not say it differs), typed and text setters with their errors
 * (unknown names with the nearest ones, bounds, NaN, parse errors, types),
 * scorer options reaching a live scorer at once, and the saved form
 * (round trip, checksum, unknown and damaged entries).
 */
#include "testutil.h"

#include "graph/graph_internal.h"
#include "model/model_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* A model with options only (no file, no parts), as set/get see it. */
static void bare_model(rs_model *m)
{
    memset(m, 0, sizeof *m);
    rs__model_options_init(&m->options);
}

START_TEST(table_is_well_formed)
{
    size_t n = rs_model_option_count();
    ck_assert_uint_ge(n, 60);
    ck_assert_uint_le(n, RS__MODEL_MAX_OPTIONS);
    rs_model m;
    bare_model(&m);
    for (size_t i = 0; i < n; i++) {
        const char *name, *def, *choices, *desc;
        int type;
        double lo, hi;
        char buf[256];
        ck_assert_ok(rs_model_option_info(i, &name, &type, &lo, &hi, &def, &choices, &desc));
        ck_assert_msg(strchr(name, '.') != NULL, "%s has no family prefix", name);
        ck_assert_msg(strlen(desc) > 10, "%s has no description", name);
        ck_assert_msg(type >= RS_OPTION_INT && type <= RS_OPTION_STRING, "%s type", name);
        if (type == RS_OPTION_INT || type == RS_OPTION_DOUBLE)
            ck_assert_msg(lo <= hi, "%s bounds", name);
        ck_assert_msg((type == RS_OPTION_CHOICE) == (choices[0] != '\0'), "%s choices", name);
        for (size_t j = 0; j < i; j++) {
            const char *other;
            ck_assert_ok(rs_model_option_info(j, &other, NULL, NULL, NULL, NULL, NULL, NULL));
            ck_assert_msg(strcmp(name, other) != 0, "%s twice", name);
        }
        /* the default is a value of its own option, and reads back as itself */
        ck_assert_ok(rs_model_set_option(&m, name, def));
        ck_assert_ok(rs_model_get_option(&m, name, buf, sizeof buf, NULL));
        if (type == RS_OPTION_DOUBLE) {
            ck_assert_msg(strtod(buf, NULL) == strtod(def, NULL), "%s: %s vs %s", name, buf,
                          def);
        } else {
            ck_assert_str_eq(buf, def);
        }
    }
    ck_assert_status(rs_model_option_info(n, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     RS_ERR_RANGE);
    rs__model_options_free(&m.options);
}
END_TEST

/* Compare every int/double option id 0..199 of two handles of one kind. */
#define SAME_OPTIONS(get_int, get_double, int_type, a, b, skip_id)                        \
    do {                                                                                  \
        for (int id = 0; id < 200; id++) {                                                \
            int_type x, y;                                                                \
            double dx, dy;                                                                \
            if (id == (skip_id))                                                          \
                continue;                                                                 \
            if (get_int(a, id, &x) == RS_OK) {                                            \
                ck_assert_ok(get_int(b, id, &y));                                         \
                ck_assert_msg(x == y, #get_int " option %d: table %lld, handle %lld", id, \
                              (long long)x, (long long)y);                                \
            }                                                                             \
            if (get_double(a, id, &dx) == RS_OK) {                                        \
                ck_assert_ok(get_double(b, id, &dy));                                     \
                ck_assert_msg(dx == dy || (isnan(dx) && isnan(dy)),                       \
                              #get_double " option %d: table %g, handle %g", id, dx, dy); \
            }                                                                             \
        }                                                                                 \
        rs_clear_error();                                                                 \
    } while (0)

START_TEST(defaults_are_the_handles_defaults)
{
    struct rs__model_options o;
    rs__model_options_init(&o);

    /* embedder: all equal but graph rounds (the model builds text-only by
     * default, measured as good on the retail log) */
    rs_embedder *e1, *e2;
    ck_assert_ok(rs_embedder_create_hashing(&e1));
    ck_assert_ok(rs_embedder_create_hashing(&e2));
    ck_assert_ok(rs__model_options_apply_embedder(&o, e1));
    SAME_OPTIONS(rs_embedder_get_int, rs_embedder_get_double, int64_t, e1, e2,
                 RS_EMBEDDER_GRAPH_ROUNDS);
    int64_t rounds;
    ck_assert_ok(rs_embedder_get_int(e1, RS_EMBEDDER_GRAPH_ROUNDS, &rounds));
    ck_assert_int_eq(rounds, 0);
    rs_embedder_free(e1);
    rs_embedder_free(e2);

    /* collaborative models, each kind */
    const int kinds[] = {RS_CF_ALS,   RS_CF_ITEMKNN, RS_CF_EASE,      RS_CF_RP3BETA,
                         RS_CF_EDLAE, RS_CF_GFCF,    RS_CF_EASE_PAIRS};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        rs_cf_model *c1, *c2;
        ck_assert_ok(rs_cf_model_create(kinds[k], &c1));
        ck_assert_ok(rs_cf_model_create(kinds[k], &c2));
        ck_assert_ok(rs__model_options_apply_cf(&o, c1));
        SAME_OPTIONS(rs_cf_model_get_int, rs_cf_model_get_double, long long, c1, c2, -1);
        rs_cf_model_free(c1);
        rs_cf_model_free(c2);
    }

    /* simulator */
    const float items[] = {1, 0, 0, 1, 1, 1};
    rs_sim *s1, *s2;
    ck_assert_ok(rs_sim_create(items, 3, 2, NULL, 0, 4, 1, &s1));
    ck_assert_ok(rs_sim_create(items, 3, 2, NULL, 0, 4, 1, &s2));
    ck_assert_ok(rs__model_options_apply_sim(&o, s1));
    SAME_OPTIONS(rs_sim_get_int, rs_sim_get_double, int64_t, s1, s2, -1);
    rs_sim_free(s1);
    rs_sim_free(s2);

    /* runner */
    rs_events *ev;
    rs_eval *v1, *v2;
    ck_assert_ok(rs_events_create(&ev));
    ck_assert_ok(rs_events_add(ev, "u", "a", 1, 1));
    ck_assert_ok(rs_events_add(ev, "u", "b", 2, 1));
    ck_assert_ok(rs_events_split_last(ev, 1, 1, RS_PART_TEST));
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &v1));
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &v2));
    ck_assert_ok(rs__model_options_apply_eval(&o, v1));
    for (int id = 0; id < 50; id++) {
        int64_t x, y;
        if (rs_eval_get_int(v1, id, &x) == RS_OK) {
            ck_assert_ok(rs_eval_get_int(v2, id, &y));
            ck_assert_msg(x == y, "eval option %d: table %lld, handle %lld", id, (long long)x,
                          (long long)y);
        }
    }
    rs_clear_error();
    rs_eval_free(v1);
    rs_eval_free(v2);
    rs_events_free(ev);

    /* scorer */
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    rs_scorer *sc1, *sc2;
    const float v[] = {1, 0};
    uint32_t node;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "item", "a", &node));
    ck_assert_ok(rs_item_store_create(2, &store));
    ck_assert_ok(rs_item_store_add(store, "a", v, 2, NULL));
    ck_assert_ok(rs_user_model_create(store, &users));
    ck_assert_ok(rs_scorer_create(g, store, users, &sc1));
    ck_assert_ok(rs_scorer_create(g, store, users, &sc2));
    ck_assert_ok(rs__model_options_apply_scorer(&o, sc1));
    /* all equal but the collaborative input: binary, as the model fits it */
    SAME_OPTIONS(rs_scorer_get_int, rs_scorer_get_double, int64_t, sc1, sc2,
                 RS_SCORER_COLLAB_BINARY);
    int64_t binary;
    ck_assert_ok(rs_scorer_get_int(sc1, RS_SCORER_COLLAB_BINARY, &binary));
    ck_assert_int_eq(binary, 1);
    rs_scorer_free(sc1);
    rs_scorer_free(sc2);
    rs_user_model_free(users);
    rs_item_store_free(store);
    rs_graph_close(g);
    rs__model_options_free(&o);
}
END_TEST

START_TEST(setters_reject_bad_values_and_change_nothing)
{
    rs_model m;
    char buf[64];
    size_t len = 0;
    int64_t i;
    double d;
    bare_model(&m);

    ck_assert_ok(rs_model_set_option(&m, "scorer.w_popularity", "0.25"));
    ck_assert_ok(rs_model_get_double(&m, "scorer.w_popularity", &d));
    ck_assert(d == 0.25);

    /* unknown names: the nearest ones are listed */
    ck_assert_status(rs_model_set_option(&m, "scorer.w_populrity", "1"), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("scorer.w_popularity");
    ck_assert_status(rs_model_set_double(&m, "w_popularity", 1), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("scorer.w_popularity");
    ck_assert_status(rs_model_get_int(&m, "no.such.option.at.all.anywhere", &i),
                     RS_ERR_NOTFOUND);

    /* bounds, NaN, Inf, text that is no number: the bounds in the message */
    ck_assert_status(rs_model_set_option(&m, "scorer.w_popularity", "1e9"), RS_ERR_RANGE);
    ck_assert_errmsg_has("1000");
    ck_assert_status(rs_model_set_double(&m, "scorer.w_popularity", NAN), RS_ERR_RANGE);
    ck_assert_status(rs_model_set_double(&m, "scorer.w_popularity", INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_model_set_option(&m, "scorer.w_popularity", "nan"), RS_ERR_RANGE);
    ck_assert_status(rs_model_set_option(&m, "scorer.w_popularity", "abc"), RS_ERR_PARSE);
    ck_assert_status(rs_model_set_option(&m, "scorer.w_popularity", ""), RS_ERR_PARSE);
    ck_assert_status(rs_model_set_option(&m, "scorer.hops", "2.5"), RS_ERR_PARSE);
    ck_assert_status(rs_model_set_option(&m, "scorer.hops", "7"), RS_ERR_RANGE);
    ck_assert_status(rs_model_set_option(&m, "scorer.hops", "99999999999999999999"),
                     RS_ERR_RANGE);
    ck_assert_status(rs_model_set_int(&m, "scorer.hops", 0), RS_ERR_RANGE);
    ck_assert_errmsg_has("[1, 6]");
    ck_assert_ok(rs_model_get_double(&m, "scorer.w_popularity", &d));
    ck_assert(d == 0.25);
    ck_assert_ok(rs_model_get_int(&m, "scorer.hops", &i));
    ck_assert_int_eq(i, 3);

    /* the one option that takes -inf */
    ck_assert_ok(rs_model_set_option(&m, "scorer.min_score", "0.5"));
    ck_assert_ok(rs_model_set_double(&m, "scorer.min_score", -INFINITY));
    ck_assert_ok(rs_model_get_option(&m, "scorer.min_score", buf, sizeof buf, NULL));
    ck_assert_str_eq(buf, "-inf");
    ck_assert_status(rs_model_set_double(&m, "scorer.min_score", INFINITY), RS_ERR_RANGE);

    /* choices and strings */
    ck_assert_ok(rs_model_set_option(&m, "build.cf", "als"));
    ck_assert_int_eq(rs__model_options_cf_kind(&m.options), RS_CF_ALS);
    ck_assert_ok(rs_model_set_option(&m, "build.cf", "gfcf"));
    ck_assert_int_eq(rs__model_options_cf_kind(&m.options), RS_CF_GFCF);
    ck_assert_ok(rs_model_set_option(&m, "build.cf", "none"));
    ck_assert_int_eq(rs__model_options_cf_kind(&m.options), -1);
    ck_assert_status(rs_model_set_option(&m, "build.cf", "svd"), RS_ERR_RANGE);
    ck_assert_errmsg_has("ease");
    ck_assert_int_eq(rs__model_options_cf_kind(&m.options), -1);
    ck_assert_ok(rs_model_set_option(&m, "build.relation", "bought"));
    ck_assert_str_eq(rs__model_opt_text(&m.options, "build.relation"), "bought");
    ck_assert_status(rs_model_set_option(&m, "build.relation", "bad\xff"), RS_ERR_ENCODING);
    ck_assert_str_eq(rs__model_opt_text(&m.options, "build.relation"), "bought");

    /* types */
    ck_assert_status(rs_model_get_int(&m, "scorer.w_popularity", &i), RS_ERR_INVALID);
    ck_assert_status(rs_model_get_double(&m, "scorer.hops", &d), RS_ERR_INVALID);
    ck_assert_status(rs_model_set_int(&m, "build.cf", 1), RS_ERR_INVALID);
    ck_assert_status(rs_model_set_double(&m, "scorer.hops", 2), RS_ERR_INVALID);

    /* buffers */
    ck_assert_status(rs_model_get_option(&m, "build.relation", buf, 3, &len), RS_ERR_BUFFER);
    ck_assert_uint_eq(len, 6);
    ck_assert_ok(rs_model_get_option(&m, "build.relation", NULL, 0, &len) == RS_ERR_BUFFER
                     ? RS_OK
                     : -1);

    /* NULLs */
    ck_assert_status(rs_model_set_option(NULL, "scorer.hops", "2"), RS_ERR_INVALID);
    ck_assert_status(rs_model_set_option(&m, NULL, "2"), RS_ERR_INVALID);
    ck_assert_status(rs_model_set_option(&m, "scorer.hops", NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_get_option(NULL, "scorer.hops", buf, sizeof buf, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_save_options(NULL), RS_ERR_INVALID);
    rs__model_options_free(&m.options);
}
END_TEST

START_TEST(scorer_options_reach_a_live_scorer)
{
    rs_model m;
    rs_graph *g;
    rs_item_store *store;
    rs_user_model *users;
    const float v[] = {1, 0};
    uint32_t node;
    double d;
    bare_model(&m);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "item", "a", &node));
    ck_assert_ok(rs_item_store_create(2, &store));
    ck_assert_ok(rs_item_store_add(store, "a", v, 2, NULL));
    ck_assert_ok(rs_user_model_create(store, &users));
    ck_assert_ok(rs_scorer_create(g, store, users, &m.scorer));
    ck_assert_ok(rs_model_set_option(&m, "scorer.w_graph", "0.75"));
    ck_assert_ok(rs_scorer_get_double(m.scorer, RS_SCORER_W_GRAPH, &d));
    ck_assert(d == 0.75);
    ck_assert_ok(rs_model_set_option(&m, "scorer.mode", "product"));
    int64_t mode;
    ck_assert_ok(rs_scorer_get_int(m.scorer, RS_SCORER_MODE, &mode));
    ck_assert_int_eq(mode, RS_SCORER_PRODUCT);
    rs_scorer_free(m.scorer);
    rs_user_model_free(users);
    rs_item_store_free(store);
    rs_graph_close(g);
    rs__model_options_free(&m.options);
}
END_TEST

START_TEST(saved_options_round_trip_and_damage_is_reported)
{
    rs_graph *g;
    struct rs__model_options a, b;
    void *blob;
    size_t len;
    char *text;
    rs_model m;
    bare_model(&m);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));

    /* nothing saved: defaults */
    rs__model_options_init(&b);
    ck_assert_ok(rs__model_options_load(&b, g));
    ck_assert(rs__model_opt_double(&b, "scorer.w_content") == 0.3);

    ck_assert_ok(rs_model_set_option(&m, "scorer.w_content", "0.1234567890123"));
    ck_assert_ok(rs_model_set_option(&m, "build.cf", "knn"));
    ck_assert_ok(rs_model_set_option(&m, "build.relation", "bought"));
    ck_assert_ok(rs_model_set_double(&m, "scorer.min_score", -INFINITY));
    ck_assert_ok(rs__model_options_save(&m.options, g));
    ck_assert_ok(rs__model_options_load(&b, g));
    ck_assert(rs__model_opt_double(&b, "scorer.w_content") == 0.1234567890123);
    /* set by the caller: still fixed after the round trip; defaults are not */
    ck_assert(rs__model_options_explicit(&b, "scorer.w_content"));
    ck_assert(!rs__model_options_explicit(&b, "scorer.w_graph"));
    ck_assert_str_eq(rs__model_opt_text(&b, "build.cf"), "knn");
    ck_assert_str_eq(rs__model_opt_text(&b, "build.relation"), "bought");
    ck_assert(isinf(rs__model_opt_double(&b, "scorer.min_score")));
    ck_assert_ok(rs__model_options_copy(&a, &b));
    ck_assert_str_eq(rs__model_opt_text(&a, "build.relation"), "bought");
    rs__model_options_free(&a);

    /* one flipped byte: the checksum catches it, nothing changes */
    ck_assert_ok(rs__graph_meta_get(g, "model.options", &blob, &len));
    text = blob;
    char *at = strstr(text, "scorer.w_content=0.1");
    ck_assert_ptr_nonnull(at);
    at[strlen("scorer.w_content=0.")] = '9';
    ck_assert_ok(rs__graph_meta_set(g, "model.options", text, len));
    rs__model_options_free(&b);
    rs__model_options_init(&b);
    ck_assert_status(rs__model_options_load(&b, g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("model.options");
    ck_assert(rs__model_opt_double(&b, "scorer.w_content") == 0.3);

    /* a valid checksum over a bad value, and over an unknown name */
    {
        const char *bodies[] = {"scorer.hops=12\n", "later.release.option=1\nscorer.hops=2\n",
                                "no equals sign\n"};
        const int want[] = {RS_ERR_CORRUPT, RS_OK, RS_ERR_CORRUPT};
        for (int t = 0; t < 3; t++) {
            char buf[256];
            int n = snprintf(buf, sizeof buf, "recsim-options 1 %016llx\n%s",
                             (unsigned long long)XXH3_64bits(bodies[t], strlen(bodies[t])),
                             bodies[t]);
            ck_assert_ok(rs__graph_meta_set(g, "model.options", buf, (size_t)n));
            ck_assert_status(rs__model_options_load(&b, g), want[t]);
        }
        ck_assert_int_eq(rs__model_opt_int(&b, "scorer.hops"), 2);
    }
    /* not ours at all */
    ck_assert_ok(rs__graph_meta_set(g, "model.options", "hello", 5));
    ck_assert_status(rs__model_options_load(&b, g), RS_ERR_CORRUPT);
    free(blob);
    rs__model_options_free(&b);
    rs__model_options_free(&m.options);
    rs_graph_close(g);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_options");
    TCase *tc = tcase_create("options");
    tcase_add_test(tc, table_is_well_formed);
    tcase_add_test(tc, defaults_are_the_handles_defaults);
    tcase_add_test(tc, setters_reject_bad_values_and_change_nothing);
    tcase_add_test(tc, scorer_options_reach_a_live_scorer);
    tcase_add_test(tc, saved_options_round_trip_and_damage_is_reported);
    suite_add_tcase(s, tc);
    return s;
}
