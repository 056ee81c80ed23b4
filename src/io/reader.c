/*
 * reader.c - streaming CSV (RFC 4180), TSV and JSON Lines reader, rs_reader.
 *
 * The input is read in chunks into one buffer; a record (a line, or several
 * when a quoted field spans newlines) is first delimited by a resumable scan,
 * then split in place: separators become NULs and quoted fields are unescaped
 * towards the record start, so a row's fields are one span "f0\0f1\0...".
 * Memory is bounded by the longest record, never by the file.
 */
#include "io/io.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_BYTES ((size_t)1 << 20)
#define DEFAULT_MAX_RECORD ((int64_t)1 << 24)
#define MAX_FIELDS (1 << 20) /* bounds the field arrays of one row */

/* Scanner states of a CSV record. */
enum scan_state { FIELD_START, UNQUOTED, QUOTED, QUOTE_SEEN, CLOSED_CR };

struct rs_reader {
    uint64_t id;
    char *name;
    int fd; /* -1 when reading memory */
    const char *mem;
    size_t mem_len, mem_pos;
    int format;
    int separator, quote, header, ragged, check_utf8;
    size_t max_record;
    bool started, failed, eof, done, pending, bom_checked;

    char *buf; /* [start, end) holds unread bytes; cap > end always */
    size_t cap, start, end;
    uint64_t next_line; /* line number of buf[start] */
    uint64_t row_line;
    uint64_t rows_returned;
    uint64_t bytes_read, bytes_total; /* for rs__reader_set_progress: total 0 unknown */
    rs__reader_progress_fn progress;
    void *progress_data;

    const char **fields;
    size_t *lens;
    size_t nfields, fields_cap;
    const char *span;
    size_t span_len;

    char **columns;
    size_t ncolumns;
    char *role_names[RS_ROLE_COUNT];

    char *text; /* JSON Lines: the row's fields as text */
    size_t text_cap;
    size_t *offsets;
    size_t offsets_cap;
    /* JSON Lines: column name -> index, the row's (column, value) pairs, and
     * the columns the previous row filled (reset to empty on the next one),
     * so that a row costs its own keys, not every column of the first */
    rs_idmap *colmap;
    struct json_pair *pairs;
    size_t pairs_cap;
    uint32_t *touched;
    size_t n_touched, touched_cap;
};

struct json_pair {
    uint32_t column;
    json_t *value;
};

static atomic_uint_fast64_t next_reader_id = 1;

static const char *const role_defaults[RS_ROLE_COUNT][11] = {
    {"user", "userid", "customer", "customerid", "client", "clientid", "visitorid", "uid",
     NULL},
    {"item", "itemid", "product", "productid", "stockcode", "sku", "movieid", "asin", "iid",
     NULL},
    {"weight", "rating", "score", "quantity", "count", "value", NULL},
    {"time", "timestamp", "date", "datetime", "invoicedate", "eventtime", "ts", "createdat",
     NULL},
    {"event", "eventtype", "type", "action", "relation", NULL},
    {"description", "title", "name", "text", "review", NULL},
    {"invoice", "invoiceno", "order", "orderid", "session", "sessionid", "basket", NULL},
};

static const char *const role_labels[RS_ROLE_COUNT] = {"user", "item", "weight", "time",
                                                    "event", "text", "group"};

/* ------------------------------------------------------------------ helpers */

static int fail_at(const rs_reader *r, uint64_t line, int status, const char *what)
{
    return rs__fail(status, "%s:%llu: %s", r->name, (unsigned long long)line, what);
}

static int fail_state(rs_reader *r, int status)
{
    r->failed = true;
    r->nfields = 0; /* no half-split row stays visible */
    return status;
}

static int guess_format(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    const char *dot = NULL;
    char ext[8];
    size_t i;
    for (i = len; i > 0; i--) {
        if (name[i - 1] == '.') {
            dot = name + i;
            break;
        }
        if (name[i - 1] == '/')
            break;
    }
    if (!dot || strlen(dot) >= sizeof ext)
        return RS_FORMAT_CSV;
    for (i = 0; dot[i]; i++)
        ext[i] = (char)(dot[i] >= 'A' && dot[i] <= 'Z' ? dot[i] - 'A' + 'a' : dot[i]);
    ext[i] = '\0';
    if (!strcmp(ext, "tsv") || !strcmp(ext, "tab"))
        return RS_FORMAT_TSV;
    if (!strcmp(ext, "jsonl") || !strcmp(ext, "ndjson") || !strcmp(ext, "json"))
        return RS_FORMAT_JSONL;
    return RS_FORMAT_CSV;
}

