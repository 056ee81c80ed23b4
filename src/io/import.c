/*
 * import.c - interaction logs, catalogues and profiles into the knowledge
 * graph, each call one graph bulk load (one SQLite transaction), rolled back
 * whole on any error so that the model file stays as it was.
 */
#include "io/io.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/idmap.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPE_NAME 128

/* One (user, relation, item) edge of an interaction import, aggregated over
 * its rows: weights summed, the first or the last timestamp kept (as the
 * import asks).  32 bytes: at 50 M edges the table is the import's largest
 * allocation (issue 20). */
struct edge_sum {
    uint32_t src, relation, dst;
    uint16_t used, timed; /* timed: a row of the edge had a timestamp */
    double weight;
    int64_t time;
};


/* One attribute column: its index, entity type and relation. */
struct attribute {
    size_t column;
    char type[MAX_TYPE_NAME];
    uint32_t relation;
};

/* One property column: the most frequent value of each node wins. */
struct property {
    size_t column;
    char name[MAX_TYPE_NAME];
    rs_mostfreq *values;
};

struct import {
    rs_graph *graph;
    rs_reader *reader;
    const char *node_type; /* "user" or "item" for entity imports */
    size_t key_column;
    /* interactions */
    size_t item_column, weight_column, time_column, event_column;
    bool has_weight, has_time, has_event;
    uint32_t relation;
    const char *relation_name;
    struct edge_sum *edges; /* open addressing, load <= 3/4 */
    size_t edge_cap, edge_count;
    bool first_time, skip_known;
    rs__graph_event *raw; /* every timed row, for the raw event table */
    rs__graph_known *known; /* RS_IMPORT_SKIP_KNOWN: the graph's earlier events */
    uint64_t known_rows;    /* rows skipped as known */
    size_t raw_count, raw_cap;
    char *last_user; /* cache: the previous row's user key and node (logs are */
    size_t last_user_cap; /* grouped by user or invoice, so it often repeats) */
    uint32_t last_user_node;
    bool has_last_user;
    char *last_event; /* cache: the relation of the previous row's event */
    uint32_t last_event_relation;
    /* entities */
    struct attribute *attributes;
    size_t attribute_count;
    struct property *properties;
    size_t property_count;
    rs_idmap *seen_keys; /* entity imports: node keys seen so far ... */
    uint32_t *seen_nodes; /* ... and their nodes, by the key's index */
    size_t seen_cap;
    bool has_friends;
    size_t friends_column;
    uint32_t friend_relation;
    /* timed entity rows: their facts with their times (graph_events.c) */
    bool observe;
    size_t entity_time_column;
    rs__graph_observer *observer;
    int64_t row_time; /* the current entity row's time, INT64_MIN for none */
    char *scratch;
    size_t scratch_cap;
};

/* Prefix the current message with the row's file:line. */
static int row_fail(const struct import *im)
{
    return rs__fail_context("%s:%llu: ", rs_reader_name(im->reader),
                            (unsigned long long)rs_reader_line(im->reader));
}

static const char *field(const struct import *im, size_t column, size_t *len)
{
    const char *text = rs_reader_field(im->reader, column, len);
    if (!text) {
        *len = 0;
        return "";
    }
    return text;
}

/* The node (type, key) of a field, created on demand. */
static int node_of(struct import *im, const char *type, const char *key, const char *what,
                   uint32_t *node)
{
    if (!key[0])
        return rs__fail(RS_ERR_INVALID, "%s:%llu: the %s is empty", rs_reader_name(im->reader),
                        (unsigned long long)rs_reader_line(im->reader), what);
    if (rs_graph_add_node(im->graph, type, key, node) != 0)
        return row_fail(im);
    return 0;
}

