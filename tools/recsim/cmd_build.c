/*
 * cmd_build.c - `recsim build`: rs_model_build on the model file (text
 * embedder, item vectors, collaborative model, user model and options,
 * saved in one transaction: on failure the file is unchanged), with the
 * flags turned into model options.
 */
#include "cli.h"
#include "cli_model.h"
#include "commands.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The option table (rs_model_set_option) lives in model_options.c, merged
 * separately: until it is, flags other than the defaults are refused with a
 * message instead of failing to link.  Remove this pragma once it is in. */
#pragma weak rs_model_set_option

#define MAX_SETS 64

void cmd_build_help(FILE *out)
{
    fputs("usage: recsim build [options] MODEL\n"
          "\n"
          "Fit the text embedder on the item descriptions, embed every item (its text,\n"
          "optionally blended with its graph neighbours), fit the collaborative model\n"
          "and the user model on the user -> item interactions, and save them with the\n"
          "options into the model file MODEL in one transaction: on failure MODEL is\n"
          "left as it was.\n"
          "\n"
          "  --dim N             embedding dimension, 8..4096 (default 256)\n"
          "  --graph-rounds N    blend each item's text vector with its graph\n"
          "                      neighbours' for N rounds, 0..4 (default 0: text\n"
          "                      only; on the retail log 1 and 2 rounds measured no\n"
          "                      better)\n"
          "  --self W            weight of an item's own text against its graph\n"
          "                      neighbourhood, 0..1 (default 0.5)\n"
          "  --cf KIND           collaborative model: ease (default), als, knn, none\n"
          "  --lambda X          regularisation of EASE / ALS (default 500 / 30)\n"
          "  --factors N         ALS factors (default 64)\n"
          "  --iterations N      ALS iterations (default 15)\n"
          "  --neighbors N       item-kNN neighbours kept per item (default 100)\n"
          "  --relation R        interactions are the user->item edges of relation R\n"
          "                      (default: every user->item edge)\n"
          "  --set NAME=VALUE    any model option (see 'recsim options')\n"
          "  --json              print what was built as one JSON object\n",
          out);
}

struct build_args {
    const char *model;
    const char *names[MAX_SETS], *values[MAX_SETS];
    char owned[MAX_SETS][128];
    size_t n_sets;
    bool json;
};

static int add_set(struct build_args *a, const char *name, const char *value)
{
    if (a->n_sets >= MAX_SETS)
        return cli_usage("build", "too many options (at most %d)", MAX_SETS);
    a->names[a->n_sets] = name;
    a->values[a->n_sets++] = value;
    return CLI_OK;
}

static int parse_cf(const char *name)
{
    static const char *const kinds[] = {"ease", "als", "knn", "itemknn", "none"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(name, kinds[i]) == 0)
            return (int)i;
    return -1;
}

/* Flag -> option name, and the CLI's own range check (messages as in 1.0). */
struct flag {
    const char *flag, *option;
    bool integer;
    double min, max;
};
static const struct flag flags[] = {
    {"--dim", "build.dim", true, 8, 4096},
    {"--graph-rounds", "embedder.graph_rounds", true, 0, 4},
    {"--self", "embedder.graph_self", false, 0, 1},
    {"--lambda", "cf.lambda", false, 1e-6, 1e9},
    {"--factors", "cf.factors", true, 1, 1024},
    {"--iterations", "cf.iterations", true, 0, 10000},
    {"--neighbors", "cf.neighbors", true, 0, 1000000},
};

static int parse_flag(struct build_args *a, const struct flag *f, const char *v)
{
    int rc;
    if (f->integer) {
        long n;
        rc = cli_parse_long("build", f->flag, v, (long)f->min, (long)f->max, &n);
    } else {
        double x;
        rc = cli_parse_double("build", f->flag, v, f->min, f->max, &x);
    }
    return rc == CLI_OK ? add_set(a, f->option, v) : rc;
}

