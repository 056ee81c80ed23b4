/*
 * test_io_clean.c - cleaning rules, their order and counts, the reject
 * file, duplicate removal, normalisation and the most frequent text.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A small raw log in the Online Retail layout, with every kind of dirt. */
static const char retail[] =
    "InvoiceNo\tStockCode\tDescription\tQuantity\tInvoiceDate\tUnitPrice\tCustomerID\tCountry\n"
    "536365\t85123A\tWHITE HANGING HEART\t6\t2010-12-01 08:26:00\t2.55\t17850\tUK\n" /* 2 kept */
    "536366\t22633\tHAND WARMER\t6\t2010-12-01 08:28:00\t1.85\tNA\tUK\n"             /* 3 a */
    "536367\t22633\tHAND WARMER\t6\t2010-12-01 08:28:00\t1.85\t\tUK\n"               /* 4 a */
    "C536379\tD\tDiscount\t-1\t2010-12-01 09:41:00\t27.5\t14527\tUK\n"               /* 5 b */
    "536380\t22633\tHAND WARMER\t0\t2010-12-01 09:41:00\t1.85\t14527\tUK\n"          /* 6 c */
    "536381\t22633\tHAND WARMER\tNaN\t2010-12-01 09:41:00\t1.85\t14527\tUK\n"        /* 7 c */
    "536382\t22633\tHAND WARMER\t2\t2010-12-01 09:41:00\t0\t14527\tUK\n"             /* 8 d */
    "536383\tPOST\tPOSTAGE\t1\t2010-12-01 09:41:00\t18\t14527\tFrance\n"             /* 9 e */
    "536365\t85123A\tWHITE HANGING HEART\t6\t2010-12-01 08:26:00\t2.55\t17850\tUK\n" /* 10 f */
    "536384\t85123a\twhite hanging heart\t1\t2010-12-02 10:00:00\tInf\t17850\tUK\n" /* 11 d */
    "536385\t22633\tHAND WARMER\t3\t2010-12-02 10:00:00\t1.85\t17850\tUK\n";        /* 12 kept */

static int build_retail_cleaner(rs_cleaner **out)
{
    rs_cleaner *c = NULL;
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_add_required(c, "a missing customer", "CustomerID"));
    ck_assert_ok(rs_cleaner_add_match(c, "b cancellation", "InvoiceNo", RS_MATCH_PREFIX, "C",
                                      RS_DROP_MATCH));
    ck_assert_ok(rs_cleaner_add_range(c, "c quantity", "Quantity", 0, INFINITY,
                                      RS_RANGE_MIN_EXCLUSIVE));
    ck_assert_ok(rs_cleaner_add_range(c, "d price", "UnitPrice", 0, INFINITY,
                                      RS_RANGE_MIN_EXCLUSIVE));
    ck_assert_ok(rs_cleaner_add_match(c, "e non-product", "StockCode", RS_MATCH_FIRST_OF,
                                      "0123456789", RS_DROP_NO_MATCH));
    ck_assert_ok(rs_cleaner_add_dedup(c, "f duplicate", NULL, 0));
    *out = c;
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)n + 1);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

