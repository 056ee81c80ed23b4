/*
 * test_model_progress.c - rs_model_set_progress during an import: the
 * "import" stage every 4096 rows read, from memory and from a file, with a
 * total estimated from the bytes read; no report without a listener, and
 * none for a short input.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ROWS 10000

struct reports {
    size_t calls;
    uint64_t last_done, last_total;
    int bad; /* a report out of order, of another stage, or an estimate below done */
};

static void on_progress(void *data, const char *stage, uint64_t done, uint64_t total)
{
    struct reports *r = data;
    if (strcmp(stage, "import") != 0 || done <= r->last_done || done % 4096 != 0 ||
        (total && total < done))
        r->bad++;
    r->calls++;
    r->last_done = done;
    r->last_total = total;
}

/* ROWS interaction rows "u<i % 97>\ti<i % 89>" under a header. */
static char *interactions_text(size_t rows)
{
    size_t cap = 32 + rows * 24, len;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len = (size_t)snprintf(text, cap, "user\titem\n");
    for (size_t i = 0; i < rows; i++)
        len += (size_t)snprintf(text + len, cap - len, "u%zu\ti%zu\n", i % 97, i % 89);
    return text;
}

static void import(rs_model *m, rs_reader *r, uint64_t want_rows)
{
    uint64_t rows = 0;
    ck_assert_ok(rs_reader_map(r, RS_ROLE_USER, "user"));
    ck_assert_ok(rs_reader_map(r, RS_ROLE_ITEM, "item"));
    ck_assert_ok(rs_model_import_interactions(m, r, NULL, "bought", RS_IMPORT_UNWEIGHTED, &rows));
    ck_assert_uint_eq(rows, want_rows);
}

START_TEST(import_from_memory_reports_rows)
{
    char *text = interactions_text(ROWS);
    rs_model *m = NULL;
    rs_reader *r = NULL;
    struct reports rep = {0, 0, 0, 0};
    ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &m));
    ck_assert_ok(rs_model_set_progress(m, on_progress, &rep));
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "mem.tsv", RS_FORMAT_TSV, &r));
    import(m, r, ROWS);
    rs_reader_close(r);
    ck_assert_int_eq(rep.bad, 0);
    ck_assert_uint_eq(rep.calls, ROWS / 4096); /* at 4096 and 8192 */
    ck_assert_uint_eq(rep.last_done, 8192);
    /* the rows are alike, so the estimate from the bytes is close */
    ck_assert_uint_ge(rep.last_total, ROWS * 9 / 10);
    ck_assert_uint_le(rep.last_total, ROWS * 11 / 10);

    /* no listener: no report (and the import works as before) */
    ck_assert_ok(rs_model_set_progress(m, NULL, NULL));
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "mem.tsv", RS_FORMAT_TSV, &r));
    import(m, r, ROWS);
    rs_reader_close(r);
    ck_assert_uint_eq(rep.calls, ROWS / 4096);
    rs_model_close(m);
    free(text);
}
END_TEST

START_TEST(import_from_file_reports_rows)
{
    char *text = interactions_text(ROWS), path[256];
    rs_model *m = NULL;
    rs_reader *r = NULL;
    struct reports rep = {0, 0, 0, 0};
    FILE *f;
    snprintf(path, sizeof path, "%s/rs_progress_%d.tsv",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &m));
    ck_assert_ok(rs_model_set_progress(m, on_progress, &rep));
    ck_assert_ok(rs_reader_open(path, RS_FORMAT_TSV, &r));
    import(m, r, ROWS);
    rs_reader_close(r);
    ck_assert_int_eq(rep.bad, 0);
    ck_assert_uint_eq(rep.last_done, 8192);
    ck_assert_uint_ge(rep.last_total, ROWS * 9 / 10); /* the file's size is known */
    ck_assert_uint_le(rep.last_total, ROWS * 11 / 10);
    rs_model_close(m);
    remove(path);
    free(text);
}
END_TEST

START_TEST(short_import_no_report)
{
    const char *text = "user\titem\nu1\ti1\nu2\ti2\n";
    rs_model *m = NULL;
    rs_reader *r = NULL;
    struct reports rep = {0, 0, 0, 0};
    ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &m));
    ck_assert_ok(rs_model_set_progress(m, on_progress, &rep));
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "short.tsv", RS_FORMAT_TSV, &r));
    import(m, r, 2);
    rs_reader_close(r);
    ck_assert_uint_eq(rep.calls, 0);
    rs_model_close(m);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_progress");
    TCase *tc = tcase_create("import");
    tcase_add_test(tc, import_from_memory_reports_rows);
    tcase_add_test(tc, import_from_file_reports_rows);
    tcase_add_test(tc, short_import_no_report);
    suite_add_tcase(s, tc);
    return s;
}
