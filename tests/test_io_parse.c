/*
 * test_io_parse.c - locale-independent numbers and timestamps.
 */
#include "testutil.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double parse_ok(const char *text)
{
    double value = -12345;
    ck_assert_ok(rs_io_parse_double(text, strlen(text), &value));
    return value;
}

START_TEST(decimal_numbers)
{
    ck_assert(parse_ok("0") == 0.0);
    ck_assert(signbit(parse_ok("-0")));
    ck_assert(parse_ok("1.5") == 1.5);
    ck_assert(parse_ok("  -2.25\t") == -2.25);
    ck_assert(parse_ok("+3") == 3.0);
    ck_assert(parse_ok(".5") == 0.5);
    ck_assert(parse_ok("5.") == 5.0);
    ck_assert(parse_ok("1e3") == 1000.0);
    ck_assert(parse_ok("1E-2") == 0.01);
    ck_assert(parse_ok("0.1") == 0.1);
    ck_assert(parse_ok("0.000001") == 1e-6);
    ck_assert(parse_ok("123456789012345678901234567890") == 123456789012345678901234567890.0);
    ck_assert(parse_ok("1e-400") == 0.0);
    ck_assert(parse_ok("2.2250738585072014e-308") == 2.2250738585072014e-308);
    ck_assert(parse_ok("1.7976931348623157e308") == 1.7976931348623157e308);
    /* Only the given length is read. */
    {
        double v = 0;
        ck_assert_ok(rs_io_parse_double("12345", 2, &v));
        ck_assert(v == 12.0);
    }
}
END_TEST

START_TEST(not_numbers)
{
    const char *bad[] = {"", "  ", "-", ".", "e5", "1e", "1e+", "1,5", "1.2.3", "0x10",
                         "12abc", "1 2", "--1", "١٢"};
    const char *range[] = {"nan", "NaN", "-nan", "inf", "-Inf", "INFINITY", "1e400", "-1e999"};
    size_t i;
    double v = 7;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_status(rs_io_parse_double(bad[i], strlen(bad[i]), &v), RS_ERR_PARSE);
        ck_assert(v == 7);
    }
    ck_assert_errmsg_has("is not a number");
    for (i = 0; i < sizeof range / sizeof range[0]; i++) {
        ck_assert_status(rs_io_parse_double(range[i], strlen(range[i]), &v), RS_ERR_RANGE);
        ck_assert(v == 7);
    }
    ck_assert_status(rs_io_parse_double(NULL, 1, &v), RS_ERR_INVALID);
    ck_assert_status(rs_io_parse_double("1", 1, NULL), RS_ERR_INVALID);
}
END_TEST

START_TEST(round_trips_match_strtod_in_c_locale)
{
    /* Random doubles printed with 17 digits, and short decimals, must parse
     * to exactly the value strtod gives in the C locale. */
    unsigned long long state = 88172645463325252ull;
    char text[64];
    int i;
    setlocale(LC_NUMERIC, "C");
    for (i = 0; i < 100000; i++) {
        double x, expect, got = 0;
        uint64_t bits;
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bits = state;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        if (i % 2)
            snprintf(text, sizeof text, "%.17g", x);
        else
            snprintf(text, sizeof text, "%.*f", (int)(state % 7), (double)(state % 100000000) / 997.0);
        expect = strtod(text, NULL);
        ck_assert_ok(rs_io_parse_double(text, strlen(text), &got));
        ck_assert_msg(memcmp(&got, &expect, sizeof got) == 0, "%s: got %.17g want %.17g", text,
                      got, expect);
    }
}
END_TEST

