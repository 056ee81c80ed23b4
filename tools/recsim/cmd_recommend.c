/*
 * cmd_recommend.c - `recsim recommend` (top-k for users, with the reasons)
 * and `recsim similar` (items like an item): argument parsing and printing
 * over rs_model.
 */
#include "cli.h"
#include "cli_model.h"
#include "cli_recjson.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_K 1000
#define MAX_LIST 256

void cmd_recommend_help(FILE *out)
{
    fputs("usage: recsim recommend [options] MODEL USER...\n"
          "       recsim recommend [options] --users-from FILE|- MODEL\n"
          "       recsim recommend [options] --all MODEL\n"
          "\n"
          "Recommend the k best items each USER has not interacted with yet, from the\n"
          "model file MODEL built by 'recsim build'.  The user's history is every\n"
          "user -> item event of the model (with its own time and weight); a user with\n"
          "no history is cold-started (from their profile in the graph, else by\n"
          "popularity) and the output says so.  Put '--' before a USER that starts\n"
          "with '-'.\n"
          "\n"
          "  -k N, -kN       items per user, 1..1000 (default 10)\n"
          "  --exclude ITEM  never recommend ITEM (repeatable)\n"
          "  --only ITEM     recommend only among the listed items (repeatable)\n"
          "  --explain       add why: one sentence and the graph path behind it\n"
          "  --no-paths      with --explain, the sentence without the path\n"
          "  --interests     add the user's interests as graph entities\n"
          "  --set NAME=VALUE  a model option for this run (e.g. scorer.w_popularity)\n"
          "  --json          one JSON array on standard output (scores with 9\n"
          "                  significant digits: the float the library returned)\n"
          "  --users-from FILE  the users of FILE ('-': standard input), one key a\n"
          "                  line (blank lines skipped), instead of USER arguments\n"
          "  --all           every user with a history in the model\n"
          "  -h, --help      this help\n"
          "\n"
          "With --users-from or --all the model is loaded once and the output is JSON\n"
          "Lines: one object a user, {\"user\", \"items\": [item keys], \"scores\"}, and\n"
          "with --explain \"explanations\" and \"paths\"; the lists are those of one\n"
          "call per user, worked out 1024 users at a time (memory stays bounded).\n"
          "Options may come after the operands; --opt=value works too.\n",
          out);
}

void cmd_similar_help(FILE *out)
{
    fputs("usage: recsim similar [options] MODEL ITEM\n"
          "\n"
          "The k items most like ITEM (an item key) in the model file MODEL built by\n"
          "'recsim build': the cosine of their item vectors, ITEM itself left out.\n"
          "Put '--' before an ITEM that starts with '-'.\n"
          "\n"
          "  -k N, -kN  items, 1..1000 (default 10)\n"
          "  --json     one JSON array on standard output\n"
          "  -h, --help this help\n",
          out);
}

struct rec_args {
    const char *model;
    const char **users;
    size_t n_users;
    const char *exclude[MAX_LIST], *only[MAX_LIST], *sets[MAX_LIST];
    size_t n_exclude, n_only, n_sets;
    const char *users_from;
    long k;
    bool explain, interests, json, no_paths, all;
};

/* "user 13705 -bought-> item 22150 <-bought- user 17850 ..." */
static void print_path(const rs_explanation *e)
{
    size_t n = rs_explanation_length(e);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            int reversed = 0;
            const char *rel = rs_explanation_relation(e, i - 1, &reversed);
            printf(reversed ? " <-%s- " : " -%s-> ", rel ? rel : "?");
        }
        printf("%s %s", rs_explanation_node_type(e, i), cli_shown(rs_explanation_node_key(e, i)));
    }
}

/* The user's interests as graph entities, one line. */
static int print_interests(rs_model *m, const char *user)
{
    json_t *list = cli_interests_json(m, user), *entity;
    size_t i;
    if (!list)
        return cli_fail("out of memory");
    printf("  interests:");
    json_array_foreach(list, i, entity)
        printf("%s %s=%s %.2f", i ? "," : "",
               json_string_value(json_object_get(entity, "type")),
               cli_shown(json_string_value(json_object_get(entity, "key"))),
               json_real_value(json_object_get(entity, "share")));
    printf(json_array_size(list) ? "\n" : " none\n");
    json_decref(list);
    return CLI_OK;
}

