/*
 * retail_build.h - the retail protocol's recommender as a host program gets
 * it: an rs_model file made from the catalogue (item, description), the
 * customers (customer, country) and the interactions (customer, item, time)
 * through rs_model_import_* and rs_model_build, EASE at lambda 500 (the
 * protocol's validation choice), no selection (build.tune=0), then opened
 * again read-only so that several threads may serve it.  Shared by
 * retail_score.c and retail_speed.c.  Header-only: each bench is one program.
 */
#ifndef RS_BENCH_RETAIL_BUILD_H
#define RS_BENCH_RETAIL_BUILD_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recsim.h"

/* A growing TSV text. */
struct retail_text {
    char *data;
    size_t len, cap;
};

static inline void retail_append(struct retail_text *t, const char *a, const char *b,
                                 const char *c)
{
    size_t need = strlen(a) + strlen(b) + (c ? strlen(c) + 1 : 0) + 3;
    if (t->len + need >= t->cap) {
        t->cap = (t->len + need) * 2 + 4096;
        t->data = realloc(t->data, t->cap);
        if (!t->data) {
            fprintf(stderr, "retail_build: out of memory\n");
            exit(1);
        }
    }
    t->len += (size_t)sprintf(t->data + t->len, c ? "%s\t%s\t%s\n" : "%s\t%s\n", a, b,
                              c ? c : "");
}

static inline void retail_check(const char *what, int rc)
{
    if (rc < 0) {
        fprintf(stderr, "retail_build: %s: %s (%s)\n", what, rs_strerror(rc), rs_errmsg());
        exit(1);
    }
}

enum { RETAIL_ITEMS, RETAIL_USERS, RETAIL_EVENTS };

static inline void retail_import(rs_model *m, struct retail_text *t, int kind)
{
    static const char *const props[] = {"description"}, *const attrs[] = {"country"};
    rs_reader *r = NULL;
    retail_check("rs_reader_open_memory",
                 rs_reader_open_memory(t->data, t->len, "retail.tsv", RS_FORMAT_TSV, &r));
    if (kind == RETAIL_ITEMS)
        retail_check("rs_model_import_items",
                     rs_model_import_items(m, r, NULL, NULL, 0, props, 1, NULL));
    else if (kind == RETAIL_USERS)
        retail_check("rs_model_import_users",
                     rs_model_import_users(m, r, NULL, attrs, 1, NULL, 0, NULL, NULL));
    else
        retail_check("rs_model_import_interactions",
                     rs_model_import_interactions(m, r, NULL, "bought", 0, NULL));
    rs_reader_close(r);
    free(t->data);
    memset(t, 0, sizeof *t);
}

/*
 * The model at path (replaced): items[i] / descs[i] for n_items, customers
 * and their countries ("" for none), n_events interactions (time: seconds).
 * Returns it opened read-only.
 */
static inline rs_model *retail_model(const char *path, char *const *items,
                                     char *const *descs, size_t n_items,
                                     char *const *custs, char *const *countries,
                                     size_t n_custs, char *const *ev_user,
                                     char *const *ev_item, const int64_t *ev_time,
                                     size_t n_events)
{
    struct retail_text t = {NULL, 0, 0};
    rs_model *m = NULL;
    char when[32], name[4200];
    unlink(path);
    snprintf(name, sizeof name, "%s-wal", path), unlink(name);
    snprintf(name, sizeof name, "%s-shm", path), unlink(name);
    retail_check("rs_model_open", rs_model_open(path, RS_MODEL_CREATE, &m));
    retail_append(&t, "item", "description", NULL);
    for (size_t i = 0; i < n_items; i++)
        retail_append(&t, items[i], descs[i], NULL);
    retail_import(m, &t, RETAIL_ITEMS);
    retail_append(&t, "user", "country", NULL);
    for (size_t i = 0; i < n_custs; i++)
        retail_append(&t, custs[i], countries[i], NULL);
    retail_import(m, &t, RETAIL_USERS);
    retail_append(&t, "user", "item", "time");
    for (size_t i = 0; i < n_events; i++) {
        snprintf(when, sizeof when, "%" PRId64, ev_time[i]);
        retail_append(&t, ev_user[i], ev_item[i], when);
    }
    retail_import(m, &t, RETAIL_EVENTS);
    retail_check("build.tune", rs_model_set_int(m, "build.tune", 0));
    retail_check("build.cf", rs_model_set_option(m, "build.cf", "ease"));
    retail_check("cf.ease.lambda", rs_model_set_double(m, "cf.ease.lambda", 500.0));
    retail_check("rs_model_build", rs_model_build(m));
    rs_model_close(m);
    retail_check("rs_model_open", rs_model_open(path, RS_MODEL_READONLY, &m));
    return m;
}

