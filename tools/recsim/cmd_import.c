/*
 * cmd_import.c - `recsim import`: read a raw export, clean it (every dropped
 * row counted by rule and, on request, written to a reject file), and load
 * it into a model file (rs_model_import_*) in one transaction per kind.
 */
#include "cli.h"
#include "cli_model.h"
#include "commands.h"

#include <jansson.h>
#include <math.h>
#include <recsim.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST 32

void cmd_import_help(FILE *out)
{
    fputs("usage: recsim import [options] MODEL FILE\n"
          "\n"
          "Clean FILE (CSV, TSV or JSON Lines) and import it into the model file MODEL\n"
          "(created when missing).  Every dropped row is counted by rule.\n"
          "\n"
          "  --kind K            interactions (default), items or users\n"
          "  --format F          auto (default, from the file name), csv, tsv, jsonl\n"
          "  --map ROLE=COLUMN   column of a role: user, item, weight, time, event,\n"
          "                      text, group (default: common header names)\n"
          "  --relation NAME     relation of interaction edges (default: interacted)\n"
          "  --attribute COLUMN  items/users: column whose values become entities\n"
          "  --property COLUMN   items/users: column kept as a node property\n"
          "  --friends COLUMN    users: '|'-separated user keys to link as friends\n"
          "  --require COLUMN    drop rows where COLUMN is empty or missing\n"
          "  --missing TOKEN     a field equal to TOKEN counts as missing (e.g. NA)\n"
          "  --dedup             drop exact duplicate rows\n"
          "  --unweighted        every row weighs 1 (ignore a weight column)\n"
          "  --first-time        keep the earliest timestamp of an edge (default: latest)\n"
          "  --reject FILE       write 'file:line: rule: reason' for every dropped row\n"
          "  --preset retail     the Online Retail export: drop missing CustomerID,\n"
          "                      cancellations (InvoiceNo C...), Quantity <= 0,\n"
          "                      UnitPrice <= 0, non-product StockCodes, duplicates;\n"
          "                      import purchases as 'bought' edges, descriptions as\n"
          "                      item titles and countries as user attributes\n"
          "  --json              print the counts as one JSON object\n",
          out);
}

struct import_options {
    const char *model, *file, *kind, *relation, *friends, *reject;
    int format;
    bool dedup, unweighted, first_time, json, retail;
    json_t *report; /* --json: the counts of each kind, printed at the end */
    const char *maps[MAX_LIST][2];
    size_t n_maps;
    const char *attributes[MAX_LIST], *properties[MAX_LIST], *required[MAX_LIST];
    const char *missing[MAX_LIST];
    size_t n_attributes, n_properties, n_required, n_missing;
};

static int push(const char **list, size_t *n, const char *value, const char *option)
{
    if (*n >= MAX_LIST)
        return cli_usage("import", "too many %s options (at most %d)", option, MAX_LIST);
    list[(*n)++] = value;
    return CLI_OK;
}

static int role_of(const char *name)
{
    static const char *const roles[] = {"user", "item", "weight", "time",
                                        "event", "text", "group"};
    for (int i = 0; i < 7; i++)
        if (strcmp(name, roles[i]) == 0)
            return i;
    return -1;
}

static int parse_format(const char *name)
{
    if (strcmp(name, "auto") == 0)
        return RS_FORMAT_AUTO;
    if (strcmp(name, "csv") == 0)
        return RS_FORMAT_CSV;
    if (strcmp(name, "tsv") == 0)
        return RS_FORMAT_TSV;
    if (strcmp(name, "jsonl") == 0)
        return RS_FORMAT_JSONL;
    return -1;
}

