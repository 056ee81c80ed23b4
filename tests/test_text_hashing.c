/*
 * test_text_hashing.c - the hashing embedder: fixed values for a seed (the
 * same on every platform), unit norm, idf fitting, similarity sanity in
 * English and Chinese, batch = single, thread-count independence, errors.
 */
#include "testutil.h"

#include "core/alloc.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static rs_embedder *hashing(int dim)
{
    rs_embedder *e = NULL;
    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_DIM, dim));
    return e;
}

static float dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return (float)s;
}

static float cosine_of(const rs_embedder *e, const char *a, const char *b)
{
    float va[512], vb[512];
    size_t dim = rs_embedder_dim(e);
    ck_assert_ok(rs_embedder_embed(e, a, va, dim));
    ck_assert_ok(rs_embedder_embed(e, b, vb, dim));
    return dot(va, vb, dim);
}

START_TEST(values_are_fixed_for_a_seed)
{
    /* Computed once; XXH3, integer dimension picking and IEEE float
     * arithmetic make these the same on every platform. */
    static const struct {
        int index;
        float value;
    } english[] = {{1, -0x1.5a2cd6p-3f}, {29, 0x1.03a1a2p-2f}, {36, -0x1.03a1a2p-2f},
                   {41, -0x1.5a2cd8p-2f}, {63, -0x1.03a1a2p-2f}, {0, 0.0f}},
      chinese[] = {{0, -0x1.c9f25cp-3f}, {1, 0x1.c9f25cp-3f}, {62, 0x1.c9f25cp-3f},
                   {2, 0.0f}};
    rs_embedder *e = hashing(64);
    float v[64];
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_SEED, 42));
    ck_assert_ok(rs_embedder_embed(e, "WHITE HANGING HEART T-LIGHT HOLDER", v, 64));
    for (size_t i = 0; i < sizeof english / sizeof english[0]; i++)
        ck_assert_msg(v[english[i].index] == english[i].value, "v[%d] = %a, expected %a",
                      english[i].index, (double)v[english[i].index], (double)english[i].value);
    ck_assert_ok(rs_embedder_embed(e, "购买苹果手机", v, 64));
    for (size_t i = 0; i < sizeof chinese / sizeof chinese[0]; i++)
        ck_assert_msg(v[chinese[i].index] == chinese[i].value, "v[%d] = %a, expected %a",
                      chinese[i].index, (double)v[chinese[i].index], (double)chinese[i].value);
    /* another seed gives another vector */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_SEED, 43));
    ck_assert_ok(rs_embedder_embed(e, "购买苹果手机", v, 64));
    ck_assert(v[0] != chinese[0].value || v[1] != chinese[1].value);
    rs_embedder_free(e);
}
END_TEST

START_TEST(vectors_are_unit_or_zero)
{
    rs_embedder *e = hashing(128);
    float v[128];
    ck_assert_ok(rs_embedder_embed(e, "Red retrospot cake stand", v, 128));
    ck_assert_float_eq_tol(dot(v, v, 128), 1.0f, 1e-5f);
    for (size_t i = 0; i < 128; i++)
        v[i] = 7.0f;
    ck_assert_ok(rs_embedder_embed(e, "", v, 128));
    for (size_t i = 0; i < 128; i++)
        ck_assert_float_eq(v[i], 0.0f);
    ck_assert_ok(rs_embedder_embed(e, "the of and", v, 128)); /* stop words only */
    ck_assert_float_eq(dot(v, v, 128), 0.0f);
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_NORMALIZE, 0));
    ck_assert_ok(rs_embedder_embed(e, "Red retrospot cake stand", v, 128));
    ck_assert_float_gt(dot(v, v, 128), 2.0f);
    rs_embedder_free(e);
}
END_TEST

