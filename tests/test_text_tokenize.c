/*
 * test_text_tokenize.c - preprocessing: UTF-8 checks and replacement, NFKC
 * and case folding, words, numbers, CJK unigrams and bigrams, mixed
 * scripts, stop words, features, and the caller-buffer contract.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static rs_embedder *hashing(void)
{
    rs_embedder *e = NULL;
    ck_assert_ok(rs_embedder_create_hashing(&e));
    return e;
}

/* Tokenize into a static list joined by '|' for easy comparison. */
static const char *tokens(const rs_embedder *e, const char *text, int what)
{
    static char joined[65536];
    char buf[65536];
    size_t needed = 0, count = 0, off = 0;
    ck_assert_ok(rs_embedder_tokenize(e, text, what, buf, sizeof buf, &needed, &count));
    joined[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (i)
            strcat(joined, "|");
        strcat(joined, buf + off);
        off += strlen(buf + off) + 1;
    }
    ck_assert_uint_eq(off, needed);
    return joined;
}

START_TEST(words_are_normalised_and_case_folded)
{
    rs_embedder *e = hashing();
    ck_assert_str_eq(tokens(e, "WHITE Hanging HEART T-LIGHT holder", RS_TOKENS_WORDS),
                     "white|hanging|heart|t|light|holder");
    /* NFKC: full-width letters, the fi ligature; case folding: ß -> ss */
    ck_assert_str_eq(tokens(e, "\xEF\xBC\xA6\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C \xEF\xAC\x81ne Stra\xC3\x9F" "e",
                            RS_TOKENS_WORDS),
                     "full|fine|strasse");
    /* composed and decomposed é give the same token */
    ck_assert_str_eq(tokens(e, "caf\xC3\xA9", RS_TOKENS_WORDS), "caf\xC3\xA9");
    ck_assert_str_eq(tokens(e, "cafe\xCC\x81", RS_TOKENS_WORDS), "caf\xC3\xA9");
    /* apostrophes inside words, typographic ones folded to ' */
    ck_assert_str_eq(tokens(e, "DON'T don\xE2\x80\x99t 'quoted'", RS_TOKENS_WORDS),
                     "don't|don't|quoted");
    rs_embedder_free(e);
}
END_TEST

START_TEST(numbers_can_be_kept_dropped_or_folded)
{
    rs_embedder *e = hashing();
    ck_assert_str_eq(tokens(e, "12 pencils 3.5cm 1,000 v2 x.5", RS_TOKENS_WORDS),
                     "12|pencils|3.5cm|1,000|v2|x|5");
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_NUMBERS, 0));
    ck_assert_str_eq(tokens(e, "12 pencils 3.5cm 1,000", RS_TOKENS_WORDS), "pencils|3.5cm");
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_NUMBERS, 2));
    ck_assert_str_eq(tokens(e, "12 pencils 1,000", RS_TOKENS_WORDS), "<num>|pencils|<num>");
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_NUMBERS, 3), RS_ERR_RANGE);
    ck_assert_errmsg_has("RS_EMBEDDER_NUMBERS");
    rs_embedder_free(e);
}
END_TEST

START_TEST(cjk_gives_unigrams_and_bigrams)
{
    rs_embedder *e = hashing();
    ck_assert_str_eq(tokens(e, "购买苹果手机", RS_TOKENS_WORDS), "购|买|苹|果|手|机");
    ck_assert_str_eq(tokens(e, "购买苹果手机", RS_TOKENS_FEATURES),
                     "购|购买|买|买苹|苹|苹果|果|果手|手|手机|机");
    /* CJK bigrams stay on with word unigrams only, and can be switched off */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_WORD_NGRAM_MAX, 1));
    ck_assert_str_eq(tokens(e, "苹果手机", RS_TOKENS_FEATURES), "苹|苹果|果|果手|手|手机|机");
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_CJK_BIGRAMS, 0));
    ck_assert_str_eq(tokens(e, "苹果手机", RS_TOKENS_FEATURES), "苹|果|手|机");
    /* Japanese kana are CJK units too */
    ck_assert_str_eq(tokens(e, "カメラ", RS_TOKENS_WORDS), "カ|メ|ラ");
    rs_embedder_free(e);
}
END_TEST

