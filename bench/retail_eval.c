/*
 * retail_eval.c - the retail protocol of ../shared/eval/retail_eval.py, end
 * to end with librecsim: read and clean the raw Online Retail log (io
 * module), build the distinct (customer, stockcode, invoice) events, split
 * at 2011-09-01 (and the validation split at 2011-07-01), run the built-in
 * baselines (the country-segment one for the cold customers too) through
 * the evaluation runner and print them beside the
 * script's reference figures.  Writes warm.tsv and cold.tsv (the
 * most-popular lists) for the script's --eval-recs / --cold-recs.
 *
 * usage: retail_eval SHARED_DIR OUT_DIR      (make eval-retail)
 * Exit status 0 only when every count and the most-popular NDCG@10 match.
 */
#include "core/idmap.h"
#include "recsim.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CUT "2011-09-01 00:00:00"
#define VAL_CUT "2011-07-01 00:00:00"

static int failures;

static void die(const char *what, int status)
{
    fprintf(stderr, "retail_eval: %s: %s (%s)\n", what, rs_strerror(status), rs_errmsg());
    exit(2);
}

#define TRY(call)                     \
    do {                              \
        int st_ = (call);             \
        if (st_ < 0)                  \
            die(#call, st_);          \
    } while (0)

static void expect(const char *what, long long got, long long want)
{
    printf("  %-34s %9lld   reference %9lld  %s\n", what, got, want, got == want ? "ok" : "DIFFERS");
    if (got != want)
        failures++;
}

static long long ref_int(json_t *root, const char *obj, const char *key)
{
    json_t *o = obj ? json_object_get(root, obj) : root;
    json_t *v = o ? json_object_get(o, key) : NULL;
    return v ? (long long)json_integer_value(v) : -1;
}

/* Split sizes of one cut, as retail_eval.py's Split.summary() reports them. */
static void split_summary(rs_events *ev, int test_part, json_t *ref, const char *ref_name)
{
    rs_eval *e;
    size_t n_users, n_warm, n_cold, train_pairs = 0, train_users = 0, warm_pairs = 0,
                                    cold_pairs = 0;
    uint32_t *users, buf[4096];
    json_t *r = json_object_get(ref, ref_name);
    TRY(rs_eval_create(ev, test_part, &e));
    n_users = rs_eval_user_span(e);
    for (uint32_t u = 0; u < n_users; u++) {
        size_t n;
        TRY(rs_eval_train_items(e, u, buf, sizeof buf / sizeof *buf, &n));
        train_pairs += n;
        train_users += n > 0;
    }
    users = malloc((n_users + 1) * sizeof *users);
    TRY(rs_eval_users(e, users, n_users, &n_warm));
    for (size_t p = 0; p < n_warm; p++) {
        size_t n;
        TRY(rs_eval_truth(e, users[p], buf, sizeof buf / sizeof *buf, &n));
        warm_pairs += n;
    }
    TRY(rs_eval_set_int(e, RS_EVAL_GROUP, RS_EVAL_COLD));
    TRY(rs_eval_set_int(e, RS_EVAL_COLD_MIN_ITEMS, 5));
    TRY(rs_eval_users(e, users, n_users, &n_cold));
    for (size_t p = 0; p < n_cold; p++) {
        size_t n;
        TRY(rs_eval_truth(e, users[p], buf, sizeof buf / sizeof *buf, &n));
        cold_pairs += n;
    }
    printf("%s (test part: %s)\n", ref_name, test_part == RS_PART_TEST ? "test" : "valid");
    expect("train customers", (long long)train_users, ref_int(r, NULL, "train_users"));
    expect("catalogue items", (long long)rs_eval_item_count(e), ref_int(r, NULL, "train_items"));
    expect("train pairs", (long long)train_pairs, ref_int(r, NULL, "train_pairs"));
    expect("warm customers", (long long)n_warm, ref_int(r, NULL, "warm_eval_users"));
    expect("warm test pairs", (long long)warm_pairs, ref_int(r, NULL, "warm_test_pairs"));
    expect("cold customers", (long long)n_cold, ref_int(r, NULL, "cold_users"));
    expect("cold test pairs", (long long)cold_pairs, ref_int(r, NULL, "cold_test_pairs"));
    free(users);
    rs_eval_free(e);
}

/* Rule 1 of the protocol, a to f in order. */
static rs_cleaner *retail_cleaner(void)
{
    const char *missing[] = {"NA"};
    rs_cleaner *cl;
    TRY(rs_cleaner_create(&cl));
    TRY(rs_cleaner_set_missing(cl, missing, 1));
    TRY(rs_cleaner_add_required(cl, "a CustomerID missing", "CustomerID"));
    TRY(rs_cleaner_add_match(cl, "b cancellation (InvoiceNo C*)", "InvoiceNo", RS_MATCH_PREFIX,
                             "C", RS_DROP_MATCH));
    TRY(rs_cleaner_add_range(cl, "c Quantity <= 0", "Quantity", 0, INFINITY,
                             RS_RANGE_MIN_EXCLUSIVE));
    TRY(rs_cleaner_add_range(cl, "d UnitPrice <= 0", "UnitPrice", 0, INFINITY,
                             RS_RANGE_MIN_EXCLUSIVE));
    TRY(rs_cleaner_add_match(cl, "e non-product StockCode", "StockCode", RS_MATCH_FIRST_OF,
                             "0123456789", RS_DROP_NO_MATCH));
    TRY(rs_cleaner_add_dedup(cl, "f exact duplicate row", NULL, 0));
    return cl;
}

/*
 * The same split from the model's interaction edges: the cleaned log
 * imported into a graph (one customer -bought-> item edge per pair, dated
 * by its first purchase), read back with rs_events_from_graph() and cut at
 * CUT.  A pair first bought on or after CUT is exactly a test item new to
 * its customer, so the split sizes and the most-popular figures must equal
 * the event-level ones (recent-popular needs every purchase date, which an
 * aggregated edge does not keep).
 */
static void graph_path(const char *tsv, int64_t cut, double want_ndcg, size_t want_items)
{
    rs_graph *g;
    rs_reader *rd;
    rs_cleaner *cl = retail_cleaner();
    rs_events *ev;
    rs_eval *e;
    uint64_t rows;
    size_t n_warm, row;
    double ndcg, secs;
    TRY(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    TRY(rs_reader_open(tsv, RS_FORMAT_TSV, &rd));
    TRY(rs_io_import_interactions(g, rd, cl, "bought",
                                  RS_IMPORT_UNWEIGHTED | RS_IMPORT_FIRST_TIME, &rows));
    rs_reader_close(rd);
    rs_cleaner_free(cl);
    TRY(rs_events_from_graph(g, "bought", &ev));
    TRY(rs_events_split_temporal(ev, cut, RS_PART_TEST));
    TRY(rs_eval_create(ev, RS_PART_TEST, &e));
    TRY(rs_eval_users(e, NULL, 0, &n_warm) == RS_ERR_BUFFER ? RS_OK : RS_ERR_INTERNAL);
    TRY(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
    TRY(rs_eval_result(e, row, RS_EVAL_NDCG, &ndcg));
    TRY(rs_eval_result(e, row, RS_EVAL_SECONDS, &secs));
    printf("\nfrom the graph (%" PRIu64 " rows imported, %zu edges -> events, temporal cut):\n",
           rows, rs_events_count(ev));
    expect("train pairs", (long long)rs_events_part_count(ev, RS_PART_TRAIN), 162426);
    expect("catalogue items", (long long)rs_eval_item_count(e), (long long)want_items);
    expect("warm customers", (long long)n_warm, 1875);
    printf("  most-popular NDCG@10 %.16f (event log: %.16f) %s\n", ndcg, want_ndcg,
           ndcg == want_ndcg ? "ok" : "DIFFERS");
    if (ndcg != want_ndcg)
        failures++;
    rs_eval_free(e);
    rs_events_free(ev);
    rs_graph_close(g);
}

int main(int argc, char **argv)
{
    char data[4096], tmp[4096], cmd[9000], path[4096];
    rs_reader *rd;
    rs_cleaner *cl;
    rs_events *ev;
    rs_eval *e;
    rs_idmap *keys;
    int64_t *first = NULL, cut, val_cut;
    char **event_cust = NULL, **event_code = NULL;
    size_t cap = 0, n_keys = 0;
    json_error_t jerr;
    json_t *ref;
    int status;
    if (argc != 3) {
        fprintf(stderr, "usage: %s SHARED_DIR OUT_DIR\n", argv[0]);
        return 2;
    }
    snprintf(path, sizeof path, "%s/eval/retail_baselines.json", argv[1]);
    if (!(ref = json_load_file(path, 0, &jerr))) {
        fprintf(stderr, "retail_eval: %s: %s\n", path, jerr.text);
        return 2;
    }
    mkdir(argv[2], 0777);
    snprintf(data, sizeof data, "%s/data/onlineretail/onlineretail.tsv.gz", argv[1]);
    snprintf(tmp, sizeof tmp, "%s/onlineretail.tsv", argv[2]);
    snprintf(cmd, sizeof cmd, "gzip -dc '%s' > '%s'", data, tmp);
    if (system(cmd) != 0) {
        fprintf(stderr, "retail_eval: cannot run: %s\n", cmd);
        return 2;
    }
    TRY(rs_io_parse_time(CUT, strlen(CUT), &cut));
    TRY(rs_io_parse_time(VAL_CUT, strlen(VAL_CUT), &val_cut));

    /* 1. cleaning, rule by rule in the script's order */
    TRY(rs_reader_open(tmp, RS_FORMAT_TSV, &rd));
    cl = retail_cleaner();

    /* 2. one event per distinct (customer, stockcode, invoice), dated by the
     * earliest InvoiceDate of its rows */
    keys = rs__idmap_create();
    size_t c_inv, c_code, c_date, c_cust;
    TRY(rs_reader_column(rd, "InvoiceNo", &c_inv));
    TRY(rs_reader_column(rd, "StockCode", &c_code));
    TRY(rs_reader_column(rd, "InvoiceDate", &c_date));
    TRY(rs_reader_column(rd, "CustomerID", &c_cust));
    /* each customer's country: that of its chronologically first cleaned
     * row (the first in file order among equal times), as the script's
     * customer_countries() */
    size_t c_country, cust_cap = 0;
    rs_idmap *custs = rs__idmap_create();
    int64_t *cust_first = NULL;
    char **cust_country = NULL;
    TRY(rs_reader_column(rd, "Country", &c_country));
    while ((status = rs_reader_next(rd)) == 1) {
        int keep;
        double cust_d;
        int64_t t;
        char key[3200], cust[32];
        uint32_t idx;
        bool created;
        TRY(rs_cleaner_check(cl, rd, &keep));
        if (!keep)
            continue;
        TRY(rs_reader_double(rd, c_cust, &cust_d));
        TRY(rs_reader_time(rd, c_date, &t));
        snprintf(cust, sizeof cust, "%lld", (long long)cust_d);
        TRY(rs__idmap_intern(custs, cust, strlen(cust), &idx, &created));
        if (idx >= cust_cap) {
            cust_cap = cust_cap ? cust_cap * 2 : 8192;
            cust_first = realloc(cust_first, cust_cap * sizeof *cust_first);
            cust_country = realloc(cust_country, cust_cap * sizeof *cust_country);
        }
        if (created || t < cust_first[idx]) {
            if (!created)
                free(cust_country[idx]);
            cust_first[idx] = t;
            cust_country[idx] = strdup(rs_reader_field(rd, c_country, NULL));
        }
        int len = snprintf(key, sizeof key, "%s\t%s\t%s", cust, rs_reader_field(rd, c_code, NULL),
                           rs_reader_field(rd, c_inv, NULL));
        TRY(rs__idmap_intern(keys, key, (size_t)len, &idx, &created));
        if (created) {
            if (idx >= cap) {
                cap = cap ? cap * 2 : 65536;
                first = realloc(first, cap * sizeof *first);
                event_cust = realloc(event_cust, cap * sizeof *event_cust);
                event_code = realloc(event_code, cap * sizeof *event_code);
            }
            first[idx] = t;
            event_cust[idx] = strdup(cust);
            event_code[idx] = strdup(rs_reader_field(rd, c_code, NULL));
            n_keys = idx + 1;
        } else if (t < first[idx]) {
            first[idx] = t;
        }
    }
    if (status < 0)
        die("reading the log", status);
    printf("cleaning (rows removed, in order), against retail_baselines.json:\n");
    for (size_t r = 0; r < rs_cleaner_rule_count(cl); r++)
        expect(rs_cleaner_rule_name(cl, r), (long long)rs_cleaner_dropped(cl, r),
               ref_int(ref, "cleaning", rs_cleaner_rule_name(cl, r)));
    expect("kept rows", (long long)rs_cleaner_kept(cl), ref_int(ref, NULL, "kept_rows"));
    rs_cleaner_free(cl);
    rs_reader_close(rd);

    TRY(rs_events_create(&ev));
    for (size_t i = 0; i < n_keys; i++)
        TRY(rs_events_add(ev, event_cust[i], event_code[i], first[i], 1.0));
    printf("events: %zu distinct (customer, stockcode, invoice)\n", rs_events_count(ev));

    /* 3. the temporal split, and the validation split carved from train */
    TRY(rs_events_split_temporal(ev, cut, RS_PART_TEST));
    split_summary(ev, RS_PART_TEST, ref, "split");
    TRY(rs_events_split_temporal(ev, val_cut, RS_PART_VALID));
    split_summary(ev, RS_PART_VALID, ref, "validation_split");
    snprintf(path, sizeof path, "%s/events.tsv", argv[2]);
    TRY(rs_events_write(ev, path));

    /* 4. the baselines on the test split (train = before 2011-09-01) */
    TRY(rs_events_reset(ev));
    TRY(rs_events_split_temporal(ev, cut, RS_PART_TEST));
    TRY(rs_eval_create(ev, RS_PART_TEST, &e));
    TRY(rs_eval_set_int(e, RS_EVAL_K, 10));
    TRY(rs_eval_set_int(e, RS_EVAL_RECENT_END, cut));
    size_t row_pop, row_recent, row_rand, row_cold_pop, row_cold_recent, row_cold_country;
    for (size_t c = 0; c < rs__idmap_span(custs); c++)
        if (cust_country[c][0])
            TRY(rs_eval_set_segment(e, rs__idmap_key(custs, (uint32_t)c, NULL),
                                    cust_country[c]));
    TRY(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row_pop));
    TRY(rs_eval_run_baseline(e, RS_BASELINE_RECENT_POPULAR, 30, &row_recent));
    TRY(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, &row_rand));
    TRY(rs_eval_set_int(e, RS_EVAL_GROUP, RS_EVAL_COLD));
    TRY(rs_eval_set_int(e, RS_EVAL_COLD_MIN_ITEMS, 5));
    TRY(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row_cold_pop));
    TRY(rs_eval_run_baseline(e, RS_BASELINE_RECENT_POPULAR, 30, &row_cold_recent));
    TRY(rs_eval_run_baseline(e, RS_BASELINE_SEGMENT_POPULAR, 0, &row_cold_country));
    snprintf(path, sizeof path, "%s/warm.tsv", argv[2]);
    TRY(rs_eval_write_recs(e, row_pop, path));
    snprintf(path, sizeof path, "%s/warm_recent.tsv", argv[2]);
    TRY(rs_eval_write_recs(e, row_recent, path));
    snprintf(path, sizeof path, "%s/cold.tsv", argv[2]);
    TRY(rs_eval_write_recs(e, row_cold_pop, path));

    size_t len;
    rs_eval_report(e, RS_EVAL_TABLE, NULL, 0, &len);
    char *table = malloc(len + 1);
    TRY(rs_eval_report(e, RS_EVAL_TABLE, table, len + 1, &len));
    printf("\nlibrecsim runner (k = 10; rows 1-3 warm, 4-6 cold):\n%s", table);
    free(table);

    /* 5. beside the reference */
    struct { size_t row; const char *ref; } pairs[] = {
        {row_pop, "most-popular"},
        {row_recent, "recent-popular (30 days)"},
        {row_rand, NULL},
        {row_cold_pop, "cold: global most-popular"},
        {row_cold_recent, "cold: recent-popular (30 days)"},
        {row_cold_country, "cold: country-segment popular"},
    };
    json_t *results = json_object_get(ref, "results");
    printf("\n%-36s %5s %8s %8s %8s %8s %8s %8s\n", "method", "users", "NDCG", "ref", "P@10",
           "ref", "Cov", "ref");
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        double ndcg, p, cov, users;
        json_t *r = pairs[i].ref ? json_object_get(results, pairs[i].ref) : NULL;
        TRY(rs_eval_result(e, pairs[i].row, RS_EVAL_NDCG, &ndcg));
        TRY(rs_eval_result(e, pairs[i].row, RS_EVAL_PRECISION, &p));
        TRY(rs_eval_result(e, pairs[i].row, RS_EVAL_COVERAGE, &cov));
        TRY(rs_eval_result(e, pairs[i].row, RS_EVAL_USERS, &users));
        if (r) {
            double rn = json_real_value(json_object_get(r, "ndcg"));
            double rp = json_real_value(json_object_get(r, "precision"));
            double rc = json_real_value(json_object_get(r, "coverage"));
            printf("%-36s %5.0f %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f  |dNDCG| %.1e\n",
                   rs_eval_result_name(e, pairs[i].row), users, ndcg, rn, p, rp, cov, rc,
                   fabs(ndcg - rn));
            if (fabs(ndcg - rn) > 1e-12 || fabs(p - rp) > 1e-12 || fabs(cov - rc) > 1e-12)
                failures++;
        } else {
            printf("%-36s %5.0f %8.4f %8s %8.4f %8s %8.4f %8s\n",
                   rs_eval_result_name(e, pairs[i].row), users, ndcg, "-", p, "-", cov, "-");
        }
    }
    const char *others[] = {"item-kNN cosine k=100", "ALS f=64 binary alpha=1 lambda=30 it=15",
                            "EASE lambda=500", "content TF-IDF mean-profile cosine",
                            "LightFM WARP +desc tokens ep=20"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        json_t *r = json_object_get(results, others[i]);
        if (r)
            printf("%-36s %5s %8s %8.4f %8s %8.4f %8s %8.4f  (reference only)\n", others[i], "-",
                   "-", json_real_value(json_object_get(r, "ndcg")), "-",
                   json_real_value(json_object_get(r, "precision")), "-",
                   json_real_value(json_object_get(r, "coverage")));
    }
    double pop_ndcg;
    TRY(rs_eval_result(e, row_pop, RS_EVAL_NDCG, &pop_ndcg));
    graph_path(tmp, cut, pop_ndcg, rs_eval_item_count(e));
    remove(tmp);
    /* speed: the whole warm evaluation (recommend + metrics; the fit, a
     * popularity count, is excluded), median of 7 runs */
    double times[7];
    TRY(rs_eval_set_int(e, RS_EVAL_GROUP, RS_EVAL_WARM));
    for (int t = 0; t < 7; t++) {
        size_t row;
        TRY(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
        TRY(rs_eval_result(e, row, RS_EVAL_SECONDS, &times[t]));
    }
    for (int a = 1; a < 7; a++)
        for (int b = a; b > 0 && times[b] < times[b - 1]; b--) {
            double x = times[b];
            times[b] = times[b - 1];
            times[b - 1] = x;
        }
    printf("\nevaluation of all 1875 warm customers (most-popular; recommend + 9 metrics + "
           "coverage, fit excluded): median %.4f s of 7 runs (min %.4f, max %.4f), %d "
           "threads\n", times[3], times[0], times[6], rs_get_num_threads());
    printf("warm lists -> %s/warm.tsv, cold lists -> %s/cold.tsv\n", argv[2], argv[2]);
    printf("%s\n", failures ? "RESULT: DIFFERS from the reference" : "RESULT: every count and "
           "metric matches the reference");
    rs_eval_free(e);
    rs_events_free(ev);
    for (size_t i = 0; i < n_keys; i++) {
        free(event_cust[i]);
        free(event_code[i]);
    }
    free(event_cust);
    free(event_code);
    free(first);
    rs__idmap_free(keys);
    for (size_t c = 0; c < rs__idmap_span(custs); c++)
        free(cust_country[c]);
    free(cust_country);
    free(cust_first);
    rs__idmap_free(custs);
    json_decref(ref);
    return failures ? 1 : 0;
}