START_TEST(similar_texts_are_close)
{
    rs_embedder *e = hashing(256);
    float same = cosine_of(e, "RED RETROSPOT CAKE STAND", "red retrospot cake stand");
    float near = cosine_of(e, "RED RETROSPOT CAKE STAND", "PINK RETROSPOT CAKE STAND");
    float far = cosine_of(e, "RED RETROSPOT CAKE STAND", "WOODEN PICTURE FRAME");
    ck_assert_float_eq_tol(same, 1.0f, 1e-6f);
    ck_assert_float_gt(near, 0.5f);
    ck_assert_float_lt(far, 0.25f);
    /* character n-grams link inflections: "holders" vs "holder" */
    ck_assert_float_gt(cosine_of(e, "candle holders", "candle holder"), 0.6f);
    /* Chinese: phone purchase is close to phone, not to bananas */
    ck_assert_float_gt(cosine_of(e, "购买苹果手机", "苹果手机"), 0.6f);
    ck_assert_float_lt(cosine_of(e, "购买苹果手机", "香蕉"), 0.2f);
    ck_assert_float_gt(cosine_of(e, "购买苹果手机", "苹果手机"),
                       cosine_of(e, "购买苹果手机", "购买香蕉") + 0.3f);
    rs_embedder_free(e);
}
END_TEST

START_TEST(fitted_idf_downweights_common_features)
{
    static const char *const corpus[] = {
        "red mug", "red bag", "red box", "red lamp", "red card", "blue mug", "green tin",
    };
    rs_embedder *e = hashing(256);
    float before, after;
    before = cosine_of(e, "red mug", "red bag");
    ck_assert_ok(rs_embedder_fit(e, corpus, sizeof corpus / sizeof corpus[0]));
    after = cosine_of(e, "red mug", "red bag");
    /* "red" is in most texts: once fitted it counts for less */
    ck_assert_float_lt(after, before - 0.05f);
    /* switching idf off gives back the unfitted vectors */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_USE_IDF, 0));
    ck_assert_float_eq_tol(cosine_of(e, "red mug", "red bag"), before, 1e-6f);
    /* feature options are frozen once fitted, weights are not */
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_SEED, 3), RS_ERR_STATE);
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_WORD_NGRAM_MAX, 1), RS_ERR_STATE);
    ck_assert_status(rs_embedder_add_stopword(e, "red"), RS_ERR_STATE);
    ck_assert_status(rs_embedder_clear_stopwords(e), RS_ERR_STATE);
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_DIM, 64));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_HASHES, 4));
    /* a refit replaces the statistics */
    ck_assert_ok(rs_embedder_fit(e, corpus, 2));
    rs_embedder_free(e);
}
END_TEST

START_TEST(fit_rejects_bad_input_and_keeps_state)
{
    static const char *const bad[] = {"fine", "bro\xC3\x28ken"};
    static const char *const with_null[] = {"fine", NULL};
    rs_embedder *e = hashing(64);
    float v1[64], v2[64];
    ck_assert_ok(rs_embedder_embed(e, "fine words", v1, 64));
    ck_assert_status(rs_embedder_fit(e, bad, 2), RS_ERR_ENCODING);
    ck_assert_errmsg_has("text 1");
    ck_assert_errmsg_has("byte 3");
    ck_assert_status(rs_embedder_fit(e, with_null, 2), RS_ERR_INVALID);
    ck_assert_errmsg_has("text 1");
    ck_assert_status(rs_embedder_fit(e, bad, 0), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_fit(e, NULL, 3), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_fit(NULL, bad, 1), RS_ERR_INVALID);
    /* still unfitted: the same vector, and feature options still free */
    ck_assert_ok(rs_embedder_embed(e, "fine words", v2, 64));
    ck_assert_mem_eq(v1, v2, sizeof v1);
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_SEED, 5));
    rs_embedder_free(e);
}
END_TEST

