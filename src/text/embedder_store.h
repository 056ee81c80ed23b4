/*
 * embedder_store.h - an embedder kept in a model file's meta table, for the
 * graph, which holds the public rs_embedder_save and rs_embedder_load
 * (graph_embedder.c) and hands its meta table over as an rs__meta_io.
 */
#ifndef RS_TEXT_EMBEDDER_STORE_H
#define RS_TEXT_EMBEDDER_STORE_H

#include "recsim.h"
#include "store/store.h"

/* rs_embedder_save and rs_embedder_load on a meta table: the same checks,
 * keys, savepoint, errors and messages. */
int rs__embedder_save_meta(const rs_embedder *e, const rs__meta_io *io);
int rs__embedder_load_meta(const rs__meta_io *io, rs_embed_fn fn, void *user_ctx,
                           rs_embedder **out);

#endif
