/*
 * model_observe.c - one new event, online: the edge goes into the graph and
 * the event into the user model, and both are saved in one transaction; on
 * failure the graph in memory is put back, the file rolled back and the
 * user model read again from the file, so that nothing changes.
 */
#include "model/model_internal.h"

#include "core/error.h"
#include "core/utf8.h"

#include <math.h>
#include <stdbool.h>

#define SAVEPOINT "rs_model_observe"

/* What the graph looked like before the event, to put it back. */
struct undo {
    uint32_t user_node, item_node, relation;
    bool user_created, edge_existed;
    double old_weight;
    int64_t old_time;
};

static void undo_graph(rs_model *m, const struct undo *u, bool edge_written)
{
    rs_error_state saved;
    rs__error_save(&saved);
    if (edge_written && u->edge_existed)
        rs_graph_update_edge(m->graph, u->user_node, u->relation, u->item_node, u->old_weight,
                             u->old_time);
    else if (edge_written)
        rs_graph_delete_edge(m->graph, u->user_node, u->relation, u->item_node);
    if (u->user_created)
        rs_graph_delete_node(m->graph, u->user_node);
    rs__error_restore(&saved);
}

/* The user model as the file holds it (after a rollback), and a scorer on it. */
static void reload_users(rs_model *m)
{
    rs_user_model *fresh = NULL;
    rs_error_state saved;
    int s;
    rs__error_save(&saved);
    s = rs__model_users_load(m, m->store, &fresh);
    if (s == RS_OK) {
        rs_scorer_free(m->scorer);
        m->scorer = NULL;
        rs_user_model_free(m->users);
        m->users = fresh;
    }
    rs__model_remake_scorer(m);
    rs__error_restore(&saved);
}

static int check_args(const rs_model *m, const char *user, const char *item, const char *event,
                      double weight)
{
    static const char fn[] = "rs_model_observe";
    int s;
    if (!m || !user || !item)
        return rs__fail(RS_ERR_INVALID, "%s: NULL %s", fn, !m ? "model" : !user ? "user" : "item");
    if (m->flags & RS_MODEL_READONLY)
        return rs__fail(RS_ERR_READONLY, "%s: model %s is open read-only", fn, m->path);
    if ((s = rs__check_key(user, "rs_model_observe: user key", NULL)) != RS_OK ||
        (s = rs__check_key(item, "rs_model_observe: item key", NULL)) != RS_OK ||
        (event && (s = rs__check_key(event, "rs_model_observe: event", NULL)) != RS_OK))
        return s;
    if (!isfinite(weight) || weight <= 0 || weight > 1e9)
        return rs__fail(RS_ERR_RANGE, "%s: weight %g is outside (0, 1e9]", fn, weight);
    if ((s = rs__model_check_built(m)) != RS_OK)
        return s;
    return RS_OK;
}

static int observe_locked(rs_model *model, const char *user, const char *item,
                          const char *event, double weight, int64_t time);

int rs_model_observe(rs_model *model, const char *user, const char *item, const char *event,
                     double weight, int64_t time)
{
    bool owned;
    int s = check_args(model, user, item, event, weight);
    if (s == RS_OK)
        s = rs__model_write_enter(model, "rs_model_observe", &owned);
    if (s != RS_OK)
        return s;
    return rs__model_write_leave(model, "rs_model_observe", owned,
                                 observe_locked(model, user, item, event, weight, time));
}

/* Under the write lock; the handle may have read the file again since the
 * arguments were checked, so the model is checked once more. */
static int observe_locked(rs_model *model, const char *user, const char *item,
                          const char *event, double weight, int64_t time)
{
    struct undo u = {0};
    uint32_t index;
    bool edge_written = false, observed = false;
    int s;
    if ((s = check_args(model, user, item, event, weight)) != RS_OK)
        return s;
    if (!event)
        event = "interacted";
    if (rs_item_store_index(model->store, item, &index) != RS_OK ||
        rs_graph_find_node(model->graph, "item", item, &u.item_node) != RS_OK)
        return rs__fail(RS_ERR_NOTFOUND, "rs_model_observe: model %s has no item \"%s\"",
                        model->path, item);
    if ((s = rs__model_exec(model->graph, "SAVEPOINT " SAVEPOINT, "observing an event")) != RS_OK)
        return s;
    if (rs_graph_find_node(model->graph, "user", user, &u.user_node) != RS_OK) {
        rs_clear_error();
        s = rs_graph_add_node(model->graph, "user", user, &u.user_node);
        u.user_created = s == RS_OK;
    }
    if (s == RS_OK && rs_graph_find_relation(model->graph, event, &u.relation) != RS_OK) {
        rs_clear_error();
        s = rs_graph_add_relation(model->graph, event, &u.relation);
    }
    if (s == RS_OK) {
        u.edge_existed = rs_graph_get_edge(model->graph, u.user_node, u.relation, u.item_node,
                                           &u.old_weight, &u.old_time) == RS_OK;
        rs_clear_error();
        s = rs_graph_add_edge(model->graph, u.user_node, u.relation, u.item_node, weight, time,
                              RS_GRAPH_MERGE_SUM);
        edge_written = s == RS_OK;
    }
    if (s == RS_OK) {
        s = rs_user_model_observe(model->users, user, item, event, weight, time);
        observed = s == RS_OK;
    }
    if (s == RS_OK)
        s = rs_user_model_save(model->users, model->graph, RS__MODEL_USERS);
    if (s == RS_OK)
        s = rs__model_exec(model->graph, "RELEASE " SAVEPOINT, "observing an event: committing");
    if (s != RS_OK) {
        rs__fail_context("observing %s -%s-> %s (nothing changed): ", user, event, item);
        undo_graph(model, &u, edge_written);
        rs__model_rollback(model->graph, SAVEPOINT, s);
        if (observed)
            reload_users(model);
        else
            rs__model_remake_scorer(model);
        return s;
    }
    (void)index;
    if ((s = rs__model_remake_scorer(model)) != RS_OK)
        return rs__fail_context("observing %s -> %s: saved, but the scorer could not be "
                                "made again: ", user, item);
    return RS_OK;
}
