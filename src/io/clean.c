/*
 * clean.c - row cleaning by explicit rules (rs_cleaner), the most frequent
 * text per key (rs_mostfreq) and array normalisation.
 *
 * A cleaner tries its rules in order on each row; the first rule a row fails
 * drops it, counts it, and writes "file:line: rule: reason" to the reject
 * file, so that the counts equal those of filtering the survivors rule after
 * rule.  Duplicate detection keeps a set of XXH3-128 hashes of the keys that
 * reached the rule, with the line of their first occurrence.
 */
#include "io/io.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/idmap.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

enum rule_kind { RULE_REQUIRED, RULE_TYPE, RULE_RANGE, RULE_ALLOWED, RULE_MATCH,
                 RULE_CALLBACK, RULE_DEDUP,
                 RULE_IMPORT /* added by an import for the rows it drops itself */ };

/* One distinct key of a dedup rule; line 0 marks an empty slot. */
struct seen_key {
    uint64_t low, high, line;
};

struct rule {
    int kind;
    char *name;
    char *column; /* NULL for callbacks and whole-row dedup */
    size_t index; /* the column, once bound to a reader */
    int type;
    double min, max;
    unsigned flags;
    rs_idmap *allowed;
    int match, drop;
    char *pattern;
    size_t pattern_len;
    rs_row_predicate predicate;
    void *context;
    char **key_columns;
    size_t *key_index;
    size_t key_count;
    struct seen_key *seen;
    size_t seen_cap, seen_count;
    uint64_t dropped;
};

struct rs_cleaner {
    struct rule *rules;
    size_t count, cap;
    char **missing;
    size_t missing_count;
    FILE *reject;
    char *reject_path;
    uint64_t bound_reader;
    uint64_t kept;
    char *key_buf;
    size_t key_cap;
};

static const char *const default_missing[] = {"NA", "N/A", "NULL", "null"};

static void free_rule(struct rule *rule)
{
    size_t i;
    free(rule->name);
    free(rule->column);
    rs__idmap_free(rule->allowed);
    free(rule->pattern);
    for (i = 0; i < rule->key_count; i++)
        free(rule->key_columns[i]);
    free(rule->key_columns);
    free(rule->key_index);
    free(rule->seen);
}

static void free_strings(char **strings, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++)
        free(strings[i]);
    free(strings);
}

int rs_cleaner_create(rs_cleaner **out)
{
    rs_cleaner *c;
    int status;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_create: out is NULL");
    *out = NULL;
    c = rs__calloc(1, sizeof *c);
    if (!c)
        return RS_ERR_NOMEM;
    status = rs_cleaner_set_missing(c, default_missing,
                                    sizeof default_missing / sizeof default_missing[0]);
    if (status != 0) {
        rs_cleaner_free(c);
        return status;
    }
    *out = c;
    return 0;
}

void rs_cleaner_free(rs_cleaner *c)
{
    size_t i;
    if (!c)
        return;
    for (i = 0; i < c->count; i++)
        free_rule(&c->rules[i]);
    free(c->rules);
    free_strings(c->missing, c->missing_count);
    if (c->reject)
        fclose(c->reject);
    free(c->reject_path);
    free(c->key_buf);
    free(c);
}

int rs_cleaner_set_missing(rs_cleaner *c, const char *const *tokens, size_t count)
{
    char **copy;
    size_t i;
    if (!c || (!tokens && count > 0))
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_set_missing: %s is NULL",
                        c ? "tokens" : "cleaner");
    for (i = 0; i < count; i++)
        if (!tokens[i])
            return rs__fail(RS_ERR_INVALID, "rs_cleaner_set_missing: token %zu is NULL", i);
    copy = rs__calloc(count ? count : 1, sizeof *copy);
    if (!copy)
        return RS_ERR_NOMEM;
    for (i = 0; i < count; i++) {
        copy[i] = rs__strdup(tokens[i]);
        if (!copy[i]) {
            free_strings(copy, i);
            return RS_ERR_NOMEM;
        }
    }
    free_strings(c->missing, c->missing_count);
    c->missing = copy;
    c->missing_count = count;
    return 0;
}

