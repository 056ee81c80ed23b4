/*
 * recsim/io.h - readers, cleaning and import (src/io).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, graph.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_IO_H
#define RECSIM_IO_H

#include "base.h"
#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * io: readers, cleaning and import (src/io)
 * ==================================================================== */

/*
 * The io module reads interaction logs, catalogues and profiles (CSV, TSV,
 * JSON Lines), cleans them by explicit, counted rules, and normalises
 * numbers.  Every error and every dropped row names its file and line.
 */

/* An open input file or memory buffer, read one row at a time. */
typedef struct rs_reader rs_reader;

/* Input formats, for rs_reader_open(). */
typedef enum rs_reader_format {
    RS_FORMAT_AUTO = 0,  /* from the file name: .tsv/.tab TSV, .jsonl/.ndjson/.json
                            JSON Lines, anything else CSV */
    RS_FORMAT_CSV = 1,   /* RFC 4180: "quoted" fields with "" escapes, embedded
                            separators and newlines, CRLF or LF, optional BOM */
    RS_FORMAT_TSV = 2,   /* tab-separated, no quoting (like most raw exports) */
    RS_FORMAT_JSONL = 3  /* one JSON object per line (parsed by jansson) */
} rs_reader_format;
/* rs_format: the name before release 1.1 (issue 19), the same type. */
typedef rs_reader_format rs_format RS_DEPRECATED("use rs_reader_format");

/*
 * Reader options, for rs_reader_set_int() before the first rs_reader_next().
 * JSON Lines ignores the separator, quote and header options.  A row holds at
 * most 2^20 fields (RS_ERR_LIMIT beyond).
 */
typedef enum rs_reader_option {
    RS_READER_SEPARATOR = 0,  /* field separator byte, 1..127 except '\n', '\r'
                                 and the quote; default ',' (CSV) or '\t' (TSV) */
    RS_READER_QUOTE = 1,      /* quote byte, or 0 for no quoting; default '"' for
                                 CSV, 0 for TSV */
    RS_READER_HEADER = 2,     /* 1: the first non-empty row names the columns
                                 (default); 0: no header, columns are "1", "2"... */
    RS_READER_RAGGED = 3,     /* 0: a row whose field count differs from the
                                 header's is an error (default); 1: allowed */
    RS_READER_CHECK_UTF8 = 4, /* 1: invalid UTF-8 is an error (default); 0: bytes
                                 are passed through unchecked */
    RS_READER_MAX_RECORD = 5  /* longest record in bytes, 1024..2^30; default
                                 2^24 (16 MiB); longer is RS_ERR_LIMIT */
} rs_reader_option;

/*
 * Column roles: what a column means to an import.  Each role is found by
 * header name, from rs_reader_map() or else from the defaults listed
 * (compared ignoring ASCII case, first match in this order).
 */
typedef enum rs_io_role {
    RS_ROLE_USER = 0,   /* user, user_id, userid, customer, customer_id,
                           customerid, client, visitorid */
    RS_ROLE_ITEM = 1,   /* item, item_id, itemid, product, product_id, productid,
                           stockcode, sku, movieid, asin */
    RS_ROLE_WEIGHT = 2, /* weight, rating, score, quantity, count, value */
    RS_ROLE_TIME = 3,   /* time, timestamp, date, datetime, invoicedate,
                           event_time, ts, created_at */
    RS_ROLE_EVENT = 4,  /* event, event_type, type, action, relation */
    RS_ROLE_TEXT = 5,   /* description, title, name, text, review */
    RS_ROLE_GROUP = 6   /* invoice, invoiceno, order, order_id, session,
                           session_id, basket */
} rs_io_role;
/* rs_role: the name before release 1.1 (issue 19), the same type. */
typedef rs_io_role rs_role RS_DEPRECATED("use rs_io_role");

/* How many rs_io_role values this library knows (7 in 1.0). */
#define RS_ROLE_COUNT 7

