/*
 * test_text_wordvec.c - pre-trained word vectors: .vec with a header, GloVe
 * without, word2vec binary; bad files (ragged rows, wrong counts, NaN, not
 * numbers, truncation, empty, missing) rejected with file:line; SIF weights
 * and the removal of the first principal component.
 */
#include "testutil.h"
#include "text/text_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/rs_wordvec_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Write `size` bytes to dir/name; returns the path (static). */
static const char *write_file(const char *name, const void *data, size_t size)
{
    static char path[128];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, size, f), size);
    fclose(f);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

static int load(const char *path, rs_embedder **e)
{
    return rs_embedder_load_vectors(path, RS_VECTORS_AUTO, 0, e);
}

static const char *const small_vec =
    "6 3\n"
    "red 1 0 0\n"
    "blue 0 1 0 \n" /* word2vec writes a trailing space */
    "mug 0 0 1\r\n"
    "cup 0 0.1 0.9\n"
    "Red 9 9 9\n" /* the same word once normalised: skipped */
    "\xE6\x89\x8B\xE6\x9C\xBA 0.5 0.5 0\n"; /* 手机 */

START_TEST(text_file_with_header_loads)
{
    rs_embedder *e = NULL;
    float v[3];
    make_dir();
    ck_assert_ok(load(write_text("small.vec", small_vec), &e));
    ck_assert_int_eq(rs_embedder_kind(e), RS_EMBEDDER_WORD_VECTORS);
    ck_assert_uint_eq(rs_embedder_dim(e), 3);
    ck_assert_uint_eq(e->wv.n_words, 5);
    ck_assert_ok(rs_embedder_embed(e, "MUG", v, 3));
    ck_assert_float_eq_tol(v[2], 1.0f, 1e-6f);
    /* "Red" in a text finds the first "red", not the skipped duplicate */
    ck_assert_ok(rs_embedder_embed(e, "Red", v, 3));
    ck_assert_float_eq_tol(v[0], 1.0f, 1e-6f);
    /* unknown words: a zero vector */
    ck_assert_ok(rs_embedder_embed(e, "teapot saucer", v, 3));
    ck_assert_float_eq(v[0] + v[1] + v[2], 0.0f);
    /* CJK: the bigram 手机 is in the vocabulary and wins over its characters */
    ck_assert_ok(rs_embedder_embed(e, "手机", v, 3));
    ck_assert_float_eq_tol(v[0], v[1], 1e-6f);
    ck_assert_float_gt(v[0], 0.7f);
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_DIM, 64), RS_ERR_UNSUPPORTED);
    rs_embedder_free(e);
    remove_dir();
}
END_TEST

START_TEST(glove_without_header_loads)
{
    rs_embedder *e = NULL;
    make_dir();
    ck_assert_ok(load(write_text("glove.txt", "red 1 0 0 0\nblue 0 1 0 0\n\nmug 0 0 1 0\n"), &e));
    ck_assert_uint_eq(rs_embedder_dim(e), 4);
    ck_assert_uint_eq(e->wv.n_words, 3);
    rs_embedder_free(e);
    /* max_words keeps the first rows */
    ck_assert_ok(rs_embedder_load_vectors(write_text("glove2.txt", "a1 1 0\nb1 0 1\nc1 1 1\n"),
                                          RS_VECTORS_TEXT, 2, &e));
    ck_assert_uint_eq(e->wv.n_words, 2);
    rs_embedder_free(e);
    remove_dir();
}
END_TEST

static size_t put_binary_row(unsigned char *p, const char *word, const float *values, int dim)
{
    size_t n = strlen(word);
    memcpy(p, word, n);
    p[n++] = ' ';
    for (int j = 0; j < dim; j++) {
        uint32_t bits;
        memcpy(&bits, &values[j], 4);
        for (int b = 0; b < 4; b++)
            p[n++] = (unsigned char)(bits >> (8 * b)); /* little-endian */
    }
    p[n++] = '\n';
    return n;
}

