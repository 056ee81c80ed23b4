/*
 * graph_embedder.c - rs_embedder_save and rs_embedder_load: the embedder
 * (text, a lower layer) is kept in the graph's meta table, which it reaches
 * through the rs__meta_io filled in here rather than through the graph's
 * internals.
 */
#include "graph/graph_internal.h"
#include "core/error.h"
#include "text/embedder_store.h"

static int meta_get(void *ctx, const char *key, void **value_out, size_t *len_out)
{
    return rs__graph_meta_get(ctx, key, value_out, len_out);
}

static int meta_set(void *ctx, const char *key, const void *value, size_t len)
{
    return rs__graph_meta_set(ctx, key, value, len);
}

static rs__meta_io meta_io(rs_graph *g)
{
    rs__meta_io io = {g, rs__graph_db(g), rs__graph_readonly(g), meta_get, meta_set};
    return io;
}

int rs_embedder_save(const rs_embedder *e, rs_graph *g)
{
    if (!e || !g)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_save: %s is NULL", e ? "graph" : "embedder");
    rs__meta_io io = meta_io(g);
    return rs__embedder_save_meta(e, &io);
}

int rs_embedder_load(rs_graph *g, rs_embed_fn fn, void *user_ctx, rs_embedder **out)
{
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load: out is NULL");
    *out = NULL;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load: graph is NULL");
    rs__meta_io io = meta_io(g);
    return rs__embedder_load_meta(&io, fn, user_ctx, out);
}