/* One user's list as text. */
static int recommend_text(rs_model *m, const struct rec_args *a, const char *user,
                          const char **keys, float *scores, bool first)
{
    size_t n = 0, history = cli_history_length(m, user);
    uint32_t user_node;
    bool in_graph = rs_graph_find_node(rs_model_graph(m), "user", user, &user_node) == RS_OK;
    char title[256];
    int s;
    rs_clear_error();
    s = rs_model_recommend(m, user, (size_t)a->k, a->exclude, a->n_exclude, a->only, a->n_only,
                           keys, scores, NULL, &n);
    if (s != RS_OK)
        return cli_fail_status(s, "recommending for '%s' from %s", user, a->model);
    printf("%s", first ? "" : "\n");
    if (history)
        printf("user %s: %zu items in the history\n", cli_shown(user), history);
    else if (in_graph)
        printf("user %s: no history, cold start from the profile in the graph\n", cli_shown(user));
    else
        printf("user %s: unknown, cold start by popularity\n", cli_shown(user));
    if (a->interests && print_interests(m, user) != CLI_OK)
        return CLI_FAILURE;
    for (size_t i = 0; i < n; i++) {
        rs_explanation *e = NULL;
        cli_title(m, keys[i], title, sizeof title);
        if (a->explain && (s = rs_model_explain(m, user, keys[i], &e)) != RS_OK)
            return cli_fail_status(s, "explaining item '%s' for '%s'", keys[i], user);
        printf("  %2zu. %-10s %-40.40s %7.3f\n", i + 1, cli_shown(keys[i]), title, scores[i]);
        if (e) {
            printf("      %s\n", cli_shown(rs_explanation_text(e)));
            if (rs_explanation_length(e) && !a->no_paths) {
                printf("      path: ");
                print_path(e);
                printf("\n");
            }
        }
        rs_explanation_free(e);
    }
    if (n == 0)
        printf("  (nothing left to recommend)\n");
    return CLI_OK;
}

/* One user's list appended to the JSON array out (cli_rec_entry). */
static int recommend_json(rs_model *m, const struct rec_args *a, const char *user,
                          const char **keys, float *scores, json_t *out)
{
    struct cli_rec_query q = {(size_t)a->k, a->exclude, a->n_exclude, a->only, a->n_only,
                              a->explain, a->no_paths, a->interests, cli_title_of, NULL};
    const char *why = "";
    json_t *entry = NULL;
    int s = cli_rec_entry(m, &q, user, keys, scores, &entry, &why);
    if (s != RS_OK)
        return cli_fail_status(s, "%s for '%s' from %s", why, user, a->model);
    if (json_array_append_new(out, entry) != 0)
        return cli_fail("out of memory");
    return CLI_OK;
}

static int push(const char **list, size_t *n, const char *value, const char *option)
{
    if (*n >= MAX_LIST)
        return cli_usage("recommend", "too many %s options (at most %d)", option, MAX_LIST);
    list[(*n)++] = value;
    return CLI_OK;
}

enum {
    OPT_EXCLUDE = CLI_LONG_ONLY,
    OPT_ONLY,
    OPT_EXPLAIN,
    OPT_NO_PATHS,
    OPT_INTERESTS,
    OPT_SET,
    OPT_JSON,
    OPT_USERS_FROM,
    OPT_ALL
};

static const struct option recommend_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"only", required_argument, NULL, OPT_ONLY},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"no-paths", no_argument, NULL, OPT_NO_PATHS},
    {"interests", no_argument, NULL, OPT_INTERESTS},
    {"set", required_argument, NULL, OPT_SET},
    {"json", no_argument, NULL, OPT_JSON},
    {"users-from", required_argument, NULL, OPT_USERS_FROM},
    {"all", no_argument, NULL, OPT_ALL},
    {NULL, 0, NULL, 0}};

