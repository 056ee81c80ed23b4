/*
 * cmd_demo.c - `recsim demo`: the whole job on the bundled raw Online Retail
 * sample, each step shown as the recsim command that does it: clean and
 * import, build, recommend with explanations, evaluate against popularity
 * on a temporal split, simulate.  `make demo` runs it (examples/demo.sh).
 */
#include "cli.h"
#include "commands.h"

#include <recsim.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAMPLE "examples/data/onlineretail_sample.tsv"
#define MAX_ARGS 32

void cmd_demo_help(FILE *out)
{
    fputs("usage: recsim demo [--data FILE] [--work DIR]\n"
          "\n"
          "Run the whole job on the raw Online Retail sample and show each step as\n"
          "the recsim command that does it: clean and import the export (what was\n"
          "dropped and why), build the model, recommend ten items with explanations\n"
          "to three customers, evaluate against popularity on a temporal split, and\n"
          "simulate customers reacting to the recommendations.\n"
          "\n"
          "  --data FILE   the raw export (default: " SAMPLE ",\n"
          "                looked up from the current directory and next to the\n"
          "                recsim binary)\n"
          "  --work DIR    where the model and outputs go (default: recsim-demo)\n",
          out);
}

static bool bold;

static void heading(const char *fmt, ...)
{
    va_list ap;
    printf("\n%s", bold ? "\033[1m" : "");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("%s\n", bold ? "\033[0m" : "");
}

/* Show and run one recsim command (NULL-terminated arguments). */
static int run(int (*command)(int, char **), ...)
{
    char *argv[MAX_ARGS];
    int argc = 0;
    va_list ap;
    va_start(ap, command);
    for (char *a; argc < MAX_ARGS - 1 && (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    printf("%s$ recsim", bold ? "\033[2m" : "");
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("%s\n", bold ? "\033[0m" : "");
    fflush(stdout);
    {
        int rc = command(argc, argv);
        fflush(stdout);
        return rc;
    }
}

static bool readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* The sample: --data, ./examples/data, or next to the binary (build tree). */
static const char *find_sample(char *buf, size_t size)
{
    char exe[4096];
    ssize_t n;
    if (readable(SAMPLE))
        return SAMPLE;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            *slash = '\0';
            snprintf(buf, size, "%s/../" SAMPLE, exe);
            if (readable(buf))
                return buf;
        }
    }
    return NULL;
}

/* Three customers with histories of different sizes (large, medium, small). */
static int pick_customers(const char *model, char keys[3][64])
{
    rs_graph *graph = NULL;
    uint32_t bought;
    size_t span, found = 0;
    static const size_t want_min[3] = {12, 6, 2}, want_max[3] = {40, 11, 5};
    int s = rs_graph_open(model, RS_GRAPH_READONLY, &graph);
    if (s == RS_OK)
        s = rs_graph_find_relation(graph, "bought", &bought);
    if (s != RS_OK) {
        rs_graph_close(graph);
        return cli_fail_status(s, "reading %s", model);
    }
    span = rs_graph_node_span(graph);
    for (int want = 0; want < 3; want++) {
        keys[want][0] = '\0';
        for (uint32_t v = 0; v < span; v++) {
            const char *type, *key;
            size_t n = 0;
            if (rs_graph_node_key(graph, v, &type, &key) != RS_OK || strcmp(type, "user") != 0)
                continue;
            s = rs_graph_neighbors(graph, v, RS_GRAPH_OUT, bought, "item", NULL, NULL, NULL, 0,
                                   &n);
            if (s != RS_OK && s != RS_ERR_BUFFER)
                continue;
            if (n >= want_min[want] && n <= want_max[want]) {
                snprintf(keys[want], sizeof keys[want], "%s", key);
                found++;
                break;
            }
        }
    }
    rs_clear_error();
    rs_graph_close(graph);
    if (found < 3)
        return cli_fail("%s: not enough customers with a purchase history for the demo", model);
    return CLI_OK;
}