/**
 * rs_reader_open - open a CSV, TSV or JSON Lines file for reading.
 *
 * @path    the file to read ("-" is not special).
 * @format  an rs_reader_format; RS_FORMAT_AUTO picks one from the file name.
 * @out     receives the new reader; set to NULL on failure.
 *
 * The file is read in chunks: memory stays bounded by the longest record
 * (RS_READER_MAX_RECORD), whatever the file size.  Nothing is read until the
 * first rs_reader_next(), so options can be set in between.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument, unknown format), RS_ERR_IO
 * (the file cannot be opened; the message names it and the reason),
 * RS_ERR_NOMEM.  The caller owns the reader and closes it with
 * rs_reader_close().
 */
RS_API int rs_reader_open(const char *path, int format, rs_reader **out);

/**
 * rs_reader_open_memory - read CSV, TSV or JSON Lines text from memory.
 *
 * @data    the text; borrowed, it must stay valid and unchanged until the
 *          reader is closed.  May be NULL when len is 0.
 * @len     its length in bytes.
 * @name    the name used in messages ("file:line"); NULL gives "<memory>".
 *          Copied.
 * @format  an rs_reader_format; RS_FORMAT_AUTO picks one from name.
 * @out     receives the new reader; set to NULL on failure.
 *
 * Returns RS_OK, or RS_ERR_INVALID, RS_ERR_NOMEM.
 */
RS_API int rs_reader_open_memory(const char *data, size_t len, const char *name, int format,
                                 rs_reader **out);

/**
 * rs_reader_close - close a reader and release everything it holds.
 *
 * @reader  the reader, or NULL (a no-op).  Fields and names it handed out
 *          become invalid.
 */
RS_API void rs_reader_close(rs_reader *reader);

/**
 * rs_reader_set_int - set a reader option (rs_reader_option).
 *
 * @reader  the reader, before its first rs_reader_next().
 * @option  an rs_reader_option.
 * @value   the value; ranges and defaults are listed with rs_reader_option.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL reader, unknown option),
 * RS_ERR_RANGE (a value outside the option's range), RS_ERR_STATE (reading
 * has started).  On error the reader is unchanged.
 */
RS_API int rs_reader_set_int(rs_reader *reader, int option, int64_t value);

/**
 * rs_reader_map - name the column that plays a role.
 *
 * @reader  the reader.
 * @role    an rs_io_role.
 * @column  the header name of the column (copied), or NULL to go back to the
 *          default names of the role.
 *
 * Can be called at any time; the name is resolved by rs_reader_role().
 * Returns RS_OK, or RS_ERR_INVALID (NULL reader, unknown role, empty column).
 */
RS_API int rs_reader_map(rs_reader *reader, int role, const char *column);

/**
 * rs_reader_next - advance to the next row.
 *
 * @reader  the reader.
 *
 * Empty lines are skipped; the header row (RS_READER_HEADER) is consumed by
 * the first call.  Fields of the row are then available through
 * rs_reader_field() until the next call.
 *
 * Returns 1 when a row is available, 0 at the end of the input, or a negative
 * status: RS_ERR_PARSE (unbalanced quote, text after a closing quote, binary
 * data such as a NUL byte, a field count that differs from the header's, a
 * line that is not a JSON object), RS_ERR_ENCODING (invalid UTF-8),
 * RS_ERR_UNSUPPORTED (gzip-compressed input),
 * RS_ERR_LIMIT (a record longer than RS_READER_MAX_RECORD), RS_ERR_IO,
 * RS_ERR_NOMEM.  Every message starts with "file:line: ".  After an error
 * the reader stays failed: later calls return RS_ERR_STATE.  In JSON Lines
 * the first object's keys are the columns: a later object with a key the
 * first one lacks is RS_ERR_PARSE (as an extra field is in CSV), so that no
 * value is dropped unseen; give every key in the first object, null where
 * it has no value.
 */
RS_API int rs_reader_next(rs_reader *reader);

/**
 * rs_reader_field_count - the number of fields of the current row.
 *
 * Returns 0 before the first row and after the end.  For JSON Lines this is
 * the number of columns.
 */
RS_API size_t rs_reader_field_count(const rs_reader *reader);

