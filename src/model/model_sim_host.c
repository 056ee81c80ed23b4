/*
 * model_sim_host.c - rs_model_set_sim_responder: chosen users of
 * rs_model_simulate answered by the host (e.g. an LLM agent) instead of the
 * built-in response model.  The host gets the visit in words: the user's
 * profile attributes, the texts of the items of its history and of the
 * slate.  Built on rs_sim_set_responder / rs_sim_set_hosted: this file
 * turns the simulator's (user, slate indices) into an rs_sim_visit.
 */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HOSTED_KEYS 10000000u
#define TEXT_MAX 1024

void rs__model_sim_host_clear(rs_model *m)
{
    for (size_t i = 0; i < m->host_n_keys; i++)
        free(m->host_keys[i]);
    free(m->host_keys);
    m->host_keys = NULL;
    m->host_n_keys = 0;
    m->host_fn = NULL;
    m->host_ctx = NULL;
}

int rs_model_set_sim_responder(rs_model *m, rs_model_sim_responder_fn fn, void *context,
                               const char *const *user_keys, size_t n_keys)
{
    const char *fn_name = "rs_model_set_sim_responder";
    char **copy = NULL;
    if (!m)
        return rs__fail(RS_ERR_INVALID, "%s: model is NULL", fn_name);
    if (!fn) {
        rs__model_sim_host_clear(m);
        return RS_OK;
    }
    if (!user_keys && n_keys > 0)
        return rs__fail(RS_ERR_INVALID, "%s: user_keys is NULL with %zu keys", fn_name, n_keys);
    if (n_keys > MAX_HOSTED_KEYS)
        return rs__fail(RS_ERR_RANGE, "%s: %zu keys, more than %u", fn_name, n_keys,
                        MAX_HOSTED_KEYS);
    for (size_t i = 0; i < n_keys; i++) {
        uint32_t node;
        if (!user_keys[i] || !user_keys[i][0])
            return rs__fail(RS_ERR_INVALID, "%s: user key %zu is NULL or empty", fn_name, i);
        if (rs_graph_find_node(m->graph, "user", user_keys[i], &node) != RS_OK)
            return rs__fail(RS_ERR_NOTFOUND, "%s: no user \"%.64s\" in the model", fn_name,
                            user_keys[i]);
    }
    if (n_keys > 0 && !(copy = rs__calloc(n_keys, sizeof *copy)))
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < n_keys; i++)
        if (!(copy[i] = rs__strdup(user_keys[i]))) {
            while (i > 0)
                free(copy[--i]);
            free(copy);
            return RS_ERR_NOMEM;
        }
    rs__model_sim_host_clear(m);
    m->host_fn = fn;
    m->host_ctx = context;
    m->host_keys = copy;
    m->host_n_keys = n_keys;
    /* NULL keys: every mirrored user (host_all) */
    m->host_all = user_keys == NULL;
    rs_clear_error();
    return RS_OK;
}

/* ------------------------------------------------------------ one run */

struct rs__sim_host {
    const rs_model *m;
    const char *policy;
    char *const *user_keys;  /* the population's, n_users */
    size_t n_users;
    char **text;             /* n_items, filled on first use */
    char **profile;          /* n_users, hosted users' only, filled on first use */
    uint32_t **history;      /* n_users: model history then this run's clicks */
    size_t *n_history, *cap_history;
    const char **texts;      /* scratch for the visit: history then slate */
    size_t texts_cap;
    const char *slate_keys[RS_SIM_MAX_SLATE];
};

static const char *item_text(struct rs__sim_host *h, uint32_t item)
{
    if (!h->text[item]) {
        char buf[TEXT_MAX];
        h->text[item] = rs__strdup(rs__model_item_text(h->m, h->m->item_keys[item], buf,
                                                       sizeof buf));
    }
    return h->text[item];
}

/* "relation: entity" lines of the user's out-edges to nodes that are
 * neither items nor users (its profile attributes: a country, a segment). */
static char *profile_text(const rs_model *m, const char *key)
{
    rs_graph *g = m->graph;
    uint32_t node, nodes[256], rels[256];
    size_t n = 0, len = 0;
    char *out = rs__calloc(1, TEXT_MAX);
    rs_error_state saved;
    if (!out)
        return NULL;
    rs__error_save(&saved);
    if (rs_graph_find_node(g, "user", key, &node) == RS_OK) {
        int s = rs_graph_neighbors(g, node, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, NULL, nodes,
                                   rels, NULL, 256, &n);
        if (s == RS_ERR_BUFFER)
            n = 256;
        else if (s != RS_OK)
            n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        const char *type, *entity, *rel = rs_graph_relation_name(g, rels[i]);
        if (rs_graph_node_key(g, nodes[i], &type, &entity) != RS_OK ||
            strcmp(type, "item") == 0 || strcmp(type, "user") == 0 || !rel)
            continue;
        int w = snprintf(out + len, TEXT_MAX - len, "%s%s: %s", len ? "\n" : "", rel, entity);
        if (w < 0 || (size_t)w >= TEXT_MAX - len)
            break;
        len += (size_t)w;
    }
    out[len] = '\0';
    rs__error_restore(&saved);
    return out;
}

static int history_add(struct rs__sim_host *h, size_t u, uint32_t item)
{
    if (h->n_history[u] == h->cap_history[u]) {
        size_t cap = h->cap_history[u] ? 2 * h->cap_history[u] : 16;
        uint32_t *grown = rs__realloc_array(h->history[u], cap, sizeof *grown);
        if (!grown)
            return RS_ERR_NOMEM;
        h->history[u] = grown;
        h->cap_history[u] = cap;
    }
    h->history[u][h->n_history[u]++] = item;
    return RS_OK;
}

