/*
 * cmd_simulate.c - `recsim simulate`: a population of simulated users
 * (rs_sim) shown slates by the model's scorer, their clicks and purchases
 * fed back into the scorer's user model (closing the loop), beside a
 * most-popular policy on the same population and random numbers; a per-step
 * CSV trace and a self-contained SVG chart.
 */
#include "cli.h"
#include "commands.h"
#include "model.h"
#include "svg_chart.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CATEGORIES 32 /* the most frequent product words; the rest is "other" */
#define STEPS_PER_CALL 16 /* steps per rs_sim_run call, between progress updates */

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
          "LANTERN, MUG ...), the %d most frequent, others pooled.\n"
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
          "  --no-compare    the scorer only, no most-popular run\n"
          "  --csv FILE      per-step trace: policy,step,active,clicks,purchases,ctr,...\n"
          "  --svg FILE      a line chart of CTR, coverage, diversity, category\n"
          "                  entropy, exposure Gini and active users over the steps\n"
          "  --json          the summary as one JSON object\n",
          out);
}

struct sim_args {
    const char *model, *csv, *svg;
    long users, steps, slate, seed;
    double noclick, temperature, drift; /* < 0: the simulator's default */
    bool fresh, no_compare, json;
};

static int parse_args(int argc, char **argv, struct sim_args *a)
{
    int rc = CLI_OK;
    memset(a, 0, sizeof *a);
    a->users = 200;
    a->steps = 20;
    a->slate = 10;
    a->seed = 1;
    a->noclick = a->temperature = a->drift = -1;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *arg = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(arg)) {
            cmd_simulate_help(stdout);
            return -1;
        } else if (strcmp(arg, "--fresh") == 0) {
            a->fresh = true;
        } else if (strcmp(arg, "--no-compare") == 0) {
            a->no_compare = true;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (arg[0] != '-') {
            if (a->model)
                return cli_usage("simulate", "unexpected argument '%s'", arg);
            a->model = arg;
        } else if (!v) {
            return cli_usage("simulate", "%s needs a value", arg);
        } else {
            i++;
            if (strcmp(arg, "--users") == 0)
                rc = cli_parse_long("simulate", arg, v, 1, 1000000, &a->users);
            else if (strcmp(arg, "--steps") == 0)
                rc = cli_parse_long("simulate", arg, v, 1, 100000, &a->steps);
            else if (strcmp(arg, "--slate") == 0)
                rc = cli_parse_long("simulate", arg, v, 1, RS_SIM_MAX_SLATE, &a->slate);
            else if (strcmp(arg, "--seed") == 0)
                rc = cli_parse_long("simulate", arg, v, 0, 2147483647L, &a->seed);
            else if (strcmp(arg, "--noclick") == 0)
                rc = cli_parse_double("simulate", arg, v, 1e-6, 1e12, &a->noclick);
            else if (strcmp(arg, "--temperature") == 0)
                rc = cli_parse_double("simulate", arg, v, 1e-6, 1e6, &a->temperature);
            else if (strcmp(arg, "--drift") == 0)
                rc = cli_parse_double("simulate", arg, v, 0, 1, &a->drift);
            else if (strcmp(arg, "--csv") == 0)
                a->csv = v;
            else if (strcmp(arg, "--svg") == 0)
                a->svg = v;
            else
                return cli_usage("simulate", "unknown option '%s'", arg);
        }
    }
    if (rc == CLI_OK && !a->model)
        return cli_usage("simulate", "needs MODEL");
    return rc;
}

/* ------------------------------------------------------------ catalogue */

/* Category of each item: the last word of its description, the most
 * frequent MAX_CATEGORIES - 1 kept, the rest pooled as "other". */
struct categories {
    uint32_t *of_item;
    char *names[MAX_CATEGORIES];
    size_t n;
};