static size_t edge_slot(const struct edge_sum *table, size_t cap, uint32_t src,
                        uint32_t relation, uint32_t dst)
{
    uint64_t h = ((uint64_t)src * UINT64_C(0x9E3779B97F4A7C15)) ^
                 ((uint64_t)dst * UINT64_C(0xC2B2AE3D27D4EB4F)) ^ ((uint64_t)relation << 17);
    size_t at = (size_t)(h ^ (h >> 29)) & (cap - 1);
    while (table[at].used &&
           (table[at].src != src || table[at].dst != dst || table[at].relation != relation))
        at = (at + 1) & (cap - 1);
    return at;
}

/* Add one row's weight and time to its edge in the aggregation table. */
static int sum_edge(struct import *im, uint32_t src, uint32_t relation, uint32_t dst,
                    double weight, bool timed, int64_t timestamp)
{
    struct edge_sum *e;
    if ((im->edge_count + 1) / 3 * 4 >= im->edge_cap) { /* linear probing stays short */
        size_t cap = im->edge_cap ? im->edge_cap * 2 : 4096, i;
        struct edge_sum *table = rs__calloc(cap, sizeof *table);
        if (!table)
            return rs_errcode();
        for (i = 0; i < im->edge_cap; i++)
            if (im->edges[i].used)
                table[edge_slot(table, cap, im->edges[i].src, im->edges[i].relation,
                                im->edges[i].dst)] = im->edges[i];
        free(im->edges);
        im->edges = table;
        im->edge_cap = cap;
    }
    e = &im->edges[edge_slot(im->edges, im->edge_cap, src, relation, dst)];
    if (!e->used) {
        e->used = 1;
        e->src = src;
        e->relation = relation;
        e->dst = dst;
        e->time = 0;
        im->edge_count++;
    }
    e->weight += weight;
    if (!isfinite(e->weight))
        return rs__fail(RS_ERR_RANGE, "%s:%llu: the summed weight of this edge overflows",
                        rs_reader_name(im->reader),
                        (unsigned long long)rs_reader_line(im->reader));
    if (timed && !e->timed) {
        e->timed = 1;
        e->time = timestamp;
    } else if (timed && (im->first_time ? timestamp < e->time : timestamp > e->time)) {
        e->time = timestamp;
    }
    return 0;
}

/* After the last row: hand the aggregated edges to the graph's bulk load,
 * and the rows to the raw event table.  Each table is freed once handed
 * over, so that the graph's commit (which sorts its queue of edges) does
 * not find them still held: the import's peak memory (issue 20). */
static int write_edges(struct import *im)
{
    size_t i;
    for (i = 0; i < im->edge_cap; i++) {
        const struct edge_sum *e = &im->edges[i];
        if (e->used && rs_graph_add_edge(im->graph, e->src, e->relation, e->dst, e->weight,
                                         e->time, RS_GRAPH_MERGE_SUM) != 0)
            return rs__fail_context("%s: ", rs_reader_name(im->reader));
    }
    free(im->edges);
    im->edges = NULL;
    im->edge_cap = im->edge_count = 0;
    if (rs__graph_events_write(im->graph, im->raw, im->raw_count) != 0)
        return rs__fail_context("%s: ", rs_reader_name(im->reader));
    free(im->raw);
    im->raw = NULL;
    im->raw_count = im->raw_cap = 0;
    return 0;
}