int cmd_demo(int argc, char **argv)
{
    const char *data = NULL, *work = "recsim-demo";
    char sample[4200], model[4200], rejects[4200], csv[4200], svg[4200], line[512];
    char customers[3][64];
    FILE *f;
    double t0 = cli_now();
    int rc;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cmd_demo_help(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc) {
            work = argv[++i];
        } else {
            return cli_usage("demo", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!data && !(data = find_sample(sample, sizeof sample)))
        return cli_fail("cannot find the sample %s: give it with --data FILE", SAMPLE);
    if (strlen(work) > 4000)
        return cli_usage("demo", "--work path too long");
    if (mkdir(work, 0777) != 0 && access(work, W_OK) != 0)
        return cli_fail("cannot create the directory %s", work);
    bold = isatty(STDOUT_FILENO) != 0;
    setvbuf(stdout, NULL, _IOLBF, 0); /* keep stdout and stderr in order in a log */
    snprintf(model, sizeof model, "%s/shop.rsm", work);
    snprintf(rejects, sizeof rejects, "%s/rejects.txt", work);
    snprintf(csv, sizeof csv, "%s/simulation.csv", work);
    snprintf(svg, sizeof svg, "%s/simulation.svg", work);
    {
        static const char *const suffixes[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) { /* a fresh model every time */
            char name[4300];
            snprintf(name, sizeof name, "%s%s", model, suffixes[i]);
            unlink(name);
        }
    }

    printf("librecsim %s demo: a raw export of an online shop's orders (Online Retail,\n"
           "UCI; CC0, see examples/data/NOTICE) -> a knowledge-graph recommender,\n"
           "evaluated and simulated.\n",
           rs_version_string());

    heading("1. Clean the raw export and import it (every dropped row is counted by rule)");
    if ((rc = run(cmd_import, "import", "--preset", "retail", "--reject", rejects, model, data,
                  (char *)NULL)) != CLI_OK)
        return rc;
    if ((f = fopen(rejects, "r")) != NULL) {
        printf("the first rejected rows, as written to %s:\n", rejects);
        for (int i = 0; i < 3 && fgets(line, sizeof line, f); i++)
            printf("  %s", line);
        fclose(f);
    }

    heading("2. Build: text embeddings of the descriptions, item vectors, EASE");
    if ((rc = run(cmd_build, "build", model, (char *)NULL)) != CLI_OK)
        return rc;

    heading("3. Ten recommendations with their reasons, for three customers");
    if ((rc = pick_customers(model, customers)) != CLI_OK)
        return rc;
    if ((rc = run(cmd_recommend, "recommend", "--explain", "--no-paths", model, customers[0],
                  customers[1], customers[2], (char *)NULL)) != CLI_OK)
        return rc;
    printf("\nthe graph path behind one reason, and a customer the shop has never seen:\n");
    if ((rc = run(cmd_recommend, "recommend", "--explain", "-k", "1", model, customers[2],
                  "NEW-CUSTOMER", (char *)NULL)) != CLI_OK)
        return rc;

    heading("4. Evaluate on a temporal split: train before 2011-09-01, test after");
    if ((rc = run(cmd_eval, "eval", "--cut", "2011-09-01", model, (char *)NULL)) != CLI_OK)
        return rc;

    heading("5. Simulate customers reacting to the recommendations (the feedback loop)");
    if ((rc = run(cmd_simulate, "simulate", "--users", "200", "--steps", "15", "--csv", csv,
                  "--svg", svg, model, (char *)NULL)) != CLI_OK)
        return rc;

    printf("\ndone in %.1f s.  The model is %s; the simulation chart is %s.\n"
           "Try: recsim similar %s 71053   or   recsim recommend --json %s %s\n",
           cli_now() - t0, model, svg, model, model, customers[0]);
    return CLI_OK;
}
