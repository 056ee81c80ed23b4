/*
 * recsim/text.h - preprocessing and embedders, rs_embedder (src/text).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_TEXT_H
#define RECSIM_TEXT_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * text: preprocessing and embedders, rs_embedder (src/text)
 * ==================================================================== */

/*
 * An rs_embedder turns texts into dense float vectors.  Three kinds exist:
 *
 *  - RS_EMBEDDER_HASHING (the default, rs_embedder_create_hashing): word
 *    unigrams and bigrams plus character n-grams of each word, weighted by
 *    sublinear tf x idf (the idf fitted on a corpus with rs_embedder_fit),
 *    each feature hashed with XXH3 to a few signed dimensions, L2-normalised.
 *    No projection matrix is stored; the result depends only on the text,
 *    the options, the seed and the fitted idf, on every platform.
 *  - RS_EMBEDDER_CALLBACK (rs_embedder_create_callback): the host computes
 *    the vectors (a sentence encoder, an LLM) in a callback.
 *  - RS_EMBEDDER_WORD_VECTORS (rs_embedder_load_vectors): pre-trained word
 *    vectors (word2vec, GloVe, fastText); a text is the smooth inverse
 *    frequency (SIF) weighted mean of its words' vectors with the first
 *    principal component of the fitted corpus removed (Arora, Liang and Ma,
 *    "A simple but tough-to-beat baseline for sentence embeddings", 2017).
 *
 * Text preprocessing, shared by every kind (rs_embedder_tokenize shows it):
 * texts must be UTF-8 (invalid bytes give RS_ERR_ENCODING with the byte
 * offset, or become U+FFFD with RS_EMBEDDER_INVALID_UTF8 = 1); they are
 * normalised to NFKC and case-folded (utf8proc); words are the runs of
 * letters, marks and digits (an apostrophe between letters and a point or
 * comma between digits stay inside); every CJK character (Han, kana) is a
 * token of its own and adjacent CJK characters also give bigrams, so that
 * "购买苹果手机" yields 购 买 苹 果 手 机 and 购买 买苹 苹果 果手 手机.  Stop
 * words (built-in English and Chinese lists, plus the caller's) are dropped,
 * and n-grams never span a dropped word.
 *
 * Thread safety: rs_embedder_embed, rs_embedder_embed_batch and
 * rs_embedder_tokenize only read the embedder, so several threads may call
 * them at once while no thread changes it (set, fit, stop words); for a
 * callback embedder the host callback must then be thread-safe too.
 */
typedef struct rs_embedder rs_embedder;

/* The kind of an embedder (rs_embedder_kind). */
typedef enum rs_embedder_kind_id {
    RS_EMBEDDER_HASHING = 1,
    RS_EMBEDDER_CALLBACK = 2,
    RS_EMBEDDER_WORD_VECTORS = 3
} rs_embedder_kind_id;

/*
 * Options, set with rs_embedder_set_int / rs_embedder_set_double and read
 * with the matching getters; rs_embedder_option_bounds gives each range.
 * Options marked "feature" change which features a text produces: they
 * cannot change once the embedder is fitted (RS_ERR_STATE).
 */
