/*
 * parse.c - locale-independent numbers and ISO 8601 / epoch timestamps.
 *
 * strtod() follows LC_NUMERIC, so a host that called setlocale(LC_ALL, "")
 * in a German locale would read "1.5" as 1.  Numbers are therefore checked
 * against a strict decimal grammar here, converted exactly on Clinger's fast
 * path (mantissa < 2^53, |power of ten| <= 22) and otherwise by strtod() under
 * a private "C" locale installed with uselocale() for the call.
 */
#include "io/io.h"
#include "core/error.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const double powers_of_ten[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale = (locale_t)0;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void trim(const char **text, size_t *len)
{
    const char *s = *text;
    size_t n = *len;
    while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *text = s;
    *len = n;
}

static bool ascii_ieq(const char *s, size_t len, const char *word)
{
    size_t i;
    if (strlen(word) != len)
        return false;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

/* strtod() in the "C" locale on a grammar-checked copy of s[0..len). */
static int slow_double(const char *s, size_t len, double *out)
{
    char local[128];
    char *copy = local;
    locale_t previous;
    double value;
    int saved_errno = errno;

    pthread_once(&c_locale_once, make_c_locale);
    if (c_locale == (locale_t)0)
        return RS_ERR_NOMEM;
    if (len >= sizeof local) {
        copy = malloc(len + 1);
        if (!copy)
            return RS_ERR_NOMEM;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    previous = uselocale(c_locale);
    errno = 0;
    value = strtod(copy, NULL);
    uselocale(previous);
    errno = saved_errno;
    if (copy != local)
        free(copy);
    if (isinf(value))
        return RS_ERR_RANGE;
    *out = value;
    return 0;
}

int rs__parse_double(const char *text, size_t len, double *out)
{
    const char *s;
    size_t i = 0, n, int_digits = 0, frac_digits = 0, significant = 0;
    bool negative = false, exact = true;
    uint64_t mantissa = 0;
    long exponent = 0, exp_value = 0;
    bool exp_negative = false;

    if (!text || !out)
        return RS_ERR_INVALID;
    s = text;
    n = len;
    trim(&s, &n);
    if (n == 0)
        return RS_ERR_PARSE;
    if (s[0] == '+' || s[0] == '-') {
        negative = s[0] == '-';
        i++;
    }
    {
        const char *word = s + i;
        size_t word_len = n - i;
        if (ascii_ieq(word, word_len, "nan") || ascii_ieq(word, word_len, "inf") ||
            ascii_ieq(word, word_len, "infinity"))
            return RS_ERR_RANGE;
    }
    for (; i < n && is_digit(s[i]); i++, int_digits++) {
        if (mantissa == 0 && s[i] == '0')
            continue;
        if (significant < 19) {
            mantissa = mantissa * 10 + (uint64_t)(s[i] - '0');
            significant++;
        } else {
            exact = false;
            exponent++;
        }
    }
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && is_digit(s[i]); i++, frac_digits++) {
            if (mantissa == 0 && s[i] == '0') {
                exponent--;
                continue;
            }
            if (significant < 19) {
                mantissa = mantissa * 10 + (uint64_t)(s[i] - '0');
                significant++;
                exponent--;
            } else {
                exact = false;
            }
        }
    }
    if (int_digits + frac_digits == 0)
        return RS_ERR_PARSE;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t exp_digits = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            exp_negative = s[i] == '-';
            i++;
        }
        for (; i < n && is_digit(s[i]); i++, exp_digits++)
            if (exp_value < 100000)
                exp_value = exp_value * 10 + (s[i] - '0');
        if (exp_digits == 0)
            return RS_ERR_PARSE;
        exponent += exp_negative ? -exp_value : exp_value;
    }
    if (i != n)
        return RS_ERR_PARSE;
    if (mantissa == 0) {
        *out = negative ? -0.0 : 0.0;
        return 0;
    }
    if (exact && mantissa <= (UINT64_C(1) << 53) && exponent >= -22 && exponent <= 22) {
        double value = (double)mantissa;
        value = exponent < 0 ? value / powers_of_ten[-exponent] : value * powers_of_ten[exponent];
        *out = negative ? -value : value;
        return 0;
    }
    return slow_double(s, n, out);
}

int rs__parse_int64(const char *text, size_t len, int64_t *out)
{
    const char *s;
    size_t i = 0, n, digits = 0;
    bool negative = false;
    uint64_t value = 0, limit;

    if (!text || !out)
        return RS_ERR_INVALID;
    s = text;
    n = len;
    trim(&s, &n);
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        i++;
    }
    limit = negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; i < n && is_digit(s[i]); i++, digits++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (value > (limit - d) / 10)
            return RS_ERR_RANGE;
        value = value * 10 + d;
    }
    if (digits == 0)
        return RS_ERR_PARSE;
    /* "17.0" and "17." as spreadsheets write integer ids. */
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] == '0'; i++)
            ;
    }
    if (i != n)
        return RS_ERR_PARSE;
    if (negative)
        *out = value == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)value;
    else
        *out = (int64_t)value;
    return 0;
}

