/*
 * cmd_version.c - `recsim version`: the library, header and BLAS kernel.
 */
#include "cli.h"
#include "commands.h"

#include <recsim.h>
#include <string.h>

void cmd_version_help(FILE *out)
{
    fputs("usage: recsim version [--json]\n"
          "\n"
          "Print the librecsim version (library and the header recsim was built\n"
          "with), the OpenBLAS kernel in use and the thread count.\n"
          "\n"
          "  --json   one JSON object on standard output\n",
          out);
}

int cmd_version(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cmd_version_help(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            return cli_usage("version", "unknown argument '%s'", argv[i]);
        }
    }
    if (json) {
        printf("{\"library\": ");
        cli_json_string(stdout, rs_version_string());
        printf(", \"header\": ");
        cli_json_string(stdout, RS_VERSION_STRING);
        printf(", \"blas_core\": ");
        cli_json_string(stdout, rs_blas_corename());
        printf(", \"threads\": %d}\n", rs_get_num_threads());
    } else {
        printf("recsim %s (librecsim %s)\n", RS_VERSION_STRING, rs_version_string());
        printf("OpenBLAS kernel: %s\n", rs_blas_corename());
        printf("threads: %d\n", rs_get_num_threads());
    }
    return CLI_OK;
}
