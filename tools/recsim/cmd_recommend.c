/*
 * cmd_recommend.c - `recsim recommend` (top-k for users, with the reasons)
 * and `recsim similar` (items like an item): argument parsing and printing
 * over rs_model.
 */
#include "cli.h"
#include "cli_model.h"
#include "commands.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_K 1000
#define MAX_LIST 256

void cmd_recommend_help(FILE *out)
{
    fputs("usage: recsim recommend [options] MODEL USER...\n"
          "\n"
          "Recommend the k best items each USER has not interacted with yet, from the\n"
          "model file MODEL built by 'recsim build'.  The user's history is every\n"
          "user -> item event of the model (with its own time and weight); a user with\n"
          "no history is cold-started (from their profile in the graph, else by\n"
          "popularity) and the output says so.\n"
          "\n"
          "  -k N            items per user, 1..1000 (default 10)\n"
          "  --exclude ITEM  never recommend ITEM (repeatable)\n"
          "  --only ITEM     recommend only among the listed items (repeatable)\n"
          "  --explain       add why: one sentence and the graph path behind it\n"
          "  --no-paths      with --explain, the sentence without the path\n"
          "  --interests     add the user's interests as graph entities\n"
          "  --set NAME=VALUE  a model option for this run (e.g. scorer.w_popularity)\n"
          "  --json          one JSON array on standard output (scores with 9\n"
          "                  significant digits: the float the library returned)\n",
          out);
}

void cmd_similar_help(FILE *out)
{
    fputs("usage: recsim similar [options] MODEL ITEM\n"
          "\n"
          "The k items most like ITEM (an item key) in the model file MODEL built by\n"
          "'recsim build': the cosine of their item vectors, ITEM itself left out.\n"
          "\n"
          "  -k N      items, 1..1000 (default 10)\n"
          "  --json    one JSON array on standard output\n",
          out);
}

struct rec_args {
    const char *model;
    const char **users;
    size_t n_users;
    const char *exclude[MAX_LIST], *only[MAX_LIST], *sets[MAX_LIST];
    size_t n_exclude, n_only, n_sets;
    long k;
    bool explain, interests, json, no_paths;
};

static const char *source_name(int source)
{
    switch (source) {
    case RS_SCORER_FROM_HISTORY: return "history";
    case RS_SCORER_FROM_PROFILE: return "profile";
    default: return "popularity";
    }
}

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

/* [{"type", "key"}, {"relation", "reversed"}, {"type", "key"}, ...]: an
 * empty array when there is no path (a cold user's explanation names
 * nobody).  NULL when out of memory. */
static json_t *json_path(const rs_explanation *e)
{
    size_t n = rs_explanation_length(e);
    json_t *path = json_array();
    for (size_t i = 0; path && i < n; i++) {
        int reversed = 0;
        const char *rel = i > 0 ? rs_explanation_relation(e, i - 1, &reversed) : NULL;
        if ((i > 0 && json_array_append_new(path, json_pack("{s:s, s:b}", "relation",
                                                           rel ? rel : "", "reversed",
                                                           reversed)) != 0) ||
            json_array_append_new(path, json_pack("{s:s, s:s}", "type",
                                                  rs_explanation_node_type(e, i), "key",
                                                  rs_explanation_node_key(e, i))) != 0) {
            json_decref(path);
            return NULL;
        }
    }
    return path;
}

/* History length of a user in the model (0 when unknown). */
static size_t history_length(rs_model *m, const char *user)
{
    size_t n = 0;
    int s = rs_user_model_history(rs_model_user_model(m), user, NULL, NULL, 0, &n);
    if (s != RS_OK && s != RS_ERR_BUFFER)
        n = 0;
    rs_clear_error();
    return n;
}

/* The user's interests as graph entities: printed, or into out as JSON. */
static int interests(rs_model *m, const char *user, json_t *out)
{
    uint32_t nodes[8];
    float shares[8];
    size_t ni = 0;
    json_t *list = out ? json_array() : NULL;
    if (rs_scorer_interests(rs_model_scorer(m), user, 5, nodes, shares, &ni) != RS_OK)
        ni = 0;
    rs_clear_error();
    if (!out)
        printf("  interests:");
    for (size_t i = 0; i < ni; i++) {
        const char *type = "", *key = "";
        rs_graph_node_key(rs_model_graph(m), nodes[i], &type, &key);
        if (!out)
            printf("%s %s=%s %.2f", i ? "," : "", type, cli_shown(key), shares[i]);
        else if (json_array_append_new(list, json_pack("{s:s, s:s, s:f}", "type", type, "key",
                                                       key, "share", (double)shares[i])) != 0)
            break;
    }
    if (!out) {
        printf(ni ? "\n" : " none\n");
        return CLI_OK;
    }
    if (!list || json_array_size(list) != ni || json_object_set_new(out, "interests", list) != 0)
        return cli_fail("out of memory");
    return CLI_OK;
}

