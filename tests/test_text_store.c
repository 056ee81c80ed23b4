/*
 * test_text_store.c - the embedder in the model file (save, reopen, load:
 * bitwise the same vectors; damaged, missing and newer blobs refused) and
 * graph-aware item embeddings.
 */
#include "graph_fixture.h"

#include "text/text_internal.h"

#include <math.h>
#include <xxhash.h>

static float dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return (float)s;
}

static const char *const corpus[] = {
    "WHITE HANGING HEART T-LIGHT HOLDER", "RED RETROSPOT CAKE STAND", "购买苹果手机",
    "JUMBO BAG RED RETROSPOT", "PINK HEART CANDLE HOLDER", "苹果手机壳 红色",
};
#define N_CORPUS (sizeof corpus / sizeof corpus[0])

static rs_graph *open_graph(const char *path, unsigned flags)
{
    rs_graph *g = NULL;
    ck_assert_ok(rs_graph_open(path, flags, &g));
    return g;
}

START_TEST(fitted_hashing_embedder_round_trips)
{
    char *path = graph_temp_path("embsave");
    rs_embedder *e = NULL, *loaded = NULL;
    rs_graph *g = open_graph(path, RS_GRAPH_CREATE);
    float a[N_CORPUS * 128], b[N_CORPUS * 128];
    int64_t v;
    double d;

    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_DIM, 128));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_SEED, 987654321012345LL));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MAX, 4));
    ck_assert_ok(rs_embedder_set_double(e, RS_EMBEDDER_CHAR_WEIGHT, 0.7));
    ck_assert_ok(rs_embedder_add_stopword(e, "Holder"));
    ck_assert_ok(rs_embedder_fit(e, corpus, N_CORPUS));
    ck_assert_ok(rs_embedder_embed_batch(e, corpus, N_CORPUS, a, 128));
    ck_assert_ok(rs_embedder_save(e, g));
    rs_graph_close(g);

    g = open_graph(path, RS_GRAPH_READONLY);
    ck_assert_ok(rs_embedder_load(g, NULL, NULL, &loaded));
    rs_graph_close(g); /* the embedder does not need the graph afterwards */
    ck_assert_int_eq(rs_embedder_kind(loaded), RS_EMBEDDER_HASHING);
    ck_assert_uint_eq(rs_embedder_dim(loaded), 128);
    ck_assert_ok(rs_embedder_get_int(loaded, RS_EMBEDDER_SEED, &v));
    ck_assert_int_eq(v, 987654321012345LL);
    ck_assert_ok(rs_embedder_get_double(loaded, RS_EMBEDDER_CHAR_WEIGHT, &d));
    ck_assert_double_eq(d, 0.7);
    ck_assert_ok(rs_embedder_embed_batch(loaded, corpus, N_CORPUS, b, 128));
    ck_assert_mem_eq(a, b, sizeof a);
    /* still fitted: feature options frozen */
    ck_assert_status(rs_embedder_set_int(loaded, RS_EMBEDDER_SEED, 1), RS_ERR_STATE);
    rs_embedder_free(e);
    rs_embedder_free(loaded);
    graph_remove_db(path);
}
END_TEST

START_TEST(callback_and_unfitted_embedders_round_trip)
{
    rs_graph *g = open_graph(":memory:", RS_GRAPH_CREATE);
    rs_embedder *e = NULL, *loaded = NULL;
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("no embedder");
    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_NUMBERS, 2));
    ck_assert_ok(rs_embedder_save(e, g));
    ck_assert_ok(rs_embedder_load(g, NULL, NULL, &loaded));
    {
        int64_t v = 0;
        ck_assert_ok(rs_embedder_get_int(loaded, RS_EMBEDDER_NUMBERS, &v));
        ck_assert_int_eq(v, 2);
        ck_assert_ok(rs_embedder_set_int(loaded, RS_EMBEDDER_SEED, 3)); /* not fitted */
    }
    rs_embedder_free(loaded);
    rs_embedder_free(e);
    ck_assert_status(rs_embedder_save(NULL, g), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_load(NULL, NULL, NULL, &loaded), RS_ERR_INVALID);
    ck_assert_status(rs_embedder_load(g, NULL, NULL, NULL), RS_ERR_INVALID);
    rs_graph_close(g);
}
END_TEST

