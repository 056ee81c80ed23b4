/*
 * test_model_allocfail.c - allocation-failure injection over the whole
 * life of a model: import, build, open read-only, recommend, explain,
 * similar and simulate (whole, and sharded by users) on the test data of tests/data, with the N-th
 * allocation failing, for N over every allocation the run makes (sampled
 * with a stride in `make check`; RS_ALLOCFAIL_STRIDE=1 for every N, as
 * `make allocfail` runs it under ASan).
 *
 * Each run must either succeed with exactly the output of the run without a
 * failure, or stop with RS_ERR_NOMEM: never RS_OK with a degraded result,
 * never another status; leaks are ASan's to find (`make asan`, `make
 * allocfail`).
 *
 * The count covers the library's own allocations (rs__malloc and friends)
 * and SQLite's, whose allocator this test wraps with SQLITE_CONFIG_MALLOC so
 * that both draw from the one countdown.  Not covered: OpenBLAS (its own
 * mmap'd buffers, no allocator hook); jansson's (json_set_alloc_funcs
 * could: model_tune.c now fails the build when a report field cannot be
 * added, but one run with it on still gave a report with a key lost inside
 * jansson's output, not understood yet); utf8proc's (only the graph's text
 * search) and the C library's (stdio).
 */
#include "testutil.h"
#include "model_path.h"
#include "core/alloc.h"
#include "learn/cf_internal.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define K 5
#define N_USERS 40

/* Allocation numbers that broke the contract when found (run whatever the
 * stride; a change in the allocations before them moves them, so the full
 * sweep, `make allocfail`, is what keeps them covered):
 *   7514 the raw events' schema probe (model_eval read_raw), 7640 the
 *   validation's user count (model_tune make_eval), 7854 an item text
 *   (model_build catalogue), 8777 the embedder's savepoint, 8924 the item
 *   store's release after SQLite rolled back, 10355 and 19888 an item's
 *   words (score_content), 13133 and 19361 a history key (user_persist),
 *   20372 the simulator's feedback (sim run). */
static const long regressions[] = {7514, 7640, 7854, 8777, 8924, 10355, 13133, 19361, 19888, 20372};


/* ------------------------------------------------------------ SQLite */

static sqlite3_mem_methods sqlite_default;

/* (a failure returns on a line of its own, for a debugger's breakpoint) */
static void *failing_malloc(int n)
{
    if (rs__alloc_injected_failure())
        return NULL;
    return sqlite_default.xMalloc(n);
}

static void *failing_realloc(void *p, int n)
{
    if (rs__alloc_injected_failure())
        return NULL;
    return sqlite_default.xRealloc(p, n);
}

static void sqlite_failing(void)
{
    sqlite3_mem_methods m;
    ck_assert_int_eq(sqlite3_shutdown(), SQLITE_OK);
    ck_assert_int_eq(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_default), SQLITE_OK);
    m = sqlite_default;
    m.xMalloc = failing_malloc;
    m.xRealloc = failing_realloc;
    ck_assert_int_eq(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
    ck_assert_int_eq(sqlite3_initialize(), SQLITE_OK);
}

static void sqlite_normal(void)
{
    ck_assert_int_eq(sqlite3_shutdown(), SQLITE_OK);
    ck_assert_int_eq(sqlite3_config(SQLITE_CONFIG_MALLOC, &sqlite_default), SQLITE_OK);
}


/* ------------------------------------------------------------ the run */

typedef struct out {
    char *text;
    size_t len, cap;
} out;

static void say(out *o, const char *format, ...)
{
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, format);
        n = vsnprintf(o->text + o->len, o->cap - o->len, format, ap);
        va_end(ap);
        ck_assert_int_ge(n, 0);
        if (o->len + (size_t)n < o->cap)
            break;
        o->cap = 2 * (o->cap + (size_t)n);
        o->text = realloc(o->text, o->cap); /* plain realloc: not counted */
        ck_assert_ptr_nonnull(o->text);
    }
    o->len += (size_t)n;
}