/* Append a rule with name and column copied; *rule_out points into c->rules. */
static int add_rule(rs_cleaner *c, const char *fn, const char *name, const char *column,
                    bool needs_column, int kind, struct rule **rule_out)
{
    struct rule rule;
    int status;
    if (!c || !name || !name[0] || (needs_column && (!column || !column[0])))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL or empty", fn,
                        !c ? "cleaner" : (!name || !name[0]) ? "name" : "column");
    status = rs__grow((void **)&c->rules, &c->cap, c->count + 1, sizeof *c->rules);
    if (status != 0)
        return status;
    memset(&rule, 0, sizeof rule);
    rule.kind = kind;
    rule.name = rs__strdup(name);
    rule.column = needs_column ? rs__strdup(column) : NULL;
    if (!rule.name || (needs_column && !rule.column)) {
        free_rule(&rule);
        return RS_ERR_NOMEM;
    }
    c->rules[c->count] = rule;
    *rule_out = &c->rules[c->count];
    return 0;
}

/* Make the rule added by add_rule() part of the cleaner (or drop it). */
static int commit_rule(rs_cleaner *c, int status)
{
    if (status != 0) {
        free_rule(&c->rules[c->count]);
        return status;
    }
    c->count++;
    c->bound_reader = 0;
    return 0;
}

int rs_cleaner_add_required(rs_cleaner *c, const char *name, const char *column)
{
    struct rule *rule;
    int status = add_rule(c, "rs_cleaner_add_required", name, column, true, RULE_REQUIRED,
                          &rule);
    return status != 0 ? status : commit_rule(c, 0);
}

int rs_cleaner_add_type(rs_cleaner *c, const char *name, const char *column, int type)
{
    struct rule *rule;
    int status;
    if (type < RS_TYPE_NUMBER || type > RS_TYPE_TIME)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_type: unknown type %d", type);
    status = add_rule(c, "rs_cleaner_add_type", name, column, true, RULE_TYPE, &rule);
    if (status != 0)
        return status;
    rule->type = type;
    return commit_rule(c, 0);
}

int rs_cleaner_add_range(rs_cleaner *c, const char *name, const char *column, double min,
                         double max, unsigned flags)
{
    struct rule *rule;
    int status;
    if (isnan(min) || isnan(max) || min > max)
        return rs__fail(RS_ERR_RANGE, "rs_cleaner_add_range: bounds [%g, %g] are NaN or "
                        "reversed", min, max);
    if (flags & ~(RS_RANGE_MIN_EXCLUSIVE | RS_RANGE_MAX_EXCLUSIVE))
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_range: unknown flags 0x%x", flags);
    status = add_rule(c, "rs_cleaner_add_range", name, column, true, RULE_RANGE, &rule);
    if (status != 0)
        return status;
    rule->min = min;
    rule->max = max;
    rule->flags = flags;
    return commit_rule(c, 0);
}

int rs_cleaner_add_allowed(rs_cleaner *c, const char *name, const char *column,
                           const char *const *values, size_t count)
{
    struct rule *rule;
    size_t i;
    int status;
    if (!values || count == 0)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_allowed: no values");
    for (i = 0; i < count; i++)
        if (!values[i])
            return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_allowed: value %zu is NULL", i);
    status = add_rule(c, "rs_cleaner_add_allowed", name, column, true, RULE_ALLOWED, &rule);
    if (status != 0)
        return status;
    rule->allowed = rs__idmap_create();
    if (!rule->allowed)
        return commit_rule(c, RS_ERR_NOMEM);
    for (i = 0; i < count && status == 0; i++)
        status = rs__idmap_intern(rule->allowed, values[i], strlen(values[i]), &(uint32_t){0},
                                  NULL);
    return commit_rule(c, status);
}

