/*
 * test_io_reader.c - the CSV/TSV/JSON Lines reader: RFC 4180 quoting, CRLF,
 * BOM, empty lines, ragged rows, huge fields, invalid UTF-8, binary data,
 * unbalanced quotes, streaming across chunk boundaries, line numbers.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static rs_reader *open_text(const char *text, int format)
{
    rs_reader *r = NULL;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "t.csv", format, &r));
    ck_assert_ptr_nonnull(r);
    return r;
}

static void expect_row(rs_reader *r, uint64_t line, size_t n, const char *const *fields)
{
    size_t i, len;
    ck_assert_int_eq(rs_reader_next(r), 1);
    ck_assert_uint_eq(rs_reader_line(r), line);
    ck_assert_uint_eq(rs_reader_field_count(r), n);
    for (i = 0; i < n; i++) {
        const char *f = rs_reader_field(r, i, &len);
        ck_assert_ptr_nonnull(f);
        ck_assert_str_eq(f, fields[i]);
        ck_assert_uint_eq(len, strlen(fields[i]));
    }
}

START_TEST(csv_quoting_rfc4180)
{
    const char *text = "a,b,c\r\n"
                       "1,\"x,y\",\"he said \"\"hi\"\"\"\r\n"
                       "2,\"two\r\nlines\",\r\n"
                       "\"\",,\"\"\"\"\r\n"
                       "4,plain \"inner\" quote,z\r\n";
    rs_reader *r = open_text(text, RS_FORMAT_CSV);
    expect_row(r, 2, 3, (const char *[]){"1", "x,y", "he said \"hi\""});
    expect_row(r, 3, 3, (const char *[]){"2", "two\r\nlines", ""});
    expect_row(r, 5, 3, (const char *[]){"", "", "\""});
    expect_row(r, 6, 3, (const char *[]){"4", "plain \"inner\" quote", "z"});
    ck_assert_int_eq(rs_reader_next(r), 0);
    ck_assert_int_eq(rs_reader_next(r), 0);
    ck_assert_uint_eq(rs_reader_field_count(r), 0);
    ck_assert_ptr_null(rs_reader_field(r, 0, NULL));
    rs_reader_close(r);
}
END_TEST

START_TEST(bom_header_empty_lines_and_no_final_newline)
{
    const char *text = "\xEF\xBB\xBFUser_ID,ItemId,Rating\n\n\r\nu1,i1,5\n\nu2,i2,3";
    rs_reader *r = open_text(text, RS_FORMAT_CSV);
    size_t index = 99;
    ck_assert_uint_eq(rs_reader_column_count(r), 3);
    ck_assert_str_eq(rs_reader_column_name(r, 0), "User_ID");
    ck_assert_ptr_null(rs_reader_column_name(r, 3));
    ck_assert_ok(rs_reader_column(r, "itemid", &index));
    ck_assert_uint_eq(index, 1);
    ck_assert_status(rs_reader_column(r, "nope", &index), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("\"Rating\"");
    ck_assert_ok(rs_reader_role(r, RS_ROLE_USER, &index));
    ck_assert_uint_eq(index, 0);
    ck_assert_ok(rs_reader_role(r, RS_ROLE_ITEM, &index));
    ck_assert_uint_eq(index, 1);
    ck_assert_ok(rs_reader_role(r, RS_ROLE_WEIGHT, &index));
    ck_assert_uint_eq(index, 2);
    ck_assert_status(rs_reader_role(r, RS_ROLE_TIME, &index), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("no time column");
    ck_assert_ok(rs_reader_map(r, RS_ROLE_TIME, "rating"));
    ck_assert_ok(rs_reader_role(r, RS_ROLE_TIME, &index));
    ck_assert_uint_eq(index, 2);
    ck_assert_ok(rs_reader_map(r, RS_ROLE_TIME, NULL));
    ck_assert_status(rs_reader_role(r, RS_ROLE_TIME, &index), RS_ERR_NOTFOUND);
    ck_assert_status(rs_reader_map(r, 99, "x"), RS_ERR_INVALID);
    ck_assert_status(rs_reader_map(r, RS_ROLE_USER, ""), RS_ERR_INVALID);
    /* Options are frozen once the header was read. */
    ck_assert_status(rs_reader_set_int(r, RS_READER_HEADER, 0), RS_ERR_STATE);
    expect_row(r, 4, 3, (const char *[]){"u1", "i1", "5"});
    expect_row(r, 6, 3, (const char *[]){"u2", "i2", "3"});
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);
}
END_TEST