START_TEST(mixed_scripts_split_at_script_changes)
{
    rs_embedder *e = hashing();
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MAX, 0));
    /* 我 and 的 are stop words: the bigram chain breaks there */
    ck_assert_str_eq(tokens(e, "我的iPhone手机，很好!", RS_TOKENS_WORDS), "iphone|手|机|好");
    ck_assert_str_eq(tokens(e, "我的iPhone手机，很好!", RS_TOKENS_FEATURES),
                     "iphone|iphone 手|手|手机|机|好");
    /* Cyrillic, Greek, Arabic and Korean words are alphabetic words */
    ck_assert_str_eq(tokens(e, "Красный ΚΌΚΚΙΝΟ أحمر 빨간색", RS_TOKENS_WORDS),
                     "красный|κόκκινο|أحمر|빨간색");
    rs_embedder_free(e);
}
END_TEST

START_TEST(features_include_word_bigrams_and_char_ngrams)
{
    rs_embedder *e = hashing();
    ck_assert_str_eq(tokens(e, "red box", RS_TOKENS_FEATURES),
                     "red|red box|#<re|#red|#ed>|#<red|#red>|#<red>|box|#<bo|#box|#ox>|#<box|#box>|#<box>");
    /* a stop word between two words leaves no bigram across it */
    ck_assert_str_eq(tokens(e, "bag of tea", RS_TOKENS_WORDS), "bag|tea");
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MAX, 0));
    ck_assert_str_eq(tokens(e, "bag of tea", RS_TOKENS_FEATURES), "bag|tea");
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_WORD_NGRAM_MAX, 3));
    ck_assert_str_eq(tokens(e, "red tea box", RS_TOKENS_FEATURES),
                     "red|red tea|red tea box|tea|tea box|box");
    /* character n-grams of a non-ASCII word count code points */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_WORD_NGRAM_MAX, 1));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MIN, 4));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MAX, 4));
    ck_assert_str_eq(tokens(e, "été", RS_TOKENS_FEATURES), "été|#<été|#été>");
    /* min above max: no character n-grams */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MIN, 5));
    ck_assert_str_eq(tokens(e, "été", RS_TOKENS_FEATURES), "été");
    rs_embedder_free(e);
}
END_TEST

START_TEST(stop_words_can_be_extended_and_replaced)
{
    rs_embedder *e = hashing();
    ck_assert_str_eq(tokens(e, "The set of mugs", RS_TOKENS_WORDS), "set|mugs");
    /* negations are kept on purpose */
    ck_assert_str_eq(tokens(e, "not good", RS_TOKENS_WORDS), "not|good");
    ck_assert_ok(rs_embedder_add_stopword(e, "SET"));
    ck_assert_str_eq(tokens(e, "The set of mugs", RS_TOKENS_WORDS), "mugs");
    /* replace the built-in lists: only the caller's word remains */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_STOPWORDS, 0));
    ck_assert_str_eq(tokens(e, "The set of mugs", RS_TOKENS_WORDS), "the|of|mugs");
    ck_assert_ok(rs_embedder_clear_stopwords(e));
    ck_assert_str_eq(tokens(e, "The set of mugs", RS_TOKENS_WORDS), "the|set|of|mugs");
    /* English only: 的 comes back */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_STOPWORDS, RS_STOPWORDS_ENGLISH));
    ck_assert_str_eq(tokens(e, "the 红的", RS_TOKENS_WORDS), "红|的");
    /* a caller CJK bigram stop word drops the bigram feature only */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_STOPWORDS, 0));
    ck_assert_ok(rs_embedder_add_stopword(e, "红的"));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MAX, 0));
    ck_assert_str_eq(tokens(e, "红的", RS_TOKENS_FEATURES), "红|的");

    ck_assert_status(rs_embedder_add_stopword(e, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_add_stopword(e, ""), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_add_stopword(e, "\xC3("), RS_ERR_ENCODING);
    ck_assert_status(rs_embedder_add_stopword(NULL, "x"), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_add_stopword(e, "\xE2\x80\x8B"), RS_ERR_INVALID); /* ZWSP only */
    ck_assert_status(rs_embedder_clear_stopwords(NULL), RS_ERR_INVALID);
    rs_embedder_free(e);
}
END_TEST