int rs_cleaner_add_match(rs_cleaner *c, const char *name, const char *column, int match,
                         const char *pattern, int drop)
{
    struct rule *rule;
    int status;
    if (match < RS_MATCH_EXACT || match > RS_MATCH_FIRST_OF)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_match: unknown match %d", match);
    if (drop != RS_DROP_MATCH && drop != RS_DROP_NO_MATCH)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_match: unknown drop %d", drop);
    if (!pattern || !pattern[0])
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_match: pattern is NULL or empty");
    status = add_rule(c, "rs_cleaner_add_match", name, column, true, RULE_MATCH, &rule);
    if (status != 0)
        return status;
    rule->match = match;
    rule->drop = drop;
    rule->pattern = rs__strdup(pattern);
    rule->pattern_len = strlen(pattern);
    return commit_rule(c, rule->pattern ? 0 : RS_ERR_NOMEM);
}

int rs_cleaner_add_callback(rs_cleaner *c, const char *name, rs_row_predicate predicate,
                            void *context)
{
    struct rule *rule;
    int status;
    if (!predicate)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_callback: predicate is NULL");
    status = add_rule(c, "rs_cleaner_add_callback", name, NULL, false, RULE_CALLBACK, &rule);
    if (status != 0)
        return status;
    rule->predicate = predicate;
    rule->context = context;
    return commit_rule(c, 0);
}

int rs_cleaner_add_dedup(rs_cleaner *c, const char *name, const char *const *columns,
                         size_t count)
{
    struct rule *rule;
    size_t i;
    int status;
    if (!columns && count > 0)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_dedup: columns is NULL");
    for (i = 0; i < count; i++)
        if (!columns[i] || !columns[i][0])
            return rs__fail(RS_ERR_INVALID, "rs_cleaner_add_dedup: column %zu is NULL or empty",
                            i);
    status = add_rule(c, "rs_cleaner_add_dedup", name, NULL, false, RULE_DEDUP, &rule);
    if (status != 0)
        return status;
    if (count > 0) {
        rule->key_columns = rs__calloc(count, sizeof *rule->key_columns);
        rule->key_index = rs__calloc(count, sizeof *rule->key_index);
        if (!rule->key_columns || !rule->key_index)
            return commit_rule(c, RS_ERR_NOMEM);
        for (i = 0; i < count; i++) {
            rule->key_columns[i] = rs__strdup(columns[i]);
            if (!rule->key_columns[i])
                return commit_rule(c, RS_ERR_NOMEM);
            rule->key_count = i + 1;
        }
    }
    return commit_rule(c, 0);
}

int rs_cleaner_set_reject_file(rs_cleaner *c, const char *path)
{
    FILE *file = NULL;
    char *copy = NULL;
    if (!c)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_set_reject_file: cleaner is NULL");
    if (path) {
        copy = rs__strdup(path);
        if (!copy)
            return RS_ERR_NOMEM;
        file = fopen(path, "w");
        if (!file) {
            int err = errno;
            free(copy);
            return rs__fail(RS_ERR_IO, "%s: cannot create the reject file: %s", path,
                            strerror(err));
        }
    }
    if (c->reject && fclose(c->reject) != 0) {
        int err = errno;
        c->reject = NULL;
        if (file)
            fclose(file);
        free(copy);
        return rs__fail(RS_ERR_IO, "%s: error closing the reject file: %s", c->reject_path,
                        strerror(err));
    }
    free(c->reject_path);
    c->reject = file;
    c->reject_path = copy;
    return 0;
}

size_t rs_cleaner_rule_count(const rs_cleaner *c)
{
    return c ? c->count : 0;
}

const char *rs_cleaner_rule_name(const rs_cleaner *c, size_t index)
{
    return c && index < c->count ? c->rules[index].name : NULL;
}

uint64_t rs_cleaner_dropped(const rs_cleaner *c, size_t index)
{
    return c && index < c->count ? c->rules[index].dropped : 0;
}