static int parse_args(int argc, char **argv, struct import_options *o)
{
    const char *positional[2];
    size_t n_positional = 0;
    int rc;
    memset(o, 0, sizeof *o);
    o->kind = "interactions";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = true;
        if (cli_is_help(a)) {
            cmd_import_help(stdout);
            return -1;
        }
        if (strcmp(a, "--dedup") == 0)
            o->dedup = true, takes_value = false;
        else if (strcmp(a, "--unweighted") == 0)
            o->unweighted = true, takes_value = false;
        else if (strcmp(a, "--first-time") == 0)
            o->first_time = true, takes_value = false;
        else if (strcmp(a, "--json") == 0)
            o->json = true, takes_value = false;
        else if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (n_positional == 2)
                return cli_usage("import", "unexpected argument '%s'", a);
            positional[n_positional++] = a;
            continue;
        } else if (!value) {
            return cli_usage("import", "%s needs a value", a);
        }
        if (!takes_value)
            continue;
        i++;
        if (strcmp(a, "--kind") == 0) {
            if (strcmp(value, "interactions") && strcmp(value, "items") && strcmp(value, "users"))
                return cli_usage("import", "--kind must be interactions, items or users");
            o->kind = value;
        } else if (strcmp(a, "--format") == 0) {
            if ((o->format = parse_format(value)) < 0)
                return cli_usage("import", "--format must be auto, csv, tsv or jsonl");
        } else if (strcmp(a, "--map") == 0) {
            const char *eq = strchr(value, '=');
            char role[16];
            if (!eq || eq == value || !eq[1] || (size_t)(eq - value) >= sizeof role)
                return cli_usage("import", "--map wants ROLE=COLUMN, got '%s'", value);
            memcpy(role, value, (size_t)(eq - value));
            role[eq - value] = '\0';
            if (role_of(role) < 0)
                return cli_usage("import", "--map: unknown role '%s'", role);
            if (o->n_maps >= MAX_LIST)
                return cli_usage("import", "too many --map options");
            o->maps[o->n_maps][0] = value;
            o->maps[o->n_maps++][1] = eq + 1;
        } else if (strcmp(a, "--relation") == 0) {
            o->relation = value;
        } else if (strcmp(a, "--attribute") == 0) {
            if ((rc = push(o->attributes, &o->n_attributes, value, a)) != CLI_OK)
                return rc;
        } else if (strcmp(a, "--property") == 0) {
            if ((rc = push(o->properties, &o->n_properties, value, a)) != CLI_OK)
                return rc;
        } else if (strcmp(a, "--require") == 0) {
            if ((rc = push(o->required, &o->n_required, value, a)) != CLI_OK)
                return rc;
        } else if (strcmp(a, "--missing") == 0) {
            if ((rc = push(o->missing, &o->n_missing, value, a)) != CLI_OK)
                return rc;
        } else if (strcmp(a, "--friends") == 0) {
            o->friends = value;
        } else if (strcmp(a, "--reject") == 0) {
            o->reject = value;
        } else if (strcmp(a, "--preset") == 0) {
            if (strcmp(value, "retail") != 0)
                return cli_usage("import", "unknown preset '%s' (known: retail)", value);
            o->retail = true;
        } else {
            return cli_usage("import", "unknown option '%s'", a);
        }
    }
    if (n_positional != 2)
        return cli_usage("import", "needs MODEL and FILE");
    o->model = positional[0];
    o->file = positional[1];
    return CLI_OK;
}

/* The Online Retail rules, in the public protocol's order (a..f). */
static int add_retail_rules(rs_cleaner *c)
{
    static const char *const na[] = {"NA", "null", "NULL"};
    int s = rs_cleaner_set_missing(c, na, 3);
    if (s == 0)
        s = rs_cleaner_add_required(c, "missing CustomerID", "CustomerID");
    if (s == 0)
        s = rs_cleaner_add_match(c, "cancellation", "InvoiceNo", RS_MATCH_PREFIX, "C",
                                 RS_DROP_MATCH);
    if (s == 0)
        s = rs_cleaner_add_range(c, "Quantity <= 0", "Quantity", 0, INFINITY,
                                 RS_RANGE_MIN_EXCLUSIVE);
    if (s == 0)
        s = rs_cleaner_add_range(c, "UnitPrice <= 0", "UnitPrice", 0, INFINITY,
                                 RS_RANGE_MIN_EXCLUSIVE);
    if (s == 0)
        s = rs_cleaner_add_match(c, "non-product StockCode", "StockCode", RS_MATCH_FIRST_OF,
                                 "0123456789", RS_DROP_NO_MATCH);
    if (s == 0)
        s = rs_cleaner_add_dedup(c, "exact duplicate", NULL, 0);
    if (s == 0) /* after the protocol's rules, which do not meet one */
        s = rs_cleaner_add_type(c, "bad InvoiceDate", "InvoiceDate", RS_TYPE_TIME);
    return s;
}

