/*
 * eval_scorer.h - the scorer of a built model as a row of `recsim eval`,
 * refitted on the train part of the split (see eval_scorer.c).
 */
#ifndef RECSIM_EVAL_SCORER_H
#define RECSIM_EVAL_SCORER_H

#include <recsim.h>
#include <stddef.h>

/* Run the scorer over the runner's current group; the row's name goes to
 * name.  Returns a library status: RS_ERR_NOTFOUND when the model file is
 * not built (no saved embedder). */
int cli_eval_scorer(rs_eval *eval, const rs_events *events, rs_graph *graph,
                    const char *relation, char *name, size_t name_size, size_t *row_out);

#endif
