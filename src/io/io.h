/*
 * io.h - internals of the io module shared by its files: the parsers the
 * reader, the cleaner and the import use, and a view of the reader's row.
 */
#ifndef RS_IO_IO_H
#define RS_IO_IO_H

#include <stddef.h>
#include <stdint.h>

#include "recsim.h"

/* rs_io_import_interactions(), and the number of rows skipped as known
 * (RS_IMPORT_SKIP_KNOWN) into known_out (may be NULL). */
int rs__io_import_interactions(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                               const char *relation, unsigned flags, uint64_t *rows_out,
                               uint64_t *known_out);

/* The parsers behind rs_io_parse_*, silent: they return a status without
 * touching the thread's error message, so that hot loops (cleaning rules)
 * can test values cheaply.  On error *out is unchanged. */
/* Count the reader's current row, which rs_cleaner_check() kept, as dropped
 * by the cleaner's rule name (created on first use, never evaluated) for
 * reason, written to the reject file.  RS_OK, RS_ERR_IO, RS_ERR_NOMEM. */
int rs__cleaner_reject(rs_cleaner *cleaner, const rs_reader *reader, const char *name,
                       const char *reason);

int rs__parse_double(const char *text, size_t len, double *out);
int rs__parse_int64(const char *text, size_t len, int64_t *out);
int rs__parse_time(const char *text, size_t len, int64_t *out);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
int64_t rs__days_from_civil(int64_t year, unsigned month, unsigned day);

/* The current row's fields as arrays (valid until the next row), and a
 * process-unique id of the reader, so that a cleaner can tell readers apart. */
const char *const *rs__reader_fields(const rs_reader *reader, const size_t **lens_out);
uint64_t rs__reader_id(const rs_reader *reader);

/* rs_reader_role() without a message: 0 or RS_ERR_NOTFOUND (also when the
 * header cannot be read), for optional columns. */
int rs__reader_find_role(rs_reader *reader, int role, size_t *index_out);

/* Called by rs_reader_next() every RS__READER_PROGRESS_ROWS rows (a power
 * of two) with the rows returned so far, the bytes of the input consumed and
 * its size (0 when unknown: a pipe); for rs_model_set_progress.  NULL fn
 * stops it. */
#define RS__READER_PROGRESS_ROWS 4096u
typedef void (*rs__reader_progress_fn)(void *data, uint64_t rows, uint64_t bytes_done,
                                       uint64_t bytes_total);
void rs__reader_set_progress(rs_reader *reader, rs__reader_progress_fn fn, void *data);

/* How many rows rs_reader_next() has returned so far. */
uint64_t rs__reader_rows_returned(const rs_reader *reader);

/* The current row's fields as one span "f0\0f1\0...fn-1\0" (for hashing). */
const char *rs__reader_row_span(const rs_reader *reader, size_t *len_out);

/* rs_mostfreq_get() without a message: 0 or RS_ERR_NOTFOUND. */
int rs__mostfreq_find(const rs_mostfreq *counter, const char *key, size_t key_len,
                      const char **text_out);

#endif
