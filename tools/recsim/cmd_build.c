/*
 * cmd_build.c - `recsim build`: fit the text embedder on the item
 * descriptions, embed the items (graph-aware) into an item store, fit the
 * collaborative model on the interactions, and save all three into the model
 * file at once.
 *
 * Atomicity: the library saves each part in its own transaction, so the
 * build works on a copy of the model file (taken after a checkpoint, when
 * the file is complete on its own) and renames it over the original only
 * when everything is saved: a failure or an interruption leaves the file as
 * it was.
 */
#include "cli.h"
#include "commands.h"
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cmd_build_help(FILE *out)
{
    fputs("usage: recsim build [options] MODEL\n"
          "\n"
          "Fit the text embedder on the item descriptions, embed every item (its text,\n"
          "optionally blended with its graph neighbours), fit the\n"
          "collaborative model on the user -> item interactions, and save them into\n"
          "the model file MODEL, all at once: on failure MODEL is left as it was.\n"
          "\n"
          "  --dim N             embedding dimension, 8..4096 (default 256)\n"
          "  --graph-rounds N    blend each item's text vector with its graph\n"
          "                      neighbours' for N rounds, 0..4 (default 0: text\n"
          "                      only; on the retail log 1 and 2 rounds measured no\n"
          "                      better)\n"
          "  --self W            weight of an item's own text against its graph\n"
          "                      neighbourhood, 0..1 (default 0.5)\n"
          "  --cf KIND           collaborative model: ease (default), als, knn, none\n"
          "  --lambda X          regularisation of EASE / ALS (default 500 / 30)\n"
          "  --factors N         ALS factors (default 64)\n"
          "  --iterations N      ALS iterations (default 15)\n"
          "  --neighbors N       item-kNN neighbours kept per item (default 100)\n"
          "  --relation R        interactions are the user->item edges of relation R\n"
          "                      (default: every user->item edge)\n"
          "  --json              print what was built as one JSON object\n",
          out);
}

struct build_args {
    const char *model, *relation;
    struct cli_build_options o;
    bool json;
};

static int parse_cf(const char *name)
{
    if (strcmp(name, "ease") == 0)
        return RS_CF_EASE;
    if (strcmp(name, "als") == 0)
        return RS_CF_ALS;
    if (strcmp(name, "knn") == 0 || strcmp(name, "itemknn") == 0)
        return RS_CF_ITEMKNN;
    if (strcmp(name, "none") == 0)
        return -1;
    return -2;
}

static int parse_args(int argc, char **argv, struct build_args *a)
{
    int rc = CLI_OK;
    memset(a, 0, sizeof *a);
    cli_build_defaults(&a->o);
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *arg = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(arg)) {
            cmd_build_help(stdout);
            return -1;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (arg[0] != '-') {
            if (a->model)
                return cli_usage("build", "unexpected argument '%s'", arg);
            a->model = arg;
        } else if (!v) {
            return cli_usage("build", "%s needs a value", arg);
        } else {
            i++;
            if (strcmp(arg, "--dim") == 0)
                rc = cli_parse_long("build", arg, v, 8, 4096, &a->o.dim);
            else if (strcmp(arg, "--graph-rounds") == 0)
                rc = cli_parse_long("build", arg, v, 0, 4, &a->o.rounds);
            else if (strcmp(arg, "--self") == 0)
                rc = cli_parse_double("build", arg, v, 0, 1, &a->o.self);
            else if (strcmp(arg, "--cf") == 0) {
                if ((a->o.cf_kind = parse_cf(v)) == -2)
                    return cli_usage("build", "--cf must be ease, als, knn or none, not '%s'", v);
            } else if (strcmp(arg, "--lambda") == 0)
                rc = cli_parse_double("build", arg, v, 1e-6, 1e9, &a->o.lambda);
            else if (strcmp(arg, "--factors") == 0)
                rc = cli_parse_long("build", arg, v, 1, 1024, &a->o.factors);
            else if (strcmp(arg, "--iterations") == 0)
                rc = cli_parse_long("build", arg, v, 0, 10000, &a->o.iterations);
            else if (strcmp(arg, "--neighbors") == 0)
                rc = cli_parse_long("build", arg, v, 0, 1000000, &a->o.neighbors);
            else if (strcmp(arg, "--relation") == 0)
                a->relation = v;
            else
                return cli_usage("build", "unknown option '%s'", arg);
        }
    }
    if (rc == CLI_OK && !a->model)
        return cli_usage("build", "needs MODEL");
    return rc;
}