static int import(rs_model *m, const char *file, int kind)
{
    static const char *const props[] = {"description"};
    static const char *const attrs[] = {"country"};
    rs_reader *r = NULL;
    uint64_t rows = 0;
    int s = rs_reader_open(file, RS_FORMAT_TSV, &r);
    if (s == RS_OK)
        s = kind == 0   ? rs_model_import_interactions(m, r, NULL, "bought", 0, &rows)
            : kind == 1 ? rs_model_import_items(m, r, NULL, NULL, 0, props, 1, &rows)
                        : rs_model_import_users(m, r, NULL, attrs, 1, NULL, 0, NULL, &rows);
    rs_reader_close(r);
    return s;
}

static int lists(const rs_model *m, out *o)
{
    const char *keys[K];
    float scores[K];
    size_t n;
    char user[16];
    int s;
    for (int u = 0; u <= N_USERS; u++) {
        if (u < N_USERS)
            snprintf(user, sizeof user, "u%02d", u);
        else
            snprintf(user, sizeof user, "nobody");
        if ((s = rs_model_recommend(m, user, K, NULL, 0, NULL, 0, keys, scores, NULL, &n)) !=
            RS_OK)
            return s;
        say(o, "%s:", user);
        for (size_t i = 0; i < n; i++)
            say(o, " %s %.6g", keys[i], (double)scores[i]);
        say(o, "\n");
        if (u % 10 == 0 && n > 0) {
            rs_explanation *e = NULL;
            if ((s = rs_model_explain(m, user, keys[0], &e)) != RS_OK)
                return s;
            say(o, "  because %s (%zu steps)\n", rs_explanation_text(e),
                rs_explanation_length(e));
            rs_explanation_free(e);
        }
    }
    if ((s = rs_model_similar(m, "i00", K, keys, scores, NULL, &n)) != RS_OK)
        return s;
    say(o, "like i00:");
    for (size_t i = 0; i < n; i++)
        say(o, " %s %.6g", keys[i], (double)scores[i]);
    say(o, "\n");
    return RS_OK;
}

static const char *const sim_policies[] = {"scorer", "popular"};

/* The trace's figures into o (and the trace freed). */
static int trace_out(rs_sim_trace *t, out *o)
{
    static const int stats[] = {RS_SIM_STAT_CLICKS, RS_SIM_STAT_COVERAGE,
                                RS_SIM_STAT_DIVERSITY, RS_SIM_STAT_ENTROPY};
    int s;
    for (size_t p = 0; p < rs_sim_trace_policies(t); p++)
        for (uint64_t step = 0; step < rs_sim_trace_steps(t); step++) {
            say(o, "%s step %llu:", rs_sim_trace_policy_name(t, p), (unsigned long long)step);
            for (size_t k = 0; k < sizeof stats / sizeof stats[0]; k++) {
                double v = 0;
                if ((s = rs_sim_trace_value(t, p, step, stats[k], &v)) != RS_OK) {
                    rs_sim_trace_free(t);
                    return s;
                }
                say(o, " %.9g", v);
            }
            say(o, "\n");
        }
    rs_sim_trace_free(t);
    return RS_OK;
}

static int simulate(const rs_model *m, out *o)
{
    rs_sim_trace *t = NULL;
    int s = rs_model_simulate(m, sim_policies, 2, 20, 3, 4, 7, &t);
    return s != RS_OK ? s : trace_out(t, o);
}

/* simulate's run in 2 shards per policy, merged step by step: the same
 * figures, or RS_ERR_NOMEM. */
