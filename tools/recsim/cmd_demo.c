#include "cli.h"
#include "commands.h"
void cmd_demo_help(FILE *out) { fputs("usage: recsim demo\n", out); }
int cmd_demo(int argc, char **argv) { (void)argc; (void)argv; return CLI_FAILURE; }
