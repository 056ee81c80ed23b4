/*
 * cmd_eval.c - `recsim eval`: split a model's interactions, run recommenders
 * over every test user, and print the metric table side by side.
 */
#include "cli.h"
#include "commands.h"
#include "eval_scorer.h"

#include <recsim.h>
#include <stdlib.h>
#include <string.h>

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
          "                      last 20%% of the log's time range)\n"
          "  --random FRACTION   random per-user hold-out instead, with --seed\n"
          "  --last N            leave the last N items of each user out instead\n"
          "  --min-history N     users with fewer train items are not split (random,\n"
          "                      last; default 1)\n"
          "  --seed N            seed of the random split and baseline (default 0)\n"
          "  -k N                cut-off (default 10)\n"
          "  --cold              evaluate the cold-start users (no train event)\n"
          "  --recent-days D     recent-popular window (default 30)\n"
          "  --write-recs FILE   write most-popular's lists as customer<TAB>item<TAB>rank\n"
          "  --write-scorer-recs FILE  the same for the scorer's lists\n"
          "  --no-scorer         the baselines only\n"
          "  --write-split FILE  write the split events (user item time weight part)\n"
          "  --json              the table as a JSON array\n",
          out);
}

struct eval_options {
    const char *model, *relation, *write_recs, *write_split, *cut_text, *write_scorer_recs;
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

static int parse_args(int argc, char **argv, struct eval_options *o)
{
    int rc = CLI_OK;
    memset(o, 0, sizeof *o);
    o->k = 10;
    o->recent_days = 30;
    o->min_history = 1;
    o->last_n = -1;
    o->random_fraction = -1;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            cmd_eval_help(stdout);
            return -1;
        } else if (strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (strcmp(a, "--cold") == 0) {
            o->cold = true;
        } else if (strcmp(a, "--no-scorer") == 0) {
            o->no_scorer = true;
        } else if (a[0] != '-') {
            if (o->model)
                return cli_usage("eval", "unexpected argument '%s'", a);
            o->model = a;
        } else if (!v) {
            return cli_usage("eval", "%s needs a value", a);
        } else {
            i++;
            if (strcmp(a, "--relation") == 0)
                o->relation = v;
            else if (strcmp(a, "--cut") == 0)
                o->cut_text = v;
            else if (strcmp(a, "--random") == 0) {
                char *end;
                o->random_fraction = strtod(v, &end);
                if (*end || !(o->random_fraction > 0 && o->random_fraction < 1))
                    return cli_usage("eval", "--random wants a fraction between 0 and 1");
            } else if (strcmp(a, "--last") == 0)
                rc = parse_long(a, v, 1, 1000000, &o->last_n);
            else if (strcmp(a, "--min-history") == 0)
                rc = parse_long(a, v, 1, 1000000, &o->min_history);
            else if (strcmp(a, "--seed") == 0)
                rc = parse_long(a, v, 0, 2147483647L, &o->seed);
            else if (strcmp(a, "-k") == 0)
                rc = parse_long(a, v, 1, 10000, &o->k);
            else if (strcmp(a, "--recent-days") == 0)
                rc = parse_long(a, v, 1, 36500, &o->recent_days);
            else if (strcmp(a, "--write-recs") == 0)
                o->write_recs = v;
            else if (strcmp(a, "--write-scorer-recs") == 0)
                o->write_scorer_recs = v;
            else if (strcmp(a, "--write-split") == 0)
                o->write_split = v;
            else
                return cli_usage("eval", "unknown option '%s'", a);
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (!o->model)
        return cli_usage("eval", "needs MODEL");
    if ((o->cut_text != NULL) + (o->random_fraction > 0) + (o->last_n > 0) > 1)
        return cli_usage("eval", "choose one of --cut, --random and --last");
    return CLI_OK;
}

/* The default temporal cut: 80 % of the way through the log's time range. */
static int64_t default_cut(const rs_events *events)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < rs_events_count(events); i++) {
        int64_t t = 0;
        if (rs_events_get(events, i, NULL, NULL, &t, NULL, NULL) != RS_OK)
            continue;
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
    }
    return lo > hi ? 0 : lo + (int64_t)((double)(hi - lo) * 0.8);
}

