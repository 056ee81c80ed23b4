/*
 * model_import.c - importing into the model's graph (rs_io_import_* do the
 * cleaning), under the model's write lock (model_write.c); afterwards the
 * scorer is made again on the changed graph, with the parts of the last
 * build.
 */
#include "model/model_internal.h"

#include "core/error.h"
#include "graph/graph_internal.h"
#include "io/io.h"

#include <stdlib.h>
#include <string.h>

/* The reader's progress as the model's "import" stage: rows read so far of
 * a total estimated from the bytes consumed (the rows are not known before
 * the end; 0 when the size is not known, a pipe). */
static void import_progress(void *data, uint64_t rows, uint64_t bytes_done,
                            uint64_t bytes_total)
{
    const rs_model *m = data;
    uint64_t total = 0;
    if (bytes_total && bytes_done) {
        double estimate = (double)rows * (double)bytes_total / (double)bytes_done;
        total = estimate < (double)rows ? rows : (uint64_t)estimate;
    }
    m->progress(m->progress_data, "import", rows, total);
}

/* Reports of the reader while an import runs, when someone listens. */
static void watch_reader(rs_model *m, rs_reader *reader, bool on)
{
    if (reader && m->progress)
        rs__reader_set_progress(reader, on ? import_progress : NULL, on ? m : NULL);
}

/* After an import (a failed one may have touched the graph in memory too):
 * commit (or join the caller's transaction), then the scorer is made again
 * on the graph as it is; inside rs_model_begin() that waits for the commit.
 * The status is the import's (or the commit's). */
static int after_import(rs_model *m, int status, const char *fn, bool owned)
{
    rs_error_state saved;
    int s;
    status = rs__model_write_leave(m, fn, owned, status);
    if (status != RS_OK) {
        rs__error_save(&saved);
        rs__model_remake_scorer(m);
        rs__error_restore(&saved);
        return status;
    }
    if (m->in_batch)
        return RS_OK;
    s = rs__model_remake_scorer(m);
    if (s != RS_OK)
        return rs__fail_context("%s: the import is saved, but the scorer could not be made "
                                "again: ", fn);
    return RS_OK;
}

/* RS_IMPORT_REPLACE: remove the user -relation-> item edges and the raw
 * events of relation, inside the caller's write lock (a failure after this
 * rolls them back with the rest, and the graph is read again). */
static int drop_interactions(rs_model *m, const char *relation)
{
    rs_graph *g = m->graph;
    uint32_t rel, *items = NULL;
    size_t cap = 0, n = 0;
    int s;
    if (rs_graph_find_relation(g, relation, &rel) != RS_OK) {
        rs_clear_error(); /* a relation not seen yet: nothing to replace */
        return RS_OK;
    }
    s = RS_OK;
    for (size_t v = 0; s == RS_OK && v < rs_graph_node_span(g); v++) {
        const char *type, *key;
        if (rs_graph_node_key(g, (uint32_t)v, &type, &key) != RS_OK) {
            rs_clear_error(); /* a deleted node's slot */
            continue;
        }
        if (strcmp(type, "user") != 0)
            continue;
        s = rs_graph_neighbors(g, (uint32_t)v, RS_GRAPH_OUT, rel, "item", items, NULL, NULL, cap,
                               &n);
        if (s == RS_ERR_BUFFER) {
            uint32_t *bigger = realloc(items, n * sizeof *items);
            if (!bigger) {
                s = rs__fail(RS_ERR_NOMEM, "out of memory");
                break;
            }
            items = bigger;
            cap = n;
            rs_clear_error();
            s = rs_graph_neighbors(g, (uint32_t)v, RS_GRAPH_OUT, rel, "item", items, NULL, NULL,
                                   cap, &n);
        }
        for (size_t i = 0; s == RS_OK && i < n; i++)
            s = rs_graph_delete_edge(g, (uint32_t)v, rel, items[i]);
    }
    free(items);
    if (s == RS_OK)
        s = rs__graph_events_delete(g, rel);
    return s;
}

int rs_model_import_interactions(rs_model *model, rs_reader *reader, rs_cleaner *cleaner,
                                 const char *relation, unsigned flags, uint64_t *rows_out)
{
    static const char fn[] = "rs_model_import_interactions";
    bool owned, replace = (flags & RS_IMPORT_REPLACE) != 0;
    size_t column;
    int s;
    if (model)
        model->import_known = 0;
    if (replace && reader && !(flags & RS_IMPORT_NO_EVENT) &&
        rs__reader_find_role(reader, RS_ROLE_EVENT, &column) == 0)
        return rs__fail(RS_ERR_INVALID, "%s: RS_IMPORT_REPLACE replaces one relation, but %s "
                        "has an event column (one relation per row; add RS_IMPORT_NO_EVENT)",
                        fn, rs_reader_name(reader));
    if (replace && model && strcmp(model->path, ":memory:") == 0)
        return rs__fail(RS_ERR_INVALID, "%s: RS_IMPORT_REPLACE needs a model file (a failure "
                        "is undone by reading the file again)", fn);
    if ((s = rs__model_write_enter(model, fn, &owned)) != RS_OK)
        return s;
    if (replace && (!reader || rs__reader_rows_returned(reader) != 0))
        replace = false; /* rs_io_import_interactions refuses it, changing nothing */
    if (replace && (s = drop_interactions(model, relation ? relation : "interacted")) != RS_OK)
        return after_import(model, s, fn, owned);
    watch_reader(model, reader, true);
    /* after the replace nothing of the relation is known: every row is added */
    s = rs__io_import_interactions(model->graph, reader, cleaner, relation,
                                   flags & ~(RS_IMPORT_REPLACE |
                                             (replace ? RS_IMPORT_SKIP_KNOWN : 0u)),
                                   rows_out, &model->import_known);
    watch_reader(model, reader, false);
    return after_import(model, s, fn, owned);
}

uint64_t rs_model_import_known_rows(const rs_model *model)
{
    return model ? model->import_known : 0;
}

int rs_model_import_items(rs_model *model, rs_reader *reader, rs_cleaner *cleaner,
                          const char *const *attributes, size_t n_attributes,
                          const char *const *properties, size_t n_properties,
                          uint64_t *rows_out)
{
    static const char fn[] = "rs_model_import_items";
    bool owned;
    int s = rs__model_write_enter(model, fn, &owned);
    if (s != RS_OK)
        return s;
    watch_reader(model, reader, true);
    s = rs_io_import_items(model->graph, reader, cleaner, attributes, n_attributes, properties,
                           n_properties, rows_out);
    watch_reader(model, reader, false);
    return after_import(model, s, fn, owned);
}

int rs_model_import_users(rs_model *model, rs_reader *reader, rs_cleaner *cleaner,
                          const char *const *attributes, size_t n_attributes,
                          const char *const *properties, size_t n_properties,
                          const char *friends_column, uint64_t *rows_out)
{
    static const char fn[] = "rs_model_import_users";
    bool owned;
    int s = rs__model_write_enter(model, fn, &owned);
    if (s != RS_OK)
        return s;
    watch_reader(model, reader, true);
    s = rs_io_import_users(model->graph, reader, cleaner, attributes, n_attributes, properties,
                           n_properties, friends_column, rows_out);
    watch_reader(model, reader, false);
    return after_import(model, s, fn, owned);
}