static int categories_make(const struct cli_model *m, struct categories *c)
{
    size_t n = m->n_items, n_words = 0;
    char **words = calloc(n + 1, sizeof *words), **item_word = calloc(n + 1, sizeof *item_word);
    size_t *counts = calloc(n + 1, sizeof *counts);
    int s = RS_OK;
    memset(c, 0, sizeof *c);
    c->of_item = calloc(n + 1, sizeof *c->of_item);
    if (!words || !item_word || !counts || !c->of_item)
        s = RS_ERR_NOMEM;
    for (size_t i = 0; s == RS_OK && i < n; i++) {
        char title[512], tokens[2048], *last = NULL;
        size_t needed = 0, count = 0, w;
        cli_item_title(m->graph, m->item_keys[i], title, sizeof title);
        if (rs_embedder_tokenize(m->embedder, title, RS_TOKENS_WORDS, tokens, sizeof tokens,
                                 &needed, &count) == RS_OK) {
            /* the last token that is not a number */
            for (char *t = tokens; count--; t += strlen(t) + 1)
                if (strspn(t, "0123456789") != strlen(t))
                    last = t;
        }
        rs_clear_error();
        if (!last)
            last = "(none)";
        for (w = 0; w < n_words && strcmp(words[w], last) != 0; w++)
            ;
        if (w == n_words && !(words[n_words++] = strdup(last))) {
            s = RS_ERR_NOMEM;
            break;
        }
        counts[w]++;
        item_word[i] = words[w];
    }
    if (s == RS_OK) {
        /* pick the most frequent words (selection; MAX_CATEGORIES is small) */
        bool *taken = calloc(n_words + 1, sizeof *taken);
        if (!taken)
            s = RS_ERR_NOMEM;
        while (s == RS_OK && c->n < MAX_CATEGORIES - 1) {
            size_t best = n_words;
            for (size_t w = 0; w < n_words; w++)
                if (!taken[w] && counts[w] > 1 && (best == n_words || counts[w] > counts[best]))
                    best = w;
            if (best == n_words)
                break;
            taken[best] = true;
            c->names[c->n++] = words[best];
            words[best] = NULL; /* moved */
        }
        free(taken);
        c->names[c->n] = strdup("other");
        for (size_t i = 0; s == RS_OK && i < n; i++) {
            c->of_item[i] = (uint32_t)c->n;
            for (size_t k = 0; k < c->n; k++)
                if (item_word[i] && c->names[k] == item_word[i])
                    c->of_item[i] = (uint32_t)k;
        }
        c->n++;
    }
    for (size_t w = 0; w < n_words; w++)
        free(words[w]);
    free(words);
    free(item_word);
    free(counts);
    return s;
}

static void categories_free(struct categories *c)
{
    for (size_t k = 0; k < c->n; k++)
        free(c->names[k]);
    free(c->of_item);
}

/* ------------------------------------------------------------ policies */

struct run {
    struct cli_model *m;
    char **keys;           /* user model key of each simulated user */
    uint64_t *seen;        /* words per user: items never shown again by popular */
    size_t words;
    uint32_t *by_popularity; /* item indices, most popular first */
    size_t errors;
};

static int popular_policy(void *context, uint32_t user, uint64_t step, size_t slate_size,
                          uint32_t *slate_out)
{
    struct run *r = context;
    const uint64_t *seen = r->seen + (size_t)user * r->words;
    size_t n = 0;
    (void)step;
    for (size_t i = 0; n < slate_size && i < r->m->n_items; i++) {
        uint32_t item = r->by_popularity[i];
        if (!(seen[item / 64] >> (item % 64) & 1))
            slate_out[n++] = item;
    }
    for (size_t i = 0; n < slate_size; i++) /* everything seen: repeat the top */
        slate_out[n++] = r->by_popularity[i % r->m->n_items];
    return 0;
}

/* The most-popular run's feedback: clicks and purchases go into its seen
 * set and, as in the scorer's run, into the user model.  (The scorer's run
 * is rs_sim_run_scorer(), which observes them itself.) */
static int feedback(void *context, uint32_t user, uint64_t step, const uint32_t *slate,
                    size_t slate_size, int position, int behaviour, int rating, int left)
{
    struct run *r = context;
    uint32_t item;
    (void)step;
    (void)slate_size;
    (void)rating;
    (void)left;
    if (position < 0)
        return 0;
    item = slate[position];
    r->seen[(size_t)user * r->words + item / 64] |= (uint64_t)1 << (item % 64);
    if (rs_user_model_observe(r->m->users, r->keys[user], r->m->item_keys[item],
                              behaviour == RS_SIM_PURCHASE ? "bought" : "clicked", 1.0,
                              (int64_t)step) != RS_OK)
        r->errors++;
    return 0;
}

/* ------------------------------------------------------------ traces */

struct trace {
    char *header;  /* the library's header line, without newline */
    char **lines;  /* data lines */
    size_t n;
};

