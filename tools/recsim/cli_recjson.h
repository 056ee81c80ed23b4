/*
 * cli_recjson.h - the JSON of one user's list and of an item's neighbours:
 * written once for `recsim recommend --json`, `recsim similar --json` and
 * the answers of `recsim serve`, so the three cannot drift apart.
 */
#ifndef RECSIM_CLI_RECJSON_H
#define RECSIM_CLI_RECJSON_H

#include <jansson.h>
#include <recsim.h>
#include <stdbool.h>
#include <stddef.h>

/* The text shown for an item key (cli_title or a cache of it): written to
 * buf (size bytes) or returned from storage that outlives the call. */
typedef const char *(*cli_title_fn)(void *ctx, rs_model *model, const char *key, char *buf,
                                    size_t size);

/* cli_title() as a cli_title_fn (ctx unused). */
const char *cli_title_of(void *ctx, rs_model *model, const char *key, char *buf, size_t size);

/* What one list is asked for. */
struct cli_rec_query {
    size_t k;                       /* 1 .. 1000 */
    const char *const *exclude;     /* never recommended */
    size_t n_exclude;
    const char *const *only;        /* when n_only > 0, only among these */
    size_t n_only;
    bool explain, no_paths, interests;
    cli_title_fn title;
    void *title_ctx;
};

/*
 * The element of `recsim recommend --json`'s array for user: {"user",
 * "known", "history", "cold_start", "source", ["interests"], "items": [{"rank",
 * "item", "description", "score", ["source", "explanation", "path"]}]}.
 * keys and scores are k slots of scratch.  Returns RS_OK and *out (the
 * caller's reference), or a library status with rs_errmsg() set and *why
 * (a static phrase: "recommending", "explaining an item", "invalid UTF-8 or
 * out of memory") saying which step failed.  Thread-safe on a read-only
 * model when title is.
 */
int cli_rec_entry(rs_model *model, const struct cli_rec_query *query, const char *user,
                  const char **keys, float *scores, json_t **out, const char **why);

/* The path of an explanation: [{"type", "key"}, {"relation", "reversed"},
 * {"type", "key"}, ...], empty when there is none; NULL out of memory. */
json_t *cli_json_path(const rs_explanation *explanation);

/* The number of events in the user's history (0 for an unknown user). */
size_t cli_history_length(rs_model *model, const char *user);

/* The user's interests as graph entities, [{"type", "key", "share"}] (at
 * most 5, largest share first); NULL out of memory. */
json_t *cli_interests_json(rs_model *model, const char *user);

/* "history", "profile" or "popularity" for an rs_scorer_source. */
const char *cli_source_name(int source);

/*
 * `recsim similar --json`'s document: {"item", "description", "similar":
 * [{"rank", "item", "description", "score"}]}.  Returns rs_model_similar's
 * status (RS_ERR_NOTFOUND for an unknown item), or RS_ERR_NOMEM.
 */
int cli_similar_doc(rs_model *model, const char *item, size_t k, cli_title_fn title,
                    void *title_ctx, json_t **out);

#endif