/**
 * rs_reader_field - one field of the current row.
 *
 * @reader   the reader.
 * @index    the field, 0-based.
 * @len_out  receives the length in bytes; may be NULL.
 *
 * Returns the field as NUL-terminated text (quotes removed, "" unescaped;
 * for JSON Lines: strings verbatim, numbers as written by jansson, true and
 * false, "" for null or a missing key, objects and arrays as compact JSON),
 * borrowed until the next rs_reader_next() or rs_reader_close().  Returns
 * NULL when index is out of range (and sets *len_out to 0).
 */
RS_API const char *rs_reader_field(const rs_reader *reader, size_t index, size_t *len_out);

/**
 * rs_reader_line - the line where the current row starts, 1-based.
 *
 * Physical lines: a quoted field with embedded newlines spans several.
 * Returns 0 before the first row.
 */
RS_API uint64_t rs_reader_line(const rs_reader *reader);

/**
 * rs_reader_name - the file name used in messages.
 *
 * Returns a string borrowed from the reader, or "" for a NULL reader.
 */
RS_API const char *rs_reader_name(const rs_reader *reader);

/**
 * rs_reader_column_count - the number of columns.
 *
 * Reads the header (or, for JSON Lines, the first object, whose keys are the
 * columns) if no row has been read yet.  Returns 0 for an empty input or
 * after a read error.
 */
RS_API size_t rs_reader_column_count(rs_reader *reader);

/**
 * rs_reader_column_name - the name of a column.
 *
 * @reader  the reader (the header is read if needed).
 * @index   the column, 0-based.
 *
 * Returns the borrowed name, valid until rs_reader_close(), or NULL when
 * index is out of range.
 */
RS_API const char *rs_reader_column_name(rs_reader *reader, size_t index);

/**
 * rs_reader_column - the index of a column, by header name.
 *
 * @reader     the reader (the header is read if needed).
 * @name       the column name: an exact match wins, else one that differs
 *             only in ASCII case.
 * @index_out  receives the 0-based index.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument), RS_ERR_NOTFOUND (no such
 * column; the message lists the columns), or the error that reading the
 * header met.
 */
RS_API int rs_reader_column(rs_reader *reader, const char *name, size_t *index_out);

/**
 * rs_reader_role - the column that plays a role.
 *
 * @reader     the reader (the header is read if needed).
 * @role       an rs_io_role.
 * @index_out  receives the 0-based column index.
 *
 * Uses the name given to rs_reader_map(), else the role's default names.
 * Returns RS_OK, or RS_ERR_INVALID, RS_ERR_NOTFOUND (the message names the
 * role and the names that were tried).
 */
RS_API int rs_reader_role(rs_reader *reader, int role, size_t *index_out);

/**
 * rs_reader_double - a field of the current row as a finite number.
 *
 * Same rules as rs_io_parse_double(); errors name "file:line: column".
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (no such field),
 * RS_ERR_PARSE, RS_ERR_RANGE.  *out is unchanged on error.
 */
RS_API int rs_reader_double(const rs_reader *reader, size_t index, double *out);

/**
 * rs_reader_int64 - a field of the current row as an integer.
 *
 * Same rules as rs_io_parse_int64(); errors name "file:line: column".
 */
RS_API int rs_reader_int64(const rs_reader *reader, size_t index, int64_t *out);

/**
 * rs_reader_time - a field of the current row as a timestamp.
 *
 * Same rules as rs_io_parse_time(); errors name "file:line: column".
 */
RS_API int rs_reader_time(const rs_reader *reader, size_t index, int64_t *out);

/**
 * rs_io_parse_double - parse a decimal number, whatever the C locale.
 *
 * @text  the text; surrounding ASCII spaces and tabs are ignored.
 * @len   its length in bytes.
 * @out   receives the value, correctly rounded; unchanged on error.
 *
 * Accepts [+-] digits [. digits] [(e|E) [+-] digits] (either digit run may be
 * empty, not both).  The decimal point is always '.', never the locale's.
 * Returns RS_OK, RS_ERR_INVALID (NULL text or out), RS_ERR_PARSE (empty or
 * not a number, also hexadecimal), RS_ERR_RANGE ("nan", "inf", "infinity" in
 * any case, or a value that overflows a double).  Thread-safe.
 */
