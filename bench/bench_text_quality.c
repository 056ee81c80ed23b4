/*
 * bench_text_quality.c - how faithfully the hashing embedder keeps the
 * neighbourhoods of exact TF-IDF.
 *
 * Usage: bench_text_quality TEXTS [SAMPLES]
 *   TEXTS: one text per line (bench_text_quality.sh passes the distinct
 *   Online Retail descriptions).
 *
 * For SAMPLES (default 1000) texts drawn with a fixed seed, the top-10
 * neighbours by cosine of the hashing embedder's vectors are compared with
 * the top-10 by exact cosine of the sparse sublinear-tf x idf vectors over
 * the very same features (rs_embedder_tokenize(RS_TOKENS_FEATURES), the
 * same idf formula).  Reported: the mean overlap |hash ∩ exact| / 10, both
 * strict (exact top-10 with ties broken by index) and tie-aware (a hashing
 * neighbour whose exact cosine equals the exact 10th best also counts),
 * for dimensions 64..512 and 1, 2, 4 hashes per feature.  The feature
 * configuration is the default one; RS_CHAR_MIN, RS_CHAR_MAX, RS_WORD_MAX
 * and RS_CHAR_WEIGHT in the environment change it for both sides.
 */
#include "recsim.h"
#include "core/blas.h"
#include "core/idmap.h"
#include "core/rng.h"
#include "core/topk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_util.h"

#define K 10

typedef struct entry {
    uint32_t feature;
    float weight;
} entry;

static char *is_char;
static size_t is_char_cap;

typedef struct sparse {
    entry *entries;
    size_t n;
} sparse;

/* Feature options from the environment (for exploring configurations):
 * RS_CHAR_MIN, RS_CHAR_MAX, RS_CHAR_WEIGHT, RS_WORD_MAX. */
static void configure(rs_embedder *e)
{
    const char *v;
    if ((v = getenv("RS_CHAR_MIN")))
        rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MIN, atoi(v));
    if ((v = getenv("RS_CHAR_MAX")))
        rs_embedder_set_int(e, RS_EMBEDDER_CHAR_NGRAM_MAX, atoi(v));
    if ((v = getenv("RS_WORD_MAX")))
        rs_embedder_set_int(e, RS_EMBEDDER_WORD_NGRAM_MAX, atoi(v));
    if ((v = getenv("RS_CHAR_WEIGHT")))
        rs_embedder_set_double(e, RS_EMBEDDER_CHAR_WEIGHT, atof(v));
}

static double char_weight(const rs_embedder *e)
{
    double w = 1.0;
    rs_embedder_get_double(e, RS_EMBEDDER_CHAR_WEIGHT, &w);
    return w;
}

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return (x->feature > y->feature) - (x->feature < y->feature);
}