static int simulate_sharded(const rs_model *m, out *o)
{
    rs_sim_merge *mg = NULL;
    rs_sim_trace *t = NULL;
    int s = rs_sim_merge_create(sim_policies, 2, 3, &mg);
    for (size_t p = 0; s == RS_OK && p < 2; p++) {
        rs_sim_shard *sh[2] = {NULL, NULL};
        const void *parts[2], *merged = NULL;
        size_t lens[2], merged_len = 0;
        for (size_t i = 0; s == RS_OK && i < 2; i++)
            s = rs_model_sim_shard_begin(m, sim_policies[p], 20, 4, 7, i, 2, &sh[i]);
        for (int step = 0; s == RS_OK && step < 3; step++) {
            for (size_t i = 0; s == RS_OK && i < 2; i++)
                s = rs_sim_shard_step(sh[i], merged, merged_len, &parts[i], &lens[i]);
            if (s == RS_OK)
                s = rs_sim_merge_step(mg, p, parts, lens, 2, &merged, &merged_len);
        }
        rs_sim_shard_free(sh[0]);
        rs_sim_shard_free(sh[1]);
    }
    if (s == RS_OK)
        s = rs_sim_merge_trace(mg, &t);
    rs_sim_merge_free(mg);
    return s != RS_OK ? s : trace_out(t, o);
}

static int tuning(const rs_model *m, out *o)
{
    static char report[1 << 16];
    size_t len = 0;
    int s = rs_model_tuning(m, report, sizeof report, &len);
    if (s == RS_ERR_NOTFOUND) { /* built without the selection */
        rs_clear_error();
        return RS_OK;
    }
    if (s == RS_OK) { /* all but the time it took */
        char *at = strstr(report, "\"seconds\":"), *end;
        if (at) {
            at += 10;
            end = at + strcspn(at, ",}");
            memmove(at, end, strlen(end) + 1);
        }
        say(o, "tuning: %s\n", report);
    }
    return s;
}

/* The whole run; the status of the first step that failed (its name in
 * *stage), RS_OK with the output in o. */
static int run(out *o, const char **stage)
{
    rs_model *m = NULL;
    int s;
    remove_model();
    o->len = 0;
    o->text[0] = '\0';
#define STEP(name, call)       \
    do {                       \
        *stage = name;         \
        if ((s = (call)) != RS_OK) \
            goto done;         \
    } while (0)
    STEP("open", rs_model_open(path, RS_MODEL_CREATE, &m));
    STEP("import items", import(m, "tests/data/model_v10_items.tsv", 1));
    STEP("import users", import(m, "tests/data/model_v10_users.tsv", 2));
    STEP("import events", import(m, "tests/data/model_v10_events.tsv", 0));
    STEP("build", rs_model_build(m));
    STEP("recommend", lists(m, o));
    rs_model_close(m);
    m = NULL;
    STEP("open read-only", rs_model_open(path, RS_MODEL_READONLY, &m));
    STEP("tuning report", tuning(m, o));
    STEP("recommend read-only", lists(m, o));
    STEP("simulate", simulate(m, o));
    STEP("simulate sharded", simulate_sharded(m, o));
#undef STEP
done:
    rs_model_close(m);
    return s;
}

/* The scratch directory: $TMPDIR, else /dev/shm when there is one (the
 * sweep commits thousands of transactions: fsync on a disk would be most
 * of its time), else /tmp. */
static const char *scratch_dir(void)
{
    const char *dir = getenv("TMPDIR");
    if (dir && *dir)
        return dir;
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static long env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : fallback;
}

/* RS_ALLOCFAIL_KEEP_GOING=1: report every broken run, then fail once. */
static int keep_going, broken;

#define BROKEN(...)                                \
    do {                                           \
        if (!keep_going)                           \
            ck_abort_msg(__VA_ARGS__);             \
        fprintf(stderr, __VA_ARGS__);              \
        fprintf(stderr, "\n");                     \
        broken++;                                  \
    } while (0)

