/*
 * cmd_import.c - `recsim import`: read a raw export, clean it (every dropped
 * row counted by rule and, on request, written to a reject file), and load
 * it into a model file (rs_model_import_*): every kind and the record of
 * the import in one transaction (rs_model_begin .. rs_model_commit).
 */
#include "cli.h"
#include "cli_model.h"
#include "commands.h"

#include <errno.h>
#include <iconv.h>
#include <jansson.h>
#include <math.h>
#include <recsim.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

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
          "  --no-header         the first row is data; columns are numbered 1, 2, ...\n"
          "                      (--map user=1 --map item=2)\n"
          "  --columns A,B,...   names of the columns (replacing the header's, if any)\n"
          "  --delimiter C       field separator: tab, comma, semicolon, pipe or any\n"
          "                      single character\n"
          "  --encoding E        the file's encoding (default UTF-8), e.g. latin1 or\n"
          "                      windows-1252: converted to UTF-8 with iconv\n"
          "  --where 'COL OP V'  keep only rows where COL OP V holds (OP: >= <= > < ==\n"
          "                      !=; numbers compared as numbers, else as text); the\n"
          "                      rows dropped are counted under the condition\n"
          "  --flags ATTR=COL,...  0/1 flag columns as one multi-valued attribute ATTR\n"
          "                      (value: the column's name, or COL:VALUE);\n"
          "                      ATTR@N=V1,V2,... for the columns N, N+1, ... named V1...\n"
          "  --append            import every row, even the same file again or rows\n"
          "                      the model already has (weights add up); by default\n"
          "                      a timed row equal to an event imported before (user,\n"
          "                      relation, item, time, weight) is skipped and counted\n"
          "  --replace           the file's interactions replace the model's of that\n"
          "                      relation (items and users stay); not with --append\n"
          "  --json              print the counts as one JSON object\n"
          "\n"
          "A .gz file is decompressed on the fly (gzip is recognised by its first bytes).\n",
          out);
}

#define MAX_FLAGS 64

/* One --where condition; index is resolved against each reader's header. */
struct where_rule {
    const char *text, *value;
    char column[128], op[3], name[160];
    double number;
    bool numeric;
    size_t index;
};

/* One --flags group: 0/1 columns whose names (or given values) become the
 * values of one attribute. */
struct flag_group {
    char *spec; /* a copy of the option's value, cut into the strings below */
    const char *attribute;
    const char *columns[MAX_FLAGS], *values[MAX_FLAGS];
    size_t n, first; /* first: 1-based column of ATTR@N=..., 0 for named columns */
};

/* The input once decoded (.gz, --encoding, --columns, --flags). */
struct input {
    char *data;
    size_t len;
    FILE *spill; /* the temporary file data maps */
    bool in_memory, gzip, converted, rewritten;
    int format; /* of data */
};

struct import_options {
    const char *model, *file, *kind, *relation, *friends, *reject;
    const char *encoding;
    int format, delimiter;
    bool dedup, unweighted, first_time, json, retail, no_header, append, replace;
    struct where_rule wheres[MAX_LIST];
    size_t n_wheres;
    struct flag_group flags[MAX_LIST];
    size_t n_flags;
    char *column_spec; /* --columns, cut into column_names */
    const char *column_names[MAX_FLAGS * 4];
    size_t n_column_names;
    struct input input;
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

static int parse_delimiter(const char *name)
{
    static const char *const names[][2] = {
        {"tab", "\t"}, {"comma", ","}, {"semicolon", ";"}, {"pipe", "|"}, {"\\t", "\t"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i][0]) == 0)
            return (unsigned char)names[i][1][0];
    if (strlen(name) == 1 && (unsigned char)name[0] < 128 && name[0] != '\n' &&
        name[0] != '\r' && name[0] != '"')
        return (unsigned char)name[0];
    return -1;
}

