/*
 * cli_model.c - opening a model for a subcommand, and item titles.
 */
#include "cli_model.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

int cli_open_model(const char *path, int flags, rs_model **out)
{
    int s = rs_model_open(path, flags, out);
    if (s != RS_OK)
        return cli_fail_status(s, "cannot open model %s", path);
    if (!(flags & RS_MODEL_READONLY) && cli_wait_ms >= 0 &&
        (s = rs_model_set_busy_timeout(*out, cli_wait_ms)) != RS_OK) {
        rs_model_close(*out);
        *out = NULL;
        return cli_fail_status(s, "model %s", path);
    }
    return CLI_OK;
}

/* The properties that name an item, in the order the build reads them. */
static const char *const text_properties[] = {"name", "description", "title", "text"};

/* buf with its control characters escaped (cli_safe_text), in place. */
static const char *shown(char *buf, size_t size)
{
    char safe[1024];
    cli_safe_text(buf, safe, size < sizeof safe ? size : sizeof safe);
    snprintf(buf, size, "%s", safe);
    return buf;
}

const char *cli_title(rs_model *model, const char *key, char *buf, size_t size)
{
    rs_graph *graph = rs_model_graph(model);
    uint32_t node;
    size_t len;
    if (rs_graph_find_node(graph, "item", key, &node) == RS_OK)
        for (size_t p = 0; p < sizeof text_properties / sizeof text_properties[0]; p++)
            if (rs_graph_get_property(graph, node, text_properties[p], buf, size, &len) ==
                RS_OK)
                return shown(buf, size);
    rs_clear_error();
    snprintf(buf, size, "%s", key);
    return shown(buf, size);
}

int cli_json_print(const json_t *value)
{
    char *text = json_dumps(value, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
    if (!text)
        return cli_fail("writing JSON: out of memory");
    puts(text);
    free(text);
    return CLI_OK;
}

const char *cli_cf_kind_name(const rs_cf_model *cf)
{
    switch (cf ? rs_cf_model_kind(cf) : -1) {
    case RS_CF_EASE: return "EASE";
    case RS_CF_ALS: return "ALS";
    case RS_CF_ITEMKNN: return "item-kNN";
    case RS_CF_RP3BETA: return "RP3beta";
    case RS_CF_EDLAE: return "EDLAE";
    case RS_CF_GFCF: return "GF-CF";
    case RS_CF_EASE_PAIRS: return "EASE pairs";
    default: return "none";
    }
}