static int make_cleaner(const struct import_options *o, bool with_reject, rs_cleaner **out)
{
    rs_cleaner *c = NULL;
    int s = rs_cleaner_create(&c);
    if (s == 0 && o->retail)
        s = add_retail_rules(c);
    if (s == 0 && o->n_missing)
        s = rs_cleaner_set_missing(c, o->missing, o->n_missing);
    for (size_t i = 0; s == 0 && i < o->n_required; i++)
        s = rs_cleaner_add_required(c, o->required[i], o->required[i]);
    if (s == 0 && o->dedup && !o->retail)
        s = rs_cleaner_add_dedup(c, "exact duplicate", NULL, 0);
    if (s == 0 && with_reject && o->reject)
        s = rs_cleaner_set_reject_file(c, cli_output_path(o->reject));
    if (s != 0) {
        rs_cleaner_free(c);
        return s;
    }
    *out = c;
    return 0;
}

static int open_reader(const struct import_options *o, rs_reader **out)
{
    rs_reader *r = NULL;
    int s = rs_reader_open(o->file, o->format, &r);
    if (s == 0 && o->retail) {
        s = rs_reader_map(r, RS_ROLE_USER, "CustomerID");
        if (s == 0)
            s = rs_reader_map(r, RS_ROLE_ITEM, "StockCode");
        if (s == 0)
            s = rs_reader_map(r, RS_ROLE_TIME, "InvoiceDate");
    }
    for (size_t i = 0; s == 0 && i < o->n_maps; i++) {
        char role[16];
        size_t len = (size_t)(o->maps[i][1] - 1 - o->maps[i][0]);
        memcpy(role, o->maps[i][0], len);
        role[len] = '\0';
        s = rs_reader_map(r, role_of(role), o->maps[i][1]);
    }
    if (s != 0) {
        rs_reader_close(r);
        return s;
    }
    *out = r;
    return 0;
}

static void print_counts(const struct import_options *o, const char *kind,
                         const rs_cleaner *c, uint64_t rows, bool first)
{
    uint64_t dropped = 0;
    size_t n = rs_cleaner_rule_count(c);
    for (size_t i = 0; i < n; i++)
        dropped += rs_cleaner_dropped(c, i);
    if (o->json) {
        json_t *by_rule = json_object();
        for (size_t i = 0; by_rule && i < n; i++)
            json_object_set_new(by_rule, rs_cleaner_rule_name(c, i),
                                json_integer((json_int_t)rs_cleaner_dropped(c, i)));
        json_object_set_new(o->report, kind,
                            json_pack("{s:I, s:I, s:I, s:o}", "rows",
                                      (json_int_t)(rs_cleaner_kept(c) + dropped), "kept",
                                      (json_int_t)rs_cleaner_kept(c), "imported",
                                      (json_int_t)rows, "dropped", by_rule));
        return;
    }
    if (!first) { /* the same rows again: the cleaning table was shown once */
        printf("%s: %llu rows imported\n", kind, (unsigned long long)rows);
        return;
    }
    printf("%s: %llu rows read, %llu kept, %llu imported\n", kind,
           (unsigned long long)(rs_cleaner_kept(c) + dropped),
           (unsigned long long)rs_cleaner_kept(c), (unsigned long long)rows);
    for (size_t i = 0; i < n; i++)
        printf("  dropped %9llu  %s\n", (unsigned long long)rs_cleaner_dropped(c, i),
               rs_cleaner_rule_name(c, i));
}