/* The user's history in the model, once, at the first visit. */
static int history_load(struct rs__sim_host *h, size_t u)
{
    size_t n = 0;
    uint32_t *items;
    int s = rs_user_model_history(h->m->users, h->user_keys[u], NULL, NULL, 0, &n);
    if (s == RS_ERR_NOTFOUND || n == 0) {
        rs_clear_error();
        return RS_OK;
    }
    if (s != RS_OK && s != RS_ERR_BUFFER)
        return s;
    if (!(items = rs__alloc_array(n, sizeof *items)))
        return RS_ERR_NOMEM;
    s = rs_user_model_history(h->m->users, h->user_keys[u], items, NULL, n, &n);
    for (size_t i = 0; s == RS_OK && i < n; i++)
        s = history_add(h, u, items[i]);
    free(items);
    return s;
}

static int texts_reserve(struct rs__sim_host *h, size_t n)
{
    if (n <= h->texts_cap)
        return RS_OK;
    const char **grown = rs__realloc_array(h->texts, n, sizeof *grown);
    if (!grown)
        return RS_ERR_NOMEM;
    h->texts = grown;
    h->texts_cap = n;
    return RS_OK;
}

/* The rs_sim_response_fn: the visit in words, then the host's answer. */
static int host_respond(void *context, uint32_t user, uint64_t step, const uint32_t *slate,
                        size_t slate_size, int *position_out, int *behaviour_out,
                        int *rating_out, int *left_out)
{
    struct rs__sim_host *h = context;
    rs_sim_visit v;
    size_t u = user, nh;
    if (!h->profile[u]) {
        if (!(h->profile[u] = profile_text(h->m, h->user_keys[u])) || history_load(h, u) != RS_OK)
            return -1;
    }
    nh = h->n_history[u];
    if (texts_reserve(h, nh + slate_size) != RS_OK)
        return -1;
    for (size_t i = 0; i < nh; i++)
        if (!(h->texts[i] = item_text(h, h->history[u][i])))
            return -1;
    for (size_t j = 0; j < slate_size; j++) {
        h->slate_keys[j] = h->m->item_keys[slate[j]];
        if (!(h->texts[nh + j] = item_text(h, slate[j])))
            return -1;
    }
    memset(&v, 0, sizeof v);
    v.policy = h->policy;
    v.step = step;
    v.user = user;
    v.user_key = h->user_keys[u];
    v.profile = h->profile[u];
    v.history = h->texts;
    v.n_history = nh;
    v.slate_keys = h->slate_keys;
    v.slate = h->texts + nh;
    v.slate_size = slate_size;
    if (h->m->host_fn(h->m->host_ctx, &v, position_out, behaviour_out, rating_out, left_out))
        return -1;
    /* a click joins the history of the next visits (the simulator checks
     * the position before it applies it: an invalid one stops the run) */
    if (*position_out >= 0 && (size_t)*position_out < slate_size)
        return history_add(h, u, slate[*position_out]) == RS_OK ? 0 : -1;
    return 0;
}

void rs__model_sim_host_end(rs_sim *sim, struct rs__sim_host *h)
{
    if (!h)
        return;
    if (sim) {
        rs_sim_set_responder(sim, NULL, NULL);
        for (size_t u = 0; u < h->n_users; u++)
            rs_sim_set_hosted(sim, (uint32_t)u, 0);
    }
    for (size_t i = 0; h->text && i < h->m->n_items; i++)
        free(h->text[i]);
    for (size_t u = 0; u < h->n_users; u++) {
        free(h->profile ? h->profile[u] : NULL);
        free(h->history ? h->history[u] : NULL);
    }
    free(h->text);
    free(h->profile);
    free(h->history);
    free(h->n_history);
    free(h->cap_history);
    free(h->texts);
    free(h);
}

static int is_hosted(const rs_model *m, const char *key)
{
    if (m->host_all)
        return 1;
    for (size_t i = 0; i < m->host_n_keys; i++)
        if (strcmp(m->host_keys[i], key) == 0)
            return 1;
    return 0;
}

int rs__model_sim_host_begin(const rs_model *m, rs_sim *sim, char *const *user_keys,
                             size_t n_users, size_t mirrored, const char *policy,
                             struct rs__sim_host **out)
{
    struct rs__sim_host *h;
    int s = RS_OK;
    *out = NULL;
    if (!m->host_fn)
        return RS_OK;
    if (!(h = rs__calloc(1, sizeof *h)))
        return RS_ERR_NOMEM;
    h->m = m;
    h->policy = policy;
    h->user_keys = user_keys;
    h->n_users = n_users;
    h->text = rs__calloc(m->n_items ? m->n_items : 1, sizeof *h->text);
    h->profile = rs__calloc(n_users, sizeof *h->profile);
    h->history = rs__calloc(n_users, sizeof *h->history);
    h->n_history = rs__calloc(n_users, sizeof *h->n_history);
    h->cap_history = rs__calloc(n_users, sizeof *h->cap_history);
    if (!h->text || !h->profile || !h->history || !h->n_history || !h->cap_history)
        s = RS_ERR_NOMEM;
    /* only mirrored users have a model user behind them */
    for (size_t u = 0; s == RS_OK && u < mirrored; u++)
        if (is_hosted(m, user_keys[u]))
            s = rs_sim_set_hosted(sim, (uint32_t)u, 1);
    if (s == RS_OK)
        s = rs_sim_set_responder(sim, host_respond, h);
    if (s != RS_OK) {
        rs__model_sim_host_end(sim, h);
        return s;
    }
    *out = h;
    return RS_OK;
}