START_TEST(word2vec_binary_loads_and_truncation_is_caught)
{
    unsigned char data[256];
    const float red[2] = {1.0f, 0.0f}, mug[2] = {0.0f, -2.5f}, bad[2] = {NAN, 1.0f};
    size_t n = 0;
    rs_embedder *e = NULL;
    float v[2];
    make_dir();
    memcpy(data, "2 2\n", 4);
    n = 4;
    n += put_binary_row(data + n, "red", red, 2);
    n += put_binary_row(data + n, "mug", mug, 2);
    ck_assert_ok(load(write_file("w2v.bin", data, n), &e));
    ck_assert_uint_eq(rs_embedder_dim(e), 2);
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_NORMALIZE, 0));
    ck_assert_ok(rs_embedder_embed(e, "mug", v, 2));
    ck_assert_float_lt(v[1], 0.0f); /* SIF-weighted -2.5 */
    ck_assert_float_eq(v[0], 0.0f);
    rs_embedder_free(e);

    ck_assert_status(load(write_file("cut.bin", data, n - 5), &e), RS_ERR_PARSE);
    ck_assert_errmsg_has("cut.bin: vector 2");
    ck_assert_errmsg_has("truncated");
    ck_assert_ptr_null(e);

    n = 4;
    n += put_binary_row(data + n, "red", red, 2);
    n += put_binary_row(data + n, "nan", bad, 2);
    ck_assert_status(load(write_file("nan.bin", data, n), &e), RS_ERR_RANGE);
    ck_assert_errmsg_has("vector 2");
    ck_assert_status(load(write_file("hdr.bin", "x y\n", 4), &e), RS_ERR_PARSE);
    ck_assert_errmsg_has("hdr.bin:1");
    remove_dir();
}
END_TEST

START_TEST(bad_text_files_are_rejected_with_file_and_line)
{
    rs_embedder *e = NULL;
    make_dir();
    ck_assert_status(load(write_text("ragged.vec", "3 3\nred 1 0 0\nblue 0 1\nmug 0 0 1\n"), &e),
                     RS_ERR_PARSE);
    ck_assert_errmsg_has("ragged.vec:3: 2 values after the word, expected 3");
    ck_assert_status(load(write_text("long.vec", "2 2\nred 1 0\nblue 0 1 7\n"), &e),
                     RS_ERR_PARSE);
    ck_assert_errmsg_has("long.vec:3");
    ck_assert_status(load(write_text("ragged.txt", "red 1 0 0\nblue 0 1 0 0\n"), &e),
                     RS_ERR_PARSE);
    ck_assert_errmsg_has("ragged.txt:2");
    ck_assert_status(load(write_text("more.vec", "1 3\nred 1 0 0\nblue 0 1 0\n"), &e),
                     RS_ERR_PARSE);
    ck_assert_errmsg_has("more.vec:3: more vectors than the 1");
    ck_assert_status(load(write_text("fewer.vec", "3 3\nred 1 0 0\n"), &e), RS_ERR_PARSE);
    ck_assert_errmsg_has("announces 3 vectors, the file has 1");
    ck_assert_status(load(write_text("nan.vec", "2 3\nred 1 0 0\nblue 0 nan 0\n"), &e),
                     RS_ERR_RANGE);
    ck_assert_errmsg_has("nan.vec:3: value 2");
    ck_assert_status(load(write_text("inf.vec", "red 1 -inf 0\n"), &e), RS_ERR_RANGE);
    ck_assert_errmsg_has("inf.vec:1");
    ck_assert_status(load(write_text("word.vec", "red 1 0 0\nblue 0 x1 0\n"), &e), RS_ERR_PARSE);
    ck_assert_errmsg_has("word.vec:2: value 2 \"x1\" is not a number");
    ck_assert_status(load(write_text("empty.vec", ""), &e), RS_ERR_PARSE);
    ck_assert_errmsg_has("empty.vec");
    ck_assert_status(load(write_text("zero.vec", "0 3\n"), &e), RS_ERR_PARSE);
    ck_assert_status(load(write_text("lone.vec", "justaword\n"), &e), RS_ERR_PARSE);
    ck_assert_errmsg_has("lone.vec:1");
    ck_assert_ptr_null(e);
    ck_assert_status(load("/nonexistent/dir/v.vec", &e), RS_ERR_IO);
    ck_assert_errmsg_has("/nonexistent/dir/v.vec");
    ck_assert_status(rs_embedder_load_vectors(NULL, RS_VECTORS_TEXT, 0, &e), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_load_vectors("x.vec", 9, 0, &e), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_load_vectors("x.vec", RS_VECTORS_TEXT, 0, NULL), RS_ERR_INVALID);
    remove_dir();
}
END_TEST