START_TEST(bom_then_quoted_field)
{
    rs_reader *r = open_text("\xEF\xBB\xBF\"a\nb\",c\n\"1\",2\n", RS_FORMAT_CSV);
    ck_assert_str_eq(rs_reader_column_name(r, 0), "a\nb");
    expect_row(r, 3, 2, (const char *[]){"1", "2"});
    rs_reader_close(r);
    /* a BOM alone, or a short file */
    r = open_text("\xEF\xBB\xBF", RS_FORMAT_CSV);
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);
    r = open_text("a\n1", RS_FORMAT_CSV);
    expect_row(r, 2, 1, (const char *[]){"1"});
    rs_reader_close(r);
}
END_TEST

START_TEST(ragged_rows)
{
    const char *text = "a,b\n1,2\n3\n4,5\n";
    rs_reader *r = open_text(text, RS_FORMAT_CSV);
    expect_row(r, 2, 2, (const char *[]){"1", "2"});
    ck_assert_status(rs_reader_next(r), RS_ERR_PARSE);
    ck_assert_errmsg_has("t.csv:3: 1 fields where the header has 2");
    ck_assert_status(rs_reader_next(r), RS_ERR_STATE);
    rs_reader_close(r);

    r = open_text(text, RS_FORMAT_CSV);
    ck_assert_ok(rs_reader_set_int(r, RS_READER_RAGGED, 1));
    expect_row(r, 2, 2, (const char *[]){"1", "2"});
    expect_row(r, 3, 1, (const char *[]){"3"});
    expect_row(r, 4, 2, (const char *[]){"4", "5"});
    rs_reader_close(r);
}
END_TEST

START_TEST(unbalanced_quote_and_junk_after_quote)
{
    rs_reader *r = open_text("a,b\n1,2\n3,\"open\n4,5\n6,7\n", RS_FORMAT_CSV);
    expect_row(r, 2, 2, (const char *[]){"1", "2"});
    ck_assert_status(rs_reader_next(r), RS_ERR_PARSE);
    ck_assert_errmsg_has("t.csv:3: unbalanced quote");
    rs_reader_close(r);

    r = open_text("a,b\n1,\"x\"y\n", RS_FORMAT_CSV);
    ck_assert_status(rs_reader_next(r), RS_ERR_PARSE);
    ck_assert_errmsg_has("t.csv:2: text after a closing quote");
    rs_reader_close(r);

    /* An unbalanced quote in a big file stops at the record limit. */
    {
        size_t n = 8192, i;
        char *text = malloc(n + 16);
        strcpy(text, "a\n\"");
        for (i = 3; i < n; i++)
            text[i] = (i % 10) ? 'x' : '\n';
        text[n] = '\0';
        ck_assert_ok(rs_reader_open_memory(text, n, "big.csv", RS_FORMAT_CSV, &r));
        ck_assert_ok(rs_reader_set_int(r, RS_READER_MAX_RECORD, 1024));
        ck_assert_status(rs_reader_next(r), RS_ERR_LIMIT);
        ck_assert_errmsg_has("big.csv:2: record longer than the limit");
        rs_reader_close(r);
        free(text);
    }
}
END_TEST

