/*
 * fuzz_model.c - libFuzzer harness: a whole model file, mutated, opened
 * read-only and used as `recsim recommend / explain / similar / stats` use
 * it.  The seed is tests/fuzz/corpus/fuzz_model/seed.rsm (a built model of tests/data).
 *
 * SQLite rejects most damaged pages itself ("malformed"); what this reaches
 * is the library's reading of a file that SQLite accepts but whose rows,
 * counts, keys and blobs were changed.
 */
#include "fuzz_util.h"

#include <math.h>

static char path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_scratch(path, sizeof path, "model.rsm");
    return 0;
}

static void use(rs_model *m)
{
    static const char *const users[] = {"u00", "u13", "nobody"};
    const char *keys[8], *page[16];
    float scores[8];
    uint32_t items[8];
    size_t n = 0, cursor = 0;
    char tuning[256];
    for (int kind = RS_MODEL_COUNT_ITEMS; kind <= RS_MODEL_COUNT_USERS_WITH_HISTORY; kind++)
        (void)rs_model_count(m, kind);
    rs_model_tuning(m, tuning, sizeof tuning, &n);
    rs_model_users(m, &cursor, page, 16, &n);
    if (!rs_model_is_built(m))
        return;
    for (size_t u = 0; u < sizeof users / sizeof users[0]; u++) {
        if (rs_model_recommend(m, users[u], 8, NULL, 0, NULL, 0, keys, scores, items, &n) !=
            RS_OK)
            continue;
        for (size_t i = 0; i < n; i++) {
            rs_explanation *e = NULL;
            if (!keys[i] || isnan(scores[i]))
                abort(); /* a listed item has a key and a score */
            if (i < 2 && rs_model_explain(m, users[u], keys[i], &e) == RS_OK) {
                (void)rs_explanation_text(e);
                (void)rs_explanation_length(e);
            }
            rs_explanation_free(e);
        }
    }
    if (rs_model_item_count(m) > 0) {
        const char *key = rs_model_item_key(m, 0);
        if (!key)
            abort();
        rs_model_similar(m, key, 8, keys, scores, items, &n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rs_model *m = NULL;
    fuzz_remove_db(path);
    if (fuzz_write_file(path, data, size) != 0)
        return 0;
    if (rs_model_open(path, RS_MODEL_READONLY, &m) == RS_OK)
        use(m);
    rs_model_close(m);
    fuzz_remove_db(path);
    rs_clear_error();
    return 0;
}