/* Remove the model file of path and its companions. */
static inline void retail_remove(const char *path)
{
    char name[4200];
    unlink(path);
    snprintf(name, sizeof name, "%s-wal", path), unlink(name);
    snprintf(name, sizeof name, "%s-shm", path), unlink(name);
}

/* Every scorer option's value of m as text, to restore with
 * retail_restore (a configuration's changes undone). */
struct retail_options {
    const char *name[128];
    char value[128][64];
    size_t n;
};

static inline void retail_save_options(const rs_model *m, struct retail_options *o)
{
    o->n = 0;
    for (size_t i = 0; i < rs_model_option_count() && o->n < 128; i++) {
        const char *name;
        retail_check("rs_model_option_info",
                     rs_model_option_info(i, &name, NULL, NULL, NULL, NULL, NULL, NULL));
        if (strncmp(name, "scorer.", 7) != 0)
            continue;
        retail_check(name, rs_model_get_option(m, name, o->value[o->n], 64, NULL));
        o->name[o->n++] = name;
    }
}

static inline void retail_restore(rs_model *m, const struct retail_options *o)
{
    for (size_t i = 0; i < o->n; i++)
        retail_check(o->name[i], rs_model_set_option(m, o->name[i], o->value[i]));
}

/* "name=value,..." over the scorer's options by their short names (days
 * for half-lives; mode 0/1 = product/blend, cp 0/1 = vectors/tfidf). */
static inline void retail_apply_spec(rs_model *m, const char *spec)
{
    static const struct {
        const char *shortname, *name;
        double scale;
        const char *choices[2];
    } opt[] = {
        {"mode", "scorer.mode", 1, {"product", "blend"}},
        {"hops", "scorer.hops", 1, {NULL, NULL}},
        {"merge", "scorer.history_merge", 1, {NULL, NULL}},
        {"decay", "scorer.decay", 1, {NULL, NULL}},
        {"wc", "scorer.w_content", 1, {NULL, NULL}},
        {"wcf", "scorer.w_collab", 1, {NULL, NULL}},
        {"wg", "scorer.w_graph", 1, {NULL, NULL}},
        {"wp", "scorer.w_popularity", 1, {NULL, NULL}},
        {"pen", "scorer.pop_penalty", 1, {NULL, NULL}},
        {"wcold", "scorer.w_cold_popularity", 1, {NULL, NULL}},
        {"hhl", "scorer.history_half_life", 86400, {NULL, NULL}},
        {"phl", "scorer.pop_half_life", 86400, {NULL, NULL}},
        {"wfb", "scorer.w_first_basket", 1, {NULL, NULL}},
        {"wseg", "scorer.w_segment", 1, {NULL, NULL}},
        {"shrink", "scorer.segment_shrink", 1, {NULL, NULL}},
        {"combo", "scorer.combo_shrink", 1, {NULL, NULL}},
        {"shl", "scorer.segment_half_life", 86400, {NULL, NULL}},
        {"op", "scorer.graph_operator", 1, {NULL, NULL}},
        {"topn", "scorer.operator_top_n", 1, {NULL, NULL}},
        {"beta", "scorer.operator_beta", 1, {NULL, NULL}},
        {"cp", "scorer.content_profile", 1, {"vectors", "tfidf"}},
    };
    char *copy = strdup(spec), text[64];
    for (char *c = strtok(copy, ","); c; c = strtok(NULL, ",")) {
        char *eq = strchr(c, '=');
        size_t i;
        if (!eq)
            continue;
        *eq = '\0';
        for (i = 0; i < sizeof opt / sizeof opt[0] && strcmp(opt[i].shortname, c); i++)
            ;
        if (i == sizeof opt / sizeof opt[0]) {
            fprintf(stderr, "retail_build: unknown option %s\n", c);
            exit(1);
        }
        double v = atof(eq + 1) * opt[i].scale;
        if (opt[i].choices[0])
            snprintf(text, sizeof text, "%s", opt[i].choices[v != 0]);
        else
            snprintf(text, sizeof text, "%.17g", v);
        retail_check(opt[i].name, rs_model_set_option(m, opt[i].name, text));
    }
    free(copy);
}

#endif
