/*
 * graph_internal.h - what other modules (item store, embedders, scorer) may
 * use of an rs_graph beyond the public API: the SQLite connection, the meta
 * table, node ids, and read-only views of the in-memory adjacency.
 *
 * Every pointer handed out here is borrowed: it stays valid until the next
 * write to the graph (add/delete of nodes, relations or edges, bulk commit)
 * or its close.  Reads never change the graph, so several threads may read
 * the adjacency at once while nothing writes.
 */
#ifndef RS_GRAPH_INTERNAL_H
#define RS_GRAPH_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recsim.h"

/* The graph's SQLite connection (WAL, foreign keys off).  Modules keep their
 * own tables in the same file; use SAVEPOINTs, never BEGIN, since a graph
 * bulk load may have a transaction open. */
sqlite3 *rs__graph_db(rs_graph *g);
/* For modules that run their own statements on rs__graph_db(): the status of
 * the connection's last error (corrupt, busy, out of memory, read-only, else
 * I/O), failed with rs__fail as "what: sqlite's message". */
int rs__graph_db_fail(sqlite3 *db, const char *what);

/* Was the graph opened with RS_GRAPH_READONLY? */
bool rs__graph_readonly(const rs_graph *g);

/* The SQLite id (nodes.id, node_vectors.node_id) of a node index, or -1 for
 * an index that is out of range or a deleted node.  Ids are never reused,
 * even across sessions, while indices are renumbered densely on open. */
int64_t rs__graph_node_rowid(const rs_graph *g, uint32_t node);

/* The node index of a SQLite node id; RS_ERR_NOTFOUND when there is none. */
int rs__graph_node_from_rowid(const rs_graph *g, int64_t rowid, uint32_t *node_out);

/* One raw interaction event (graph_events.c): node and relation indices,
 * time, weight. */
typedef struct rs__graph_event {
    uint32_t src, relation, dst;
    int64_t time;
    double weight;
} rs__graph_event;

/* Add the events to table interaction_events (created when missing; events
 * of one (src, relation, dst, time) sum their weights), sorting the array
 * in place.  The caller holds the transaction. */
int rs__graph_events_write(rs_graph *g, rs__graph_event *events, size_t n);

/* The events the graph held before an import began, so that the import can
 * skip the rows it already has (RS_IMPORT_SKIP_KNOWN).  take() gives 1 when
 * e matches: its (src, relation, dst, time) is in interaction_events with a
 * summed weight of which at least e->weight is not yet matched (the match
 * is then used up), 0 when e is new, or a negative status.  Nodes created
 * after open() have no earlier events. */
typedef struct rs__graph_known rs__graph_known;
int rs__graph_known_open(rs_graph *g, rs__graph_known **out);
void rs__graph_known_close(rs__graph_known *k);
int rs__graph_known_take(rs__graph_known *k, const rs__graph_event *e);
/* Delete the raw events of one relation (the caller holds the transaction). */
int rs__graph_events_delete(rs_graph *g, uint32_t relation);
/* Does the graph's file hold table interaction_events? */
int rs__graph_has_events(rs_graph *g, bool *found);

/* meta(key, value): set (insert or replace) and get a malloc'd copy (free
 * with free(); a zero-length value gives a non-NULL 1-byte buffer).  get
 * returns RS_ERR_NOTFOUND when the key is absent. */
int rs__graph_meta_set(rs_graph *g, const char *key, const void *value, size_t len);
int rs__graph_meta_get(rs_graph *g, const char *key, void **value_out, size_t *len_out);
/* The spelling of meta key in g's file, for SQL that reads meta directly:
 * key itself, or (an older file opened read-only) its old spelling in buf. */
const char *rs__graph_meta_read_key(const rs_graph *g, const char *key, char *buf, size_t size);

/* The entity rows' facts with their times (graph_events.c): an import of
 * timed entity rows records, per row, each property value and each
 * attribute edge it gives, so that a train-only copy at a cut can keep the
 * facts of the rows before it alone (src/model/model_eval.c).  One
 * observer per import gathers them in memory; its flush writes them in
 * the import's transaction. */
