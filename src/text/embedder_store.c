/*
 * embedder_store.c - an embedder's configuration and fitted state in the
 * model file (the graph's meta table), so that query-time vectors match
 * build-time ones.  The table is reached through the store layer's
 * rs__meta_io, which the graph fills in (graph_embedder.c holds the public
 * rs_embedder_save and rs_embedder_load): text sits below the graph.
 *
 * Keys: "embedder.config" (text, "name=value" lines: kind, dimension,
 * options, seed), "embedder.stopwords" (the caller's words, NUL-separated),
 * "embedder.idf" (hashing: the fitted idf table) and "embedder.vectors"
 * (word vectors: vocabulary, vectors, SIF weights, principal component).
 * Binary blobs are little-endian, start with an 8-byte magic and end with
 * the XXH3-64 of everything before it, so damage is caught as
 * RS_ERR_CORRUPT.  All keys are written in one SAVEPOINT.
 */
#include "text/text_internal.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/lebytes.h"
#include "text/embedder_store.h"
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define CONFIG_FORMAT 1
#define IDF_MAGIC "RSIDF\0\0\1"
#define VEC_MAGIC "RSWVEC\0\1"

/* ---------------------------------------------------------------- blob writer */

typedef struct blob {
    unsigned char *data;
    size_t len, cap;
    int status;
} blob;

