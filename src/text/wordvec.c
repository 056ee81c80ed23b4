/*
 * wordvec.c - the word-vector embedder: loading word2vec / GloVe / fastText
 * files, and SIF sentence vectors (Arora, Liang and Ma 2017): the mean of a
 * text's word vectors weighted by a / (a + p(w)), minus the projection on
 * the first principal component of a fitted corpus's sentence vectors.
 *
 * Before a fit, p(w) comes from Zipf's law on the file's order (the files
 * are sorted by frequency): p(rank r) = 1 / ((r + 1) H_V).
 */
#include "text/text_internal.h"
#include "core/alloc.h"
#include "core/blas.h"
#include "core/error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define MAX_DIM 65536
#define MAX_BINARY_WORD 4096
#define PC_TILE 256
#define POWER_ITERATIONS 300

void rs__wordvec_free(rs__wordvec *wv)
{
    rs__idmap_free(wv->vocab);
    free(wv->vectors);
    free(wv->weight);
    free(wv->counts);
    free(wv->pc);
    memset(wv, 0, sizeof *wv);
}

/* ---------------------------------------------------------------- loading */

typedef struct loader {
    const char *path;
    rs__wordvec wv;
    size_t dim, cap_rows;
    size_t rows_read; /* rows of the file, kept or not */
    rs__text_scratch s;
} loader;

/* Append one vector under word (not NUL-terminated); duplicates after
 * normalisation and words that are not UTF-8 are skipped. */
static int add_word(loader *ld, const char *word, size_t len, const float *values)
{
    size_t norm_len;
    uint32_t index;
    bool created;
    int rc;

    ld->rows_read++;
    if (rs__text_normalized_bytes(word, len, "word", &ld->s, &norm_len) != 0) {
        if (rs_errcode() != RS_ERR_ENCODING)
            return rs_errcode();
        return 0; /* no valid text can contain it */
    }
    if (norm_len == 0)
        return 0;
    if ((rc = rs__grow((void **)&ld->wv.vectors, &ld->cap_rows, ld->wv.n_words + 1,
                       ld->dim * sizeof(float))) != 0)
        return rc;
    if ((rc = rs__idmap_intern(ld->wv.vocab, ld->s.bytes, norm_len, &index, &created)) != 0)
        return rc;
    if (!created)
        return 0;
    memcpy(ld->wv.vectors + (size_t)index * ld->dim, values, ld->dim * sizeof(float));
    ld->wv.n_words++;
    return 0;
}

static bool parse_size(const char *token, size_t *out)
{
    char *end;
    unsigned long long v;
    if (*token < '0' || *token > '9')
        return false;
    errno = 0;
    v = strtoull(token, &end, 10);
    if (errno || *end)
        return false;
    *out = (size_t)v;
    return true;
}

static size_t split_fields(char *line, char **fields, size_t max_fields)
{
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (n < max_fields)
            fields[n] = tok;
        n++;
    }
    return n;
}

