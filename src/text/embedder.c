/*
 * embedder.c - the rs_embedder handle: creation, options, stop words, fit,
 * and the embed / tokenize entry points that dispatch to the kinds
 * (hashing.c, wordvec.c, and the host callback here).
 */
#include "text/text_internal.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND_BIT(kind) (1u << (kind))
#define ALL_KINDS \
    (KIND_BIT(RS_EMBEDDER_HASHING) | KIND_BIT(RS_EMBEDDER_CALLBACK) | \
     KIND_BIT(RS_EMBEDDER_WORD_VECTORS))
#define HASHING KIND_BIT(RS_EMBEDDER_HASHING)
#define CALLBACK KIND_BIT(RS_EMBEDDER_CALLBACK)
#define WORDVEC KIND_BIT(RS_EMBEDDER_WORD_VECTORS)

/* Texts per task of a parallel batch: enough to amortise the hand-out. */
#define BATCH_CHUNK 64
#define CALLBACK_MESSAGE_MAX 256

typedef struct option_info {
    int id;
    const char *name;
    bool is_double;
    double min, max, def;
    unsigned kinds;
    bool feature; /* fixed once fitted */
} option_info;

static const option_info options[] = {
    {RS_EMBEDDER_DIM, "RS_EMBEDDER_DIM", false, 8, 4096, 256, HASHING, false},
    {RS_EMBEDDER_SEED, "RS_EMBEDDER_SEED", false, 0, 9223372036854775807.0, 0, HASHING, true},
    {RS_EMBEDDER_WORD_NGRAM_MAX, "RS_EMBEDDER_WORD_NGRAM_MAX", false, 1, 3, 2, ALL_KINDS, true},
    {RS_EMBEDDER_CHAR_NGRAM_MIN, "RS_EMBEDDER_CHAR_NGRAM_MIN", false, 1, 16, 3, ALL_KINDS, true},
    {RS_EMBEDDER_CHAR_NGRAM_MAX, "RS_EMBEDDER_CHAR_NGRAM_MAX", false, 0, 16, 5, ALL_KINDS, true},
    {RS_EMBEDDER_HASHES, "RS_EMBEDDER_HASHES", false, 1, 8, 2, HASHING, false},
    {RS_EMBEDDER_SUBLINEAR_TF, "RS_EMBEDDER_SUBLINEAR_TF", false, 0, 1, 1, HASHING, false},
    {RS_EMBEDDER_USE_IDF, "RS_EMBEDDER_USE_IDF", false, 0, 1, 1, HASHING, false},
    {RS_EMBEDDER_STOPWORDS, "RS_EMBEDDER_STOPWORDS", false, 0, 3, 3, ALL_KINDS, true},
    {RS_EMBEDDER_NUMBERS, "RS_EMBEDDER_NUMBERS", false, 0, 2, 1, ALL_KINDS, true},
    {RS_EMBEDDER_INVALID_UTF8, "RS_EMBEDDER_INVALID_UTF8", false, 0, 1, 0, ALL_KINDS, false},
    {RS_EMBEDDER_NORMALIZE, "RS_EMBEDDER_NORMALIZE", false, 0, 1, 1, ALL_KINDS, false},
    {RS_EMBEDDER_CJK_BIGRAMS, "RS_EMBEDDER_CJK_BIGRAMS", false, 0, 1, 1, ALL_KINDS, true},
    {RS_EMBEDDER_BATCH_SIZE, "RS_EMBEDDER_BATCH_SIZE", false, 1, 65536, 256, CALLBACK, false},
    {RS_EMBEDDER_CHAR_WEIGHT, "RS_EMBEDDER_CHAR_WEIGHT", true, 0, 16, 1, HASHING, false},
    {RS_EMBEDDER_SIF_A, "RS_EMBEDDER_SIF_A", true, 1e-8, 1, 1e-3, WORDVEC, true},
    {RS_EMBEDDER_REMOVE_PC, "RS_EMBEDDER_REMOVE_PC", false, 0, 1, 1, WORDVEC, false},
    {RS_EMBEDDER_GRAPH_ROUNDS, "RS_EMBEDDER_GRAPH_ROUNDS", false, 0, 4, 1, ALL_KINDS, false},
    {RS_EMBEDDER_GRAPH_SELF, "RS_EMBEDDER_GRAPH_SELF", true, 0, 1, 0.5, ALL_KINDS, false},
};

