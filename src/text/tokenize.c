/*
 * tokenize.c - normalised code points to units (words, numbers, single CJK
 * characters), and units to the features the hashing embedder hashes.
 *
 * A word is a run of letters, marks and digits; an apostrophe between two
 * letters and a point or comma between two digits stay inside it.  Every
 * CJK character is a unit of its own: Chinese and Japanese are written
 * without spaces, and character unigrams plus bigrams are the robust,
 * dictionary-free features for them.  Dropped units (stop words, numbers
 * when asked) leave a gap that n-grams never span.
 */
#include "text/text_internal.h"
#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

enum { CLASS_OTHER = 0, CLASS_LETTER = 1, CLASS_DIGIT = 2, CLASS_MARK = 3 };

bool rs__is_cjk(int32_t cp)
{
    if (cp < 0x3005)
        return false;
    return cp == 0x3005 || cp == 0x3007 ||
           (cp >= 0x3041 && cp <= 0x309F) ||                    /* hiragana */
           (cp >= 0x30A1 && cp <= 0x30FF && cp != 0x30FB) ||     /* katakana */
           (cp >= 0x31F0 && cp <= 0x31FF) ||                    /* katakana ext. */
           (cp >= 0x3400 && cp <= 0x4DBF) ||                    /* Han ext. A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||                    /* Han */
           (cp >= 0xF900 && cp <= 0xFAFF) ||                    /* compatibility */
           (cp >= 0x20000 && cp <= 0x3134F);                    /* Han ext. B-G */
}

static int char_class(int32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'a' && cp <= 'z')
            return CLASS_LETTER;
        if (cp >= '0' && cp <= '9')
            return CLASS_DIGIT;
        if (cp >= 'A' && cp <= 'Z') /* not after case folding, but be safe */
            return CLASS_LETTER;
        return CLASS_OTHER;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
        return CLASS_LETTER;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NO:
        return CLASS_DIGIT;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return CLASS_MARK;
    default:
        return CLASS_OTHER;
    }
}

/* Encode cp[0..n) as UTF-8 at dst (room for 4 * n bytes); returns bytes
 * written.  A typographic apostrophe inside a word becomes '. */
static size_t encode(const int32_t *cp, size_t n, char *dst)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t c = cp[i];
        if (c < 0x80) {
            dst[w++] = (char)c;
        } else if (c == 0x2019) {
            dst[w++] = '\'';
        } else {
            w += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)dst + w);
        }
    }
    return w;
}

static bool is_stopword(const rs_embedder *e, const char *bytes, size_t len)
{
    return e->stopwords && rs__idmap_count(e->stopwords) > 0 &&
           rs__idmap_find(e->stopwords, bytes, len) != RS_IDMAP_NONE;
}

int rs__text_units(const rs_embedder *e, const char *text, size_t len, const char *what,
                   rs__text_scratch *s)
{
    size_t n, i = 0, n_units = 0, written = 0, bytes_needed;
    const int32_t *cp;
    bool gap = false;
    int rc;

    s->n_units = 0;
    if ((rc = rs__text_normalize(text, len, e->config.invalid_utf8 != 0, what, s, &n)) != 0)
        return rc;
    if (n > UINT32_MAX / 8)
        return rs__fail(RS_ERR_LIMIT, "%s: text of %zu code points is too long", what, n);
    bytes_needed = 5 * n + 16; /* a unit of k >= 1 code points takes <= max(4k, 5) bytes */
    if ((rc = rs__grow((void **)&s->bytes, &s->bytes_cap, bytes_needed, 1)) != 0 ||
        (rc = rs__grow((void **)&s->units, &s->units_cap, n + 1, sizeof *s->units)) != 0)
        return rc;
    cp = s->cp;

    while (i < n) {
        size_t start = i;
        uint8_t type;
        int cls;
        rs__unit *unit;

        if (rs__is_cjk(cp[i])) {
            type = RS__UNIT_CJK;
            i++;
        } else {
            bool all_digits;
            cls = char_class(cp[i]);
            if (cls != CLASS_LETTER && cls != CLASS_DIGIT) {
                i++;
                continue;
            }
            all_digits = cls == CLASS_DIGIT;
            for (i++; i < n; i++) {
                int32_t c = cp[i];
                int prev, next;
                if (rs__is_cjk(c))
                    break;
                cls = char_class(c);
                if (cls != CLASS_OTHER) {
                    if (cls == CLASS_LETTER)
                        all_digits = false;
                    continue;
                }
                if (i + 1 >= n)
                    break;
                prev = char_class(cp[i - 1]);
                next = rs__is_cjk(cp[i + 1]) ? CLASS_OTHER : char_class(cp[i + 1]);
                if ((c == '\'' || c == 0x2019) && prev == CLASS_LETTER && next == CLASS_LETTER)
                    continue;
                if ((c == '.' || c == ',') && prev == CLASS_DIGIT && next == CLASS_DIGIT)
                    continue;
                break;
            }
            type = all_digits ? RS__UNIT_NUMBER : RS__UNIT_WORD;
        }

        unit = &s->units[n_units];
        unit->cp_off = (uint32_t)start;
        unit->cp_len = (uint32_t)(i - start);
        unit->byte_off = (uint32_t)written;
        unit->type = type;
        if (type == RS__UNIT_NUMBER && e->config.numbers != 1) {
            if (e->config.numbers == 0) {
                gap = true;
                continue;
            }
            memcpy(s->bytes + written, "<num>", 5);
            unit->byte_len = 5;
        } else {
            unit->byte_len = (uint32_t)encode(cp + start, i - start, s->bytes + written);
        }
        if (is_stopword(e, s->bytes + written, unit->byte_len)) {
            gap = true;
            continue;
        }
        unit->gap_before = gap;
        gap = false;
        written += unit->byte_len;
        n_units++;
    }
    s->n_units = n_units;
    return 0;
}