static int create(const char *name, int format, rs_reader **out)
{
    rs_reader *r;
    if (format < RS_FORMAT_AUTO || format > RS_FORMAT_JSONL)
        return rs__fail(RS_ERR_INVALID, "rs_reader_open: unknown format %d", format);
    r = rs__calloc(1, sizeof *r);
    if (!r)
        return RS_ERR_NOMEM;
    r->name = rs__strdup(name);
    if (!r->name) {
        free(r);
        return RS_ERR_NOMEM;
    }
    r->id = atomic_fetch_add(&next_reader_id, 1);
    r->fd = -1;
    r->format = format == RS_FORMAT_AUTO ? guess_format(name) : format;
    r->separator = r->format == RS_FORMAT_CSV ? ',' : '\t';
    r->quote = r->format == RS_FORMAT_CSV ? '"' : 0;
    r->header = 1;
    r->check_utf8 = 1;
    r->max_record = (size_t)DEFAULT_MAX_RECORD;
    r->next_line = 1;
    *out = r;
    return 0;
}

int rs_reader_open(const char *path, int format, rs_reader **out)
{
    rs_reader *r = NULL;
    int fd, status;
    if (out)
        *out = NULL;
    if (!path || !out)
        return rs__fail(RS_ERR_INVALID, "rs_reader_open: %s is NULL", path ? "out" : "path");
    status = create(path, format, &r);
    if (status != 0)
        return status;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        status = rs__fail(RS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        rs_reader_close(r);
        return status;
    }
    r->fd = fd;
    *out = r;
    return 0;
}

int rs_reader_open_memory(const char *data, size_t len, const char *name, int format,
                          rs_reader **out)
{
    rs_reader *r = NULL;
    int status;
    if (out)
        *out = NULL;
    if (!out || (!data && len > 0))
        return rs__fail(RS_ERR_INVALID, "rs_reader_open_memory: %s is NULL",
                        out ? "data" : "out");
    status = create(name ? name : "<memory>", format, &r);
    if (status != 0)
        return status;
    r->mem = data;
    r->mem_len = len;
    *out = r;
    return 0;
}

void rs_reader_close(rs_reader *r)
{
    size_t i;
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    for (i = 0; i < r->ncolumns; i++)
        free(r->columns[i]);
    for (i = 0; i < RS_ROLE_COUNT; i++)
        free(r->role_names[i]);
    free(r->columns);
    free(r->buf);
    free(r->fields);
    free(r->lens);
    free(r->text);
    free(r->offsets);
    rs__idmap_free(r->colmap);
    free(r->pairs);
    free(r->touched);
    free(r->name);
    free(r);
}

int rs_reader_set_int(rs_reader *r, int option, int64_t value)
{
    if (!r)
        return rs__fail(RS_ERR_INVALID, "rs_reader_set_int: reader is NULL");
    if (r->started)
        return rs__fail(RS_ERR_STATE, "rs_reader_set_int: %s: reading has started", r->name);
    switch (option) {
    case RS_READER_SEPARATOR:
        if (value < 1 || value > 127 || value == '\n' || value == '\r' || value == r->quote)
            return rs__fail(RS_ERR_RANGE, "rs_reader_set_int: separator %lld is not an ASCII "
                            "byte other than NUL, CR, LF and the quote", (long long)value);
        r->separator = (int)value;
        return 0;
    case RS_READER_QUOTE:
        if (value < 0 || value > 127 || value == '\n' || value == '\r' ||
            value == r->separator)
            return rs__fail(RS_ERR_RANGE, "rs_reader_set_int: quote %lld is not 0 or an ASCII "
                            "byte other than CR, LF and the separator", (long long)value);
        r->quote = (int)value;
        return 0;
    case RS_READER_HEADER:
    case RS_READER_RAGGED:
    case RS_READER_CHECK_UTF8:
        if (value != 0 && value != 1)
            return rs__fail(RS_ERR_RANGE, "rs_reader_set_int: option %d takes 0 or 1, not %lld",
                            option, (long long)value);
        if (option == RS_READER_HEADER)
            r->header = (int)value;
        else if (option == RS_READER_RAGGED)
            r->ragged = (int)value;
        else
            r->check_utf8 = (int)value;
        return 0;
    case RS_READER_MAX_RECORD:
        if (value < 1024 || value > ((int64_t)1 << 30))
            return rs__fail(RS_ERR_RANGE, "rs_reader_set_int: max record %lld is outside "
                            "1024..2^30", (long long)value);
        r->max_record = (size_t)value;
        return 0;
    default:
        return rs__fail(RS_ERR_INVALID, "rs_reader_set_int: unknown option %d", option);
    }
}