static const option_info *find_option(int id)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (options[i].id == id)
            return &options[i];
    return NULL;
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case RS_EMBEDDER_HASHING: return "hashing";
    case RS_EMBEDDER_CALLBACK: return "callback";
    case RS_EMBEDDER_WORD_VECTORS: return "word-vector";
    default: return "unknown";
    }
}

/* The option's field, as int or double. */
int *rs__embedder_int_option(rs_embedder *e, int id)
{
    rs__text_config *c = &e->config;
    switch (id) {
    case RS_EMBEDDER_WORD_NGRAM_MAX: return &c->word_ngram_max;
    case RS_EMBEDDER_CHAR_NGRAM_MIN: return &c->char_ngram_min;
    case RS_EMBEDDER_CHAR_NGRAM_MAX: return &c->char_ngram_max;
    case RS_EMBEDDER_HASHES: return &c->hashes;
    case RS_EMBEDDER_SUBLINEAR_TF: return &c->sublinear_tf;
    case RS_EMBEDDER_USE_IDF: return &c->use_idf;
    case RS_EMBEDDER_STOPWORDS: return &c->stopwords;
    case RS_EMBEDDER_NUMBERS: return &c->numbers;
    case RS_EMBEDDER_INVALID_UTF8: return &c->invalid_utf8;
    case RS_EMBEDDER_NORMALIZE: return &c->normalize;
    case RS_EMBEDDER_CJK_BIGRAMS: return &c->cjk_bigrams;
    case RS_EMBEDDER_BATCH_SIZE: return &c->batch_size;
    case RS_EMBEDDER_REMOVE_PC: return &c->remove_pc;
    case RS_EMBEDDER_GRAPH_ROUNDS: return &c->graph_rounds;
    default: return NULL;
    }
}

rs_embedder *rs__embedder_new(int kind, size_t dim)
{
    rs_embedder *e = rs__calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->kind = kind;
    e->dim = dim;
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        const option_info *o = &options[i];
        int *field = rs__embedder_int_option(e, o->id);
        if (field)
            *field = (int)o->def;
    }
    e->config.seed = 0;
    e->config.char_weight = 1.0;
    e->config.sif_a = 1e-3;
    e->config.graph_self = 0.5;
    if (rs__stopwords_rebuild(e, e->config.stopwords) != 0) {
        free(e);
        return NULL;
    }
    return e;
}

int rs_embedder_create_hashing(rs_embedder **out)
{
    rs_embedder *e;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_create_hashing: out is NULL");
    *out = NULL;
    if (!(e = rs__embedder_new(RS_EMBEDDER_HASHING, 256)))
        return rs_errcode();
    *out = e;
    return RS_OK;
}

int rs_embedder_create_callback(size_t dim, rs_embed_fn fn, void *user_ctx, rs_embedder **out)
{
    rs_embedder *e;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_create_callback: out is NULL");
    *out = NULL;
    if (!fn)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_create_callback: fn is NULL");
    if (dim < 1 || dim > 65536)
        return rs__fail(RS_ERR_RANGE, "rs_embedder_create_callback: dim %zu is outside [1, 65536]",
                        dim);
    if (!(e = rs__embedder_new(RS_EMBEDDER_CALLBACK, dim)))
        return rs_errcode();
    e->callback = fn;
    e->callback_ctx = user_ctx;
    *out = e;
    return RS_OK;
}

void rs_embedder_free(rs_embedder *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_user_stopwords; i++)
        free(e->user_stopwords[i]);
    free(e->user_stopwords);
    rs__idmap_free(e->stopwords);
    rs__idf_free(&e->idf);
    rs__wordvec_free(&e->wv);
    free(e);
}

int rs_embedder_kind(const rs_embedder *e)
{
    return e ? e->kind : 0;
}

size_t rs_embedder_dim(const rs_embedder *e)
{
    return e ? e->dim : 0;
}

/* ---------------------------------------------------------------- options */

