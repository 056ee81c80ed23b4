/*
 * cmd_simulate.c - `recsim simulate`: rs_model_simulate on a model file
 * (the population, the policies and the loop are the library's), its trace
 * printed as a summary table, a per-step CSV file and an SVG chart.
 */
#include "cli.h"
#include "commands.h"
#include "svg_chart.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POLICIES 8
#define MAX_SETS 32
#define MAX_VALIDATE 32
/* Every statistic of the trace is read (RS_SIM_STAT_TRUTH_CLICKS stays 0:
 * the command holds no items out); the summary shows those in its table. */
#define N_STATS RS_SIM_STAT_COUNT

void cmd_simulate_help(FILE *out)
{
    fputs("usage: recsim simulate [options] MODEL\n"
          "\n"
          "Simulate users reacting to the slates of the scorer of the model file MODEL\n"
          "(built by 'recsim build'): each step every active user is shown a slate,\n"
          "clicks or buys one item or nothing, may leave and later return; clicks\n"
          "and purchases are fed back into the scorer's user model.  The same\n"
          "population, with the same random numbers, is then shown the most popular\n"
          "items instead, for comparison.  Simulated users mirror the model's real\n"
          "users (their interest vector plus noise, their history), then fresh ones.\n"
          "An item's category is the last word of its description (the product:\n"
          "LANTERN, MUG ...), the 31 most frequent, others pooled.\n"
          "\n"
          "  --users N       simulated users, 1..1000000 (default 200)\n"
          "  --steps N       steps, 1..100000 (default 20)\n"
          "  --slate N       items per slate, 1..256 (default 10)\n"
          "  --seed S        seed of every random draw (default 1)\n"
          "  --noclick W     weight of the no-click option in the choice model\n"
          "                  (default the simulator's, 1)\n"
          "  --temperature T choice temperature (default the simulator's, 1)\n"
          "  --drift R       interest drift toward consumed items, 0..1\n"
          "  --fresh         generated users only, no mirrored ones (all cold start)\n"
          "  --policies LIST comma-separated policies among scorer, popular and random\n"
          "                  (default scorer,popular)\n"
          "  --no-compare    the scorer only, no most-popular run\n"
          "  --set NAME=VALUE  a model option for this run (see 'recsim options')\n"
          "  --csv FILE      per-step trace: policy,step,active,clicks,purchases,ctr,...\n"
          "  --svg FILE      a line chart of CTR, coverage, diversity, category\n"
          "                  entropy, exposure Gini and active users over the steps\n"
          "  --json          the summary as one JSON object\n"
          "  --validate      instead: check the visit simulator against held-out\n"
          "                  behaviour (rs_model_validate(3)): policies fitted before\n"
          "                  a time cut, the simulator fitted on half the users after\n"
          "                  it, both compared on the other half\n"
          "  --policy NAME   a policy, repeated: scorer, most-popular or random; with\n"
          "                  --validate also recent-popular, segment-popular, ease,\n"
          "                  als, knn, rp3beta, edlae, gfcf, content and file:PATH\n"
          "                  (user<TAB>item<TAB>rank lines; default: all but edlae,\n"
          "                  gfcf)\n"
          "  --replicates N  --validate: seeds SEED..SEED+N-1, medians (default 1)\n"
          "  --cut T         --validate: the time cut, unix seconds (default: 80 %\n"
          "                  of the time range)\n"
          "  -h, --help      this help\n"
          "\n"
          "Options may come after MODEL; --opt=value works too.\n",
          out);
}

struct sim_args {
    const char *model, *csv, *svg, *policies;
    const char *sets[MAX_SETS];
    size_t n_sets;
    long users, steps, slate, seed;
    double noclick, temperature, drift; /* < 0: the simulator's default */
    bool fresh, no_compare, json, validate;
    const char *policy[MAX_VALIDATE];
    size_t n_policy;
    long replicates;
    double cut; /* NaN: the default */
};

enum {
    OPT_FRESH = CLI_LONG_ONLY,
    OPT_NO_COMPARE,
    OPT_JSON,
    OPT_USERS,
    OPT_STEPS,
    OPT_SLATE,
    OPT_SEED,
    OPT_NOCLICK,
    OPT_TEMPERATURE,
    OPT_DRIFT,
    OPT_CSV,
    OPT_SVG,
    OPT_POLICIES,
    OPT_SET,
    OPT_VALIDATE,
    OPT_POLICY,
    OPT_REPLICATES,
    OPT_CUT
};