START_TEST(retail_rules_in_order_with_reject_file)
{
    rs_reader *r = NULL;
    rs_cleaner *c = NULL;
    char path[] = "/tmp/rs_io_reject_XXXXXX";
    int fd = mkstemp(path), keep, status;
    uint64_t kept_lines[4], n_kept = 0;
    char *rejects;
    const uint64_t expected[6] = {2, 1, 2, 2, 1, 1};
    size_t i;
    ck_assert_int_ge(fd, 0);
    close(fd);
    build_retail_cleaner(&c);
    ck_assert_ok(rs_cleaner_set_reject_file(c, path));
    ck_assert_ok(rs_reader_open_memory(retail, sizeof retail - 1, "retail.tsv", RS_FORMAT_AUTO,
                                       &r));
    while ((status = rs_reader_next(r)) == 1) {
        ck_assert_ok(rs_cleaner_check(c, r, &keep));
        if (keep)
            kept_lines[n_kept++] = rs_reader_line(r);
    }
    ck_assert_int_eq(status, 0);
    ck_assert_uint_eq(n_kept, 2);
    ck_assert_uint_eq(kept_lines[0], 2);
    ck_assert_uint_eq(kept_lines[1], 12);
    ck_assert_uint_eq(rs_cleaner_rule_count(c), 6);
    for (i = 0; i < 6; i++)
        ck_assert_msg(rs_cleaner_dropped(c, i) == expected[i], "rule %s dropped %llu",
                      rs_cleaner_rule_name(c, i), (unsigned long long)rs_cleaner_dropped(c, i));
    ck_assert_uint_eq(rs_cleaner_kept(c), 2);
    ck_assert_str_eq(rs_cleaner_rule_name(c, 5), "f duplicate");
    ck_assert_ptr_null(rs_cleaner_rule_name(c, 6));
    ck_assert_uint_eq(rs_cleaner_dropped(c, 6), 0);
    ck_assert_ok(rs_cleaner_set_reject_file(c, NULL)); /* flushes and closes */
    rejects = slurp(path);
    ck_assert_msg(strstr(rejects, "retail.tsv:3: a missing customer: CustomerID is missing "
                                  "(\"NA\")\n") != NULL, "%s", rejects);
    ck_assert(strstr(rejects, "retail.tsv:5: b cancellation: InvoiceNo \"C536379\" starts "
                              "with \"C\"\n") != NULL);
    ck_assert(strstr(rejects, "retail.tsv:7: c quantity: Quantity \"NaN\" is not a finite "
                              "number\n") != NULL);
    ck_assert(strstr(rejects, "retail.tsv:8: d price: UnitPrice \"0\" is outside (0, inf]\n") !=
              NULL);
    ck_assert(strstr(rejects, "retail.tsv:9: e non-product: StockCode \"POST\" does not start "
                              "with one of \"0123456789\"\n") != NULL);
    ck_assert(strstr(rejects, "retail.tsv:10: f duplicate: duplicate of line 2\n") != NULL);
    ck_assert(strstr(rejects, "retail.tsv:11: d price") != NULL);
    /* Nothing disappears silently: one reject line per dropped row. */
    {
        size_t lines = 0;
        const char *p;
        for (p = rejects; *p; p++)
            lines += *p == '\n';
        ck_assert_uint_eq(lines, 9);
    }
    free(rejects);
    unlink(path);
    rs_reader_close(r);
    rs_cleaner_free(c);
}
END_TEST

static int drop_uk(const char *const *fields, const size_t *lens, size_t count, void *context)
{
    (*(int *)context)++;
    (void)lens;
    return count > 7 && strcmp(fields[7], "UK") == 0;
}

static int broken_predicate(const char *const *fields, const size_t *lens, size_t count,
                            void *context)
{
    (void)fields, (void)lens, (void)count, (void)context;
    return -1;
}

START_TEST(other_rules)
{
    static const char *const countries[] = {"UK", "France"};
    static const char *const none[] = {"?"};
    static const char *const key[] = {"CustomerID", "StockCode"};
    rs_reader *r = NULL;
    rs_cleaner *c = NULL;
    int keep, calls = 0;
    uint64_t kept = 0;

    /* allowed values, types, a host predicate, a key-column dedup */
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_set_missing(c, none, 1));
    ck_assert_ok(rs_cleaner_add_allowed(c, "country", "Country", countries, 2));
    ck_assert_ok(rs_cleaner_add_type(c, "quantity number", "Quantity", RS_TYPE_NUMBER));
    ck_assert_ok(rs_cleaner_add_type(c, "customer integer", "CustomerID", RS_TYPE_INTEGER));
    ck_assert_ok(rs_cleaner_add_type(c, "date", "InvoiceDate", RS_TYPE_TIME));
    ck_assert_ok(rs_cleaner_add_dedup(c, "pair", key, 2));
    ck_assert_ok(rs_cleaner_add_callback(c, "not UK", drop_uk, &calls));
    ck_assert_ok(rs_reader_open_memory(retail, sizeof retail - 1, "retail.tsv", RS_FORMAT_TSV,
                                       &r));
    while (rs_reader_next(r) == 1) {
        ck_assert_ok(rs_cleaner_check(c, r, &keep));
        kept += (uint64_t)keep;
    }
    ck_assert_uint_eq(rs_cleaner_dropped(c, 0), 0);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 1), 1);  /* NaN */
    ck_assert_uint_eq(rs_cleaner_dropped(c, 2), 2);  /* NA, "" */
    ck_assert_uint_eq(rs_cleaner_dropped(c, 3), 0);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 4), 2);  /* 14527/22633, 17850/85123A again */
    ck_assert_uint_eq(rs_cleaner_dropped(c, 5), 5);  /* UK */
    ck_assert_uint_eq(kept, 1);                      /* France */
    ck_assert_int_eq(calls, 6);
    rs_reader_close(r);
    rs_cleaner_free(c);

    /* A failing predicate stops with RS_ERR_CALLBACK; an unknown column with NOTFOUND. */
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_add_callback(c, "broken", broken_predicate, NULL));
    ck_assert_ok(rs_reader_open_memory(retail, sizeof retail - 1, "retail.tsv", RS_FORMAT_TSV,
                                       &r));
    ck_assert_status(rs_cleaner_check(c, r, &keep), RS_ERR_STATE);
    ck_assert_int_eq(rs_reader_next(r), 1);
    ck_assert_status(rs_cleaner_check(c, r, &keep), RS_ERR_CALLBACK);
    ck_assert_errmsg_has("retail.tsv:2: cleaning rule \"broken\"");
    rs_cleaner_free(c);
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_add_required(c, "who", "Customer Number"));
    ck_assert_status(rs_cleaner_check(c, r, &keep), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("cleaning rule \"who\": retail.tsv: no column \"Customer Number\"");
    rs_reader_close(r);
    rs_cleaner_free(c);
}
END_TEST