/* One user's list: printed, or appended to the JSON array out. */
static int recommend_one(rs_model *m, const struct rec_args *a, const char *user,
                         const char **keys, float *scores, json_t *out, bool first)
{
    size_t n = 0, history = history_length(m, user);
    uint32_t user_node;
    bool in_graph = rs_graph_find_node(rs_model_graph(m), "user", user, &user_node) == RS_OK;
    const char *status = history ? "history" : in_graph ? "profile" : "popularity";
    json_t *entry = NULL, *items = NULL;
    char title[256];
    int s;
    rs_clear_error();
    s = rs_model_recommend(m, user, (size_t)a->k, a->exclude, a->n_exclude, a->only, a->n_only,
                           keys, scores, NULL, &n);
    if (s != RS_OK)
        return cli_fail_status(s, "recommending for '%s' from %s", user, a->model);
    if (out) {
        entry = json_pack("{s:s, s:b, s:I, s:b, s:s}", "user", user, "known",
                          in_graph || history, "history", (json_int_t)history, "cold_start",
                          !history, "source", status);
        if (!entry || json_array_append_new(out, entry) != 0)
            return cli_fail("'%s' is not valid UTF-8, or out of memory", user);
    } else {
        printf("%s", first ? "" : "\n");
        if (history)
            printf("user %s: %zu items in the history\n", cli_shown(user), history);
        else if (in_graph)
            printf("user %s: no history, cold start from the profile in the graph\n", cli_shown(user));
        else
            printf("user %s: unknown, cold start by popularity\n", cli_shown(user));
    }
    if (a->interests && interests(m, user, entry) != CLI_OK)
        return CLI_FAILURE;
    if (out && (!(items = json_array()) || json_object_set_new(entry, "items", items) != 0))
        return cli_fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        rs_explanation *e = NULL;
        cli_title(m, keys[i], title, sizeof title);
        if (a->explain && (s = rs_model_explain(m, user, keys[i], &e)) != RS_OK)
            return cli_fail_status(s, "explaining item '%s' for '%s'", keys[i], user);
        if (out) {
            json_t *item = json_pack("{s:I, s:s, s:s, s:f}", "rank", (json_int_t)(i + 1), "item",
                                     keys[i], "description", title, "score",
                                     (double)scores[i]);
            if (item && e &&
                json_object_set_new(item, "source",
                                    json_string(source_name(rs_explanation_source(e)))) == 0 &&
                json_object_set_new(item, "explanation",
                                    json_string(rs_explanation_text(e))) == 0)
                json_object_set_new(item, "path", json_path(e));
            if (!item || (e && !json_object_get(item, "path")) ||
                json_array_append_new(items, item) != 0) {
                rs_explanation_free(e);
                return cli_fail("item '%s' of '%s': out of memory or invalid UTF-8", keys[i],
                                user);
            }
        } else {
            printf("  %2zu. %-10s %-40.40s %7.3f\n", i + 1, cli_shown(keys[i]), title, scores[i]);
            if (e) {
                printf("      %s\n", cli_shown(rs_explanation_text(e)));
                if (rs_explanation_length(e) && !a->no_paths) {
                    printf("      path: ");
                    print_path(e);
                    printf("\n");
                }
            }
        }
        rs_explanation_free(e);
    }
    if (!out && n == 0)
        printf("  (nothing left to recommend)\n");
    return CLI_OK;
}

static int push(const char **list, size_t *n, const char *value, const char *option)
{
    if (*n >= MAX_LIST)
        return cli_usage("recommend", "too many %s options (at most %d)", option, MAX_LIST);
    list[(*n)++] = value;
    return CLI_OK;
}

