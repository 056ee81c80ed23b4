/*
 * retail_model.c - the library's own recommender, as a user gets it, on the
 * public retail protocol (../shared/eval/README.md): an rs_model made from
 * the protocol's train part only (train_events: customer, item, invoice,
 * date; items.tsv: descriptions; customers.tsv: countries), built with the
 * default options, so that the build chooses its configuration on a
 * validation split carved from those train events (rs_model_tuning), then
 * the top 10 of every warm and cold test customer through
 * rs_model_recommend_batch, written for retail_eval.py --eval-recs /
 * --cold-recs.  The test part is read only to know whom to ask.
 *
 *   build/bench/retail_model SPLITDIR TRAIN_EVENTS_TSV OUTDIR [--candidates] [NAME=VALUE...]
 *
 * (NAME=VALUE: options set by name before the build, for experiments.)
 * With --candidates, every configuration the selection evaluated is then
 * built again on all train events (build.tune=0) and its lists written to
 * OUTDIR/cand/, listed in OUTDIR/cand/index.tsv (file, group, stage,
 * validation NDCG, candidate; the chosen configuration's lists first): bench/retail_candidates.py scores them on
 * test, for the table of validation against test.
 *
 * Writes OUTDIR/model.rsm, OUTDIR/{warm,cold}.tsv (the chosen
 * configuration), OUTDIR/content_{warm,cold}.tsv (the content signal alone,
 * the same model with the scorer's weights set by name) and
 * OUTDIR/tuning.json; prints the timings and the choice.  Not part of
 * `make check` (it reads ../shared): `make eval-model`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "recsim.h"

#define K 10

static void die(const char *what, int rc)
{
    fprintf(stderr, "retail_model: %s: %s (%s)\n", what, rs_strerror(rc), rs_errmsg());
    exit(1);
}
#define CHECK(call)                \
    do {                           \
        int rc_ = (call);          \
        if (rc_ < 0)               \
            die(#call, rc_);       \
    } while (0)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A headerless TSV file with a header line put in front, in memory. */