START_TEST(binary_and_invalid_utf8)
{
    static const char binary[] = "a,b\n1,2\n3,\0\0\n";
    rs_reader *r = NULL;
    ck_assert_ok(rs_reader_open_memory(binary, sizeof binary - 1, "bin.csv", RS_FORMAT_CSV, &r));
    expect_row(r, 2, 2, (const char *[]){"1", "2"});
    ck_assert_status(rs_reader_next(r), RS_ERR_PARSE);
    ck_assert_errmsg_has("bin.csv:3: binary data");
    rs_reader_close(r);

    r = open_text("a,b\n1,caf\xc3\xa9\n2,bad\xff\n", RS_FORMAT_CSV);
    expect_row(r, 2, 2, (const char *[]){"1", "caf\xc3\xa9"});
    ck_assert_status(rs_reader_next(r), RS_ERR_ENCODING);
    ck_assert_errmsg_has("t.csv:3: invalid UTF-8 at byte 6");
    rs_reader_close(r);

    /* Overlong, surrogate and truncated sequences are refused too. */
    {
        const char *bad[] = {"a\n\xc0\xaf\n", "a\n\xed\xa0\x80\n", "a\n\xe2\x82\n",
                             "a\n\xf5\x80\x80\x80\n"};
        size_t i;
        for (i = 0; i < 4; i++) {
            r = open_text(bad[i], RS_FORMAT_CSV);
            ck_assert_status(rs_reader_next(r), RS_ERR_ENCODING);
            rs_reader_close(r);
        }
    }

    {
        static const char gz[] = "\x1f\x8b\x08\x00\x00\x00";
        ck_assert_ok(rs_reader_open_memory(gz, sizeof gz - 1, "log.csv.gz", RS_FORMAT_AUTO, &r));
        ck_assert_status(rs_reader_next(r), RS_ERR_UNSUPPORTED);
        ck_assert_errmsg_has("log.csv.gz:1: gzip-compressed");
        rs_reader_close(r);
    }

    r = open_text("a,b\n2,bad\xff\n", RS_FORMAT_CSV);
    ck_assert_ok(rs_reader_set_int(r, RS_READER_CHECK_UTF8, 0));
    expect_row(r, 2, 2, (const char *[]){"2", "bad\xff"});
    rs_reader_close(r);
}
END_TEST

START_TEST(huge_field_and_chunk_boundaries)
{
    /* A 3 MB quoted field with embedded newlines, then many small rows whose
     * records straddle the 1 MiB read chunks. */
    size_t big = 3u << 20, rows = 100000, i, n = 0;
    size_t cap = big + rows * 24 + 64;
    char *text = malloc(cap);
    rs_reader *r = NULL;
    int64_t value;
    n += (size_t)sprintf(text + n, "id,text\n1,\"");
    for (i = 0; i < big; i++)
        text[n++] = (i % 1000 == 999) ? '\n' : 'a' + (char)(i % 26);
    n += (size_t)sprintf(text + n, "\"\n");
    for (i = 0; i < rows; i++)
        n += (size_t)sprintf(text + n, "%zu,r%zu\r\n", i + 2, i);
    ck_assert_ok(rs_reader_open_memory(text, n, "huge.csv", RS_FORMAT_AUTO, &r));
    ck_assert_int_eq(rs_reader_next(r), 1);
    ck_assert_uint_eq(rs_reader_line(r), 2);
    {
        size_t len;
        rs_reader_field(r, 1, &len);
        ck_assert_uint_eq(len, big);
    }
    for (i = 0; i < rows; i++) {
        ck_assert_int_eq(rs_reader_next(r), 1);
        ck_assert_ok(rs_reader_int64(r, 0, &value));
        ck_assert_int_eq(value, (int64_t)i + 2);
        /* The big field spans big / 1000 newlines. */
        ck_assert_uint_eq(rs_reader_line(r), 3 + big / 1000 + i);
    }
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);

    /* A row of more than 2^20 fields is refused (the field arrays stay bounded). */
    {
        size_t m = (1u << 20) + 2, k;
        char *commas = malloc(m + 8);
        memcpy(commas, "a\n", 2);
        for (k = 2; k < m + 2; k++)
            commas[k] = ',';
        ck_assert_ok(rs_reader_open_memory(commas, m + 2, "wide.csv", RS_FORMAT_CSV, &r));
        ck_assert_ok(rs_reader_set_int(r, RS_READER_RAGGED, 1));
        ck_assert_status(rs_reader_next(r), RS_ERR_LIMIT);
        ck_assert_errmsg_has("wide.csv:2: more than 1048576 fields");
        rs_reader_close(r);
        free(commas);
    }

    /* The same big field is refused under a 1 MiB record limit. */
    ck_assert_ok(rs_reader_open_memory(text, n, "huge.csv", RS_FORMAT_AUTO, &r));
    ck_assert_ok(rs_reader_set_int(r, RS_READER_MAX_RECORD, 1 << 20));
    ck_assert_status(rs_reader_next(r), RS_ERR_LIMIT);
    rs_reader_close(r);
    free(text);
}
END_TEST