/* One pass over the file for one kind; the first pass writes the rejects. */
static int import_kind(rs_model *model, const struct import_options *o, const char *kind,
                       bool first)
{
    rs_reader *reader = NULL;
    rs_cleaner *cleaner = NULL;
    uint64_t rows = 0;
    unsigned flags = (o->unweighted || o->retail ? RS_IMPORT_UNWEIGHTED : 0u) |
                     (o->first_time ? RS_IMPORT_FIRST_TIME : 0u);
    const char *const retail_item_props[] = {"Description"};
    const char *const retail_user_attrs[] = {"Country"};
    const char *const *attributes = o->attributes, *const *properties = o->properties;
    size_t n_attributes = o->n_attributes, n_properties = o->n_properties;
    int s;

    if ((s = open_reader(o, &reader)) != 0 || (s = make_cleaner(o, first, &cleaner)) != 0) {
        rs_reader_close(reader);
        return cli_fail_status(s, "%s", o->file);
    }
    if (o->retail && strcmp(kind, "items") == 0 && !n_properties)
        properties = retail_item_props, n_properties = 1;
    if (o->retail && strcmp(kind, "users") == 0 && !n_attributes)
        attributes = retail_user_attrs, n_attributes = 1;
    if (strcmp(kind, "interactions") == 0)
        s = rs_model_import_interactions(model, reader, cleaner,
                                      o->relation ? o->relation : (o->retail ? "bought" : NULL),
                                      flags, &rows);
    else if (strcmp(kind, "items") == 0)
        s = rs_model_import_items(model, reader, cleaner, attributes, n_attributes, properties,
                               n_properties, &rows);
    else
        s = rs_model_import_users(model, reader, cleaner, attributes, n_attributes, properties,
                               n_properties, o->friends, &rows);
    if (s == 0)
        print_counts(o, kind, cleaner, rows, first);
    int late = s == 0 && first && o->reject ? rs_cleaner_set_reject_file(cleaner, NULL) : 0;
    rs_cleaner_free(cleaner);
    rs_reader_close(reader);
    if (late) /* a write error the reject file's buffer kept until its close */
        return cli_fail_status(late, "%s imported, but writing %s failed", kind, o->reject);
    if (s != 0)
        return cli_fail_status(s, "import of %s from %s failed, model unchanged", kind,
                               o->file);
    return CLI_OK;
}

int cmd_import(int argc, char **argv)
{
    struct import_options o;
    rs_model *model = NULL;
    int rc = parse_args(argc, argv, &o);
    double t0 = cli_now();
    if (rc < 0)
        return CLI_OK;
    if (rc != CLI_OK || (rc = cli_output_check("import", "--reject", o.reject, "the model",
                                               o.model, "the input", o.file, NULL)) != CLI_OK)
        return rc;
    if (cli_open_model(o.model, RS_MODEL_CREATE, &model) != CLI_OK)
        return cli_outputs_finish(CLI_FAILURE);
    if (o.json && !(o.report = json_object())) {
        rs_model_close(model);
        return cli_fail("writing JSON: out of memory");
    }
    if (o.retail) {
        /* The export holds all three kinds: purchases, catalogue, customers. */
        rc = import_kind(model, &o, "interactions", true);
        if (rc == CLI_OK)
            rc = import_kind(model, &o, "items", false);
        if (rc == CLI_OK)
            rc = import_kind(model, &o, "users", false);
    } else {
        rc = import_kind(model, &o, o.kind, true);
    }
    if (o.json) { /* also after a failure: the kinds imported so far */
        json_object_set_new(o.report, "seconds", json_real(cli_now() - t0));
        if (cli_json_print(o.report) != CLI_OK)
            rc = CLI_FAILURE;
        json_decref(o.report);
    } else if (rc == CLI_OK && !cli_quiet)
        fprintf(stderr, "imported into %s in %.2f s\n", o.model, cli_now() - t0);
    rs_model_close(model);
    return cli_outputs_finish(rc);
}