uint64_t rs_cleaner_kept(const rs_cleaner *c)
{
    return c ? c->kept : 0;
}

/* --------------------------------------------------------------- evaluation */

static int bind(rs_cleaner *c, rs_reader *reader)
{
    size_t i, k;
    int status;
    if (c->bound_reader == rs__reader_id(reader))
        return 0;
    for (i = 0; i < c->count; i++) {
        struct rule *rule = &c->rules[i];
        if (rule->column) {
            status = rs_reader_column(reader, rule->column, &rule->index);
            if (status != 0)
                return rs__fail_context("cleaning rule \"%s\": ", rule->name);
        }
        for (k = 0; k < rule->key_count; k++) {
            status = rs_reader_column(reader, rule->key_columns[k], &rule->key_index[k]);
            if (status != 0)
                return rs__fail_context("cleaning rule \"%s\": ", rule->name);
        }
    }
    c->bound_reader = rs__reader_id(reader);
    return 0;
}

static bool is_missing(const rs_cleaner *c, const char *s, size_t len)
{
    size_t i;
    while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0)
        return true;
    for (i = 0; i < c->missing_count; i++)
        if (strlen(c->missing[i]) == len && memcmp(c->missing[i], s, len) == 0)
            return true;
    return false;
}

static bool matches(const struct rule *rule, const char *s, size_t len)
{
    switch (rule->match) {
    case RS_MATCH_EXACT:
        return len == rule->pattern_len && memcmp(s, rule->pattern, len) == 0;
    case RS_MATCH_PREFIX:
        return len >= rule->pattern_len && memcmp(s, rule->pattern, rule->pattern_len) == 0;
    case RS_MATCH_CONTAINS: {
        size_t i;
        if (len < rule->pattern_len)
            return false;
        for (i = 0; i + rule->pattern_len <= len; i++)
            if (s[i] == rule->pattern[0] &&
                memcmp(s + i, rule->pattern, rule->pattern_len) == 0)
                return true;
        return false;
    }
    default:
        return len > 0 && memchr(rule->pattern, s[0], rule->pattern_len) != NULL;
    }
}

/* Find or insert a key hash; *first_line gets the line of an earlier copy. */
static int seen_insert(struct rule *rule, XXH128_hash_t hash, uint64_t line,
                       uint64_t *first_line)
{
    size_t mask, at;
    if ((rule->seen_count + 1) * 2 > rule->seen_cap) {
        size_t cap = rule->seen_cap ? rule->seen_cap * 2 : 1024, i;
        struct seen_key *table = rs__alloc_array(cap, sizeof *table);
        if (!table)
            return rs_errcode();
        memset(table, 0, cap * sizeof *table);
        for (i = 0; i < rule->seen_cap; i++) {
            struct seen_key key = rule->seen[i];
            size_t j;
            if (!key.line)
                continue;
            for (j = key.low & (cap - 1); table[j].line; j = (j + 1) & (cap - 1))
                ;
            table[j] = key;
        }
        free(rule->seen);
        rule->seen = table;
        rule->seen_cap = cap;
    }
    mask = rule->seen_cap - 1;
    for (at = hash.low64 & mask; rule->seen[at].line; at = (at + 1) & mask)
        if (rule->seen[at].low == hash.low64 && rule->seen[at].high == hash.high64) {
            *first_line = rule->seen[at].line;
            return 0;
        }
    rule->seen[at].low = hash.low64;
    rule->seen[at].high = hash.high64;
    rule->seen[at].line = line ? line : 1;
    rule->seen_count++;
    *first_line = 0;
    return 0;
}

