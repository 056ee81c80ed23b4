/*
 * bench_io.c - read + clean the raw Online Retail log (541,909 rows) with the
 * rules of ../shared/eval/retail_eval.py (a..f, in its order), check that the
 * counts equal the reference, and report rows/s (median of several runs).
 *
 *   bench_io FILE.tsv [RUNS] [REJECTS] [MODEL]   (bench_io.sh gunzips the data)
 *
 * With MODEL (a path for a new model file, deleted before each run) it also
 * times the import of the cleaned log into the graph: user -bought-> item
 * edges with timestamps (rs_io_import_interactions), then the catalogue with
 * each item's most frequent description (rs_io_import_items).
 *
 * Exit status: 0 when the counts match, 1 when they differ, 2 on error.
 * Without FILE (or when it is missing) it prints a note and exits 0.
 */
#include "recsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <math.h>
#include <unistd.h>
#include "bench_util.h"

static const char *const rule_names[6] = {
    "a CustomerID missing", "b cancellation (InvoiceNo C*)", "c Quantity <= 0",
    "d UnitPrice <= 0", "e non-product StockCode", "f exact duplicate row"};
static const uint64_t expected[6] = {135080, 8905, 0, 40, 1547, 5187};
static const uint64_t expected_kept = 391150;

static int die(const char *what)
{
    fprintf(stderr, "bench_io: %s: %s\n", what, rs_errmsg());
    return 2;
}

/* The retail protocol's cleaning, as rs_cleaner rules. */
static int retail_cleaner(rs_cleaner **out)
{
    static const char *const na[] = {"NA"};
    rs_cleaner *c = NULL;
    int status = rs_cleaner_create(&c);
    if (status == 0)
        status = rs_cleaner_set_missing(c, na, 1);
    if (status == 0)
        status = rs_cleaner_add_required(c, rule_names[0], "CustomerID");
    if (status == 0)
        status = rs_cleaner_add_match(c, rule_names[1], "InvoiceNo", RS_MATCH_PREFIX, "C",
                                      RS_DROP_MATCH);
    if (status == 0)
        status = rs_cleaner_add_range(c, rule_names[2], "Quantity", 0, INFINITY,
                                      RS_RANGE_MIN_EXCLUSIVE);
    if (status == 0)
        status = rs_cleaner_add_range(c, rule_names[3], "UnitPrice", 0, INFINITY,
                                      RS_RANGE_MIN_EXCLUSIVE);
    if (status == 0)
        status = rs_cleaner_add_match(c, rule_names[4], "StockCode", RS_MATCH_FIRST_OF,
                                      "0123456789", RS_DROP_NO_MATCH);
    if (status == 0)
        status = rs_cleaner_add_dedup(c, rule_names[5], NULL, 0);
    if (status != 0) {
        rs_cleaner_free(c);
        return status;
    }
    *out = c;
    return 0;
}