static int check_settable(const rs_embedder *e, const option_info *o, int option,
                          bool want_double, const char *fn)
{
    if (!e)
        return rs__fail(RS_ERR_INVALID, "%s: embedder is NULL", fn);
    if (!o)
        return rs__fail(RS_ERR_INVALID, "%s: unknown option %d", fn, option);
    if (o->is_double != want_double)
        return rs__fail(RS_ERR_INVALID, "%s: %s is %s option", fn, o->name,
                        o->is_double ? "a double" : "an integer");
    if (!(o->kinds & KIND_BIT(e->kind)))
        return rs__fail(RS_ERR_UNSUPPORTED, "%s: a %s embedder has no option %s", fn,
                        kind_name(e->kind), o->name);
    if (o->feature && e->fitted)
        return rs__fail(RS_ERR_STATE, "%s: %s cannot change once the embedder is fitted",
                        fn, o->name);
    return 0;
}

int rs_embedder_set_int(rs_embedder *e, int option, int64_t value)
{
    const option_info *o = find_option(option);
    int rc = check_settable(e, o, option, false, "rs_embedder_set_int");
    if (rc != 0)
        return rc;
    if ((double)value < o->min || (double)value > o->max)
        return rs__fail(RS_ERR_RANGE, "rs_embedder_set_int: %s = %lld is outside [%.0f, %.0f]",
                        o->name, (long long)value, o->min, o->max);
    if (option == RS_EMBEDDER_STOPWORDS && (rc = rs__stopwords_rebuild(e, (int)value)) != 0)
        return rc;
    if (option == RS_EMBEDDER_SEED)
        e->config.seed = value;
    else if (option == RS_EMBEDDER_DIM)
        e->dim = (size_t)value;
    else
        *rs__embedder_int_option(e, option) = (int)value;
    return RS_OK;
}

int rs_embedder_get_int(const rs_embedder *e, int option, int64_t *out)
{
    const option_info *o = find_option(option);
    if (!e || !out)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_get_int: %s is NULL",
                        e ? "out" : "embedder");
    if (!o || o->is_double)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_get_int: %d is not an integer option",
                        option);
    if (option == RS_EMBEDDER_SEED)
        *out = e->config.seed;
    else if (option == RS_EMBEDDER_DIM)
        *out = (int64_t)e->dim;
    else
        *out = *rs__embedder_int_option((rs_embedder *)e, option);
    return RS_OK;
}

int rs_embedder_set_double(rs_embedder *e, int option, double value)
{
    const option_info *o = find_option(option);
    int rc = check_settable(e, o, option, true, "rs_embedder_set_double");
    if (rc != 0)
        return rc;
    if (!isfinite(value) || value < o->min || value > o->max)
        return rs__fail(RS_ERR_RANGE, "rs_embedder_set_double: %s = %g is outside [%g, %g]",
                        o->name, value, o->min, o->max);
    if (option == RS_EMBEDDER_CHAR_WEIGHT)
        e->config.char_weight = value;
    else if (option == RS_EMBEDDER_GRAPH_SELF)
        e->config.graph_self = value;
    else
        e->config.sif_a = value;
    return RS_OK;
}

int rs_embedder_get_double(const rs_embedder *e, int option, double *out)
{
    const option_info *o = find_option(option);
    if (!e || !out)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_get_double: %s is NULL",
                        e ? "out" : "embedder");
    if (!o || !o->is_double)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_get_double: %d is not a double option",
                        option);
    *out = option == RS_EMBEDDER_CHAR_WEIGHT ? e->config.char_weight
           : option == RS_EMBEDDER_GRAPH_SELF ? e->config.graph_self
                                              : e->config.sif_a;
    return RS_OK;
}

int rs_embedder_option_bounds(int option, double *min_out, double *max_out,
                              double *default_out)
{
    const option_info *o = find_option(option);
    if (!o)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_option_bounds: unknown option %d", option);
    if (min_out)
        *min_out = o->min;
    if (max_out)
        *max_out = o->max;
    if (default_out)
        *default_out = o->def;
    return RS_OK;
}

/* ---------------------------------------------------------------- stop words */