static int interaction_row(struct import *im)
{
    size_t len;
    uint32_t user, item, relation = im->relation;
    double weight = 1.0;
    int64_t timestamp = 0;
    int status;

    const char *user_key = field(im, im->key_column, &len);
    if (im->has_last_user && strcmp(im->last_user, user_key) == 0) {
        user = im->last_user_node;
    } else {
        if ((status = node_of(im, "user", user_key, "user key", &user)) != 0)
            return status;
        im->has_last_user = false;
        if ((status = rs__grow((void **)&im->last_user, &im->last_user_cap, len + 1, 1)) != 0)
            return status;
        memcpy(im->last_user, user_key, len + 1);
        im->last_user_node = user;
        im->has_last_user = true;
    }
    if ((status = node_of(im, "item", field(im, im->item_column, &len), "item key", &item)) != 0)
        return status;
    /* an empty weight or time (a JSON key absent from this row, or null)
     * is a missing value: the row counts as without that column; a cleaner
     * rule drops such rows instead when they must not count */
    if (im->has_weight && (field(im, im->weight_column, &len), len > 0)) {
        if ((status = rs_reader_double(im->reader, im->weight_column, &weight)) != 0)
            return status;
        if (weight < 0)
            return rs__fail(RS_ERR_RANGE, "%s:%llu: weight %g is negative (add a range rule to "
                            "the cleaner to drop such rows)", rs_reader_name(im->reader),
                            (unsigned long long)rs_reader_line(im->reader), weight);
    }
    bool timed = im->has_time && (field(im, im->time_column, &len), len > 0);
    if (timed && (status = rs_reader_time(im->reader, im->time_column, &timestamp)) != 0)
        return status;
    if (im->has_event) {
        const char *event = field(im, im->event_column, &len);
        if (!im->last_event || strcmp(im->last_event, event) != 0) {
            char *copy;
            if (!event[0])
                return rs__fail(RS_ERR_INVALID, "%s:%llu: the event is empty",
                                rs_reader_name(im->reader),
                                (unsigned long long)rs_reader_line(im->reader));
            if (rs_graph_add_relation(im->graph, event, &im->last_event_relation) != 0)
                return row_fail(im);
            copy = rs__strdup(event);
            if (!copy)
                return RS_ERR_NOMEM;
            free(im->last_event);
            im->last_event = copy;
        }
        relation = im->last_event_relation;
    }
    if (timed && im->known) {
        rs__graph_event e = {user, relation, item, timestamp, weight};
        if ((status = rs__graph_known_take(im->known, &e)) < 0)
            return status;
        if (status == 1) {
            im->known_rows++;
            return 0;
        }
    }
    if (timed) { /* a raw event needs its own time */
        if (im->raw_count == im->raw_cap &&
            (status = rs__grow((void **)&im->raw, &im->raw_cap, im->raw_count + 1,
                               sizeof *im->raw)) != 0)
            return status;
        im->raw[im->raw_count++] = (rs__graph_event){user, relation, item, timestamp, weight};
    }
    return sum_edge(im, user, relation, item, weight, timed, timestamp);
}