START_TEST(match_kinds_and_missing_tokens)
{
    const char *text = "k\nabc\nxbcx\n\n  NA \nnull\n";
    rs_reader *r = NULL;
    rs_cleaner *c = NULL;
    int keep, kept[5], i = 0;
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_add_required(c, "req", "k"));
    ck_assert_ok(rs_cleaner_add_match(c, "exact", "k", RS_MATCH_EXACT, "abc", RS_DROP_MATCH));
    ck_assert_ok(rs_cleaner_add_match(c, "contains", "k", RS_MATCH_CONTAINS, "bc",
                                      RS_DROP_NO_MATCH));
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "k.csv", RS_FORMAT_CSV, &r));
    while (rs_reader_next(r) == 1) {
        ck_assert_ok(rs_cleaner_check(c, r, &keep));
        kept[i++] = keep;
    }
    ck_assert_int_eq(i, 4);
    ck_assert_int_eq(kept[0], 0); /* abc: exact */
    ck_assert_int_eq(kept[1], 1); /* xbcx */
    ck_assert_int_eq(kept[2], 0); /* NA (trimmed) */
    ck_assert_int_eq(kept[3], 0); /* null */
    ck_assert_uint_eq(rs_cleaner_dropped(c, 0), 2);
    rs_reader_close(r);
    rs_cleaner_free(c);
}
END_TEST