START_TEST(batch_matches_single_and_thread_count)
{
    enum { N = 300, DIM = 96 };
    const char **texts = malloc(N * sizeof *texts);
    char (*storage)[64] = malloc(N * sizeof *storage);
    float *batch1 = malloc(N * DIM * sizeof(float)), *batch2 = malloc(N * DIM * sizeof(float));
    float single[DIM];
    rs_embedder *e = hashing(DIM);
    int threads = rs_get_num_threads();
    for (int i = 0; i < N; i++) {
        snprintf(storage[i], sizeof storage[i], "item %d colour %s 手机%d", i,
                 i % 3 ? "red" : "blue", i % 7);
        texts[i] = storage[i];
    }
    ck_assert_ok(rs_embedder_fit(e, texts, N));
    ck_assert_ok(rs_set_num_threads(1));
    ck_assert_ok(rs_embedder_embed_batch(e, texts, N, batch1, DIM));
    ck_assert_ok(rs_set_num_threads(4));
    ck_assert_ok(rs_embedder_embed_batch(e, texts, N, batch2, DIM));
    ck_assert_ok(rs_set_num_threads(threads));
    ck_assert_mem_eq(batch1, batch2, N * DIM * sizeof(float));
    for (int i = 0; i < N; i += 37) {
        ck_assert_ok(rs_embedder_embed(e, texts[i], single, DIM));
        ck_assert_mem_eq(single, batch1 + i * DIM, sizeof single);
    }
    ck_assert_ok(rs_embedder_embed_batch(e, texts, 0, NULL, DIM));
    free(texts);
    free(storage);
    free(batch1);
    free(batch2);
    rs_embedder_free(e);
}
END_TEST

START_TEST(fit_is_independent_of_thread_count)
{
    enum { N = 2000, DIM = 64 };
    const char **texts = malloc(N * sizeof *texts);
    char (*storage)[48] = malloc(N * sizeof *storage);
    float *a = malloc(N * DIM * sizeof(float)), *b = malloc(N * DIM * sizeof(float));
    rs_embedder *one = hashing(DIM), *many = hashing(DIM);
    int threads = rs_get_num_threads();
    for (int i = 0; i < N; i++) {
        snprintf(storage[i], sizeof storage[i], "w%d w%d common %s", i % 97, i % 13,
                 i % 5 ? "mug" : "苹果");
        texts[i] = storage[i];
    }
    ck_assert_ok(rs_set_num_threads(1));
    ck_assert_ok(rs_embedder_fit(one, texts, N));
    ck_assert_ok(rs_set_num_threads(3));
    ck_assert_ok(rs_embedder_fit(many, texts, N));
    ck_assert_ok(rs_embedder_embed_batch(one, texts, N, a, DIM));
    ck_assert_ok(rs_embedder_embed_batch(many, texts, N, b, DIM));
    ck_assert_mem_eq(a, b, N * DIM * sizeof(float));
    /* a bad text deep in a parallel fit is named */
    texts[1500] = "bad \xC3";
    ck_assert_status(rs_embedder_fit(many, texts, N), RS_ERR_ENCODING);
    ck_assert_errmsg_has("text 1500: invalid UTF-8 at byte 4");
    ck_assert_ok(rs_set_num_threads(threads));
    rs_embedder_free(one);
    rs_embedder_free(many);
    free(texts);
    free(storage);
    free(a);
    free(b);
}
END_TEST

START_TEST(batch_failure_zeroes_everything)
{
    static const char *const texts[] = {"good one", "good two", "bad \xFF", "good three"};
    rs_embedder *e = hashing(32);
    float out[4 * 32];
    for (size_t i = 0; i < 4 * 32; i++)
        out[i] = 1.0f;
    ck_assert_status(rs_embedder_embed_batch(e, texts, 4, out, 32), RS_ERR_ENCODING);
    ck_assert_errmsg_has("text 2: invalid UTF-8 at byte 4");
    for (size_t i = 0; i < 4 * 32; i++)
        ck_assert_float_eq(out[i], 0.0f);
    /* with replacement the same batch succeeds */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_INVALID_UTF8, 1));
    ck_assert_ok(rs_embedder_embed_batch(e, texts, 4, out, 32));
    ck_assert_float_eq_tol(dot(out + 2 * 32, out + 2 * 32, 32), 1.0f, 1e-5f);
    rs_embedder_free(e);
}
END_TEST

