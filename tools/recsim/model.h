/*
 * model.h - TRANSITIONAL: the 1.0 assembly of a recommender from a model
 * file, left only for `recsim eval` (eval_scorer.c, its train-only model)
 * and `recsim simulate` until they run on rs_model_evaluate /
 * rs_model_simulate; build, recommend, similar, import, stats and search
 * use rs_model (cli_model.h).  It still rebuilds the user model with time 0
 * (1.0's rule), unlike rs_model.
 */
#ifndef RECSIM_MODEL_H
#define RECSIM_MODEL_H

#include <recsim.h>
#include <stdbool.h>
#include <stddef.h>

#define CLI_SPACE "recsim"
#define CLI_CF "recsim"

/* The recommender assembled from a model file (or a train graph). */
struct cli_model {
    rs_graph *graph;       /* owned when owns_graph */
    bool owns_graph;
    rs_embedder *embedder;
    rs_item_store *store;
    rs_user_model *users;
    rs_cf_model *cf;       /* NULL: no collaborative signal */
    rs_scorer *scorer;
    const char **item_keys; /* store index -> key (borrowed from the store) */
    size_t n_items;
    size_t n_events;        /* events the user model observed */
};

/* Options of a collaborative fit (cli_fit_cf without a template). */
struct cli_build_options {
    long dim;          /* embedder dimension, 8..4096 (256) */
    long rounds;       /* graph propagation rounds, 0..4 (0) */
    double self;       /* weight of an item's own text, 0..1 (0.5) */
    int cf_kind;       /* RS_CF_*, or -1 for none (RS_CF_EASE) */
    double lambda;     /* < 0: the kind's default */
    long factors;      /* ALS factors (64) */
    long iterations;   /* ALS iterations (15) */
    long neighbors;    /* item-kNN neighbours (100) */
};

/* Name of a collaborative kind ("EASE", "ALS", "item-kNN", "none"). */
const char *cli_cf_name(int kind);

/*
 * The items of a graph (nodes of type "item", node order) and their texts
 * (the "name", "description", "title" or "text" property, the first
 * present; NULL when none is).  keep, when
 * not NULL, selects items by key.  Frees with cli_items_free.
 */
struct cli_items {
    char **keys, **texts;
    size_t n, n_texts;
};
int cli_items_read(const rs_graph *graph, bool (*keep)(void *ctx, const char *key), void *ctx,
                   struct cli_items *out);
void cli_items_free(struct cli_items *items);

/* Embed the items (graph-aware when the embedder's RS_EMBEDDER_GRAPH_ROUNDS
 * is above 0) into a new store, item i at index i. */
int cli_embed_items(const rs_embedder *embedder, const rs_graph *graph,
                    const struct cli_items *items, rs_item_store **out);

/* The user -> item edges of a graph (of one relation, or all with NULL) as
 * an event log, from the in-memory adjacency: users in node order, time 0,
 * weight the edge's.  (rs_events_from_graph reads every edge's timestamp
 * from the file, which only the time-based splits of eval need.) */
int cli_graph_events(const rs_graph *graph, const char *relation, rs_events **out);

/* A user model over store from the events of a log in `part` (-1: every
 * event); the event name is `event` (NULL: "bought"). */
int cli_user_model(const rs_events *events, int part, const rs_item_store *store,
                   const char *event, rs_user_model **out, size_t *n_observed);

/* Fit a collaborative model of template's kind and options (or of
 * o->cf_kind when template is NULL) on the events of `part`, item i being
 * store index i.  *out is NULL when there is nothing to fit. */
int cli_fit_cf(const rs_events *events, int part, const rs_item_store *store,
               const rs_cf_model *template_model, const struct cli_build_options *o,
               rs_cf_model **out);

/* Put the recommender of a built model file back together.  relation NULL:
 * every user -> item edge is history.  On failure prints a one-line error
 * naming the file and returns CLI_FAILURE. */
int cli_model_open(const char *path, const char *relation, struct cli_model *m);

/* Assemble the scorer of m from its graph, store, users and cf. */
int cli_model_scorer(struct cli_model *m);

void cli_model_close(struct cli_model *m);

/* The text shown for an item: its description, else its key. */
const char *cli_item_title(const rs_graph *graph, const char *key, char *buf, size_t size);

#endif