/* Call fn(im, node, part) for each '|'-separated, trimmed, non-empty part. */
static int each_value(struct import *im, const char *text, size_t len, uint32_t node,
                      int (*fn)(struct import *, uint32_t, const char *, void *), void *arg)
{
    size_t start = 0;
    int status;
    if ((status = rs__grow((void **)&im->scratch, &im->scratch_cap, len + 1, 1)) != 0)
        return status;
    while (start <= len) {
        const char *bar = memchr(text + start, '|', len - start);
        size_t end = bar ? (size_t)(bar - text) : len, a = start, b = end;
        while (a < b && (text[a] == ' ' || text[a] == '\t'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
            b--;
        if (b > a) {
            memcpy(im->scratch, text + a, b - a);
            im->scratch[b - a] = '\0';
            if ((status = fn(im, node, im->scratch, arg)) != 0)
                return status;
        }
        start = end + 1;
    }
    return 0;
}

static int add_attribute(struct import *im, uint32_t node, const char *value, void *arg)
{
    const struct attribute *attribute = arg;
    uint32_t entity;
    if (rs_graph_add_node(im->graph, attribute->type, value, &entity) != 0 ||
        rs_graph_add_edge(im->graph, node, attribute->relation, entity, 1.0, 0,
                          RS_GRAPH_MERGE_MAX) != 0 ||
        (im->observer &&
         rs__graph_observe_edge(im->observer, node, attribute->relation, entity, im->row_time)))
        return row_fail(im);
    return 0;
}

static int add_friend(struct import *im, uint32_t node, const char *value, void *arg)
{
    uint32_t other;
    (void)arg;
    if (rs_graph_add_node(im->graph, "user", value, &other) != 0)
        return row_fail(im);
    if (other == node)
        return 0;
    if (rs_graph_add_edge(im->graph, node, im->friend_relation, other, 1.0, 0,
                          RS_GRAPH_MERGE_MAX) != 0 ||
        (im->observer &&
         rs__graph_observe_edge(im->observer, node, im->friend_relation, other, im->row_time)))
        return row_fail(im);
    return 0;
}

/* Count this row's property values for its node (and observe them). */
static int count_properties(struct import *im, uint32_t node, const char *key, size_t key_len)
{
    size_t len, i;
    int status;
    for (i = 0; i < im->property_count; i++) {
        const char *value = field(im, im->properties[i].column, &len);
        if (len == 0)
            continue;
        if ((status = rs_mostfreq_add(im->properties[i].values, key, key_len, value, len)) != 0)
            return status;
        if (im->observer &&
            (status = rs__graph_observe_property(im->observer, node, im->properties[i].name,
                                                 value, len, im->row_time)) != 0)
            return row_fail(im);
    }
    return 0;
}

/* After the last row: write each node's most frequent property values. */
static int write_properties(struct import *im)
{
    size_t n = rs__idmap_span(im->seen_keys), k, i, key_len;
    for (k = 0; k < n; k++) {
        const char *key = rs__idmap_key(im->seen_keys, (uint32_t)k, &key_len);
        for (i = 0; key && i < im->property_count; i++) {
            const char *value;
            if (rs__mostfreq_find(im->properties[i].values, key, key_len, &value) != 0)
                continue; /* no non-empty value for this node */
            if (rs_graph_set_property(im->graph, im->seen_nodes[k], im->properties[i].name,
                                      value) != 0)
                return rs__fail_context("%s: %s \"%s\": property %s: ",
                                        rs_reader_name(im->reader), im->node_type, key,
                                        im->properties[i].name);
        }
    }
    return 0;
}

/* After the last row: the properties, then the observations. */
static int finish_entities(struct import *im)
{
    int status = write_properties(im);
    if (status == 0 && im->observer && rs__graph_observer_flush(im->observer) != 0)
        return rs__fail_context("%s: ", rs_reader_name(im->reader));
    return status;
}

static int entity_row(struct import *im)
{
    size_t key_len, len, i;
    uint32_t node, slot = 0;
    bool created = true;
    const char *key = field(im, im->key_column, &key_len);
    int status = rs__grow((void **)&im->seen_nodes, &im->seen_cap,
                          rs__idmap_span(im->seen_keys) + 1, sizeof *im->seen_nodes);
    if (status == 0 && key_len > 0)
        status = rs__idmap_intern(im->seen_keys, key, key_len, &slot, &created);
    if (status != 0)
        return status;
    if (!created) {
        node = im->seen_nodes[slot];
    } else {
        status = node_of(im, im->node_type, key,
                         strcmp(im->node_type, "user") == 0 ? "user key" : "item key", &node);
        if (status != 0) {
            if (key_len > 0)
                rs__idmap_remove(im->seen_keys, key, key_len);
            return status;
        }
        im->seen_nodes[slot] = node;
    }
    im->row_time = INT64_MIN;
    if (im->observe && (field(im, im->entity_time_column, &len), len > 0)) {
        rs_error_state saved;
        rs__error_save(&saved);
        /* an unreadable time is an untimed row, as before times were kept */
        if (rs_reader_time(im->reader, im->entity_time_column, &im->row_time) != 0) {
            im->row_time = INT64_MIN;
            rs__error_restore(&saved);
        }
    }
    for (i = 0; status == 0 && i < im->attribute_count; i++) {
        const char *text = field(im, im->attributes[i].column, &len);
        status = each_value(im, text, len, node, add_attribute, &im->attributes[i]);
    }
    if (status == 0 && im->has_friends) {
        const char *text = field(im, im->friends_column, &len);
        status = each_value(im, text, len, node, add_friend, NULL);
    }
    if (status == 0 && im->property_count > 0)
        status = count_properties(im, node, key, key_len);
    return status;
}

/*
 * The keys of the current row (the user or item of an entity row; user,
 * item and a non-empty event of an interaction) against the key rules of
 * rs__check_key(): 1 with the reason in reason when one breaks them, else 0.
 */
static int keys_invalid(const struct import *im, char *reason, size_t cap)
{
    const char *what[3];
    size_t columns[3], n = 0, len;
    rs_error_state before;
    int bad = 0;
    what[n] = im->node_type ? (strcmp(im->node_type, "user") == 0 ? "user key" : "item key")
                            : "user key";
    columns[n++] = im->key_column;
    if (!im->node_type) {
        what[n] = "item key";
        columns[n++] = im->item_column;
        if (im->has_event && (field(im, im->event_column, &len), len > 0)) {
            what[n] = "event";
            columns[n++] = im->event_column;
        }
    }
    rs__error_save(&before);
    for (size_t i = 0; i < n && !bad; i++) {
        const char *key = field(im, columns[i], &len);
        if (strlen(key) != len) { /* a NUL inside the field */
            snprintf(reason, cap, "%s has a control character (U+0000) at byte %zu", what[i],
                     strlen(key));
            bad = 1;
        } else if (rs__check_key(key, what[i], NULL) != 0) {
            snprintf(reason, cap, "%s", rs_errmsg());
            bad = 1;
        }
    }
    rs__error_restore(&before);
    return bad;
}

/* Read every row, clean, apply row_fn, all inside one bulk load. */
static int run(struct import *im, rs_cleaner *cleaner, int (*prepare)(struct import *),
               int (*row_fn)(struct import *), int (*finish)(struct import *),
               uint64_t *rows_out)
{
    uint64_t rows = 0;
    int status, keep;
    char reason[256];
    if ((status = rs_graph_bulk_begin(im->graph)) != 0)
        return status;
    /* Relations are created inside the bulk load, so that a failed import
     * removes them too. */
    status = prepare(im);
    while (status == 0 && (status = rs_reader_next(im->reader)) == 1) {
        if (cleaner) {
            if ((status = rs_cleaner_check(cleaner, im->reader, &keep)) != 0)
                break;
            if (!keep)
                continue;
            /* a key the graph would refuse: a rejected row, not a failure */
            if (keys_invalid(im, reason, sizeof reason)) {
                if ((status = rs__cleaner_reject(cleaner, im->reader, "invalid key", reason)))
                    break;
                continue;
            }
        }
        if ((status = row_fn(im)) != 0)
            break;
        rows++;
    }
    if (status == 0 && finish)
        status = finish(im);
    if (status != 0) {
        rs_graph_bulk_abort(im->graph); /* keeps the message of the failure */
        return status;
    }
    if ((status = rs_graph_bulk_commit(im->graph)) != 0)
        return status;
    if (rows_out)
        *rows_out = rows;
    return 0;
}

static int check_common(rs_graph *graph, rs_reader *reader, const char *fn)
{
    if (!graph || !reader)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, graph ? "reader" : "graph");
    if (rs__reader_rows_returned(reader) != 0)
        return rs__fail(RS_ERR_STATE, "%s: %s: the reader has already returned rows", fn,
                        rs_reader_name(reader));
    return 0;
}

static void release(struct import *im)
{
    size_t i;
    for (i = 0; i < im->property_count; i++)
        rs_mostfreq_free(im->properties[i].values);
    free(im->properties);
    rs__idmap_free(im->seen_keys);
    free(im->seen_nodes);
    free(im->attributes);
    free(im->last_event);
    free(im->last_user);
    free(im->edges);
    free(im->raw);
    rs__graph_known_close(im->known);
    free(im->scratch);
    rs__graph_observer_close(im->observer);
}

static int prepare_interactions(struct import *im)
{
    int status;
    /* inside the bulk load: the events committed before this import */
    if (im->skip_known && (status = rs__graph_known_open(im->graph, &im->known)) != 0)
        return status;
    if (im->has_event)
        return 0;
    return rs_graph_add_relation(im->graph, im->relation_name, &im->relation);
}

int rs_io_import_interactions(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                              const char *relation, unsigned flags, uint64_t *rows_out)
{
    return rs__io_import_interactions(graph, reader, cleaner, relation, flags, rows_out, NULL);
}

int rs__io_import_interactions(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                               const char *relation, unsigned flags, uint64_t *rows_out,
                               uint64_t *known_out)
{
    const char *fn = "rs_io_import_interactions";
    uint64_t rows = 0;
    struct import im;
    int status;
    if ((status = check_common(graph, reader, fn)) != 0)
        return status;
    if (flags & ~(RS_IMPORT_UNWEIGHTED | RS_IMPORT_NO_TIME | RS_IMPORT_NO_EVENT |
                  RS_IMPORT_FIRST_TIME | RS_IMPORT_SKIP_KNOWN))
        return rs__fail(RS_ERR_INVALID, "%s: unknown flags 0x%x", fn, flags);
    if (relation && rs__check_key(relation, "relation", NULL) != 0)
        return rs__fail_context("%s: ", fn);
    memset(&im, 0, sizeof im);
    im.graph = graph;
    im.reader = reader;
    im.first_time = (flags & RS_IMPORT_FIRST_TIME) != 0;
    im.skip_known = (flags & RS_IMPORT_SKIP_KNOWN) != 0;
    if ((status = rs_reader_role(reader, RS_ROLE_USER, &im.key_column)) != 0 ||
        (status = rs_reader_role(reader, RS_ROLE_ITEM, &im.item_column)) != 0)
        return rs__fail_context("%s: ", fn);
    im.has_weight = !(flags & RS_IMPORT_UNWEIGHTED) &&
                    rs__reader_find_role(reader, RS_ROLE_WEIGHT, &im.weight_column) == 0;
    im.has_time = !(flags & RS_IMPORT_NO_TIME) &&
                  rs__reader_find_role(reader, RS_ROLE_TIME, &im.time_column) == 0;
    im.has_event = !(flags & RS_IMPORT_NO_EVENT) &&
                   rs__reader_find_role(reader, RS_ROLE_EVENT, &im.event_column) == 0;
    im.relation_name = relation ? relation : "interacted";
    status = run(&im, cleaner, prepare_interactions, interaction_row, write_edges, &rows);
    if (status == 0 && rows_out)
        *rows_out = rows - im.known_rows; /* the skipped rows were counted as read */
    if (status == 0 && known_out)
        *known_out = im.known_rows;
    release(&im);
    return status;
}

/* A column name as a node type or property name: ASCII lower case, spaces
 * as '_', cut to MAX_TYPE_NAME - 5 bytes (room for "has_"). */
static void fold_column(const char *name, char out[MAX_TYPE_NAME])
{
    size_t k, n = 0;
    for (k = 0; name[k] && n + 5 < MAX_TYPE_NAME; k++) {
        char c = name[k];
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c == ' ' ? '_' : c);
    }
    out[n] = '\0';
}