typedef struct rs__graph_observer rs__graph_observer;
int rs__graph_observer_open(rs_graph *g, rs__graph_observer **out);
void rs__graph_observer_close(rs__graph_observer *o);
/* One row's value of a property (value_len bytes) at time (INT64_MIN: an
 * untimed row). */
int rs__graph_observe_property(rs__graph_observer *o, uint32_t node, const char *name,
                               const char *value, size_t value_len, int64_t time);
/* One row's attribute edge src -relation-> dst at time. */
int rs__graph_observe_edge(rs__graph_observer *o, uint32_t src, uint32_t relation, uint32_t dst,
                           int64_t time);
/* Write what the observer gathered (merged with what the file holds). */
int rs__graph_observer_flush(rs__graph_observer *o);
/* Does the file hold observations (tables property_ and edge_observations)? */
int rs__graph_has_observations(rs_graph *g, bool *found);

/* Save the edge snapshot (graph_snapshot.c): table edges in one meta blob
 * that the next open reads instead of the table, kept true by triggers
 * that delete it on any change to the table.  For the end of a build, in
 * the caller's transaction; RS_ERR_READONLY on a read-only graph. */
int rs__graph_snapshot_save(rs_graph *g);

/* Node index range: indices are < span; deleted nodes leave holes. */
size_t rs__graph_node_span(const rs_graph *g);

/* The type index of a node (UINT32_MAX for a hole or out of range), the
 * number of types, a type's index by name (RS_IDMAP_NONE/UINT32_MAX when
 * unknown) and its name (NULL when out of range). */
uint32_t rs__graph_node_type(const rs_graph *g, uint32_t node);
size_t rs__graph_type_count(const rs_graph *g);
uint32_t rs__graph_type_find(const rs_graph *g, const char *type);
const char *rs__graph_type_name(const rs_graph *g, uint32_t type);

/* Relation count and weight (0 for an unknown relation). */
size_t rs__graph_relation_count(const rs_graph *g);
float rs__graph_relation_weight(const rs_graph *g, uint32_t relation);

/*
 * The adjacency of one direction.  Node v's edges are the slots
 * start[v] .. start[v] + degree[v] - 1; for each slot, target is the
 * neighbour (the destination for RS_GRAPH_OUT, the source for RS_GRAPH_IN),
 * relation the relation index and weight the edge weight (the relation's
 * weight is separate: rs__graph_relation_weight).  Slots between lists may
 * be unused, so always go through start/degree.  The order of a list is
 * unspecified.  Holes (deleted nodes) have degree 0.
 */
typedef struct rs__graph_csr {
    size_t nodes;             /* node span; arrays start/degree have this length */
    size_t edges;             /* live edges (sum of degree) */
    const uint32_t *start;
    const uint32_t *degree;
    const uint32_t *target;
    const uint32_t *relation;
    const float *weight;
} rs__graph_csr;

/* Fill *out with the adjacency of direction RS_GRAPH_OUT or RS_GRAPH_IN.
 * Returns 0, or RS_ERR_INVALID for a NULL argument or another direction. */
int rs__graph_adjacency(const rs_graph *g, unsigned direction, rs__graph_csr *out);

/* Bumped by every write that changes nodes, relations or edges, so that a
 * module caching something derived from the graph can tell it is stale. */
uint64_t rs__graph_generation(const rs_graph *g);

/* Did another connection commit to the file since this graph read it (its
 * memory is out of date), or was it marked stale?  False when the version
 * cannot be read (the next statement reports that failure). */
bool rs__graph_changed(rs_graph *g);

/* Mark the memory as out of date (after the caller rolled back a
 * transaction whose writes it holds), so that the next check_current fails
 * and the owner reads the file again. */
void rs__graph_mark_stale(rs_graph *g);

/* The properties that may hold a node's text, in order of preference: the
 * one rule of rs_graph_node_text (graph_node_text.c). */
#define RS__NODE_TEXT_PROPERTIES "name", "description", "title", "text"

/* rs_graph_node_text copied whole into *out (malloc'd, the caller frees);
 * *out is NULL when the node has no text.  RS_OK, or the status of a failed
 * read (never taken for "no text"). */
int rs__graph_node_text_dup(const rs_graph *graph, uint32_t node, char **out);

#endif