START_TEST(invalid_utf8_is_refused_with_offset_or_replaced)
{
    rs_embedder *e = hashing();
    char buf[256];
    ck_assert_status(rs_embedder_tokenize(e, "ok \xE6\x89 bad", RS_TOKENS_WORDS, buf, sizeof buf,
                                          NULL, NULL),
                     RS_ERR_ENCODING);
    ck_assert_errmsg_has("byte 3");
    /* overlong encoding and a surrogate are invalid too */
    ck_assert_status(rs_embedder_tokenize(e, "\xC0\xAF", RS_TOKENS_WORDS, buf, sizeof buf, NULL,
                                          NULL),
                     RS_ERR_ENCODING);
    ck_assert_errmsg_has("byte 0");
    ck_assert_status(rs_embedder_tokenize(e, "ab\xED\xA0\x80", RS_TOKENS_WORDS, buf, sizeof buf,
                                          NULL, NULL),
                     RS_ERR_ENCODING);
    ck_assert_errmsg_has("byte 2");
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_INVALID_UTF8, 1));
    /* U+FFFD is a symbol: it splits, the words around it survive */
    ck_assert_str_eq(tokens(e, "caf\xC3\xA9\xFFlatte \xE6\x89", RS_TOKENS_WORDS),
                     "caf\xC3\xA9|latte");
    rs_embedder_free(e);
}
END_TEST

START_TEST(empty_and_separator_only_texts_have_no_tokens)
{
    rs_embedder *e = hashing();
    size_t needed = 99, count = 99;
    ck_assert_ok(rs_embedder_tokenize(e, "", RS_TOKENS_FEATURES, NULL, 0, &needed, &count));
    ck_assert_uint_eq(needed, 0);
    ck_assert_uint_eq(count, 0);
    ck_assert_ok(rs_embedder_tokenize(e, " ,.;!? -- \t\n the of", RS_TOKENS_WORDS, NULL, 0,
                                      &needed, &count));
    ck_assert_uint_eq(count, 0);
    rs_embedder_free(e);
}
END_TEST

