/*
 * test_text_callback.c - host embedders: the context pointer, batching,
 * failures reaching the caller as RS_ERR_CALLBACK with the host's message,
 * non-finite output, and no half-written result.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct host {
    int calls;
    size_t largest_batch;
    int fail_on_call; /* 1-based; 0 never */
    int write_nan;
    char last_text[64];
} host;

/* Vector i of a text: (length, first byte, 1, 1, ...). */
static int host_embed(void *ctx, const char *const *texts, size_t n, float *out, size_t dim,
                      char *message, size_t message_size)
{
    host *h = ctx;
    h->calls++;
    if (n > h->largest_batch)
        h->largest_batch = n;
    if (h->fail_on_call == h->calls) {
        snprintf(message, message_size, "model server unreachable");
        return 7;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < dim; j++)
            out[i * dim + j] = 1.0f;
        out[i * dim] = (float)strlen(texts[i]);
        out[i * dim + 1] = (float)(unsigned char)texts[i][0];
        snprintf(h->last_text, sizeof h->last_text, "%s", texts[i]);
    }
    if (h->write_nan)
        out[dim + 2] = NAN;
    return 0;
}

START_TEST(callback_receives_context_and_batches)
{
    host h = {0};
    rs_embedder *e = NULL;
    const char *texts[10];
    float out[10 * 4];
    int64_t batch = 0;
    for (int i = 0; i < 10; i++)
        texts[i] = i % 2 ? "ab" : "abcd";
    ck_assert_ok(rs_embedder_create_callback(4, host_embed, &h, &e));
    ck_assert_int_eq(rs_embedder_kind(e), RS_EMBEDDER_CALLBACK);
    ck_assert_uint_eq(rs_embedder_dim(e), 4);
    ck_assert_ok(rs_embedder_get_int(e, RS_EMBEDDER_BATCH_SIZE, &batch));
    ck_assert_int_eq(batch, 256);
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_BATCH_SIZE, 3));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_NORMALIZE, 0));
    ck_assert_ok(rs_embedder_embed_batch(e, texts, 10, out, 4));
    ck_assert_int_eq(h.calls, 4); /* 3 + 3 + 3 + 1 */
    ck_assert_uint_eq(h.largest_batch, 3);
    ck_assert_float_eq(out[0], 4.0f);
    ck_assert_float_eq(out[4], 2.0f);
    ck_assert_float_eq(out[9 * 4 + 1], (float)'a');
    /* normalised by default */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_NORMALIZE, 1));
    ck_assert_ok(rs_embedder_embed(e, "abcd", out, 4));
    ck_assert_float_eq_tol(out[0] * out[0] + out[1] * out[1] + out[2] * out[2] + out[3] * out[3],
                           1.0f, 1e-6f);
    /* no hashing-only options, no fit */
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_DIM, 64), RS_ERR_UNSUPPORTED);
    ck_assert_status(rs_embedder_fit(e, texts, 2), RS_ERR_UNSUPPORTED);
    /* the tokenizer still works on a callback embedder */
    ck_assert_status(rs_embedder_tokenize(e, "hello", RS_TOKENS_WORDS, NULL, 0, NULL, NULL),
                     RS_ERR_BUFFER);
    rs_embedder_free(e);
}
END_TEST

START_TEST(callback_failure_reaches_caller)
{
    host h = {0};
    rs_embedder *e = NULL;
    const char *texts[5] = {"a", "b", "c", "d", "e"};
    float out[5 * 3];
    ck_assert_ok(rs_embedder_create_callback(3, host_embed, &h, &e));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_BATCH_SIZE, 2));
    h.fail_on_call = 2; /* the first batch succeeds, the second fails */
    for (size_t i = 0; i < 15; i++)
        out[i] = 9.0f;
    ck_assert_status(rs_embedder_embed_batch(e, texts, 5, out, 3), RS_ERR_CALLBACK);
    ck_assert_errmsg_has("model server unreachable");
    ck_assert_errmsg_has("texts 2..3");
    /* nothing half-written: the first batch's rows are gone too */
    for (size_t i = 0; i < 15; i++)
        ck_assert_float_eq(out[i], 0.0f);
    ck_assert_int_eq(h.calls, 2);

    h.calls = 0;
    h.fail_on_call = 1;
    ck_assert_status(rs_embedder_embed(e, "x", out, 3), RS_ERR_CALLBACK);
    ck_assert_errmsg_has("(7)");
    rs_embedder_free(e);
}
END_TEST

START_TEST(non_finite_output_is_refused)
{
    host h = {0};
    rs_embedder *e = NULL;
    const char *texts[2] = {"a", "b"};
    float out[2 * 4];
    h.write_nan = 1;
    ck_assert_ok(rs_embedder_create_callback(4, host_embed, &h, &e));
    ck_assert_status(rs_embedder_embed_batch(e, texts, 2, out, 4), RS_ERR_CALLBACK);
    ck_assert_errmsg_has("text 1, dimension 2");
    for (size_t i = 0; i < 8; i++)
        ck_assert_float_eq(out[i], 0.0f);
    rs_embedder_free(e);
}
END_TEST

START_TEST(host_sees_only_valid_utf8)
{
    host h = {0};
    rs_embedder *e = NULL;
    float out[4];
    ck_assert_ok(rs_embedder_create_callback(4, host_embed, &h, &e));
    ck_assert_status(rs_embedder_embed(e, "bad\xC3", out, 4), RS_ERR_ENCODING);
    ck_assert_errmsg_has("byte 3");
    ck_assert_int_eq(h.calls, 0);
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_INVALID_UTF8, 1));
    ck_assert_ok(rs_embedder_embed(e, "bad\xC3", out, 4));
    ck_assert_str_eq(h.last_text, "bad\xEF\xBF\xBD");
    rs_embedder_free(e);
}
END_TEST

START_TEST(create_checks_arguments)
{
    host h = {0};
    rs_embedder *e = (rs_embedder *)&h;
    ck_assert_status(rs_embedder_create_callback(4, NULL, &h, &e), RS_ERR_INVALID);
    ck_assert_ptr_null(e);
    ck_assert_status(rs_embedder_create_callback(0, host_embed, &h, &e), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_create_callback(65537, host_embed, &h, &e), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_create_callback(4, host_embed, &h, NULL), RS_ERR_INVALID);
    /* NULL context is allowed */
    ck_assert_ok(rs_embedder_create_callback(4, host_embed, NULL, &e));
    rs_embedder_free(e);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("text_callback");
    TCase *tc = tcase_create("callback");
    tcase_add_test(tc, callback_receives_context_and_batches);
    tcase_add_test(tc, callback_failure_reaches_caller);
    tcase_add_test(tc, non_finite_output_is_refused);
    tcase_add_test(tc, host_sees_only_valid_utf8);
    tcase_add_test(tc, create_checks_arguments);
    suite_add_tcase(s, tc);
    return s;
}