START_TEST(tsv_quotes_are_literal)
{
    rs_reader *r = open_text("x\ty\n\"q\t\"z\"\n", RS_FORMAT_TSV);
    ck_assert_ok(rs_reader_set_int(r, RS_READER_RAGGED, 0));
    expect_row(r, 2, 2, (const char *[]){"\"q", "\"z\""});
    rs_reader_close(r);

    r = open_text("1;2;3\n4;5;6\n", RS_FORMAT_CSV);
    ck_assert_ok(rs_reader_set_int(r, RS_READER_SEPARATOR, ';'));
    ck_assert_ok(rs_reader_set_int(r, RS_READER_HEADER, 0));
    ck_assert_status(rs_reader_set_int(r, RS_READER_SEPARATOR, '"'), RS_ERR_RANGE);
    ck_assert_status(rs_reader_set_int(r, RS_READER_SEPARATOR, '\n'), RS_ERR_RANGE);
    ck_assert_status(rs_reader_set_int(r, RS_READER_QUOTE, ';'), RS_ERR_RANGE);
    ck_assert_status(rs_reader_set_int(r, RS_READER_HEADER, 2), RS_ERR_RANGE);
    ck_assert_status(rs_reader_set_int(r, RS_READER_MAX_RECORD, 10), RS_ERR_RANGE);
    ck_assert_status(rs_reader_set_int(r, 77, 1), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_reader_column_count(r), 3);
    ck_assert_str_eq(rs_reader_column_name(r, 2), "3");
    expect_row(r, 1, 3, (const char *[]){"1", "2", "3"});
    expect_row(r, 2, 3, (const char *[]){"4", "5", "6"});
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);
}
END_TEST

START_TEST(jsonl_rows)
{
    const char *text = "{\"user\":\"u1\",\"item\":7,\"w\":1.5,\"ok\":true,\"tags\":[1,2]}\n"
                       "\n"
                       "{\"item\":\"i2\",\"user\":\"u2\",\"w\":null}\n"
                       "{\"user\":\"u3\"}\r\n";
    rs_reader *r = NULL;
    double w;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "t.jsonl", RS_FORMAT_AUTO, &r));
    ck_assert_uint_eq(rs_reader_column_count(r), 5);
    ck_assert_str_eq(rs_reader_column_name(r, 4), "tags");
    expect_row(r, 1, 5, (const char *[]){"u1", "7", "1.5", "true", "[1,2]"});
    ck_assert_ok(rs_reader_double(r, 2, &w));
    ck_assert(w == 1.5);
    expect_row(r, 3, 5, (const char *[]){"u2", "i2", "", "", ""});
    expect_row(r, 4, 5, (const char *[]){"u3", "", "", "", ""});
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);

    r = NULL;
    ck_assert_ok(rs_reader_open_memory("{\"a\":1}\n{\"a\":\n", 15, "bad.jsonl",
                                       RS_FORMAT_JSONL, &r));
    ck_assert_int_eq(rs_reader_next(r), 1);
    ck_assert_status(rs_reader_next(r), RS_ERR_PARSE);
    ck_assert_errmsg_has("bad.jsonl:2: column");
    rs_reader_close(r);

    ck_assert_ok(rs_reader_open_memory("[1,2]\n", 6, "arr.jsonl", RS_FORMAT_JSONL, &r));
    ck_assert_status(rs_reader_next(r), RS_ERR_PARSE);
    ck_assert_errmsg_has("arr.jsonl:1: not a JSON object");
    rs_reader_close(r);

    ck_assert_ok(rs_reader_open_memory("{\"a\":\"\xff\"}\n", 9, "u.jsonl", RS_FORMAT_JSONL, &r));
    ck_assert_status(rs_reader_next(r), RS_ERR_ENCODING);
    rs_reader_close(r);
}
END_TEST

