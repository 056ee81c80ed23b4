/*
 * cmd_recommend.c - `recsim recommend` (top-k for users, with the reasons)
 * and `recsim similar` (items like an item), on a built model.
 */
#include "cli.h"
#include "commands.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

#define MAX_K 1000
#define MAX_PATH_NODES 8

void cmd_recommend_help(FILE *out)
{
    fputs("usage: recsim recommend [options] MODEL USER...\n"
          "\n"
          "Recommend the k best items each USER has not interacted with yet, from the\n"
          "model file MODEL built by 'recsim build'.  The user's history is read from\n"
          "the graph; a user with no history is cold-started (from their profile in\n"
          "the graph, else by popularity) and the output says so.\n"
          "\n"
          "  -k N            items per user, 1..1000 (default 10)\n"
          "  --explain       add why: one sentence and the graph path behind it\n"
          "  --no-paths      with --explain, the sentence without the path\n"
          "  --interests     add the user's interests as graph entities\n"
          "  --relation R    history is the user->item edges of relation R\n"
          "                  (default: every user->item edge)\n"
          "  --json          one JSON array on standard output\n",
          out);
}

void cmd_similar_help(FILE *out)
{
    fputs("usage: recsim similar [options] MODEL ITEM\n"
          "\n"
          "The k items most like ITEM (an item key) in the model file MODEL built by\n"
          "'recsim build': close in the embedding space, and near in the graph.\n"
          "\n"
          "  -k N      items, 1..1000 (default 10)\n"
          "  --json    one JSON array on standard output\n",
          out);
}

struct rec_args {
    const char *model, *relation;
    const char **users;
    size_t n_users;
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

/* The path as "user 13705 -bought-> item 22150 <-bought- user 17850 ..." */
static void format_path(const rs_graph *graph, const uint32_t *nodes, const uint32_t *relations,
                        size_t length, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i <= length && used < size; i++) {
        const char *type = "", *key = "";
        if (i > 0) {
            const char *rel = rs_graph_relation_name(graph, relations[i - 1] & ~RS_GRAPH_REVERSED);
            bool back = (relations[i - 1] & RS_GRAPH_REVERSED) != 0;
            used += (size_t)snprintf(buf + used, size - used, back ? " <-%s- " : " -%s-> ",
                                     rel ? rel : "?");
            if (used >= size)
                break;
        }
        if (nodes[i] == RS_ITEM_NONE) {
            used += (size_t)snprintf(buf + used, size - used, "(history)");
            continue;
        }
        rs_graph_node_key(graph, nodes[i], &type, &key);
        used += (size_t)snprintf(buf + used, size - used, "%s %s", type, key);
    }
}

static void json_path(const rs_graph *graph, const uint32_t *nodes, const uint32_t *relations,
                      size_t length)
{
    printf("[");
    for (size_t i = 0; i <= length; i++) {
        const char *type = "", *key = "";
        if (i > 0) {
            const char *rel = rs_graph_relation_name(graph, relations[i - 1] & ~RS_GRAPH_REVERSED);
            printf(", {\"relation\": ");
            cli_json_string(stdout, rel ? rel : "");
            printf(", \"reversed\": %s}, ",
                   relations[i - 1] & RS_GRAPH_REVERSED ? "true" : "false");
        }
        if (nodes[i] == RS_ITEM_NONE) {
            printf("{\"type\": null, \"key\": null}");
            continue;
        }
        rs_graph_node_key(graph, nodes[i], &type, &key);
        printf("{\"type\": ");
        cli_json_string(stdout, type);
        printf(", \"key\": ");
        cli_json_string(stdout, key);
        printf("}");
    }
    printf("]");
}

/* History length of a user in the model (0 when unknown). */
static size_t history_length(const struct cli_model *m, const char *user)
{
    size_t n = 0;
    int s = rs_user_model_history(m->users, user, NULL, NULL, 0, &n);
    if (s != RS_OK && s != RS_ERR_BUFFER)
        n = 0;
    rs_clear_error();
    return n;
}