START_TEST(small_buffer_reports_needed_size)
{
    rs_embedder *e = hashing();
    char buf[8];
    size_t needed = 0, count = 0;
    ck_assert_status(rs_embedder_tokenize(e, "hello world", RS_TOKENS_WORDS, buf, sizeof buf,
                                          &needed, &count),
                     RS_ERR_BUFFER);
    ck_assert_uint_eq(needed, 12);
    ck_assert_uint_eq(count, 2);
    ck_assert_errmsg_has("12 bytes");
    ck_assert_status(rs_embedder_tokenize(e, "hello world", RS_TOKENS_WORDS, NULL, 0, &needed,
                                          NULL),
                     RS_ERR_BUFFER);
    ck_assert_status(rs_embedder_tokenize(e, "x", 7, buf, sizeof buf, NULL, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_embedder_tokenize(e, NULL, RS_TOKENS_WORDS, buf, sizeof buf, NULL, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_embedder_tokenize(NULL, "x", RS_TOKENS_WORDS, buf, sizeof buf, NULL,
                                          NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_embedder_tokenize(e, "x", RS_TOKENS_WORDS, NULL, 4, NULL, NULL),
                     RS_ERR_INVALID);
    rs_embedder_free(e);
}
END_TEST

START_TEST(very_long_text_is_tokenized)
{
    rs_embedder *e = hashing();
    size_t n = 4u << 20, needed = 0, count = 0;
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    /* 4 MiB: words, CJK and one very long word with no separator */
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + i % 26);
    for (size_t i = 0; i + 1 < n / 2; i += 8)
        text[i] = ' ';
    memcpy(text + n / 2, "购买苹果手机", 18);
    text[n] = '\0';
    ck_assert_status(rs_embedder_tokenize(e, text, RS_TOKENS_WORDS, NULL, 0, &needed, &count),
                     RS_ERR_BUFFER);
    ck_assert_uint_gt(count, n / 16);
    ck_assert_uint_gt(needed, n / 2);
    free(text);
    rs_embedder_free(e);
}
END_TEST

START_TEST(options_are_checked)
{
    rs_embedder *e = hashing();
    int64_t v = 0;
    double d = 0, lo = 0, hi = 0, def = 0;
    ck_assert_ok(rs_embedder_get_int(e, RS_EMBEDDER_DIM, &v));
    ck_assert_int_eq(v, 256);
    ck_assert_ok(rs_embedder_get_int(e, RS_EMBEDDER_WORD_NGRAM_MAX, &v));
    ck_assert_int_eq(v, 2);
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_SEED, INT64_MAX));
    ck_assert_ok(rs_embedder_get_int(e, RS_EMBEDDER_SEED, &v));
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_SEED, -1), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_DIM, 7), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_DIM, 4097), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_set_int(e, 999, 1), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_CHAR_WEIGHT, 1), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_BATCH_SIZE, 8), RS_ERR_UNSUPPORTED);
    ck_assert_status(rs_embedder_set_double(e, RS_EMBEDDER_CHAR_WEIGHT, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_set_double(e, RS_EMBEDDER_CHAR_WEIGHT, INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_set_double(e, RS_EMBEDDER_CHAR_WEIGHT, -0.5), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_set_double(e, RS_EMBEDDER_SIF_A, 0.1), RS_ERR_UNSUPPORTED);
    ck_assert_ok(rs_embedder_set_double(e, RS_EMBEDDER_CHAR_WEIGHT, 0.5));
    ck_assert_ok(rs_embedder_get_double(e, RS_EMBEDDER_CHAR_WEIGHT, &d));
    ck_assert_double_eq(d, 0.5);
    ck_assert_status(rs_embedder_get_double(e, RS_EMBEDDER_DIM, &d), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_get_int(e, RS_EMBEDDER_DIM, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_get_int(NULL, RS_EMBEDDER_DIM, &v), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_set_int(NULL, RS_EMBEDDER_DIM, 64), RS_ERR_INVALID);
    ck_assert_ok(rs_embedder_option_bounds(RS_EMBEDDER_HASHES, &lo, &hi, &def));
    ck_assert_double_eq(lo, 1);
    ck_assert_double_eq(hi, 8);
    ck_assert_double_eq(def, 2);
    ck_assert_status(rs_embedder_option_bounds(0, &lo, &hi, &def), RS_ERR_INVALID);
    ck_assert_int_eq(rs_embedder_kind(e), RS_EMBEDDER_HASHING);
    ck_assert_int_eq(rs_embedder_kind(NULL), 0);
    ck_assert_uint_eq(rs_embedder_dim(NULL), 0);
    ck_assert_status(rs_embedder_create_hashing(NULL), RS_ERR_INVALID);
    rs_embedder_free(e);
    rs_embedder_free(NULL);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("text_tokenize");
    TCase *tc = tcase_create("tokenize");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, words_are_normalised_and_case_folded);
    tcase_add_test(tc, numbers_can_be_kept_dropped_or_folded);
    tcase_add_test(tc, cjk_gives_unigrams_and_bigrams);
    tcase_add_test(tc, mixed_scripts_split_at_script_changes);
    tcase_add_test(tc, features_include_word_bigrams_and_char_ngrams);
    tcase_add_test(tc, stop_words_can_be_extended_and_replaced);
    tcase_add_test(tc, invalid_utf8_is_refused_with_offset_or_replaced);
    tcase_add_test(tc, empty_and_separator_only_texts_have_no_tokens);
    tcase_add_test(tc, small_buffer_reports_needed_size);
    tcase_add_test(tc, very_long_text_is_tokenized);
    tcase_add_test(tc, options_are_checked);
    suite_add_tcase(s, tc);
    return s;
}