static void put(blob *b, const void *p, size_t n)
{
    if (b->status)
        return;
    if ((b->status = rs__grow((void **)&b->data, &b->cap, b->len + n, 1)) != 0)
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_u64(blob *b, uint64_t v)
{
    unsigned char bytes[8];
    rs__le_put64(bytes, v);
    put(b, bytes, 8);
}

static void put_f32(blob *b, float f)
{
    uint32_t bits;
    unsigned char bytes[4];
    memcpy(&bits, &f, 4);
    rs__le_put32(bytes, bits);
    put(b, bytes, 4);
}

static void put_f64(blob *b, double f)
{
    uint64_t bits;
    memcpy(&bits, &f, 8);
    put_u64(b, bits);
}

static void put_checksum(blob *b)
{
    put_u64(b, 0);
    if (!b->status)
        rs__blob_seal(b->data, b->len);
}

/* ---------------------------------------------------------------- blob reader */

typedef struct reader {
    const unsigned char *data;
    size_t len, at;
    const char *key;
    int status;
} reader;

static int corrupt(reader *r, const char *what)
{
    if (!r->status)
        r->status = rs__fail(RS_ERR_CORRUPT, "table meta, key %s: %s at byte %zu", r->key, what,
                             r->at);
    return r->status;
}

static const unsigned char *take(reader *r, size_t n)
{
    const unsigned char *p;
    if (r->status)
        return NULL;
    if (n > r->len - r->at) {
        corrupt(r, "truncated");
        return NULL;
    }
    p = r->data + r->at;
    r->at += n;
    return p;
}

static uint64_t get_u64(reader *r)
{
    const unsigned char *p = take(r, 8);
    return p ? rs__le_get64(p) : 0;
}

static float get_f32(reader *r)
{
    const unsigned char *p = take(r, 4);
    uint32_t bits = p ? rs__le_get32(p) : 0;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static double get_f64(reader *r)
{
    uint64_t bits = get_u64(r);
    double f;
    memcpy(&f, &bits, 8);
    return f;
}

/* Check magic and trailing checksum; the payload is then data[8 .. len-8). */
static int open_reader(reader *r, const void *data, size_t len, const char *key,
                       const char *magic)
{
    size_t end = 0;
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = len;
    r->key = key;
    if ((r->status = rs__blob_check(data, len, magic, 8, "meta", key, &end)) != 0)
        return r->status;
    r->len = end;
    r->at = 8;
    return 0;
}

/* ---------------------------------------------------------------- save */

static int write_config(const rs_embedder *e, const rs__meta_io *g)
{
    const rs__text_config *c = &e->config;
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "format=%d\nkind=%d\ndim=%zu\nfitted=%d\nseed=%" PRId64 "\n"
                     "word_ngram_max=%d\nchar_ngram_min=%d\nchar_ngram_max=%d\nhashes=%d\n"
                     "sublinear_tf=%d\nuse_idf=%d\nstopwords=%d\nnumbers=%d\ninvalid_utf8=%d\n"
                     "normalize=%d\ncjk_bigrams=%d\nbatch_size=%d\nchar_weight=%.17g\n"
                     "sif_a=%.17g\nremove_pc=%d\ngraph_rounds=%d\ngraph_self=%.17g\n",
                     CONFIG_FORMAT, e->kind, e->dim, e->fitted ? 1 : 0, c->seed,
                     c->word_ngram_max, c->char_ngram_min, c->char_ngram_max, c->hashes,
                     c->sublinear_tf, c->use_idf, c->stopwords, c->numbers, c->invalid_utf8,
                     c->normalize, c->cjk_bigrams, c->batch_size, c->char_weight, c->sif_a,
                     c->remove_pc, c->graph_rounds, c->graph_self);
    /* the text can be edited by hand; its checksum tells an edit from the
     * written configuration (older files, without it, are taken as they are) */
    if (n > 0 && (size_t)n < sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, "checksum=%016" PRIx64 "\n",
                      (uint64_t)XXH3_64bits(text, (size_t)n));
    if (n < 0 || (size_t)n >= sizeof text)
        return rs__fail(RS_ERR_INTERNAL, "rs_embedder_save: the configuration text is too long");
    return g->set(g->ctx, "embedder.config", text, (size_t)n);
}

static int write_stopwords(const rs_embedder *e, const rs__meta_io *g)
{
    blob b = {0};
    int rc;
    for (size_t i = 0; i < e->n_user_stopwords; i++)
        put(&b, e->user_stopwords[i], strlen(e->user_stopwords[i]) + 1);
    rc = b.status ? b.status : g->set(g->ctx, "embedder.stopwords", b.data, b.len);
    free(b.data);
    return rc;
}

static int write_idf(const rs_embedder *e, const rs__meta_io *g)
{
    const rs__idf_table *t = &e->idf;
    blob b = {0};
    int rc;
    put(&b, IDF_MAGIC, 8);
    put_u64(&b, t->n_docs);
    put_f32(&b, t->unseen_idf);
    put_u64(&b, t->size);
    /* slot order: the table is rebuilt by insertion on load, so any order works */
    for (size_t i = 0; i < t->capacity; i++) {
        if (!t->slots[i].key)
            continue;
        put_u64(&b, t->slots[i].key);
        put_f32(&b, t->slots[i].idf);
    }
    put_checksum(&b);
    rc = b.status ? b.status : g->set(g->ctx, "embedder.idf", b.data, b.len);
    free(b.data);
    return rc;
}

static int write_vectors(const rs_embedder *e, const rs__meta_io *g)
{
    const rs__wordvec *wv = &e->wv;
    blob b = {0};
    int rc;
    put(&b, VEC_MAGIC, 8);
    put_u64(&b, wv->n_words);
    put_u64(&b, e->dim);
    for (uint32_t w = 0; w < wv->n_words; w++) {
        size_t len;
        const char *word = rs__idmap_key(wv->vocab, w, &len);
        put(&b, word, len + 1);
    }
    for (size_t i = 0; i < wv->n_words * e->dim; i++)
        put_f32(&b, wv->vectors[i]);
    put_u64(&b, wv->counts ? 1 : 0);
    if (wv->counts) {
        put_f64(&b, wv->total);
        for (size_t w = 0; w < wv->n_words; w++)
            put_f64(&b, wv->counts[w]);
    }
    put_u64(&b, wv->pc ? 1 : 0);
    if (wv->pc)
        for (size_t j = 0; j < e->dim; j++)
            put_f32(&b, wv->pc[j]);
    put_checksum(&b);
    rc = b.status ? b.status : g->set(g->ctx, "embedder.vectors", b.data, b.len);
    free(b.data);
    return rc;
}

static int exec(const rs__meta_io *g, const char *sql)
{
    char *message = NULL;
    int rc = sqlite3_exec(g->db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK) {
        rc = rs__fail(rc == SQLITE_BUSY    ? RS_ERR_BUSY
                      : rc == SQLITE_NOMEM ? RS_ERR_NOMEM
                                           : RS_ERR_IO,
                      "%s: %s", sql,
                      message ? message : sqlite3_errstr(rc));
        sqlite3_free(message);
        return rc;
    }
    return 0;
}

int rs__embedder_save_meta(const rs_embedder *e, const rs__meta_io *g)
{
    int rc;
    if (!e || !g)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_save: %s is NULL", e ? "graph" : "embedder");
    if (g->readonly)
        return rs__fail(RS_ERR_READONLY, "rs_embedder_save: the graph is read-only");
    if ((rc = exec(g, "SAVEPOINT rs_embedder_save")) != 0)
        return rc;
    rc = write_config(e, g);
    if (rc == 0)
        rc = write_stopwords(e, g);
    if (rc == 0 && e->kind == RS_EMBEDDER_HASHING && e->fitted)
        rc = write_idf(e, g);
    if (rc == 0 && e->kind == RS_EMBEDDER_WORD_VECTORS)
        rc = write_vectors(e, g);
    if (rc != 0) {
        char message[RS_ERRMSG_MAX];
        snprintf(message, sizeof message, "%s", rs_errmsg());
        exec(g, "ROLLBACK TO rs_embedder_save");
        exec(g, "RELEASE rs_embedder_save");
        return rs__fail(rc, "rs_embedder_save: %s", message);
    }
    return exec(g, "RELEASE rs_embedder_save");
}

/* ---------------------------------------------------------------- load */

typedef struct config_field {
    const char *name;
    bool is_real;
    int64_t value;
    double real;
    bool seen;
} config_field;

static int config_fail(const char *name, const char *value, const char *why)
{
    return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": %s=\"%s\" %s", name,
                    value, why);
}

