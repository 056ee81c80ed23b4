/*
 * store_meta.c - the one spelling of meta keys: "module.field" for a
 * module's own value, "module.field:NAME" for one of several named ones.
 *
 *   graph.node_id_high  graph.edge_snapshot       embedder.config
 *   embedder.stopwords  embedder.idf              embedder.vectors
 *   scorer.operator     model.options             model.tuning
 *   model.note:KEY      cf.model:NAME             cf.keys:NAME
 *   item_store.dim:SPACE                          item_store.index:SPACE
 *
 * Version-1 files spelt five of them otherwise (cf:NAME, cf-keys:NAME,
 * note:KEY, item_store.SPACE.dim, item_store.SPACE.index); opening such a
 * file for writing renames them (store_schema.c), and a read-only handle
 * finds them through rs__store_legacy_key.
 */
#include "store/store.h"
#include "core/error.h"
#include "core/utf8.h"

#include <stdio.h>
#include <string.h>

int rs__store_key(char *buf, size_t size, const char *field, const char *name)
{
    int n;
    if (name && rs__check_key(name, "name", NULL) != 0)
        return rs_errcode();
    n = name ? snprintf(buf, size, "%s:%s", field, name) : snprintf(buf, size, "%s", field);
    if (n < 0 || (size_t)n >= size)
        return rs__fail(RS_ERR_LIMIT, "meta key %s:%.40s... is longer than %zu bytes", field,
                        name ? name : "", size - 1);
    return 0;
}

/* New prefix, old prefix, old suffix. */
static const struct {
    const char *now, *before, *after;
} renamed[] = {
    {"cf.model:", "cf:", ""},
    {"cf.keys:", "cf-keys:", ""},
    {"model.note:", "note:", ""},
    {"item_store.dim:", "item_store.", ".dim"},
    {"item_store.index:", "item_store.", ".index"},
};

int rs__store_legacy_key(const char *key, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++) {
        size_t len = strlen(renamed[i].now);
        if (strncmp(key, renamed[i].now, len) == 0) {
            int n = snprintf(buf, size, "%s%s%s", renamed[i].before, key + len,
                             renamed[i].after);
            return n >= 0 && (size_t)n < size;
        }
    }
    return 0;
}