START_TEST(embed_checks_arguments)
{
    rs_embedder *e = hashing(64);
    const char *texts[] = {"a", NULL};
    float v[2 * 64];
    v[0] = 5.0f;
    ck_assert_status(rs_embedder_embed(e, "x", v, 63), RS_ERR_DIM);
    ck_assert_errmsg_has("64");
    ck_assert_status(rs_embedder_embed(e, NULL, v, 64), RS_ERR_INVALID);
    ck_assert_float_eq(v[0], 0.0f);
    ck_assert_status(rs_embedder_embed(e, "x", NULL, 64), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_embed(NULL, "x", v, 64), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_embed_batch(e, texts, 2, v, 64), RS_ERR_INVALID);
    ck_assert_errmsg_has("text 1 is NULL");
    ck_assert_status(rs_embedder_embed_batch(e, NULL, 2, v, 64), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_embed_batch(NULL, texts, 1, v, 64), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_embed_batch(e, texts, SIZE_MAX / 2, v, 64), RS_ERR_OVERFLOW);
    rs_embedder_free(e);
}
END_TEST

START_TEST(very_long_text_embeds)
{
    size_t n = 8u << 20;
    char *text = malloc(n + 1);
    rs_embedder *e = hashing(64);
    float v[64];
    ck_assert_ptr_nonnull(text);
    /* 8 MiB of distinct-ish words: many features, one huge table */
    for (size_t i = 0; i < n; i++)
        text[i] = (i % 9 == 8) ? ' ' : (char)('a' + (i * 7 + i / 9) % 26);
    text[n] = '\0';
    ck_assert_ok(rs_embedder_embed(e, text, v, 64));
    ck_assert_float_eq_tol(dot(v, v, 64), 1.0f, 1e-4f);
    free(text);
    rs_embedder_free(e);
}
END_TEST

START_TEST(dimensions_from_64_to_512)
{
    static const int dims[] = {8, 64, 128, 256, 512, 4096};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        rs_embedder *e = hashing(dims[d]);
        float *v = malloc((size_t)dims[d] * sizeof *v);
        ck_assert_uint_eq(rs_embedder_dim(e), (size_t)dims[d]);
        ck_assert_ok(rs_embedder_embed(e, "jumbo bag red retrospot", v, (size_t)dims[d]));
        ck_assert_float_eq_tol(dot(v, v, (size_t)dims[d]), 1.0f, 1e-5f);
        free(v);
        rs_embedder_free(e);
    }
}
END_TEST

START_TEST(fit_out_of_memory_message_is_whole)
{
    /* every allocation of a fit failed in turn: the message names the text
     * and keeps the failure's own words whole */
    static const char *const corpus[] = {"red metal lantern", "white ceramic mug",
                                         "red candle holder with a long description"};
    bool failed_in_text = false;
    for (long n = 1; n < 500; n++) {
        rs_embedder *e = hashing(64);
        rs__alloc_fail_after(n);
        int rc = rs_embedder_fit(e, corpus, 3);
        rs__alloc_fail_after(0);
        rs_embedder_free(e);
        if (rc == RS_OK)
            break;
        ck_assert_int_eq(rc, RS_ERR_NOMEM);
        ck_assert_errmsg_has("out of memory");
        if (strncmp(rs_errmsg(), "text ", 5) == 0)
            failed_in_text = true;
    }
    ck_assert_msg(failed_in_text, "no allocation failed inside a text");
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("text_hashing");
    TCase *tc = tcase_create("hashing");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, values_are_fixed_for_a_seed);
    tcase_add_test(tc, vectors_are_unit_or_zero);
    tcase_add_test(tc, similar_texts_are_close);
    tcase_add_test(tc, fitted_idf_downweights_common_features);
    tcase_add_test(tc, fit_rejects_bad_input_and_keeps_state);
    tcase_add_test(tc, batch_matches_single_and_thread_count);
    tcase_add_test(tc, fit_is_independent_of_thread_count);
    tcase_add_test(tc, batch_failure_zeroes_everything);
    tcase_add_test(tc, embed_checks_arguments);
    tcase_add_test(tc, very_long_text_embeds);
    tcase_add_test(tc, dimensions_from_64_to_512);
    tcase_add_test(tc, fit_out_of_memory_message_is_whole);
    suite_add_tcase(s, tc);
    return s;
}