int rs_embedder_add_stopword(rs_embedder *e, const char *word)
{
    rs__text_scratch s;
    size_t len, norm_len;
    char *copy = NULL;
    int rc;

    if (!e)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_add_stopword: embedder is NULL");
    if ((rc = rs__check_key(word, "stop word", &len)) != 0)
        return rc;
    if (e->fitted)
        return rs__fail(RS_ERR_STATE, "stop words cannot change once the embedder is fitted");
    rs__scratch_init(&s);
    rc = rs__text_normalized_bytes(word, len, "stop word", &s, &norm_len);
    if (rc == 0 && norm_len == 0)
        rc = rs__fail(RS_ERR_INVALID, "stop word \"%s\" is empty once normalised", word);
    if (rc == 0 && !(copy = rs__strndup(s.bytes, norm_len)))
        rc = rs_errcode();
    rs__scratch_free(&s);
    if (rc == 0)
        rc = rs__grow((void **)&e->user_stopwords, &e->user_stopwords_cap,
                      e->n_user_stopwords + 1, sizeof *e->user_stopwords);
    if (rc == 0) {
        e->user_stopwords[e->n_user_stopwords++] = copy;
        if ((rc = rs__stopwords_rebuild(e, e->config.stopwords)) != 0)
            e->n_user_stopwords--; /* the old set stays in place */
    }
    if (rc != 0)
        free(copy);
    return rc;
}

int rs_embedder_clear_stopwords(rs_embedder *e)
{
    size_t saved;
    int rc;
    if (!e)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_clear_stopwords: embedder is NULL");
    if (e->fitted)
        return rs__fail(RS_ERR_STATE, "stop words cannot change once the embedder is fitted");
    saved = e->n_user_stopwords;
    e->n_user_stopwords = 0;
    if ((rc = rs__stopwords_rebuild(e, e->config.stopwords)) != 0) {
        e->n_user_stopwords = saved;
        return rc;
    }
    for (size_t i = 0; i < saved; i++)
        free(e->user_stopwords[i]);
    return RS_OK;
}

/* ---------------------------------------------------------------- fit */

static int check_texts(const char *const *texts, size_t n, const char *fn)
{
    if (!texts && n > 0)
        return rs__fail(RS_ERR_INVALID, "%s: texts is NULL", fn);
    for (size_t i = 0; i < n; i++)
        if (!texts[i])
            return rs__fail(RS_ERR_INVALID, "%s: text %zu is NULL", fn, i);
    return 0;
}

int rs_embedder_fit(rs_embedder *e, const char *const *texts, size_t n)
{
    int rc;
    if (!e)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_fit: embedder is NULL");
    if (n == 0)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_fit: no texts");
    if ((rc = check_texts(texts, n, "rs_embedder_fit")) != 0)
        return rc;
    switch (e->kind) {
    case RS_EMBEDDER_HASHING: rc = rs__hashing_fit(e, texts, n); break;
    case RS_EMBEDDER_WORD_VECTORS: rc = rs__wordvec_fit(e, texts, n); break;
    default:
        return rs__fail(RS_ERR_UNSUPPORTED, "a %s embedder cannot be fitted",
                        kind_name(e->kind));
    }
    if (rc == 0)
        e->fitted = true;
    return rc;
}

/* ---------------------------------------------------------------- embed */