/* ---------------------------------------------------------------- features */

static int word_ngrams(const rs_embedder *e, rs__text_scratch *s, size_t first,
                       rs__feature_fn fn, void *ctx)
{
    const rs__unit *units = s->units;
    int max_n = e->config.word_ngram_max;
    bool all_cjk;
    int rc;

    if (e->config.cjk_bigrams && max_n < 2)
        max_n = 2;
    /* the unigram is the unit's own bytes */
    if ((rc = fn(ctx, s->bytes + units[first].byte_off, units[first].byte_len, false)) != 0)
        return rc;
    all_cjk = units[first].type == RS__UNIT_CJK;
    for (int n = 2; n <= max_n; n++) {
        size_t last = first + (size_t)n - 1, len = 0;
        if (last >= s->n_units || units[last].gap_before)
            break;
        all_cjk = all_cjk && units[last].type == RS__UNIT_CJK;
        if (all_cjk ? !(n == 2 && e->config.cjk_bigrams) : n > e->config.word_ngram_max)
            continue;
        for (size_t u = first; u <= last; u++) {
            size_t piece = units[u].byte_len;
            bool space = u > first &&
                         !(units[u - 1].type == RS__UNIT_CJK && units[u].type == RS__UNIT_CJK);
            if ((rc = rs__grow((void **)&s->feat, &s->feat_cap, len + piece + 2, 1)) != 0)
                return rc;
            if (space)
                s->feat[len++] = ' ';
            memcpy(s->feat + len, s->bytes + units[u].byte_off, piece);
            len += piece;
        }
        /* a stop-listed CJK bigram (e.g. 我们) is dropped, without a gap */
        if (all_cjk && is_stopword(e, s->feat, len))
            continue;
        if ((rc = fn(ctx, s->feat, len, false)) != 0)
            return rc;
    }
    return 0;
}

static int char_ngrams(const rs_embedder *e, rs__text_scratch *s, const rs__unit *unit,
                       rs__feature_fn fn, void *ctx)
{
    size_t padded = (size_t)unit->cp_len + 2; /* "<" word ">" in code points */
    size_t lo = (size_t)e->config.char_ngram_min, hi = (size_t)e->config.char_ngram_max;
    const char *word = s->bytes + unit->byte_off;
    int rc;

    if (hi == 0 || hi < lo || lo > padded)
        return 0;
    if (hi > padded)
        hi = padded;
    /* "#<word>" with the byte offset of each padded code point (after '#') */
    if ((rc = rs__grow((void **)&s->feat, &s->feat_cap, (size_t)unit->byte_len + 4, 1)) != 0 ||
        (rc = rs__grow((void **)&s->offs, &s->offs_cap, padded + 1, sizeof *s->offs)) != 0)
        return rc;
    s->feat[0] = '#';
    s->feat[1] = '<';
    memcpy(s->feat + 2, word, unit->byte_len);
    s->feat[2 + unit->byte_len] = '>';
    s->offs[0] = 1;
    if (unit->byte_len == unit->cp_len) { /* ASCII: one byte per code point */
        for (size_t k = 1; k <= padded; k++)
            s->offs[k] = (uint32_t)(k + 1);
    } else {
        size_t k = 1, at = 2;
        while (at < 2 + (size_t)unit->byte_len) {
            unsigned char c = (unsigned char)s->feat[at];
            s->offs[k++] = (uint32_t)at;
            at += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        }
        s->offs[k++] = (uint32_t)at;     /* '>' */
        s->offs[k] = (uint32_t)(at + 1); /* end */
    }
    for (size_t n = lo; n <= hi; n++) {
        for (size_t a = 0; a + n <= padded; a++) {
            size_t from = s->offs[a], to = s->offs[a + n];
            /* the n-gram's bytes follow a '#': reuse the byte before them */
            char saved = s->feat[from - 1];
            s->feat[from - 1] = '#';
            rc = fn(ctx, s->feat + from - 1, to - from + 1, true);
            s->feat[from - 1] = saved;
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int rs__text_features(const rs_embedder *e, rs__text_scratch *s, rs__feature_fn fn,
                      void *ctx)
{
    int rc;
    for (size_t u = 0; u < s->n_units; u++) {
        if ((rc = word_ngrams(e, s, u, fn, ctx)) != 0)
            return rc;
        if (s->units[u].type == RS__UNIT_WORD &&
            (rc = char_ngrams(e, s, &s->units[u], fn, ctx)) != 0)
            return rc;
    }
    return 0;
}

int rs__text_normalized_bytes(const char *text, size_t len, const char *what,
                              rs__text_scratch *s, size_t *len_out)
{
    size_t n;
    int rc;
    if ((rc = rs__text_normalize(text, len, false, what, s, &n)) != 0)
        return rc;
    if ((rc = rs__grow((void **)&s->bytes, &s->bytes_cap, 4 * n + 1, 1)) != 0)
        return rc;
    *len_out = encode(s->cp, n, s->bytes);
    s->bytes[*len_out] = '\0';
    return 0;
}
