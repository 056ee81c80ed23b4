/*
 * normalize.c - UTF-8 text to NFKC case-folded code points (utf8proc), with
 * invalid bytes refused at their offset or replaced by U+FFFD.
 *
 * Pure ASCII, the common case for catalogues, skips utf8proc: NFKC leaves
 * ASCII unchanged and case folding is then plain lower-casing.
 */
#include "text/text_internal.h"
#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#define NORMALIZE_OPTIONS \
    (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

void rs__scratch_init(rs__text_scratch *s)
{
    memset(s, 0, sizeof *s);
}

void rs__scratch_free(rs__text_scratch *s)
{
    if (!s)
        return;
    free(s->cp);
    free(s->clean);
    free(s->bytes);
    free(s->units);
    free(s->feat);
    free(s->offs);
    free(s->table.keys);
    free(s->table.counts);
    free(s->table.base);
    free(s->table.used);
    free(s->row);
    memset(s, 0, sizeof *s);
}

int rs__text_clean(const char *text, size_t len, bool replace, const char *what,
                      rs__text_scratch *s, size_t *clean_len)
{
    const utf8proc_uint8_t *bytes = (const utf8proc_uint8_t *)text;
    size_t at = 0, written = 0, bound;
    int rc;

    /* at most 3 output bytes per input byte (one bad byte -> EF BF BD) */
    if ((rc = rs__mul_size(len, 3, &bound)) != 0)
        return rc;
    if ((rc = rs__grow((void **)&s->clean, &s->clean_cap, bound + 1, 1)) != 0)
        return rc;
    while (at < len) {
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t step;
        size_t rest = len - at;
        if (bytes[at] < 0x80) {
            s->clean[written++] = (char)bytes[at++];
            continue;
        }
        step = utf8proc_iterate(bytes + at, rest > 4 ? 4 : (utf8proc_ssize_t)rest, &codepoint);
        if (step < 0) {
            if (!replace)
                return rs__fail(RS_ERR_ENCODING, "%s: invalid UTF-8 at byte %zu", what, at);
            memcpy(s->clean + written, "\xEF\xBF\xBD", 3);
            written += 3;
            at++;
            continue;
        }
        memcpy(s->clean + written, text + at, (size_t)step);
        written += (size_t)step;
        at += (size_t)step;
    }
    s->clean[written] = '\0';
    *clean_len = written;
    return 0;
}

int rs__text_normalize(const char *text, size_t len, bool replace, const char *what,
                       rs__text_scratch *s, size_t *n_out)
{
    size_t i, clean_len;
    utf8proc_ssize_t n;
    int rc;

    for (i = 0; i < len && (unsigned char)text[i] < 0x80; i++)
        ;
    if (i == len) {
        if ((rc = rs__grow((void **)&s->cp, &s->cp_cap, len + 1, sizeof *s->cp)) != 0)
            return rc;
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)text[i];
            s->cp[i] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        }
        *n_out = len;
        return 0;
    }

    if ((rc = rs__text_clean(text, len, replace, what, s, &clean_len)) != 0)
        return rc;
    if (clean_len > (size_t)PTRDIFF_MAX / 8)
        return rs__fail(RS_ERR_LIMIT, "%s: text of %zu bytes is too long", what, len);
    for (;;) {
        n = utf8proc_decompose((const utf8proc_uint8_t *)s->clean, (utf8proc_ssize_t)clean_len,
                               (utf8proc_int32_t *)s->cp, (utf8proc_ssize_t)s->cp_cap,
                               (utf8proc_option_t)NORMALIZE_OPTIONS);
        if (n < 0)
            return rs__fail(n == UTF8PROC_ERROR_NOMEM ? RS_ERR_NOMEM : RS_ERR_INTERNAL,
                            "%s: normalisation failed: %s", what, utf8proc_errmsg(n));
        if ((size_t)n <= s->cp_cap)
            break;
        if ((rc = rs__grow((void **)&s->cp, &s->cp_cap, (size_t)n, sizeof *s->cp)) != 0)
            return rc;
    }
    n = utf8proc_normalize_utf32((utf8proc_int32_t *)s->cp, n,
                                 (utf8proc_option_t)NORMALIZE_OPTIONS);
    if (n < 0)
        return rs__fail(RS_ERR_INTERNAL, "%s: normalisation failed: %s", what,
                        utf8proc_errmsg(n));
    *n_out = (size_t)n;
    return 0;
}
