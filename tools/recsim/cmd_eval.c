/*
 * cmd_eval.c - `recsim eval`: rs_model_evaluate on a model file (the split,
 * the train-only refit of the scorer and the baselines are the library's),
 * the metric table printed side by side.
 */
#include "cli.h"
#include "commands.h"

#include <getopt.h>
#include <math.h>
#include <recsim.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SETS 32

void cmd_eval_help(FILE *out)
{
    fputs("usage: recsim eval [options] MODEL\n"
          "\n"
          "Split the interactions of the model file MODEL, run the built-in baselines\n"
          "(random, most-popular, recent-popular) and, when MODEL was built by\n"
          "'recsim build', the library's scorer on the same split, and print every\n"
          "metric: precision, recall, F1, NDCG, MAP, MRR, hit rate @k, coverage,\n"
          "novelty, exposure Gini and popularity bias.  The scorer is refitted on the\n"
          "train part (graph without the held-out edges, item vectors, user model,\n"
          "collaborative model of the built kind and options): no test event leaks.\n"
          "\n"
          "  --relation R        interactions are the user->item edges of relation R\n"
          "                      (default: every user->item edge)\n"
          "  --cut TIME          temporal split: events from TIME on are test\n"
          "                      (ISO 8601 or epoch seconds; the default split is the\n"
          "                      last 20% of the log's time range)\n"
          "  --random FRACTION   random per-user hold-out instead, with --seed\n"
          "  --last N            leave the last N items of each user out instead\n"
          "  --min-history N     users with fewer train items are not split (random,\n"
          "                      last; default 1)\n"
          "  --seed N            seed of the random split and baseline (default 0)\n"
          "  -k N, -kN           cut-off (default: the option eval.k, 10)\n"
          "  --cold              evaluate the cold-start users (no train event)\n"
          "  --recent-days D     recent-popular window (default: eval.recent_days, 30)\n"
          "  --write-recs FILE   write most-popular's lists as customer<TAB>item<TAB>rank\n"
          "  --write-scorer-recs FILE  the same for the scorer's lists\n"
          "  --no-scorer         the baselines only\n"
          "  --set NAME=VALUE    a model option for this run (see 'recsim options')\n"
          "  --json              the table as a JSON array\n"
          "  -h, --help          this help\n"
          "\n"
          "Options may come after MODEL; --opt=value works too.\n",
          out);
}

struct eval_options {
    const char *model, *relation, *write_recs, *cut_text, *write_scorer_recs;
    const char *sets[MAX_SETS];
    size_t n_sets;
    double random_fraction;
    long last_n, min_history, seed, k, recent_days;
    bool json, cold, no_scorer;
};

static int parse_long(const char *option, const char *text, long min, long max, long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || end == text || v < min || v > max)
        return cli_usage("eval", "%s wants a whole number from %ld to %ld", option, min, max);
    *out = v;
    return CLI_OK;
}

enum {
    OPT_JSON = CLI_LONG_ONLY,
    OPT_COLD,
    OPT_NO_SCORER,
    OPT_RELATION,
    OPT_CUT,
    OPT_RANDOM,
    OPT_LAST,
    OPT_MIN_HISTORY,
    OPT_SEED,
    OPT_RECENT_DAYS,
    OPT_WRITE_RECS,
    OPT_WRITE_SCORER_RECS,
    OPT_SET
};

static const struct option eval_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"json", no_argument, NULL, OPT_JSON},
    {"cold", no_argument, NULL, OPT_COLD},
    {"no-scorer", no_argument, NULL, OPT_NO_SCORER},
    {"relation", required_argument, NULL, OPT_RELATION},
    {"cut", required_argument, NULL, OPT_CUT},
    {"random", required_argument, NULL, OPT_RANDOM},
    {"last", required_argument, NULL, OPT_LAST},
    {"min-history", required_argument, NULL, OPT_MIN_HISTORY},
    {"seed", required_argument, NULL, OPT_SEED},
    {"recent-days", required_argument, NULL, OPT_RECENT_DAYS},
    {"write-recs", required_argument, NULL, OPT_WRITE_RECS},
    {"write-scorer-recs", required_argument, NULL, OPT_WRITE_SCORER_RECS},
    {"set", required_argument, NULL, OPT_SET},
    {NULL, 0, NULL, 0}};

