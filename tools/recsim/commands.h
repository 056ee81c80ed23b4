/*
 * commands.h - every subcommand of recsim, one pair of functions each.
 */
#ifndef RECSIM_COMMANDS_H
#define RECSIM_COMMANDS_H

#include <stdio.h>

int cmd_version(int argc, char **argv);
void cmd_version_help(FILE *out);

#endif