RS_API int rs_io_parse_double(const char *text, size_t len, double *out);

/**
 * rs_io_parse_int64 - parse a decimal integer.
 *
 * Accepts [+-] digits, and also a number with a zero fraction ("17.0", as
 * spreadsheets export ids).  Returns RS_OK, RS_ERR_INVALID, RS_ERR_PARSE,
 * RS_ERR_RANGE (outside int64_t).  Thread-safe.
 */
RS_API int rs_io_parse_int64(const char *text, size_t len, int64_t *out);

/**
 * rs_io_parse_time - parse a timestamp into seconds since 1970-01-01 UTC.
 *
 * @text  ISO 8601: "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM:SS",
 *        with optional fraction ".fff" (truncated), and optional "Z" or an
 *        offset "+HH:MM", "+HHMM", "+HH"; times without an offset are taken
 *        as UTC.  Or an epoch: an integer number of seconds (11 digits or
 *        fewer), or of milliseconds (13 digits, rounded down to seconds).
 * @len   its length in bytes.
 * @out   receives the seconds; unchanged on error.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_PARSE (not a timestamp), RS_ERR_RANGE
 * (a field out of range, such as month 13 or February 30).  Thread-safe.
 */
RS_API int rs_io_parse_time(const char *text, size_t len, int64_t *out);

/* Normalisation methods, for rs_io_normalize(). */
typedef enum rs_io_norm {
    RS_NORM_SCALE = 0,  /* v / param (param > 0), e.g. a rating out of 5 */
    RS_NORM_MINMAX = 1, /* (v - min) / (max - min); all 0 when max == min */
    RS_NORM_ZSCORE = 2  /* (v - mean) / sd, population sd; all 0 when sd == 0 */
} rs_io_norm;
/* rs_norm: the name before release 1.1 (issue 19), the same type. */
typedef rs_io_norm rs_norm RS_DEPRECATED("use rs_io_norm");

/**
 * rs_io_normalize - normalise an array of numbers in place.
 *
 * @values  the numbers; all must be finite.
 * @count   how many (0 is allowed).
 * @method  an rs_io_norm.
 * @param   the scale for RS_NORM_SCALE (finite, > 0); ignored otherwise.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL values with count > 0, unknown
 * method), RS_ERR_RANGE (a NaN or infinite value, named by index, or a bad
 * param).  On error the values are unchanged.  Thread-safe.
 */
RS_API int rs_io_normalize(double *values, size_t count, int method, double param);

/* Row cleaning: rules applied to each row of a reader, in the order added. */
typedef struct rs_cleaner rs_cleaner;

/* How a match rule compares a field with its pattern, rs_cleaner_add_match(). */
typedef enum rs_cleaner_match {
    RS_MATCH_EXACT = 0,    /* the field equals the pattern */
    RS_MATCH_PREFIX = 1,   /* the field starts with the pattern */
    RS_MATCH_CONTAINS = 2, /* the pattern occurs in the field */
    RS_MATCH_FIRST_OF = 3  /* the field's first byte is one of the pattern's bytes */
} rs_cleaner_match;
/* rs_match: the name before release 1.1 (issue 19), the same type. */
typedef rs_cleaner_match rs_match RS_DEPRECATED("use rs_cleaner_match");

/* Whether a match rule drops the rows that match, or those that do not. */
typedef enum rs_cleaner_drop {
    RS_DROP_MATCH = 0,    /* drop a row whose field matches */
    RS_DROP_NO_MATCH = 1  /* drop a row whose field does not match */
} rs_cleaner_drop;
/* rs_drop: the name before release 1.1 (issue 19), the same type. */
typedef rs_cleaner_drop rs_drop RS_DEPRECATED("use rs_cleaner_drop");