int rs_reader_map(rs_reader *r, int role, const char *column)
{
    char *copy = NULL;
    if (!r)
        return rs__fail(RS_ERR_INVALID, "rs_reader_map: reader is NULL");
    if (role < 0 || role >= RS_ROLE_COUNT)
        return rs__fail(RS_ERR_INVALID, "rs_reader_map: unknown role %d", role);
    if (column) {
        if (!column[0])
            return rs__fail(RS_ERR_INVALID, "rs_reader_map: column name is empty");
        copy = rs__strdup(column);
        if (!copy)
            return RS_ERR_NOMEM;
    }
    free(r->role_names[role]);
    r->role_names[role] = copy;
    return 0;
}

/* -------------------------------------------------------------- input buffer */

/* Read more bytes behind end, first moving [start, end) to the front and
 * growing the buffer when it is full.  0 (possibly at EOF), or a status. */
static int refill(rs_reader *r)
{
    size_t got = 0;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end + 1 >= r->cap) {
        size_t want = r->cap ? r->cap * 2 : CHUNK_BYTES;
        if (!r->cap && r->fd < 0 && r->mem_len < CHUNK_BYTES - 64)
            want = r->mem_len + 64; /* a small text needs no 1 MiB buffer */
        char *bigger;
        if (r->end >= r->max_record)
            return fail_at(r, r->next_line, RS_ERR_LIMIT,
                           "record longer than the limit (RS_READER_MAX_RECORD); "
                           "an unbalanced quote?");
        if (r->cap && want > r->max_record + 2)
            want = r->max_record + 2;
        bigger = rs__realloc(r->buf, want);
        if (!bigger)
            return RS_ERR_NOMEM;
        r->buf = bigger;
        r->cap = want;
    }
    if (r->fd >= 0) {
        ssize_t n;
        do
            n = read(r->fd, r->buf + r->end, r->cap - 1 - r->end);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return rs__fail(RS_ERR_IO, "%s: read error: %s", r->name, strerror(errno));
        got = (size_t)n;
    } else {
        got = r->mem_len - r->mem_pos;
        if (got > r->cap - 1 - r->end)
            got = r->cap - 1 - r->end;
        if (got)
            memcpy(r->buf + r->end, r->mem + r->mem_pos, got);
        r->mem_pos += got;
    }
    if (got == 0)
        r->eof = true;
    r->end += got;
    r->bytes_read += got;
    return 0;
}

/* Where a record scan stands, kept across refills of the buffer. */
struct scan {
    size_t at; /* bytes of the record already scanned */
    enum scan_state state;
    uint64_t inner_newlines, quote_line;
};

/*
 * Scan a CSV record in base[sc->at, avail): 1 with sc->at on the newline that
 * ends it, 0 when the input so far ends inside it, or a status.
 */
static int scan_csv(const rs_reader *r, const char *base, size_t avail, struct scan *sc)
{
    const char quote = (char)r->quote, sep = (char)r->separator;
    size_t i = sc->at;
    if (i == 0 && avail > 0) {
        /* Fast path: a line without any quote character. */
        const char *nl = memchr(base, '\n', avail);
        if (nl && !memchr(base, quote, (size_t)(nl - base))) {
            sc->at = (size_t)(nl - base);
            return 1;
        }
    }
    for (; i < avail; i++) {
        char c = base[i];
        switch (sc->state) {
        case FIELD_START:
        case UNQUOTED:
            if (c == '\n') {
                sc->at = i;
                return 1;
            }
            if (c == sep) {
                sc->state = FIELD_START;
            } else if (c == quote && sc->state == FIELD_START) {
                sc->state = QUOTED;
                sc->quote_line = r->next_line + sc->inner_newlines;
            } else {
                sc->state = UNQUOTED; /* a quote inside an unquoted field is text */
            }
            break;
        case QUOTED:
            if (c == quote)
                sc->state = QUOTE_SEEN;
            else if (c == '\n')
                sc->inner_newlines++;
            break;
        case QUOTE_SEEN:
        case CLOSED_CR:
            if (c == '\n') {
                sc->at = i;
                return 1;
            }
            if (sc->state == QUOTE_SEEN && c == quote)
                sc->state = QUOTED;
            else if (sc->state == QUOTE_SEEN && c == sep)
                sc->state = FIELD_START;
            else if (sc->state == QUOTE_SEEN && c == '\r')
                sc->state = CLOSED_CR;
            else
                return fail_at(r, r->next_line + sc->inner_newlines, RS_ERR_PARSE,
                               "text after a closing quote (a quote inside a quoted field "
                               "must be doubled)");
            break;
        }
    }
    sc->at = avail;
    return 0;
}