/* One run with allocation n failing; 1 when the failure fired. */
static int check_one(long n, out *o, const out *want)
{
    const char *stage = "";
    int s, fired;
    rs__alloc_fail_after(n);
    s = run(o, &stage);
    fired = rs__alloc_fail_left() == 0;
    rs__alloc_fail_after(0);
    if (s == RS_OK) {
        if (o->len != want->len || memcmp(o->text, want->text, want->len) != 0) {
            size_t at = 0;
            while (at < o->len && at < want->len && o->text[at] == want->text[at])
                at++;
            while (at > 0 && want->text[at - 1] != '\n')
                at--;
            BROKEN("allocation %ld failed, yet the run succeeded with other output:\n"
                   "want: %.200s\ngot:  %.200s", n, want->text + at, o->text + at);
        }
    } else if (s != RS_ERR_NOMEM) {
        BROKEN("allocation %ld failed in %s: status %d (%s), not RS_ERR_NOMEM: %s", n, stage,
               s, rs_strerror(s), rs_errmsg());
    }
    return fired;
}

START_TEST(every_allocation_fails_cleanly)
{
    out want = {0}, got = {0};
    const char *stage = "";
    long total, stride, runs = 0, failed_runs = 0;
    snprintf(path, sizeof path, "%s/rs_allocfail_%d.rsm", scratch_dir(), (int)getpid());
    rs_set_num_threads(1); /* one order of allocations */
    keep_going = env_long("RS_ALLOCFAIL_KEEP_GOING", 0) != 0;
    want.cap = got.cap = 1 << 16;
    want.text = malloc(want.cap);
    got.text = malloc(got.cap);
    ck_assert(want.text && got.text);
    sqlite_failing();
    /* the reference run, counting the allocations it makes */
    rs__alloc_fail_after(LONG_MAX);
    ck_assert_msg(run(&want, &stage) == RS_OK, "%s: %s", stage, rs_errmsg());
    total = LONG_MAX - rs__alloc_fail_left();
    rs__alloc_fail_after(0);
    ck_assert_int_gt(total, 1000);
    ck_assert_ptr_nonnull(strstr(want.text, "because"));
    ck_assert_ptr_nonnull(strstr(want.text, "popular step 2"));
    stride = env_long("RS_ALLOCFAIL_STRIDE", 0);
    if (stride <= 0) /* about RS_ALLOCFAIL_RUNS runs (default 300) */
        stride = total / env_long("RS_ALLOCFAIL_RUNS", 300) + 1;
    if (env_long("RS_ALLOCFAIL_ONLY", 0) > 0) /* to debug one run */
        total = -2, check_one(env_long("RS_ALLOCFAIL_ONLY", 0), &got, &want), failed_runs = 1;
    for (size_t r = 0; r < sizeof regressions / sizeof regressions[0]; r++)
        if (regressions[r] > 0)
            check_one(regressions[r], &got, &want);
    /* n from 1, then spread over the strides (a different offset in each) */
    for (long n = 1; n <= total + 1; n += stride) {
        long at = n + (runs * 7919) % stride;
        runs++;
        if (check_one(at, &got, &want))
            failed_runs++;
    }
    fprintf(stderr, "allocfail: %ld allocations in a run; %ld runs (stride %ld), "
            "%ld with an injected failure\n", total, runs, stride, failed_runs);
    ck_assert_int_gt(failed_runs, 0);
    ck_assert_msg(broken == 0, "%d runs broke the contract (listed above)", broken);
    sqlite_normal();
    remove_model();
    free(want.text);
    free(got.text);
}
END_TEST

/* ------------------------------------------------------------ loaders */

enum { L_ITEMS, L_EMBEDDER, L_CF, L_CF_ROWS, L_USERS, L_COUNT };
static const char *const loader_names[L_COUNT] = {"item store", "embedder", "cf model",
                                                  "cf model rows", "user model"};

#define RS_ITEM_DIM_MAX_TEST 4096