typedef enum rs_embedder_option {
    /* int, hashing only: output dimension, 8..4096, default 256. */
    RS_EMBEDDER_DIM = 1,
    /* int, feature: hash seed, 0..INT64_MAX, default 0. */
    RS_EMBEDDER_SEED = 2,
    /* int, feature: longest word n-gram, 1..3, default 2 (unigrams+bigrams). */
    RS_EMBEDDER_WORD_NGRAM_MAX = 3,
    /* int, feature: shortest character n-gram of a word (counted in code
     * points on "<word>"), 1..16, default 3. */
    RS_EMBEDDER_CHAR_NGRAM_MIN = 4,
    /* int, feature: longest character n-gram, 0..16, default 5; no
     * character n-grams when it is 0 or below RS_EMBEDDER_CHAR_NGRAM_MIN. */
    RS_EMBEDDER_CHAR_NGRAM_MAX = 5,
    /* int, hashing only: signed dimensions each feature is hashed to, 1..8,
     * default 2. */
    RS_EMBEDDER_HASHES = 6,
    /* int, 0 or 1, default 1: term frequency tf counts as 1 + ln(tf). */
    RS_EMBEDDER_SUBLINEAR_TF = 7,
    /* int, 0 or 1, default 1: weight by the fitted idf (no effect before
     * rs_embedder_fit). */
    RS_EMBEDDER_USE_IDF = 8,
    /* int, feature: built-in stop-word lists, a mask of RS_STOPWORDS_*,
     * 0..3, default 3 (both).  Caller words (rs_embedder_add_stopword)
     * apply whatever this is; 0 plus caller words replaces the lists. */
    RS_EMBEDDER_STOPWORDS = 9,
    /* int, feature: numbers (tokens of digits only), 0 drop, 1 keep,
     * 2 replace each by the token "<num>"; default 1. */
    RS_EMBEDDER_NUMBERS = 10,
    /* int, 0 or 1, default 0: 0 refuses invalid UTF-8 (RS_ERR_ENCODING with
     * the byte offset), 1 replaces each bad byte by U+FFFD. */
    RS_EMBEDDER_INVALID_UTF8 = 11,
    /* int, 0 or 1, default 1: L2-normalise every output vector (a text
     * without features stays all zeros). */
    RS_EMBEDDER_NORMALIZE = 12,
    /* int, feature: 0 or 1, default 1: bigrams of adjacent CJK characters. */
    RS_EMBEDDER_CJK_BIGRAMS = 13,
    /* int, callback only: most texts per callback call, 1..65536, default 256. */
    RS_EMBEDDER_BATCH_SIZE = 14,
    /* double, hashing: weight of character n-gram features relative to
     * word n-grams, 0..16, default 1. */
    RS_EMBEDDER_CHAR_WEIGHT = 15,
    /* double, word vectors: the SIF constant a in a / (a + p(w)),
     * 1e-8..1, default 1e-3. */
    RS_EMBEDDER_SIF_A = 16,
    /* int, word vectors: 0 or 1, default 1: remove the first principal
     * component fitted by rs_embedder_fit. */
    RS_EMBEDDER_REMOVE_PC = 17,
    /* int, rs_embedder_embed_graph: propagation rounds, 0..4, default 1. */
    RS_EMBEDDER_GRAPH_ROUNDS = 18,
    /* double, rs_embedder_embed_graph: weight of an item's own text vector
     * against the mean of its entities' vectors, 0..1, default 0.5. */
    RS_EMBEDDER_GRAPH_SELF = 19
} rs_embedder_option;

/* Built-in stop-word lists, for RS_EMBEDDER_STOPWORDS. */
#define RS_STOPWORDS_ENGLISH 1
#define RS_STOPWORDS_CHINESE 2

/* What rs_embedder_tokenize writes. */
typedef enum rs_token_kind {
    RS_TOKENS_WORDS = 1,   /* words, numbers and single CJK characters */
    RS_TOKENS_FEATURES = 2 /* every feature the hashing embedder hashes */
} rs_token_kind;

/* Word-vector file formats, for rs_embedder_load_vectors. */
typedef enum rs_vectors_format {
    RS_VECTORS_AUTO = 0,  /* binary when the name ends in ".bin", else text */
    RS_VECTORS_TEXT = 1,  /* word2vec/fastText .vec (with a "count dim" first
                             line) or GloVe (without) */
    RS_VECTORS_BINARY = 2 /* word2vec binary: "count dim\n", then per word
                             the word, a space, dim little-endian float32 */
} rs_vectors_format;

/*
 * rs_embed_fn - the host callback of a callback embedder.
 *
 * @user_ctx      the pointer given to rs_embedder_create_callback.
 * @texts         n_texts NUL-terminated, valid UTF-8 texts (as the caller
 *                gave them, not normalised), borrowed for the call.
 * @n_texts       1 .. RS_EMBEDDER_BATCH_SIZE.
 * @vectors_out   n_texts x dim floats, row-major, to fill; every value must
 *                be finite.
 * @dim           the dimension given at creation.
 * @message       a buffer of message_size bytes for a NUL-terminated reason
 *                on failure (may be left empty).
 *
 * Returns 0 on success, any other value on failure: the library call then
 * fails with RS_ERR_CALLBACK and rs_errmsg() contains the message.
 */
typedef int (*rs_embed_fn)(void *user_ctx, const char *const *texts, size_t n_texts,
                           float *vectors_out, size_t dim, char *message,
                           size_t message_size);

/**
 * rs_embedder_create_hashing - a new hashing embedder with default options.
 *
 * @out  receives the embedder, to release with rs_embedder_free().
 *
 * The embedder works at once (with idf 1 for every feature); fit it on a
 * corpus such as the catalogue's descriptions (rs_embedder_fit) for tf-idf.
 *
 * Returns RS_OK, or RS_ERR_INVALID (out is NULL), RS_ERR_NOMEM.
 * Thread-safe.
 */
