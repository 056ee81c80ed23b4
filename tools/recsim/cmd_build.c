/*
 * cmd_build.c - `recsim build`: rs_model_build on the model file (text
 * embedder, item vectors, collaborative model, user model and options,
 * saved in one transaction: on failure the file is unchanged), with the
 * flags turned into model options.
 */
#include "cli.h"
#include "cli_model.h"
#include "commands.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
          "  --cf KIND           collaborative model: ease, als, knn, rp3beta, edlae,\n"
          "                      gfcf, ease-pairs or none (default: chosen on\n"
          "                      validation)\n"
          "  --lambda X          regularisation of EASE / ALS (default 500 / 30)\n"
          "  --factors N         ALS factors (default 64)\n"
          "  --iterations N      ALS iterations (default 15)\n"
          "  --neighbors N       item-kNN neighbours kept per item (default 100)\n"
          "  --relation R        interactions are the user->item edges of relation R\n"
          "                      (default: every user->item edge)\n"
          "  --set NAME=VALUE    any model option (see 'recsim options')\n"
          "  --no-tune           keep the options as they are: no validation-based\n"
          "                      selection (the default chooses the collaborative\n"
          "                      model, its regularisation and the weights on a\n"
          "                      validation split of the events; options given here\n"
          "                      stay fixed)\n"
          "  --json              print what was built as one JSON object\n"
          "  -h, --help          this help\n"
          "\n"
          "Options may come after MODEL; --opt=value works too.\n",
          out);
}

/* The options of the run, in command-line order: name and value, or a
 * --set NAME=VALUE (name NULL) for cli_apply_set. */
struct build_args {
    const char *model, *cf, *lambda;
    const char *names[MAX_SETS], *values[MAX_SETS];
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

/* --cf's value as the library names it ("itemknn" is 1.0's alias of knn). */
static const char *cf_choice(const char *name)
{
    return strcmp(name, "itemknn") == 0 ? "knn" : name;
}

/* Flag -> option name (of the library's table), and the CLI's own range
 * check (messages as in 1.0).  --lambda (no name here) is the lambda of the
 * collaborative kind --cf chooses, "cf.KIND.lambda". */
struct flag {
    const char *flag, *option;
    bool integer;
    double min, max;
};
static const struct flag flags[] = {
    {"--dim", "embedder.dim", true, 8, 4096},
    {"--graph-rounds", "embedder.graph_rounds", true, 0, 4},
    {"--self", "embedder.graph_self", false, 0, 1},
    {"--lambda", NULL, false, 1e-6, 1e9},
    {"--factors", "cf.als.factors", true, 1, 1024},
    {"--iterations", "cf.als.iterations", true, 0, 10000},
    {"--neighbors", "cf.knn.neighbors", true, 0, 1000000},
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
    if (rc == CLI_OK && !f->option) { /* the kind's lambda, named once --cf is known */
        a->lambda = v;
        return CLI_OK;
    }
    return rc == CLI_OK ? add_set(a, f->option, v) : rc;
}

enum { OPT_JSON = CLI_LONG_ONLY, OPT_NO_TUNE, OPT_CF, OPT_RELATION, OPT_SET, OPT_FLAG };

/* OPT_FLAG + i is flags[i]. */
static const struct option build_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"json", no_argument, NULL, OPT_JSON},
    {"no-tune", no_argument, NULL, OPT_NO_TUNE},
    {"cf", required_argument, NULL, OPT_CF},
    {"relation", required_argument, NULL, OPT_RELATION},
    {"set", required_argument, NULL, OPT_SET},
    {"dim", required_argument, NULL, OPT_FLAG + 0},
    {"graph-rounds", required_argument, NULL, OPT_FLAG + 1},
    {"self", required_argument, NULL, OPT_FLAG + 2},
    {"lambda", required_argument, NULL, OPT_FLAG + 3},
    {"factors", required_argument, NULL, OPT_FLAG + 4},
    {"iterations", required_argument, NULL, OPT_FLAG + 5},
    {"neighbors", required_argument, NULL, OPT_FLAG + 6},
    {NULL, 0, NULL, 0}};

