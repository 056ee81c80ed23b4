/*
 * bench_text.c - speed of the hashing embedder (fit idf + embed), one core.
 *
 *   bench_text --synthetic N FILE   write N synthetic short texts to FILE
 *   bench_text TEXTS [RUNS]         fit + embed TEXTS (one per line) RUNS
 *                                   times (default 3) and print the median
 *
 * The configuration is the default one (word unigrams and bigrams,
 * character 3..5-grams of "<word>", English and Chinese stop words,
 * sublinear tf, smooth idf, dim 256, L2); bench_text.py runs scikit-learn
 * with the same features on the same file.  Without a file argument (as
 * when run directly by `make bench`) it times 200,000 synthetic texts.
 */
#include "recsim.h"
#include "core/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_util.h"

#define DIM 256

/* Short product-like texts: 2..8 words, Zipf-distributed over a vocabulary
 * of pseudo-words, sometimes a number, sometimes Chinese. */
static char **synthetic(size_t n)
{
    static const char *const syllables[] = {
        "ka", "lo", "mi", "ret", "ro", "spot", "vin", "tage", "pa", "per", "glass", "wood",
        "en", "hol", "der", "can", "dle", "set", "box", "tin", "heart", "star", "bag", "red",
    };
    static const char *const chinese[] = {"购买", "苹果", "手机", "红色", "杯子", "礼物"};
    enum { VOCAB = 20000 };
    char **texts = malloc(n * sizeof *texts);
    char (*vocab)[24] = malloc(VOCAB * sizeof *vocab);
    double *cdf = malloc(VOCAB * sizeof *cdf), total = 0;
    rs_rng rng;
    size_t n_syl = sizeof syllables / sizeof syllables[0];

    rs__rng_init(&rng, 7, 1, 0, 0);
    for (size_t w = 0; w < VOCAB; w++) {
        int parts = 1 + (int)rs__rng_below(&rng, 3);
        vocab[w][0] = '\0';
        for (int p = 0; p < parts; p++)
            strcat(vocab[w], syllables[rs__rng_below(&rng, n_syl)]);
        total += 1.0 / (double)(w + 1);
        cdf[w] = total;
    }
    for (size_t i = 0; i < n; i++) {
        char text[256];
        size_t len = 0;
        int words;
        rs__rng_init(&rng, 7, 2, i, 0);
        words = 2 + (int)rs__rng_below(&rng, 7);
        text[0] = '\0';
        for (int k = 0; k < words; k++) {
            double u = rs__rng_uniform(&rng) * total;
            size_t lo = 0, hi = VOCAB - 1;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (cdf[mid] < u)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", k ? " " : "",
                                    vocab[lo]);
        }
        if (rs__rng_below(&rng, 4) == 0)
            len += (size_t)snprintf(text + len, sizeof text - len, " %u",
                                    (unsigned)rs__rng_below(&rng, 100));
        if (rs__rng_below(&rng, 10) == 0)
            snprintf(text + len, sizeof text - len, " %s", chinese[rs__rng_below(&rng, 6)]);
        for (char *c = text; *c; c++) /* upper case, like the catalogue */
            if (*c >= 'a' && *c <= 'z' && rs__rng_below(&rng, 2))
                *c = (char)(*c - 32);
        texts[i] = strdup(text);
    }
    free(vocab);
    free(cdf);
    return texts;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median seconds of fit + embed over runs. */
static double time_texts(char **texts, size_t n, int runs)
{
    float *out = malloc(n * DIM * sizeof *out);
    double times[16];
    if (runs > 16)
        runs = 16;
    for (int r = 0; r < runs; r++) {
        rs_embedder *e;
        double t0 = now();
        if (rs_embedder_create_hashing(&e) != RS_OK ||
            rs_embedder_set_int(e, RS_EMBEDDER_DIM, DIM) != RS_OK ||
            rs_embedder_set_int(e, RS_EMBEDDER_INVALID_UTF8, 1) != RS_OK ||
            rs_embedder_fit(e, (const char *const *)texts, n) != RS_OK ||
            rs_embedder_embed_batch(e, (const char *const *)texts, n, out, DIM) != RS_OK) {
            fprintf(stderr, "bench_text: %s\n", rs_errmsg());
            exit(1);
        }
        times[r] = now() - t0;
        rs_embedder_free(e);
    }
    free(out);
    qsort(times, (size_t)runs, sizeof times[0], cmp_double);
    return times[runs / 2];
}

int main(int argc, char **argv)
{
    char **texts;
    size_t n;
    int runs = 3;
    double seconds;

    if (argc == 4 && strcmp(argv[1], "--synthetic") == 0) {
        FILE *f = fopen(argv[3], "w");
        n = (size_t)atol(argv[2]);
        texts = synthetic(n);
        if (!f) {
            perror(argv[3]);
            return 1;
        }
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s\n", texts[i]);
        fclose(f);
        return 0;
    }
    rs_set_num_threads(1); /* texts per second per core */
    if (argc >= 2) {
        texts = read_lines(argv[1], false, &n);
        if (argc >= 3)
            runs = atoi(argv[2]);
    } else {
        n = 200000;
        texts = synthetic(n);
    }
    seconds = time_texts(texts, n, runs < 1 ? 1 : runs);
    printf("librecsim  %9zu texts  %8.3f s  %10.0f texts/s/core  (fit + embed, dim %d, "
           "median of %d)\n", n, seconds, (double)n / seconds, DIM, runs);
    return 0;
}