/*
 * Delimit the next record: on 1, buf[*rec, *rec + *len) is it (without its
 * newline) and *line its first line; 0 at the end of input; or a status.
 */
static int read_record(rs_reader *r, size_t *rec, size_t *len, uint64_t *line)
{
    struct scan sc = {0, FIELD_START, 0, 0};
    int status;

    for (;;) {
        const char *base = r->buf + r->start;
        size_t avail = r->end - r->start;
        if (!r->quote) {
            const char *nl = avail > sc.at ? memchr(base + sc.at, '\n', avail - sc.at) : NULL;
            sc.at = nl ? (size_t)(nl - base) : avail;
            status = nl != NULL;
        } else {
            status = scan_csv(r, base, avail, &sc);
        }
        if (status < 0)
            return status;
        if (status == 1)
            break;
        if (avail > r->max_record)
            return fail_at(r, r->next_line, RS_ERR_LIMIT,
                           "record longer than the limit (RS_READER_MAX_RECORD); "
                           "an unbalanced quote?");
        if (r->eof) {
            if (avail == 0)
                return 0;
            if (sc.state == QUOTED)
                return fail_at(r, sc.quote_line, RS_ERR_PARSE,
                               "unbalanced quote: the quoted field that starts on this line "
                               "is never closed");
            break; /* the last line has no newline */
        }
        if ((status = refill(r)) != 0)
            return status;
    }
    if (sc.at > r->max_record)
        return fail_at(r, r->next_line, RS_ERR_LIMIT,
                       "record longer than the limit (RS_READER_MAX_RECORD)");
    *rec = r->start;
    *len = sc.at;
    *line = r->next_line;
    r->next_line += 1 + sc.inner_newlines;
    r->start += sc.at;
    if (r->start < r->end)
        r->start++; /* the newline */
    return 1;
}

/* -------------------------------------------------------------- validation */

/* Length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
                       (s[3] & 0xC0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

/* Refuse NUL bytes (binary data) and, when asked, invalid UTF-8. */
static int check_bytes(const rs_reader *r, const char *rec, size_t len, uint64_t line)
{
    const unsigned char *s = (const unsigned char *)rec;
    const uint64_t high = UINT64_C(0x8080808080808080), ones = UINT64_C(0x0101010101010101);
    size_t i = 0;
    char what[160];
    if (!r->check_utf8) {
        if (!memchr(rec, '\0', len))
            return 0;
        i = (size_t)((const char *)memchr(rec, '\0', len) - rec);
        goto binary;
    }
    while (i < len) {
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & high) || ((w - ones) & ~w & high))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (s[i] == 0)
            goto binary;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        {
            size_t step = utf8_sequence(s + i, len - i);
            if (step == 0) {
                snprintf(what, sizeof what, "invalid UTF-8 at byte %zu of the line (byte 0x%02x)",
                         i + 1, s[i]);
                return fail_at(r, line, RS_ERR_ENCODING, what);
            }
            i += step;
        }
    }
    return 0;
binary:
    snprintf(what, sizeof what, "binary data: a NUL byte at byte %zu of the line; "
             "not a text file (UTF-16?)", i + 1);
    return fail_at(r, line, RS_ERR_PARSE, what);
}

/* ------------------------------------------------------------------ splitting */

static int push_field(rs_reader *r, const char *start, size_t len)
{
    if (r->nfields == MAX_FIELDS)
        return rs__fail(RS_ERR_LIMIT, "%s:%llu: more than %d fields in one row", r->name,
                        (unsigned long long)r->row_line, MAX_FIELDS);
    if (r->nfields == r->fields_cap) {
        size_t cap = r->fields_cap;
        int status = rs__grow((void **)&r->fields, &cap, r->nfields + 1, sizeof *r->fields);
        if (status != 0)
            return status;
        cap = r->fields_cap;
        status = rs__grow((void **)&r->lens, &cap, r->nfields + 1, sizeof *r->lens);
        if (status != 0)
            return status;
        r->fields_cap = cap;
    }
    r->fields[r->nfields] = start;
    r->lens[r->nfields] = len;
    r->nfields++;
    return 0;
}

