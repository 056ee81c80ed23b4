/*
 * serve_query.c - strict decoding of a request's query string.
 */
#include "serve_query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool serve_utf8_valid(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t extra;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            extra = 1, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            extra = 2, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            extra = 3, cp = c & 0x07, min = 0x10000;
        else
            return false;
        if (len - i <= extra)
            return false;
        for (size_t j = 1; j <= extra; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

/* Decode [from, to) in place at out; the decoded length, or -1 with err. */
static long decode(const char *from, const char *to, char *out, const char *what, char *err,
                   size_t err_size)
{
    char *start = out;
    while (from < to) {
        if (*from == '%') {
            int hi = to - from > 2 ? hex_value(from[1]) : -1;
            int lo = hi >= 0 ? hex_value(from[2]) : -1;
            if (lo < 0) {
                snprintf(err, err_size, "bad percent-encoding in the query (%s)", what);
                return -1;
            }
            if (hi == 0 && lo == 0) {
                snprintf(err, err_size, "a NUL byte (%%00) in the query (%s)", what);
                return -1;
            }
            *out++ = (char)(hi << 4 | lo);
            from += 3;
        } else {
            *out++ = *from == '+' ? ' ' : *from;
            from++;
        }
    }
    *out = '\0';
    if (!serve_utf8_valid(start, (size_t)(out - start))) {
        snprintf(err, err_size, "invalid UTF-8 in the query (%s)", what);
        return -1;
    }
    return out - start;
}

bool serve_query_parse(const char *raw, size_t len, struct serve_query *q, char *err,
                       size_t err_size)
{
    const char *p = raw, *end = raw + len;
    char *out;
    memset(q, 0, sizeof *q);
    /* decoded into a buffer of its own: a pair grows by at most 2 bytes
     * (the NULs of its name and value) beyond the raw bytes it spans */
    if (len > (SIZE_MAX - 2) / 2 || !(q->storage = malloc(2 * len + 2))) {
        snprintf(err, err_size, "out of memory");
        return false;
    }
    out = q->storage;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p)), *eq;
        char *name, *value;
        long n;
        if (!amp)
            amp = end;
        if (amp == p) { /* "a=1&&b=2": an empty pair is skipped */
            p++;
            continue;
        }
        if (q->n == SERVE_MAX_PARAMS) {
            snprintf(err, err_size, "more than %d query parameters", SERVE_MAX_PARAMS);
            goto fail;
        }
        eq = memchr(p, '=', (size_t)(amp - p));
        name = out;
        if ((n = decode(p, eq ? eq : amp, out, "a name", err, err_size)) < 0)
            goto fail;
        out += n + 1;
        value = out;
        if ((n = decode(eq ? eq + 1 : amp, amp, out, name, err, err_size)) < 0)
            goto fail;
        out += n + 1;
        q->params[q->n].name = name;
        q->params[q->n].value = value;
        q->n++;
        p = amp + 1;
    }
    return true;
fail:
    serve_query_free(q);
    return false;
}

void serve_query_free(struct serve_query *q)
{
    free(q->storage);
    q->storage = NULL;
    q->n = 0;
}

const char *serve_query_unknown(const struct serve_query *q, const char *const *allowed)
{
    for (size_t i = 0; i < q->n; i++) {
        size_t a = 0;
        while (allowed[a] && strcmp(allowed[a], q->params[i].name) != 0)
            a++;
        if (!allowed[a])
            return q->params[i].name;
    }
    return NULL;
}

size_t serve_query_get(const struct serve_query *q, const char *name, const char **value_out)
{
    size_t count = 0;
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->params[i].name, name) == 0 && count++ == 0 && value_out)
            *value_out = q->params[i].value;
    return count;
}

size_t serve_query_all(const struct serve_query *q, const char *name, const char **values,
                       size_t capacity)
{
    size_t count = 0;
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->params[i].name, name) == 0) {
            if (count < capacity)
                values[count] = q->params[i].value;
            count++;
        }
    return count;
}