/* Value types for rs_cleaner_add_type(). */
typedef enum rs_cleaner_type {
    RS_TYPE_NUMBER = 0,  /* rs_io_parse_double() accepts it */
    RS_TYPE_INTEGER = 1, /* rs_io_parse_int64() accepts it */
    RS_TYPE_TIME = 2     /* rs_io_parse_time() accepts it */
} rs_cleaner_type;
/* rs_type: the name before release 1.1 (issue 19), the same type. */
typedef rs_cleaner_type rs_type RS_DEPRECATED("use rs_cleaner_type");

/* Bounds flags for rs_cleaner_add_range(). */
#define RS_RANGE_MIN_EXCLUSIVE 1u /* drop v == min as well (v must be > min) */
#define RS_RANGE_MAX_EXCLUSIVE 2u /* drop v == max as well (v must be < max) */

/*
 * A host predicate for rs_cleaner_add_callback(): fields[0..count) and
 * lens[0..count) are the row's fields.  Return 1 to drop the row, 0 to keep
 * it, a negative value to stop with RS_ERR_CALLBACK.
 */
typedef int (*rs_row_predicate)(const char *const *fields, const size_t *lens, size_t count,
                                void *context);

/**
 * rs_cleaner_create - a cleaner with no rules.
 *
 * @out  receives the cleaner; NULL on failure.
 *
 * Rules are tried in the order they are added; a row is dropped by the first
 * rule it fails and counted under that rule, exactly as if each rule filtered
 * the survivors of the previous ones.  Missing values are "", "NA", "N/A",
 * "NULL" and "null" (after trimming spaces) until rs_cleaner_set_missing().
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOMEM.  Free with rs_cleaner_free().
 */
RS_API int rs_cleaner_create(rs_cleaner **out);

/**
 * rs_cleaner_free - release a cleaner (closing its reject file).
 *
 * @cleaner  the cleaner, or NULL (a no-op).
 */
RS_API void rs_cleaner_free(rs_cleaner *cleaner);

/**
 * rs_cleaner_set_missing - the texts that count as a missing value.
 *
 * @cleaner  the cleaner.
 * @tokens   count strings (copied), compared after trimming ASCII spaces; the
 *           empty field is always missing.
 * @count    how many; 0 leaves only the empty field.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL cleaner, NULL tokens with count > 0, a
 * NULL token), RS_ERR_NOMEM.
 */
RS_API int rs_cleaner_set_missing(rs_cleaner *cleaner, const char *const *tokens, size_t count);

/**
 * rs_cleaner_add_required - drop rows whose column is missing.
 *
 * @cleaner  the cleaner.
 * @name     the rule's name in counts and in the reject file (copied).
 * @column   the column's header name (copied), resolved when rows are checked.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL or empty argument), RS_ERR_NOMEM.
 * The same holds for every rs_cleaner_add_* function.
 */
RS_API int rs_cleaner_add_required(rs_cleaner *cleaner, const char *name, const char *column);

/**
 * rs_cleaner_add_type - drop rows whose column is not of a type.
 *
 * @type  an rs_cleaner_type.  A missing value fails too.
 */
RS_API int rs_cleaner_add_type(rs_cleaner *cleaner, const char *name, const char *column,
                               int type);

/**
 * rs_cleaner_add_range - drop rows whose column is not a number in [min, max].
 *
 * @min, @max  the bounds (-INFINITY and INFINITY for none; min <= max, not
 *             NaN, else RS_ERR_RANGE).
 * @flags      RS_RANGE_MIN_EXCLUSIVE, RS_RANGE_MAX_EXCLUSIVE.
 *
 * A value that is not a finite number fails the rule.
 */
RS_API int rs_cleaner_add_range(rs_cleaner *cleaner, const char *name, const char *column,
                                double min, double max, unsigned flags);

/**
 * rs_cleaner_add_allowed - drop rows whose column is not one of a list.
 *
 * @values  count allowed texts (copied), compared exactly.
 * @count   at least 1.
 */
RS_API int rs_cleaner_add_allowed(rs_cleaner *cleaner, const char *name, const char *column,
                                  const char *const *values, size_t count);