static int parse_recommend(int argc, char **argv, struct rec_args *a)
{
    int rc = CLI_OK, c;
    cli_getopt_start();
    while (rc == CLI_OK &&
           (c = cli_getopt("recommend", argc, argv, "hk:", recommend_options, &rc)) != -1) {
        switch (c) {
        case 'h': cmd_recommend_help(stdout); return -1;
        case 'k': rc = cli_parse_long("recommend", "-k", optarg, 1, MAX_K, &a->k); break;
        case OPT_EXCLUDE: rc = push(a->exclude, &a->n_exclude, optarg, "--exclude"); break;
        case OPT_ONLY: rc = push(a->only, &a->n_only, optarg, "--only"); break;
        case OPT_SET: rc = push(a->sets, &a->n_sets, optarg, "--set"); break;
        case OPT_EXPLAIN: a->explain = true; break;
        case OPT_NO_PATHS: a->no_paths = true; break;
        case OPT_INTERESTS: a->interests = true; break;
        case OPT_JSON: a->json = true; break;
        case OPT_USERS_FROM: a->users_from = optarg; break;
        case OPT_ALL: a->all = true; break;
        default: break; /* '?': reported, rc set */
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        a->model = argv[optind++];
    while (optind < argc)
        a->users[a->n_users++] = argv[optind++];
    if (!a->model)
        return cli_usage("recommend", "needs MODEL and at least one USER");
    if ((a->users_from != NULL) + a->all + (a->n_users > 0) > 1)
        return cli_usage("recommend", "USER arguments, --users-from and --all exclude one "
                                      "another");
    if (a->n_users == 0 && !a->users_from && !a->all)
        return cli_usage("recommend", "needs MODEL and at least one USER (or --users-from, "
                                      "--all)");
    if ((a->users_from || a->all) && a->interests)
        return cli_usage("recommend", "--interests does not go with --users-from or --all");
    return CLI_OK;
}

/* ------------------------------------------------------------ batches */

#define CHUNK 1024

/* One chunk of users: their lists, then one JSON line each. */
struct batch {
    rs_model *m;
    const struct rec_args *a;
    char *owned[CHUNK];     /* keys read from a file (NULL for --all) */
    const char *users[CHUNK];
    size_t lines[CHUNK];    /* the users' line numbers in the file */
    size_t n;
    const char **keys;      /* CHUNK x k */
    float *scores;
    size_t counts[CHUNK];
    size_t done;
    struct cli_progress progress;
};

static int batch_line(struct batch *b, size_t u)
{
    const struct rec_args *a = b->a;
    const char *user = b->users[u];
    const char **keys = b->keys + u * (size_t)a->k;
    const float *scores = b->scores + u * (size_t)a->k;
    json_t *line = json_object(), *items = json_array(), *values = json_array();
    json_t *texts = a->explain ? json_array() : NULL;
    json_t *paths = a->explain && !a->no_paths ? json_array() : NULL;
    bool ok = line && items && values && (!a->explain || texts) &&
              (!a->explain || a->no_paths || paths);
    int rc = CLI_OK;
    json_t *key = json_string(user);
    ok = ok && key && json_object_set_new(line, "user", key) == 0;
    if (!key && line)
        rc = cli_fail("user '%s' is not valid UTF-8", user);
    for (size_t i = 0; ok && rc == CLI_OK && i < b->counts[u]; i++) {
        rs_explanation *e = NULL;
        int s;
        ok = json_array_append_new(items, json_string(keys[i])) == 0 &&
             json_array_append_new(values, json_real((double)scores[i])) == 0;
        if (!ok || !a->explain)
            continue;
        if ((s = rs_model_explain(b->m, user, keys[i], &e)) != RS_OK) {
            rc = cli_fail_status(s, "explaining item '%s' for '%s'", keys[i], user);
            break;
        }
        ok = json_array_append_new(texts, json_string(rs_explanation_text(e))) == 0 &&
             (!paths || json_array_append_new(paths, cli_json_path(e)) == 0);
        rs_explanation_free(e);
    }
    if (ok && rc == CLI_OK) {
        ok = json_object_set(line, "items", items) == 0 &&
             json_object_set(line, "scores", values) == 0 &&
             (!texts || json_object_set(line, "explanations", texts) == 0) &&
             (!paths || json_object_set(line, "paths", paths) == 0);
        if (ok) {
            char *text = json_dumps(line, JSON_PRESERVE_ORDER | JSON_COMPACT |
                                              JSON_REAL_PRECISION(9));
            ok = text != NULL;
            if (text) {
                fputs(text, stdout);
                fputc('\n', stdout);
            }
            free(text);
        }
    }
    if (!ok && rc == CLI_OK)
        rc = cli_fail("the list of '%s': out of memory or invalid UTF-8", user);
    json_decref(line);
    json_decref(items);
    json_decref(values);
    json_decref(texts);
    json_decref(paths);
    return rc;
}

/* The lists of the chunk's users, then their lines; the chunk is emptied. */
static int batch_flush(struct batch *b)
{
    const struct rec_args *a = b->a;
    int rc = CLI_OK, s = RS_OK;
    if (b->n == 0)
        return CLI_OK;
    if (a->n_exclude == 0 && a->n_only == 0) {
        s = rs_model_recommend_batch(b->m, b->users, b->n, (size_t)a->k, b->keys, b->scores,
                                     NULL, b->counts);
    } else {
        /* the batch call has no filters: the same lists, one call each */
        for (size_t u = 0; s == RS_OK && u < b->n; u++)
            s = rs_model_recommend(b->m, b->users[u], (size_t)a->k, a->exclude, a->n_exclude,
                                   a->only, a->n_only, b->keys + u * (size_t)a->k,
                                   b->scores + u * (size_t)a->k, NULL, &b->counts[u]);
    }
    for (size_t u = 0; s != RS_OK && u < b->n; u++) {
        /* name the user that failed: its line in the file, or its key */
        size_t n = 0;
        int one = rs_model_recommend(b->m, b->users[u], (size_t)a->k, a->exclude, a->n_exclude,
                                     a->only, a->n_only, NULL, NULL, NULL, &n);
        if (one == RS_OK)
            continue;
        if (a->users_from)
            rc = cli_fail_status(one, "%s:%zu: recommending from %s",
                                 strcmp(a->users_from, "-") == 0 ? "stdin" : a->users_from,
                                 b->lines[u], a->model);
        else
            rc = cli_fail_status(one, "recommending for '%s' from %s", b->users[u], a->model);
        break;
    }
    if (s != RS_OK && rc == CLI_OK)
        rc = cli_fail_status(s, "recommending from %s", a->model);
    for (size_t u = 0; rc == CLI_OK && u < b->n; u++)
        rc = batch_line(b, u);
    if (rc == CLI_OK && ferror(stdout))
        rc = cli_flush_stdout(); /* stop early on a full disk or a closed pipe */
    b->done += b->n;
    cli_progress_update(&b->progress, b->done);
    for (size_t u = 0; u < b->n; u++) {
        free(b->owned[u]);
        b->owned[u] = NULL;
    }
    b->n = 0;
    return rc;
}

/* Keys of FILE ('-': standard input), one a line, in chunks. */
static int batch_from_file(struct batch *b, const char *path)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t len;
    int rc = CLI_OK;
    if (!in)
        return cli_fail("cannot open %s: %s", path, strerror(errno));
    while (rc == CLI_OK && (len = getline(&line, &cap, in)) >= 0) {
        line_no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (strlen(line) != (size_t)len) {
            rc = cli_fail("%s:%zu: a NUL byte in a user key", path, line_no);
            break;
        }
        if (!(b->owned[b->n] = strdup(line))) {
            rc = cli_fail("out of memory");
            break;
        }
        b->users[b->n] = b->owned[b->n];
        b->lines[b->n] = line_no;
        if (++b->n == CHUNK)
            rc = batch_flush(b);
    }
    if (rc == CLI_OK && ferror(in))
        rc = cli_fail("reading %s: %s", path, strerror(errno));
    if (rc == CLI_OK)
        rc = batch_flush(b);
    for (size_t u = 0; u < b->n; u++)
        free(b->owned[u]);
    b->n = 0;
    free(line);
    if (in != stdin)
        fclose(in);
    return rc;
}

/* Every user with a history, in chunks. */
static int batch_all(struct batch *b)
{
    size_t cursor = 0, n = 0;
    int rc = CLI_OK, s;
    do {
        s = rs_model_users(b->m, &cursor, b->users, CHUNK, &n);
        if (s != RS_OK)
            return cli_fail_status(s, "listing the users of %s", b->a->model);
        b->n = n;
        rc = batch_flush(b);
    } while (rc == CLI_OK && n > 0);
    return rc;
}

static int recommend_batch(rs_model *m, const struct rec_args *a)
{
    struct batch *b = calloc(1, sizeof *b);
    int rc;
    if (!b)
        return cli_fail("out of memory");
    b->m = m;
    b->a = a;
    b->keys = malloc(CHUNK * (size_t)a->k * sizeof *b->keys);
    b->scores = malloc(CHUNK * (size_t)a->k * sizeof *b->scores);
    if (!b->keys || !b->scores) {
        rc = cli_fail("out of memory");
    } else {
        cli_progress_start_labelled(&b->progress, "recommend", "users",
                           a->all ? rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY) : 0);
        rc = a->all ? batch_all(b) : batch_from_file(b, a->users_from);
        cli_progress_finish(&b->progress, b->done);
    }
    free(b->keys);
    free(b->scores);
    free(b);
    return rc;
}

