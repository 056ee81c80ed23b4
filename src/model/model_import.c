/*
 * model_import.c - importing into the model's graph (rs_io_import_* do the
 * cleaning), under the model's write lock (model_write.c); afterwards the
 * scorer is made again on the changed graph, with the parts of the last
 * build.
 */
#include "model/model_internal.h"

#include "core/error.h"
#include "io/io.h"

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

int rs_model_import_interactions(rs_model *model, rs_reader *reader, rs_cleaner *cleaner,
                                 const char *relation, unsigned flags, uint64_t *rows_out)
{
    static const char fn[] = "rs_model_import_interactions";
    bool owned;
    int s = rs__model_write_enter(model, fn, &owned);
    if (s != RS_OK)
        return s;
    watch_reader(model, reader, true);
    s = rs_io_import_interactions(model->graph, reader, cleaner, relation, flags, rows_out);
    watch_reader(model, reader, false);
    return after_import(model, s, fn, owned);
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
