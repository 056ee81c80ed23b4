/*
 * text_internal.h - the embedder handle and the preprocessing pipeline
 * shared by its kinds: normalise (UTF-8 -> NFKC case-folded code points),
 * split into units (words, numbers, CJK characters), then features.
 *
 * Everything that runs per text works in an rs__text_scratch owned by the
 * caller (one per thread), so that embedding only reads the handle.
 */
#ifndef RS_TEXT_INTERNAL_H
#define RS_TEXT_INTERNAL_H

#include "core/idmap.h"
#include "core/vec.h"
#include "recsim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Unit types. */
enum { RS__UNIT_WORD = 1, RS__UNIT_NUMBER = 2, RS__UNIT_CJK = 3 };

typedef struct rs__unit {
    uint32_t byte_off, byte_len; /* in scratch->bytes, UTF-8 */
    uint32_t cp_off, cp_len;     /* in scratch->cp */
    uint8_t type;
    uint8_t gap_before; /* a stop word or a dropped number was removed before it */
} rs__unit;

/* Open-addressing table of feature hash -> count, reset per text. */
typedef struct rs__feature_table {
    uint64_t *keys; /* 0 = empty (a real hash of 0 is stored as 1) */
    float *counts;  /* tf */
    float *base;    /* the feature's base weight (RS_EMBEDDER_CHAR_WEIGHT or 1) */
    uint32_t *used; /* slots in use, to reset and iterate in insertion order */
    size_t capacity, size;
} rs__feature_table;

typedef struct rs__text_scratch {
    int32_t *cp;
    size_t cp_cap;
    char *clean; /* UTF-8 with bad bytes replaced */
    size_t clean_cap;
    char *bytes; /* unit strings */
    size_t bytes_cap;
    rs__unit *units;
    size_t units_cap, n_units;
    char *feat; /* the feature string being built */
    size_t feat_cap;
    uint32_t *offs; /* byte offsets of a padded word's code points */
    size_t offs_cap;
    rs__feature_table table;
    float *row; /* dim floats (callback staging, word vectors) */
    size_t row_cap;
} rs__text_scratch;

/* The preprocessing configuration (everything that decides the units). */
typedef struct rs__text_config {
    int64_t seed;
    int word_ngram_max;
    int char_ngram_min, char_ngram_max;
    int hashes;
    int sublinear_tf;
    int use_idf;
    int stopwords; /* RS_STOPWORDS_* mask */
    int numbers;
    int invalid_utf8;
    int normalize;
    int cjk_bigrams;
    int batch_size;
    double char_weight;
    double sif_a;
    int remove_pc;
    int graph_rounds;
    double graph_self;
} rs__text_config;

/* The idf table of a fitted hashing embedder: feature hash -> idf, open
 * addressing on the hash's low bits (XXH3 output is uniform), key and value
 * side by side so that a lookup costs one cache miss. */
typedef struct rs__idf_slot {
    uint64_t key; /* 0 = empty */
    float idf;
    uint32_t df; /* document frequency while fitting */
} rs__idf_slot;

typedef struct rs__idf_table {
    rs__idf_slot *slots;
    size_t capacity, size;
    uint64_t n_docs;
    float unseen_idf;
} rs__idf_table;

typedef struct rs__wordvec {
    rs_idmap *vocab; /* normalised word -> row */
    float *vectors;  /* n_words x dim */
    size_t n_words;
    float *weight;     /* SIF weight a / (a + p(w)) per row, from counts */
    double *counts;    /* corpus counts after fit (NULL before) */
    double total;      /* sum of counts */
    float *pc;         /* dim floats, first principal component (NULL: none) */
} rs__wordvec;