static int constant_embed(void *ctx, const char *const *texts, size_t n, float *out, size_t dim,
                          char *message, size_t message_size)
{
    (void)ctx;
    (void)texts;
    (void)message;
    (void)message_size;
    for (size_t i = 0; i < n * dim; i++)
        out[i] = 1.0f;
    return 0;
}

START_TEST(callback_embedder_needs_its_callback)
{
    rs_graph *g = open_graph(":memory:", RS_GRAPH_CREATE);
    rs_embedder *e = NULL, *loaded = NULL;
    float v[5];
    ck_assert_ok(rs_embedder_create_callback(5, constant_embed, NULL, &e));
    ck_assert_ok(rs_embedder_save(e, g));
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_INVALID);
    ck_assert_errmsg_has("callback");
    ck_assert_ok(rs_embedder_load(g, constant_embed, NULL, &loaded));
    ck_assert_uint_eq(rs_embedder_dim(loaded), 5);
    ck_assert_ok(rs_embedder_embed(loaded, "x", v, 5));
    ck_assert_float_eq_tol(v[0], 1.0f / sqrtf(5.0f), 1e-6f);
    rs_embedder_free(loaded);
    rs_embedder_free(e);
    /* a hashing embedder refuses a callback */
    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_ok(rs_embedder_save(e, g));
    ck_assert_status(rs_embedder_load(g, constant_embed, NULL, &loaded), RS_ERR_INVALID);
    rs_embedder_free(e);
    rs_graph_close(g);
}
END_TEST

START_TEST(word_vector_embedder_round_trips)
{
    static const char *const vec =
        "4 3\nred 1 0 0\nmug 0 0 1\nblue 0 1 0\n\xE6\x89\x8B\xE6\x9C\xBA 0.5 0.5 0.1\n";
    static const char *const texts[] = {"red mug", "blue mug", "手机", "red red blue"};
    char vec_path[64];
    FILE *f;
    rs_graph *g = open_graph(":memory:", RS_GRAPH_CREATE);
    rs_embedder *e = NULL, *loaded = NULL;
    float a[4 * 3], b[4 * 3];
    snprintf(vec_path, sizeof vec_path, "/tmp/rs_store_%d.vec", (int)getpid());
    f = fopen(vec_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(vec, f);
    fclose(f);
    ck_assert_ok(rs_embedder_load_vectors(vec_path, RS_VECTORS_TEXT, 0, &e));
    unlink(vec_path);
    ck_assert_ok(rs_embedder_fit(e, texts, 4));
    ck_assert_ok(rs_embedder_embed_batch(e, texts, 4, a, 3));
    ck_assert_ok(rs_embedder_save(e, g));
    ck_assert_ok(rs_embedder_load(g, NULL, NULL, &loaded));
    ck_assert_int_eq(rs_embedder_kind(loaded), RS_EMBEDDER_WORD_VECTORS);
    ck_assert_ok(rs_embedder_embed_batch(loaded, texts, 4, b, 3));
    ck_assert_mem_eq(a, b, sizeof a);
    rs_embedder_free(loaded);
    rs_embedder_free(e);
    rs_graph_close(g);
}
END_TEST

START_TEST(damaged_or_newer_state_is_refused)
{
    rs_graph *g = open_graph(":memory:", RS_GRAPH_CREATE);
    rs_embedder *e = NULL, *loaded = NULL;
    void *blob = NULL;
    size_t len = 0;
    char *config;
    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_ok(rs_embedder_fit(e, corpus, N_CORPUS));
    ck_assert_ok(rs_embedder_save(e, g));

    /* one flipped byte in the idf table */
    ck_assert_ok(rs__graph_meta_get(g, "embedder.idf", &blob, &len));
    ((unsigned char *)blob)[len / 2] ^= 0x40;
    ck_assert_ok(rs__graph_meta_set(g, "embedder.idf", blob, len));
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("embedder.idf");
    ck_assert_ptr_null(loaded);
    /* truncated */
    ck_assert_ok(rs__graph_meta_set(g, "embedder.idf", blob, 10));
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_CORRUPT);
    free(blob);

    /* a newer format */
    ck_assert_ok(rs_embedder_save(e, g));
    ck_assert_ok(rs__graph_meta_get(g, "embedder.config", &blob, &len));
    config = malloc(len + 1);
    memcpy(config, blob, len);
    config[len] = '\0';
    ck_assert_ptr_nonnull(strstr(config, "format=1\n"));
    strstr(config, "format=1\n")[7] = '9';
    ck_assert_ok(rs__graph_meta_set(g, "embedder.config", config, len));
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_VERSION);
    /* an option out of range */
    strstr(config, "format=9\n")[7] = '1';
    memcpy(strstr(config, "hashes=2"), "hashes=9", 8);
    ck_assert_ok(rs__graph_meta_set(g, "embedder.config", config, len));
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("hashes");
    /* a missing field */
    ck_assert_ok(rs__graph_meta_set(g, "embedder.config", "format=1\nkind=1\n", 16));
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("missing");
    free(config);
    free(blob);
    rs_embedder_free(e);
    rs_graph_close(g);
}
END_TEST