/**
 * rs_cleaner_add_match - drop rows by comparing a column with a pattern.
 *
 * @match    an rs_cleaner_match.
 * @pattern  the pattern (copied; not empty).
 * @drop     RS_DROP_MATCH or RS_DROP_NO_MATCH.
 *
 * For example cancellations, invoice numbers starting with "C":
 * (RS_MATCH_PREFIX, "C", RS_DROP_MATCH); non-product codes, stock codes not
 * starting with a digit: (RS_MATCH_FIRST_OF, "0123456789", RS_DROP_NO_MATCH).
 */
RS_API int rs_cleaner_add_match(rs_cleaner *cleaner, const char *name, const char *column,
                                int match, const char *pattern, int drop);

/**
 * rs_cleaner_add_callback - drop rows by a host predicate.
 *
 * @predicate  called with every row that reaches this rule.
 * @context    passed through; borrowed.
 */
RS_API int rs_cleaner_add_callback(rs_cleaner *cleaner, const char *name,
                                   rs_row_predicate predicate, void *context);

/**
 * rs_cleaner_add_dedup - drop exact duplicate rows.
 *
 * @columns  count column names that form the compared key (copied), or NULL
 *           and 0 for all fields.
 *
 * The first row with a key that reaches this rule is kept; later ones are
 * dropped ("duplicate of line N").  Keys are compared as raw text by their
 * XXH3 128-bit hash (a false match is less likely than 2^-60 for a billion
 * rows); memory grows by 24 bytes per distinct key.
 */
RS_API int rs_cleaner_add_dedup(rs_cleaner *cleaner, const char *name,
                                const char *const *columns, size_t count);

/**
 * rs_cleaner_set_reject_file - write every dropped row to a file.
 *
 * @cleaner  the cleaner.
 * @path     the file, created or truncated; NULL closes the current one.
 *
 * Each dropped row gives one line "file:line: rule: reason".  The file is
 * buffered: closing it (path NULL, or another path) reports a late write
 * error, rs_cleaner_free() does not.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_IO (naming the path).
 */
RS_API int rs_cleaner_set_reject_file(rs_cleaner *cleaner, const char *path);

/**
 * rs_cleaner_check - apply the rules to the reader's current row.
 *
 * @cleaner   the cleaner.
 * @reader    a reader positioned on a row (rs_reader_next() returned 1).
 * @keep_out  receives 1 to keep the row, 0 when a rule dropped it.
 *
 * Column names are resolved against the reader's header on first use.
 * Returns RS_OK, or RS_ERR_INVALID, RS_ERR_STATE (no current row),
 * RS_ERR_NOTFOUND (a rule's column is not in the header), RS_ERR_CALLBACK,
 * RS_ERR_IO (writing the reject file), RS_ERR_NOMEM.
 */
RS_API int rs_cleaner_check(rs_cleaner *cleaner, rs_reader *reader, int *keep_out);

/**
 * rs_cleaner_rule_count - the number of rules added.
 */
RS_API size_t rs_cleaner_rule_count(const rs_cleaner *cleaner);

/**
 * rs_cleaner_rule_name - the name of rule index (in the order added).
 *
 * Returns a borrowed string, or NULL when index is out of range.
 */
RS_API const char *rs_cleaner_rule_name(const rs_cleaner *cleaner, size_t index);

/**
 * rs_cleaner_dropped - how many rows rule index has dropped so far.
 *
 * Returns 0 when index is out of range.
 */
RS_API uint64_t rs_cleaner_dropped(const rs_cleaner *cleaner, size_t index);

/**
 * rs_cleaner_kept - how many rows passed every rule so far.
 */
RS_API uint64_t rs_cleaner_kept(const rs_cleaner *cleaner);

/* Most frequent text per key (e.g. the description of a product). */
typedef struct rs_mostfreq rs_mostfreq;

/**
 * rs_mostfreq_create - an empty (key, text) counter.
 *
 * @out  receives the counter; free with rs_mostfreq_free().
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOMEM.
 */
