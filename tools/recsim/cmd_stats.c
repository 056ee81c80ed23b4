/*
 * cmd_stats.c - `recsim stats`: what a model file holds (graph, build), and
 * the machine facts that decide speed (the OpenBLAS kernel, threads).
 */
#include "cli.h"
#include "cli_model.h"
#include "commands.h"

#include <getopt.h>
#include <recsim.h>
#include <string.h>

void cmd_stats_help(FILE *out)
{
    fputs("usage: recsim stats [--json] MODEL\n"
          "\n"
          "Print the node count of every type, the relations with their weights and\n"
          "edge total of the model file MODEL, what its build holds (items, users with\n"
          "a history, events, the collaborative model), and the OpenBLAS kernel in use.\n"
          "\n"
          "  --json      one JSON object on standard output\n"
          "  -h, --help  this help\n",
          out);
}

/* The same facts as one JSON object. */
static int stats_json(rs_model *m, const char *model)
{
    rs_graph *graph = rs_model_graph(m);
    json_t *nodes = json_object(), *relations = json_object(), *doc;
    int rc;
    for (size_t t = 0; nodes && t < rs_graph_type_count(graph); t++) {
        size_t count = 0;
        const char *name = rs_graph_type_name(graph, t);
        rs_graph_node_count(graph, name, &count);
        json_object_set_new(nodes, name, json_integer((json_int_t)count));
    }
    for (size_t r = 0; relations && r < rs_graph_relation_count(graph); r++) {
        const char *name = rs_graph_relation_name(graph, (uint32_t)r);
        double weight = 0.0;
        if (name && rs_graph_get_relation_weight(graph, (uint32_t)r, &weight) == RS_OK)
            json_object_set_new(relations, name, json_pack("{s:f}", "weight", weight));
    }
    rs_clear_error();
    doc = json_pack("{s:s, s:o, s:o, s:I, s:b, s:I, s:I, s:I, s:s, s:s, s:i}", "model", model,
                    "nodes", nodes, "relations", relations, "edges",
                    (json_int_t)rs_graph_edge_count(graph), "built", rs_model_is_built(m),
                    "items", (json_int_t)rs_model_item_count(m), "users_with_history",
                    (json_int_t)rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY), "events",
                    (json_int_t)rs_model_count(m, RS_MODEL_COUNT_EVENTS), "cf",
                    cli_cf_kind_name(rs_model_cf_model(m)), "blas_core", rs_blas_corename(),
                    "threads", rs_get_num_threads());
    rc = doc ? cli_json_print(doc) : cli_fail("writing JSON: out of memory");
    json_decref(doc);
    return rc;
}

static const struct option stats_options[] = {
    {"help", no_argument, NULL, 'h'}, {"json", no_argument, NULL, CLI_LONG_ONLY}, {NULL, 0, NULL, 0}};

int cmd_stats(int argc, char **argv)
{
    const char *model = NULL;
    bool json = false;
    rs_model *m = NULL;
    rs_graph *graph;
    size_t types, relations;
    int rc;
    int c;
    rc = CLI_OK;
    cli_getopt_start();
    while ((c = cli_getopt("stats", argc, argv, "h", stats_options, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'h') {
            cmd_stats_help(stdout);
            return CLI_OK;
        }
        json = true;
    }
    if (optind < argc)
        model = argv[optind++];
    if (optind < argc)
        return cli_usage("stats", "unexpected argument '%s'", argv[optind]);
    if (!model)
        return cli_usage("stats", "needs MODEL");
    if (cli_open_model(model, RS_MODEL_READONLY, &m) != CLI_OK)
        return CLI_FAILURE;
    graph = rs_model_graph(m);
    rc = json ? stats_json(m, model) : CLI_OK;
    if (json) {
        rs_model_close(m);
        return rc;
    }
    types = rs_graph_type_count(graph);
    relations = rs_graph_relation_count(graph);
    printf("model %s\nnodes:\n", model);
    for (size_t t = 0; t < types; t++) {
        size_t count = 0;
        const char *name = rs_graph_type_name(graph, t);
        rs_graph_node_count(graph, name, &count);
        printf("  %-16s %10zu\n", name, count);
    }
    printf("relations:\n");
    for (size_t r = 0; r < relations; r++) {
        const char *name = rs_graph_relation_name(graph, (uint32_t)r);
        double weight = 0.0;
        if (name && rs_graph_get_relation_weight(graph, (uint32_t)r, &weight) == RS_OK)
            printf("  %-16s weight %g\n", name, weight);
    }
    printf("edges: %zu\n", rs_graph_edge_count(graph));
    if (rs_model_is_built(m))
        printf("build: %zu items, %zu users with a history, %zu events, collaborative %s\n",
               rs_model_item_count(m), rs_model_count(m, RS_MODEL_COUNT_USERS_WITH_HISTORY),
               rs_model_count(m, RS_MODEL_COUNT_EVENTS), cli_cf_kind_name(rs_model_cf_model(m)));
    else
        printf("build: none (run 'recsim build %s')\n", model);
    printf("OpenBLAS kernel: %s, threads: %d\n", rs_blas_corename(), rs_get_num_threads());
    rs_model_close(m);
    return CLI_OK;
}
