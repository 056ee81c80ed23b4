/*
 * main.c - the recsim command: global options, then one subcommand.
 *
 *   recsim [-q] [-j N] [--progress=MODE] COMMAND [ARGS...]
 */
#include "cli.h"
#include "commands.h"

#include <recsim.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command commands[] = {
    {"import", "clean a CSV/TSV/JSONL export and import it into a model", cmd_import,
     cmd_import_help},
    {"build", "fit the embedder, item vectors and collaborative model", cmd_build,
     cmd_build_help},
    {"recommend", "top-k items for users, with --explain", cmd_recommend, cmd_recommend_help},
    {"similar", "items like an item", cmd_similar, cmd_similar_help},
    {"serve", "answer recommendation requests over HTTP/JSON", cmd_serve, cmd_serve_help},
    {"eval", "split, run the scorer beside the baselines, print every metric", cmd_eval,
     cmd_eval_help},
    {"simulate", "simulated users react to the scorer's slates; CSV and SVG", cmd_simulate,
     cmd_simulate_help},
    {"demo", "the whole job on the bundled Online Retail sample", cmd_demo, cmd_demo_help},
    {"stats", "what a model file holds", cmd_stats, cmd_stats_help},
    {"options", "every option by name; a model's values; --set and --save", cmd_options,
     cmd_options_help},
    {"search", "find nodes by key or by full text", cmd_search, cmd_search_help},
    {"version", "print the library version and the BLAS kernel", cmd_version,
     cmd_version_help},
};
static const size_t n_commands = sizeof commands / sizeof commands[0];

static void usage(FILE *out)
{
    fputs("usage: recsim [-q] [-j N] [--progress=MODE] [--wait SECONDS] COMMAND [ARGS...]\n"
          "\n"
          "Build, query, evaluate and simulate recommendation models kept in one\n"
          "SQLite file.\n"
          "\n"
          "Options:\n"
          "  -q, --quiet      no progress bars or chatter on stderr\n"
          "  --progress=MODE  progress of import, build, eval, simulate and\n"
          "                   recommend --all on stderr: auto (a line redrawn on a\n"
          "                   terminal, else a summary at the end), json (one JSON\n"
          "                   object a line, 4 a second), none\n"
          "  -j, --threads N  use N threads (default: all cores)\n"
          "  --wait SECONDS   how long a write (import, build) waits for another\n"
          "                   writer of the same model before failing (default 5;\n"
          "                   0: fail at once)\n"
          "  -h, --help       this help; 'recsim COMMAND --help' for a command\n"
          "  --version        same as 'recsim version'\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < n_commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nExit status: 0 success, 1 failure, 2 usage error.\n", out);
}

/* The exit code, made CLI_FAILURE when standard output could not be
 * written (a full disk, /dev/full): output that was lost is a failure. */
static int finish(int rc)
{
    if (cli_flush_stdout() != CLI_OK && rc == CLI_OK)
        return CLI_FAILURE;
    return rc;
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < n_commands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    int i = 1;
    const struct cli_command *command;

    cli_select_blas_kernel(argv);

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            cli_quiet = true;
        } else if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--threads") == 0) {
            char *end;
            long n;
            if (i + 1 >= argc) {
                fprintf(stderr, "recsim: %s needs a number\n", argv[i]);
                return CLI_USAGE;
            }
            n = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || rs_set_num_threads((int)(n > 0 && n < 4096 ? n : -1)) != RS_OK) {
                fprintf(stderr, "recsim: -j: '%s' is not a thread count from 1 to 1024\n",
                        argv[i]);
                return CLI_USAGE;
            }
        } else if (strncmp(argv[i], "--progress", 10) == 0 &&
                   (argv[i][10] == '=' || argv[i][10] == '\0')) {
            const char *mode = argv[i][10] == '=' ? argv[i] + 11 : i + 1 < argc ? argv[++i] : "";
            if (cli_progress_set_mode(mode) != CLI_OK) {
                fprintf(stderr, "recsim: --progress wants auto, json or none, not '%s'\n", mode);
                return CLI_USAGE;
            }
        } else if (strcmp(argv[i], "--wait") == 0) {
            char *end;
            double seconds;
            if (i + 1 >= argc) {
                fprintf(stderr, "recsim: --wait needs a number of seconds\n");
                return CLI_USAGE;
            }
            seconds = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(seconds >= 0 && seconds <= 86400)) {
                fprintf(stderr, "recsim: --wait: '%s' is not a number of seconds from 0 to "
                                "86400\n", argv[i]);
                return CLI_USAGE;
            }
            cli_wait_ms = (int)(seconds * 1000 + 0.5);
        } else if (cli_is_help(argv[i])) {
            usage(stdout);
            return finish(CLI_OK);
        } else if (strcmp(argv[i], "--version") == 0) {
            return finish(cmd_version(1, argv));
        } else {
            fprintf(stderr, "recsim: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 < argc && (command = find_command(argv[i + 1])) != NULL) {
            command->help(stdout);
            return finish(CLI_OK);
        }
        usage(stdout);
        return finish(i + 1 < argc ? CLI_USAGE : CLI_OK);
    }
    command = find_command(argv[i]);
    if (!command) {
        fprintf(stderr, "recsim: unknown command '%s'\n", argv[i]);
        usage(stderr);
        return CLI_USAGE;
    }
    return finish(command->run(argc - i, argv + i));
}