RS_API int rs_mostfreq_create(rs_mostfreq **out);

/**
 * rs_mostfreq_free - release a counter; NULL is a no-op.
 */
RS_API void rs_mostfreq_free(rs_mostfreq *counter);

/**
 * rs_mostfreq_add - count one occurrence of text for key.
 *
 * @key, @key_len    the key (any bytes; not NUL-terminated).
 * @text, @text_len  the text (any bytes).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_LIMIT, RS_ERR_NOMEM.
 */
RS_API int rs_mostfreq_add(rs_mostfreq *counter, const char *key, size_t key_len,
                           const char *text, size_t text_len);

/**
 * rs_mostfreq_get - the most frequent text of a key.
 *
 * @text_out   receives the text (borrowed until the counter changes or is
 *             freed); ties go to the smallest text in byte order.
 * @count_out  receives how often it was added; may be NULL.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (the key was never added).
 */
RS_API int rs_mostfreq_get(const rs_mostfreq *counter, const char *key, size_t key_len,
                           const char **text_out, uint64_t *count_out);

/*
 * Import into the knowledge graph.  Each call reads its reader to the end,
 * runs every row through the cleaner (when given; dropped rows are counted
 * and rejected there), and writes the graph in one bulk load: on any error
 * (a malformed file, a bad value, a full disk) the bulk load is rolled back
 * and the model file is left exactly as it was.  The graph must not have a
 * bulk load open (RS_ERR_STATE).  Nodes are typed "user" and "item"; keys
 * are the fields verbatim.
 */

/* Flags of rs_io_import_interactions(). */
#define RS_IMPORT_UNWEIGHTED 1u /* every row weighs 1, even with a weight column */
#define RS_IMPORT_NO_TIME 2u    /* ignore a time column (timestamps 0) */
#define RS_IMPORT_NO_EVENT 4u   /* ignore an event column: every edge gets relation */
#define RS_IMPORT_FIRST_TIME 8u /* an edge keeps its earliest timestamp, not its latest
                                   (for temporal splits: "bought before the cut") */
#define RS_IMPORT_SKIP_KNOWN 16u /* skip a timed row that matches an event the graph held
                                    before this import (see below) */
#define RS_IMPORT_REPLACE 32u /* rs_model_import_interactions() only: the rows replace
                                 the relation's interactions (see there) */

/**
 * rs_io_import_interactions - an interaction log into user -> item edges.
 *
 * @graph     the graph, writable, without an open bulk load.
 * @reader    a reader before its first row; the columns of RS_ROLE_USER and
 *            RS_ROLE_ITEM are required, RS_ROLE_WEIGHT (a finite number
 *            >= 0), RS_ROLE_TIME (see rs_io_parse_time) and RS_ROLE_EVENT
 *            (the relation name of each row) are used when present.
 * @cleaner   rules for the rows, or NULL to take every row.
 * @relation  the relation of every edge without an event column, or NULL
 *            for "interacted".
 * @flags     RS_IMPORT_UNWEIGHTED, RS_IMPORT_NO_TIME, RS_IMPORT_NO_EVENT,
 *            RS_IMPORT_FIRST_TIME, RS_IMPORT_SKIP_KNOWN.
 * @rows_out  receives the number of rows imported; may be NULL.
 *
 * Each kept row adds its weight (1 without a weight column) to the edge
 * user -relation-> item: repeated events accumulate (RS_GRAPH_MERGE_SUM)
 * and the edge keeps the latest timestamp of its rows, or the earliest with
 * RS_IMPORT_FIRST_TIME.  An empty weight or time field (in JSON Lines also
 * a key absent from the row, or null) is a missing value: the row counts as
 * one without that column (weight 1, no timestamp); add a required rule to
 * the cleaner to drop such rows instead.  (Rows are aggregated in memory, 40 bytes per
 * distinct edge, before the bulk load writes them; an edge that existed
 * before the import is merged by the graph's RS_GRAPH_MERGE_SUM.)
 *
 * With RS_IMPORT_SKIP_KNOWN, importing rows the graph already has does not
 * add them again (an export that overlaps the last one adds only its new
 * rows): an event is identified by its user, relation, item, time and
 * weight, and a row that matches an event the graph held before this call
 * is skipped (neither summed into its edge nor kept as a raw event).  The
 * graph keeps one summed weight per (user, relation, item, time), so rows
 * match while their weights fit in that sum: the same rows again match
 * exactly; a row beyond it is new.  Repeats within one import are separate
 * events (two identical invoice lines) and all count.  A row without a time
 * cannot be identified and is always added.  Skipped rows are not counted
 * in rows_out (rs_model_import_known_rows() gives their number).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL graph or reader, unknown flags),
 * RS_ERR_NOTFOUND (no user or item column; a cleaning rule's column),
 * RS_ERR_STATE (the reader has started, a bulk load is open), the reader's
 * errors (RS_ERR_PARSE, RS_ERR_ENCODING, RS_ERR_LIMIT, RS_ERR_IO), a bad
 * value in a kept row (RS_ERR_PARSE, RS_ERR_RANGE, a bad key), the graph's
 * errors (RS_ERR_READONLY, RS_ERR_IO, RS_ERR_BUSY, RS_ERR_NOMEM).  Messages
 * name "file:line".  On error the graph is unchanged.
 */