/* Call the host on texts[0..n) (n <= batch size) into out, checked. */
static int callback_rows(const rs_embedder *e, const char *const *texts, size_t first,
                         size_t n, float *out, rs__text_scratch *s)
{
    char message[CALLBACK_MESSAGE_MAX];
    const char **cleaned = NULL;
    const char *const *given = texts;
    int rc = 0, host;

    /* texts the host sees are valid UTF-8: refuse or repair the others */
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(texts[i]), bad, clean_len;
        char what[48];
        if (rs__utf8_check(texts[i], len, "text", &bad) == 0)
            continue;
        snprintf(what, sizeof what, "text %zu", first + i);
        if (!e->config.invalid_utf8) {
            rc = rs__fail(RS_ERR_ENCODING, "%s: invalid UTF-8 at byte %zu", what, bad);
            goto done;
        }
        if (!cleaned) {
            if (!(cleaned = rs__calloc(n, sizeof *cleaned))) {
                rc = rs_errcode();
                goto done;
            }
            memcpy(cleaned, texts, n * sizeof *cleaned);
            given = cleaned;
        }
        if ((rc = rs__text_clean(texts[i], len, true, what, s, &clean_len)) != 0)
            goto done;
        if (!(cleaned[i] = rs__strndup(s->clean, clean_len))) {
            rc = rs_errcode();
            goto done;
        }
    }

    message[0] = '\0';
    host = e->callback(e->callback_ctx, given, n, out, e->dim, message, sizeof message);
    if (host != 0) {
        message[sizeof message - 1] = '\0';
        rc = rs__fail(RS_ERR_CALLBACK, "embedder callback failed (%d) on texts %zu..%zu: %s",
                      host, first, first + n - 1, message[0] ? message : "no message");
        goto done;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        float *row = out + i * e->dim;
        for (size_t j = 0; j < e->dim; j++) {
            if (!isfinite(row[j])) {
                rc = rs__fail(RS_ERR_CALLBACK,
                              "embedder callback wrote %g for text %zu, dimension %zu",
                              (double)row[j], first + i, j);
                break;
            }
        }
        if (rc == 0 && e->config.normalize)
            rs__normalize(row, e->dim);
    }

done:
    if (cleaned) {
        for (size_t i = 0; i < n; i++)
            if (cleaned[i] != texts[i])
                free((void *)cleaned[i]);
        free(cleaned);
    }
    return rc;
}

/* The callback kind over a whole batch, staged so that a failure in a
 * later batch leaves no earlier rows behind (the caller zeroes out). */
static int callback_embed(const rs_embedder *e, const char *const *texts, size_t n,
                          float *out)
{
    size_t batch = (size_t)e->config.batch_size;
    rs__text_scratch s;
    int rc = 0;
    rs__scratch_init(&s);
    for (size_t first = 0; first < n && rc == 0; first += batch) {
        size_t count = n - first < batch ? n - first : batch;
        rc = callback_rows(e, texts + first, first, count, out + first * e->dim, &s);
    }
    rs__scratch_free(&s);
    return rc;
}

static int embed_one(const rs_embedder *e, const char *text, const char *what,
                     rs__text_scratch *s, float *out)
{
    if (e->kind == RS_EMBEDDER_HASHING)
        return rs__hashing_embed(e, text, what, s, out);
    return rs__wordvec_embed(e, text, what, s, out);
}

static int check_embed(const rs_embedder *e, const float *out, size_t dim, const char *fn)
{
    if (!e)
        return rs__fail(RS_ERR_INVALID, "%s: embedder is NULL", fn);
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    if (dim != e->dim)
        return rs__fail(RS_ERR_DIM, "%s: dim is %zu, the embedder's dimension is %zu", fn, dim,
                        e->dim);
    return 0;
}

int rs_embedder_embed(const rs_embedder *e, const char *text, float *out, size_t dim)
{
    rs__text_scratch s;
    int rc;
    if ((rc = check_embed(e, out, dim, "rs_embedder_embed")) != 0)
        return rc;
    if (!text) {
        memset(out, 0, dim * sizeof *out);
        return rs__fail(RS_ERR_INVALID, "rs_embedder_embed: text is NULL");
    }
    if (e->kind == RS_EMBEDDER_CALLBACK) {
        rc = callback_embed(e, &text, 1, out);
    } else {
        rs__scratch_init(&s);
        rc = embed_one(e, text, "text", &s, out);
        rs__scratch_free(&s);
    }
    if (rc != 0)
        memset(out, 0, dim * sizeof *out);
    return rc;
}

struct batch {
    const rs_embedder *e;
    const char *const *texts;
    size_t n;
    float *out;
    rs__text_scratch *scratch; /* one per worker */
};

