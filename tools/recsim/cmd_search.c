/*
 * cmd_search.c - `recsim search`: find nodes by key (exact or prefix) or by
 * full text over their properties.
 */
#include "cli.h"
#include "cli_model.h"
#include "commands.h"

#include <getopt.h>
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
          "  -k N, -kN    at most N results (default 10, at most 1000)\n"
          "  --json       one JSON array on standard output\n"
          "  -h, --help   this help\n"
          "\n"
          "Put '--' before a QUERY that starts with '-'.\n",
          out);
}

/* One result: a line of text, or an object appended to the array out. */
static int print_node(const rs_graph *graph, uint32_t node, const double *score, json_t *out)
{
    const char *type = "", *key = "";
    char title[256];
    size_t len = 0;
    json_t *entry;
    rs_graph_node_key(graph, node, &type, &key);
    /* the library's one rule for a node's text; none, or a longer one: blank */
    if (rs_graph_node_text(graph, node, title, sizeof title, &len) != RS_OK)
        title[0] = '\0';
    if (!out) {
        printf("%-10s %-16s %s", type, cli_shown(key), cli_shown(title));
        if (score)
            printf("  (%.3f)", *score);
        printf("\n");
        return CLI_OK;
    }
    entry = json_pack("{s:s, s:s}", "type", type, "key", key);
    if (entry && title[0])
        json_object_set_new(entry, "description", json_string(title));
    if (entry && score)
        json_object_set_new(entry, "score", json_real(*score));
    if (!entry || json_array_append_new(out, entry) != 0)
        return cli_fail("writing JSON: out of memory");
    return CLI_OK;
}

enum { OPT_JSON = CLI_LONG_ONLY, OPT_KEY, OPT_PREFIX, OPT_TYPE };

static const struct option search_options[] = {
    {"help", no_argument, NULL, 'h'},         {"json", no_argument, NULL, OPT_JSON},
    {"key", no_argument, NULL, OPT_KEY},      {"prefix", no_argument, NULL, OPT_PREFIX},
    {"type", required_argument, NULL, OPT_TYPE}, {NULL, 0, NULL, 0}};

int cmd_search(int argc, char **argv)
{
    const char *positional[2], *type = NULL;
    size_t n_positional = 0, k = 10, n = 0;
    int mode = -1; /* -1 text, else RS_GRAPH_MATCH_* */
    bool json = false;
    rs_model *model = NULL;
    rs_graph *graph;
    json_t *list = NULL;
    int rc = CLI_OK;
    uint32_t nodes[MAX_RESULTS];
    double scores[MAX_RESULTS];
    int s;
    int c;
    long v = 0;
    cli_getopt_start();
    while ((c = cli_getopt("search", argc, argv, "hk:", search_options, &rc)) != -1) {
        switch (c) {
        case '?': return rc;
        case 'h': cmd_search_help(stdout); return CLI_OK;
        case OPT_JSON: json = true; break;
        case OPT_KEY: mode = RS_GRAPH_MATCH_EXACT; break;
        case OPT_PREFIX: mode = RS_GRAPH_MATCH_PREFIX; break;
        case OPT_TYPE: type = optarg; break;
        case 'k':
            if ((rc = cli_parse_long("search", "-k", optarg, 1, MAX_RESULTS, &v)) != CLI_OK)
                return rc;
            k = (size_t)v;
            break;
        default: break;
        }
    }
    for (; optind < argc; optind++) {
        if (n_positional == 2)
            return cli_usage("search", "unexpected argument '%s'", argv[optind]);
        positional[n_positional++] = argv[optind];
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
    if (json && !(list = json_array()))
        rc = cli_fail("writing JSON: out of memory");
    for (size_t i = 0; i < n && rc == CLI_OK; i++)
        rc = print_node(graph, nodes[i], mode < 0 ? &scores[i] : NULL, list);
    if (json && rc == CLI_OK)
        rc = cli_json_print(list);
    else if (!json && n == 0)
        printf("no match\n");
    json_decref(list);
    rs_model_close(model);
    return rc;
}