int cmd_recommend(int argc, char **argv)
{
    struct rec_args a;
    rs_model *m = NULL;
    const char **keys = NULL;
    float *scores = NULL;
    json_t *list = NULL;
    int rc;
    memset(&a, 0, sizeof a);
    a.k = 10;
    if (!(a.users = calloc((size_t)argc, sizeof *a.users)))
        return cli_fail("out of memory");
    if ((rc = parse_recommend(argc, argv, &a)) != CLI_OK) {
        free(a.users);
        return rc < 0 ? CLI_OK : rc;
    }
    if (cli_open_model(a.model, RS_MODEL_READONLY, &m) != CLI_OK) {
        free(a.users);
        return CLI_FAILURE;
    }
    for (size_t i = 0; i < a.n_sets && rc == CLI_OK; i++)
        rc = cli_apply_set(m, "recommend", a.sets[i]);
    if (rc != CLI_OK) {
        rs_model_close(m);
        free(a.users);
        return rc;
    }
    if (!rs_model_is_built(m)) {
        rs_model_close(m);
        free(a.users);
        return cli_fail("%s is not built yet: run 'recsim build %s' first", a.model, a.model);
    }
    if (a.users_from || a.all) {
        rc = recommend_batch(m, &a);
        free(a.users);
        rs_model_close(m);
        return rc;
    }
    keys = malloc((size_t)a.k * sizeof *keys);
    scores = malloc((size_t)a.k * sizeof *scores);
    if (!keys || !scores)
        rc = cli_fail("out of memory");
    if (a.json && rc == CLI_OK && !(list = json_array()))
        rc = cli_fail("out of memory");
    for (size_t u = 0; u < a.n_users && rc == CLI_OK; u++)
        rc = a.json ? recommend_json(m, &a, a.users[u], keys, scores, list)
                    : recommend_text(m, &a, a.users[u], keys, scores, u == 0);
    if (a.json && rc == CLI_OK)
        rc = cli_json_print(list);
    json_decref(list);
    free(keys);
    free(scores);
    free(a.users);
    rs_model_close(m);
    return rc;
}

