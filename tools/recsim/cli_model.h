/*
 * cli_model.h - what the subcommands built on rs_model share: opening a
 * model file with the one-line error of the CLI, and an item's title.
 */
#ifndef RECSIM_CLI_MODEL_H
#define RECSIM_CLI_MODEL_H

#include <jansson.h>
#include <recsim.h>
#include <stddef.h>

/* rs_model_open, printing "recsim: cannot open model PATH: why" on failure;
 * returns CLI_OK or CLI_FAILURE. */
int cli_open_model(const char *path, int flags, rs_model **out);

/* The text shown for an item: its name or description, else its key, with
 * control characters escaped (cli_safe_text). */
const char *cli_title(rs_model *model, const char *key, char *buf, size_t size);

/* Write a JSON document on standard output, one line, keys in insertion
 * order and floats with 9 significant digits (a float reads back exactly);
 * value stays the caller's.  CLI_OK, or CLI_FAILURE out of memory. */
int cli_json_print(const json_t *value);

/* Name of a collaborative kind ("EASE", "ALS", "item-kNN", ...), "none" for NULL. */
const char *cli_cf_kind_name(const rs_cf_model *cf);

#endif