struct rs_embedder {
    int kind;
    size_t dim;
    rs__text_config config;
    bool fitted;
    /* stop words: caller words (normalised) and the active set */
    char **user_stopwords;
    size_t n_user_stopwords, user_stopwords_cap;
    rs_idmap *stopwords;
    /* hashing */
    rs__idf_table idf;
    /* callback */
    rs_embed_fn callback;
    void *callback_ctx;
    /* word vectors */
    rs__wordvec wv;
};

/* ---- scratch */
void rs__scratch_init(rs__text_scratch *s);
void rs__scratch_free(rs__text_scratch *s);

/* ---- normalise.c */

/*
 * Normalise text[0..len) into s->cp (NFKC, case-folded, default-ignorables
 * removed).  Invalid UTF-8 fails with RS_ERR_ENCODING at its byte offset
 * (message starting with `what`), unless `replace`, when each bad byte
 * becomes U+FFFD.  *n_out gets the number of code points.
 */
int rs__text_normalize(const char *text, size_t len, bool replace, const char *what,
                       rs__text_scratch *s, size_t *n_out);

/* ---- tokenize.c */

/*
 * Split text into units in s->units / s->bytes following the embedder's
 * options (stop words, numbers).  Normalises first.
 */
int rs__text_units(const rs_embedder *e, const char *text, size_t len, const char *what,
                   rs__text_scratch *s);

/* The normalised UTF-8 form of text, NUL-terminated, in s->bytes. */
int rs__text_normalized_bytes(const char *text, size_t len, const char *what,
                              rs__text_scratch *s, size_t *len_out);

/* Copy text into s->clean, each invalid byte replaced by U+FFFD (or fail at
 * the first when !replace); *clean_len gets the length, s->clean is
 * NUL-terminated. */
int rs__text_clean(const char *text, size_t len, bool replace, const char *what,
                   rs__text_scratch *s, size_t *clean_len);

/* Is this CJK code point one that forms its own token? */
bool rs__is_cjk(int32_t cp);

/* Called for every feature: its UTF-8 bytes and whether it is a character n-gram. */
typedef int (*rs__feature_fn)(void *ctx, const char *bytes, size_t len, bool is_char);

/* Emit every feature of the units in s (after rs__text_units). */
int rs__text_features(const rs_embedder *e, rs__text_scratch *s, rs__feature_fn fn,
                      void *ctx);

/* ---- stopwords.c */

/* Rebuild e->stopwords from the built-in lists in the mask and the caller's words. */
int rs__stopwords_rebuild(rs_embedder *e, int mask);

/* ---- hashing.c */
uint64_t rs__feature_hash(const rs_embedder *e, const char *bytes, size_t len);
int rs__hashing_embed(const rs_embedder *e, const char *text, const char *what,
                      rs__text_scratch *s, float *out);
int rs__hashing_fit(rs_embedder *e, const char *const *texts, size_t n);
void rs__idf_free(rs__idf_table *t);
/* Set the idf of a feature hash (inserting it); 0 or RS_ERR_NOMEM. */
int rs__idf_set(rs__idf_table *t, uint64_t hash, float idf);
/* idf of a feature hash in a fitted table. */
float rs__idf_lookup(const rs__idf_table *t, uint64_t hash);

/* ---- wordvec.c */
int rs__wordvec_embed(const rs_embedder *e, const char *text, const char *what,
                      rs__text_scratch *s, float *out);
int rs__wordvec_fit(rs_embedder *e, const char *const *texts, size_t n);
void rs__wordvec_free(rs__wordvec *wv);
/* SIF weights from the counts (or Zipf on the row order when there are none). */
int rs__wordvec_weights(rs_embedder *e);

/* ---- embedder.c */
/* A new embedder of the given kind with default options, or NULL (error set). */
rs_embedder *rs__embedder_new(int kind, size_t dim);
/* The int field behind an integer option (not DIM or SEED), or NULL. */
int *rs__embedder_int_option(rs_embedder *e, int option);
/* rs__normalize (L2, in place) lives in core/vec.h: learn's graph
 * propagation uses it too. */

#endif