static const struct option simulate_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"fresh", no_argument, NULL, OPT_FRESH},
    {"no-compare", no_argument, NULL, OPT_NO_COMPARE},
    {"json", no_argument, NULL, OPT_JSON},
    {"users", required_argument, NULL, OPT_USERS},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"slate", required_argument, NULL, OPT_SLATE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"noclick", required_argument, NULL, OPT_NOCLICK},
    {"temperature", required_argument, NULL, OPT_TEMPERATURE},
    {"drift", required_argument, NULL, OPT_DRIFT},
    {"csv", required_argument, NULL, OPT_CSV},
    {"svg", required_argument, NULL, OPT_SVG},
    {"policies", required_argument, NULL, OPT_POLICIES},
    {"set", required_argument, NULL, OPT_SET},
    {"validate", no_argument, NULL, OPT_VALIDATE},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"replicates", required_argument, NULL, OPT_REPLICATES},
    {"cut", required_argument, NULL, OPT_CUT},
    {NULL, 0, NULL, 0}};

static int parse_args(int argc, char **argv, struct sim_args *a)
{
    int rc = CLI_OK;
    memset(a, 0, sizeof *a);
    a->users = 200;
    a->steps = 20;
    a->slate = 10;
    a->seed = 1;
    a->noclick = a->temperature = a->drift = -1;
    a->replicates = 1;
    a->cut = NAN;
    int c;
    cli_getopt_start();
    while (rc == CLI_OK &&
           (c = cli_getopt("simulate", argc, argv, "h", simulate_options, &rc)) != -1) {
        const char *v = optarg;
        switch (c) {
        case '?': return rc;
        case 'h': cmd_simulate_help(stdout); return -1;
        case OPT_FRESH: a->fresh = true; break;
        case OPT_NO_COMPARE: a->no_compare = true; break;
        case OPT_JSON: a->json = true; break;
        case OPT_USERS:
            rc = cli_parse_long("simulate", "--users", v, 1, 1000000, &a->users);
            break;
        case OPT_STEPS:
            rc = cli_parse_long("simulate", "--steps", v, 1, 100000, &a->steps);
            break;
        case OPT_SLATE:
            rc = cli_parse_long("simulate", "--slate", v, 1, RS_SIM_MAX_SLATE, &a->slate);
            break;
        case OPT_SEED:
            rc = cli_parse_long("simulate", "--seed", v, 0, 2147483647L, &a->seed);
            break;
        case OPT_NOCLICK:
            rc = cli_parse_double("simulate", "--noclick", v, 1e-6, 1e12, &a->noclick);
            break;
        case OPT_TEMPERATURE:
            rc = cli_parse_double("simulate", "--temperature", v, 1e-6, 1e6, &a->temperature);
            break;
        case OPT_DRIFT: rc = cli_parse_double("simulate", "--drift", v, 0, 1, &a->drift); break;
        case OPT_CSV: a->csv = v; break;
        case OPT_SVG: a->svg = v; break;
        case OPT_POLICIES: a->policies = v; break;
        case OPT_SET:
            if (a->n_sets == MAX_SETS)
                return cli_usage("simulate", "at most %d --set options", MAX_SETS);
            a->sets[a->n_sets++] = v;
            break;
        case OPT_VALIDATE: a->validate = true; break;
        case OPT_POLICY:
            if (a->n_policy == MAX_VALIDATE)
                return cli_usage("simulate", "at most %d --policy options", MAX_VALIDATE);
            a->policy[a->n_policy++] = v;
            break;
        case OPT_REPLICATES:
            rc = cli_parse_long("simulate", "--replicates", v, 1, 64, &a->replicates);
            break;
        case OPT_CUT: rc = cli_parse_double("simulate", "--cut", v, -9.2e18, 9.2e18, &a->cut); break;
        default: break;
        }
    }
    if (rc == CLI_OK && optind < argc)
        a->model = argv[optind++];
    if (rc == CLI_OK && optind < argc)
        return cli_usage("simulate", "unexpected argument '%s'", argv[optind]);
    if (rc == CLI_OK && !a->model)
        return cli_usage("simulate", "needs MODEL");
    return rc;
}