/* Exact sublinear tf x idf vectors over the embedder's features. */
static sparse *exact_vectors(rs_embedder *e, char **texts, size_t n, size_t *n_features)
{
    rs_idmap *features = rs__idmap_create();
    sparse *vecs = calloc(n, sizeof *vecs);
    size_t buf_size = 1 << 16;
    char *buf = malloc(buf_size);
    double *df;
    size_t df_cap;

    for (size_t i = 0; i < n; i++) {
        size_t needed, count, off = 0, distinct = 0;
        if (rs_embedder_tokenize(e, texts[i], RS_TOKENS_FEATURES, buf, buf_size, &needed,
                                 &count) != RS_OK) {
            fprintf(stderr, "tokenize %zu: %s\n", i, rs_errmsg());
            exit(1);
        }
        vecs[i].entries = malloc((count + 1) * sizeof(entry));
        for (size_t t = 0; t < count; t++) {
            size_t len = strlen(buf + off);
            uint32_t id;
            rs__idmap_intern(features, buf + off, len, &id, NULL);
            vecs[i].entries[t].feature = id;
            vecs[i].entries[t].weight = 1.0f;
            if (id >= is_char_cap) {
                is_char_cap = 2 * id + 1024;
                is_char = realloc(is_char, is_char_cap);
            }
            is_char[id] = buf[off] == '#'; /* character n-grams start with '#' */
            off += len + 1;
        }
        /* merge repeats into counts */
        qsort(vecs[i].entries, count, sizeof(entry), cmp_entry);
        for (size_t t = 0; t < count; t++) {
            if (distinct && vecs[i].entries[distinct - 1].feature == vecs[i].entries[t].feature)
                vecs[i].entries[distinct - 1].weight += 1.0f;
            else
                vecs[i].entries[distinct++] = vecs[i].entries[t];
        }
        vecs[i].n = distinct;
    }
    df_cap = rs__idmap_span(features);
    df = calloc(df_cap + 1, sizeof *df);
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < vecs[i].n; t++)
            df[vecs[i].entries[t].feature] += 1.0;
    for (size_t i = 0; i < n; i++) {
        double norm = 0.0;
        for (size_t t = 0; t < vecs[i].n; t++) {
            entry *en = &vecs[i].entries[t];
            double tf = 1.0 + log(en->weight);
            double idf = log((1.0 + (double)n) / (1.0 + df[en->feature])) + 1.0;
            en->weight = (float)(tf * idf * (is_char[en->feature] ? char_weight(e) : 1.0));
            norm += (double)en->weight * en->weight;
        }
        norm = norm > 0 ? 1.0 / sqrt(norm) : 0.0;
        for (size_t t = 0; t < vecs[i].n; t++)
            vecs[i].entries[t].weight = (float)(vecs[i].entries[t].weight * norm);
    }
    *n_features = df_cap;
    free(df);
    free(buf);
    rs__idmap_free(features);
    return vecs;
}