/* One value: a whole decimal integer, or (is_real) a finite number. */
static int parse_value(config_field *f, const char *value)
{
    char *end = NULL;
    errno = 0;
    if (f->is_real) {
        f->real = strtod(value, &end);
        if (end == value || *end || errno == ERANGE || !isfinite(f->real))
            return config_fail(f->name, value, "is not a finite number");
        f->value = 0;
    } else {
        f->value = strtoll(value, &end, 10);
        if (end == value || *end || errno == ERANGE)
            return config_fail(f->name, value, "is not a 64-bit integer");
        f->real = (double)f->value;
    }
    return 0;
}

/* "name=value" lines into fields; *checksum_out is set when the text has a
 * checksum line, *covered_out to the length of the text before it. */
static int parse_config(const char *text, size_t len, config_field *fields, size_t n_fields,
                        bool *has_checksum, uint64_t *checksum_out, size_t *covered_out)
{
    size_t at = 0;
    *has_checksum = false;
    while (at < len) {
        const char *line = text + at, *eq, *nl = memchr(line, '\n', len - at);
        size_t line_start = at, line_len = nl ? (size_t)(nl - line) : len - at;
        char value[64];
        at += line_len + 1;
        if (line_len == 0)
            continue;
        if (*has_checksum)
            return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": text after the "
                                            "checksum line");
        eq = memchr(line, '=', line_len);
        if (!eq)
            return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": line \"%.*s\" "
                            "has no '='", (int)(line_len > 40 ? 40 : line_len), line);
        size_t name_len = (size_t)(eq - line), value_len = line_len - name_len - 1;
        if (value_len == 0 || value_len >= sizeof value)
            return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": bad value of "
                            "%.*s", (int)(name_len > 40 ? 40 : name_len), line);
        memcpy(value, eq + 1, value_len);
        value[value_len] = '\0';
        if (name_len == 8 && memcmp(line, "checksum", 8) == 0) {
            char *end = NULL;
            errno = 0;
            *checksum_out = strtoull(value, &end, 16);
            if (value_len != 16 || *end || errno == ERANGE)
                return config_fail("checksum", value, "is not 16 hexadecimal digits");
            *has_checksum = true;
            *covered_out = line_start;
            continue;
        }
        for (size_t f = 0; f < n_fields; f++) {
            int rc;
            if (strlen(fields[f].name) != name_len ||
                memcmp(fields[f].name, line, name_len) != 0)
                continue;
            if (fields[f].seen)
                return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": %s appears "
                                "twice", fields[f].name);
            if ((rc = parse_value(&fields[f], value)) != 0)
                return rc;
            fields[f].seen = true;
        }
        /* unknown names are ignored: a later minor version may add options */
    }
    return 0;
}