/* One pass: read and clean the file; rows and the cleaner's counts out. */
static int run(const char *path, const char *rejects, uint64_t *rows, rs_cleaner **out)
{
    rs_reader *reader = NULL;
    rs_cleaner *c = NULL;
    int status, keep;
    *rows = 0;
    if (rs_reader_open(path, RS_FORMAT_AUTO, &reader) != 0 || retail_cleaner(&c) != 0 ||
        (rejects && rs_cleaner_set_reject_file(c, rejects) != 0)) {
        rs_reader_close(reader);
        rs_cleaner_free(c);
        return -1;
    }
    while ((status = rs_reader_next(reader)) == 1) {
        (*rows)++;
        if (rs_cleaner_check(c, reader, &keep) != 0) {
            status = -1;
            break;
        }
    }
    rs_reader_close(reader);
    if (status != 0) {
        rs_cleaner_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

static void remove_model(const char *model)
{
    char side[4096];
    unlink(model);
    snprintf(side, sizeof side, "%s-wal", model);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", model);
    unlink(side);
}

/*
 * The retail protocol's temporal split at 2011-09-01, computed from the
 * graph's user -bought-> item edges imported with RS_IMPORT_FIRST_TIME (an
 * edge is a train pair when its first purchase is before the cut).  Prints
 * the sizes beside the reference; returns 1 when they differ.
 */
static int check_split(const rs_graph *g)
{
    static const uint64_t reference[5] = {3314, 3388, 162426, 1875, 927};
    uint64_t got[5] = {0, 0, 0, 0, 0};
    size_t span = rs_graph_node_span(g), cap = 1 << 16, n, k;
    uint32_t v, bought, *nbr = malloc(cap * sizeof *nbr);
    unsigned char *in_catalogue = calloc(span ? span : 1, 1);
    int64_t cut = 0, ts;
    int pass, i, differ = 0;
    const char *type;
    rs_io_parse_time("2011-09-01 00:00:00", 19, &cut);
    if (!nbr || !in_catalogue || rs_graph_find_relation(g, "bought", &bought) != 0)
        return 1;
    for (pass = 0; pass < 2; pass++)
        for (v = 0; v < span; v++) {
            uint64_t train = 0, test = 0;
            if (rs_graph_node_key(g, v, &type, NULL) != 0 || strcmp(type, "user") != 0)
                continue;
            if (rs_graph_neighbors(g, v, RS_GRAPH_OUT, bought, "item", nbr, NULL, NULL, cap,
                                   &n) != 0)
                return 1;
            for (k = 0; k < n; k++) {
                rs_graph_get_edge(g, v, bought, nbr[k], NULL, &ts);
                if (ts < cut) {
                    train++;
                    if (pass == 0 && !in_catalogue[nbr[k]]) {
                        in_catalogue[nbr[k]] = 1;
                        got[1]++;
                    }
                } else if (in_catalogue[nbr[k]]) {
                    test++;
                }
            }
            if (pass == 0) {
                got[0] += train > 0;
                got[2] += train;
            } else {
                got[3] += train > 0 && test > 0;
                got[4] += train == 0 && test >= 5;
            }
        }
    printf("temporal split from the graph (RS_IMPORT_FIRST_TIME, cut 2011-09-01):\n");
    for (i = 0; i < 5; i++) {
        static const char *const names[5] = {"train customers", "train items (catalogue)",
                                             "train pairs", "warm test customers",
                                             "cold test customers"};
        printf("  %-38s %9llu  %9llu%s\n", names[i], (unsigned long long)got[i],
               (unsigned long long)reference[i], got[i] == reference[i] ? "" : "  MISMATCH");
        differ |= got[i] != reference[i];
    }
    free(nbr);
    free(in_catalogue);
    return differ;
}

/* Import the log into a new model file; seconds of each phase out. */
static int import_once(const char *path, const char *model, double *secs_edges,
                       double *secs_items, uint64_t *rows, int check, int *split_differs)
{
    static const char *const description[] = {"Description"};
    rs_graph *g = NULL;
    rs_reader *r = NULL;
    rs_cleaner *c = NULL;
    double t0 = now();
    int status;
    remove_model(model);
    status = rs_graph_open(model, RS_GRAPH_CREATE, &g);
    if (status == 0)
        status = rs_reader_open(path, RS_FORMAT_AUTO, &r);
    if (status == 0)
        status = retail_cleaner(&c);
    if (status == 0)
        status = rs_io_import_interactions(g, r, c, "bought",
                                           RS_IMPORT_UNWEIGHTED | RS_IMPORT_FIRST_TIME, rows);
    *secs_edges = now() - t0;
    if (status == 0 && check && check_split(g) != 0)
        *split_differs = 1;
    rs_reader_close(r);
    rs_cleaner_free(c);
    r = NULL;
    c = NULL;
    t0 = now();
    if (status == 0)
        status = rs_reader_open(path, RS_FORMAT_AUTO, &r);
    if (status == 0)
        status = retail_cleaner(&c);
    if (status == 0)
        status = rs_io_import_items(g, r, c, NULL, 0, description, 1, NULL);
    rs_reader_close(r);
    rs_cleaner_free(c);
    if (status == 0) {
        size_t users = 0, items = 0;
        rs_graph_node_count(g, "user", &users);
        rs_graph_node_count(g, "item", &items);
        if (check)
            printf("model: %zu users, %zu items, %zu edges (user -bought-> item, item "
                   "descriptions)\n", users, items, rs_graph_edge_count(g));
    }
    rs_graph_close(g);
    *secs_items = now() - t0;
    return status;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : NULL;
    int runs = argc > 2 ? atoi(argv[2]) : 5, r, i, mismatch = 0;
    const char *rejects = argc > 3 && argv[3][0] ? argv[3] : NULL;
    const char *model = argc > 4 ? argv[4] : NULL;
    double times[32], median;
    uint64_t rows = 0;
    rs_cleaner *c = NULL;
    FILE *probe;

    if (!path || !(probe = fopen(path, "r"))) {
        printf("bench_io: no Online Retail TSV given (bench_io.sh passes it); skipped\n");
        return 0;
    }
    fclose(probe);
    if (runs < 1 || runs > 32)
        runs = 5;
    for (r = 0; r < runs; r++) {
        double t0 = now();
        if (run(path, NULL, &rows, &c) != 0)
            return die(path);
        times[r] = now() - t0;
        if (r + 1 < runs)
            rs_cleaner_free(c);
    }
    qsort(times, (size_t)runs, sizeof times[0], compare_doubles);
    median = times[runs / 2];
    printf("librecsim read+clean: %llu rows, median %.3f s of %d runs, %.0f rows/s\n",
           (unsigned long long)rows, median, runs, (double)rows / median);
    printf("cleaning (rows removed, in order)         librecsim  reference\n");
    for (i = 0; i < 6; i++) {
        uint64_t got = rs_cleaner_dropped(c, (size_t)i);
        printf("  %-38s %9llu  %9llu%s\n", rs_cleaner_rule_name(c, (size_t)i),
               (unsigned long long)got, (unsigned long long)expected[i],
               got == expected[i] ? "" : "  MISMATCH");
        mismatch |= got != expected[i];
    }
    printf("  %-38s %9llu  %9llu%s\n", "kept", (unsigned long long)rs_cleaner_kept(c),
           (unsigned long long)expected_kept,
           rs_cleaner_kept(c) == expected_kept ? "" : "  MISMATCH");
    mismatch |= rs_cleaner_kept(c) != expected_kept || rows != 541909;
    rs_cleaner_free(c);
    if (rejects) {
        double t0 = now();
        if (run(path, rejects, &rows, &c) != 0)
            return die(rejects);
        printf("with a reject file (%s): %.3f s\n", rejects, now() - t0);
        rs_cleaner_free(c);
        {
            FILE *f = fopen(rejects, "r");
            uint64_t lines = 0, dropped = 0;
            int ch;
            while (f && (ch = getc(f)) != EOF)
                lines += ch == '\n';
            if (f)
                fclose(f);
            for (i = 0; i < 6; i++)
                dropped += expected[i];
            printf("  reject file: %llu lines \"file:line: rule: reason\", one per dropped row%s\n",
                   (unsigned long long)lines, lines == dropped ? "" : "  MISMATCH");
            mismatch |= lines != dropped;
        }
    }
    printf("counts %s retail_eval.py's\n", mismatch ? "DIFFER FROM" : "match");
    if (model) {
        double edges[8], items[8];
        int import_runs = runs < 3 ? runs : 3;
        uint64_t imported = 0;
        int split_differs = 0;
        for (r = 0; r < import_runs; r++)
            if (import_once(path, model, &edges[r], &items[r], &imported, r == 0,
                            &split_differs) != 0)
                return die(model);
        mismatch |= split_differs;
        qsort(edges, (size_t)import_runs, sizeof edges[0], compare_doubles);
        qsort(items, (size_t)import_runs, sizeof items[0], compare_doubles);
        printf("librecsim read+clean+import into a new model file: %llu rows imported, median "
               "%.3f s of %d runs, %.0f raw rows/s\n", (unsigned long long)imported,
               edges[import_runs / 2], import_runs, (double)rows / edges[import_runs / 2]);
        printf("  + catalogue with most frequent descriptions (second pass): median %.3f s\n",
               items[import_runs / 2]);
        remove_model(model);
    }
    return mismatch ? 1 : 0;
}
