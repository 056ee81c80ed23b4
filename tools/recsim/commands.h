/*
 * commands.h - every subcommand of recsim, one pair of functions each.
 */
#ifndef RECSIM_COMMANDS_H
#define RECSIM_COMMANDS_H

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

#endif