static int recommend_one(const struct cli_model *m, const struct rec_args *a, const char *user,
                         uint32_t *items, float *scores, bool first)
{
    size_t n = 0, history = history_length(m, user);
    uint32_t user_node;
    bool in_graph = rs_graph_find_node(m->graph, "user", user, &user_node) == RS_OK;
    const char *status;
    char title[256];
    int s;
    rs_clear_error();
    if ((s = rs_scorer_recommend(m->scorer, user, (size_t)a->k, items, scores, &n)) != RS_OK)
        return cli_fail_status(s, "recommending for '%s' from %s", user, a->model);
    status = history ? "history" : in_graph ? "profile" : "popularity";

    if (a->json) {
        printf("%s{\"user\": ", first ? "" : ",\n ");
        cli_json_string(stdout, user);
        printf(", \"known\": %s, \"history\": %zu, \"cold_start\": %s, \"source\": \"%s\"",
               in_graph || history ? "true" : "false", history, history ? "false" : "true",
               status);
    } else {
        printf("%s", first ? "" : "\n");
        if (history)
            printf("user %s: %zu items in the history\n", user, history);
        else if (in_graph)
            printf("user %s: no history, cold start from the profile in the graph\n", user);
        else
            printf("user %s: unknown, cold start by popularity\n", user);
    }
    if (a->interests) {
        uint32_t nodes[8];
        float shares[8];
        size_t ni = 0;
        if (rs_scorer_interests(m->scorer, user, 5, nodes, shares, &ni) != RS_OK)
            ni = 0;
        rs_clear_error();
        printf(a->json ? ", \"interests\": [" : "  interests:");
        for (size_t i = 0; i < ni; i++) {
            const char *type = "", *key = "";
            rs_graph_node_key(m->graph, nodes[i], &type, &key);
            if (a->json) {
                printf("%s{\"type\": ", i ? ", " : "");
                cli_json_string(stdout, type);
                printf(", \"key\": ");
                cli_json_string(stdout, key);
                printf(", \"share\": %.4f}", shares[i]);
            } else {
                printf("%s %s=%s %.2f", i ? "," : "", type, key, shares[i]);
            }
        }
        printf(a->json ? "]" : ni ? "\n" : " none\n");
    }
    if (a->json)
        printf(", \"items\": [");
    for (size_t i = 0; i < n; i++) {
        const char *key = rs_item_store_key(m->store, items[i]);
        char text[512], path[1024];
        uint32_t nodes[MAX_PATH_NODES], relations[MAX_PATH_NODES];
        size_t length = 0;
        int source = 0;
        cli_item_title(m->graph, key, title, sizeof title);
        text[0] = '\0';
        if (a->explain) {
            s = rs_scorer_explain(m->scorer, user, key, nodes, relations, MAX_PATH_NODES,
                                  &length, NULL, &source, text, sizeof text);
            if (s != RS_OK)
                return cli_fail_status(s, "explaining item '%s' for '%s'", key, user);
        }
        if (a->json) {
            printf("%s{\"rank\": %zu, \"item\": ", i ? ", " : "", i + 1);
            cli_json_string(stdout, key);
            printf(", \"description\": ");
            cli_json_string(stdout, title);
            printf(", \"score\": %.6g", scores[i]);
            if (a->explain) {
                printf(", \"source\": \"%s\", \"explanation\": ", source_name(source));
                cli_json_string(stdout, text);
                printf(", \"path\": ");
                json_path(m->graph, nodes, relations, length);
            }
            printf("}");
        } else {
            printf("  %2zu. %-10s %-40.40s %7.3f\n", i + 1, key, title, scores[i]);
            if (a->explain) {
                printf("      %s\n", text);
                if (length && !a->no_paths) {
                    format_path(m->graph, nodes, relations, length, path, sizeof path);
                    printf("      path: %s\n", path);
                }
            }
        }
    }
    if (a->json)
        printf("]}");
    else if (n == 0)
        printf("  (nothing left to recommend)\n");
    return CLI_OK;
}

