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

#endif