/* ------------------------------------------------------------ the trace */

/* The CSV columns: one row per step of a policy, derived from the trace's
 * cumulative statistics (counts by difference; the per-step means of
 * rating, diversity and entropy from their running sums). */
static const char *const csv_columns[] = {"step", "active", "clicks", "purchases", "ctr",
                                          "mean_rating", "leaves", "returns", "reward",
                                          "cum_reward", "coverage", "diversity", "gini",
                                          "entropy"};
#define N_COLUMNS 14

static const char *const chart_columns[] = {"ctr", "coverage", "diversity", "entropy", "gini",
                                            "active"};
static const char *const chart_titles[] = {"click-through rate", "catalogue coverage",
                                           "intra-list diversity",
                                           "entropy of clicked categories (bits)",
                                           "exposure Gini", "active users"};
#define N_CHART 6

struct result {
    const char *name;   /* as shown: "scorer", "most-popular", "random" */
    double stat[N_STATS]; /* after the last step */
    double seconds;
    double *rows;       /* steps x N_COLUMNS */
};

/* One policy's per-step rows from the trace. */
static int trace_rows(const rs_sim_trace *t, size_t policy, double *rows)
{
    double prev[16] = {0}, cur[16];
    for (uint64_t step = 0; step < rs_sim_trace_steps(t); step++) {
        double *row = rows + step * N_COLUMNS;
        double active, clicks, rating_sum, prev_rating_sum;
        for (int k = 0; k < 16; k++) {
            int s = rs_sim_trace_value(t, policy, step, k, &cur[k]);
            if (s != RS_OK)
                return s;
        }
        active = cur[RS_SIM_STAT_IMPRESSIONS] - prev[RS_SIM_STAT_IMPRESSIONS];
        clicks = cur[RS_SIM_STAT_CLICKS] - prev[RS_SIM_STAT_CLICKS];
        rating_sum = round(cur[RS_SIM_STAT_MEAN_RATING] * cur[RS_SIM_STAT_CLICKS]);
        prev_rating_sum = round(prev[RS_SIM_STAT_MEAN_RATING] * prev[RS_SIM_STAT_CLICKS]);
        row[0] = (double)step;
        row[1] = active;
        row[2] = clicks;
        row[3] = cur[RS_SIM_STAT_PURCHASES] - prev[RS_SIM_STAT_PURCHASES];
        row[4] = active > 0 ? clicks / active : 0.0;
        row[5] = clicks > 0 ? (rating_sum - prev_rating_sum) / clicks : 0.0;
        row[6] = cur[RS_SIM_STAT_LEAVES] - prev[RS_SIM_STAT_LEAVES];
        row[7] = cur[RS_SIM_STAT_RETURNS] - prev[RS_SIM_STAT_RETURNS];
        row[8] = row[2] + row[3];
        row[9] = cur[RS_SIM_STAT_REWARD];
        row[10] = cur[RS_SIM_STAT_COVERAGE];
        row[11] = active > 0 ? (cur[RS_SIM_STAT_DIVERSITY] * cur[RS_SIM_STAT_IMPRESSIONS] -
                                prev[RS_SIM_STAT_DIVERSITY] * prev[RS_SIM_STAT_IMPRESSIONS]) /
                                   active
                             : 0.0;
        row[12] = cur[RS_SIM_STAT_GINI];
        row[13] = cur[RS_SIM_STAT_ENTROPY] * cur[RS_SIM_STAT_STEPS] -
                  prev[RS_SIM_STAT_ENTROPY] * prev[RS_SIM_STAT_STEPS];
        memcpy(prev, cur, sizeof prev);
    }
    return RS_OK;
}

static size_t column_of(const char *name)
{
    for (size_t c = 0; c < N_COLUMNS; c++)
        if (strcmp(csv_columns[c], name) == 0)
            return c;
    return 0;
}