static int parse_args(int argc, char **argv, struct eval_options *o)
{
    int rc = CLI_OK;
    memset(o, 0, sizeof *o);
    o->k = -1; /* not given: the model's eval.k (10 unless saved otherwise) */
    o->recent_days = -1;
    o->min_history = 1;
    o->last_n = -1;
    o->random_fraction = -1;
    int c;
    cli_getopt_start();
    while (rc == CLI_OK && (c = cli_getopt("eval", argc, argv, "hk:", eval_options, &rc)) != -1) {
        const char *v = optarg;
        switch (c) {
        case '?': return rc;
        case 'h': cmd_eval_help(stdout); return -1;
        case OPT_JSON: o->json = true; break;
        case OPT_COLD: o->cold = true; break;
        case OPT_NO_SCORER: o->no_scorer = true; break;
        case OPT_RELATION: o->relation = v; break;
        case OPT_CUT: o->cut_text = v; break;
        case OPT_RANDOM: {
            char *end;
            o->random_fraction = strtod(v, &end);
            if (*end || end == v || !(o->random_fraction > 0 && o->random_fraction < 1))
                return cli_usage("eval", "--random wants a fraction between 0 and 1");
            break;
        }
        case OPT_LAST: rc = parse_long("--last", v, 1, 1000000, &o->last_n); break;
        case OPT_MIN_HISTORY:
            rc = parse_long("--min-history", v, 1, 1000000, &o->min_history);
            break;
        case OPT_SEED: rc = parse_long("--seed", v, 0, 2147483647L, &o->seed); break;
        case 'k': rc = parse_long("-k", v, 1, 10000, &o->k); break;
        case OPT_RECENT_DAYS:
            rc = parse_long("--recent-days", v, 1, 36500, &o->recent_days);
            break;
        case OPT_WRITE_RECS: o->write_recs = v; break;
        case OPT_WRITE_SCORER_RECS: o->write_scorer_recs = v; break;
        case OPT_SET:
            if (o->n_sets == MAX_SETS)
                return cli_usage("eval", "at most %d --set options", MAX_SETS);
            o->sets[o->n_sets++] = v;
            break;
        default: break;
        }
    }
    if (rc == CLI_OK && optind < argc)
        o->model = argv[optind++];
    if (rc == CLI_OK && optind < argc)
        return cli_usage("eval", "unexpected argument '%s'", argv[optind]);
    if (rc != CLI_OK)
        return rc;
    if (!o->model)
        return cli_usage("eval", "needs MODEL");
    if ((o->cut_text != NULL) + (o->random_fraction > 0) + (o->last_n > 0) > 1)
        return cli_usage("eval", "choose one of --cut, --random and --last");
    return CLI_OK;
}

/* The split of the options: an rs_model_split and its parameter. */
static int split_of(const struct eval_options *o, int *split, double *param)
{
    int s = RS_OK;
    if (o->random_fraction > 0) {
        *split = RS_MODEL_SPLIT_RANDOM;
        *param = o->random_fraction;
    } else if (o->last_n > 0) {
        *split = RS_MODEL_SPLIT_LAST;
        *param = (double)o->last_n;
    } else {
        int64_t cut = 0;
        *split = RS_MODEL_SPLIT_TEMPORAL;
        *param = NAN; /* the library's default cut */
        if (o->cut_text && (s = rs_io_parse_time(o->cut_text, strlen(o->cut_text), &cut)) == RS_OK)
            *param = (double)cut;
    }
    return s;
}

/* The model's options of this run: --relation, -k, --recent-days,
 * --min-history, then every --set. */
