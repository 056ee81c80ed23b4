/*
 * commands.h - every subcommand of recsim, one pair of functions each.
 */
#ifndef RECSIM_COMMANDS_H
#define RECSIM_COMMANDS_H

#include <recsim.h>
#include <stdio.h>

int cmd_version(int argc, char **argv);
void cmd_version_help(FILE *out);

int cmd_import(int argc, char **argv);
void cmd_import_help(FILE *out);
int cmd_stats(int argc, char **argv);
void cmd_stats_help(FILE *out);
int cmd_search(int argc, char **argv);
void cmd_search_help(FILE *out);
int cmd_eval(int argc, char **argv);
void cmd_eval_help(FILE *out);
int cmd_build(int argc, char **argv);
void cmd_build_help(FILE *out);
int cmd_recommend(int argc, char **argv);
void cmd_recommend_help(FILE *out);
int cmd_similar(int argc, char **argv);
void cmd_similar_help(FILE *out);
int cmd_simulate(int argc, char **argv);
void cmd_simulate_help(FILE *out);
int cmd_demo(int argc, char **argv);
void cmd_demo_help(FILE *out);
int cmd_options(int argc, char **argv);
void cmd_options_help(FILE *out);
int cmd_serve(int argc, char **argv);
void cmd_serve_help(FILE *out);

/* `--set NAME=VALUE` of a command (cmd_options.c): sets the model's option
 * through the library's table; a CLI exit code. */
int cli_apply_set(rs_model *model, const char *command, const char *assignment);

#endif