/* Resolve attribute columns and their entity types and relations. */
static int prepare_entities(struct import *im, rs_reader *reader, const char *const *attributes,
                            size_t count, const char *fn)
{
    size_t i;
    if (!attributes && count > 0)
        return rs__fail(RS_ERR_INVALID, "%s: attributes is NULL", fn);
    if (count == 0)
        return 0;
    im->attributes = rs__calloc(count, sizeof *im->attributes);
    if (!im->attributes)
        return RS_ERR_NOMEM;
    for (i = 0; i < count; i++) {
        struct attribute *a = &im->attributes[i];
        const char *name = attributes[i];
        if (!name || !name[0])
            return rs__fail(RS_ERR_INVALID, "%s: attribute %zu is NULL or empty", fn, i);
        if (rs_reader_column(reader, name, &a->column) != 0)
            return rs__fail_context("%s: ", fn);
        fold_column(name, a->type);
        im->attribute_count = i + 1;
    }
    return 0;
}

static int prepare_properties(struct import *im, rs_reader *reader,
                              const char *const *properties, size_t count, const char *fn)
{
    size_t i;
    if (!properties && count > 0)
        return rs__fail(RS_ERR_INVALID, "%s: properties is NULL", fn);
    if (count == 0)
        return 0;
    im->properties = rs__calloc(count, sizeof *im->properties);
    if (!im->properties)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    for (i = 0; i < count; i++) {
        struct property *p = &im->properties[i];
        const char *name = properties[i];
        if (!name || !name[0])
            return rs__fail(RS_ERR_INVALID, "%s: property %zu is NULL or empty", fn, i);
        if (rs_reader_column(reader, name, &p->column) != 0)
            return rs__fail_context("%s: ", fn);
        fold_column(name, p->name);
        im->property_count = i + 1;
        if (rs_mostfreq_create(&p->values) != 0)
            return rs_errcode();
    }
    return 0;
}

