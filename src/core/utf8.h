/*
 * utf8.h - UTF-8 validation and the key checks every module applies at its
 * boundary, so that "NULL, empty, over-long or invalid key" produce one kind
 * of message everywhere.
 */
#ifndef RS_CORE_UTF8_H
#define RS_CORE_UTF8_H

#include <stddef.h>

/*
 * Check that s[0..len) is valid UTF-8 (no overlongs, surrogates or code
 * points above U+10FFFF).  Returns 0, or RS_ERR_ENCODING with the byte
 * offset of the first bad sequence in *bad_offset (may be NULL) and in the
 * message, which starts with `what`.
 */
int rs__utf8_check(const char *s, size_t len, const char *what, size_t *bad_offset);

/*
 * Check a key argument: not NULL (RS_ERR_INVALID), not empty (RS_ERR_INVALID),
 * at most RS_MAX_KEY_BYTES bytes (RS_ERR_RANGE), valid UTF-8 (RS_ERR_ENCODING),
 * no control character (U+0000..U+001F, U+007F, U+0080..U+009F: TAB, ESC,
 * newline ...) and not blank (only spaces) (RS_ERR_INVALID).
 * `what` names the argument in the message ("user key").  On success *len_out
 * (may be NULL) gets strlen(key).
 */
int rs__check_key(const char *key, const char *what, size_t *len_out);

/* rs__check_key without the control-character and blank rules: for keys read
 * back from a file, which a library before those rules may have written. */
int rs__check_stored_key(const char *key, const char *what, size_t *len_out);

#endif