static int parse_args(int argc, char **argv, struct build_args *a)
{
    int rc = CLI_OK, c;
    memset(a, 0, sizeof *a);
    cli_getopt_start();
    while (rc == CLI_OK &&
           (c = cli_getopt("build", argc, argv, "h", build_options, &rc)) != -1) {
        switch (c) {
        case '?': return rc;
        case 'h': cmd_build_help(stdout); return -1;
        case OPT_JSON: a->json = true; break;
        case OPT_NO_TUNE: rc = add_set(a, "build.tune", "0"); break;
        case OPT_CF: a->cf = cf_choice(optarg); break;
        case OPT_RELATION: rc = add_set(a, "build.relation", optarg); break;
        case OPT_SET: rc = add_set(a, NULL, optarg); break;
        default:
            if (c >= OPT_FLAG && c < OPT_FLAG + (int)(sizeof flags / sizeof *flags))
                rc = parse_flag(a, &flags[c - OPT_FLAG], optarg);
            break;
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        a->model = argv[optind++];
    if (optind < argc)
        return cli_usage("build", "unexpected argument '%s'", argv[optind]);
    if (!a->model)
        return cli_usage("build", "needs MODEL");
    return rc;
}

/* --cf first (a bad kind is a usage error listing the library's choices),
 * then the other options in command-line order. */
static int apply_options(rs_model *m, struct build_args *a)
{
    const char *kind = a->cf ? a->cf : "ease";
    int s;
    if (a->cf && rs_model_set_option(m, "build.cf", a->cf) != RS_OK) {
        const char *choices = "";
        for (size_t i = 0; i < rs_model_option_count(); i++) {
            const char *name = NULL, *list = NULL;
            if (rs_model_option_info(i, &name, NULL, NULL, NULL, NULL, &list, NULL) == RS_OK &&
                strcmp(name, "build.cf") == 0)
                choices = list;
        }
        return cli_usage("build", "--cf must be one of %s, not '%s'", choices, a->cf);
    }
    if (a->lambda && strcmp(kind, "ease") != 0 && strcmp(kind, "als") != 0 &&
        strcmp(kind, "edlae") != 0)
        a->lambda = NULL; /* no lambda of that kind: ignored, as 1.0 did for knn */
    if (a->lambda) {
        char name[64];
        snprintf(name, sizeof name, "cf.%s.lambda", kind);
        if ((s = rs_model_set_option(m, name, a->lambda)) != RS_OK)
            return cli_fail_status(s, "cannot build %s (the file is unchanged)", a->model);
    }
    for (size_t i = 0; i < a->n_sets; i++) {
        int rc;
        if (!a->names[i]) {
            if ((rc = cli_apply_set(m, "build", a->values[i])) != CLI_OK)
                return rc;
        } else if ((s = rs_model_set_option(m, a->names[i], a->values[i])) != RS_OK) {
            return cli_fail_status(s, "cannot build %s (the file is unchanged)", a->model);
        }
    }
    return CLI_OK;
}

/* The build's selection report (rs_model_tuning), parsed; NULL when the
 * build did not select. */
static json_t *tuning(const rs_model *m)
{
    size_t len = 0;
    char *text;
    json_t *j = NULL;
    if (rs_model_tuning(m, NULL, 0, &len) != RS_ERR_BUFFER) {
        rs_clear_error();
        return NULL;
    }
    if ((text = malloc(len + 1)) && rs_model_tuning(m, text, len + 1, NULL) == RS_OK)
        j = json_loads(text, 0, NULL);
    free(text);
    return j;
}

/* One line: what the selection chose, on how many users, from how many. */
static void print_tuning(json_t *t)
{
    json_t *chosen = json_object_get(t, "chosen");
    const char *name;
    json_t *value;
    if (json_object_get(t, "scaled_cf")) /* a catalogue too large for the default kind */
        printf("  collaborative   %s\n", json_string_value(json_object_get(t, "scaled_cf")));
    if (json_object_get(t, "skipped")) {
        printf("  selection       skipped: %s\n",
               json_string_value(json_object_get(t, "skipped")));
        return;
    }
    if (!json_object_get(t, "split"))
        return; /* --no-tune: only the collaborative kind's note */
    printf("  selection       %s split, %lld warm and %lld cold validation users, "
           "%zu candidates, %.1f s\n",
           json_string_value(json_object_get(t, "split")),
           (long long)json_integer_value(json_object_get(t, "warm_users")),
           (long long)json_integer_value(json_object_get(t, "cold_users")),
           json_array_size(json_object_get(t, "candidates")),
           json_real_value(json_object_get(t, "seconds")));
    printf("  chosen          NDCG@10 %.4f on validation:",
           json_real_value(json_object_get(t, "chosen_ndcg")));
    json_object_foreach(chosen, name, value) {
        const char *text = json_string_value(value);
        char *end;
        double number = text ? strtod(text, &end) : 0;
        if (text && end != text && *end == '\0')
            printf(" %s=%.6g", name, number); /* 0.40000000000000002 as 0.4 */
        else
            printf(" %s=%s", name, text ? text : "?");
    }
    printf("\n");
}

static int report(rs_model *m, const struct build_args *a, double seconds)
{
    const rs_embedder *embedder = rs_model_embedder(m);
    const rs_cf_model *cf = rs_model_cf_model(m);
    size_t items = rs_model_item_count(m), dim = rs_embedder_dim(embedder);
    size_t users = rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY);
    size_t events = rs_model_count(m, RS_MODEL_COUNT_EVENTS);
    int64_t rounds = 0;
    json_t *tuned = tuning(m);
    rs_embedder_get_int(embedder, RS_EMBEDDER_GRAPH_ROUNDS, &rounds);
    if (a->json) {
        json_t *doc = json_pack("{s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:f, s:o}", "model",
                                a->model, "items", (json_int_t)items, "dim", (json_int_t)dim,
                                "graph_rounds", (json_int_t)rounds, "cf", cli_cf_kind_name(cf),
                                "users", (json_int_t)users, "interactions", (json_int_t)events,
                                "seconds", seconds, "selection", tuned ? tuned : json_null());
        int rc = doc ? cli_json_print(doc) : cli_fail("writing JSON: out of memory");
        json_decref(doc);
        return rc;
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
    if (tuned)
        print_tuning(tuned);
    json_decref(tuned);
    return CLI_OK;
}

int cmd_build(int argc, char **argv)
{
    struct build_args a;
    rs_model *m = NULL;
    struct cli_stages stages;
    double t0 = cli_now();
    int rc = parse_args(argc, argv, &a), s;
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (cli_open_model(a.model, 0, &m) != CLI_OK)
        return CLI_FAILURE;
    if ((rc = apply_options(m, &a)) != CLI_OK) {
        rs_model_close(m);
        return rc;
    }
    /* the library's stages (selection, embedder, item vectors, ...) shown
     * with their rates and time left */
    cli_stages_start(&stages, "build", "build: fitting and saving");
    rs_model_set_progress(m, cli_stages_report, &stages);
    s = rs_model_build(m);
    rs_model_set_progress(m, NULL, NULL);
    cli_stages_finish(&stages, s == RS_OK);
    if (s != RS_OK) {
        rc = cli_fail_status(s, "cannot build %s (the file is unchanged)", a.model);
        rs_model_close(m);
        return rc;
    }
    rc = report(m, &a, cli_now() - t0);
    rs_model_close(m);
    return rc;
}