static void trim(const char **start, const char **end)
{
    while (*start < *end && (**start == ' ' || **start == '\t'))
        (*start)++;
    while (*end > *start && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
        (*end)--;
}

/* 'COLUMN OP VALUE': OP is >=, <=, >, <, ==, != (or =); VALUE may be quoted. */
static int parse_where(const char *text, struct where_rule *w)
{
    const char *op = strpbrk(text, "<>=!"), *a = text, *b, *v, *ve;
    size_t op_len;
    memset(w, 0, sizeof *w);
    w->text = text;
    if (!op)
        return cli_usage("import", "--where wants 'COLUMN OP VALUE' (OP: >= <= > < == !=), "
                                   "got '%s'", text);
    b = op;
    trim(&a, &b);
    op_len = op[1] == '=' ? 2 : 1;
    if (a == b || (size_t)(b - a) >= sizeof w->column || (op[0] == '!' && op_len == 1))
        return cli_usage("import", "--where wants 'COLUMN OP VALUE' (OP: >= <= > < == !=), "
                                   "got '%s'", text);
    memcpy(w->column, a, (size_t)(b - a));
    memcpy(w->op, op, op_len);
    if (strcmp(w->op, "=") == 0)
        strcpy(w->op, "==");
    v = op + op_len;
    ve = v + strlen(v);
    trim(&v, &ve);
    if (strchr("<>=!", *v) && v < ve)
        return cli_usage("import", "--where: unknown operator in '%s'", text);
    if (ve - v >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v)
        v++, ve--;
    snprintf(w->name, sizeof w->name, "--where %s", text);
    {
        size_t len = (size_t)(ve - v);
        char *copy = malloc(len + 1);
        if (!copy)
            return cli_fail("out of memory");
        memcpy(copy, v, len);
        copy[len] = '\0';
        w->value = copy;
        w->numeric = rs_io_parse_double(copy, len, &w->number) == RS_OK;
    }
    return CLI_OK;
}

/* ATTR=COL[:VALUE],...  or  ATTR@N=VALUE,VALUE,... */
static int parse_flags(const char *text, struct flag_group *g)
{
    char *eq, *at, *part, *save = NULL;
    memset(g, 0, sizeof *g);
    if (!(g->spec = strdup(text)))
        return cli_fail("out of memory");
    eq = strchr(g->spec, '=');
    if (!eq || eq == g->spec || !eq[1])
        return cli_usage("import", "--flags wants ATTR=COLUMN,... or ATTR@N=NAME,..., got '%s'",
                         text);
    *eq = '\0';
    if ((at = strchr(g->spec, '@')) != NULL) {
        char *end;
        long n;
        *at = '\0';
        n = strtol(at + 1, &end, 10);
        if (*end || n < 1 || n > 1000000 || at == g->spec)
            return cli_usage("import", "--flags: '%s' wants ATTR@N with N a column number", text);
        g->first = (size_t)n;
    }
    g->attribute = g->spec;
    for (part = strtok_r(eq + 1, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        char *colon = g->first ? NULL : strchr(part, ':');
        if (g->n == MAX_FLAGS)
            return cli_usage("import", "--flags: at most %d columns in a group", MAX_FLAGS);
        if (colon)
            *colon = '\0';
        g->columns[g->n] = part;
        g->values[g->n++] = colon && colon[1] ? colon + 1 : part;
    }
    if (!g->n)
        return cli_usage("import", "--flags: no column in '%s'", text);
    return CLI_OK;
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
        else if (strcmp(a, "--no-header") == 0)
            o->no_header = true, takes_value = false;
        else if (strcmp(a, "--append") == 0)
            o->append = true, takes_value = false;
        else if (strcmp(a, "--replace") == 0)
            o->replace = true, takes_value = false;
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
        } else if (strcmp(a, "--delimiter") == 0) {
            if ((o->delimiter = parse_delimiter(value)) < 0)
                return cli_usage("import", "--delimiter wants tab, comma, semicolon, pipe or "
                                           "one ASCII character other than '\"', got '%s'",
                                 value);
        } else if (strcmp(a, "--encoding") == 0) {
            iconv_t cd = iconv_open("UTF-8", value);
            if (cd == (iconv_t)-1)
                return cli_usage("import", "--encoding: unknown encoding '%s' (e.g. latin1, "
                                           "windows-1252, utf-16)", value);
            iconv_close(cd);
            o->encoding = value;
        } else if (strcmp(a, "--where") == 0) {
            if (o->n_wheres >= MAX_LIST)
                return cli_usage("import", "too many --where options (at most %d)", MAX_LIST);
            if ((rc = parse_where(value, &o->wheres[o->n_wheres++])) != CLI_OK)
                return rc;
        } else if (strcmp(a, "--flags") == 0) {
            if (o->n_flags >= MAX_LIST)
                return cli_usage("import", "too many --flags options (at most %d)", MAX_LIST);
            if ((rc = parse_flags(value, &o->flags[o->n_flags++])) != CLI_OK)
                return rc;
            if ((rc = push(o->attributes, &o->n_attributes, o->flags[o->n_flags - 1].attribute,
                           a)) != CLI_OK)
                return rc;
        } else if (strcmp(a, "--columns") == 0) {
            char *save = NULL;
            free(o->column_spec);
            o->n_column_names = 0;
            if (!(o->column_spec = strdup(value)))
                return cli_fail("out of memory");
            for (char *p = strtok_r(o->column_spec, ",", &save); p;
                 p = strtok_r(NULL, ",", &save)) {
                if (o->n_column_names == sizeof o->column_names / sizeof o->column_names[0])
                    return cli_usage("import", "--columns: too many names");
                o->column_names[o->n_column_names++] = p;
            }
            if (!o->n_column_names)
                return cli_usage("import", "--columns wants NAME,NAME,...");
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
    if (o->append && o->replace)
        return cli_usage("import", "--append adds the rows, --replace replaces the model's: "
                         "give one of them");
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

/* rs_row_predicate of a --where rule: 1 (drop) when the condition fails. */
static int where_drop(const char *const *fields, const size_t *lens, size_t count, void *context)
{
    const struct where_rule *w = context;
    const char *field = w->index < count ? fields[w->index] : "";
    size_t len = w->index < count ? lens[w->index] : 0, vlen = strlen(w->value);
    double x;
    int cmp;
    bool holds;
    if (w->numeric && rs_io_parse_double(field, len, &x) == RS_OK) {
        cmp = (x > w->number) - (x < w->number);
    } else {
        int c = memcmp(field, w->value, len < vlen ? len : vlen);
        cmp = c ? (c > 0) - (c < 0) : (len > vlen) - (len < vlen);
    }
    if (w->op[0] == '=')
        holds = cmp == 0;
    else if (w->op[0] == '!')
        holds = cmp != 0;
    else if (w->op[0] == '>')
        holds = w->op[1] ? cmp >= 0 : cmp > 0;
    else
        holds = w->op[1] ? cmp <= 0 : cmp < 0;
    return holds ? 0 : 1;
}

static int make_cleaner(struct import_options *o, bool with_reject, rs_cleaner **out)
{
    rs_cleaner *c = NULL;
    int s = rs_cleaner_create(&c);
    if (s == 0 && o->retail)
        s = add_retail_rules(c);
    if (s == 0 && o->n_missing)
        s = rs_cleaner_set_missing(c, o->missing, o->n_missing);
    for (size_t i = 0; s == 0 && i < o->n_required; i++)
        s = rs_cleaner_add_required(c, o->required[i], o->required[i]);
    for (size_t i = 0; s == 0 && i < o->n_wheres; i++)
        s = rs_cleaner_add_callback(c, o->wheres[i].name, where_drop, &o->wheres[i]);
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

/* Separator and header options, for the file as given. */
static int set_reader_options(const struct import_options *o, rs_reader *r)
{
    int s = 0;
    if (o->delimiter)
        s = rs_reader_set_int(r, RS_READER_SEPARATOR, o->delimiter);
    if (s == 0 && o->no_header)
        s = rs_reader_set_int(r, RS_READER_HEADER, 0);
    return s;
}

static int open_reader(struct import_options *o, rs_reader **out)
{
    rs_reader *r = NULL;
    const struct input *in = &o->input;
    int s = in->in_memory ? rs_reader_open_memory(in->data, in->len, o->file, in->format, &r)
                          : rs_reader_open(o->file, o->format, &r);
    if (s == 0 && !in->rewritten)
        s = set_reader_options(o, r);
    for (size_t i = 0; s == 0 && i < o->n_wheres; i++)
        s = rs_reader_column(r, o->wheres[i].column, &o->wheres[i].index);
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

/* The rows of the input: those the cleaner kept or dropped. */
static uint64_t rows_read(const rs_cleaner *c, uint64_t imported)
{
    uint64_t dropped = 0;
    if (!c)
        return imported;
    for (size_t i = 0; i < rs_cleaner_rule_count(c); i++)
        dropped += rs_cleaner_dropped(c, i);
    return rs_cleaner_kept(c) + dropped;
}

static void print_counts(const struct import_options *o, const char *kind,
                         const rs_cleaner *c, uint64_t rows, bool first)
{
    size_t n = rs_cleaner_rule_count(c);
    uint64_t n_read = rows_read(c, rows);
    if (o->json) {
        json_t *by_rule = json_object();
        for (size_t i = 0; by_rule && i < n; i++)
            json_object_set_new(by_rule, rs_cleaner_rule_name(c, i),
                                json_integer((json_int_t)rs_cleaner_dropped(c, i)));
        json_object_set_new(o->report, kind,
                            json_pack("{s:I, s:I, s:I, s:o}", "rows",
                                      (json_int_t)n_read, "kept",
                                      (json_int_t)rs_cleaner_kept(c), "imported",
                                      (json_int_t)rows, "dropped", by_rule));
        return;
    }
    if (!first) { /* the same rows again: the cleaning table was shown once */
        printf("%s: %llu rows imported\n", kind, (unsigned long long)rows);
        return;
    }
    printf("%s: %llu rows read, %llu kept, %llu imported\n", kind,
           (unsigned long long)n_read,
           (unsigned long long)rs_cleaner_kept(c), (unsigned long long)rows);
    for (size_t i = 0; i < n; i++)
        printf("  dropped %9llu  %s\n", (unsigned long long)rs_cleaner_dropped(c, i),
               rs_cleaner_rule_name(c, i));
}

/* The rows skipped as already in the model, and what --replace did. */
static void print_known(const struct import_options *o, uint64_t known)
{
    if (o->json) {
        json_object_set_new(o->report, "already_in_model", json_integer((json_int_t)known));
        json_object_set_new(o->report, "replaced", json_boolean(o->replace));
        return;
    }
    if (known)
        printf("interactions: %llu rows already in the model, skipped (--append adds them "
               "again)\n", (unsigned long long)known);
    if (o->replace)
        printf("interactions: replaced the model's interactions of this relation\n");
}

/* ------------------------------------------------------------ input */

struct buf {
    char *data;
    size_t len, cap;
};

static bool buf_reserve(struct buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

static bool buf_add(struct buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return false;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

/* One CSV field, quoted when it holds a comma, a quote or a line break. */
static bool buf_add_field(struct buf *b, const char *s, size_t n, bool first)
{
    if (!first && !buf_add(b, ",", 1))
        return false;
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n))
        return buf_add(b, s, n);
    if (!buf_add(b, "\"", 1))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] == '"' && !buf_add(b, "\"", 1)) || !buf_add(b, s + i, 1))
            return false;
    return buf_add(b, "\"", 1);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The format of a file named name (less a .gz suffix), as the reader guesses it. */
static int guess_format(const char *name)
{
    size_t n = strlen(name);
    char base[4096];
    if (ends_with(name, ".gz") && n - 3 < sizeof base) {
        memcpy(base, name, n - 3);
        base[n - 3] = '\0';
        name = base;
    }
    if (ends_with(name, ".tsv") || ends_with(name, ".tab"))
        return RS_FORMAT_TSV;
    if (ends_with(name, ".jsonl") || ends_with(name, ".ndjson") || ends_with(name, ".json"))
        return RS_FORMAT_JSONL;
    return RS_FORMAT_CSV;
}

static bool is_gzip(const char *path)
{
    unsigned char magic[2];
    FILE *f = fopen(path, "rb");
    bool gz = f && fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (f)
        fclose(f);
    return gz;
}

static bool is_utf8_name(const char *e)
{
    return strcasecmp(e, "utf-8") == 0 || strcasecmp(e, "utf8") == 0;
}

static bool flag_set(const char *s, size_t n)
{
    double x;
    if (rs_io_parse_double(s, n, &x) == RS_OK)
        return x != 0;
    return (n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 3 && strncasecmp(s, "yes", 3) == 0);
}

/* Write the current row's CSV line (row) to out and empty row. */
static bool flush_row(struct buf *row, FILE *out)
{
    bool ok = buf_add(row, "\n", 1) && fwrite(row->data, 1, row->len, out) == row->len;
    row->len = 0;
    return ok;
}

/* Read r as the options say and write it to out as CSV with a header (the
 * --columns names first), one more column per --flags group: the '|'-joined
 * values of its flags that are set. */
static int rewrite(struct import_options *o, rs_reader *r, FILE *out)
{
    size_t *index[MAX_LIST] = {0}, ncol;
    struct buf row = {0}, v = {0};
    int s = set_reader_options(o, r), rc = CLI_OK;
    if (s != 0)
        return cli_fail_status(s, "%s", o->file);
    ncol = rs_reader_column_count(r);
    for (size_t g = 0; rc == CLI_OK && g < o->n_flags; g++) {
        const struct flag_group *fg = &o->flags[g];
        if (!(index[g] = calloc(fg->n, sizeof *index[g]))) {
            rc = cli_fail("out of memory");
            break;
        }
        for (size_t k = 0; rc == CLI_OK && k < fg->n; k++) {
            if (fg->first) {
                index[g][k] = fg->first - 1 + k;
                if (index[g][k] >= ncol)
                    rc = cli_fail("--flags %s: column %zu is past the last one (%zu)",
                                  fg->attribute, index[g][k] + 1, ncol);
            } else if ((s = rs_reader_column(r, fg->columns[k], &index[g][k])) != 0) {
                rc = cli_fail_status(s, "--flags %s", fg->attribute);
            }
        }
    }
    for (size_t i = 0; rc == CLI_OK && i < ncol + o->n_flags; i++) {
        const char *name = i >= ncol               ? o->flags[i - ncol].attribute
                           : i < o->n_column_names ? o->column_names[i]
                                                   : rs_reader_column_name(r, i);
        if (!buf_add_field(&row, name, strlen(name), i == 0))
            rc = cli_fail("out of memory");
    }
    if (rc == CLI_OK && !flush_row(&row, out))
        rc = cli_fail("writing a temporary file: %s", strerror(errno));
    while (rc == CLI_OK && (s = rs_reader_next(r)) == 1) {
        size_t n = rs_reader_field_count(r), len;
        for (size_t i = 0; rc == CLI_OK && i < ncol; i++) {
            const char *f = i < n ? rs_reader_field(r, i, &len) : "";
            if (i >= n)
                len = 0;
            if (!buf_add_field(&row, f, len, i == 0))
                rc = cli_fail("out of memory");
        }
        for (size_t g = 0; rc == CLI_OK && g < o->n_flags; g++) {
            bool ok = buf_add(&v, "", 0);
            v.len = 0;
            for (size_t k = 0; ok && k < o->flags[g].n; k++) {
                const char *f = rs_reader_field(r, index[g][k], &len);
                if (f && flag_set(f, len))
                    ok = (v.len == 0 || buf_add(&v, "|", 1)) &&
                         buf_add(&v, o->flags[g].values[k], strlen(o->flags[g].values[k]));
            }
            if (!ok || !buf_add_field(&row, v.data, v.len, false))
                rc = cli_fail("out of memory");
        }
        if (rc == CLI_OK && !flush_row(&row, out))
            rc = cli_fail("writing a temporary file: %s", strerror(errno));
    }
    if (rc == CLI_OK && s < 0)
        rc = cli_fail_status(s, "%s", o->file);
    for (size_t g = 0; g < o->n_flags; g++)
        free(index[g]);
    free(row.data);
    free(v.data);
    return rc;
}

/* Decompress (gzip) and convert (--encoding) path into out, a chunk at a time. */
static int decode(const char *path, const char *encoding, FILE *out)
{
    enum { CHUNK = 1 << 16 };
    static char inbuf[CHUNK + 64], outbuf[4 * CHUNK];
    gzFile gz = gzopen(path, "rb");
    iconv_t cd = (iconv_t)-1;
    size_t carry = 0;
    uint64_t line = 1;
    int rc = CLI_OK, n, err;
    if (!gz)
        return cli_fail("%s: cannot open: %s", path, strerror(errno ? errno : ENOMEM));
    if (encoding && (cd = iconv_open("UTF-8", encoding)) == (iconv_t)-1) {
        gzclose(gz);
        return cli_fail("--encoding %s: %s", encoding, strerror(errno));
    }
    gzbuffer(gz, 1 << 17);
    while (rc == CLI_OK) {
        char *src = inbuf;
        size_t left;
        if ((n = gzread(gz, inbuf + carry, CHUNK)) < 0) {
            const char *why = gzerror(gz, &err);
            rc = cli_fail("%s: cannot decompress: %s", path, err == Z_ERRNO ? strerror(errno) : why);
            break;
        }
        left = carry + (size_t)n;
        if (left == 0)
            break;
        if (cd == (iconv_t)-1) {
            if (fwrite(inbuf, 1, left, out) != left)
                rc = cli_fail("writing a temporary file: %s", strerror(errno));
            continue;
        }
        while (rc == CLI_OK && left > 0) {
            char *dst = outbuf, *before = src;
            size_t room = sizeof outbuf, r = iconv(cd, &src, &left, &dst, &room);
            int e = errno;
            for (const char *p = before; p < src; p++)
                line += *p == '\n';
            if (fwrite(outbuf, 1, (size_t)(dst - outbuf), out) != (size_t)(dst - outbuf))
                rc = cli_fail("writing a temporary file: %s", strerror(errno));
            else if (r != (size_t)-1 || e == E2BIG)
                continue;
            else if (e == EINVAL && n > 0 && left < 64) /* a character cut by the chunk */
                break;
            else
                rc = cli_fail("%s:%llu: not valid %s text (byte 0x%02x)", path,
                              (unsigned long long)line, encoding, (unsigned char)*src);
        }
        memmove(inbuf, src, left);
        carry = left;
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    gzclose(gz);
    return rc;
}

/* Map a temporary file (read-only); an empty one gives NULL and 0. */
static int map_spill(FILE *f, struct input *in)
{
    off_t size;
    if (fflush(f) != 0 || (size = lseek(fileno(f), 0, SEEK_END)) < 0)
        return cli_fail("writing a temporary file: %s", strerror(errno));
    in->data = NULL;
    in->len = (size_t)size;
    if (size > 0) {
        void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fileno(f), 0);
        if (p == MAP_FAILED)
            return cli_fail("mapping a temporary file: %s", strerror(errno));
        in->data = p;
    }
    return CLI_OK;
}

static void unmap_input(struct input *in)
{
    if (in->data)
        munmap(in->data, in->len);
    if (in->spill)
        fclose(in->spill);
    in->data = NULL;
    in->len = 0;
    in->spill = NULL;
}

/* A gzip file, another encoding than UTF-8, --columns or --flags: the input
 * is decoded, then rewritten, into unnamed temporary files (tmpfile(3)),
 * read through a map, so that memory stays bounded whatever the file size. */
static int load_input(struct import_options *o)
{
    struct input *in = &o->input;
    bool convert_needed = o->encoding && !is_utf8_name(o->encoding);
    int rc = CLI_OK;
    in->gzip = is_gzip(o->file);
    in->format = o->format ? o->format : guess_format(o->file);
    if (!in->gzip && !convert_needed && !o->n_flags && !o->n_column_names)
        return CLI_OK;
    if (in->gzip || convert_needed) {
        if (!(in->spill = tmpfile()))
            return cli_fail("cannot create a temporary file: %s", strerror(errno));
        if ((rc = decode(o->file, convert_needed ? o->encoding : NULL, in->spill)) != CLI_OK ||
            (rc = map_spill(in->spill, in)) != CLI_OK)
            return rc;
        in->in_memory = true;
        in->converted = convert_needed;
    }
    if (o->n_flags || o->n_column_names) {
        rs_reader *r = NULL;
        FILE *out = tmpfile();
        int s = !out ? RS_ERR_IO
                : in->in_memory
                    ? rs_reader_open_memory(in->data, in->len, o->file, in->format, &r)
                    : rs_reader_open(o->file, in->format, &r);
        if (!out)
            rc = cli_fail("cannot create a temporary file: %s", strerror(errno));
        else if (s != 0)
            rc = cli_fail_status(s, "%s", o->file);
        else
            rc = rewrite(o, r, out);
        rs_reader_close(r);
        unmap_input(in);
        in->spill = out;
        if (rc == CLI_OK && (rc = map_spill(out, in)) == CLI_OK) {
            in->in_memory = in->rewritten = true;
            in->format = RS_FORMAT_CSV;
        }
    }
    return rc;
}

/* ------------------------------------------------ repeated imports */

/* "import:" and the XXH3-128 of the file's bytes and of the options that
 * change what is imported (all but --append, --replace, --json and --reject). */
static int import_key(int argc, char **argv, const struct import_options *o, char *key,
                      size_t cap)
{
    XXH3_state_t *st = XXH3_createState();
    FILE *f = fopen(o->file, "rb");
    char chunk[1 << 16];
    size_t n;
    XXH128_hash_t h;
    if (!f || !st) {
        int rc = cli_fail("%s: cannot open: %s", o->file, f ? "out of memory" : strerror(errno));
        if (f)
            fclose(f);
        XXH3_freeState(st);
        return rc;
    }
    XXH3_128bits_reset(st);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        XXH3_128bits_update(st, chunk, n);
    if (ferror(f)) {
        fclose(f);
        XXH3_freeState(st);
        return cli_fail("%s: cannot read: %s", o->file, strerror(errno));
    }
    fclose(f);
    for (int i = 1; i < argc; i++) {
        if (argv[i] == o->model || argv[i] == o->file || !strcmp(argv[i], "--append") ||
            !strcmp(argv[i], "--replace") || !strcmp(argv[i], "--json"))
            continue;
        if (!strcmp(argv[i], "--reject")) {
            i++;
            continue;
        }
        XXH3_128bits_update(st, argv[i], strlen(argv[i]) + 1);
    }
    h = XXH3_128bits_digest(st);
    XXH3_freeState(st);
    snprintf(key, cap, "import:%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
    return CLI_OK;
}

/* 1 when the model file's meta table holds key as written by release 1.0
 * (before notes), its value copied; 0 when not.  Newer imports are notes
 * (rs_model_get_note), checked under the write lock. */
static int meta_find(const char *model, const char *key, char *value, size_t cap)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_open_v2(model, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(value, cap, "%s", v ? (const char *)v : "");
        found = 1;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return found;
}

/* ------------------------------------------------ leaving no trace */

/*
 * A failed import into a model file this run created: remove it, unless
 * another process has put data into it meanwhile.  Decided and done under
 * the file's write lock, so that no other writer commits into a file about
 * to vanish (one waiting for the lock finds the file removed and fails).
 * The connection keeps the -wal file on close (PERSIST_WAL): after the
 * unlink that name may already belong to another new model.
 */
static void remove_if_empty(const char *model)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int persist = 1;
    char path[4096];
    if (sqlite3_open_v2(model, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist) == SQLITE_OK &&
        sqlite3_busy_timeout(db, cli_wait_ms >= 0 ? cli_wait_ms : 5000) == SQLITE_OK &&
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM nodes) + (SELECT count(*) FROM "
                           "meta WHERE key LIKE 'model.note:%' OR key LIKE 'note:%')",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 0)
        for (size_t i = 0; i < 4; i++)
            if ((size_t)snprintf(path, sizeof path, "%s%s", model, suffixes[i]) < sizeof path)
                unlink(path);
    sqlite3_finalize(st);
    if (db)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
}

static void free_options(struct import_options *o)
{
    for (size_t i = 0; i < o->n_wheres; i++)
        free((char *)o->wheres[i].value);
    for (size_t i = 0; i < o->n_flags; i++)
        free(o->flags[i].spec);
    free(o->column_spec);
    unmap_input(&o->input);
}

/* rs_model_set_progress: rows read, of a total the library estimates. */
static void on_import_progress(void *data, const char *stage, uint64_t done, uint64_t total)
{
    (void)stage;
    cli_progress_set_total(data, (size_t)total);
    cli_progress_update(data, (size_t)done);
}

/* One pass over the file for one kind; the first pass writes the rejects. */
static int import_kind(rs_model *model, struct import_options *o, const char *kind,
                       bool first)
{
    rs_reader *reader = NULL;
    rs_cleaner *cleaner = NULL;
    uint64_t rows = 0;
    unsigned flags = (o->unweighted || o->retail ? RS_IMPORT_UNWEIGHTED : 0u) |
                     (o->first_time ? RS_IMPORT_FIRST_TIME : 0u) |
                     (o->replace ? RS_IMPORT_REPLACE : o->append ? 0u : RS_IMPORT_SKIP_KNOWN);
    const char *const retail_item_props[] = {"Description"};
    const char *const retail_user_attrs[] = {"Country"};
    const char *const *attributes = o->attributes, *const *properties = o->properties;
    size_t n_attributes = o->n_attributes, n_properties = o->n_properties;
    struct cli_progress progress;
    char label[64];
    int s;

    if ((s = open_reader(o, &reader)) != 0 || (s = make_cleaner(o, first, &cleaner)) != 0) {
        rs_reader_close(reader);
        return cli_fail_status(s, "%s", o->file);
    }
    if (o->retail && strcmp(kind, "items") == 0 && !n_properties)
        properties = retail_item_props, n_properties = 1;
    if (o->retail && strcmp(kind, "users") == 0 && !n_attributes)
        attributes = retail_user_attrs, n_attributes = 1;
    snprintf(label, sizeof label, "import %s", kind);
    cli_progress_start_labelled(&progress, label, "rows", 0);
    rs_model_set_progress(model, on_import_progress, &progress);
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
    rs_model_set_progress(model, NULL, NULL);
    if (s == 0) {
        size_t n_read = (size_t)rows_read(cleaner, rows + rs_model_import_known_rows(model));
        cli_progress_set_total(&progress, n_read);
        cli_progress_finish(&progress, n_read);
    } else {
        cli_progress_abandon(&progress);
    }
    if (s == 0)
        print_counts(o, kind, cleaner, rows, first);
    if (s == 0 && strcmp(kind, "interactions") == 0)
        print_known(o, rs_model_import_known_rows(model));
    int late = s == 0 && first && o->reject ? rs_cleaner_set_reject_file(cleaner, NULL) : 0;
    rs_cleaner_free(cleaner);
    rs_reader_close(reader);
    if (late) /* a write error the reject file's buffer kept until its close */
        return cli_fail_status(late, "%s imported, but writing %s failed", kind, o->reject);
    if (s == RS_ERR_NOTFOUND && *rs_errmsg()) {
        /* the library's advice is for C callers: give the options instead */
        char msg[2048];
        const char *c_hint = "; name one with rs_reader_map()";
        size_t len;
        snprintf(msg, sizeof msg, "%s", rs_errmsg());
        len = strlen(msg);
        if (len >= strlen(c_hint) && strcmp(msg + len - strlen(c_hint), c_hint) == 0)
            msg[len - strlen(c_hint)] = '\0';
        return cli_fail("import of %s from %s failed, model unchanged: %s; name the column "
                        "with --map ROLE=COLUMN (a file without a header: --no-header or "
                        "--columns; another separator: --delimiter)",
                        kind, o->file, msg);
    }
    if (s != 0)
        return cli_fail_status(s, "import of %s from %s failed, model unchanged", kind,
                               o->file);
    return CLI_OK;
}

/* What was done to the input before reading it, in the report. */
static void print_input(const struct import_options *o)
{
    if (o->json) {
        json_object_set_new(o->report, "gzip", json_boolean(o->input.gzip));
        json_object_set_new(o->report, "encoding",
                            json_string(o->input.converted ? o->encoding : "UTF-8"));
        return;
    }
    if (o->input.gzip)
        printf("input: gzip, decompressed\n");
    if (o->input.converted)
        printf("input: converted from %s to UTF-8\n", o->encoding);
}

/* "FILE was already imported" for the record seen, as a failure. */
static int already_imported(const struct import_options *o, const char *seen)
{
    return cli_fail("%s was already imported into %s with the same options (%s); "
                    "--append imports its rows again, adding to the weights",
                    o->file, o->model, seen);
}

/* Every kind of the import, and the record that the file was imported, in
 * one transaction of the model (rs_model_begin): a failure in any step, a
 * kill or a full disk leaves the model exactly as before, so importing the
 * mended file again adds each row once.  The check for an earlier import
 * of the same file runs under the same lock, so that two concurrent runs
 * cannot both pass it. */
static int import_all(rs_model *model, struct import_options *o, const char *key)
{
    char seen[512], value[4200], when[32];
    time_t now = time(NULL);
    struct tm tm;
    int rc, s;
    if ((s = rs_model_begin(model)) != RS_OK)
        return cli_fail_status(s, "import into %s failed, model unchanged", o->model);
    if (!o->append && !o->replace && rs_model_get_note(model, key, seen, sizeof seen, NULL) == RS_OK) {
        rs_model_rollback(model);
        return already_imported(o, seen);
    }
    rs_clear_error();
    if (o->retail) {
        /* The export holds all three kinds: purchases, catalogue, customers. */
        rc = import_kind(model, o, "interactions", true);
        if (rc == CLI_OK)
            rc = import_kind(model, o, "items", false);
        if (rc == CLI_OK)
            rc = import_kind(model, o, "users", false);
    } else {
        rc = import_kind(model, o, o->kind, true);
    }
    if (rc != CLI_OK) {
        rs_model_rollback(model);
        return rc;
    }
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&now, &tm));
    snprintf(value, sizeof value, "as %s, kind %s, on %s", o->file,
             o->retail ? "retail" : o->kind, when);
    if ((s = rs_model_set_note(model, key, value)) != RS_OK) {
        rs_model_rollback(model);
        return cli_fail_status(s, "import into %s failed, model unchanged", o->model);
    }
    if ((s = rs_model_commit(model)) != RS_OK)
        return cli_fail_status(s, "import into %s failed, model unchanged", o->model);
    return CLI_OK;
}

static int run(int argc, char **argv, struct import_options *o)
{
    rs_model *model = NULL;
    char key[64], seen[512];
    struct stat st;
    bool existed;
    double t0 = cli_now();
    int rc;

    if ((rc = cli_output_check("import", "--reject", o->reject, "the model", o->model,
                               "the input", o->file, NULL)) != CLI_OK ||
        (rc = import_key(argc, argv, o, key, sizeof key)) != CLI_OK)
        return rc;
    existed = stat(o->model, &st) == 0;
    if (existed && !o->append && !o->replace && meta_find(o->model, key, seen, sizeof seen))
        return already_imported(o, seen);
    if ((rc = load_input(o)) != CLI_OK)
        return rc;
    if (cli_open_model(o->model, RS_MODEL_CREATE, &model) != CLI_OK) {
        rc = CLI_FAILURE;
    } else if (o->json && !(o->report = json_object())) {
        rc = cli_fail("writing JSON: out of memory");
    } else {
        print_input(o);
        rc = import_all(model, o, key);
    }
    rs_model_close(model);
    if (rc != CLI_OK && !existed)
        remove_if_empty(o->model);
    if (o->report) { /* also after a failure: the kinds read before it */
        json_object_set_new(o->report, "seconds", json_real(cli_now() - t0));
        if (cli_json_print(o->report) != CLI_OK)
            rc = CLI_FAILURE;
        json_decref(o->report);
    } else if (rc == CLI_OK && !cli_quiet) {
        fprintf(stderr, "imported into %s in %.2f s\n", o->model, cli_now() - t0);
    }
    return cli_outputs_finish(rc); /* the reject file into place, or removed */
}

int cmd_import(int argc, char **argv)
{
    struct import_options o;
    int rc = parse_args(argc, argv, &o);
    if (rc == CLI_OK)
        rc = run(argc, argv, &o);
    else if (rc < 0)
        rc = CLI_OK;
    free_options(&o);
    return rc;
}