static int batch_task(void *ctx, size_t task, unsigned worker)
{
    struct batch *b = ctx;
    size_t first = task * BATCH_CHUNK;
    size_t last = first + BATCH_CHUNK < b->n ? first + BATCH_CHUNK : b->n;
    for (size_t i = first; i < last; i++) {
        int rc = embed_one(b->e, b->texts[i], "text", &b->scratch[worker],
                           b->out + i * b->e->dim);
        if (rc != 0) {
            char message[RS_ERRMSG_MAX];
            const char *tail = message;
            snprintf(message, sizeof message, "%s", rs_errmsg());
            if (strncmp(message, "text: ", 6) == 0)
                tail += 6;
            return rs__fail(rc, "text %zu: %s", i, tail);
        }
    }
    return 0;
}

int rs_embedder_embed_batch(const rs_embedder *e, const char *const *texts, size_t n,
                            float *out, size_t dim)
{
    struct batch b;
    size_t total, tasks;
    unsigned workers;
    int rc;

    if (n == 0)
        return e ? RS_OK : rs__fail(RS_ERR_INVALID, "rs_embedder_embed_batch: embedder is NULL");
    if ((rc = check_embed(e, out, dim, "rs_embedder_embed_batch")) != 0)
        return rc;
    if ((rc = rs__mul_size(n, dim * sizeof(float), &total)) != 0)
        return rc;
    if ((rc = check_texts(texts, n, "rs_embedder_embed_batch")) != 0)
        goto fail;
    if (e->kind == RS_EMBEDDER_CALLBACK) {
        if ((rc = callback_embed(e, texts, n, out)) != 0)
            goto fail;
        return RS_OK;
    }
    tasks = (n + BATCH_CHUNK - 1) / BATCH_CHUNK;
    workers = rs__parallel_workers(tasks, 0);
    b.e = e;
    b.texts = texts;
    b.n = n;
    b.out = out;
    if (!(b.scratch = rs__alloc_array(workers, sizeof *b.scratch))) {
        rc = rs_errcode();
        goto fail;
    }
    for (unsigned w = 0; w < workers; w++)
        rs__scratch_init(&b.scratch[w]);
    rc = rs__parallel_for(tasks, workers, batch_task, &b);
    for (unsigned w = 0; w < workers; w++)
        rs__scratch_free(&b.scratch[w]);
    free(b.scratch);
    if (rc == 0)
        return RS_OK;
fail:
    memset(out, 0, total);
    return rc;
}

/* ---------------------------------------------------------------- tokenize */

struct writer {
    char *buf;
    size_t size, needed, count;
};

static int write_token(void *ctx, const char *bytes, size_t len, bool is_char)
{
    struct writer *w = ctx;
    (void)is_char;
    if (w->needed + len + 1 <= w->size) {
        memcpy(w->buf + w->needed, bytes, len);
        w->buf[w->needed + len] = '\0';
    }
    w->needed += len + 1;
    w->count++;
    return 0;
}

int rs_embedder_tokenize(const rs_embedder *e, const char *text, int what, char *buf,
                         size_t buf_size, size_t *needed_out, size_t *count_out)
{
    struct writer w = {buf, buf_size, 0, 0};
    rs__text_scratch s;
    int rc;

    if (!e || !text)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_tokenize: %s is NULL",
                        e ? "text" : "embedder");
    if (what != RS_TOKENS_WORDS && what != RS_TOKENS_FEATURES)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_tokenize: unknown token kind %d", what);
    if (!buf && buf_size > 0)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_tokenize: buf is NULL, buf_size %zu",
                        buf_size);
    rs__scratch_init(&s);
    rc = rs__text_units(e, text, strlen(text), "text", &s);
    if (rc == 0 && what == RS_TOKENS_WORDS) {
        for (size_t u = 0; u < s.n_units; u++)
            write_token(&w, s.bytes + s.units[u].byte_off, s.units[u].byte_len, false);
    } else if (rc == 0) {
        rc = rs__text_features(e, &s, write_token, &w);
    }
    rs__scratch_free(&s);
    if (rc != 0)
        return rc;
    if (needed_out)
        *needed_out = w.needed;
    if (count_out)
        *count_out = w.count;
    if (w.needed > buf_size)
        return rs__fail(RS_ERR_BUFFER, "rs_embedder_tokenize: %zu tokens need %zu bytes, "
                        "buf_size is %zu", w.count, w.needed, buf_size);
    return RS_OK;
}