RS_API int rs_io_import_interactions(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                                     const char *relation, unsigned flags,
                                     uint64_t *rows_out);

/**
 * rs_io_import_items - a catalogue into item nodes, properties and attributes.
 *
 * @graph           the graph, writable, without an open bulk load.
 * @reader          a reader before its first row, with an RS_ROLE_ITEM column.
 * @cleaner         rules for the rows, or NULL.
 * @attributes      count column names whose values become entities: column
 *                  "Brand" with value "Acme" gives the node ("brand", "Acme")
 *                  and the edge item -has_brand-> it (type and relation are
 *                  the column name in lower case, spaces as '_').  A value
 *                  holding '|' is several values ("Action|Comedy"); empty
 *                  parts and values are skipped.  NULL when count is 0.
 * @count           how many attribute columns.
 * @properties      property_count column names whose text becomes a node
 *                  property of the same (lower-cased) name.  When an item
 *                  has several rows (a raw log), its property is the most
 *                  frequent non-empty value, ties going to the smallest
 *                  text.  NULL when property_count is 0.
 * @property_count  how many property columns.
 * @rows_out        receives the number of rows imported; may be NULL.
 *
 * Every kept row creates its item node even without attributes.  Attribute
 * edges weigh 1 (RS_GRAPH_MERGE_MAX: repeats do not add up).
 *
 * Returns the statuses of rs_io_import_interactions(); an attribute or
 * property column missing from the header is RS_ERR_NOTFOUND.  On error the
 * graph is unchanged.
 */
RS_API int rs_io_import_items(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                              const char *const *attributes, size_t count,
                              const char *const *properties, size_t property_count,
                              uint64_t *rows_out);

/**
 * rs_io_import_users - user profiles into user nodes, attributes and links.
 *
 * @graph           the graph, writable, without an open bulk load.
 * @reader          a reader before its first row, with an RS_ROLE_USER column.
 * @cleaner         rules for the rows, or NULL.
 * @attributes      count column names whose values become entities, as in
 *                  rs_io_import_items() (e.g. "Country" gives user
 *                  -has_country-> ("country", "United Kingdom")).
 * @count           how many attribute columns.
 * @properties      property columns, as in rs_io_import_items().
 * @property_count  how many property columns.
 * @friends_column  a column of user keys separated by '|' that this user is
 *                  linked to (edge user -friend_of-> user, weight 1), or
 *                  NULL for none.
 * @rows_out        receives the number of rows imported; may be NULL.
 *
 * Returns the statuses of rs_io_import_interactions(); a self-link is
 * skipped.  On error the graph is unchanged.
 */
RS_API int rs_io_import_users(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                              const char *const *attributes, size_t count,
                              const char *const *properties, size_t property_count,
                              const char *friends_column, uint64_t *rows_out);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_IO_H */