static int dedup_key(rs_cleaner *c, const struct rule *rule, const rs_reader *reader,
                     XXH128_hash_t *hash)
{
    const size_t *lens;
    const char *const *fields = rs__reader_fields(reader, &lens);
    size_t n = rs_reader_field_count(reader), k, used = 0;
    if (rule->key_count == 0) {
        size_t len;
        const char *span = rs__reader_row_span(reader, &len);
        *hash = XXH3_128bits(span, len);
        return 0;
    }
    for (k = 0; k < rule->key_count; k++) {
        size_t i = rule->key_index[k], len = i < n ? lens[i] : 0, need;
        int status = rs__add_size(used, len + 1, &need);
        if (status == 0)
            status = rs__grow((void **)&c->key_buf, &c->key_cap, need, 1);
        if (status != 0)
            return status;
        if (len)
            memcpy(c->key_buf + used, fields[i], len);
        c->key_buf[used + len] = '\0';
        used = need;
    }
    *hash = XXH3_128bits(c->key_buf, used);
    return 0;
}

/* A field quoted for a reason, cut to a readable length. */
static const char *show(const char *s, size_t len, char *out, size_t cap)
{
    snprintf(out, cap, "\"%.*s%s\"", len > 60 ? 60 : (int)len, s, len > 60 ? "..." : "");
    return out;
}

/*
 * Evaluate one rule: 1 to drop (with a reason in `reason`), 0 to keep, or a
 * negative status.
 */
static int evaluate(rs_cleaner *c, struct rule *rule, const rs_reader *reader, char *reason,
                    size_t cap)
{
    const size_t *lens;
    const char *const *fields = rs__reader_fields(reader, &lens);
    size_t n = rs_reader_field_count(reader);
    const char *s = "";
    size_t len = 0;
    char text[80];
    if (rule->column && rule->index < n) {
        s = fields[rule->index];
        len = lens[rule->index];
    }
    switch (rule->kind) {
    case RULE_REQUIRED:
        if (!is_missing(c, s, len))
            return 0;
        snprintf(reason, cap, "%s is missing (%s)", rule->column, show(s, len, text, sizeof text));
        return 1;
    case RULE_TYPE: {
        double d;
        int64_t i;
        int status = is_missing(c, s, len)              ? RS_ERR_PARSE
                     : rule->type == RS_TYPE_NUMBER  ? rs__parse_double(s, len, &d)
                     : rule->type == RS_TYPE_INTEGER ? rs__parse_int64(s, len, &i)
                                                     : rs__parse_time(s, len, &i);
        if (status == 0)
            return 0;
        snprintf(reason, cap, "%s %s is not %s", rule->column, show(s, len, text, sizeof text),
                 rule->type == RS_TYPE_NUMBER    ? "a finite number"
                 : rule->type == RS_TYPE_INTEGER ? "an integer"
                                                 : "a timestamp");
        return 1;
    }
    case RULE_RANGE: {
        double d = 0;
        bool low_ok, high_ok;
        if (rs__parse_double(s, len, &d) != 0) {
            snprintf(reason, cap, "%s %s is not a finite number", rule->column,
                     show(s, len, text, sizeof text));
            return 1;
        }
        low_ok = (rule->flags & RS_RANGE_MIN_EXCLUSIVE) ? d > rule->min : d >= rule->min;
        high_ok = (rule->flags & RS_RANGE_MAX_EXCLUSIVE) ? d < rule->max : d <= rule->max;
        if (low_ok && high_ok)
            return 0;
        snprintf(reason, cap, "%s %s is outside %c%g, %g%c", rule->column,
                 show(s, len, text, sizeof text),
                 (rule->flags & RS_RANGE_MIN_EXCLUSIVE) ? '(' : '[', rule->min, rule->max,
                 (rule->flags & RS_RANGE_MAX_EXCLUSIVE) ? ')' : ']');
        return 1;
    }
    case RULE_ALLOWED:
        if (rs__idmap_find(rule->allowed, s, len) != RS_IDMAP_NONE)
            return 0;
        snprintf(reason, cap, "%s %s is not an allowed value", rule->column,
                 show(s, len, text, sizeof text));
        return 1;
    case RULE_MATCH: {
        static const char *const verbs[] = {"is", "starts with", "contains",
                                            "starts with one of"};
        bool hit = matches(rule, s, len);
        if (hit == (rule->drop == RS_DROP_NO_MATCH))
            return 0;
        snprintf(reason, cap, "%s %s %s%s \"%s\"", rule->column, show(s, len, text, sizeof text),
                 hit ? "" : "does not ", hit ? verbs[rule->match]
                 : rule->match == RS_MATCH_EXACT ? "equal"
                 : rule->match == RS_MATCH_PREFIX ? "start with"
                 : rule->match == RS_MATCH_CONTAINS ? "contain" : "start with one of",
                 rule->pattern);
        return 1;
    }
    case RULE_IMPORT:
        return 0;
    case RULE_CALLBACK: {
        int verdict = rule->predicate(fields, lens, n, rule->context);
        if (verdict < 0)
            return rs__fail(RS_ERR_CALLBACK, "%s:%llu: cleaning rule \"%s\": the predicate "
                            "returned %d", rs_reader_name(reader),
                            (unsigned long long)rs_reader_line(reader), rule->name, verdict);
        if (verdict == 0)
            return 0;
        snprintf(reason, cap, "dropped by the predicate");
        return 1;
    }
    default: {
        XXH128_hash_t hash;
        uint64_t first = 0;
        int status = dedup_key(c, rule, reader, &hash);
        if (status == 0)
            status = seen_insert(rule, hash, rs_reader_line(reader), &first);
        if (status != 0)
            return status;
        if (!first)
            return 0;
        snprintf(reason, cap, "duplicate of line %llu", (unsigned long long)first);
        return 1;
    }
    }
}

