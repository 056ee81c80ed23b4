/*
 * cmd_search.c - `recsim search`: find nodes by key (exact or prefix) or by
 * full text over their properties.
 */
#include "cli.h"
#include "cli_model.h"
#include "commands.h"

#include <recsim.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RESULTS 1000

void cmd_search_help(FILE *out)
{
    fputs("usage: recsim search [options] MODEL QUERY\n"
          "\n"
          "Find nodes of the model file MODEL.  By default QUERY is free text matched\n"
          "against node properties (titles, descriptions) with SQLite FTS5; every\n"
          "word must occur, as a word or a word prefix.\n"
          "\n"
          "  --key        match node keys exactly instead\n"
          "  --prefix     match node keys by prefix instead\n"
          "  --type T     only nodes of type T (required with --key and --prefix)\n"
          "  -k N         at most N results (default 10, at most 1000)\n"
          "  --json       one JSON array on standard output\n",
          out);
}

static void print_node(const rs_graph *graph, uint32_t node, const double *score, bool json,
                       bool first)
{
    const char *type = "", *key = "";
    char title[256];
    size_t len = 0;
    rs_graph_node_key(graph, node, &type, &key);
    if (rs_graph_get_property(graph, node, "description", title, sizeof title, &len) != RS_OK)
        title[0] = '\0';
    if (json) {
        printf("%s{\"type\": ", first ? "" : ", ");
        cli_json_string(stdout, type);
        printf(", \"key\": ");
        cli_json_string(stdout, key);
        if (title[0]) {
            printf(", \"description\": ");
            cli_json_string(stdout, title);
        }
        if (score)
            printf(", \"score\": %.6g", *score);
        printf("}");
    } else {
        printf("%-10s %-16s %s", type, key, title);
        if (score)
            printf("  (%.3f)", *score);
        printf("\n");
    }
}

int cmd_search(int argc, char **argv)
{
    const char *positional[2], *type = NULL;
    size_t n_positional = 0, k = 10, n = 0;
    int mode = -1; /* -1 text, else RS_GRAPH_MATCH_* */
    bool json = false;
    rs_model *model = NULL;
    rs_graph *graph;
    uint32_t nodes[MAX_RESULTS];
    double scores[MAX_RESULTS];
    int s;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cmd_search_help(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--key") == 0) {
            mode = RS_GRAPH_MATCH_EXACT;
        } else if (strcmp(argv[i], "--prefix") == 0) {
            mode = RS_GRAPH_MATCH_PREFIX;
        } else if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            type = argv[++i];
        } else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > MAX_RESULTS)
                return cli_usage("search", "-k wants a number from 1 to %d", MAX_RESULTS);
            k = (size_t)v;
        } else if (argv[i][0] == '-' || n_positional == 2) {
            return cli_usage("search", "unexpected argument '%s'", argv[i]);
        } else {
            positional[n_positional++] = argv[i];
        }
    }
    if (n_positional != 2)
        return cli_usage("search", "needs MODEL and QUERY");
    if (mode >= 0 && !type)
        return cli_usage("search", "--key and --prefix need --type");
    if (cli_open_model(positional[0], RS_MODEL_READONLY, &model) != CLI_OK)
        return CLI_FAILURE;
    graph = rs_model_graph(model);
    if (mode >= 0)
        s = rs_graph_search_keys(graph, type, positional[1], (unsigned)mode, nodes, k, &n);
    else
        s = rs_graph_search_text(graph, positional[1], type, nodes, scores, k, &n);
    if (s != 0) {
        rs_model_close(model);
        return cli_fail_status(s, "search in %s", positional[0]);
    }
    if (json)
        printf("[");
    for (size_t i = 0; i < n; i++)
        print_node(graph, nodes[i], mode < 0 ? &scores[i] : NULL, json, i == 0);
    if (json)
        printf("]\n");
    else if (n == 0)
        printf("no match\n");
    rs_model_close(model);
    return CLI_OK;
}