/* Phase messages on a terminal (progress, not results). */
static double phase_start;
static void phase(const char *what)
{
    static bool open;
    bool show = !cli_quiet && isatty(STDERR_FILENO);
    if (show && open)
        fprintf(stderr, " %.2f s\n", cli_now() - phase_start);
    open = what != NULL;
    if (show && what)
        fprintf(stderr, "build: %s ...", what);
    if (show)
        fflush(stderr);
    phase_start = cli_now();
}

static void remove_sqlite_files(const char *path)
{
    char name[4300];
    unlink(path);
    snprintf(name, sizeof name, "%s-wal", path);
    unlink(name);
    snprintf(name, sizeof name, "%s-shm", path);
    unlink(name);
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[1 << 16];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in && ferror(in))
        ok = 0;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* Everything of the build on the open copy; returns a library status. */
static int build(rs_graph *graph, const struct build_args *a, double *seconds, FILE *report,
                 const char **why)
{
    struct cli_items items;
    rs_embedder *embedder = NULL;
    rs_item_store *store = NULL;
    rs_events *events = NULL;
    rs_cf_model *cf = NULL;
    size_t n_users = 0, n_pairs = 0;
    double t0 = cli_now();
    int s;

    phase("reading the catalogue");
    if ((s = cli_items_read(graph, NULL, NULL, &items)) != RS_OK) {
        if (s == RS_ERR_NOTFOUND)
            *why = "it has no item nodes: import interactions or a catalogue first";
        return s;
    }
    if (a->o.cf_kind < 0) {
        /* The library has no call to remove a saved collaborative model. */
        rs_cf_model *old = NULL;
        if (rs_cf_model_load(graph, CLI_CF, &old) == RS_OK) {
            rs_cf_model_free(old);
            cli_items_free(&items);
            *why = "--cf none, but it holds a collaborative model from an earlier build "
                   "that cannot be removed: build a freshly imported file";
            return RS_ERR_STATE;
        }
        rs_clear_error();
    }
    phase("fitting the text embedder");
    s = rs_embedder_create_hashing(&embedder);
    if (s == RS_OK)
        s = rs_embedder_set_int(embedder, RS_EMBEDDER_DIM, a->o.dim);
    if (s == RS_OK)
        s = rs_embedder_set_int(embedder, RS_EMBEDDER_GRAPH_ROUNDS, a->o.rounds);
    if (s == RS_OK)
        s = rs_embedder_set_double(embedder, RS_EMBEDDER_GRAPH_SELF, a->o.self);
    if (s == RS_OK && items.n_texts) {
        const char **texts = malloc(items.n_texts * sizeof *texts);
        size_t n = 0;
        if (!texts)
            s = RS_ERR_NOMEM;
        for (size_t i = 0; texts && i < items.n; i++)
            if (items.texts[i])
                texts[n++] = items.texts[i];
        if (s == RS_OK)
            s = rs_embedder_fit(embedder, texts, n);
        free(texts);
    }
    phase("embedding the items");
    if (s == RS_OK)
        s = cli_embed_items(embedder, graph, &items, &store);
    phase("reading the interactions");
    if (s == RS_OK)
        s = cli_graph_events(graph, a->relation, &events);
    if (s == RS_OK && a->o.cf_kind >= 0) {
        phase("fitting the collaborative model");
        s = cli_fit_cf(events, -1, store, NULL, &a->o, &cf);
    }
    phase("saving");
    if (s == RS_OK)
        s = rs_embedder_save(embedder, graph);
    if (s == RS_OK)
        s = rs_item_store_save(store, graph, CLI_SPACE);
    if (s == RS_OK && cf)
        s = rs_cf_model_save(cf, graph, CLI_CF);
    phase(NULL);
    if (s == RS_OK) {
        /* distinct users with an interaction */
        const char *previous = NULL;
        for (size_t i = 0; i < rs_events_count(events); i++) {
            const char *user;
            rs_events_get(events, i, &user, NULL, NULL, NULL, NULL);
            if (!previous || strcmp(previous, user) != 0)
                n_users++, previous = user;
        }
        n_pairs = rs_events_count(events);
        *seconds = cli_now() - t0;
        if (a->json) {
            fprintf(report, "{\"model\": ");
            cli_json_string(report, a->model);
            fprintf(report,
                    ", \"items\": %zu, \"items_with_text\": %zu, \"dim\": %ld, "
                    "\"graph_rounds\": %ld, \"cf\": \"%s\", \"users\": %zu, "
                    "\"interactions\": %zu, \"seconds\": %.3f}\n",
                    items.n, items.n_texts, a->o.dim, a->o.rounds,
                    cf ? cli_cf_name(a->o.cf_kind) : "none", n_users, n_pairs, *seconds);
        } else {
            fprintf(report, "built %s in %.2f s\n", a->model, *seconds);
            fprintf(report, "  text embedder   hashing tf-idf, dim %ld, fitted on %zu "
                            "descriptions\n", a->o.dim, items.n_texts);
            fprintf(report, "  item vectors    %zu items, %s\n", items.n,
                    a->o.rounds ? "text blended with graph neighbours" : "text only");
            if (cf)
                fprintf(report, "  collaborative   %s on %zu users x %zu items, %zu "
                                "interactions\n",
                        cli_cf_name(a->o.cf_kind), n_users, items.n, n_pairs);
            else
                fprintf(report, "  collaborative   none%s\n",
                        a->o.cf_kind >= 0 ? " (no interactions)" : "");
        }
    }
    cli_items_free(&items);
    rs_cf_model_free(cf);
    rs_events_free(events);
    rs_item_store_free(store);
    rs_embedder_free(embedder);
    return s;
}