static int trace_read(const char *path, struct trace *t)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    memset(t, 0, sizeof *t);
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        char **grown;
        line[strcspn(line, "\r\n")] = '\0';
        if (!t->header) {
            t->header = strdup(line);
            continue;
        }
        if (!(grown = realloc(t->lines, (t->n + 1) * sizeof *grown)))
            break;
        t->lines = grown;
        t->lines[t->n++] = strdup(line);
    }
    fclose(f);
    return t->header ? 0 : -1;
}

/* Read the one-step trace at path and append its data lines to t (whose
 * header is taken from the first). */
static int trace_append(const char *path, struct trace *t, struct trace *one)
{
    char **grown;
    if (trace_read(path, one) != 0)
        return -1;
    if (!t->header) {
        t->header = one->header;
        one->header = NULL;
    }
    grown = realloc(t->lines, (t->n + one->n + 1) * sizeof *grown);
    if (grown) {
        t->lines = grown;
        for (size_t i = 0; i < one->n; i++)
            t->lines[t->n++] = one->lines[i];
        one->n = 0;
    }
    free(one->header);
    for (size_t i = 0; i < one->n; i++)
        free(one->lines[i]);
    free(one->lines);
    return grown ? 0 : -1;
}

static void trace_free(struct trace *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->lines[i]);
    free(t->lines);
    free(t->header);
}

/* The value of column `name` on data line i (NaN when absent). */
static double trace_value(const struct trace *t, size_t i, const char *name)
{
    size_t column = 0, len = strlen(name);
    const char *h = t->header, *p;
    for (; h; column++) {
        if (strncmp(h, name, len) == 0 && (h[len] == ',' || h[len] == '\0'))
            break;
        h = strchr(h, ',');
        h = h ? h + 1 : NULL;
    }
    if (!h || i >= t->n)
        return NAN;
    p = t->lines[i];
    for (size_t c = 0; c < column && p; c++) {
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    if (!p)
        return NAN;
    {
        double v;
        size_t n = strcspn(p, ",");
        if (rs_io_parse_double(p, n, &v) != RS_OK) {
            rs_clear_error();
            return NAN;
        }
        return v;
    }
}

static const char *const chart_columns[] = {"ctr", "coverage", "diversity", "entropy", "gini",
                                            "active"};
static const char *const chart_titles[] = {"click-through rate", "catalogue coverage",
                                           "intra-list diversity",
                                           "entropy of clicked categories (bits)",
                                           "exposure Gini", "active users"};
#define N_CHART 6

/* ------------------------------------------------------------ the command */

struct result {
    const char *name;
    double stat[15];
    double seconds;
    struct trace trace;
};

static void print_summary(const struct sim_args *a, const struct result *res, size_t n_res,
                          size_t mirrored, size_t n_categories)
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
               "\"seed\": %ld, \"categories\": %zu, \"policies\": [",
               a->users, mirrored, a->steps, a->slate, a->seed, n_categories);
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

static int write_csv(const char *path, const struct result *res, size_t n_res)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "policy,%s\n", res[0].trace.header);
    for (size_t p = 0; p < n_res; p++)
        for (size_t i = 0; i < res[p].trace.n; i++)
            fprintf(f, "%s,%s\n", res[p].name, res[p].trace.lines[i]);
    return fclose(f) == 0 ? 0 : -1;
}