static int parse_recommend(int argc, char **argv, struct rec_args *a)
{
    int rc = CLI_OK;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *arg = argv[i];
        if (cli_is_help(arg)) {
            cmd_recommend_help(stdout);
            return -1;
        } else if (strcmp(arg, "--explain") == 0) {
            a->explain = true;
        } else if (strcmp(arg, "--no-paths") == 0) {
            a->no_paths = true;
        } else if (strcmp(arg, "--interests") == 0) {
            a->interests = true;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (strcmp(arg, "-k") == 0 || strcmp(arg, "--exclude") == 0 ||
                   strcmp(arg, "--only") == 0 || strcmp(arg, "--set") == 0) {
            if (i + 1 >= argc)
                rc = cli_usage("recommend", "%s needs a value", arg);
            else if (arg[1] == 'k')
                rc = cli_parse_long("recommend", "-k", argv[++i], 1, MAX_K, &a->k);
            else if (arg[2] == 'e')
                rc = push(a->exclude, &a->n_exclude, argv[++i], arg);
            else if (arg[2] == 's')
                rc = push(a->sets, &a->n_sets, argv[++i], arg);
            else
                rc = push(a->only, &a->n_only, argv[++i], arg);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            rc = cli_usage("recommend", "unknown option '%s'", arg);
        } else if (!a->model) {
            a->model = arg;
        } else {
            a->users[a->n_users++] = arg;
        }
    }
    if (rc == CLI_OK && (!a->model || a->n_users == 0))
        rc = cli_usage("recommend", "needs MODEL and at least one USER");
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
    keys = malloc((size_t)a.k * sizeof *keys);
    scores = malloc((size_t)a.k * sizeof *scores);
    if (!keys || !scores)
        rc = cli_fail("out of memory");
    if (a.json && rc == CLI_OK && !(list = json_array()))
        rc = cli_fail("out of memory");
    for (size_t u = 0; u < a.n_users && rc == CLI_OK; u++)
        rc = recommend_one(m, &a, a.users[u], keys, scores, list, u == 0);
    if (a.json && rc == CLI_OK)
        rc = cli_json_print(list);
    json_decref(list);
    free(keys);
    free(scores);
    free(a.users);
    rs_model_close(m);
    return rc;
}

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
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *arg = argv[i];
        if (cli_is_help(arg)) {
            cmd_similar_help(stdout);
            return CLI_OK;
        } else if (strcmp(arg, "--json") == 0) {
            json = true;
        } else if (strcmp(arg, "-k") == 0) {
            if (i + 1 >= argc)
                return cli_usage("similar", "-k needs a value");
            rc = cli_parse_long("similar", "-k", argv[++i], 1, MAX_K, &k);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cli_usage("similar", "unknown option '%s'", arg);
        } else if (!model) {
            model = arg;
        } else if (!item) {
            item = arg;
        } else {
            return cli_usage("similar", "unexpected argument '%s'", arg);
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (!model || !item)
        return cli_usage("similar", "needs MODEL and ITEM");
    if (cli_open_model(model, RS_MODEL_READONLY, &m) != CLI_OK)
        return CLI_FAILURE;
    s = rs_model_similar(m, item, (size_t)k, keys, scores, NULL, &n);
    if (s == RS_ERR_NOTFOUND && rs_model_is_built(m))
        rc = cli_fail("%s: unknown item '%s'", model, item);
    else if (s == RS_ERR_STATE)
        rc = cli_fail("%s is not built yet: run 'recsim build %s' first", model, model);
    else if (s != RS_OK)
        rc = cli_fail_status(s, "%s: items like '%s'", model, item);
    if (rc != CLI_OK) {
        rs_model_close(m);
        return rc;
    }
    if (json) {
        json_t *similar = json_array(), *doc;
        for (size_t i = 0; similar && i < n; i++)
            if (json_array_append_new(similar,
                                      json_pack("{s:I, s:s, s:s, s:f}", "rank",
                                                (json_int_t)(i + 1), "item", keys[i],
                                                "description",
                                                cli_title(m, keys[i], title, sizeof title),
                                                "score", (double)scores[i])) != 0)
                break;
        doc = similar && json_array_size(similar) == n
                  ? json_pack("{s:s, s:s, s:o}", "item", item, "description",
                              cli_title(m, item, title, sizeof title), "similar", similar)
                  : (json_decref(similar), NULL);
        rc = doc ? cli_json_print(doc) : cli_fail("out of memory");
        json_decref(doc);
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