RS_API int rs_embedder_create_hashing(rs_embedder **out);

/**
 * rs_embedder_create_callback - an embedder whose vectors the host computes.
 *
 * @dim       the dimension the callback produces, 1..65536.
 * @fn        the callback (see rs_embed_fn); called on the thread that
 *            calls rs_embedder_embed / rs_embedder_embed_batch.
 * @user_ctx  passed to every call of fn; may be NULL; must outlive the
 *            embedder.
 * @out       receives the embedder, to release with rs_embedder_free().
 *
 * Returns RS_OK, or RS_ERR_INVALID (fn or out NULL), RS_ERR_RANGE (dim),
 * RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_embedder_create_callback(size_t dim, rs_embed_fn fn, void *user_ctx,
                                       rs_embedder **out);

/**
 * rs_embedder_load_vectors - an embedder on pre-trained word vectors.
 *
 * @path       the file: word2vec/fastText .vec text, GloVe text, or word2vec
 *             binary.
 * @format     an rs_vectors_format.
 * @max_words  keep only the first max_words words (files are sorted by
 *             frequency); 0 keeps all.
 * @out        receives the embedder, to release with rs_embedder_free().
 *
 * Words are normalised like texts (NFKC, case-folded); when two words
 * normalise alike the first is kept.  Until rs_embedder_fit gives corpus
 * frequencies, p(w) follows Zipf's law on the file's order.  Output vectors
 * have the file's dimension.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL path or out, unknown format),
 * RS_ERR_IO (cannot open or read), RS_ERR_PARSE (a bad header, a ragged row,
 * a value that is not a number, a count that disagrees with the header, an
 * empty file; the message gives file:line, or the byte offset in a binary
 * file), RS_ERR_RANGE (NaN or infinite value, with file:line), RS_ERR_NOMEM.
 * Thread-safe.
 */
RS_API int rs_embedder_load_vectors(const char *path, int format, size_t max_words,
                                    rs_embedder **out);

/**
 * rs_embedder_free - release an embedder.
 *
 * @embedder  the embedder, or NULL (a no-op).
 */
RS_API void rs_embedder_free(rs_embedder *embedder);

/**
 * rs_embedder_kind - the kind of an embedder.
 *
 * Returns an rs_embedder_kind_id, or 0 when embedder is NULL.
 */
RS_API int rs_embedder_kind(const rs_embedder *embedder);

/**
 * rs_embedder_dim - the dimension of the vectors an embedder writes.
 *
 * Returns the dimension, or 0 when embedder is NULL.
 */
RS_API size_t rs_embedder_dim(const rs_embedder *embedder);

/**
 * rs_embedder_set_int - set an integer option (rs_embedder_option).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL embedder, unknown option, or a
 * double option), RS_ERR_RANGE (value outside the option's range),
 * RS_ERR_UNSUPPORTED (an option this kind does not have, e.g.
 * RS_EMBEDDER_DIM of a callback embedder), RS_ERR_STATE (a feature option
 * of a fitted embedder).  On failure the embedder is unchanged.
 */
RS_API int rs_embedder_set_int(rs_embedder *embedder, int option, int64_t value);

/**
 * rs_embedder_get_int - read an integer option into *out.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument, unknown or double option).
 */
RS_API int rs_embedder_get_int(const rs_embedder *embedder, int option, int64_t *out);

/**
 * rs_embedder_set_double - set a floating-point option (rs_embedder_option).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL embedder, unknown or integer
 * option), RS_ERR_RANGE (outside the range, NaN, infinite).  On failure
 * the embedder is unchanged.
 */
RS_API int rs_embedder_set_double(rs_embedder *embedder, int option, double value);

/**
 * rs_embedder_get_double - read a floating-point option into *out.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument, unknown or integer option).
 */
RS_API int rs_embedder_get_double(const rs_embedder *embedder, int option, double *out);

/**
 * rs_embedder_option_bounds - the allowed range and default of an option.
 *
 * @option       an rs_embedder_option.
 * @min_out, @max_out, @default_out  receive the inclusive range and the
 *               default; any may be NULL.
 *
 * Returns RS_OK, or RS_ERR_INVALID (unknown option).  Thread-safe.
 */
RS_API int rs_embedder_option_bounds(int option, double *min_out, double *max_out,
                                     double *default_out);