/* A copy of the saved embedder.config text, NUL-terminated. */
static char *config_text(rs_graph *g, size_t *len_out)
{
    void *blob = NULL;
    size_t len = 0;
    ck_assert_ok(rs__graph_meta_get(g, "embedder.config", &blob, &len));
    char *text = malloc(len + 1);
    ck_assert_ptr_nonnull(text);
    memcpy(text, blob, len);
    text[len] = '\0';
    free(blob);
    *len_out = len;
    return text;
}

/* Save `text` with `from` replaced by `to`, and expect loading to fail as
 * corrupt with `needle` in the message. */
static void expect_config_refused(rs_graph *g, const char *text, const char *from,
                                  const char *to, const char *needle)
{
    rs_embedder *loaded = NULL;
    const char *at = strstr(text, from);
    char edited[2048];
    ck_assert_msg(at != NULL, "\"%s\" not in the configuration", from);
    snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    ck_assert_ok(rs__graph_meta_set(g, "embedder.config", edited, strlen(edited)));
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_CORRUPT);
    ck_assert_errmsg_has(needle);
    ck_assert_ptr_null(loaded);
}

/* Replace the idf blob by its first `keep` bytes, then `extra`, then a
 * fresh checksum: damage that the checksum alone does not catch. */
static void put_idf(rs_graph *g, const unsigned char *blob, size_t keep, const void *extra,
                    size_t extra_len)
{
    unsigned char buf[65536];
    uint64_t sum;
    ck_assert_uint_lt(keep + extra_len + 8, sizeof buf);
    memcpy(buf, blob, keep);
    memcpy(buf + keep, extra, extra_len);
    sum = XXH3_64bits(buf, keep + extra_len);
    for (int i = 0; i < 8; i++)
        buf[keep + extra_len + (size_t)i] = (unsigned char)(sum >> (8 * i));
    ck_assert_ok(rs__graph_meta_set(g, "embedder.idf", buf, keep + extra_len + 8));
}