/* Howard Hinnant's days_from_civil. */
int64_t rs__days_from_civil(int64_t year, unsigned month, unsigned day)
{
    int64_t era, yoe, doy, doe;
    year -= month <= 2;
    era = (year >= 0 ? year : year - 399) / 400;
    yoe = year - era * 400;
    doy = (153 * (int64_t)(month > 2 ? month - 3 : month + 9) + 2) / 5 + (int64_t)day - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool is_leap(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Exactly `count` digits at s[*at]; advances *at.  -1 when not digits. */
static long take_digits(const char *s, size_t n, size_t *at, size_t count)
{
    long value = 0;
    size_t k;
    if (*at + count > n)
        return -1;
    for (k = 0; k < count; k++) {
        char c = s[*at + k];
        if (!is_digit(c))
            return -1;
        value = value * 10 + (c - '0');
    }
    *at += count;
    return value;
}

static int parse_epoch(const char *s, size_t n, int64_t *out)
{
    int64_t value;
    size_t digits = n - (s[0] == '-' || s[0] == '+');
    int status = rs__parse_int64(s, n, &value);
    if (status != 0)
        return status;
    if (digits == 13)
        value = value >= 0 ? value / 1000 : -((-value + 999) / 1000);
    else if (digits > 11)
        return RS_ERR_PARSE;
    *out = value;
    return 0;
}

int rs__parse_time(const char *text, size_t len, int64_t *out)
{
    static const unsigned month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *s;
    size_t n, at = 0, k;
    long year, month, day, hour = 0, minute = 0, second = 0, offset = 0;
    bool all_digits = true;

    if (!text || !out)
        return RS_ERR_INVALID;
    s = text;
    n = len;
    trim(&s, &n);
    if (n == 0)
        return RS_ERR_PARSE;
    for (k = (s[0] == '-' || s[0] == '+'); k < n; k++)
        if (!is_digit(s[k]))
            all_digits = false;
    if (all_digits && n > (size_t)(s[0] == '-' || s[0] == '+'))
        return parse_epoch(s, n, out);

    year = take_digits(s, n, &at, 4);
    if (year < 0 || at >= n || s[at++] != '-')
        return RS_ERR_PARSE;
    month = take_digits(s, n, &at, 2);
    if (month < 0 || at >= n || s[at++] != '-')
        return RS_ERR_PARSE;
    day = take_digits(s, n, &at, 2);
    if (day < 0)
        return RS_ERR_PARSE;
    if (at < n) {
        if (s[at] != 'T' && s[at] != 't' && s[at] != ' ')
            return RS_ERR_PARSE;
        at++;
        hour = take_digits(s, n, &at, 2);
        if (hour < 0 || at >= n || s[at++] != ':')
            return RS_ERR_PARSE;
        minute = take_digits(s, n, &at, 2);
        if (minute < 0)
            return RS_ERR_PARSE;
        if (at < n && s[at] == ':') {
            at++;
            second = take_digits(s, n, &at, 2);
            if (second < 0)
                return RS_ERR_PARSE;
            if (at < n && (s[at] == '.' || s[at] == ',')) {
                size_t start = ++at;
                while (at < n && is_digit(s[at]))
                    at++;
                if (at == start)
                    return RS_ERR_PARSE;
            }
        }
        if (at < n) {
            if ((s[at] == 'Z' || s[at] == 'z') && at + 1 == n) {
                at++;
            } else if (s[at] == '+' || s[at] == '-') {
                long sign = s[at] == '-' ? -1 : 1, oh, om = 0;
                at++;
                oh = take_digits(s, n, &at, 2);
                if (oh < 0)
                    return RS_ERR_PARSE;
                if (at < n && s[at] == ':')
                    at++;
                if (at < n) {
                    om = take_digits(s, n, &at, 2);
                    if (om < 0)
                        return RS_ERR_PARSE;
                }
                if (oh > 23 || om > 59)
                    return RS_ERR_RANGE;
                offset = sign * (oh * 3600 + om * 60);
            }
        }
        if (at != n)
            return RS_ERR_PARSE;
    }
    if (month < 1 || month > 12 || day < 1)
        return RS_ERR_RANGE;
    if ((unsigned)day > month_days[month - 1] + (month == 2 && is_leap(year)))
        return RS_ERR_RANGE;
    if (hour > 23 || minute > 59 || second > 60)
        return RS_ERR_RANGE;
    if (second == 60)
        second = 59; /* a leap second is kept within its minute */
    *out = rs__days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 + hour * 3600 +
           minute * 60 + second - offset;
    return 0;
}

/* ------------------------------------------------------------ public entry points */

static int describe(int status, const char *what, const char *noun, const char *text, size_t len)
{
    int shown = len > 40 ? 40 : (int)len;
    switch (status) {
    case 0:
        return 0;
    case RS_ERR_INVALID:
        return rs__fail(RS_ERR_INVALID, "%s: text or out is NULL", what);
    case RS_ERR_RANGE:
        return rs__fail(RS_ERR_RANGE, "%s: \"%.*s%s\" is out of range (or NaN/Inf)", what, shown,
                        text, len > 40 ? "..." : "");
    case RS_ERR_NOMEM:
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", what);
    default:
        return rs__fail(RS_ERR_PARSE, "%s: \"%.*s%s\" is not %s", what, shown, text,
                        len > 40 ? "..." : "", noun);
    }
}

int rs_io_parse_double(const char *text, size_t len, double *out)
{
    return describe(rs__parse_double(text, len, out), "rs_io_parse_double", "a number", text, len);
}

int rs_io_parse_int64(const char *text, size_t len, int64_t *out)
{
    return describe(rs__parse_int64(text, len, out), "rs_io_parse_int64", "an integer", text, len);
}

int rs_io_parse_time(const char *text, size_t len, int64_t *out)
{
    return describe(rs__parse_time(text, len, out), "rs_io_parse_time", "a timestamp", text, len);
}
