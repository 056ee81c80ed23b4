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

static char path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_scratch(path, sizeof path, "model.rsm");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rs_model *m = NULL;
    fuzz_remove_db(path);
    if (fuzz_write_file(path, data, size) != 0)
        return 0;
    if (rs_model_open(path, RS_MODEL_READONLY, &m) == RS_OK)
        fuzz_use_model(m, 1);
    rs_model_close(m);
    fuzz_remove_db(path);
    rs_clear_error();
    return 0;
}
