/*
 * cmd_options.c - `recsim options`: the library's option table (names,
 * types, defaults, bounds, descriptions), a model's current values, and
 * `--set NAME=VALUE` saved into a model; cli_apply_set(), the `--set` of
 * every command that opens a model.  Nothing here knows an option's name:
 * the table is the library's (rs_model_option_info).
 */
#include "cli.h"
#include "commands.h"

#include <getopt.h>
#include <recsim.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SETS 64

void cmd_options_help(FILE *out)
{
    fputs("usage: recsim options [options] [MODEL]\n"
          "\n"
          "Without MODEL, list every option of a model: name, type, default, bounds\n"
          "or choices, and what it does.  With MODEL, list the model's current values\n"
          "(a '*' marks those that differ from the default).\n"
          "\n"
          "  --set NAME=VALUE    set an option (repeatable); with MODEL and --save,\n"
          "                      saved into the file (else shown, not saved)\n"
          "  --save              save the --set values into MODEL\n"
          "  --json              one JSON object per option, one per line\n"
          "  -h, --help          this help\n"
          "\n"
          "Every command that opens a model takes --set NAME=VALUE for one run;\n"
          "`recsim build` saves the options it was run with.\n",
          out);
}

int cli_apply_set(rs_model *model, const char *command, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    char name[128];
    size_t len;
    int s;
    if (!eq || eq == assignment)
        return cli_usage(command, "--set needs NAME=VALUE, not '%s'", assignment);
    len = (size_t)(eq - assignment);
    if (len >= sizeof name)
        return cli_usage(command, "--set: option name too long");
    memcpy(name, assignment, len);
    name[len] = '\0';
    if ((s = rs_model_set_option(model, name, eq + 1)) != RS_OK)
        return cli_fail_status(s, "--set %s", assignment);
    return CLI_OK;
}

static const char *type_name(int type)
{
    switch (type) {
    case RS_OPTION_INT: return "int";
    case RS_OPTION_DOUBLE: return "double";
    case RS_OPTION_CHOICE: return "choice";
    default: return "string";
    }
}

static void print_option(size_t i, const rs_model *model, bool json)
{
    const char *name, *def, *choices, *desc;
    int type;
    double lo, hi;
    char value[1100] = "", range[128];
    rs_model_option_info(i, &name, &type, &lo, &hi, &def, &choices, &desc);
    if (model)
        rs_model_get_option(model, name, value, sizeof value, NULL);
    if (type == RS_OPTION_INT || type == RS_OPTION_DOUBLE)
        snprintf(range, sizeof range, "%.10g..%.10g", lo, hi);
    else
        snprintf(range, sizeof range, "%s", type == RS_OPTION_CHOICE ? choices : "text");
    if (json) {
        printf("{\"name\": ");
        cli_json_string(stdout, name);
        printf(", \"type\": \"%s\", \"default\": ", type_name(type));
        cli_json_string(stdout, def);
        printf(", \"range\": ");
        cli_json_string(stdout, range);
        if (model) {
            printf(", \"value\": ");
            cli_json_string(stdout, value);
        }
        printf(", \"description\": ");
        cli_json_string(stdout, desc);
        printf("}\n");
        return;
    }
    if (model) {
        /* compare as numbers where the text may differ (0.3 vs 0.29999...) */
        bool same = strcmp(value, def) == 0 ||
                    (type == RS_OPTION_DOUBLE && strtod(value, NULL) == strtod(def, NULL));
        printf("%-28s %c %-14s %s\n", name, same ? ' ' : '*', value, desc);
    } else {
        printf("%-28s %-6s %-10s %-22s %s\n", name, type_name(type), def, range, desc);
    }
}

enum { OPT_JSON = CLI_LONG_ONLY, OPT_SAVE, OPT_SET };

static const struct option options_options[] = {
    {"help", no_argument, NULL, 'h'},         {"json", no_argument, NULL, OPT_JSON},
    {"save", no_argument, NULL, OPT_SAVE},    {"set", required_argument, NULL, OPT_SET},
    {NULL, 0, NULL, 0}};

int cmd_options(int argc, char **argv)
{
    const char *path = NULL, *sets[MAX_SETS];
    size_t n_sets = 0, n = rs_model_option_count();
    bool json = false, save = false;
    rs_model *model = NULL;
    int rc = CLI_OK, s;
    int c;
    cli_getopt_start();
    while ((c = cli_getopt("options", argc, argv, "h", options_options, &rc)) != -1) {
        switch (c) {
        case '?': return rc;
        case 'h': cmd_options_help(stdout); return CLI_OK;
        case OPT_JSON: json = true; break;
        case OPT_SAVE: save = true; break;
        case OPT_SET:
            if (n_sets == MAX_SETS)
                return cli_usage("options", "too many --set (at most %d)", MAX_SETS);
            sets[n_sets++] = optarg;
            break;
        default: break;
        }
    }
    if (optind < argc)
        path = argv[optind++];
    if (optind < argc)
        return cli_usage("options", "unexpected argument '%s'", argv[optind]);
    if (save && !path)
        return cli_usage("options", "--save needs MODEL");
    if (n_sets && !path)
        return cli_usage("options", "--set needs MODEL");
    if (path && (s = rs_model_open(path, save ? 0 : RS_MODEL_READONLY, &model)) != RS_OK)
        return cli_fail_status(s, "cannot open model %s", path);
    for (size_t i = 0; rc == CLI_OK && i < n_sets; i++)
        rc = cli_apply_set(model, "options", sets[i]);
    if (rc == CLI_OK && save && (s = rs_model_save_options(model)) != RS_OK)
        rc = cli_fail_status(s, "saving the options into %s", path);
    if (rc == CLI_OK) {
        if (!json && !model)
            printf("%-28s %-6s %-10s %-22s %s\n", "NAME", "TYPE", "DEFAULT", "RANGE",
                   "DESCRIPTION");
        for (size_t i = 0; i < n; i++)
            print_option(i, model, json);
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = cli_fail("writing the list failed");
    }
    rs_model_close(model);
    return rc;
}
