/*
 * utf8.c - validation on utf8proc's decoder, plus the key rules.
 */
#include "core/utf8.h"
#include "core/error.h"
#include "recsim.h"

#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <utf8proc.h>

int rs__utf8_check(const char *s, size_t len, const char *what, size_t *bad_offset)
{
    const utf8proc_uint8_t *bytes = (const utf8proc_uint8_t *)s;
    size_t at = 0;
    while (at < len) {
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t step;
        size_t rest = len - at;
        /* ASCII fast path: most keys and texts are mostly ASCII. */
        if (bytes[at] < 0x80) {
            at++;
            continue;
        }
        step = utf8proc_iterate(bytes + at, rest > 4 ? 4 : (utf8proc_ssize_t)rest, &codepoint);
        if (step < 0) {
            if (bad_offset)
                *bad_offset = at;
            return rs__fail(RS_ERR_ENCODING, "%s: invalid UTF-8 at byte %zu", what, at);
        }
        at += (size_t)step;
    }
    return 0;
}

static int check_key(const char *key, const char *what, size_t *len_out, bool strict)
{
    size_t len;
    if (!key)
        return rs__fail(RS_ERR_INVALID, "%s is NULL", what);
    len = strnlen(key, (size_t)RS_MAX_KEY_BYTES + 1);
    if (len == 0)
        return rs__fail(RS_ERR_INVALID, "%s is empty", what);
    if (len > RS_MAX_KEY_BYTES)
        return rs__fail(RS_ERR_RANGE, "%s is longer than %d bytes", what, RS_MAX_KEY_BYTES);
    if (rs__utf8_check(key, len, what, NULL) != 0)
        return RS_ERR_ENCODING;
    /* no control character (C0, DEL, C1: U+0080..U+009F is C2 80..C2 9F),
     * which would break the tab-separated outputs and the terminal */
    for (size_t i = 0; strict && i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c == 0x7F || (c == 0xC2 && (unsigned char)key[i + 1] < 0xA0))
            return rs__fail(RS_ERR_INVALID, "%s has a control character (U+%04X%s) at byte %zu",
                            what, c == 0xC2 ? (unsigned char)key[i + 1] : c,
                            c == '\t' ? ", a tab" : c == '\n' ? ", a line feed"
                            : c == '\r' ? ", a carriage return" : c == 0x1B ? ", escape" : "", i);
    }
    if (strict && strspn(key, " ") == len)
        return rs__fail(RS_ERR_INVALID, "%s is blank (only spaces)", what);
    if (len_out)
        *len_out = len;
    return 0;
}

int rs__check_key(const char *key, const char *what, size_t *len_out)
{
    return check_key(key, what, len_out, true);
}

int rs__check_stored_key(const char *key, const char *what, size_t *len_out)
{
    return check_key(key, what, len_out, false);
}

size_t rs_max_key_bytes(void)
{
    return RS_MAX_KEY_BYTES;
}