START_TEST(sif_weights_and_principal_component)
{
    static const char *const corpus[] = {
        "red mug", "red cup", "red blue", "red mug cup", "blue mug", "red", "red red blue",
    };
    rs_embedder *e = NULL;
    float before[3], after[3];
    double dot = 0;
    make_dir();
    ck_assert_ok(load(write_text("small.vec", small_vec), &e));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_NORMALIZE, 0));
    ck_assert_ok(rs_embedder_set_double(e, RS_EMBEDDER_SIF_A, 0.01));
    ck_assert_ok(rs_embedder_embed(e, "red mug", before, 3));
    ck_assert_ok(rs_embedder_fit(e, corpus, sizeof corpus / sizeof corpus[0]));
    ck_assert_ptr_nonnull(e->wv.pc);
    /* "red" is the most frequent word of the corpus: it weighs less than "mug" */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_REMOVE_PC, 0));
    ck_assert_ok(rs_embedder_embed(e, "red mug", after, 3));
    ck_assert_float_lt(after[0], after[2]);
    /* with the component removed the vector is orthogonal to it */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_REMOVE_PC, 1));
    ck_assert_ok(rs_embedder_embed(e, "red mug", after, 3));
    for (int j = 0; j < 3; j++)
        dot += (double)after[j] * e->wv.pc[j];
    ck_assert_double_lt(fabs(dot), 1e-5);
    ck_assert(after[0] != before[0] || after[2] != before[2]);
    /* the a constant is fixed once fitted */
    ck_assert_status(rs_embedder_set_double(e, RS_EMBEDDER_SIF_A, 0.1), RS_ERR_STATE);
    rs_embedder_free(e);
    remove_dir();
}
END_TEST

START_TEST(batch_of_word_vectors_matches_single)
{
    static const char *const texts[] = {"red mug", "blue cup", "手机", "nothing known", ""};
    rs_embedder *e = NULL;
    float batch[5 * 3], one[3];
    make_dir();
    ck_assert_ok(load(write_text("small.vec", small_vec), &e));
    ck_assert_ok(rs_embedder_embed_batch(e, texts, 5, batch, 3));
    for (int i = 0; i < 5; i++) {
        ck_assert_ok(rs_embedder_embed(e, texts[i], one, 3));
        ck_assert_mem_eq(one, batch + 3 * i, sizeof one);
    }
    rs_embedder_free(e);
    remove_dir();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("text_wordvec");
    TCase *tc = tcase_create("wordvec");
    tcase_add_test(tc, text_file_with_header_loads);
    tcase_add_test(tc, glove_without_header_loads);
    tcase_add_test(tc, word2vec_binary_loads_and_truncation_is_caught);
    tcase_add_test(tc, bad_text_files_are_rejected_with_file_and_line);
    tcase_add_test(tc, sif_weights_and_principal_component);
    tcase_add_test(tc, batch_of_word_vectors_matches_single);
    suite_add_tcase(s, tc);
    return s;
}