START_TEST(bad_arguments)
{
    rs_cleaner *c = NULL;
    const char *vals[] = {"a", NULL};
    int keep;
    ck_assert_status(rs_cleaner_create(NULL), RS_ERR_INVALID);
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_status(rs_cleaner_add_required(NULL, "n", "c"), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_required(c, "", "c"), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_required(c, "n", NULL), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_type(c, "n", "c", 9), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_range(c, "n", "c", 2, 1, 0), RS_ERR_RANGE);
    ck_assert_status(rs_cleaner_add_range(c, "n", "c", NAN, 1, 0), RS_ERR_RANGE);
    ck_assert_status(rs_cleaner_add_range(c, "n", "c", 0, 1, 8), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_allowed(c, "n", "c", vals, 0), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_allowed(c, "n", "c", vals, 2), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_match(c, "n", "c", 7, "x", RS_DROP_MATCH), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_match(c, "n", "c", RS_MATCH_EXACT, "", RS_DROP_MATCH),
                     RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_match(c, "n", "c", RS_MATCH_EXACT, "x", 5), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_callback(c, "n", NULL, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_dedup(c, "n", NULL, 2), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_add_dedup(c, "n", vals + 1, 1), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_set_missing(c, vals, 2), RS_ERR_INVALID);
    ck_assert_status(rs_cleaner_set_reject_file(c, "/nonexistent/dir/rejects.txt"), RS_ERR_IO);
    ck_assert_errmsg_has("/nonexistent/dir/rejects.txt");
    ck_assert_status(rs_cleaner_check(c, NULL, &keep), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_cleaner_rule_count(c), 0); /* failed adds left nothing */
    ck_assert_uint_eq(rs_cleaner_rule_count(NULL), 0);
    ck_assert_uint_eq(rs_cleaner_kept(NULL), 0);
    rs_cleaner_free(c);
    rs_cleaner_free(NULL);
}
END_TEST

START_TEST(normalisation)
{
    double v[4] = {1, 2, 3, 5};
    double z[4] = {2, 4, 4, 6};
    double same[3] = {7, 7, 7};
    double bad[3] = {1, NAN, 2};
    ck_assert_ok(rs_io_normalize(v, 4, RS_NORM_SCALE, 5));
    ck_assert(v[3] == 1.0 && v[0] == 0.2);
    ck_assert_ok(rs_io_normalize(v, 4, RS_NORM_MINMAX, 0));
    ck_assert(v[0] == 0.0 && v[3] == 1.0 && fabs(v[1] - 0.25) < 1e-15);
    ck_assert_ok(rs_io_normalize(z, 4, RS_NORM_ZSCORE, 0));
    /* mean 4, population sd sqrt(2) */
    ck_assert(fabs(z[0] + sqrt(2.0)) < 1e-12 && z[1] == 0.0 && fabs(z[3] - sqrt(2.0)) < 1e-12);
    ck_assert_ok(rs_io_normalize(same, 3, RS_NORM_ZSCORE, 0));
    ck_assert(same[0] == 0.0);
    same[0] = same[1] = same[2] = 7;
    ck_assert_ok(rs_io_normalize(same, 3, RS_NORM_MINMAX, 0));
    ck_assert(same[0] == 0.0);
    ck_assert_status(rs_io_normalize(bad, 3, RS_NORM_MINMAX, 0), RS_ERR_RANGE);
    ck_assert_errmsg_has("values[1]");
    ck_assert(bad[0] == 1.0 && bad[2] == 2.0);
    bad[1] = INFINITY;
    ck_assert_status(rs_io_normalize(bad, 3, RS_NORM_ZSCORE, 0), RS_ERR_RANGE);
    ck_assert_status(rs_io_normalize(v, 4, RS_NORM_SCALE, 0), RS_ERR_RANGE);
    ck_assert_status(rs_io_normalize(v, 4, RS_NORM_SCALE, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_io_normalize(v, 4, 9, 1), RS_ERR_INVALID);
    ck_assert_status(rs_io_normalize(NULL, 4, RS_NORM_SCALE, 1), RS_ERR_INVALID);
    ck_assert_ok(rs_io_normalize(NULL, 0, RS_NORM_ZSCORE, 0));
}
END_TEST

static void add(rs_mostfreq *m, const char *key, const char *text)
{
    ck_assert_ok(rs_mostfreq_add(m, key, strlen(key), text, strlen(text)));
}

static const char *best(const rs_mostfreq *m, const char *key, uint64_t *count)
{
    const char *text = NULL;
    ck_assert_ok(rs_mostfreq_get(m, key, strlen(key), &text, count));
    return text;
}

START_TEST(most_frequent_text)
{
    rs_mostfreq *m = NULL;
    uint64_t count = 0;
    const char *text;
    ck_assert_ok(rs_mostfreq_create(&m));
    add(m, "85123A", "WHITE HANGING HEART");
    ck_assert_str_eq(best(m, "85123A", &count), "WHITE HANGING HEART");
    ck_assert_uint_eq(count, 1);
    add(m, "85123A", "CREAM HANGING HEART");
    /* a tie goes to the smaller text */
    ck_assert_str_eq(best(m, "85123A", &count), "CREAM HANGING HEART");
    add(m, "85123A", "WHITE HANGING HEART");
    ck_assert_str_eq(best(m, "85123A", &count), "WHITE HANGING HEART");
    ck_assert_uint_eq(count, 2);
    add(m, "22633", "");
    add(m, "22633", "HAND WARMER");
    ck_assert_str_eq(best(m, "22633", NULL), "");
    /* keys and texts are byte strings: "ab"+"c" differs from "a"+"bc" */
    add(m, "ab", "c");
    add(m, "a", "bc");
    ck_assert_str_eq(best(m, "ab", NULL), "c");
    ck_assert_str_eq(best(m, "a", NULL), "bc");
    ck_assert_status(rs_mostfreq_get(m, "zz", 2, &text, NULL), RS_ERR_NOTFOUND);
    ck_assert_status(rs_mostfreq_get(m, "a", 1, NULL, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_mostfreq_add(m, NULL, 2, "x", 1), RS_ERR_INVALID);
    ck_assert_status(rs_mostfreq_add(NULL, "k", 1, "x", 1), RS_ERR_INVALID);
    ck_assert_status(rs_mostfreq_create(NULL), RS_ERR_INVALID);
    rs_mostfreq_free(m);
    rs_mostfreq_free(NULL);
}
END_TEST

START_TEST(many_keys_grow)
{
    rs_mostfreq *m = NULL;
    char key[32], text[32];
    int i;
    ck_assert_ok(rs_mostfreq_create(&m));
    for (i = 0; i < 30000; i++) {
        snprintf(key, sizeof key, "k%d", i % 5000);
        snprintf(text, sizeof text, "t%d", (i / 5000) % 3 == 2 ? 9 : i % 7);
        ck_assert_ok(rs_mostfreq_add(m, key, strlen(key), text, strlen(text)));
    }
    /* key k0 saw texts for i = 0, 5000, ..., 25000: i%7 = 0,2,4 then t9 twice */
    ck_assert_str_eq(best(m, "k0", NULL), "t9");
    rs_mostfreq_free(m);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("io_clean");
    TCase *tc = tcase_create("clean");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, retail_rules_in_order_with_reject_file);
    tcase_add_test(tc, other_rules);
    tcase_add_test(tc, match_kinds_and_missing_tokens);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, normalisation);
    tcase_add_test(tc, most_frequent_text);
    tcase_add_test(tc, many_keys_grow);
    suite_add_tcase(s, tc);
    return s;
}