static int load_stopwords(rs_embedder *e, const rs__meta_io *g)
{
    void *data = NULL;
    size_t len = 0, at = 0;
    int rc = g->get(g->ctx, "embedder.stopwords", &data, &len);
    if (rc == RS_ERR_NOTFOUND)
        return 0;
    while (rc == 0 && at < len) {
        const char *word = (const char *)data + at;
        size_t word_len = strnlen(word, len - at);
        char *copy;
        if (word_len == len - at) {
            rc = rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.stopwords\": unterminated");
            break;
        }
        if (!(copy = rs__strdup(word)) ||
            (rc = rs__grow((void **)&e->user_stopwords, &e->user_stopwords_cap,
                           e->n_user_stopwords + 1, sizeof *e->user_stopwords)) != 0) {
            free(copy);
            rc = rc ? rc : rs_errcode();
            break;
        }
        e->user_stopwords[e->n_user_stopwords++] = copy;
        at += word_len + 1;
    }
    free(data);
    return rc ? rc : rs__stopwords_rebuild(e, e->config.stopwords);
}

static int load_idf(rs_embedder *e, const rs__meta_io *g)
{
    void *data = NULL;
    size_t len = 0, count;
    reader r;
    rs__idf_table *t = &e->idf;
    int rc = g->get(g->ctx, "embedder.idf", &data, &len);
    if (rc == RS_ERR_NOTFOUND)
        return rs__fail(RS_ERR_CORRUPT, "model meta: the embedder is fitted but "
                        "\"embedder.idf\" is missing");
    if (rc != 0)
        return rc;
    if (open_reader(&r, data, len, "embedder.idf", IDF_MAGIC) == 0) {
        t->n_docs = get_u64(&r);
        t->unseen_idf = get_f32(&r);
        if (!r.status && (!isfinite(t->unseen_idf) || t->unseen_idf < 0))
            corrupt(&r, "the idf of unseen features is not a finite non-negative number");
        count = (size_t)get_u64(&r);
        if (!r.status && count > (r.len - r.at) / 12)
            corrupt(&r, "entry count larger than the blob");
        for (size_t i = 0; i < count && !r.status; i++) {
            uint64_t key = get_u64(&r);
            float idf = get_f32(&r);
            if (!r.status && (!key || !isfinite(idf)))
                corrupt(&r, "bad idf entry");
            else if (!r.status)
                r.status = rs__idf_set(t, key, idf);
        }
        if (!r.status && r.at != r.len)
            corrupt(&r, "trailing bytes");
        if (!r.status && t->capacity == 0) {
            /* an empty fitted table still needs a slot array for lookups */
            if ((t->slots = rs__calloc(1, sizeof *t->slots)) != NULL)
                t->capacity = 1;
            else
                r.status = rs_errcode();
        }
    }
    free(data);
    return r.status;
}

static int load_vectors(rs_embedder *e, const rs__meta_io *g)
{
    rs__wordvec *wv = &e->wv;
    void *data = NULL;
    size_t len = 0, n_words, dim;
    reader r;
    int rc = g->get(g->ctx, "embedder.vectors", &data, &len);
    if (rc == RS_ERR_NOTFOUND)
        return rs__fail(RS_ERR_CORRUPT, "model meta: \"embedder.vectors\" is missing");
    if (rc != 0)
        return rc;
    if (open_reader(&r, data, len, "embedder.vectors", VEC_MAGIC) == 0) {
        n_words = (size_t)get_u64(&r);
        dim = (size_t)get_u64(&r);
        if (!r.status && (dim != e->dim || n_words == 0 || n_words > (r.len - r.at) / 5))
            corrupt(&r, "bad header");
        if (!r.status && (!(wv->vocab = rs__idmap_create()) ||
                          !(wv->vectors = rs__alloc_array(n_words, dim * sizeof(float)))))
            r.status = rs_errcode();
        for (size_t w = 0; w < n_words && !r.status; w++) {
            const char *word = (const char *)r.data + r.at;
            size_t word_len = strnlen(word, r.len - r.at);
            uint32_t index;
            bool created;
            if (word_len == r.len - r.at) {
                corrupt(&r, "unterminated word");
                break;
            }
            r.at += word_len + 1;
            if ((r.status = rs__idmap_intern(wv->vocab, word, word_len, &index, &created)) ==
                    0 && (!created || index != w))
                corrupt(&r, "duplicate word");
        }
        wv->n_words = n_words;
        for (size_t i = 0; i < n_words * dim && !r.status; i++)
            wv->vectors[i] = get_f32(&r);
        if (!r.status && get_u64(&r) == 1) {
            wv->total = get_f64(&r);
            if (!r.status && !(wv->counts = rs__alloc_array(n_words, sizeof *wv->counts)))
                r.status = rs_errcode();
            for (size_t w = 0; w < n_words && !r.status; w++)
                wv->counts[w] = get_f64(&r);
        }
        if (!r.status && get_u64(&r) == 1) {
            if (!(wv->pc = rs__alloc_array(dim, sizeof *wv->pc)))
                r.status = rs_errcode();
            for (size_t j = 0; j < dim && !r.status; j++)
                wv->pc[j] = get_f32(&r);
        }
        if (!r.status && r.at != r.len)
            corrupt(&r, "trailing bytes");
    }
    free(data);
    if (r.status)
        return r.status;
    return rs__wordvec_weights(e);
}