START_TEST(jsonl_keys_missing_from_the_first_object)
{
    /* a later key the first object lacks must not be dropped unseen */
    const char *text = "{\"user\":\"u1\",\"item\":\"i1\"}\n"
                       "{\"user\":\"u2\",\"item\":\"i1\",\"weight\":5}\n";
    rs_reader *r = NULL;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "w.jsonl", RS_FORMAT_JSONL, &r));
    expect_row(r, 1, 2, (const char *[]){"u1", "i1"});
    ck_assert_status(rs_reader_next(r), RS_ERR_PARSE);
    ck_assert_errmsg_has("w.jsonl:2: key \"weight\" is not in the first object");
    ck_assert_status(rs_reader_next(r), RS_ERR_STATE);
    rs_reader_close(r);
    /* keys in another order, and fewer: the fields follow the columns */
    text = "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}\n{\"c\":\"z\",\"a\":\"x\"}\n{\"b\":\"y\"}\n";
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "o.jsonl", RS_FORMAT_JSONL, &r));
    expect_row(r, 1, 3, (const char *[]){"1", "2", "3"});
    expect_row(r, 2, 3, (const char *[]){"x", "", "z"});
    expect_row(r, 3, 3, (const char *[]){"", "y", ""});
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);
}
END_TEST

START_TEST(jsonl_rows_cost_their_own_keys)
{
    /* a first object of 200,000 keys, then 20,000 rows of two: each row
     * must cost its own keys, not the first object's (that was 4e9 steps) */
    enum { KEYS = 200000, ROWS = 20000 };
    size_t cap = (size_t)KEYS * 16 + (size_t)ROWS * 40 + 16, at = 0;
    char *text = malloc(cap);
    rs_reader *r = NULL;
    size_t len;
    ck_assert_ptr_nonnull(text);
    text[at++] = '{';
    for (int k = 0; k < KEYS; k++)
        at += (size_t)snprintf(text + at, cap - at, "%s\"k%d\":%d", k ? "," : "", k, k);
    at += (size_t)snprintf(text + at, cap - at, "}\n");
    for (int i = 0; i < ROWS; i++)
        at += (size_t)snprintf(text + at, cap - at, "{\"k%d\":\"v%d\",\"k7\":%d}\n",
                               (i * 7919) % KEYS, i, i);
    ck_assert_ok(rs_reader_open_memory(text, at, "big.jsonl", RS_FORMAT_JSONL, &r));
    ck_assert_int_eq(rs_reader_next(r), 1);
    ck_assert_str_eq(rs_reader_field(r, 123, &len), "123");
    for (int i = 0; i < ROWS; i++) {
        ck_assert_int_eq(rs_reader_next(r), 1);
        ck_assert_uint_eq(rs_reader_field_count(r), KEYS);
        if (i % 1000 == 1)
            ck_assert_str_eq(rs_reader_field(r, 123, &len), "");
    }
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);
    free(text);
}
END_TEST

