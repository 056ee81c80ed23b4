/*
 * cli_recjson.c - one user's list and an item's neighbours as JSON, for
 * `recsim recommend --json`, `recsim similar --json` and `recsim serve`.
 */
#include "cli_recjson.h"

#include "cli_model.h"

#include <stdint.h>

#define TITLE_SIZE 256
#define SIMILAR_MAX 1000

const char *cli_title_of(void *ctx, rs_model *model, const char *key, char *buf, size_t size)
{
    (void)ctx;
    return cli_title(model, key, buf, size);
}

const char *cli_source_name(int source)
{
    switch (source) {
    case RS_SCORER_FROM_HISTORY: return "history";
    case RS_SCORER_FROM_PROFILE: return "profile";
    default: return "popularity";
    }
}

json_t *cli_json_path(const rs_explanation *e)
{
    size_t n = rs_explanation_length(e);
    json_t *path = json_array();
    for (size_t i = 0; path && i < n; i++) {
        int reversed = 0;
        const char *rel = i > 0 ? rs_explanation_relation(e, i - 1, &reversed) : NULL;
        if ((i > 0 && json_array_append_new(path, json_pack("{s:s, s:b}", "relation",
                                                           rel ? rel : "", "reversed",
                                                           reversed)) != 0) ||
            json_array_append_new(path, json_pack("{s:s, s:s}", "type",
                                                  rs_explanation_node_type(e, i), "key",
                                                  rs_explanation_node_key(e, i))) != 0) {
            json_decref(path);
            return NULL;
        }
    }
    return path;
}

size_t cli_history_length(rs_model *m, const char *user)
{
    size_t n = 0;
    int s = rs_user_model_history(rs_model_user_model(m), user, NULL, NULL, 0, &n);
    if (s != RS_OK && s != RS_ERR_BUFFER)
        n = 0;
    rs_clear_error();
    return n;
}

json_t *cli_interests_json(rs_model *m, const char *user)
{
    uint32_t nodes[8];
    float shares[8];
    size_t ni = 0;
    json_t *list = json_array();
    if (rs_scorer_interests(rs_model_scorer(m), user, 5, nodes, shares, &ni) != RS_OK)
        ni = 0;
    rs_clear_error();
    for (size_t i = 0; list && i < ni; i++) {
        const char *type = "", *key = "";
        rs_graph_node_key(rs_model_graph(m), nodes[i], &type, &key);
        if (json_array_append_new(list, json_pack("{s:s, s:s, s:f}", "type", type, "key", key,
                                                  "share", (double)shares[i])) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* One item of the list, with its explanation when asked: NULL and *status
 * on failure. */
static json_t *entry_item(rs_model *m, const struct cli_rec_query *q, const char *user,
                          size_t rank, const char *key, float score, int *status,
                          const char **why)
{
    char buf[TITLE_SIZE];
    rs_explanation *e = NULL;
    json_t *item;
    if (q->explain && (*status = rs_model_explain(m, user, key, &e)) != RS_OK) {
        *why = "explaining an item";
        return NULL;
    }
    item = json_pack("{s:I, s:s, s:s, s:f}", "rank", (json_int_t)rank, "item", key,
                     "description", q->title(q->title_ctx, m, key, buf, sizeof buf), "score",
                     (double)score);
    if (item && e &&
        (json_object_set_new(item, "source",
                             json_string(cli_source_name(rs_explanation_source(e)))) != 0 ||
         json_object_set_new(item, "explanation", json_string(rs_explanation_text(e))) != 0 ||
         (!q->no_paths && json_object_set_new(item, "path", cli_json_path(e)) != 0))) {
        json_decref(item);
        item = NULL;
    }
    rs_explanation_free(e);
    if (!item) {
        *status = RS_ERR_ENCODING;
        *why = "invalid UTF-8 or out of memory";
    }
    return item;
}

int cli_rec_entry(rs_model *m, const struct cli_rec_query *q, const char *user,
                  const char **keys, float *scores, json_t **out, const char **why)
{
    size_t n = 0, history = cli_history_length(m, user);
    uint32_t user_node;
    bool in_graph = rs_graph_find_node(rs_model_graph(m), "user", user, &user_node) == RS_OK;
    const char *source = history ? "history" : in_graph ? "profile" : "popularity";
    json_t *entry = NULL, *items = NULL;
    int s;
    *out = NULL;
    rs_clear_error();
    s = rs_model_recommend(m, user, q->k, q->exclude, q->n_exclude, q->only, q->n_only, keys,
                           scores, NULL, &n);
    if (s != RS_OK) {
        *why = "recommending";
        return s;
    }
    entry = json_pack("{s:s, s:b, s:I, s:b, s:s}", "user", user, "known", in_graph || history,
                      "history", (json_int_t)history, "cold_start", !history, "source", source);
    if (entry && q->interests && json_object_set_new(entry, "interests", cli_interests_json(m, user)) != 0)
        json_decref(entry), entry = NULL;
    if (entry && json_object_set_new(entry, "items", items = json_array()) != 0)
        json_decref(entry), entry = NULL;
    s = entry ? RS_OK : RS_ERR_ENCODING;
    for (size_t i = 0; s == RS_OK && i < n; i++)
        if (json_array_append_new(items, entry_item(m, q, user, i + 1, keys[i], scores[i], &s,
                                                    why)) != 0 &&
            s == RS_OK)
            s = RS_ERR_ENCODING;
    if (s != RS_OK) {
        if (s == RS_ERR_ENCODING)
            *why = "invalid UTF-8 or out of memory";
        json_decref(entry);
        return s;
    }
    *out = entry;
    return RS_OK;
}

int cli_similar_doc(rs_model *m, const char *item, size_t k, cli_title_fn title, void *ctx,
                    json_t **out)
{
    const char *keys[SIMILAR_MAX];
    float scores[SIMILAR_MAX];
    char buf[TITLE_SIZE];
    size_t n = 0;
    json_t *similar;
    int s;
    *out = NULL;
    if (k > SIMILAR_MAX)
        k = SIMILAR_MAX;
    if ((s = rs_model_similar(m, item, k, keys, scores, NULL, &n)) != RS_OK)
        return s;
    similar = json_array();
    for (size_t i = 0; similar && i < n; i++)
        if (json_array_append_new(similar,
                                  json_pack("{s:I, s:s, s:s, s:f}", "rank", (json_int_t)(i + 1),
                                            "item", keys[i], "description",
                                            title(ctx, m, keys[i], buf, sizeof buf), "score",
                                            (double)scores[i])) != 0)
            break;
    if (!similar || json_array_size(similar) != n) {
        json_decref(similar);
        return RS_ERR_NOMEM;
    }
    *out = json_pack("{s:s, s:s, s:o}", "item", item, "description",
                     title(ctx, m, item, buf, sizeof buf), "similar", similar);
    return *out ? RS_OK : RS_ERR_NOMEM;
}