static void print_summary(const struct sim_args *a, const struct result *res, size_t n_res,
                          size_t mirrored)
{
    static const struct {
        int id;
        const char *label, *json;
    } rows[] = {
        {RS_SIM_STAT_IMPRESSIONS, "slates shown", "impressions"},
        {RS_SIM_STAT_CTR, "click-through rate", "ctr"},
        {RS_SIM_STAT_PURCHASES, "purchases", "purchases"},
        {RS_SIM_STAT_REWARD, "reward (clicks + purchases)", "reward"},
        {RS_SIM_STAT_MEAN_RATING, "mean rating of clicks", "mean_rating"},
        {RS_SIM_STAT_SESSION_LENGTH, "mean session length", "session_length"},
        {RS_SIM_STAT_RETURN_RATE, "return rate", "return_rate"},
        {RS_SIM_STAT_COVERAGE, "catalogue coverage", "coverage"},
        {RS_SIM_STAT_DIVERSITY, "intra-list diversity", "diversity"},
        {RS_SIM_STAT_ENTROPY, "clicked-category entropy", "entropy"},
        {RS_SIM_STAT_GINI, "exposure Gini", "gini"},
    };
    size_t n_rows = sizeof rows / sizeof rows[0];
    if (a->json) {
        printf("{\"users\": %ld, \"mirrored\": %zu, \"steps\": %ld, \"slate\": %ld, "
               "\"seed\": %ld, \"policies\": [",
               a->users, mirrored, a->steps, a->slate, a->seed);
        for (size_t p = 0; p < n_res; p++) {
            printf("%s{\"name\": \"%s\"", p ? ", " : "", res[p].name);
            for (size_t r = 0; r < n_rows; r++)
                printf(", \"%s\": %.6g", rows[r].json, res[p].stat[rows[r].id]);
            printf(", \"seconds\": %.3f}", res[p].seconds);
        }
        printf("]}\n");
        return;
    }
    printf("%ld simulated users (%zu mirror real customers), %ld steps, slates of %ld, "
           "seed %ld\n",
           a->users, mirrored, a->steps, a->slate, a->seed);
    printf("  %-30s", "");
    for (size_t p = 0; p < n_res; p++)
        printf(" %14s", res[p].name);
    printf("\n");
    for (size_t r = 0; r < n_rows; r++) {
        printf("  %-30s", rows[r].label);
        for (size_t p = 0; p < n_res; p++) {
            double v = res[p].stat[rows[r].id];
            if (rows[r].id == RS_SIM_STAT_IMPRESSIONS || rows[r].id == RS_SIM_STAT_PURCHASES ||
                rows[r].id == RS_SIM_STAT_REWARD)
                printf(" %14.0f", v);
            else
                printf(" %14.3f", v);
        }
        printf("\n");
    }
    printf("  %-30s", "user-steps per second");
    for (size_t p = 0; p < n_res; p++)
        printf(" %14.0f", res[p].seconds > 0 ? res[p].stat[RS_SIM_STAT_IMPRESSIONS] /
                                                  res[p].seconds
                                            : 0.0);
    printf("\n");
}

static int write_csv(const char *path, const struct result *res, size_t n_res, uint64_t steps)
{
    FILE *f = cli_output_fopen(path);
    if (!f)
        return -1;
    fputs("policy", f);
    for (size_t c = 0; c < N_COLUMNS; c++)
        fprintf(f, ",%s", csv_columns[c]);
    fputc('\n', f);
    for (size_t p = 0; p < n_res; p++)
        for (uint64_t t = 0; t < steps; t++) {
            const double *r = res[p].rows + t * N_COLUMNS;
            fprintf(f, "%s,%.0f,%.0f,%.0f,%.0f,%.9g,%.9g,%.0f,%.0f,%.0f,%.0f,%.9g,%.9g,%.9g,%.9g\n",
                    res[p].name, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                    r[10], r[11], r[12], r[13]);
        }
    return fclose(f) == 0 ? 0 : -1;
}