/* Parse "word v1 ... vdim" (line already stripped of its newline). */
static int parse_row(loader *ld, char *line, size_t line_no, float *values)
{
    char *save = NULL, *word = strtok_r(line, " \t", &save);
    size_t count = 0;
    for (char *tok = strtok_r(NULL, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        char *end;
        float v;
        if (count == ld->dim) {
            count++;
            break;
        }
        errno = 0;
        v = strtof(tok, &end);
        if (*end || end == tok)
            return rs__fail(RS_ERR_PARSE, "%s:%zu: value %zu \"%.32s\" is not a number",
                            ld->path, line_no, count + 1, tok);
        if (!isfinite(v))
            return rs__fail(RS_ERR_RANGE, "%s:%zu: value %zu (%s) is not finite", ld->path,
                            line_no, count + 1, tok);
        values[count++] = v;
    }
    if (count != ld->dim) {
        if (count > ld->dim)
            return rs__fail(RS_ERR_PARSE, "%s:%zu: more than %zu values after the word",
                            ld->path, line_no, ld->dim);
        return rs__fail(RS_ERR_PARSE, "%s:%zu: %zu values after the word, expected %zu",
                        ld->path, line_no, count, ld->dim);
    }
    return add_word(ld, word, strlen(word), values);
}

static void strip_newline(char *line, ssize_t *len)
{
    while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
        line[--*len] = '\0';
}

static int load_text(loader *ld, FILE *f, size_t max_words)
{
    char *line = NULL, *fields[3];
    size_t line_cap = 0, line_no = 0, announced = 0;
    float *values = NULL;
    bool header = false;
    ssize_t len;
    int rc = 0;

    while ((len = getline(&line, &line_cap, f)) >= 0) {
        line_no++;
        strip_newline(line, &len);
        if (len == 0 || strspn(line, " \t") == (size_t)len)
            continue;
        if (ld->dim == 0) {
            /* the first line: a "count dim" header, or GloVe's first row */
            char *copy = rs__strdup(line);
            size_t n_fields, count, dim;
            if (!copy) {
                rc = rs_errcode();
                break;
            }
            n_fields = split_fields(copy, fields, 3);
            if (n_fields == 2 && parse_size(fields[0], &count) && parse_size(fields[1], &dim)) {
                header = true;
                announced = count;
                ld->dim = dim;
                free(copy);
                if (dim == 0 || dim > MAX_DIM) {
                    rc = rs__fail(RS_ERR_PARSE, "%s:%zu: dimension %zu is outside [1, %d]",
                                  ld->path, line_no, dim, MAX_DIM);
                    break;
                }
                if (count == 0) {
                    rc = rs__fail(RS_ERR_PARSE, "%s:%zu: the header announces 0 vectors",
                                  ld->path, line_no);
                    break;
                }
                if (!(values = rs__alloc_array(dim + 1, sizeof *values))) {
                    rc = rs_errcode();
                    break;
                }
                continue;
            }
            free(copy);
            if (n_fields < 2 || n_fields - 1 > MAX_DIM) {
                rc = rs__fail(RS_ERR_PARSE, "%s:%zu: expected \"count dim\" or a word and "
                              "its values, found %zu fields", ld->path, line_no, n_fields);
                break;
            }
            ld->dim = n_fields - 1;
            if (!(values = rs__alloc_array(ld->dim + 1, sizeof *values))) {
                rc = rs_errcode();
                break;
            }
        }
        if (header && ld->rows_read == announced) {
            rc = rs__fail(RS_ERR_PARSE, "%s:%zu: more vectors than the %zu the header "
                          "announces", ld->path, line_no, announced);
            break;
        }
        if ((rc = parse_row(ld, line, line_no, values)) != 0)
            break;
        if (max_words && ld->rows_read == max_words)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = rs__fail(RS_ERR_IO, "%s:%zu: read error: %s", ld->path, line_no, strerror(errno));
    if (rc == 0 && ld->rows_read == 0)
        rc = rs__fail(RS_ERR_PARSE, "%s:%zu: no vectors in the file", ld->path, line_no);
    if (rc == 0 && header && ld->rows_read < announced &&
        !(max_words && ld->rows_read == max_words))
        rc = rs__fail(RS_ERR_PARSE, "%s:%zu: the header announces %zu vectors, the file has %zu",
                      ld->path, line_no, announced, ld->rows_read);
    free(line);
    free(values);
    return rc;
}

static float le_float(const unsigned char *p)
{
    uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                    (uint32_t)p[3] << 24;
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static int load_binary(loader *ld, FILE *f, size_t max_words)
{
    char header[128], *fields[3], word[MAX_BINARY_WORD + 1];
    size_t count, dim, n_fields;
    unsigned char *raw = NULL;
    float *values = NULL;
    int rc = 0;

    if (!fgets(header, sizeof header, f))
        return rs__fail(ferror(f) ? RS_ERR_IO : RS_ERR_PARSE, "%s:1: no header", ld->path);
    n_fields = split_fields(header, fields, 3);
    if (n_fields == 2)
        fields[1][strcspn(fields[1], "\r\n")] = '\0';
    if (n_fields != 2 || !parse_size(fields[0], &count) || !parse_size(fields[1], &dim))
        return rs__fail(RS_ERR_PARSE, "%s:1: expected a \"count dim\" header", ld->path);
    if (dim == 0 || dim > MAX_DIM || count == 0)
        return rs__fail(RS_ERR_PARSE, "%s:1: header \"%zu %zu\" is out of range", ld->path,
                        count, dim);
    ld->dim = dim;
    if (!(raw = rs__alloc_array(dim, 4)) || !(values = rs__alloc_array(dim, sizeof *values))) {
        free(raw);
        return rs_errcode();
    }
    for (size_t row = 0; row < count && rc == 0; row++) {
        long offset = ftell(f);
        size_t len = 0;
        int c;
        if (max_words && row == max_words)
            break;
        while ((c = getc(f)) == '\n' || c == ' ')
            ;
        while (c != EOF && c != ' ' && len < MAX_BINARY_WORD) {
            word[len++] = (char)c;
            c = getc(f);
        }
        if (c != ' ') {
            rc = rs__fail(RS_ERR_PARSE, "%s: vector %zu at byte %ld: %s (the header announces "
                          "%zu vectors)", ld->path, row + 1, offset,
                          c == EOF ? "truncated" : "word longer than 4096 bytes", count);
            break;
        }
        if (fread(raw, 4, dim, f) != dim) {
            rc = rs__fail(RS_ERR_PARSE, "%s: vector %zu at byte %ld: truncated values (the "
                          "header announces %zu vectors of %zu)", ld->path, row + 1, offset,
                          count, dim);
            break;
        }
        for (size_t j = 0; j < dim && rc == 0; j++) {
            values[j] = le_float(raw + 4 * j);
            if (!isfinite(values[j]))
                rc = rs__fail(RS_ERR_RANGE, "%s: vector %zu at byte %ld: value %zu is not "
                              "finite", ld->path, row + 1, offset, j + 1);
        }
        if (rc == 0)
            rc = add_word(ld, word, len, values);
    }
    if (rc == 0 && ferror(f))
        rc = rs__fail(RS_ERR_IO, "%s: read error: %s", ld->path, strerror(errno));
    free(raw);
    free(values);
    return rc;
}

int rs_embedder_load_vectors(const char *path, int format, size_t max_words, rs_embedder **out)
{
    loader ld;
    FILE *f;
    rs_embedder *e = NULL;
    size_t path_len;
    int rc;

    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load_vectors: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load_vectors: path is %s",
                        path ? "empty" : "NULL");
    if (format != RS_VECTORS_AUTO && format != RS_VECTORS_TEXT && format != RS_VECTORS_BINARY)
        return rs__fail(RS_ERR_INVALID, "rs_embedder_load_vectors: unknown format %d", format);
    path_len = strlen(path);
    if (format == RS_VECTORS_AUTO)
        format = path_len >= 4 && strcmp(path + path_len - 4, ".bin") == 0 ? RS_VECTORS_BINARY
                                                                           : RS_VECTORS_TEXT;
    if (!(f = fopen(path, format == RS_VECTORS_BINARY ? "rb" : "r")))
        return rs__fail(RS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));

    memset(&ld, 0, sizeof ld);
    ld.path = path;
    rs__scratch_init(&ld.s);
    if (!(ld.wv.vocab = rs__idmap_create()))
        rc = rs_errcode();
    else if (format == RS_VECTORS_BINARY)
        rc = load_binary(&ld, f, max_words);
    else
        rc = load_text(&ld, f, max_words);
    fclose(f);
    rs__scratch_free(&ld.s);
    if (rc == 0 && ld.wv.n_words == 0)
        rc = rs__fail(RS_ERR_PARSE, "%s: no usable words (none is valid UTF-8)", path);
    if (rc == 0 && !(e = rs__embedder_new(RS_EMBEDDER_WORD_VECTORS, ld.dim)))
        rc = rs_errcode();
    if (rc == 0) {
        e->wv = ld.wv;
        if ((rc = rs__wordvec_weights(e)) != 0) {
            rs_embedder_free(e);
            return rc;
        }
        *out = e;
        return RS_OK;
    }
    rs__wordvec_free(&ld.wv);
    return rc;
}

/* ---------------------------------------------------------------- SIF */

/* SIF weights for counts (NULL: Zipf on the row order) into weight[]. */
static void sif_weights(const rs__wordvec *wv, const double *counts, double total, double a,
                        float *weight)
{
    double harmonic = 0.0;
    if (!counts) {
        for (size_t r = wv->n_words; r > 0; r--)
            harmonic += 1.0 / (double)r;
    }
    for (size_t r = 0; r < wv->n_words; r++) {
        double p;
        if (counts)
            p = total > 0 ? counts[r] / total : 0.0;
        else
            p = 1.0 / ((double)(r + 1) * harmonic);
        weight[r] = (float)(a / (a + p));
    }
}

int rs__wordvec_weights(rs_embedder *e)
{
    float *weight = rs__alloc_array(e->wv.n_words, sizeof *weight);
    if (!weight)
        return rs_errcode();
    sif_weights(&e->wv, e->wv.counts, e->wv.total, e->config.sif_a, weight);
    free(e->wv.weight);
    e->wv.weight = weight;
    return 0;
}

/* The rows of the words of the units in s, CJK bigrams first when known;
 * calls visit(ctx, row) for each, and *tokens gets the number of units. */
typedef void (*row_fn)(void *ctx, uint32_t row);

static int visit_words(const rs_embedder *e, rs__text_scratch *s, row_fn visit, void *ctx)
{
    const rs_idmap *vocab = e->wv.vocab;
    for (size_t u = 0; u < s->n_units; u++) {
        const rs__unit *unit = &s->units[u];
        uint32_t row;
        if (unit->type == RS__UNIT_CJK && u + 1 < s->n_units &&
            s->units[u + 1].type == RS__UNIT_CJK && !s->units[u + 1].gap_before) {
            size_t len = unit->byte_len + s->units[u + 1].byte_len;
            int rc = rs__grow((void **)&s->feat, &s->feat_cap, len, 1);
            if (rc != 0)
                return rc;
            memcpy(s->feat, s->bytes + unit->byte_off, unit->byte_len);
            memcpy(s->feat + unit->byte_len, s->bytes + s->units[u + 1].byte_off,
                   s->units[u + 1].byte_len);
            row = rs__idmap_find(vocab, s->feat, len);
            if (row != RS_IDMAP_NONE) {
                visit(ctx, row);
                u++;
                continue;
            }
        }
        row = rs__idmap_find(vocab, s->bytes + unit->byte_off, unit->byte_len);
        if (row != RS_IDMAP_NONE)
            visit(ctx, row);
    }
    return 0;
}

struct mean {
    const rs__wordvec *wv;
    const float *weight;
    size_t dim;
    float *out;
    size_t known;
};

static void add_weighted(void *ctx, uint32_t row)
{
    struct mean *m = ctx;
    const float *v = m->wv->vectors + (size_t)row * m->dim;
    float w = m->weight[row];
    for (size_t j = 0; j < m->dim; j++)
        m->out[j] += w * v[j];
    m->known++;
}

/* The SIF mean of a text (no component removed, not normalised). */
static int sif_mean(const rs_embedder *e, const float *weight, const char *text,
                    const char *what, rs__text_scratch *s, float *out)
{
    struct mean m = {&e->wv, weight, e->dim, out, 0};
    int rc;
    memset(out, 0, e->dim * sizeof *out);
    if ((rc = rs__text_units(e, text, strlen(text), what, s)) != 0 ||
        (rc = visit_words(e, s, add_weighted, &m)) != 0)
        return rc;
    if (m.known > 1) {
        float inv = 1.0f / (float)m.known;
        for (size_t j = 0; j < e->dim; j++)
            out[j] *= inv;
    }
    return 0;
}

static void remove_component(const float *pc, float *v, size_t dim)
{
    double dot = 0.0;
    for (size_t j = 0; j < dim; j++)
        dot += (double)pc[j] * v[j];
    for (size_t j = 0; j < dim; j++)
        v[j] -= (float)dot * pc[j];
}

int rs__wordvec_embed(const rs_embedder *e, const char *text, const char *what,
                      rs__text_scratch *s, float *out)
{
    int rc = sif_mean(e, e->wv.weight, text, what, s, out);
    if (rc != 0)
        return rc;
    if (e->wv.pc && e->config.remove_pc)
        remove_component(e->wv.pc, out, e->dim);
    if (e->config.normalize)
        rs__normalize(out, e->dim);
    return 0;
}

struct counting {
    double *counts;
};

static void count_word(void *ctx, uint32_t row)
{
    ((struct counting *)ctx)->counts[row] += 1.0;
}

/* The top eigenvector of the symmetric dim x dim matrix c (upper triangle
 * filled), by power iteration from a fixed start: deterministic. */
static int top_eigenvector(float *c, size_t dim, float *pc)
{
    double *v = rs__alloc_array(dim, sizeof *v), *w = rs__alloc_array(dim, sizeof *w);
    if (!v || !w) {
        free(v);
        free(w);
        return rs_errcode();
    }
    for (size_t i = 0; i < dim; i++)
        for (size_t j = 0; j < i; j++)
            c[i * dim + j] = c[j * dim + i];
    for (size_t i = 0; i < dim; i++)
        v[i] = 1.0 / sqrt((double)dim) * (1.0 + 1e-3 * (double)(i % 7));
    for (int it = 0; it < POWER_ITERATIONS; it++) {
        double norm = 0.0, change = 0.0;
        for (size_t i = 0; i < dim; i++) {
            double sum = 0.0;
            for (size_t j = 0; j < dim; j++)
                sum += (double)c[i * dim + j] * v[j];
            w[i] = sum;
            norm += sum * sum;
        }
        norm = sqrt(norm);
        if (norm == 0.0)
            break;
        for (size_t i = 0; i < dim; i++) {
            double next = w[i] / norm;
            change += fabs(next - v[i]);
            v[i] = next;
        }
        if (change < 1e-9 * (double)dim)
            break;
    }
    for (size_t i = 0; i < dim; i++)
        pc[i] = (float)v[i];
    free(v);
    free(w);
    return 0;
}

int rs__wordvec_fit(rs_embedder *e, const char *const *texts, size_t n)
{
    rs__wordvec *wv = &e->wv;
    size_t dim = e->dim, tokens = 0;
    double *counts = rs__calloc(wv->n_words, sizeof *counts);
    float *weight = rs__alloc_array(wv->n_words, sizeof *weight);
    float *tile = rs__alloc_array(PC_TILE, dim * sizeof(float));
    float *cov = rs__calloc(dim * dim, sizeof(float));
    float *pc = rs__alloc_array(dim, sizeof *pc);
    struct counting counting = {counts};
    rs__text_scratch s;
    char what[48];
    double total = 0.0;
    int rc = 0;

    rs__scratch_init(&s);
    if (!counts || !weight || !tile || !cov || !pc) {
        rc = rs_errcode();
        goto done;
    }
    /* word frequencies over every token of the corpus, known or not */
    for (size_t i = 0; i < n && rc == 0; i++) {
        snprintf(what, sizeof what, "text %zu", i);
        if ((rc = rs__text_units(e, texts[i], strlen(texts[i]), what, &s)) == 0)
            rc = visit_words(e, &s, count_word, &counting);
        tokens += s.n_units;
    }
    if (rc != 0)
        goto done;
    total = (double)tokens;
    sif_weights(wv, counts, total, e->config.sif_a, weight);

    /* the first principal component of the SIF vectors (uncentred, as in
     * the paper's TruncatedSVD): the top eigenvector of X^T X */
    for (size_t first = 0; first < n && rc == 0; first += PC_TILE) {
        size_t rows = n - first < PC_TILE ? n - first : PC_TILE;
        for (size_t r = 0; r < rows && rc == 0; r++) {
            snprintf(what, sizeof what, "text %zu", first + r);
            rc = sif_mean(e, weight, texts[first + r], what, &s, tile + r * dim);
        }
        if (rc == 0)
            rc = rs__ssyrk_ata(dim, rows, 1.0f, tile, dim, 1.0f, cov, dim);
    }
    if (rc != 0 || (rc = top_eigenvector(cov, dim, pc)) != 0)
        goto done;

    free(wv->counts);
    free(wv->weight);
    free(wv->pc);
    wv->counts = counts;
    wv->total = total;
    wv->weight = weight;
    wv->pc = pc;
    counts = NULL;
    weight = NULL;
    pc = NULL;
done:
    rs__scratch_free(&s);
    free(counts);
    free(weight);
    free(tile);
    free(cov);
    free(pc);
    return rc;
}