/**
 * rs_embedder_add_stopword - drop a word from every text from now on.
 *
 * @word  a word, normalised like texts (so "The" drops "the"); a single CJK
 *        character or a CJK bigram also works.  At most RS_MAX_KEY_BYTES.
 *
 * Adds to the built-in lists selected by RS_EMBEDDER_STOPWORDS; set that
 * option to 0 first to replace them.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL or empty), RS_ERR_RANGE (too
 * long), RS_ERR_ENCODING, RS_ERR_STATE (the embedder is fitted), RS_ERR_NOMEM.
 */
RS_API int rs_embedder_add_stopword(rs_embedder *embedder, const char *word);

/**
 * rs_embedder_clear_stopwords - forget every word rs_embedder_add_stopword added.
 *
 * The built-in lists stay as RS_EMBEDDER_STOPWORDS selects.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL), RS_ERR_STATE (fitted).
 */
RS_API int rs_embedder_clear_stopwords(rs_embedder *embedder);

/**
 * rs_embedder_fit - learn corpus statistics from texts.
 *
 * @texts    n_texts NUL-terminated UTF-8 texts, e.g. every item description.
 * @n_texts  1 or more.
 *
 * Hashing: the document frequency of every feature, giving the smooth idf
 * ln((1 + n) / (1 + df)) + 1 (a feature never seen gets ln(1 + n) + 1).
 * Word vectors: the word frequencies p(w) and the first principal component
 * of the corpus's SIF vectors.  A later fit replaces an earlier one.
 * Callback: not supported.  A hashing fit spreads the texts over
 * rs_get_num_threads() threads; the result does not depend on that count.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL, n_texts 0, a NULL text, naming its
 * index), RS_ERR_ENCODING (text i at byte b), RS_ERR_UNSUPPORTED (callback
 * embedder), RS_ERR_NOMEM.  On failure the embedder is unchanged.
 */
RS_API int rs_embedder_fit(rs_embedder *embedder, const char *const *texts,
                           size_t n_texts);

/**
 * rs_embedder_embed - the vector of one text.
 *
 * @text  a NUL-terminated UTF-8 text; "" gives a zero vector.
 * @out   caller-allocated array of dim floats.
 * @dim   must equal rs_embedder_dim().
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument), RS_ERR_DIM (dim
 * differs), RS_ERR_ENCODING (with the byte offset), RS_ERR_CALLBACK (the
 * host callback failed or wrote NaN/Inf; its message follows), RS_ERR_NOMEM.
 * On failure out is set to zeros.
 */
RS_API int rs_embedder_embed(const rs_embedder *embedder, const char *text, float *out,
                             size_t dim);

/**
 * rs_embedder_embed_batch - the vectors of many texts.
 *
 * @texts    n_texts NUL-terminated UTF-8 texts.
 * @n_texts  0 or more.
 * @out      caller-allocated n_texts x dim floats, row-major; row i is the
 *           vector of texts[i], bitwise the same as rs_embedder_embed gives.
 * @dim      must equal rs_embedder_dim().
 *
 * Hashing and word-vector embedders spread the texts over
 * rs_get_num_threads() threads; a callback embedder calls the host in
 * batches of RS_EMBEDDER_BATCH_SIZE texts on the calling thread.
 *
 * Returns as rs_embedder_embed; messages name the text's index.  On failure
 * all of out is set to zeros: no half-written result is left behind.
 */
RS_API int rs_embedder_embed_batch(const rs_embedder *embedder, const char *const *texts,
                                   size_t n_texts, float *out, size_t dim);

/**
 * rs_embedder_tokenize - the tokens or features the embedder sees in a text.
 *
 * @text         a NUL-terminated UTF-8 text.
 * @what         RS_TOKENS_WORDS: the normalised words, numbers and CJK
 *               characters left after stop words, in text order;
 *               RS_TOKENS_FEATURES: every feature of the hashing scheme
 *               with repeats (words; n-grams joined by a space, or by
 *               nothing between two CJK characters; character n-grams as
 *               "#" followed by the n-gram of "<word>").
 * @buf          caller buffer receiving the tokens as consecutive
 *               NUL-terminated strings; may be NULL when buf_size is 0.
 * @buf_size     its size in bytes.
 * @needed_out   receives the bytes needed (may be NULL).
 * @count_out    receives the number of tokens (may be NULL).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL embedder or text, unknown what),
 * RS_ERR_ENCODING, RS_ERR_BUFFER (buf_size < *needed_out; both outs are
 * set and buf holds nothing useful), RS_ERR_NOMEM.
 */
RS_API int rs_embedder_tokenize(const rs_embedder *embedder, const char *text, int what,
                                char *buf, size_t buf_size, size_t *needed_out,
                                size_t *count_out);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_TEXT_H */