START_TEST(edited_config_and_idf_are_refused)
{
    rs_graph *g = open_graph(":memory:", RS_GRAPH_CREATE);
    rs_embedder *e = NULL, *loaded = NULL;
    size_t len = 0;
    void *idf = NULL;
    size_t idf_len = 0;
    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_ok(rs_embedder_fit(e, corpus, N_CORPUS));
    ck_assert_ok(rs_embedder_save(e, g));
    char *text = config_text(g, &len);

    /* edits inside every option's range still change the vectors */
    expect_config_refused(g, text, "seed=0\n", "seed=5\n", "checksum");
    expect_config_refused(g, text, "hashes=2\n", "hashes=3\n", "checksum");
    expect_config_refused(g, text, "dim=256\n", "dim=128\n", "checksum");
    /* out of range, malformed or repeated: named */
    expect_config_refused(g, text, "seed=0\n", "seed=-1\n", "seed=-1");
    expect_config_refused(g, text, "hashes=2\n", "hashes=2.5\n", "hashes");
    expect_config_refused(g, text, "seed=0\n", "seed=99999999999999999999\n", "seed");
    expect_config_refused(g, text, "dim=256\n", "dim=100000\n", "dim=100000");
    expect_config_refused(g, text, "fitted=1\n", "fitted=7\n", "fitted");
    expect_config_refused(g, text, "kind=1\n", "kind=4294967297\n", "kind");
    expect_config_refused(g, text, "char_weight=1\n", "char_weight=nan\n", "char_weight");
    expect_config_refused(g, text, "seed=0\n", "seed=0\nseed=0\n", "twice");

    /* the idf blob: trailing bytes and a NaN for unseen features */
    ck_assert_ok(rs__graph_meta_set(g, "embedder.config", text, len));
    ck_assert_ok(rs_embedder_load(g, NULL, NULL, &loaded));
    rs_embedder_free(loaded);
    loaded = NULL;
    ck_assert_ok(rs__graph_meta_get(g, "embedder.idf", &idf, &idf_len));
    put_idf(g, idf, idf_len - 8, "\0\0\0\0", 4);
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("embedder.idf");
    ck_assert_errmsg_has("trailing");
    unsigned char nan_bits[4] = {0x00, 0x00, 0xc0, 0x7f};
    unsigned char *copy = malloc(idf_len);
    memcpy(copy, idf, idf_len);
    memcpy(copy + 16, nan_bits, 4); /* magic, document count, then unseen_idf */
    put_idf(g, copy, idf_len - 8, "", 0);
    ck_assert_status(rs_embedder_load(g, NULL, NULL, &loaded), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("unseen");
    ck_assert_ptr_null(loaded);
    free(copy);
    free(idf);
    free(text);
    rs_embedder_free(e);
    rs_graph_close(g);
}
END_TEST

START_TEST(read_only_model_cannot_be_written)
{
    char *path = graph_temp_path("embro");
    rs_graph *g = open_graph(path, RS_GRAPH_CREATE);
    rs_embedder *e = NULL;
    rs_graph_close(g);
    g = open_graph(path, RS_GRAPH_READONLY);
    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_status(rs_embedder_save(e, g), RS_ERR_READONLY);
    rs_embedder_free(e);
    rs_graph_close(g);
    graph_remove_db(path);
}
END_TEST

/* ---------------------------------------------------------------- graph embeddings */

static rs_graph *catalogue_graph(void)
{
    rs_graph *g = open_graph(":memory:", RS_GRAPH_CREATE);
    uint32_t i1, i2, i3, i4, acme, mugs, u1, has_brand, in_category, bought;
    ck_assert_ok(rs_graph_add_node(g, "item", "i1", &i1));
    ck_assert_ok(rs_graph_add_node(g, "item", "i2", &i2));
    ck_assert_ok(rs_graph_add_node(g, "item", "i3", &i3));
    ck_assert_ok(rs_graph_add_node(g, "item", "i4", &i4));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &acme));
    ck_assert_ok(rs_graph_add_node(g, "category", "mugs", &mugs));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &u1));
    ck_assert_ok(rs_graph_add_relation(g, "has_brand", &has_brand));
    ck_assert_ok(rs_graph_add_relation(g, "in_category", &in_category));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &bought));
    ck_assert_ok(rs_graph_add_edge(g, i1, has_brand, acme, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, i2, has_brand, acme, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, i4, has_brand, acme, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, i3, in_category, mugs, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i3, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i1, 1.0, 0, RS_GRAPH_MERGE_NONE));
    return g;
}

START_TEST(graph_blends_items_with_their_entities)
{
    static const char *const keys[] = {"i1", "i2", "i3", "i4"};
    static const char *const texts[] = {"red retrospot cake stand", "wooden picture frame",
                                        "enamel mug", NULL};
    static const char *const entity_types[] = {"brand", "category"};
    enum { DIM = 128 };
    rs_graph *g = catalogue_graph();
    rs_embedder *e = NULL;
    float text[4 * DIM], blended[4 * DIM], again[4 * DIM];
    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_DIM, DIM));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_GRAPH_ROUNDS, 0));
    ck_assert_ok(rs_embedder_embed_graph(e, g, "item", keys, texts, 4, entity_types, 2, text,
                                         DIM));
    ck_assert_float_eq(dot(text + 3 * DIM, text + 3 * DIM, DIM), 0.0f); /* no text, no rounds */
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_GRAPH_ROUNDS, 1));
    ck_assert_ok(rs_embedder_embed_graph(e, g, "item", keys, texts, 4, entity_types, 2, blended,
                                         DIM));
    /* i1 and i2 share the brand: closer than their texts alone */
    ck_assert_float_gt(dot(blended, blended + DIM, DIM), dot(text, text + DIM, DIM) + 0.2f);
    /* i4 has no text: it takes the brand's vector, between i1 and i2 */
    ck_assert_float_eq_tol(dot(blended + 3 * DIM, blended + 3 * DIM, DIM), 1.0f, 1e-5f);
    ck_assert_float_gt(dot(blended + 3 * DIM, text, DIM), 0.5f);
    ck_assert_float_gt(dot(blended + 3 * DIM, text + DIM, DIM), 0.5f);
    /* i3's only entity is its own category: its vector stays its text's */
    ck_assert_float_gt(dot(blended + 2 * DIM, text + 2 * DIM, DIM), 0.999f);
    /* deterministic */
    ck_assert_ok(rs_embedder_embed_graph(e, g, "item", keys, texts, 4, entity_types, 2, again,
                                         DIM));
    ck_assert_mem_eq(blended, again, sizeof again);
    /* all types but item: the user links i1 and i3 as well */
    ck_assert_ok(rs_embedder_embed_graph(e, g, "item", keys, texts, 4, NULL, 0, again, DIM));
    ck_assert_float_gt(dot(again, again + 2 * DIM, DIM), dot(blended, blended + 2 * DIM, DIM));
    /* self weight 1: texts only (where there is text) */
    ck_assert_ok(rs_embedder_set_double(e, RS_EMBEDDER_GRAPH_SELF, 1.0));
    ck_assert_ok(rs_embedder_embed_graph(e, g, "item", keys, texts, 4, entity_types, 2, again,
                                         DIM));
    for (size_t i = 0; i < 3 * DIM; i++)
        ck_assert_float_eq_tol(again[i], text[i], 1e-6f);
    rs_embedder_free(e);
    rs_graph_close(g);
}
END_TEST