int cmd_build(int argc, char **argv)
{
    struct build_args a;
    rs_graph *graph = NULL;
    char tmp[4100], wal[4100];
    double seconds = 0;
    const char *why = NULL;
    int rc = parse_args(argc, argv, &a), s;
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (strlen(a.model) > 4000)
        return cli_usage("build", "MODEL path too long");

    /* Open and close once: validates the file and checkpoints its WAL, so
     * that the main file alone is the whole model. */
    if ((s = rs_graph_open(a.model, 0, &graph)) != RS_OK)
        return cli_fail_status(s, "cannot open model %s", a.model);
    rs_graph_close(graph);
    graph = NULL;
    snprintf(wal, sizeof wal, "%s-wal", a.model);
    if (access(wal, F_OK) == 0)
        return cli_fail("%s is in use by another process (its -wal file remains)", a.model);

    snprintf(tmp, sizeof tmp, "%s.build-%ld", a.model, (long)getpid());
    remove_sqlite_files(tmp);
    if (copy_file(a.model, tmp) != 0) {
        rc = cli_fail("cannot copy %s to %s: %s", a.model, tmp, strerror(errno));
        remove_sqlite_files(tmp);
        return rc;
    }
    if ((s = rs_graph_open(tmp, 0, &graph)) != RS_OK) {
        remove_sqlite_files(tmp);
        return cli_fail_status(s, "cannot open the copy %s", tmp);
    }
    {
        char *text = NULL;
        size_t len = 0;
        FILE *report = open_memstream(&text, &len);
        s = report ? build(graph, &a, &seconds, report, &why) : RS_ERR_NOMEM;
        if (report)
            fclose(report);
        rs_graph_close(graph);
        if (s == RS_OK && rename(tmp, a.model) != 0) {
            rc = cli_fail("cannot replace %s: %s", a.model, strerror(errno));
            remove_sqlite_files(tmp);
            free(text);
            return rc;
        }
        if (s == RS_OK && text)
            fputs(text, stdout);
        free(text);
    }
    if (s != RS_OK) {
        remove_sqlite_files(tmp);
        if (why)
            return cli_fail("cannot build %s: %s (the file is unchanged)", a.model, why);
        return cli_fail_status(s, "building %s (the file is unchanged)", a.model);
    }
    return CLI_OK;
}