int rs_cleaner_check(rs_cleaner *c, rs_reader *reader, int *keep_out)
{
    size_t i;
    int status;
    char reason[256];
    if (!c || !reader || !keep_out)
        return rs__fail(RS_ERR_INVALID, "rs_cleaner_check: %s is NULL",
                        !c ? "cleaner" : !reader ? "reader" : "keep_out");
    if (rs_reader_field_count(reader) == 0)
        return rs__fail(RS_ERR_STATE, "rs_cleaner_check: %s has no current row",
                        rs_reader_name(reader));
    status = bind(c, reader);
    if (status != 0)
        return status;
    for (i = 0; i < c->count; i++) {
        struct rule *rule = &c->rules[i];
        status = evaluate(c, rule, reader, reason, sizeof reason);
        if (status < 0)
            return status;
        if (status == 0)
            continue;
        if (c->reject &&
            fprintf(c->reject, "%s:%llu: %s: %s\n", rs_reader_name(reader),
                    (unsigned long long)rs_reader_line(reader), rule->name, reason) < 0)
            return rs__fail(RS_ERR_IO, "%s: cannot write the reject file: %s", c->reject_path,
                            strerror(errno));
        rule->dropped++;
        *keep_out = 0;
        return 0;
    }
    c->kept++;
    *keep_out = 1;
    return 0;
}

int rs__cleaner_reject(rs_cleaner *c, const rs_reader *reader, const char *name,
                       const char *reason)
{
    struct rule *rule = NULL;
    int status;
    for (size_t i = 0; i < c->count && !rule; i++)
        if (c->rules[i].kind == RULE_IMPORT && strcmp(c->rules[i].name, name) == 0)
            rule = &c->rules[i];
    if (!rule) {
        if ((status = commit_rule(c, add_rule(c, "rs_cleaner_check", name, NULL, false,
                                              RULE_IMPORT, &rule))) != 0)
            return status;
        rule = &c->rules[c->count - 1];
    }
    if (c->reject &&
        fprintf(c->reject, "%s:%llu: %s: %s\n", rs_reader_name(reader),
                (unsigned long long)rs_reader_line(reader), name, reason) < 0)
        return rs__fail(RS_ERR_IO, "%s: cannot write the reject file: %s", c->reject_path,
                        strerror(errno));
    rule->dropped++;
    if (c->kept > 0)
        c->kept--;
    return 0;
}