static char *with_header(const char *path, const char *header, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    size_t hl = strlen(header), cap = 1 << 20, n = hl;
    char *buf = malloc(cap);
    if (!f || !buf) {
        fprintf(stderr, "retail_model: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    memcpy(buf, header, hl);
    for (;;) {
        size_t got;
        if (n + 65536 > cap && !(buf = realloc(buf, cap *= 2)))
            exit(1);
        if ((got = fread(buf + n, 1, 65536, f)) == 0)
            break;
        n += got;
    }
    fclose(f);
    *len_out = n;
    return buf;
}

static rs_reader *reader_for(const char *path, const char *header, char **keep)
{
    size_t len;
    rs_reader *r;
    *keep = with_header(path, header, &len);
    CHECK(rs_reader_open_memory(*keep, len, path, RS_FORMAT_TSV, &r));
    return r;
}

/* The distinct customers of a pairs file (customer<TAB>item), in order. */
static char **customers(const char *path, size_t *n_out)
{
    FILE *f = fopen(path, "r");
    char line[512], **out = NULL, *last = NULL;
    size_t n = 0, cap = 0;
    if (!f) {
        fprintf(stderr, "retail_model: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        if (last && strcmp(last, line) == 0)
            continue;
        if (n == cap && !(out = realloc(out, (cap = cap ? 2 * cap : 1024) * sizeof *out)))
            exit(1);
        last = out[n++] = strdup(line);
    }
    fclose(f);
    *n_out = n;
    return out;
}

static void write_lists(rs_model *m, char **users, size_t n, const char *path, double *secs)
{
    const char **keys = malloc(n * K * sizeof *keys);
    size_t *counts = malloc(n * sizeof *counts);
    FILE *f = fopen(path, "w");
    double t0 = now();
    if (!keys || !counts || !f)
        exit(1);
    CHECK(rs_model_recommend_batch(m, (const char *const *)users, n, K, keys, NULL, NULL,
                                   counts));
    *secs = now() - t0;
    for (size_t u = 0; u < n; u++)
        for (size_t i = 0; i < counts[u]; i++)
            fprintf(f, "%s\t%s\t%zu\n", users[u], keys[u * K + i], i + 1);
    if (fclose(f) != 0)
        exit(1);
    free(keys);
    free(counts);
}

/* Set every option of a JSON object {name: "value"}. */
static void set_options(rs_model *m, json_t *options)
{
    const char *name;
    json_t *value;
    json_object_foreach(options, name, value)
        if (json_is_string(value))
            CHECK(rs_model_set_option(m, name, json_string_value(value)));
}

static const char *const warm_weights[] = {"scorer.w_collab", "scorer.w_content",
                                           "scorer.w_graph", "scorer.w_popularity"};

/* Every evaluated row of the report, built on all train events, its lists
 * into outdir/cand/ (see the header). */
static void candidates(const char *model_path, const char *report, const char *outdir,
                       char **warm, size_t n_warm, char **cold, size_t n_cold)
{
    json_error_t err;
    json_t *r = json_loads(report, 0, &err), *rows, *chosen, *row;
    char path[4096];
    size_t i;
    FILE *index;
    rs_model *m;
    double ignored;
    if (!r || !(rows = json_object_get(r, "candidates")) ||
        !(chosen = json_object_get(r, "chosen"))) {
        fprintf(stderr, "retail_model: no candidates in the selection report\n");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/cand", outdir);
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die(path, RS_ERR_IO);
    snprintf(path, sizeof path, "%s/cand/index.tsv", outdir);
    if (!(index = fopen(path, "w")))
        die(path, RS_ERR_IO);
    /* the chosen configuration's lists, written before: scored alongside */
    fprintf(index, "../warm.tsv\twarm\tchosen\t%.6f\tchosen (warm)\n",
            json_real_value(json_object_get(r, "chosen_ndcg")));
    fprintf(index, "../cold.tsv\tcold\tchosen\tnan\tchosen (cold)\n");
    fprintf(index, "../content_warm.tsv\twarm\tchosen\tnan\tcontent signal alone\n");
    CHECK(rs_model_open(model_path, 0, &m));
    CHECK(rs_model_set_option(m, "build.tune", "0"));
    json_array_foreach(rows, i, row) {
        const char *stage = json_string_value(json_object_get(row, "stage"));
        const char *label = json_string_value(json_object_get(row, "candidate"));
        json_t *options = json_object_get(row, "options");
        int is_cold = stage && strcmp(stage, "cold") == 0;
        if (!stage || !label || !options)
            continue; /* not fitted */
        set_options(m, chosen);
        if (strcmp(stage, "single") == 0) { /* one signal alone */
            json_t *cf = json_object_get(options, "build.cf");
            for (size_t w = 0; w < 4; w++)
                CHECK(rs_model_set_option(m, warm_weights[w], "0"));
            if (cf && json_is_string(cf) && strcmp(json_string_value(cf), "none") != 0)
                CHECK(rs_model_set_option(m, "scorer.w_collab", "1"));
        }
        set_options(m, options);
        CHECK(rs_model_build(m));
        snprintf(path, sizeof path, "%s/cand/%zu.tsv", outdir, i);
        if (is_cold)
            write_lists(m, cold, n_cold, path, &ignored);
        else
            write_lists(m, warm, n_warm, path, &ignored);
        fprintf(index, "%zu.tsv\t%s\t%s\t%.6f\t%s\n", i, is_cold ? "cold" : "warm", stage,
                json_real_value(json_object_get(row, "ndcg")), label);
        fflush(index);
    }
    fclose(index);
    rs_model_close(m);
    json_decref(r);
}

int main(int argc, char **argv)
{
    char path[4096], *b1, *b2, *b3, *report;
    const char *const country[] = {"country"};
    const char *const description[] = {"description"};
    rs_model *m;
    rs_reader *r;
    size_t n_warm, n_cold, len = 0;
    double t0, t_import, t_build, t_warm, t_cold, t_open;
    char **warm, **cold;
    int want_candidates = 0;
    if (argc < 4) {
        fprintf(stderr, "usage: retail_model SPLITDIR TRAIN_EVENTS_TSV OUTDIR [--candidates] "
                        "[NAME=VALUE...]\n");
        return 2;
    }
    printf("retail_model: OpenBLAS core %s, %d threads\n", rs_blas_corename(),
           rs_get_num_threads());
    snprintf(path, sizeof path, "%s/model.rsm", argv[3]);
    remove(path);
    t0 = now();
    CHECK(rs_model_open(path, RS_MODEL_CREATE, &m));
    r = reader_for(argv[2], "user\titem\tinvoice\ttime\n", &b1);
    CHECK(rs_model_import_interactions(m, r, NULL, "bought", RS_IMPORT_UNWEIGHTED, NULL));
    rs_reader_close(r);
    snprintf(path, sizeof path, "%s/items.tsv", argv[1]);
    r = reader_for(path, "item\tdescription\n", &b2);
    CHECK(rs_model_import_items(m, r, NULL, NULL, 0, description, 1, NULL));
    rs_reader_close(r);
    snprintf(path, sizeof path, "%s/customers.tsv", argv[1]);
    r = reader_for(path, "user\tcountry\n", &b3);
    CHECK(rs_model_import_users(m, r, NULL, country, 1, NULL, 0, NULL, NULL));
    rs_reader_close(r);
    free(b1);
    free(b2);
    free(b3);
    t_import = now() - t0;

    for (int a = 4; a < argc; a++) {
        char name[128];
        const char *eq = strchr(argv[a], '=');
        if (strcmp(argv[a], "--candidates") == 0) {
            want_candidates = 1;
            continue;
        }
        if (!eq || (size_t)(eq - argv[a]) >= sizeof name)
            die(argv[a], RS_ERR_PARSE);
        memcpy(name, argv[a], (size_t)(eq - argv[a]));
        name[eq - argv[a]] = '\0';
        CHECK(rs_model_set_option(m, name, eq + 1));
    }
    t0 = now();
    CHECK(rs_model_build(m));
    t_build = now() - t0;
    rs_model_close(m);

    snprintf(path, sizeof path, "%s/model.rsm", argv[3]);
    t0 = now();
    CHECK(rs_model_open(path, RS_MODEL_READONLY, &m));
    t_open = now() - t0;
    if (rs_model_tuning(m, NULL, 0, &len) != RS_ERR_BUFFER) /* built with build.tune=0 */
        report = strdup("{\"skipped\": \"build.tune=0\"}");
    else if ((report = malloc(len + 1)) != NULL)
        CHECK(rs_model_tuning(m, report, len + 1, NULL));
    if (!report)
        die("rs_model_tuning", RS_ERR_NOMEM);
    snprintf(path, sizeof path, "%s/tuning.json", argv[3]);
    {
        FILE *f = fopen(path, "w");
        if (!f || fputs(report, f) < 0 || fclose(f) != 0)
            exit(1);
    }

    snprintf(path, sizeof path, "%s/test.tsv", argv[1]);
    warm = customers(path, &n_warm);
    snprintf(path, sizeof path, "%s/cold_test.tsv", argv[1]);
    cold = customers(path, &n_cold);
    snprintf(path, sizeof path, "%s/warm.tsv", argv[3]);
    write_lists(m, warm, n_warm, path, &t_warm);
    snprintf(path, sizeof path, "%s/cold.tsv", argv[3]);
    write_lists(m, cold, n_cold, path, &t_cold);

    /* the content signal alone: the same scorer, weights set by name */
    CHECK(rs_model_set_option(m, "scorer.w_content", "1"));
    CHECK(rs_model_set_option(m, "scorer.w_collab", "0"));
    CHECK(rs_model_set_option(m, "scorer.w_graph", "0"));
    CHECK(rs_model_set_option(m, "scorer.w_popularity", "0"));
    {
        double ignored;
        snprintf(path, sizeof path, "%s/content_warm.tsv", argv[3]);
        write_lists(m, warm, n_warm, path, &ignored);
    }

    printf("import %.2f s, build %.2f s, open %.3f s\n", t_import,
           t_build, t_open);
    printf("recommend: %zu warm customers %.3f s, %zu cold customers %.3f s\n", n_warm, t_warm,
           n_cold, t_cold);
    printf("selection: %s\n", report);
    rs_model_close(m);
    m = NULL;
    if (want_candidates) {
        snprintf(path, sizeof path, "%s/model.rsm", argv[3]);
        candidates(path, report, argv[3], warm, n_warm, cold, n_cold);
    }
    for (size_t i = 0; i < n_warm; i++)
        free(warm[i]);
    for (size_t i = 0; i < n_cold; i++)
        free(cold[i]);
    free(warm);
    free(cold);
    free(report);
    rs_model_close(m);
    return 0;
}