static int write_svg(const char *path, const struct sim_args *a, const struct result *res,
                     size_t n_res)
{
    size_t n_points = res[0].trace.n;
    double *x = malloc((n_points ? n_points : 1) * sizeof *x);
    double *values = malloc((n_res * N_CHART * n_points + 1) * sizeof *values);
    const char *names[2];
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
        x[i] = trace_value(&res[0].trace, i, "step");
    for (size_t p = 0; p < n_res; p++) {
        names[p] = res[p].name;
        for (size_t c = 0; c < N_CHART; c++)
            for (size_t i = 0; i < n_points; i++)
                values[(p * N_CHART + c) * n_points + i] =
                    i < res[p].trace.n ? trace_value(&res[p].trace, i, chart_columns[c]) : NAN;
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

/* Tiny deterministic normal draws for the mirrored users' noise. */
static double normal_draw(uint64_t *state)
{
    double u1, u2;
    uint64_t z;
    do {
        z = (*state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        u1 = (double)(z >> 11) * 0x1.0p-53;
    } while (u1 <= 0.0);
    z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    u2 = (double)(z >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

int cmd_simulate(int argc, char **argv)
{
    struct sim_args a;
    struct cli_model m;
    struct categories cats;
    struct run run;
    struct result res[2];
    size_t n_res = 0, dim, n_items, mirrored = 0, span;
    float *interests = NULL;
    double *popularity = NULL;
    uint64_t *seen0 = NULL;
    rs_sim *sim = NULL;
    char tmp_trace[64];
    struct cli_progress progress;
    int rc = parse_args(argc, argv, &a), s = RS_OK;
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (cli_model_open(a.model, NULL, &m) != CLI_OK)
        return CLI_FAILURE;
    memset(&run, 0, sizeof run);
    memset(res, 0, sizeof res);
    memset(&cats, 0, sizeof cats);
    dim = rs_item_store_dim(m.store);
    n_items = m.n_items;
    if ((size_t)a.slate > n_items) {
        if (!cli_quiet)
            fprintf(stderr, "recsim: slates of %zu: the catalogue has only %zu items\n",
                    n_items, n_items);
        a.slate = (long)n_items;
    }
    run.m = &m;
    run.words = (n_items + 63) / 64;
    if (!(interests = malloc((size_t)a.users * dim * sizeof *interests)) ||
        !(popularity = calloc(n_items, sizeof *popularity)) ||
        !(run.keys = calloc((size_t)a.users, sizeof *run.keys)) ||
        !(run.seen = calloc((size_t)a.users * run.words, sizeof *run.seen)) ||
        !(seen0 = calloc((size_t)a.users * run.words, sizeof *seen0)) ||
        !(run.by_popularity = malloc(n_items * sizeof *run.by_popularity))) {
        rc = cli_fail("out of memory for %ld users x %zu items", a.users, n_items);
        goto done;
    }
    s = categories_make(&m, &cats);
    /* simulator item i is store index i (m.item_keys[i]) */
    if (s == RS_OK)
        s = rs_sim_create_from_store(m.store, cats.of_item, cats.n, (size_t)a.users,
                                     (uint64_t)a.seed, &sim);
    if (s == RS_OK && a.noclick >= 0)
        s = rs_sim_set_double(sim, RS_SIM_NOCLICK, a.noclick);
    if (s == RS_OK && a.temperature >= 0)
        s = rs_sim_set_double(sim, RS_SIM_TEMPERATURE, a.temperature);
    if (s == RS_OK && a.drift >= 0)
        s = rs_sim_set_double(sim, RS_SIM_DRIFT, a.drift);
    if (s == RS_OK)
        s = rs_user_model_set_event_weight(m.users, "clicked", 0.5);
    if (s != RS_OK) {
        rc = cli_fail_status(s, "%s: setting up the simulation", a.model);
        goto done;
    }

    /* Users: mirror the real users with a history (graph order), then fresh. */
    span = rs_graph_node_span(m.graph);
    {
        uint64_t state = (uint64_t)a.seed * 0x9E3779B97F4A7C15ull + 1;
        double noise = 0.5 / sqrt((double)dim);
        uint32_t *history = NULL;
        size_t capacity = 0;
        for (uint32_t v = 0; v < span && !a.fresh && mirrored < (size_t)a.users; v++) {
            const char *type, *key;
            size_t n = 0;
            float *vec = interests + mirrored * dim;
            if (rs_graph_node_key(m.graph, v, &type, &key) != RS_OK ||
                strcmp(type, "user") != 0 ||
                rs_user_model_interest(m.users, key, vec, dim) != RS_OK)
                continue;
            if ((s = rs_user_model_history(m.users, key, history, NULL, capacity, &n)) ==
                RS_ERR_BUFFER) {
                uint32_t *grown = realloc(history, n * sizeof *grown);
                if (!grown)
                    break;
                history = grown;
                capacity = n;
                s = rs_user_model_history(m.users, key, history, NULL, capacity, &n);
            }
            if (s != RS_OK)
                continue;
            for (size_t k = 0; k < dim; k++)
                vec[k] += (float)(noise * normal_draw(&state));
            for (size_t i = 0; i < n; i++) {
                seen0[mirrored * run.words + history[i] / 64] |= (uint64_t)1 << (history[i] % 64);
                popularity[history[i]] += 1.0;
            }
            run.keys[mirrored++] = strdup(key);
        }
        free(history);
        rs_clear_error();
        s = RS_OK;
        for (size_t u = mirrored; u < (size_t)a.users; u++) {
            char key[32];
            snprintf(key, sizeof key, "sim-%zu", u);
            run.keys[u] = strdup(key);
        }
        for (size_t u = 0; u < (size_t)a.users; u++)
            if (!run.keys[u]) {
                rc = cli_fail("out of memory");
                goto done;
            }
    }
    /* the popularity order (history counts, ties to the lower index) */
    for (size_t i = 0; i < n_items; i++)
        run.by_popularity[i] = (uint32_t)i;
    for (size_t i = 1; i < n_items; i++) { /* insertion sort is fine for a few thousand */
        uint32_t item = run.by_popularity[i];
        size_t j = i;
        while (j > 0 && popularity[run.by_popularity[j - 1]] < popularity[item]) {
            run.by_popularity[j] = run.by_popularity[j - 1];
            j--;
        }
        run.by_popularity[j] = item;
    }
    snprintf(tmp_trace, sizeof tmp_trace, "/tmp/recsim-trace-%ld.csv", (long)getpid());

    for (int policy = 0; policy < (a.no_compare ? 1 : 2); policy++) {
        struct result *r = &res[n_res];
        double t0;
        r->name = policy == 0 ? "scorer" : "most-popular";
        if ((s = rs_sim_populate(sim)) != RS_OK)
            break;
        for (size_t u = 0; u < mirrored && s == RS_OK; u++)
            s = rs_sim_set_interest(sim, (uint32_t)u, interests + u * dim, dim);
        memcpy(run.seen, seen0, (size_t)a.users * run.words * sizeof *run.seen);
        t0 = cli_now();
        /* In stretches of STEPS_PER_CALL steps (the clock and statistics
         * continue across calls), so that a long run shows its progress on a
         * terminal while the scorer's cached rankings live through a call. */
        cli_progress_start(&progress, r->name, (size_t)a.steps);
        for (long step = 0; s == RS_OK && step < a.steps; step += STEPS_PER_CALL) {
            struct trace one;
            uint64_t n_steps = (uint64_t)(a.steps - step < STEPS_PER_CALL ? a.steps - step
                                                                          : STEPS_PER_CALL);
            /* The scorer as the policy, clicks observed in its user model
             * (the library's loop); a user who did not click is shown the
             * same slate again, as the scorer would answer it
             * (RS_SIM_SHOW_AGAIN). */
            if (policy == 0)
                s = rs_sim_run_scorer(sim, m.scorer, m.users, (const char *const *)run.keys,
                                      n_steps, (size_t)a.slate, RS_SIM_SHOW_AGAIN, tmp_trace);
            else
                s = rs_sim_run(sim, popular_policy, &run, feedback, &run, n_steps,
                               (size_t)a.slate, tmp_trace);
            if (s == RS_OK && trace_append(tmp_trace, &r->trace, &one) != 0)
                s = RS_ERR_IO;
            cli_progress_update(&progress, (size_t)step + (size_t)n_steps);
        }
        cli_progress_finish(&progress, (size_t)a.steps);
        r->seconds = cli_now() - t0;
        if (s != RS_OK)
            break;
        for (int k = 0; k < 15; k++)
            rs_sim_stat(sim, k, &r->stat[k]);
        n_res++;
    }
    unlink(tmp_trace);
    if (s != RS_OK) {
        rc = cli_fail_status(s, "%s: simulating", a.model);
        goto done;
    }
    if (run.errors && !cli_quiet)
        fprintf(stderr, "recsim: %zu responses could not be fed back to the user model\n",
                run.errors);
    print_summary(&a, res, n_res, mirrored, cats.n);
    if (a.csv && write_csv(a.csv, res, n_res) != 0) {
        rc = cli_fail("cannot write %s: %s", a.csv, strerror(errno));
        goto done;
    }
    if (a.svg && write_svg(a.svg, &a, res, n_res) != 0) {
        rc = cli_fail("cannot write %s: %s", a.svg, strerror(errno));
        goto done;
    }
    if (!a.json && !cli_quiet && (a.csv || a.svg))
        fprintf(stderr, "wrote%s%s%s%s\n", a.csv ? " " : "", a.csv ? a.csv : "",
                a.svg ? " " : "", a.svg ? a.svg : "");
    rc = CLI_OK;
done:
    for (size_t p = 0; p < 2; p++)
        trace_free(&res[p].trace);
    if (run.keys)
        for (size_t u = 0; u < (size_t)a.users; u++)
            free(run.keys[u]);
    free(run.keys);
    free(run.seen);
    free(run.by_popularity);
    free(seen0);
    free(popularity);
    free(interests);
    categories_free(&cats);
    rs_sim_free(sim);
    cli_model_close(&m);
    return rc;
}