static int write_svg(const char *path, const struct sim_args *a, const struct result *res,
                     size_t n_res, uint64_t steps)
{
    size_t n_points = (size_t)steps;
    double *x = malloc((n_points ? n_points : 1) * sizeof *x);
    double *values = malloc((n_res * N_CHART * n_points + 1) * sizeof *values);
    const char *names[MAX_POLICIES];
    char title[256];
    struct svg_chart chart;
    int rc;
    if (!x || !values) {
        free(x);
        free(values);
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < n_points; i++)
        x[i] = (double)i;
    for (size_t p = 0; p < n_res; p++) {
        names[p] = res[p].name;
        for (size_t c = 0; c < N_CHART; c++)
            for (size_t i = 0; i < n_points; i++)
                values[(p * N_CHART + c) * n_points + i] =
                    res[p].rows[i * N_COLUMNS + column_of(chart_columns[c])];
    }
    snprintf(title, sizeof title, "recsim simulate: %ld users, slates of %ld, seed %ld",
             a->users, a->slate, a->seed);
    chart.title = title;
    chart.n_panels = N_CHART;
    chart.panel_titles = chart_titles;
    chart.n_series = n_res;
    chart.series_names = names;
    chart.n_points = n_points;
    chart.x = x;
    chart.values = values;
    rc = svg_chart_write(path, &chart);
    free(x);
    free(values);
    return rc;
}

/* ------------------------------------------------------------ the command */

/* The policies to run: --policies, else scorer and popular (scorer alone
 * with --no-compare).  Library names into names, shown names into shown. */
static int policy_list(const struct sim_args *a, char *buf, size_t size, const char **names,
                       const char **shown, size_t *n_out)
{
    size_t n = 0;
    const char *list = a->policies ? a->policies : a->no_compare ? "scorer" : "scorer,popular";
    if (a->n_policy && a->policies)
        return cli_usage("simulate", "--policy and --policies do not go together");
    if (a->n_policy) { /* the loop's policies by --policy (the library names the unknown) */
        if (a->n_policy > MAX_POLICIES)
            return cli_usage("simulate", "at most %d policies", MAX_POLICIES);
        for (; n < a->n_policy; n++) {
            bool popular = strcmp(a->policy[n], "most-popular") == 0;
            names[n] = popular ? "popular" : a->policy[n];
            shown[n] = popular ? "most-popular" : a->policy[n];
        }
        *n_out = n;
        return CLI_OK;
    }
    snprintf(buf, size, "%s", list);
    for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
        if (n == MAX_POLICIES)
            return cli_usage("simulate", "at most %d policies", MAX_POLICIES);
        names[n] = p;
        shown[n++] = strcmp(p, "popular") == 0 ? "most-popular" : p;
    }
    if (n == 0)
        return cli_usage("simulate", "--policies wants a list such as scorer,popular,random");
    *n_out = n;
    return CLI_OK;
}