static int parse_args(int argc, char **argv, struct build_args *a)
{
    int rc = CLI_OK;
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *arg = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const struct flag *f = NULL;
        for (size_t j = 0; j < sizeof flags / sizeof *flags; j++)
            if (strcmp(arg, flags[j].flag) == 0)
                f = &flags[j];
        if (cli_is_help(arg)) {
            cmd_build_help(stdout);
            return -1;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (arg[0] != '-') {
            if (a->model)
                return cli_usage("build", "unexpected argument '%s'", arg);
            a->model = arg;
        } else if (!v) {
            return cli_usage("build", "%s needs a value", arg);
        } else if (i++, f) {
            rc = parse_flag(a, f, v);
        } else if (strcmp(arg, "--cf") == 0) {
            int kind = parse_cf(v);
            if (kind < 0)
                return cli_usage("build", "--cf must be ease, als, knn or none, not '%s'", v);
            rc = add_set(a, "build.cf", kind == 3 ? "knn" : v);
        } else if (strcmp(arg, "--relation") == 0) {
            rc = add_set(a, "build.relation", v);
        } else if (strcmp(arg, "--set") == 0) {
            const char *eq = strchr(v, '=');
            size_t len = eq ? (size_t)(eq - v) : 0;
            if (!eq || len == 0 || len >= sizeof a->owned[0])
                return cli_usage("build", "--set wants NAME=VALUE, got '%s'", v);
            memcpy(a->owned[a->n_sets], v, len);
            a->owned[a->n_sets][len] = '\0';
            rc = add_set(a, a->owned[a->n_sets], eq + 1);
        } else {
            return cli_usage("build", "unknown option '%s'", arg);
        }
    }
    if (rc == CLI_OK && !a->model)
        return cli_usage("build", "needs MODEL");
    return rc;
}

static void report(rs_model *m, const struct build_args *a, double seconds)
{
    const rs_embedder *embedder = rs_model_embedder(m);
    const rs_cf_model *cf = rs_model_cf_model(m);
    size_t items = rs_model_item_count(m), dim = rs_embedder_dim(embedder);
    size_t users = rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY);
    size_t events = rs_model_count(m, RS_MODEL_COUNT_EVENTS);
    int64_t rounds = 0;
    rs_embedder_get_int(embedder, RS_EMBEDDER_GRAPH_ROUNDS, &rounds);
    if (a->json) {
        printf("{\"model\": ");
        cli_json_string(stdout, a->model);
        printf(", \"items\": %zu, \"dim\": %zu, \"graph_rounds\": %lld, \"cf\": \"%s\", "
               "\"users\": %zu, \"interactions\": %zu, \"seconds\": %.3f}\n",
               items, dim, (long long)rounds, cli_cf_kind_name(cf), users, events, seconds);
        return;
    }
    printf("built %s in %.2f s\n", a->model, seconds);
    printf("  text embedder   hashing tf-idf, dim %zu\n", dim);
    printf("  item vectors    %zu items, %s\n", items,
           rounds ? "text blended with graph neighbours" : "text only");
    printf("  user model      %zu users with a history\n", users);
    if (cf)
        printf("  collaborative   %s on %zu users x %zu items, %zu interactions\n",
               cli_cf_kind_name(cf), users, items, events);
    else
        printf("  collaborative   none%s\n", events ? "" : " (no interactions)");
}

int cmd_build(int argc, char **argv)
{
    struct build_args a;
    rs_model *m = NULL;
    double t0 = cli_now();
    int rc = parse_args(argc, argv, &a), s;
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (cli_open_model(a.model, 0, &m) != CLI_OK)
        return CLI_FAILURE;
    for (size_t i = 0; i < a.n_sets; i++) {
        if (!rs_model_set_option) {
            rs_model_close(m);
            return cli_fail("cannot build %s with %s: this librecsim has no model option "
                            "table yet (the file is unchanged)", a.model, a.names[i]);
        }
        if ((s = rs_model_set_option(m, a.names[i], a.values[i])) != RS_OK) {
            rs_model_close(m);
            return cli_fail_status(s, "cannot build %s (the file is unchanged)", a.model);
        }
    }
    if (!cli_quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "build: fitting and saving %s ...\n", a.model);
    if ((s = rs_model_build(m)) != RS_OK) {
        rc = cli_fail_status(s, "cannot build %s (the file is unchanged)", a.model);
        rs_model_close(m);
        return rc;
    }
    report(m, &a, cli_now() - t0);
    rs_model_close(m);
    return CLI_OK;
}