/* ------------------------------------------------------------ normalisation */

int rs_io_normalize(double *values, size_t count, int method, double param)
{
    size_t i;
    double low, high, mean = 0, m2 = 0;
    if (!values && count > 0)
        return rs__fail(RS_ERR_INVALID, "rs_io_normalize: values is NULL");
    if (method < RS_NORM_SCALE || method > RS_NORM_ZSCORE)
        return rs__fail(RS_ERR_INVALID, "rs_io_normalize: unknown method %d", method);
    if (method == RS_NORM_SCALE && !(isfinite(param) && param > 0))
        return rs__fail(RS_ERR_RANGE, "rs_io_normalize: scale %g is not finite and > 0", param);
    for (i = 0; i < count; i++)
        if (!isfinite(values[i]))
            return rs__fail(RS_ERR_RANGE, "rs_io_normalize: values[%zu] is %g", i, values[i]);
    if (count == 0)
        return 0;
    switch (method) {
    case RS_NORM_SCALE:
        for (i = 0; i < count; i++)
            values[i] /= param;
        break;
    case RS_NORM_MINMAX:
        low = high = values[0];
        for (i = 1; i < count; i++) {
            low = values[i] < low ? values[i] : low;
            high = values[i] > high ? values[i] : high;
        }
        for (i = 0; i < count; i++)
            values[i] = high > low ? (values[i] - low) / (high - low) : 0.0;
        break;
    default:
        /* Welford's update: stable for large offsets. */
        for (i = 0; i < count; i++) {
            double delta = values[i] - mean;
            mean += delta / (double)(i + 1);
            m2 += delta * (values[i] - mean);
        }
        {
            double sd = sqrt(m2 / (double)count);
            for (i = 0; i < count; i++)
                values[i] = sd > 0 ? (values[i] - mean) / sd : 0.0;
        }
        break;
    }
    return 0;
}

/* ------------------------------------------------------------- most frequent */

struct rs_mostfreq {
    rs_idmap *keys;  /* key -> key index */
    rs_idmap *pairs; /* key length (8 bytes) + key + text -> pair index */
    uint64_t *pair_count;
    size_t pair_cap;
    uint32_t *best; /* per key index: its best pair */
    size_t best_cap;
    char *scratch;
    size_t scratch_cap;
};

int rs_mostfreq_create(rs_mostfreq **out)
{
    rs_mostfreq *m;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_mostfreq_create: out is NULL");
    *out = NULL;
    m = rs__calloc(1, sizeof *m);
    if (!m)
        return RS_ERR_NOMEM;
    m->keys = rs__idmap_create();
    m->pairs = rs__idmap_create();
    if (!m->keys || !m->pairs) {
        rs_mostfreq_free(m);
        return rs__fail(RS_ERR_NOMEM, "rs_mostfreq_create: out of memory");
    }
    *out = m;
    return 0;
}

void rs_mostfreq_free(rs_mostfreq *m)
{
    if (!m)
        return;
    rs__idmap_free(m->keys);
    rs__idmap_free(m->pairs);
    free(m->pair_count);
    free(m->best);
    free(m->scratch);
    free(m);
}

static int pair_key(rs_mostfreq *m, const char *key, size_t key_len, const char *text,
                    size_t text_len, size_t *len_out)
{
    uint64_t prefix = key_len;
    size_t need;
    int status = rs__add_size(key_len, text_len, &need);
    if (status == 0)
        status = rs__add_size(need, sizeof prefix, &need);
    if (status == 0)
        status = rs__grow((void **)&m->scratch, &m->scratch_cap, need ? need : 1, 1);
    if (status != 0)
        return status;
    memcpy(m->scratch, &prefix, sizeof prefix);
    if (key_len)
        memcpy(m->scratch + sizeof prefix, key, key_len);
    if (text_len)
        memcpy(m->scratch + sizeof prefix + key_len, text, text_len);
    *len_out = need;
    return 0;
}