static int split(rs_events *events, const struct eval_options *o, int64_t *cut_out)
{
    *cut_out = 0;
    if (o->random_fraction > 0)
        return rs_events_split_random(events, o->random_fraction, (size_t)o->min_history,
                                      (uint64_t)o->seed, RS_PART_TEST);
    if (o->last_n > 0)
        return rs_events_split_last(events, (size_t)o->last_n, (size_t)o->min_history,
                                    RS_PART_TEST);
    if (o->cut_text) {
        int s = rs_io_parse_time(o->cut_text, strlen(o->cut_text), cut_out);
        if (s != RS_OK)
            return s;
    } else {
        *cut_out = default_cut(events);
    }
    return rs_events_split_temporal(events, *cut_out, RS_PART_TEST);
}

int cmd_eval(int argc, char **argv)
{
    struct eval_options o;
    rs_graph *graph = NULL;
    rs_events *events = NULL;
    rs_eval *eval = NULL;
    char *report = NULL;
    size_t len = 0, most_popular_row = 0, scorer_row = 0;
    bool has_scorer = false;
    int64_t cut = 0;
    int rc = parse_args(argc, argv, &o), s;
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;

    if ((s = rs_graph_open(o.model, RS_GRAPH_READONLY, &graph)) != 0)
        return cli_fail_status(s, "cannot open model %s", o.model);
    s = rs_events_from_graph(graph, o.relation, &events);
    if (s != 0) {
        rs_graph_close(graph);
        return cli_fail_status(s, "reading the interactions of %s", o.model);
    }
    if ((s = split(events, &o, &cut)) != 0) {
        rc = cli_fail_status(s, "splitting %s", o.model);
        goto done;
    }
    if (o.write_split && (s = rs_events_write(events, o.write_split)) != 0) {
        rc = cli_fail_status(s, "writing %s", o.write_split);
        goto done;
    }
    if ((s = rs_eval_create(events, RS_PART_TEST, &eval)) != 0 ||
        (s = rs_eval_set_int(eval, RS_EVAL_K, o.k)) != 0 ||
        (s = rs_eval_set_int(eval, RS_EVAL_SEED, o.seed)) != 0 ||
        (s = rs_eval_set_int(eval, RS_EVAL_GROUP, o.cold ? RS_EVAL_COLD : RS_EVAL_WARM)) != 0 ||
        (cut && (s = rs_eval_set_int(eval, RS_EVAL_RECENT_END, cut)) != 0)) {
        rc = cli_fail_status(s, "evaluating %s", o.model);
        goto done;
    }
    if ((s = rs_eval_run_baseline(eval, RS_BASELINE_RANDOM, 0, NULL)) != 0 ||
        (s = rs_eval_run_baseline(eval, RS_BASELINE_MOST_POPULAR, 0, &most_popular_row)) != 0 ||
        (cut && (s = rs_eval_run_baseline(eval, RS_BASELINE_RECENT_POPULAR,
                                          (double)o.recent_days, NULL)) != 0)) {
        rc = cli_fail_status(s, "evaluating %s", o.model);
        goto done;
    }
    if (!o.no_scorer) {
        char name[128];
        s = cli_eval_scorer(eval, events, graph, o.relation, name, sizeof name, &scorer_row);
        if (s == RS_ERR_NOTFOUND) {
            rs_clear_error();
            if (!cli_quiet && !o.json)
                fprintf(stderr, "recsim: %s is not built: the baselines only "
                                "(run 'recsim build %s' for the scorer row)\n", o.model, o.model);
            if (o.write_scorer_recs) {
                rc = cli_fail("--write-scorer-recs: %s is not built", o.model);
                goto done;
            }
        } else if (s != RS_OK) {
            rc = cli_fail_status(s, "evaluating the scorer of %s", o.model);
            goto done;
        } else {
            has_scorer = true;
        }
    }
    if (o.write_scorer_recs && has_scorer &&
        (s = rs_eval_write_recs(eval, scorer_row, o.write_scorer_recs)) != 0) {
        rc = cli_fail_status(s, "writing %s", o.write_scorer_recs);
        goto done;
    }
    if (o.write_recs && (s = rs_eval_write_recs(eval, most_popular_row, o.write_recs)) != 0) {
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
    if (!o.json && !cli_quiet)
        printf("%s users, %zu catalogue items, %zu test events, k = %ld\n",
               o.cold ? "cold-start" : "warm", rs_eval_item_count(eval),
               rs_events_part_count(events, RS_PART_TEST), o.k);
    fputs(report, stdout);
    rc = CLI_OK;
done:
    free(report);
    rs_eval_free(eval);
    rs_events_free(events);
    rs_graph_close(graph);
    return rc;
}
