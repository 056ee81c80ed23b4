/*
 * test_model_validate.c - rs_model_validate on a generated log with visits
 * on both sides of a cut (the report's parts, reproducibility by seed, a
 * ranked list file as a policy), rs_eval_result_list, and bad input (a log
 * without times names the column it needs).
 */
#include "evalsim_fixture.h"

#include "core/rng.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define N_USERS 80
#define N_ITEMS 40
#define DAY 86400
#define T0 1293840000L /* 2011-01-01 */
#define CUT (T0 + 60L * DAY)

/* Append printf text to a growing buffer. */
static void add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (*len + 256 > *cap) {
        *cap = (*cap + 256) * 2;
        *buf = realloc(*buf, *cap);
        ck_assert_ptr_nonnull(*buf);
    }
    va_start(ap, fmt);
    n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
    va_end(ap);
    ck_assert(n > 0 && (size_t)n < *cap - *len);
    *len += (size_t)n;
}

/*
 * Two tastes (even / odd items), each user with one; visits every 5 to 15
 * days from day 0 to day 90, 2 to 6 items of the user's taste (a popular
 * head more often), item 0 or 1 sometimes besides.  with_time 0: no time
 * column at all.
 */
static rs_model *generated_model(int with_time)
{
    char *ev = NULL, *items = NULL, *users = NULL;
    size_t le = 0, ce = 0, li = 0, ci = 0, lu = 0, cu = 0;
    rs_model *m = NULL;
    rs_rng rng;
    add(&items, &li, &ci, "item\tdescription\n");
    for (int i = 0; i < N_ITEMS; i++)
        add(&items, &li, &ci, "i%02d\t%s gift %d\n", i, i % 2 ? "metal lantern" : "ceramic mug",
            i);
    add(&users, &lu, &cu, "user\tcountry\n");
    add(&ev, &le, &ce, with_time ? "user\titem\ttime\n" : "user\titem\n");
    for (int u = 0; u < N_USERS; u++) {
        int taste = u % 2;
        long t = T0 + (long)(u % 5) * DAY;
        add(&users, &lu, &cu, "u%02d\t%s\n", u, u % 3 ? "France" : "Spain");
        rs__rng_init(&rng, 42, 1, (uint64_t)u, 0);
        while (t < T0 + 90L * DAY) {
            int n = 2 + (int)rs__rng_below(&rng, 5);
            for (int k = 0; k < n; k++) {
                int head = rs__rng_uniform(&rng) < 0.5;
                int i = taste + 2 * (int)rs__rng_below(&rng, head ? 4 : N_ITEMS / 2);
                if (with_time)
                    add(&ev, &le, &ce, "u%02d\ti%02d\t%ld\n", u, i, t);
                else
                    add(&ev, &le, &ce, "u%02d\ti%02d\n", u, i);
            }
            t += (5 + (long)rs__rng_below(&rng, 11)) * DAY;
        }
    }
    fixture_path = graph_temp_path("validate");
    ck_assert_ok(rs_model_open(fixture_path, RS_MODEL_CREATE, &m));
    fixture_import(m, items, 1);
    fixture_import(m, ev, 0);
    fixture_import(m, users, 2);
    free(ev);
    free(items);
    free(users);
    return m;
}

static const char *const baselines[] = {"most-popular", "recent-popular", "segment-popular",
                                        "random"};