int main(int argc, char **argv)
{
    static const int dims[] = {64, 128, 256, 512};
    size_t n, samples = argc > 2 ? (size_t)atol(argv[2]) : 1000, n_features;
    char **texts;
    sparse *exact;
    float *scores;
    uint32_t *exact_top, *sample;
    float *exact_kth;
    /* inverted index: feature -> (doc, weight) */
    size_t *post_start;
    entry *postings;
    rs_embedder *base;
    rs_rng rng;

    if (argc < 2) {
        fprintf(stderr, "usage: %s TEXTS [SAMPLES]\n", argv[0]);
        return 2;
    }
    rs_set_num_threads(1);
    texts = read_lines(argv[1], true, &n);
    if (n < K + 1) {
        fprintf(stderr, "%s: need at least %d texts\n", argv[1], K + 1);
        return 1;
    }
    if (samples > n)
        samples = n;
    rs_embedder_create_hashing(&base);
    configure(base);
    exact = exact_vectors(base, texts, n, &n_features);

    /* inverted index for exact cosines */
    post_start = calloc(n_features + 1, sizeof *post_start);
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < exact[i].n; t++)
            post_start[exact[i].entries[t].feature + 1]++;
    for (size_t f = 0; f < n_features; f++)
        post_start[f + 1] += post_start[f];
    postings = malloc((post_start[n_features] + 1) * sizeof *postings);
    {
        size_t *fill = calloc(n_features, sizeof *fill);
        for (size_t i = 0; i < n; i++)
            for (size_t t = 0; t < exact[i].n; t++) {
                uint32_t f = exact[i].entries[t].feature;
                postings[post_start[f] + fill[f]].feature = (uint32_t)i;
                postings[post_start[f] + fill[f]].weight = exact[i].entries[t].weight;
                fill[f]++;
            }
        free(fill);
    }

    /* the sample: a partial Fisher-Yates shuffle with a fixed seed */
    sample = malloc(n * sizeof *sample);
    for (size_t i = 0; i < n; i++)
        sample[i] = (uint32_t)i;
    rs__rng_init(&rng, 20261128, 5, 0, 0);
    for (size_t i = 0; i < samples; i++) {
        size_t j = i + (size_t)rs__rng_below(&rng, n - i);
        uint32_t t = sample[i];
        sample[i] = sample[j];
        sample[j] = t;
    }

    /* exact top-10 of every sampled text (itself excluded) */
    scores = malloc(n * sizeof *scores);
    exact_top = malloc(samples * K * sizeof *exact_top);
    exact_kth = malloc(samples * sizeof *exact_kth);
    for (size_t s = 0; s < samples; s++) {
        uint32_t q = sample[s];
        float top_score[K];
        rs_topk top;
        memset(scores, 0, n * sizeof *scores);
        for (size_t t = 0; t < exact[q].n; t++) {
            const entry *en = &exact[q].entries[t];
            for (size_t p = post_start[en->feature]; p < post_start[en->feature + 1]; p++)
                scores[postings[p].feature] += en->weight * postings[p].weight;
        }
        rs__topk_init(&top, K, exact_top + s * K, top_score);
        for (size_t i = 0; i < n; i++)
            if (i != q)
                rs__topk_push(&top, (uint32_t)i, scores[i]);
        rs__topk_finish(&top);
        exact_kth[s] = top_score[K - 1];
    }

    printf("texts: %zu distinct, %zu exact features, %zu sampled, top-%d\n", n, n_features,
           samples, K);
    printf("%-6s %-7s %-14s %-14s\n", "dim", "hashes", "overlap", "overlap(ties)");
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        for (int hashes = 1; hashes <= 4; hashes *= 2) {
            size_t dim = (size_t)dims[d];
            float *matrix = malloc(n * dim * sizeof *matrix);
            double strict = 0, tied = 0;
            rs_embedder *e;
            rs_embedder_create_hashing(&e);
            configure(e);
            rs_embedder_set_int(e, RS_EMBEDDER_DIM, (int64_t)dim);
            rs_embedder_set_int(e, RS_EMBEDDER_HASHES, hashes);
            if (rs_embedder_fit(e, (const char *const *)texts, n) != RS_OK ||
                rs_embedder_embed_batch(e, (const char *const *)texts, n, matrix, dim) !=
                    RS_OK) {
                fprintf(stderr, "embed: %s\n", rs_errmsg());
                return 1;
            }
            for (size_t s = 0; s < samples; s++) {
                uint32_t q = sample[s], hash_top[K];
                float hash_score[K];
                rs_topk top;
                rs__sgemv(false, n, dim, 1.0f, matrix, dim, matrix + (size_t)q * dim, 0.0f,
                          scores);
                rs__topk_init(&top, K, hash_top, hash_score);
                for (size_t i = 0; i < n; i++)
                    if (i != q)
                        rs__topk_push(&top, (uint32_t)i, scores[i]);
                rs__topk_finish(&top);
                for (int a = 0; a < K; a++) {
                    bool hit = false;
                    for (int b = 0; b < K; b++)
                        hit = hit || hash_top[a] == exact_top[s * K + b];
                    strict += hit;
                    if (!hit) {
                        /* tied with the exact 10th best? compute its exact cosine */
                        const sparse *x = &exact[q], *y = &exact[hash_top[a]];
                        double c = 0;
                        size_t i = 0, j = 0;
                        while (i < x->n && j < y->n) {
                            if (x->entries[i].feature == y->entries[j].feature)
                                c += (double)x->entries[i++].weight * y->entries[j++].weight;
                            else if (x->entries[i].feature < y->entries[j].feature)
                                i++;
                            else
                                j++;
                        }
                        hit = (float)c >= exact_kth[s] - 1e-6f;
                    }
                    tied += hit;
                }
            }
            printf("%-6zu %-7d %-14.3f %-14.3f\n", dim, hashes, strict / (double)(samples * K),
                   tied / (double)(samples * K));
            free(matrix);
            rs_embedder_free(e);
        }
    }
    rs_embedder_free(base);
    return 0;
}