/* One loader on the built model; a digest of what it loaded in *digest. */
static int load(rs_graph *g, int which, rs_item_store *store, double *digest)
{
    rs_item_store *st = NULL;
    rs_embedder *e = NULL;
    rs_cf_model *cf = NULL;
    rs_user_model *u = NULL;
    static float v[RS_ITEM_DIM_MAX_TEST];
    int s;
    *digest = 0;
    ck_assert_uint_le(rs_item_store_dim(store), RS_ITEM_DIM_MAX_TEST);
    switch (which) {
    case L_ITEMS:
        if ((s = rs_item_store_load(g, "recsim", &st)) == RS_OK &&
            (s = rs_item_store_get(st, "i03", v, rs_item_store_dim(st))) == RS_OK)
            *digest = (double)rs_item_store_count(st) + v[0] + v[1];
        rs_item_store_free(st);
        return s;
    case L_EMBEDDER:
        if ((s = rs_embedder_load(g, NULL, NULL, &e)) == RS_OK &&
            rs_embedder_dim(e) <= RS_ITEM_DIM_MAX_TEST &&
            (s = rs_embedder_embed(e, "metal lantern tote", v, rs_embedder_dim(e))) == RS_OK)
            *digest = (double)v[0] + 3 * v[1] + 7 * v[2];
        rs_embedder_free(e);
        return s;
    case L_CF:
    case L_CF_ROWS: {
        uint32_t items[2] = {0, 4};
        float w[2] = {1, 2}, scores[64];
        s = which == L_CF ? rs_cf_model_load(g, "recsim", &cf)
                          : rs__cf_model_load_rows(g, "recsim", &cf);
        if (s == RS_OK && rs_cf_model_items(cf) <= 64 &&
            (s = rs_cf_model_score(cf, items, w, 2, scores, rs_cf_model_items(cf))) == RS_OK)
            for (size_t i = 0; i < rs_cf_model_items(cf); i++)
                *digest += (double)(i + 1) * scores[i];
        rs_cf_model_free(cf);
        return s;
    }
    default:
        if ((s = rs_user_model_load(g, "recsim", store, &u)) == RS_OK &&
            (s = rs_user_model_interest(u, "u03", v, rs_item_store_dim(store))) == RS_OK)
            *digest = (double)rs_user_model_count(u) + v[0] + v[1];
        rs_user_model_free(u);
        return s;
    }
}

START_TEST(every_loader_fails_cleanly)
{
    /* each loader of a built model with its N-th allocation failing, for
     * every N: the same result as unfailed, or RS_ERR_NOMEM (never "corrupt") */
    out o = {0};
    const char *stage = "";
    rs_graph *g = NULL;
    rs_item_store *store = NULL;
    snprintf(path, sizeof path, "%s/rs_allocfail_load_%d.rsm", scratch_dir(), (int)getpid());
    rs_set_num_threads(1);
    o.cap = 1 << 16;
    ck_assert_ptr_nonnull(o.text = malloc(o.cap));
    ck_assert_msg(run(&o, &stage) == RS_OK, "%s: %s", stage, rs_errmsg());
    sqlite_failing();
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_ok(rs_item_store_load(g, "recsim", &store));
    for (int which = 0; which < L_COUNT; which++) {
        double want = 0, got = 0;
        long n, failed = 0;
        ck_assert_ok(load(g, which, store, &want));
        for (n = 1;; n++) {
            int s, fired;
            rs__alloc_fail_after(n);
            s = load(g, which, store, &got);
            fired = rs__alloc_fail_left() == 0;
            rs__alloc_fail_after(0);
            if (!fired)
                break;
            failed++;
            ck_assert_msg(s == RS_OK || s == RS_ERR_NOMEM, "%s, allocation %ld failed: %d %s",
                          loader_names[which], n, s, rs_errmsg());
            ck_assert_msg(s != RS_OK || got == want, "%s, allocation %ld failed: RS_OK with "
                          "%.9g instead of %.9g", loader_names[which], n, got, want);
        }
        ck_assert_msg(failed > 5, "%s: only %ld allocations", loader_names[which], failed);
        ck_assert_ok(load(g, which, store, &got)); /* and it still loads */
        ck_assert(got == want);
    }
    rs_item_store_free(store);
    rs_graph_close(g);
    sqlite_normal();
    remove_model();
    free(o.text);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_allocfail");
    TCase *tc = tcase_create("allocfail");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, every_allocation_fails_cleanly);
    tcase_add_test(tc, every_loader_fails_cleanly);
    suite_add_tcase(s, tc);
    return s;
}