START_TEST(report_and_reproducibility)
{
    rs_model *m = generated_model(1);
    char *a = NULL, *b = NULL, *c = NULL;
    ck_assert_ok(rs_model_validate(m, baselines, 4, (double)CUT, 3, 2, &a));
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(strstr(a, "Kendall tau"));
    ck_assert_ptr_nonnull(strstr(a, "baskets per customer"));
    ck_assert_ptr_nonnull(strstr(a, "median gap (days)"));
    ck_assert_ptr_nonnull(strstr(a, "log-likelihood per slate impression"));
    ck_assert_ptr_nonnull(strstr(a, "segment-popular"));
    ck_assert_ptr_nonnull(strstr(a, "2 replicates (seeds 3..4)"));
    /* the drawn model's impression log-likelihood beside positions alone
     * and the choice model's; the drawn inclusion model takes the choice
     * model as its offset and the visit's propensity and new share are
     * fitted */
    {
        const char *l = strstr(a, "log-likelihood per slate impression (test half): model ");
        double drawn, pos;
        ck_assert_ptr_nonnull(l);
        ck_assert_int_eq(sscanf(l, "log-likelihood per slate impression (test half): model %lf, "
                                "positions alone %lf", &drawn, &pos), 2);
        ck_assert(isfinite(drawn) && drawn < 0 && isfinite(pos) && pos < 0);
    }
    ck_assert_ptr_nonnull(strstr(a, "(test half), choice model"));
    ck_assert_ptr_nonnull(strstr(a, "(test half), slate-inclusion model (not drawn from)"));
    ck_assert_ptr_nonnull(strstr(a, "sim hit/visit with the choice draws"));
    ck_assert_ptr_nonnull(strstr(a, "share of new items Beta("));
    ck_assert_ptr_nonnull(strstr(a, "propensity gamma shape"));
    ck_assert_ptr_nonnull(strstr(strstr(a, "slate inclusion drawn from (first replicate"),
                                 "+1.000*log P(choice) +0.000*(log P)^2/100 +0.000*item"));
    ck_assert_ptr_nonnull(strstr(a, "slate inclusion (first replicate): log rate"));
    /* the same seed, the same report; another seed, another split */
    ck_assert_ok(rs_model_validate(m, baselines, 4, (double)CUT, 3, 2, &b));
    ck_assert_str_eq(a, b);
    ck_assert_ok(rs_model_validate(m, baselines, 4, (double)CUT, 99, 2, &c));
    ck_assert_str_ne(a, c);
    rs_free(a);
    rs_free(b);
    rs_free(c);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* A ranked list file as a policy: lines of unknown users or items are
 * skipped, a list the same as most-popular's scores the same. */
START_TEST(list_file_policy)
{
    rs_model *m = generated_model(1);
    rs_eval *eval = NULL;
    char path[300], name[320], *report = NULL, line[256];
    const char *policies[2];
    FILE *f;
    size_t row = 0, n_users = 0;
    snprintf(path, sizeof path, "%s.lists", fixture_path);
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, (double)CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &eval));
    while (strcmp(rs_eval_result_name(eval, row), "most-popular") != 0)
        row++;
    ck_assert_status(rs_eval_result_users(eval, row, RS_EVAL_NDCG, NULL, NULL, 0, &n_users),
                     RS_ERR_BUFFER);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("nobody\ti00\t1\n", f);
    for (size_t p = 0; p < n_users; p++) {
        uint32_t user, items[10];
        size_t n;
        ck_assert_ok(rs_eval_result_list(eval, row, p, &user, items, 10, &n));
        for (size_t r = 0; r < n; r++)
            fprintf(f, "%s\t%s\t%zu\n", rs_eval_user_key(eval, user),
                    rs_eval_item_key(eval, items[r]), r + 1);
    }
    fclose(f);
    snprintf(name, sizeof name, "file:%s", path);
    policies[0] = "most-popular";
    policies[1] = name;
    ck_assert_ok(rs_model_validate(m, policies, 2, (double)CUT, 1, 1, &report));
    /* both rows: the same real and simulated figures, a zero difference
     * (the name takes the first 24 columns of a row) */
    {
        char *first = strstr(report, "\nmost-popular"), *second = strstr(report, "\nfile:");
        size_t len;
        ck_assert_ptr_nonnull(first);
        ck_assert_ptr_nonnull(second);
        len = (size_t)(strchr(first + 1, '\n') - first);
        ck_assert(sscanf(second + 25, "%255[^\n]", line) == 1);
        ck_assert_ptr_nonnull(strstr(line, "+0.0000 [+0.0000, +0.0000]"));
        ck_assert_int_eq(strncmp(first + 25, second + 25, len - 25), 0);
        assert_same_value(strtod(first + 25, NULL), strtod(second + 25, NULL), "real NDCG");
    }
    rs_free(report);
    /* a missing file, a bad line */
    snprintf(name, sizeof name, "file:%s.missing", path);
    policies[1] = name;
    ck_assert_status(rs_model_validate(m, policies, 2, (double)CUT, 1, 1, &report), RS_ERR_IO);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("u01\ti00\n", f);
    fclose(f);
    snprintf(name, sizeof name, "file:%s", path);
    ck_assert_status(rs_model_validate(m, policies, 2, (double)CUT, 1, 1, &report),
                     RS_ERR_PARSE);
    ck_assert_ptr_null(report);
    unlink(path);
    rs_eval_free(eval);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* rs_eval_result_list by hand on the evaluate fixture: most-popular at k 2
 * gives u1 (train i1 i2) the items i3 i4. */
