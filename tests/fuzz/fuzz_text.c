/*
 * fuzz_text.c - libFuzzer harness: the text normaliser and the tokenizer
 * (words and hashing features) and the hashing embedder on any bytes.
 *
 * Input: two control bytes, then the text (cut at its first NUL, as a C
 * string is).  Control byte 0: bits 0-1 word n-gram max - 1, bits 2-3 the
 * stop-word mask, bits 4-5 the numbers rule, bit 6 invalid UTF-8 replaced,
 * bit 7 CJK bigrams off.  Byte 1: bits 0-3 character n-gram min, bits 4-7
 * character n-gram max.
 *
 * Checks beyond the sanitizers: the byte count tokenize asks for is the one
 * it fills, its tokens are as many NUL-terminated strings as it counts, and
 * an embedded vector is finite with a norm of 0 or 1.
 */
#include "fuzz_util.h"

#include <math.h>
#include <stdbool.h>

#include "text/text_internal.h"

#define DIM 32

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check_tokens(const rs_embedder *e, const char *text, int what)
{
    size_t needed = 0, count = 0, again = 0, count2 = 0, seen = 0;
    char *buf;
    int rc = rs_embedder_tokenize(e, text, what, NULL, 0, &needed, &count);
    if (rc != RS_OK && rc != RS_ERR_BUFFER)
        return; /* refused (bad UTF-8): fine */
    if (!(buf = malloc(needed ? needed : 1)))
        return;
    if (rs_embedder_tokenize(e, text, what, buf, needed, &again, &count2) != RS_OK ||
        again != needed || count2 != count)
        abort(); /* the size it asked for did not hold the same tokens */
    for (size_t at = 0; at < needed; seen++) {
        const char *end = memchr(buf + at, '\0', needed - at);
        if (!end)
            abort(); /* a token without its NUL */
        at = (size_t)(end - buf) + 1;
    }
    if (seen != count)
        abort();
    free(buf);
}

static void check_embed(const rs_embedder *e, const char *text)
{
    float v[DIM];
    double norm = 0;
    if (rs_embedder_embed(e, text, v, DIM) != RS_OK)
        return;
    for (int i = 0; i < DIM; i++) {
        if (!isfinite(v[i]))
            abort();
        norm += (double)v[i] * v[i];
    }
    if (norm != 0 && fabs(norm - 1) > 1e-3)
        abort();
}

static void normalise(const char *text, size_t len, bool replace)
{
    rs__text_scratch s;
    size_t n = 0, bytes = 0;
    rs__scratch_init(&s);
    rs__text_normalize(text, len, replace, "fuzz", &s, &n);
    rs__text_normalized_bytes(text, len, "fuzz", &s, &bytes);
    rs__text_clean(text, len, replace, "fuzz", &s, &bytes);
    rs__scratch_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rs_embedder *e = NULL;
    char *text;
    unsigned c0, c1;
    if (size < 2)
        return 0;
    c0 = data[0], c1 = data[1];
    if (!(text = malloc(size - 1)))
        return 0;
    memcpy(text, data + 2, size - 2);
    text[size - 2] = '\0';
    normalise((const char *)data + 2, size - 2, c0 & 64);
    if (rs_embedder_create_hashing(&e) == RS_OK) {
        /* options out of range are refused and leave the default: fine */
        rs_embedder_set_int(e, RS_EMBEDDER_DIM, DIM);
        rs_embedder_set_int(e, RS_EMBEDDER_WORD_NGRAM_MAX, 1 + (c0 & 3));
        rs_embedder_set_int(e, RS_EMBEDDER_STOPWORDS, (c0 >> 2) & 3);
        rs_embedder_set_int(e, RS_EMBEDDER_NUMBERS, (c0 >> 4) & 3);
        rs_embedder_set_int(e, RS_EMBEDDER_INVALID_UTF8, (c0 >> 6) & 1);
        rs_embedder_set_int(e, RS_EMBEDDER_CJK_BIGRAMS, !(c0 >> 7));
        rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MIN, c1 & 15);
        rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MAX, c1 >> 4);
        check_tokens(e, text, RS_TOKENS_WORDS);
        check_tokens(e, text, RS_TOKENS_FEATURES);
        check_embed(e, text);
    }
    rs_embedder_free(e);
    free(text);
    rs_clear_error();
    return 0;
}