START_TEST(integers)
{
    int64_t v = 0;
    ck_assert_ok(rs_io_parse_int64("17850", 5, &v));
    ck_assert_int_eq(v, 17850);
    ck_assert_ok(rs_io_parse_int64("17850.0", 7, &v));
    ck_assert_int_eq(v, 17850);
    ck_assert_ok(rs_io_parse_int64(" -9223372036854775808 ", 22, &v));
    ck_assert(v == INT64_MIN);
    ck_assert_ok(rs_io_parse_int64("9223372036854775807", 19, &v));
    ck_assert(v == INT64_MAX);
    v = 5;
    ck_assert_status(rs_io_parse_int64("9223372036854775808", 19, &v), RS_ERR_RANGE);
    ck_assert_status(rs_io_parse_int64("1.5", 3, &v), RS_ERR_PARSE);
    ck_assert_status(rs_io_parse_int64("", 0, &v), RS_ERR_PARSE);
    ck_assert_status(rs_io_parse_int64("-", 1, &v), RS_ERR_PARSE);
    ck_assert_status(rs_io_parse_int64("1e3", 3, &v), RS_ERR_PARSE);
    ck_assert_int_eq(v, 5);
    ck_assert_errmsg_has("is not an integer");
}
END_TEST

static int64_t time_ok(const char *text)
{
    int64_t t = -1;
    ck_assert_ok(rs_io_parse_time(text, strlen(text), &t));
    return t;
}

START_TEST(timestamps)
{
    ck_assert_int_eq(time_ok("1970-01-01"), 0);
    ck_assert_int_eq(time_ok("2010-12-01 08:26:00"), 1291191960);
    ck_assert_int_eq(time_ok("2010-12-01 08:26"), 1291191960);
    ck_assert_int_eq(time_ok("2010-12-01T08:26:00Z"), 1291191960);
    ck_assert_int_eq(time_ok("2010-12-01T08:26:00.999Z"), 1291191960);
    ck_assert_int_eq(time_ok("2010-12-01T09:26:00+01:00"), 1291191960);
    ck_assert_int_eq(time_ok("2010-12-01T03:26:00-0500"), 1291191960);
    ck_assert_int_eq(time_ok("2010-12-01T10:26:00+02"), 1291191960);
    ck_assert_int_eq(time_ok("2000-02-29"), 951782400);
    ck_assert_int_eq(time_ok("1969-12-31T23:59:59Z"), -1);
    ck_assert_int_eq(time_ok("1600-03-01"), -11670912000LL);
    /* Epochs: seconds, and milliseconds with 13 digits. */
    ck_assert_int_eq(time_ok("1291191960"), 1291191960);
    ck_assert_int_eq(time_ok("1291191960123"), 1291191960);
    ck_assert_int_eq(time_ok("-86400"), -86400);
    ck_assert_int_eq(time_ok("0"), 0);
}
END_TEST

START_TEST(bad_timestamps)
{
    const char *parse[] = {"", "yesterday", "2010-12", "2010/12/01", "2010-12-01X08:00",
                           "2010-12-01 8:26", "2010-12-01 08:26:00 junk", "12/1/2010 8:26",
                           "129119196012", "12911919601234"};
    const char *range[] = {"2010-13-01", "2010-00-10", "2010-02-29", "2010-04-31",
                           "2010-12-01 24:00", "2010-12-01 23:60", "2010-12-01T00:00+25:00"};
    size_t i;
    int64_t t = 3;
    for (i = 0; i < sizeof parse / sizeof parse[0]; i++)
        ck_assert_msg(rs_io_parse_time(parse[i], strlen(parse[i]), &t) == RS_ERR_PARSE, "%s",
                      parse[i]);
    for (i = 0; i < sizeof range / sizeof range[0]; i++)
        ck_assert_msg(rs_io_parse_time(range[i], strlen(range[i]), &t) == RS_ERR_RANGE, "%s",
                      range[i]);
    ck_assert_int_eq(t, 3);
    ck_assert_status(rs_io_parse_time(NULL, 0, &t), RS_ERR_INVALID);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("io_parse");
    TCase *tc = tcase_create("parse");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, decimal_numbers);
    tcase_add_test(tc, not_numbers);
    tcase_add_test(tc, round_trips_match_strtod_in_c_locale);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, timestamps);
    tcase_add_test(tc, bad_timestamps);
    suite_add_tcase(s, tc);
    return s;
}