/* The simulator options of the command line, then every --set. */
static int apply_options(rs_model *m, const struct sim_args *a)
{
    static const char *const names[] = {"sim.noclick", "sim.temperature", "sim.drift"};
    const double values[] = {a->noclick, a->temperature, a->drift};
    int s;
    for (size_t i = 0; i < 3; i++)
        if (values[i] >= 0 && (s = rs_model_set_double(m, names[i], values[i])) != RS_OK)
            return cli_fail_status(s, "%s: setting %s", a->model, names[i]);
    if (a->fresh && (s = rs_model_set_option(m, "sim.fresh", "1")) != RS_OK)
        return cli_fail_status(s, "%s: --fresh", a->model);
    for (size_t i = 0; i < a->n_sets; i++) {
        int rc = cli_apply_set(m, "simulate", a->sets[i]);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

/* rs_model_set_progress: the steps of every policy on the progress bar. */
static void on_progress(void *data, const char *stage, uint64_t done, uint64_t total)
{
    struct cli_progress *p = data;
    (void)stage;
    cli_progress_set_total(p, (size_t)total);
    cli_progress_update(p, (size_t)done);
}

/* --validate: rs_model_validate's report on stdout. */
static int validate(struct sim_args *a)
{
    rs_model *m = NULL;
    char *report = NULL;
    int rc = CLI_OK, s;
    if ((s = rs_model_open(a->model, RS_MODEL_READONLY, &m)) != RS_OK)
        return cli_fail_status(s, "cannot open model %s", a->model);
    if ((rc = apply_options(m, a)) == CLI_OK) {
        s = rs_model_validate(m, a->n_policy ? a->policy : NULL, a->n_policy, a->cut,
                              (uint64_t)a->seed, (size_t)a->replicates, &report);
        if (s != RS_OK)
            rc = cli_fail_status(s, "%s: validating the simulator", a->model);
        else
            fputs(report, stdout);
    }
    rs_free(report);
    rs_model_close(m);
    return rc;
}

int cmd_simulate(int argc, char **argv)
{
    struct sim_args a;
    struct cli_progress progress;
    struct result res[MAX_POLICIES];
    const char *names[MAX_POLICIES];
    const char *shown[MAX_POLICIES];
    char list[512];
    size_t n_res = 0, n_items, mirrored;
    rs_model *m = NULL;
    rs_sim_trace *trace = NULL;
    int rc = parse_args(argc, argv, &a), s;
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (a.validate)
        return validate(&a);
    if ((rc = policy_list(&a, list, sizeof list, names, shown, &n_res)) != CLI_OK ||
        (rc = cli_output_check("simulate", "--csv", a.csv, "the model", a.model, NULL)) ||
        (rc = cli_output_check("simulate", "--svg", a.svg, "the model", a.model, NULL)))
        return cli_outputs_finish(rc);
    memset(res, 0, sizeof res);
    if ((s = rs_model_open(a.model, RS_MODEL_READONLY, &m)) != RS_OK)
        return cli_fail_status(s, "cannot open model %s", a.model);
    if (!rs_model_is_built(m)) {
        rc = cli_fail("%s is not built (run 'recsim build %s')", a.model, a.model);
        goto done;
    }
    if ((rc = apply_options(m, &a)) != CLI_OK)
        goto done;
    n_items = rs_model_item_count(m);
    if ((size_t)a.slate > n_items) {
        if (!cli_quiet)
            fprintf(stderr, "recsim: slates of %zu: the catalogue has only %zu items\n",
                    n_items, n_items);
        a.slate = (long)n_items;
    }
    mirrored = a.fresh ? 0 : rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY);
    mirrored = mirrored < (size_t)a.users ? mirrored : (size_t)a.users;
    cli_progress_start_labelled(&progress, "simulate", "steps", (size_t)a.steps * n_res);
    rs_model_set_progress(m, on_progress, &progress);
    s = rs_model_simulate(m, names, n_res, (size_t)a.users, (uint64_t)a.steps, (size_t)a.slate,
                          (uint64_t)a.seed, &trace);
    rs_model_set_progress(m, NULL, NULL);
    cli_progress_finish(&progress, s == RS_OK ? (size_t)a.steps * n_res : 0);
    if (s != RS_OK) {
        rc = cli_fail_status(s, "%s: simulating", a.model);
        goto done;
    }
    for (size_t p = 0; p < n_res; p++) {
        res[p].name = shown[p];
        res[p].seconds = rs_sim_trace_seconds(trace, p);
        if (!(res[p].rows = malloc((size_t)a.steps * N_COLUMNS * sizeof *res[p].rows))) {
            rc = cli_fail("out of memory for a trace of %ld steps", a.steps);
            goto done;
        }
        if ((s = trace_rows(trace, p, res[p].rows)) != RS_OK) {
            rc = cli_fail_status(s, "%s: reading the trace", a.model);
            goto done;
        }
        for (int k = 0; k < N_STATS; k++)
            rs_sim_trace_value(trace, p, (uint64_t)a.steps - 1, k, &res[p].stat[k]);
    }
    print_summary(&a, res, n_res, mirrored);
    if (a.csv && write_csv(a.csv, res, n_res, (uint64_t)a.steps) != 0) {
        rc = cli_fail("cannot write %s: %s", a.csv, strerror(errno));
        goto done;
    }
    if (a.svg && write_svg(a.svg, &a, res, n_res, (uint64_t)a.steps) != 0) {
        rc = cli_fail("cannot write %s: %s", a.svg, strerror(errno));
        goto done;
    }
    if (!a.json && !cli_quiet && (a.csv || a.svg))
        fprintf(stderr, "wrote%s%s%s%s\n", a.csv ? " " : "", a.csv ? a.csv : "",
                a.svg ? " " : "", a.svg ? a.svg : "");
    rc = CLI_OK;
done:
    for (size_t p = 0; p < n_res; p++)
        free(res[p].rows);
    rs_sim_trace_free(trace);
    rs_model_close(m);
    return cli_outputs_finish(rc);
}