static const struct option similar_options[] = {
    {"help", no_argument, NULL, 'h'}, {"json", no_argument, NULL, OPT_JSON}, {NULL, 0, NULL, 0}};

int cmd_similar(int argc, char **argv)
{
    const char *model = NULL, *item = NULL;
    long k = 10;
    bool json = false;
    rs_model *m = NULL;
    const char *keys[MAX_K];
    float scores[MAX_K];
    size_t n = 0;
    char title[256];
    int rc = CLI_OK, s;
    int c;
    cli_getopt_start();
    while (rc == CLI_OK &&
           (c = cli_getopt("similar", argc, argv, "hk:", similar_options, &rc)) != -1) {
        if (c == 'h') {
            cmd_similar_help(stdout);
            return CLI_OK;
        } else if (c == 'k') {
            rc = cli_parse_long("similar", "-k", optarg, 1, MAX_K, &k);
        } else if (c == OPT_JSON) {
            json = true;
        }
    }
    if (rc == CLI_OK && optind < argc)
        model = argv[optind++];
    if (rc == CLI_OK && optind < argc)
        item = argv[optind++];
    if (rc == CLI_OK && optind < argc)
        return cli_usage("similar", "unexpected argument '%s'", argv[optind]);
    if (rc != CLI_OK)
        return rc;
    if (!model || !item)
        return cli_usage("similar", "needs MODEL and ITEM");
    if (cli_open_model(model, RS_MODEL_READONLY, &m) != CLI_OK)
        return CLI_FAILURE;
    json_t *doc = NULL;
    s = json ? cli_similar_doc(m, item, (size_t)k, cli_title_of, NULL, &doc)
             : rs_model_similar(m, item, (size_t)k, keys, scores, NULL, &n);
    if (s == RS_ERR_NOTFOUND && rs_model_is_built(m))
        rc = cli_fail("%s: unknown item '%s'", model, item);
    else if (s == RS_ERR_STATE)
        rc = cli_fail("%s is not built yet: run 'recsim build %s' first", model, model);
    else if (s != RS_OK)
        rc = cli_fail_status(s, "%s: items like '%s'", model, item);
    if (rc == CLI_OK && json)
        rc = cli_json_print(doc);
    json_decref(doc);
    if (rc != CLI_OK || json) {
        rs_model_close(m);
        return rc;
    }
    printf("items like %s %s:\n", cli_shown(item), cli_title(m, item, title, sizeof title));
    for (size_t i = 0; i < n; i++) {
        cli_title(m, keys[i], title, sizeof title);
        printf("  %2zu. %-10s %-40.40s %7.3f\n", i + 1, cli_shown(keys[i]), title, scores[i]);
    }
    rs_model_close(m);
    return CLI_OK;
}