/* Create the attribute and friend relations inside the open bulk load. */
static int create_relations(struct import *im)
{
    size_t i;
    char relation[MAX_TYPE_NAME + 8];
    for (i = 0; i < im->attribute_count; i++) {
        snprintf(relation, sizeof relation, "has_%s", im->attributes[i].type);
        if (rs_graph_add_relation(im->graph, relation, &im->attributes[i].relation) != 0)
            return rs_errcode();
    }
    if (im->has_friends && rs_graph_add_relation(im->graph, "friend_of", &im->friend_relation))
        return rs_errcode();
    if (im->observe && rs__graph_observer_open(im->graph, &im->observer) != 0)
        return rs_errcode();
    return 0;
}

static int import_entities(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                           const char *type, int role, const char *const *attributes,
                           size_t count, const char *const *properties, size_t property_count,
                           const char *friends_column, uint64_t *rows_out, const char *fn)
{
    struct import im;
    int status;
    if ((status = check_common(graph, reader, fn)) != 0)
        return status;
    memset(&im, 0, sizeof im);
    im.graph = graph;
    im.reader = reader;
    im.node_type = type;
    if ((status = rs_reader_role(reader, role, &im.key_column)) != 0)
        return rs__fail_context("%s: ", fn);
    if (!(im.seen_keys = rs__idmap_create()))
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    if ((status = prepare_entities(&im, reader, attributes, count, fn)) != 0 ||
        (status = prepare_properties(&im, reader, properties, property_count, fn)) != 0) {
        release(&im);
        return status;
    }
    if (friends_column) {
        if ((status = rs_reader_column(reader, friends_column, &im.friends_column)) != 0) {
            release(&im);
            return rs__fail_context("%s: ", fn);
        }
        im.has_friends = true;
    }
    /* rows with a time (a log holding the catalogue too): observe them */
    im.observe = rs__reader_find_role(reader, RS_ROLE_TIME, &im.entity_time_column) == 0;
    status = run(&im, cleaner, create_relations, entity_row, finish_entities, rows_out);
    release(&im);
    return status;
}

int rs_io_import_items(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                       const char *const *attributes, size_t count,
                       const char *const *properties, size_t property_count, uint64_t *rows_out)
{
    return import_entities(graph, reader, cleaner, "item", RS_ROLE_ITEM, attributes, count,
                           properties, property_count, NULL, rows_out, "rs_io_import_items");
}

int rs_io_import_users(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                       const char *const *attributes, size_t count,
                       const char *const *properties, size_t property_count,
                       const char *friends_column, uint64_t *rows_out)
{
    return import_entities(graph, reader, cleaner, "user", RS_ROLE_USER, attributes, count,
                           properties, property_count, friends_column, rows_out,
                           "rs_io_import_users");
}