int cmd_recommend(int argc, char **argv)
{
    struct rec_args a;
    struct cli_model m;
    uint32_t *items;
    float *scores;
    int rc = CLI_OK;
    memset(&a, 0, sizeof a);
    a.k = 10;
    a.users = calloc((size_t)argc, sizeof *a.users);
    if (!a.users)
        return cli_fail("out of memory");
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *arg = argv[i];
        if (cli_is_help(arg)) {
            cmd_recommend_help(stdout);
            free(a.users);
            return CLI_OK;
        } else if (strcmp(arg, "--explain") == 0) {
            a.explain = true;
        } else if (strcmp(arg, "--no-paths") == 0) {
            a.no_paths = true;
        } else if (strcmp(arg, "--interests") == 0) {
            a.interests = true;
        } else if (strcmp(arg, "--json") == 0) {
            a.json = true;
        } else if (strcmp(arg, "-k") == 0 || strcmp(arg, "--relation") == 0) {
            if (i + 1 >= argc)
                rc = cli_usage("recommend", "%s needs a value", arg);
            else if (arg[1] == 'k')
                rc = cli_parse_long("recommend", "-k", argv[++i], 1, MAX_K, &a.k);
            else
                a.relation = argv[++i];
        } else if (arg[0] == '-' && arg[1] != '\0') {
            rc = cli_usage("recommend", "unknown option '%s'", arg);
        } else if (!a.model) {
            a.model = arg;
        } else {
            a.users[a.n_users++] = arg;
        }
    }
    if (rc == CLI_OK && (!a.model || a.n_users == 0))
        rc = cli_usage("recommend", "needs MODEL and at least one USER");
    if (rc != CLI_OK) {
        free(a.users);
        return rc;
    }
    if (cli_model_open(a.model, a.relation, &m) != CLI_OK) {
        free(a.users);
        return CLI_FAILURE;
    }
    items = malloc((size_t)a.k * sizeof *items);
    scores = malloc((size_t)a.k * sizeof *scores);
    if (!items || !scores)
        rc = cli_fail("out of memory");
    if (a.json && rc == CLI_OK)
        printf("[");
    for (size_t u = 0; u < a.n_users && rc == CLI_OK; u++)
        rc = recommend_one(&m, &a, a.users[u], items, scores, u == 0);
    if (a.json && rc == CLI_OK)
        printf("]\n");
    free(items);
    free(scores);
    free(a.users);
    cli_model_close(&m);
    return rc;
}

int cmd_similar(int argc, char **argv)
{
    const char *model = NULL, *item = NULL;
    long k = 10;
    bool json = false;
    struct cli_model m;
    uint32_t items[MAX_K], index;
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
    if (cli_model_open(model, NULL, &m) != CLI_OK)
        return CLI_FAILURE;
    if (rs_item_store_index(m.store, item, &index) != RS_OK) {
        rs_clear_error();
        cli_model_close(&m);
        return cli_fail("%s: unknown item '%s'", model, item);
    }
    if ((s = rs_scorer_similar_items(m.scorer, item, (size_t)k, items, scores, &n)) != RS_OK) {
        rc = cli_fail_status(s, "%s: items like '%s'", model, item);
        cli_model_close(&m);
        return rc;
    }
    if (json) {
        printf("{\"item\": ");
        cli_json_string(stdout, item);
        printf(", \"description\": ");
        cli_json_string(stdout, cli_item_title(m.graph, item, title, sizeof title));
        printf(", \"similar\": [");
    } else {
        printf("items like %s %s:\n", item, cli_item_title(m.graph, item, title, sizeof title));
    }
    for (size_t i = 0; i < n; i++) {
        const char *key = rs_item_store_key(m.store, items[i]);
        cli_item_title(m.graph, key, title, sizeof title);
        if (json) {
            printf("%s{\"rank\": %zu, \"item\": ", i ? ", " : "", i + 1);
            cli_json_string(stdout, key);
            printf(", \"description\": ");
            cli_json_string(stdout, title);
            printf(", \"score\": %.6g}", scores[i]);
        } else {
            printf("  %2zu. %-10s %-40.40s %7.3f\n", i + 1, key, title, scores[i]);
        }
    }
    if (json)
        printf("]}\n");
    cli_model_close(&m);
    return CLI_OK;
}