START_TEST(result_list)
{
    rs_model *m = fixture_model("lists", 0, 0);
    rs_eval *eval = NULL;
    uint32_t user, items[2];
    size_t n = 9, row = 0;
    ck_assert_ok(rs_model_set_int(m, "eval.k", 2));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &eval));
    while (strcmp(rs_eval_result_name(eval, row), "most-popular") != 0)
        row++;
    ck_assert_ok(rs_eval_result_list(eval, row, 0, &user, items, 2, &n));
    ck_assert_str_eq(rs_eval_user_key(eval, user), "u1");
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rs_eval_item_key(eval, items[0]), "i3");
    ck_assert_str_eq(rs_eval_item_key(eval, items[1]), "i4");
    ck_assert_status(rs_eval_result_list(eval, row, 0, NULL, items, 1, &n), RS_ERR_BUFFER);
    ck_assert_uint_eq(n, 2);
    ck_assert_status(rs_eval_result_list(eval, row, 0, NULL, NULL, 0, &n), RS_ERR_BUFFER);
    ck_assert_status(rs_eval_result_list(eval, row, 4, NULL, items, 2, &n), RS_ERR_NOTFOUND);
    ck_assert_status(rs_eval_result_list(eval, 99, 0, NULL, items, 2, &n), RS_ERR_NOTFOUND);
    ck_assert_status(rs_eval_result_list(NULL, row, 0, NULL, items, 2, &n), RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_list(eval, row, 0, NULL, NULL, 2, &n), RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_list(eval, row, 0, NULL, items, 2, NULL), RS_ERR_INVALID);
    rs_eval_free(eval);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

START_TEST(bad_input)
{
    rs_model *m = generated_model(0);
    char *report = (char *)1;
    const char *unknown[] = {"most-popular", "oracle"}, *empty[] = {""};
    ck_assert_status(rs_model_validate(m, NULL, 0, NAN, 1, 1, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_validate(NULL, NULL, 0, NAN, 1, 1, &report), RS_ERR_INVALID);
    ck_assert_ptr_null(report);
    ck_assert_status(rs_model_validate(m, NULL, 0, NAN, 1, 0, &report), RS_ERR_RANGE);
    ck_assert_status(rs_model_validate(m, NULL, 0, NAN, 1, 65, &report), RS_ERR_RANGE);
    ck_assert_status(rs_model_validate(m, NULL, 3, NAN, 1, 1, &report), RS_ERR_INVALID);
    ck_assert_status(rs_model_validate(m, baselines, 33, NAN, 1, 1, &report), RS_ERR_RANGE);
    ck_assert_status(rs_model_validate(m, empty, 1, NAN, 1, 1, &report), RS_ERR_INVALID);
    ck_assert_status(rs_model_validate(m, baselines, 1, 0.5, 1, 1, &report), RS_ERR_RANGE);
    ck_assert_status(rs_model_validate(m, baselines, 1, INFINITY, 1, 1, &report),
                     RS_ERR_RANGE);
    /* no times: visits cannot exist, and the message names the column */
    ck_assert_status(rs_model_validate(m, baselines, 4, NAN, 1, 1, &report), RS_ERR_STATE);
    ck_assert_errmsg_has("'time' column");
    ck_assert_ptr_null(report);
    rs_model_close(m);
    fixture_remove();
    m = generated_model(1);
    ck_assert_status(rs_model_validate(m, unknown, 2, (double)CUT, 1, 1, &report),
                     RS_ERR_INVALID);
    ck_assert_errmsg_has("unknown policy 'oracle'");
    /* a cut after every event */
    ck_assert_status(rs_model_validate(m, baselines, 4, 2e9, 1, 1, &report), RS_ERR_STATE);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_validate");
    TCase *tc = tcase_create("validate");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, report_and_reproducibility);
    tcase_add_test(tc, list_file_policy);
    tcase_add_test(tc, result_list);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}