START_TEST(graph_embedding_checks_arguments)
{
    static const char *const keys[] = {"i1", "i2", "nope"};
    static const char *const bad_type[] = {"brand", "colour"};
    rs_graph *g = catalogue_graph();
    rs_embedder *e = NULL;
    float out[3 * 64];
    ck_assert_ok(rs_embedder_create_hashing(&e));
    ck_assert_ok(rs_embedder_set_int(e, RS_EMBEDDER_DIM, 64));
    out[0] = 3.0f;
    ck_assert_status(rs_embedder_embed_graph(e, g, "item", keys, NULL, 3, NULL, 0, out, 64),
                     RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("item 2");
    ck_assert_float_eq(out[0], 0.0f);
    ck_assert_status(rs_embedder_embed_graph(e, g, "item", keys, NULL, 2, bad_type, 2, out, 64),
                     RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("colour");
    ck_assert_status(rs_embedder_embed_graph(e, g, "item", keys, NULL, 2, NULL, 0, out, 63),
                     RS_ERR_DIM);
    ck_assert_status(rs_embedder_embed_graph(e, NULL, "item", keys, NULL, 2, NULL, 0, out, 64),
                     RS_ERR_INVALID);
    ck_assert_status(rs_embedder_embed_graph(e, g, NULL, keys, NULL, 2, NULL, 0, out, 64),
                     RS_ERR_INVALID);
    ck_assert_ok(rs_embedder_embed_graph(e, g, "item", keys, NULL, 0, NULL, 0, out, 64));
    /* no texts at all: every item from its entities (i1, i2 via the brand) */
    ck_assert_ok(rs_embedder_embed_graph(e, g, "item", keys, NULL, 2, NULL, 0, out, 64));
    ck_assert_float_eq(dot(out, out, 64), 0.0f); /* entities of textless items are empty */
    ck_assert_status(rs_embedder_set_double(e, RS_EMBEDDER_GRAPH_SELF, 1.5), RS_ERR_RANGE);
    ck_assert_status(rs_embedder_set_int(e, RS_EMBEDDER_GRAPH_ROUNDS, 5), RS_ERR_RANGE);
    rs_embedder_free(e);
    rs_graph_close(g);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("text_store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fitted_hashing_embedder_round_trips);
    tcase_add_test(tc, callback_and_unfitted_embedders_round_trip);
    tcase_add_test(tc, callback_embedder_needs_its_callback);
    tcase_add_test(tc, word_vector_embedder_round_trips);
    tcase_add_test(tc, damaged_or_newer_state_is_refused);
    tcase_add_test(tc, edited_config_and_idf_are_refused);
    tcase_add_test(tc, read_only_model_cannot_be_written);
    tcase_add_test(tc, graph_blends_items_with_their_entities);
    tcase_add_test(tc, graph_embedding_checks_arguments);
    suite_add_tcase(s, tc);
    return s;
}