static int apply_options(rs_model *m, const struct eval_options *o)
{
    char text[64];
    int s = RS_OK;
    if (o->relation && (s = rs_model_set_option(m, "build.relation", o->relation)) != RS_OK)
        return cli_fail_status(s, "--relation %s", o->relation);
    snprintf(text, sizeof text, "%ld", o->k);
    if (o->k > 0 && (s = rs_model_set_option(m, "eval.k", text)) != RS_OK)
        return cli_fail_status(s, "-k %ld", o->k);
    snprintf(text, sizeof text, "%ld", o->recent_days);
    if (o->recent_days > 0 && (s = rs_model_set_option(m, "eval.recent_days", text)) != RS_OK)
        return cli_fail_status(s, "--recent-days %ld", o->recent_days);
    if (o->min_history != 1) {
        snprintf(text, sizeof text, "%ld", o->min_history);
        if ((s = rs_model_set_option(m, "eval.min_history", text)) != RS_OK)
            return cli_fail_status(s, "--min-history %ld", o->min_history);
    }
    for (size_t i = 0; i < o->n_sets; i++) {
        int rc = cli_apply_set(m, "eval", o->sets[i]);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

/* The row named `name` (the first), or SIZE_MAX. */
static size_t row_named(const rs_eval *eval, const char *name)
{
    for (size_t r = 0; r < rs_eval_result_count(eval); r++)
        if (strcmp(rs_eval_result_name(eval, r), name) == 0)
            return r;
    return SIZE_MAX;
}

/* The report without its first row (the scorer's, under --no-scorer): the
 * table and the JSON array both hold one row per line after a first line,
 * a JSON row's comma at its end, and the baselines follow it). */
static void drop_first_row(char *report)
{
    char *first = strchr(report, '\n'), *second = first ? strchr(first + 1, '\n') : NULL;
    if (first && second)
        memmove(first + 1, second + 1, strlen(second + 1) + 1);
}

int cmd_eval(int argc, char **argv)
{
    struct eval_options o;
    struct cli_stages stages;
    rs_model *m = NULL;
    rs_eval *eval = NULL;
    char *report = NULL;
    size_t len = 0;
    bool built;
    int rc = parse_args(argc, argv, &o), s, split;
    double param;
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if ((rc = cli_output_check("eval", "--write-recs", o.write_recs, "the model", o.model, NULL)) ||
        (rc = cli_output_check("eval", "--write-scorer-recs", o.write_scorer_recs, "the model", o.model, NULL)))
        return cli_outputs_finish(rc);
    if ((s = split_of(&o, &split, &param)) != RS_OK)
        return cli_fail_status(s, "splitting %s", o.model);
    if ((s = rs_model_open(o.model, RS_MODEL_READONLY, &m)) != RS_OK)
        return cli_fail_status(s, "cannot open model %s", o.model);
    if ((rc = apply_options(m, &o)) != CLI_OK)
        goto done;
    built = rs_model_is_built(m) != 0;
    if (!built && !cli_quiet && !o.json)
        fprintf(stderr, "recsim: %s is not built: the baselines only "
                        "(run 'recsim build %s' for the scorer row)\n", o.model, o.model);
    if (!built && o.write_scorer_recs) {
        rc = cli_fail("--write-scorer-recs: %s is not built", o.model);
        goto done;
    }
    /* the fit on the train part and the users scored, with rates and time left */
    cli_stages_start(&stages, "eval",
                     built ? "eval: fitting on the train part and evaluating"
                           : "eval: evaluating the baselines");
    rs_model_set_progress(m, cli_stages_report, &stages);
    s = rs_model_evaluate(m, split, param, (uint64_t)o.seed,
                          RS_MODEL_EVAL_BASELINES | (o.cold ? RS_MODEL_EVAL_COLD : 0), &eval);
    rs_model_set_progress(m, NULL, NULL);
    cli_stages_finish(&stages, s == RS_OK);
    if (s != RS_OK) {
        rc = cli_fail_status(s, "evaluating %s", o.model);
        goto done;
    }
    if (o.write_scorer_recs && (s = rs_eval_write_recs(eval, 0, cli_output_path(o.write_scorer_recs))) != 0) {
        rc = cli_fail_status(s, "writing %s", o.write_scorer_recs);
        goto done;
    }
    if (o.write_recs &&
        (s = rs_eval_write_recs(eval, row_named(eval, "most-popular"), cli_output_path(o.write_recs))) != 0) {
        rc = cli_fail_status(s, "writing %s", o.write_recs);
        goto done;
    }
    /* Ask for the size, then fill. */
    rs_eval_report(eval, o.json ? RS_EVAL_JSON : RS_EVAL_TABLE, NULL, 0, &len);
    report = malloc(len + 1);
    if (!report || (s = rs_eval_report(eval, o.json ? RS_EVAL_JSON : RS_EVAL_TABLE, report,
                                       len + 1, &len)) != 0) {
        rc = cli_fail_status(report ? s : RS_ERR_NOMEM, "formatting the report");
        goto done;
    }
    if (built && o.no_scorer)
        drop_first_row(report);
    if (!o.json && !cli_quiet) {
        int64_t k = 0;
        rs_eval_get_int(eval, RS_EVAL_K, &k);
        printf("%s users, %zu catalogue items, k = %lld\n", o.cold ? "cold-start" : "warm",
               rs_eval_item_count(eval), (long long)k);
    }
    fputs(report, stdout);
    rc = CLI_OK;
done:
    free(report);
    rs_eval_free(eval);
    rs_model_close(m);
    return cli_outputs_finish(rc);
}
