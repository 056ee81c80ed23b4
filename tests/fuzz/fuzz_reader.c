/*
 * fuzz_reader.c - libFuzzer harness: the delimited / JSON Lines reader with
 * the cleaner, the value parsers, and an import into an in-memory graph.
 *
 * Input: one control byte, then the text.  Control bits: 0-1 the format
 * (CSV, TSV, JSON Lines, CSV with ';' and no quote), 2 ragged rows allowed,
 * 3 no header, 4 no UTF-8 check, 5 a small record limit, 6 also import the
 * text as interactions into a fresh in-memory graph, 7 import as items.
 */
#include "fuzz_util.h"

#define MAX_ROWS 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* the reader's messages print nothing; keep SQLite's temp files in memory */
    return 0;
}

static rs_reader *open_reader(const uint8_t *data, size_t size, unsigned control)
{
    static const int formats[4] = {RS_FORMAT_CSV, RS_FORMAT_TSV, RS_FORMAT_JSONL, RS_FORMAT_CSV};
    rs_reader *r = NULL;
    if (rs_reader_open_memory((const char *)data, size, "fuzz", formats[control & 3], &r) != RS_OK)
        return NULL;
    if ((control & 3) == 3) {
        rs_reader_set_int(r, RS_READER_SEPARATOR, ';');
        rs_reader_set_int(r, RS_READER_QUOTE, 0);
    }
    rs_reader_set_int(r, RS_READER_RAGGED, (control >> 2) & 1);
    rs_reader_set_int(r, RS_READER_HEADER, !((control >> 3) & 1));
    rs_reader_set_int(r, RS_READER_CHECK_UTF8, !((control >> 4) & 1));
    if (control & 32)
        rs_reader_set_int(r, RS_READER_MAX_RECORD, 1024);
    return r;
}

/* The rules of a typical import; NULL when a column is missing. */
static rs_cleaner *column_cleaner(void)
{
    static const char *const missing[] = {"", "NA", "null"};
    static const char *const events[] = {"view", "buy"};
    static const char *const key[] = {"user", "item"};
    rs_cleaner *c = NULL;
    if (rs_cleaner_create(&c) != RS_OK)
        return NULL;
    if (rs_cleaner_set_missing(c, missing, 3) != RS_OK ||
        rs_cleaner_add_required(c, "user", "user") != RS_OK ||
        rs_cleaner_add_type(c, "when", "time", RS_TYPE_TIME) != RS_OK ||
        rs_cleaner_add_range(c, "weight", "weight", 0, 1e6, RS_RANGE_MIN_EXCLUSIVE) != RS_OK ||
        rs_cleaner_add_allowed(c, "event", "event", events, 2) != RS_OK ||
        rs_cleaner_add_match(c, "cancel", "item", RS_MATCH_PREFIX, "C", RS_DROP_MATCH) != RS_OK ||
        rs_cleaner_add_match(c, "digit", "item", RS_MATCH_FIRST_OF, "0123456789i",
                             RS_DROP_NO_MATCH) != RS_OK ||
        rs_cleaner_add_dedup(c, "pair", key, 2) != RS_OK ||
        rs_cleaner_set_reject_file(c, "/dev/null") != RS_OK) {
        rs_cleaner_free(c);
        return NULL;
    }
    return c;
}

/* Rules that need no column: duplicates of the whole row. */
static rs_cleaner *row_cleaner(void)
{
    rs_cleaner *c = NULL;
    if (rs_cleaner_create(&c) != RS_OK)
        return NULL;
    if (rs_cleaner_add_dedup(c, "dup", NULL, 0) != RS_OK) {
        rs_cleaner_free(c);
        return NULL;
    }
    return c;
}

static void read_all(const uint8_t *data, size_t size, unsigned control)
{
    rs_reader *r = open_reader(data, size, control);
    rs_cleaner *cols = column_cleaner(), *rows = row_cleaner(), *cleaner = cols;
    size_t index;
    if (!r || !cols || !rows)
        goto done;
    for (int role = 0; role < RS_ROLE_COUNT; role++)
        if (rs_reader_role(r, role, &index) == RS_OK && rs_reader_column_name(r, index) == NULL)
            abort(); /* a found role names a column */
    for (int n = 0; n < MAX_ROWS && rs_reader_next(r) == 1; n++) {
        size_t fields = rs_reader_field_count(r);
        int keep = 0;
        for (size_t i = 0; i < fields; i++) {
            size_t len = 0;
            const char *f = rs_reader_field(r, i, &len);
            double d;
            int64_t v;
            if (!f || strlen(f) > len)
                abort(); /* a field is NUL-terminated at its length (or holds a NUL) */
            rs_io_parse_double(f, len, &d);
            rs_io_parse_int64(f, len, &v);
            rs_io_parse_time(f, len, &v);
            rs_reader_double(r, i, &d);
            rs_reader_int64(r, i, &v);
            rs_reader_time(r, i, &v);
        }
        (void)rs_reader_line(r);
        if (cleaner == cols && rs_cleaner_check(cols, r, &keep) == RS_ERR_NOTFOUND)
            cleaner = rows;
        if (cleaner == rows)
            rs_cleaner_check(rows, r, &keep);
    }
    for (size_t i = 0; i < rs_cleaner_rule_count(cols); i++)
        (void)rs_cleaner_dropped(cols, i);
done:
    rs_cleaner_free(cols);
    rs_cleaner_free(rows);
    rs_reader_close(r);
}

static void import(const uint8_t *data, size_t size, unsigned control)
{
    static const char *const props[] = {"description"};
    static const char *const attrs[] = {"country"};
    rs_graph *g = NULL;
    rs_reader *r = open_reader(data, size, control);
    uint64_t rows = 0;
    if (r && rs_graph_open(":memory:", 0, &g) == RS_OK) {
        if (control & 128)
            rs_io_import_items(g, r, NULL, attrs, 1, props, 1, &rows);
        else
            rs_io_import_interactions(g, r, NULL, "bought", 0, &rows);
    }
    rs_graph_close(g);
    rs_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned control;
    if (size < 1)
        return 0;
    control = data[0];
    read_all(data + 1, size - 1, control);
    if (control & 64)
        import(data + 1, size - 1, control);
    rs_clear_error();
    return 0;
}