/* Split buf[rec, rec + len) (already delimited and checked) in place. */
static int split_delimited(rs_reader *r, char *rec, size_t len)
{
    const char sep = (char)r->separator, quote = (char)r->quote;
    char *p = rec, *end = rec + len, *w = rec;
    int status;
    r->nfields = 0;
    for (;;) {
        char *field = w;
        bool more;
        if (quote && p < end && *p == quote) {
            p++;
            for (;;) {
                if (p >= end) /* cannot happen after the scan; never read past */
                    return rs__fail(RS_ERR_INTERNAL, "%s: quoted field runs past its record",
                                    r->name);
                if (*p == quote) {
                    if (p + 1 < end && p[1] == quote) {
                        *w++ = quote;
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *w++ = *p++;
            }
        } else if (!quote && w == p) {
            char *s = memchr(p, sep, (size_t)(end - p));
            p = s ? s : end;
            w = p;
        } else {
            while (p < end && *p != sep)
                *w++ = *p++;
        }
        more = p < end;
        status = push_field(r, field, (size_t)(w - field));
        if (status != 0)
            return status;
        *w++ = '\0';
        if (!more)
            break;
        p++;
    }
    r->span = rec;
    r->span_len = (size_t)(w - rec);
    return 0;
}

static int append_text(rs_reader *r, size_t *used, const char *s, size_t len)
{
    size_t need;
    int status = rs__add_size(*used, len + 1, &need);
    if (status != 0)
        return status;
    status = rs__grow((void **)&r->text, &r->text_cap, need, 1);
    if (status != 0)
        return status;
    memcpy(r->text + *used, s, len);
    r->text[*used + len] = '\0';
    *used += len + 1;
    return 0;
}

static int json_to_text(rs_reader *r, size_t *used, json_t *value)
{
    char number[64];
    switch (json_typeof(value)) {
    case JSON_STRING:
        return append_text(r, used, json_string_value(value), json_string_length(value));
    case JSON_INTEGER:
        snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        return append_text(r, used, number, strlen(number));
    case JSON_REAL:
        snprintf(number, sizeof number, "%.17g", json_real_value(value));
        return append_text(r, used, number, strlen(number));
    case JSON_TRUE:
        return append_text(r, used, "true", 4);
    case JSON_FALSE:
        return append_text(r, used, "false", 5);
    case JSON_NULL:
        return append_text(r, used, "", 0);
    default: {
        char *dump = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        int status;
        if (!dump)
            return rs__fail(RS_ERR_NOMEM, "%s: out of memory encoding a JSON value", r->name);
        status = append_text(r, used, dump, strlen(dump));
        free(dump);
        return status;
    }
    }
}

static int set_columns_from_object(rs_reader *r, json_t *object)
{
    const char *key;
    json_t *value;
    size_t n = json_object_size(object), i = 0;
    int status;
    if (n > MAX_FIELDS)
        return rs__fail(RS_ERR_LIMIT, "%s:%llu: more than %d keys in one object", r->name,
                        (unsigned long long)r->row_line, MAX_FIELDS);
    r->columns = rs__calloc(n ? n : 1, sizeof *r->columns);
    if (!r->columns || !(r->colmap = rs__idmap_create()))
        return RS_ERR_NOMEM;
    if ((status = rs__idmap_reserve(r->colmap, n)) != 0)
        return status;
    json_object_foreach(object, key, value) {
        uint32_t index;
        bool created;
        (void)value;
        r->columns[i] = rs__strdup(key);
        if (!r->columns[i])
            return RS_ERR_NOMEM;
        if ((status = rs__idmap_intern(r->colmap, key, strlen(key), &index, &created)) != 0)
            return status;
        r->ncolumns = ++i;
    }
    /* every field starts empty; a row then sets only its own keys */
    if ((status = rs__grow((void **)&r->fields, &r->fields_cap, n ? n : 1, sizeof *r->fields)) !=
        0)
        return status;
    size_t cap = 0;
    if ((status = rs__grow((void **)&r->lens, &cap, r->fields_cap, sizeof *r->lens)) != 0)
        return status;
    for (i = 0; i < n; i++) {
        r->fields[i] = "";
        r->lens[i] = 0;
    }
    return 0;
}

static int pair_cmp(const void *a, const void *b)
{
    uint32_t x = ((const struct json_pair *)a)->column, y = ((const struct json_pair *)b)->column;
    return (x > y) - (x < y);
}

/* One object into fields, in time linear in its own keys.  A key the first
 * object did not have is an error, as an extra field is in CSV: dropping it
 * would silently lose a weight, a time or an event. */
static int split_json(rs_reader *r, const char *rec, size_t len, uint64_t line)
{
    json_error_t error;
    json_t *object = json_loadb(rec, len, 0, &error);
    const char *key;
    json_t *value;
    size_t used = 0, n = 0, i;
    int status = 0;
    char what[256];
    if (!object) {
        snprintf(what, sizeof what, "column %d: %s", error.column, error.text);
        return fail_at(r, line,
                       json_error_code(&error) == json_error_invalid_utf8 ? RS_ERR_ENCODING
                                                                          : RS_ERR_PARSE,
                       what);
    }
    if (!json_is_object(object)) {
        json_decref(object);
        return fail_at(r, line, RS_ERR_PARSE, "not a JSON object (JSON Lines wants one object "
                       "per line)");
    }
    if (!r->columns)
        status = set_columns_from_object(r, object);
    if (status == 0)
        status = rs__grow((void **)&r->pairs, &r->pairs_cap, json_object_size(object) + 1,
                          sizeof *r->pairs);
    if (status == 0)
        status = rs__grow((void **)&r->offsets, &r->offsets_cap, json_object_size(object) + 1,
                          sizeof *r->offsets);
    if (status == 0)
        status = rs__grow((void **)&r->touched, &r->touched_cap, json_object_size(object) + 1,
                          sizeof *r->touched);
    if (status != 0) {
        json_decref(object);
        return status;
    }
    json_object_foreach(object, key, value) {
        uint32_t column = rs__idmap_find(r->colmap, key, strlen(key));
        if (column == RS_IDMAP_NONE) {
            snprintf(what, sizeof what, "key \"%.60s\" is not in the first object (JSON Lines "
                     "takes its columns from the first object; give every key there, with null "
                     "where it has no value)", key);
            json_decref(object);
            return fail_at(r, line, RS_ERR_PARSE, what);
        }
        r->pairs[n].column = column;
        r->pairs[n].value = value;
        n++;
    }
    /* the span (the dedup rule's row identity) lists the fields in column
     * order, each behind its column index, whatever the key order */
    qsort(r->pairs, n, sizeof *r->pairs, pair_cmp);
    for (i = 0; status == 0 && i < n; i++) {
        unsigned char index[4];
        for (int b = 0; b < 4; b++)
            index[b] = (unsigned char)(r->pairs[i].column >> (8 * b));
        if ((status = append_text(r, &used, (const char *)index, 4)) == 0) {
            used--; /* the index is followed by the value, not by a NUL */
            r->offsets[i] = used;
            status = json_to_text(r, &used, r->pairs[i].value);
        }
    }
    json_decref(object);
    if (status != 0)
        return status;
    for (i = 0; i < r->n_touched; i++) {
        r->fields[r->touched[i]] = "";
        r->lens[r->touched[i]] = 0;
    }
    for (i = 0; i < n; i++) {
        size_t end = i + 1 < n ? r->offsets[i + 1] - 4 : used;
        r->fields[r->pairs[i].column] = r->text + r->offsets[i];
        r->lens[r->pairs[i].column] = end - r->offsets[i] - 1;
        r->touched[i] = r->pairs[i].column;
    }
    r->n_touched = n;
    r->nfields = r->ncolumns;
    r->span = r->text;
    r->span_len = used;
    return 0;
}

/* ------------------------------------------------------------------- reading */

/* Read and split the next non-empty record.  1, 0 at the end, or a status. */
static int read_row(rs_reader *r)
{
    if (!r->bom_checked) {
        /* Skip a UTF-8 byte order mark before the scanner sees the first
         * record, so that a quote right after it opens a quoted field. */
        while (r->end - r->start < 3 && !r->eof) {
            int status = refill(r);
            if (status != 0)
                return status;
        }
        r->bom_checked = true;
        if (r->end - r->start >= 3 && memcmp(r->buf + r->start, "\xEF\xBB\xBF", 3) == 0)
            r->start += 3;
        else if (r->end - r->start >= 2 && memcmp(r->buf + r->start, "\x1F\x8B", 2) == 0)
            return fail_at(r, 1, RS_ERR_UNSUPPORTED,
                           "gzip-compressed data; decompress it first (gunzip)");
    }
    for (;;) {
        size_t rec = 0, len = 0;
        uint64_t line = 0;
        char *text;
        int status = read_record(r, &rec, &len, &line);
        if (status <= 0)
            return status;
        text = r->buf + rec;
        if (len > 0 && text[len - 1] == '\r')
            len--;
        if (len == 0)
            continue;
        status = check_bytes(r, text, len, line);
        if (status != 0)
            return status;
        r->row_line = line;
        if (r->format == RS_FORMAT_JSONL)
            status = split_json(r, text, len, line);
        else
            status = split_delimited(r, text, len);
        return status != 0 ? status : 1;
    }
}

static int take_header(rs_reader *r)
{
    size_t i;
    int status;
    if (r->started)
        return r->failed ? rs__fail(RS_ERR_STATE, "%s: the reader failed earlier", r->name) : 0;
    r->started = true;
    status = read_row(r);
    if (status < 0)
        return fail_state(r, status);
    if (status == 0) {
        r->done = true;
        return 0;
    }
    if (r->format == RS_FORMAT_JSONL) {
        r->pending = true; /* the first object is also the first row */
        return 0;
    }
    r->columns = rs__calloc(r->nfields, sizeof *r->columns);
    if (!r->columns)
        return fail_state(r, RS_ERR_NOMEM);
    for (i = 0; i < r->nfields; i++) {
        char number[24];
        const char *name = r->fields[i];
        if (!r->header) {
            snprintf(number, sizeof number, "%zu", i + 1);
            name = number;
        }
        r->columns[i] = rs__strdup(name);
        if (!r->columns[i])
            return fail_state(r, RS_ERR_NOMEM);
        r->ncolumns = i + 1;
    }
    if (r->header)
        r->nfields = 0;
    else
        r->pending = true;
    return 0;
}

int rs_reader_next(rs_reader *r)
{
    int status;
    if (!r)
        return rs__fail(RS_ERR_INVALID, "rs_reader_next: reader is NULL");
    status = take_header(r);
    if (status != 0)
        return status;
    if (r->pending) {
        r->pending = false;
        r->rows_returned++;
        return 1;
    }
    if (r->done) {
        r->nfields = 0;
        return 0;
    }
    status = read_row(r);
    if (status < 0) {
        r->nfields = 0;
        return fail_state(r, status);
    }
    if (status == 0) {
        r->done = true;
        r->nfields = 0;
        return 0;
    }
    if (!r->ragged && r->format != RS_FORMAT_JSONL && r->nfields != r->ncolumns) {
        char what[160];
        snprintf(what, sizeof what, "%zu fields where the %s has %zu (wrong column count)",
                 r->nfields, r->header ? "header" : "first row", r->ncolumns);
        r->nfields = 0;
        return fail_state(r, fail_at(r, r->row_line, RS_ERR_PARSE, what));
    }
    r->rows_returned++;
    if (r->progress && (r->rows_returned & (RS__READER_PROGRESS_ROWS - 1)) == 0)
        r->progress(r->progress_data, r->rows_returned, r->bytes_read - (r->end - r->start),
                    r->bytes_total);
    return 1;
}

size_t rs_reader_field_count(const rs_reader *r)
{
    return r ? r->nfields : 0;
}

const char *rs_reader_field(const rs_reader *r, size_t index, size_t *len_out)
{
    if (!r || index >= r->nfields) {
        if (len_out)
            *len_out = 0;
        return NULL;
    }
    if (len_out)
        *len_out = r->lens[index];
    return r->fields[index];
}

uint64_t rs_reader_line(const rs_reader *r)
{
    return r && r->nfields ? r->row_line : 0;
}

const char *rs_reader_name(const rs_reader *r)
{
    return r ? r->name : "";
}

size_t rs_reader_column_count(rs_reader *r)
{
    if (!r || take_header(r) != 0)
        return 0;
    return r->ncolumns;
}

const char *rs_reader_column_name(rs_reader *r, size_t index)
{
    if (!r || take_header(r) != 0 || index >= r->ncolumns)
        return NULL;
    return r->columns[index];
}

static bool ascii_case_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* Lower-case ASCII, without '_', '-', ' ' and '.', into out (cap bytes). */
static void fold_name(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    for (; *name && n + 1 < cap; name++) {
        char c = *name;
        if (c == '_' || c == '-' || c == ' ' || c == '.')
            continue;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    out[n] = '\0';
}

static int list_columns(const rs_reader *r, char *out, size_t cap)
{
    size_t i, used = 0;
    out[0] = '\0';
    for (i = 0; i < r->ncolumns && used + 1 < cap; i++) {
        int n = snprintf(out + used, cap - used, "%s\"%s\"", i ? ", " : "", r->columns[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return 0;
}

int rs_reader_column(rs_reader *r, const char *name, size_t *index_out)
{
    size_t i;
    int status;
    char listing[256];
    if (!r || !name || !index_out)
        return rs__fail(RS_ERR_INVALID, "rs_reader_column: %s is NULL",
                        !r ? "reader" : !name ? "name" : "index_out");
    status = take_header(r);
    if (status != 0)
        return status;
    for (i = 0; i < r->ncolumns; i++)
        if (strcmp(r->columns[i], name) == 0) {
            *index_out = i;
            return 0;
        }
    for (i = 0; i < r->ncolumns; i++)
        if (ascii_case_equal(r->columns[i], name)) {
            *index_out = i;
            return 0;
        }
    list_columns(r, listing, sizeof listing);
    return rs__fail(RS_ERR_NOTFOUND, "%s: no column \"%s\" (columns: %s)", r->name, name,
                    listing);
}

/* The column of a role by its default names: 0, or RS_ERR_NOTFOUND silently. */
static int default_role(const rs_reader *r, int role, size_t *index_out)
{
    size_t i, k;
    char folded[64];
    for (k = 0; role_defaults[role][k]; k++)
        for (i = 0; i < r->ncolumns; i++) {
            fold_name(r->columns[i], folded, sizeof folded);
            if (strcmp(folded, role_defaults[role][k]) == 0) {
                *index_out = i;
                return 0;
            }
        }
    return RS_ERR_NOTFOUND;
}

int rs__reader_find_role(rs_reader *r, int role, size_t *index_out)
{
    size_t i;
    if (take_header(r) != 0)
        return RS_ERR_NOTFOUND;
    if (!r->role_names[role])
        return default_role(r, role, index_out);
    for (i = 0; i < r->ncolumns; i++)
        if (ascii_case_equal(r->columns[i], r->role_names[role])) {
            *index_out = i;
            return 0;
        }
    return RS_ERR_NOTFOUND;
}

int rs_reader_role(rs_reader *r, int role, size_t *index_out)
{
    int status;
    char listing[256];
    if (!r || !index_out)
        return rs__fail(RS_ERR_INVALID, "rs_reader_role: %s is NULL", r ? "index_out" : "reader");
    if (role < 0 || role >= RS_ROLE_COUNT)
        return rs__fail(RS_ERR_INVALID, "rs_reader_role: unknown role %d", role);
    if (r->role_names[role])
        return rs_reader_column(r, r->role_names[role], index_out);
    status = take_header(r);
    if (status != 0)
        return status;
    if (default_role(r, role, index_out) == 0)
        return 0;
    list_columns(r, listing, sizeof listing);
    return rs__fail(RS_ERR_NOTFOUND, "%s: no %s column: none is named like \"%s\" (columns: "
                    "%s); name one with rs_reader_map()", r->name, role_labels[role],
                    role_defaults[role][0], listing);
}

static int field_value(const rs_reader *r, size_t index, int kind, void *out)
{
    int status;
    const char *field;
    size_t len;
    if (!r || !out)
        return rs__fail(RS_ERR_INVALID, "rs_reader_%s: %s is NULL",
                        kind == 0 ? "double" : kind == 1 ? "int64" : "time",
                        r ? "out" : "reader");
    if (index >= r->nfields)
        return rs__fail(RS_ERR_NOTFOUND, "%s:%llu: no field %zu (the row has %zu)", r->name,
                        (unsigned long long)r->row_line, index, r->nfields);
    field = r->fields[index];
    len = r->lens[index];
    status = kind == 0   ? rs__parse_double(field, len, out)
             : kind == 1 ? rs__parse_int64(field, len, out)
                         : rs__parse_time(field, len, out);
    if (status == 0)
        return 0;
    return rs__fail(status, "%s:%llu: column \"%s\": \"%.*s%s\" is %s", r->name,
                    (unsigned long long)r->row_line,
                    index < r->ncolumns ? r->columns[index] : "?", len > 40 ? 40 : (int)len,
                    field, len > 40 ? "..." : "",
                    status == RS_ERR_RANGE ? "out of range (or NaN/Inf)"
                    : kind == 0            ? "not a number"
                    : kind == 1            ? "not an integer"
                                           : "not a timestamp");
}

int rs_reader_double(const rs_reader *r, size_t index, double *out)
{
    return field_value(r, index, 0, out);
}

int rs_reader_int64(const rs_reader *r, size_t index, int64_t *out)
{
    return field_value(r, index, 1, out);
}

int rs_reader_time(const rs_reader *r, size_t index, int64_t *out)
{
    return field_value(r, index, 2, out);
}

/* ----------------------------------------------------------------- internals */

const char *const *rs__reader_fields(const rs_reader *r, const size_t **lens_out)
{
    *lens_out = r->lens;
    return r->fields;
}

void rs__reader_set_progress(rs_reader *r, rs__reader_progress_fn fn, void *data)
{
    struct stat st;
    r->progress = fn;
    r->progress_data = data;
    if (r->fd < 0)
        r->bytes_total = r->mem_len;
    else if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode))
        r->bytes_total = (uint64_t)st.st_size;
}

uint64_t rs__reader_rows_returned(const rs_reader *r)
{
    return r->rows_returned;
}

uint64_t rs__reader_id(const rs_reader *r)
{
    return r->id;
}

const char *rs__reader_row_span(const rs_reader *r, size_t *len_out)
{
    *len_out = r->nfields ? r->span_len : 0;
    return r->span;
}