int rs__embedder_load_meta(const rs__meta_io *g, rs_embed_fn fn, void *user_ctx,
                           rs_embedder **out)
{
    config_field fields[] = {
        {"format", false, 0, 0, false},         {"kind", false, 0, 0, false},
        {"dim", false, 0, 0, false},            {"fitted", false, 0, 0, false},
        {"seed", false, 0, 0, false},           {"word_ngram_max", false, 0, 0, false},
        {"char_ngram_min", false, 0, 0, false}, {"char_ngram_max", false, 0, 0, false},
        {"hashes", false, 0, 0, false},         {"sublinear_tf", false, 0, 0, false},
        {"use_idf", false, 0, 0, false},        {"stopwords", false, 0, 0, false},
        {"numbers", false, 0, 0, false},        {"invalid_utf8", false, 0, 0, false},
        {"normalize", false, 0, 0, false},      {"cjk_bigrams", false, 0, 0, false},
        {"batch_size", false, 0, 0, false},     {"char_weight", true, 0, 0, false},
        {"sif_a", true, 0, 0, false},           {"remove_pc", false, 0, 0, false},
        {"graph_rounds", false, 0, 0, false},   {"graph_self", true, 0, 0, false},
    };
    bool has_checksum = false;
    uint64_t checksum = 0;
    size_t covered = 0;
    enum { F_FORMAT, F_KIND, F_DIM, F_FITTED, F_SEED, F_FIRST_OPTION };
    static const int option_ids[] = {
        RS_EMBEDDER_WORD_NGRAM_MAX, RS_EMBEDDER_CHAR_NGRAM_MIN, RS_EMBEDDER_CHAR_NGRAM_MAX,
        RS_EMBEDDER_HASHES,         RS_EMBEDDER_SUBLINEAR_TF,   RS_EMBEDDER_USE_IDF,
        RS_EMBEDDER_STOPWORDS,      RS_EMBEDDER_NUMBERS,        RS_EMBEDDER_INVALID_UTF8,
        RS_EMBEDDER_NORMALIZE,      RS_EMBEDDER_CJK_BIGRAMS,    RS_EMBEDDER_BATCH_SIZE,
        RS_EMBEDDER_CHAR_WEIGHT,    RS_EMBEDDER_SIF_A,          RS_EMBEDDER_REMOVE_PC,
        RS_EMBEDDER_GRAPH_ROUNDS,   RS_EMBEDDER_GRAPH_SELF,
    };
    size_t n_fields = sizeof fields / sizeof fields[0], len = 0;
    void *text = NULL;
    rs_embedder *e = NULL;
    int rc, kind;

    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load: out is NULL");
    *out = NULL;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load: graph is NULL");
    rc = g->get(g->ctx, "embedder.config", &text, &len);
    if (rc == RS_ERR_NOTFOUND)
        return rs__fail(RS_ERR_NOTFOUND, "rs_embedder_load: no embedder saved in this model");
    if (rc != 0)
        return rc;
    rc = parse_config(text, len, fields, n_fields, &has_checksum, &checksum, &covered);
    /* reported after the fields' own checks, which name what is wrong */
    bool edited = rc == 0 && has_checksum && XXH3_64bits(text, covered) != checksum;
    free(text);
    if (rc != 0)
        return rc;
    for (size_t f = 0; f < n_fields; f++)
        if (!fields[f].seen)
            return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": %s is missing",
                            fields[f].name);
    if (fields[F_FORMAT].value > CONFIG_FORMAT)
        return rs__fail(RS_ERR_VERSION, "rs_embedder_load: embedder format %" PRId64
                        " is newer than this library's %d", fields[F_FORMAT].value,
                        CONFIG_FORMAT);
    if (fields[F_FORMAT].value < 1)
        return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": format=%" PRId64
                        " is not valid", fields[F_FORMAT].value);
    if (fields[F_FITTED].value != 0 && fields[F_FITTED].value != 1)
        return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": fitted=%" PRId64
                        " is not 0 or 1", fields[F_FITTED].value);
    if (fields[F_SEED].value < 0)
        return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": seed=%" PRId64
                        " is negative", fields[F_SEED].value);
    kind = (int)fields[F_KIND].value;
    if (fields[F_KIND].value != kind)
        kind = -1;
    if (kind == RS_EMBEDDER_CALLBACK && !fn)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load: the saved embedder is a callback "
                        "embedder: pass its callback");
    if (kind != RS_EMBEDDER_CALLBACK && fn)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load: a callback was given but the "
                        "saved embedder is not a callback embedder");
    if (kind != RS_EMBEDDER_HASHING && kind != RS_EMBEDDER_CALLBACK &&
        kind != RS_EMBEDDER_WORD_VECTORS)
        return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": kind=%" PRId64
                        " is not a known embedder kind", fields[F_KIND].value);
    /* a hashing embedder's dimension has its option's range; the others
     * take theirs from the callback or the vectors, up to 65536 */
    double dim_lo = 1, dim_hi = 65536;
    if (kind == RS_EMBEDDER_HASHING)
        rs_embedder_option_bounds(RS_EMBEDDER_DIM, &dim_lo, &dim_hi, NULL);
    if ((double)fields[F_DIM].value < dim_lo || (double)fields[F_DIM].value > dim_hi)
        return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": dim=%" PRId64
                        " is outside [%.0f, %.0f]", fields[F_DIM].value, dim_lo, dim_hi);
    if (fields[F_FITTED].value && kind == RS_EMBEDDER_CALLBACK)
        return rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": a callback embedder "
                                        "cannot be fitted (fitted=1)");
    if (!(e = rs__embedder_new(kind, (size_t)fields[F_DIM].value)))
        return rs_errcode();
    e->callback = fn;
    e->callback_ctx = user_ctx;
    e->config.seed = fields[F_SEED].value;
    /* each option through its checked setter (the embedder is not fitted yet) */
    for (size_t i = 0; i < sizeof option_ids / sizeof option_ids[0] && rc == 0; i++) {
        const config_field *f = &fields[F_FIRST_OPTION + i];
        double lo, hi;
        rs_embedder_option_bounds(option_ids[i], &lo, &hi, NULL);
        if (!(f->real >= lo && f->real <= hi))
            rc = rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": %s=%g is outside "
                          "[%g, %g]", f->name, f->real, lo, hi);
        else if (option_ids[i] == RS_EMBEDDER_CHAR_WEIGHT)
            e->config.char_weight = f->real;
        else if (option_ids[i] == RS_EMBEDDER_SIF_A)
            e->config.sif_a = f->real;
        else if (option_ids[i] == RS_EMBEDDER_GRAPH_SELF)
            e->config.graph_self = f->real;
        else
            *rs__embedder_int_option(e, option_ids[i]) = (int)f->value;
    }
    if (rc == 0 && edited)
        rc = rs__fail(RS_ERR_CORRUPT, "model meta \"embedder.config\": checksum mismatch (the "
                                      "text was edited or damaged)");
    if (rc == 0)
        rc = load_stopwords(e, g);
    if (rc == 0 && kind == RS_EMBEDDER_HASHING && fields[F_FITTED].value)
        rc = load_idf(e, g);
    if (rc == 0 && kind == RS_EMBEDDER_WORD_VECTORS)
        rc = load_vectors(e, g);
    if (rc != 0) {
        rs_embedder_free(e);
        return rc;
    }
    e->fitted = fields[F_FITTED].value != 0;
    *out = e;
    return RS_OK;
}
