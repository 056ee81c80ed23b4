/*
 * fuzz_util.h - helpers the libFuzzer harnesses share: scratch file names,
 * writing and copying files, and the seed model every model-file harness
 * starts from (tests/fuzz/corpus/fuzz_model/seed.rsm, or $RS_FUZZ_SEED_MODEL).
 *
 * Harnesses abort() on a failure of their own set-up, which libFuzzer
 * reports as a crash: a harness that silently tests nothing is worse.
 */
#ifndef RS_FUZZ_UTIL_H
#define RS_FUZZ_UTIL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline void fuzz_die(const char *what)
{
    fprintf(stderr, "fuzz harness set-up failed: %s: %s\n", what, rs_errmsg());
    abort();
}

/* A per-process scratch name: $TMPDIR/rs_fuzz_<pid>_<tag>. */
static inline void fuzz_scratch(char *buf, size_t cap, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/rs_fuzz_%d_%s", dir && *dir ? dir : "/tmp", (int)getpid(), tag);
}

/* Remove a SQLite file and its companions. */
static inline void fuzz_remove_db(const char *path)
{
    char name[600];
    unlink(path);
    snprintf(name, sizeof name, "%s-wal", path);
    unlink(name);
    snprintf(name, sizeof name, "%s-shm", path);
    unlink(name);
    snprintf(name, sizeof name, "%s-journal", path);
    unlink(name);
}

static inline int fuzz_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* The whole of a file in malloc'd memory (NULL on failure). */
static inline unsigned char *fuzz_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        *len_out = (size_t)n;
    fclose(f);
    return buf;
}

static inline const char *fuzz_seed_model(void)
{
    const char *p = getenv("RS_FUZZ_SEED_MODEL");
    return p && *p ? p : "tests/fuzz/corpus/fuzz_model/seed.rsm";
}

/* A fresh scratch copy of the seed model at path (read once). */
static inline void fuzz_copy_seed(const char *path)
{
    static size_t len;
    static unsigned char *seed;
    if (!seed && !(seed = fuzz_read_file(fuzz_seed_model(), &len)))
        fuzz_die("reading the seed model (run from the source tree or set RS_FUZZ_SEED_MODEL)");
    fuzz_remove_db(path);
    if (fuzz_write_file(path, seed, len) != 0)
        fuzz_die("writing a scratch model");
}

/* $RS_FUZZ_WRITE_SEEDS: the directory a harness writes its seed inputs to
 * (then exits), or NULL for a normal run. */
static inline const char *fuzz_seed_dir(void)
{
    const char *p = getenv("RS_FUZZ_WRITE_SEEDS");
    return p && *p ? p : NULL;
}

static inline void fuzz_write_seed(const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", fuzz_seed_dir(), name);
    if (fuzz_write_file(path, data, len) != 0)
        fuzz_die(path);
}

/* A model opened read-only, used as `recsim recommend / explain / similar /
 * stats` use it.  strict: a listed item without a key or with a NaN score,
 * or an item index without a key, is a finding (abort); otherwise whatever
 * comes back is passed on as it is (a harness that edits the file may have
 * made such answers legitimate errors further on). */
static inline void fuzz_use_model(rs_model *m, int strict)
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
        for (size_t i = 0; i < n && (strict || i < 2); i++) {
            rs_explanation *e = NULL;
            if (strict && (!keys[i] || isnan(scores[i])))
                abort(); /* a listed item has a key and a score */
            if (i < 2 && rs_model_explain(m, users[u], keys[i], &e) == RS_OK) {
                (void)rs_explanation_text(e);
                if (strict)
                    (void)rs_explanation_length(e);
            }
            rs_explanation_free(e);
        }
    }
    if (rs_model_item_count(m) > 0) {
        const char *key = rs_model_item_key(m, 0);
        if (strict && !key)
            abort();
        rs_model_similar(m, key, 8, keys, scores, items, &n);
    }
}

#endif
