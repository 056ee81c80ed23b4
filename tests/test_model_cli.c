/*
 * test_model_cli.c - `recsim recommend` and a C program calling
 * rs_model_recommend return the same lists, keys and scores bit for bit,
 * on the demo data (examples/data/onlineretail_sample.tsv imported with
 * --preset retail and built by the CLI).
 *
 * The command is $RECSIM_CLI, else bin/recsim (make check builds it before
 * the suites); without it the test says so and passes.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define K 10
#define N_USERS 24

static const char *cli(void)
{
    const char *env = getenv("RECSIM_CLI");
    return env && *env ? env : "bin/recsim";
}

START_TEST(test_cli_equals_library)
{
    char dir[] = "/tmp/rs_model_cli_XXXXXX", path[256], cmd[8192];
    const char *users[N_USERS + 1];
    char names[N_USERS][64];
    size_t n_users = 0, used;
    rs_model *m = NULL;
    rs_graph *g;
    FILE *pipe;
    json_t *root;
    json_error_t jerr;
    if (access(cli(), X_OK) != 0) {
        fprintf(stderr, "test_model_cli: %s not built, comparison skipped\n", cli());
        return;
    }
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/demo.rsm", dir);
    snprintf(cmd, sizeof cmd, "%s -q import --preset retail %s "
             "examples/data/onlineretail_sample.tsv > /dev/null && %s -q build %s > /dev/null",
             cli(), path, cli(), path);
    ck_assert_int_eq(system(cmd), 0);

    /* some customers of the file, and one it does not know */
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    g = rs_model_graph(m);
    for (uint32_t v = 0; v < rs_graph_node_span(g) && n_users < N_USERS; v += 7) {
        const char *type, *key;
        if (rs_graph_node_key(g, v, &type, &key) == RS_OK && strcmp(type, "user") == 0) {
            snprintf(names[n_users], sizeof names[0], "%s", key);
            users[n_users] = names[n_users];
            n_users++;
        }
    }
    rs_clear_error();
    ck_assert_uint_ge(n_users, 10);
    users[n_users++] = "nobody-at-all";

    used = (size_t)snprintf(cmd, sizeof cmd, "%s recommend --json -k %d %s", cli(), K, path);
    for (size_t u = 0; u < n_users; u++)
        used += (size_t)snprintf(cmd + used, sizeof cmd - used, " %s", users[u]);
    pipe = popen(cmd, "r");
    ck_assert_ptr_nonnull(pipe);
    root = json_loadf(pipe, 0, &jerr);
    ck_assert_int_eq(pclose(pipe), 0);
    ck_assert_msg(root != NULL, "recsim recommend --json: %s", jerr.text);
    ck_assert_uint_eq(json_array_size(root), n_users);

    for (size_t u = 0; u < n_users; u++) {
        const char *keys[K];
        float scores[K];
        size_t n = 0;
        json_t *entry = json_array_get(root, u), *items = json_object_get(entry, "items");
        ck_assert_str_eq(json_string_value(json_object_get(entry, "user")), users[u]);
        ck_assert_ok(rs_model_recommend(m, users[u], K, NULL, 0, NULL, 0, keys, scores, NULL,
                                        &n));
        ck_assert_uint_eq(json_array_size(items), n);
        ck_assert_uint_gt(n, 0);
        for (size_t i = 0; i < n; i++) {
            json_t *it = json_array_get(items, i);
            float cli_score = (float)json_number_value(json_object_get(it, "score"));
            ck_assert_str_eq(json_string_value(json_object_get(it, "item")), keys[i]);
            ck_assert_msg(memcmp(&cli_score, &scores[i], sizeof(float)) == 0,
                          "user %s rank %zu: the CLI printed %.9g, the library %.9g",
                          users[u], i + 1, cli_score, scores[i]);
        }
    }
    json_decref(root);
    rs_model_close(m);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_cli_equals_library);
    suite_add_tcase(s, tc);
    return s;
}