static const char *pair_text(const rs_mostfreq *m, uint32_t pair, size_t *len_out)
{
    size_t len;
    const char *stored = rs__idmap_key(m->pairs, pair, &len);
    uint64_t key_len;
    memcpy(&key_len, stored, sizeof key_len);
    *len_out = len - sizeof key_len - (size_t)key_len;
    return stored + sizeof key_len + key_len;
}

int rs_mostfreq_add(rs_mostfreq *m, const char *key, size_t key_len, const char *text,
                    size_t text_len)
{
    uint32_t key_index, pair;
    bool new_key = false, new_pair = false;
    size_t len;
    int status;
    if (!m || (!key && key_len) || (!text && text_len))
        return rs__fail(RS_ERR_INVALID, "rs_mostfreq_add: %s is NULL",
                        !m ? "counter" : !key ? "key" : "text");
    status = pair_key(m, key ? key : "", key_len, text ? text : "", text_len, &len);
    if (status != 0)
        return status;
    /* Reserve the arrays first so that interning cannot leave them short. */
    status = rs__grow((void **)&m->pair_count, &m->pair_cap, rs__idmap_span(m->pairs) + 1,
                      sizeof *m->pair_count);
    if (status == 0)
        status = rs__grow((void **)&m->best, &m->best_cap, rs__idmap_span(m->keys) + 1,
                          sizeof *m->best);
    if (status == 0)
        status = rs__idmap_intern(m->keys, key ? key : "", key_len, &key_index, &new_key);
    if (status != 0)
        return status;
    status = rs__idmap_intern(m->pairs, m->scratch, len, &pair, &new_pair);
    if (status != 0) {
        if (new_key)
            rs__idmap_remove(m->keys, key ? key : "", key_len);
        return status;
    }
    if (new_pair)
        m->pair_count[pair] = 0;
    m->pair_count[pair]++;
    if (new_key) {
        m->best[key_index] = pair;
    } else if (m->best[key_index] != pair) {
        uint32_t best = m->best[key_index];
        uint64_t best_count = m->pair_count[best], count = m->pair_count[pair];
        if (count > best_count) {
            m->best[key_index] = pair;
        } else if (count == best_count) {
            size_t best_len, this_len, common;
            const char *best_text = pair_text(m, best, &best_len);
            const char *this_text = pair_text(m, pair, &this_len);
            int order;
            common = best_len < this_len ? best_len : this_len;
            order = memcmp(this_text, best_text, common);
            if (order < 0 || (order == 0 && this_len < best_len))
                m->best[key_index] = pair;
        }
    }
    return 0;
}

int rs__mostfreq_find(const rs_mostfreq *m, const char *key, size_t key_len,
                      const char **text_out)
{
    size_t len;
    uint32_t key_index = rs__idmap_find(m->keys, key, key_len);
    if (key_index == RS_IDMAP_NONE)
        return RS_ERR_NOTFOUND;
    *text_out = pair_text(m, m->best[key_index], &len);
    return 0;
}

int rs_mostfreq_get(const rs_mostfreq *m, const char *key, size_t key_len,
                    const char **text_out, uint64_t *count_out)
{
    uint32_t key_index;
    size_t len;
    if (!m || (!key && key_len) || !text_out)
        return rs__fail(RS_ERR_INVALID, "rs_mostfreq_get: %s is NULL",
                        !m ? "counter" : !text_out ? "text_out" : "key");
    key_index = rs__idmap_find(m->keys, key ? key : "", key_len);
    if (key_index == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "rs_mostfreq_get: key \"%.*s\" was never added",
                        key_len > 60 ? 60 : (int)key_len, key ? key : "");
    *text_out = pair_text(m, m->best[key_index], &len);
    if (count_out)
        *count_out = m->pair_count[m->best[key_index]];
    return 0;
}