START_TEST(typed_fields_name_file_and_line)
{
    rs_reader *r = open_text("q,t\n1.5,2010-12-01 08:26:00\nNaN,x\n", RS_FORMAT_CSV);
    double q;
    int64_t t;
    ck_assert_int_eq(rs_reader_next(r), 1);
    ck_assert_ok(rs_reader_double(r, 0, &q));
    ck_assert(q == 1.5);
    ck_assert_ok(rs_reader_time(r, 1, &t));
    ck_assert_int_eq(t, 1291191960);
    ck_assert_status(rs_reader_int64(r, 0, &t), RS_ERR_PARSE);
    ck_assert_errmsg_has("t.csv:2: column \"q\": \"1.5\" is not an integer");
    ck_assert_status(rs_reader_double(r, 5, &q), RS_ERR_NOTFOUND);
    ck_assert_status(rs_reader_double(r, 0, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs_reader_next(r), 1);
    ck_assert_status(rs_reader_double(r, 0, &q), RS_ERR_RANGE);
    ck_assert_errmsg_has("t.csv:3: column \"q\"");
    ck_assert_status(rs_reader_time(r, 1, &t), RS_ERR_PARSE);
    ck_assert_errmsg_has("is not a timestamp");
    rs_reader_close(r);
}
END_TEST

START_TEST(files_and_bad_arguments)
{
    char path[] = "/tmp/rs_io_reader_XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    rs_reader *r = (rs_reader *)1;
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    fputs("user,item\r\nu,i\r\n", f);
    fclose(f);
    ck_assert_ok(rs_reader_open(path, RS_FORMAT_CSV, &r));
    ck_assert_str_eq(rs_reader_name(r), path);
    expect_row(r, 2, 2, (const char *[]){"u", "i"});
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);
    unlink(path);

    ck_assert_status(rs_reader_open(path, RS_FORMAT_CSV, &r), RS_ERR_IO);
    ck_assert_ptr_null(r);
    ck_assert_errmsg_has(path);
    ck_assert_status(rs_reader_open(NULL, RS_FORMAT_CSV, &r), RS_ERR_INVALID);
    ck_assert_status(rs_reader_open("x", RS_FORMAT_CSV, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_reader_open("x", 42, &r), RS_ERR_INVALID);
    ck_assert_status(rs_reader_open_memory(NULL, 3, NULL, RS_FORMAT_CSV, &r), RS_ERR_INVALID);
    ck_assert_status(rs_reader_next(NULL), RS_ERR_INVALID);
    ck_assert_status(rs_reader_set_int(NULL, RS_READER_HEADER, 1), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_reader_field_count(NULL), 0);
    ck_assert_uint_eq(rs_reader_line(NULL), 0);
    ck_assert_str_eq(rs_reader_name(NULL), "");
    ck_assert_uint_eq(rs_reader_column_count(NULL), 0);
    rs_reader_close(NULL);

    /* Empty input: no columns, no rows. */
    ck_assert_ok(rs_reader_open_memory(NULL, 0, NULL, RS_FORMAT_CSV, &r));
    ck_assert_str_eq(rs_reader_name(r), "<memory>");
    ck_assert_uint_eq(rs_reader_column_count(r), 0);
    ck_assert_int_eq(rs_reader_next(r), 0);
    rs_reader_close(r);
}
END_TEST

START_TEST(random_inputs_never_crash)
{
    /* Random fragments of the characters that matter: every call ends in a
     * row, the end, or a clean error, and fields never hold a NUL. */
    static const char alphabet[] = {'a', 'b', ',', '"', '\n', '\r', '\t', ';', '\0', '\xff',
                                    '\xc3', '\xa9', '{', '}', ':', ' '};
    unsigned long long state = 12345;
    char text[64];
    int round;
    for (round = 0; round < 10000; round++) {
        size_t n, i, k;
        rs_reader *r = NULL;
        int status, rows = 0;
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        n = (size_t)(state >> 58);
        for (i = 0; i < n; i++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            text[i] = alphabet[(state >> 59) % sizeof alphabet];
        }
        ck_assert_ok(rs_reader_open_memory(text, n, "fuzz", 1 + round % 3, &r));
        if (round % 2)
            ck_assert_ok(rs_reader_set_int(r, RS_READER_RAGGED, 1));
        while ((status = rs_reader_next(r)) == 1 && rows < 100) {
            rows++;
            for (k = 0; k < rs_reader_field_count(r); k++) {
                size_t len;
                const char *f = rs_reader_field(r, k, &len);
                ck_assert_uint_eq(strlen(f), len);
            }
        }
        if (status < 0) {
            ck_assert_int_ne(rs_errmsg()[0], '\0');
            ck_assert_status(rs_reader_next(r), RS_ERR_STATE);
        }
        rs_reader_close(r);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("io_reader");
    TCase *tc = tcase_create("reader");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, csv_quoting_rfc4180);
    tcase_add_test(tc, bom_header_empty_lines_and_no_final_newline);
    tcase_add_test(tc, bom_then_quoted_field);
    tcase_add_test(tc, ragged_rows);
    tcase_add_test(tc, unbalanced_quote_and_junk_after_quote);
    tcase_add_test(tc, binary_and_invalid_utf8);
    tcase_add_test(tc, huge_field_and_chunk_boundaries);
    tcase_add_test(tc, tsv_quotes_are_literal);
    tcase_add_test(tc, jsonl_rows);
    tcase_add_test(tc, jsonl_keys_missing_from_the_first_object);
    tcase_add_test(tc, jsonl_rows_cost_their_own_keys);
    tcase_add_test(tc, typed_fields_name_file_and_line);
    tcase_add_test(tc, files_and_bad_arguments);
    tcase_add_test(tc, random_inputs_never_crash);
    suite_add_tcase(s, tc);
    return s;
}
