/*
 * recsim/graph.h - the knowledge graph, rs_graph (src/graph).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, text.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_GRAPH_H
#define RECSIM_GRAPH_H

#include "base.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * graph: the knowledge graph, rs_graph (src/graph)
 * ==================================================================== */

/*
 * The knowledge graph: typed nodes (users, items and the entities that join
 * them: brand, category, tag, word ...) with string keys, named relations
 * with a weight each, and weighted, time-stamped edges, persisted in one
 * SQLite file (WAL journal) and mirrored by an in-memory adjacency in both
 * directions, so that traversals never touch SQL.
 *
 * Nodes are addressed by (type, key) at the boundary and by a dense uint32_t
 * index inside; one index space covers every type.  Indices are stable while
 * the graph is open (a deleted node leaves a hole that is never reused) and
 * are renumbered densely, in creation order, when the file is opened again.
 * Relations have dense indices too, stable for ever (relations are never
 * deleted).
 *
 * Thread safety: a graph is used by one thread at a time, except that the
 * calls answered from memory -- rs_graph_find_node, rs_graph_node_key,
 * rs_graph_node_count, rs_graph_node_span, rs_graph_find_relation,
 * rs_graph_relation_name, rs_graph_relation_count,
 * rs_graph_get_relation_weight, rs_graph_edge_count, rs_graph_neighbors,
 * rs_graph_khop and rs_graph_best_paths -- may run concurrently while
 * nothing writes.  Reads that go to the file (rs_graph_get_edge,
 * rs_graph_get_property, rs_graph_search_keys, rs_graph_search_text) share
 * the handle's connection and must not overlap any other call.
 *
 * Lifetime: pointers a graph hands out (names, keys) are borrowed; handles
 * built on a graph (item store, scorer) need it to outlive them.
 */
typedef struct rs_graph rs_graph;

/* Flags of rs_graph_open(). */
#define RS_GRAPH_CREATE 1u   /* create the file when it does not exist */
#define RS_GRAPH_READONLY 2u /* open for reading only; writes fail RS_ERR_READONLY */

/* Directions of traversal. */
#define RS_GRAPH_OUT 1u  /* follow edges from source to destination */
#define RS_GRAPH_IN 2u   /* follow edges from destination to source */
#define RS_GRAPH_BOTH 3u /* both */

/* "Any relation" in a relation filter. */
#define RS_GRAPH_ANY_RELATION 0xFFFFFFFFu

/* Set in a relation index reported by a traversal when the edge was followed
 * backwards (from its destination to its source); mask it off to get the
 * relation: rel & ~RS_GRAPH_REVERSED. */
#define RS_GRAPH_REVERSED 0x80000000u

/* Modes of rs_graph_search_keys(). */
#define RS_GRAPH_MATCH_EXACT 0u  /* the key equals the text */
#define RS_GRAPH_MATCH_PREFIX 1u /* the key starts with the text (byte-wise) */

/* What rs_graph_add_edge() does when the edge exists already. */
typedef enum rs_graph_merge {
    RS_GRAPH_MERGE_NONE = 0,   /* fail with RS_ERR_EXISTS */
    RS_GRAPH_MERGE_SUM = 1,    /* add the weights (repeated events accumulate) */
    RS_GRAPH_MERGE_MAX = 2,    /* keep the larger weight */
    RS_GRAPH_MERGE_REPLACE = 3 /* overwrite weight and timestamp */
} rs_graph_merge;

/**
 * rs_graph_open - open (or create) a knowledge graph file.
 *
 * @path   a file name, or ":memory:" for a graph that lives in memory only.
 * @flags  0, RS_GRAPH_CREATE (create the file when missing) or
 *         RS_GRAPH_READONLY; the two together are invalid.
 * @out    receives the new handle, owned by the caller (rs_graph_close).
 *
 * A new file gets the current schema (version 2); an older one is migrated
 * (read-only: read as it is, migrated by the next writable open); a newer
 * one fails with RS_ERR_VERSION naming both versions.  The whole graph is
 * read into memory.  Another process may read the file while this one
 * writes (WAL).  Read-only, a file whose
 * journal files cannot be created (read-only media, a directory without
 * write permission) is opened as immutable, unless its write-ahead log
 * holds changes.  A write after another handle committed to the same file
 * fails with RS_ERR_BUSY: open the file again to see the other's changes.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL/empty argument, bad flags),
 * RS_ERR_IO (cannot open, e.g. missing without RS_GRAPH_CREATE, or not a
 * regular file: a FIFO, a directory, a device),
 * RS_ERR_CORRUPT (damaged, truncated, foreign or non-SQLite file),
 * RS_ERR_VERSION (written by a newer librecsim), RS_ERR_BUSY (locked),
 * RS_ERR_READONLY (opened for writing, but the file is not writable),
 * RS_ERR_NOMEM.  On error *out is NULL.
 */
RS_API int rs_graph_open(const char *path, unsigned flags, rs_graph **out);

/**
 * rs_graph_close - close a graph and free it.
 *
 * @graph  the graph, or NULL (a no-op).  An open bulk load is rolled back.
 * Every pointer borrowed from the graph becomes invalid.
 */
RS_API void rs_graph_close(rs_graph *graph);

/**
 * rs_graph_add_node - get or create the node (type, key).
 *
 * @graph      the graph.
 * @type       node type, e.g. "user", "item", "brand" (a key: UTF-8, 1 to
 *             RS_MAX_KEY_BYTES bytes); created on first use.
 * @key        the node's key, unique within its type.
 * @index_out  receives the node index (existing or new).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL or empty), RS_ERR_RANGE (key too
 * long), RS_ERR_ENCODING (invalid UTF-8), RS_ERR_READONLY (when the node
 * would be created), RS_ERR_LIMIT, RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_graph_add_node(rs_graph *graph, const char *type, const char *key,
                             uint32_t *index_out);

/**
 * rs_graph_find_node - the index of the node (type, key).
 *
 * Returns RS_OK, RS_ERR_NOTFOUND when there is no such node (or type), or
 * the key errors of rs_graph_add_node().
 */
RS_API int rs_graph_find_node(const rs_graph *graph, const char *type, const char *key,
                              uint32_t *index_out);

/**
 * rs_graph_node_key - the type and key of a node index.
 *
 * @type_out, @key_out  receive borrowed strings (either may be NULL), valid
 *                      until the node is deleted or the graph closed.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL graph), RS_ERR_NOTFOUND (index out of
 * range or deleted).
 */
RS_API int rs_graph_node_key(const rs_graph *graph, uint32_t node, const char **type_out,
                             const char **key_out);

/**
 * rs_graph_node_count - how many live nodes there are of one type.
 *
 * @type       a type name, or NULL for all types; an unknown type counts 0.
 * @count_out  receives the count.
 *
 * Returns RS_OK or RS_ERR_INVALID (NULL graph or count_out).
 */
RS_API int rs_graph_node_count(const rs_graph *graph, const char *type, size_t *count_out);

/**
 * rs_graph_node_span - the node index range: every index is below it.
 *
 * Size arrays indexed by node with it.  Deleted nodes leave holes, so the
 * span may exceed rs_graph_node_count(graph, NULL).  Returns 0 for NULL.
 */
RS_API size_t rs_graph_node_span(const rs_graph *graph);

/**
 * rs_graph_delete_node - delete a node with its edges, properties and vectors.
 *
 * The index becomes a hole: it is not reused while the graph is open.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND, RS_ERR_READONLY,
 * RS_ERR_STATE (during a bulk load), RS_ERR_IO.
 */
RS_API int rs_graph_delete_node(rs_graph *graph, uint32_t node);

/**
 * rs_graph_add_relation - get or create a relation by name.
 *
 * @name          e.g. "bought", "has_brand" (a key).
 * @relation_out  receives its index.  A new relation has weight 1.
 *
 * Returns RS_OK, the key errors of rs_graph_add_node(), RS_ERR_READONLY,
 * RS_ERR_LIMIT, RS_ERR_IO.
 */
RS_API int rs_graph_add_relation(rs_graph *graph, const char *name, uint32_t *relation_out);

/**
 * rs_graph_find_relation - the index of a relation by name.
 *
 * Returns RS_OK, RS_ERR_NOTFOUND, or the key errors of rs_graph_add_node().
 */
RS_API int rs_graph_find_relation(const rs_graph *graph, const char *name,
                                  uint32_t *relation_out);

/**
 * rs_graph_relation_name - the name of a relation (borrowed, valid until the
 * graph is closed), or NULL for an unknown index or NULL graph.
 */
RS_API const char *rs_graph_relation_name(const rs_graph *graph, uint32_t relation);

/**
 * rs_graph_relation_count - the number of relations.
 *
 * Their indices are 0 .. n-1, except that the indices handed out by a bulk
 * load that was rolled back stay unused (a stale index then fails with
 * RS_ERR_NOTFOUND instead of naming another relation): relations created
 * after such a rollback get higher indices, and rs_graph_relation_name()
 * returns NULL for the unused ones.  Reopening the file numbers the
 * relations 0 .. n-1 again.  Returns 0 for a NULL graph.
 */
RS_API size_t rs_graph_relation_count(const rs_graph *graph);

/**
 * rs_graph_set_relation_weight - set how much a relation counts.
 *
 * @weight  finite, >= 0 (default 1); multiplies every edge weight of the
 *          relation in paths and scores.  Kept as a float in memory.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (relation), RS_ERR_RANGE
 * (NaN, Inf, negative), RS_ERR_READONLY, RS_ERR_IO.
 */
RS_API int rs_graph_set_relation_weight(rs_graph *graph, uint32_t relation, double weight);

/**
 * rs_graph_get_relation_weight - a relation's weight into *weight_out.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND.
 */
RS_API int rs_graph_get_relation_weight(const rs_graph *graph, uint32_t relation,
                                        double *weight_out);

/**
 * rs_graph_add_edge - add the edge src -relation-> dst, or merge into it.
 *
 * @weight     finite, >= 0 (kept as a float in memory, a double in the file).
 * @timestamp  caller-defined time (e.g. Unix seconds); 0 when unknown.
 * @merge      an rs_graph_merge: what to do when the edge exists.  SUM and
 *             MAX keep the later of the two timestamps.
 *
 * Inside a bulk load (rs_graph_bulk_begin) the edge is queued and written by
 * rs_graph_bulk_commit(), which applies the same merge rules.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL graph, self-loop, bad merge),
 * RS_ERR_NOTFOUND (node or relation), RS_ERR_RANGE (weight NaN, Inf,
 * negative, or a merged weight overflowing), RS_ERR_EXISTS (edge exists and
 * merge is RS_GRAPH_MERGE_NONE), RS_ERR_READONLY, RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_graph_add_edge(rs_graph *graph, uint32_t src, uint32_t relation, uint32_t dst,
                             double weight, int64_t timestamp, int merge);

/**
 * rs_graph_update_edge - set the weight and timestamp of an existing edge.
 *
 * Returns RS_OK, RS_ERR_NOTFOUND (no such edge), RS_ERR_STATE (bulk load),
 * or the errors of rs_graph_add_edge().
 */
RS_API int rs_graph_update_edge(rs_graph *graph, uint32_t src, uint32_t relation, uint32_t dst,
                                double weight, int64_t timestamp);

/**
 * rs_graph_delete_edge - delete the edge src -relation-> dst.
 *
 * Returns RS_OK, RS_ERR_NOTFOUND (no such edge), RS_ERR_STATE (bulk load),
 * RS_ERR_READONLY, RS_ERR_IO.
 */
RS_API int rs_graph_delete_edge(rs_graph *graph, uint32_t src, uint32_t relation, uint32_t dst);

/**
 * rs_graph_get_edge - the weight and timestamp of an edge.
 *
 * @weight_out, @timestamp_out  may be NULL.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND.
 */
RS_API int rs_graph_get_edge(const rs_graph *graph, uint32_t src, uint32_t relation,
                             uint32_t dst, double *weight_out, int64_t *timestamp_out);

/**
 * rs_graph_edge_count - the number of edges.  Returns 0 for NULL.
 */
RS_API size_t rs_graph_edge_count(const rs_graph *graph);

/**
 * rs_graph_bulk_begin - start a bulk load: one transaction for many writes.
 *
 * Until rs_graph_bulk_commit() or rs_graph_bulk_abort(), rs_graph_add_node,
 * rs_graph_add_relation and rs_graph_set_property work as usual inside the
 * transaction, and rs_graph_add_edge queues edges; other writes fail with
 * RS_ERR_STATE.  Queued edges are not visible to queries before the commit.
 * A process that dies before the commit leaves the file as it was before
 * rs_graph_bulk_begin().
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_READONLY, RS_ERR_STATE (a bulk load
 * is open already), RS_ERR_BUSY (another writer).
 */
RS_API int rs_graph_bulk_begin(rs_graph *graph);

/**
 * rs_graph_bulk_commit - write the queued edges and commit the bulk load.
 *
 * Edges are sorted and written in key order and the adjacency is rebuilt
 * once.  On failure (a duplicate edge with RS_GRAPH_MERGE_NONE: RS_ERR_EXISTS
 * naming it; RS_ERR_IO; RS_ERR_NOMEM) the whole bulk load is rolled back,
 * nodes and relations it created included, and the bulk load is over.
 *
 * Returns RS_OK, RS_ERR_STATE (no bulk load open), or the errors above.
 */
RS_API int rs_graph_bulk_commit(rs_graph *graph);

/**
 * rs_graph_bulk_abort - roll back the open bulk load.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_STATE (no bulk load open).
 */
RS_API int rs_graph_bulk_abort(rs_graph *graph);

/**
 * rs_graph_set_property - set or remove a text property of a node.
 *
 * @name   property name, e.g. "title", "description", "price" (a key).
 * @value  UTF-8 text up to 16 MiB, indexed for rs_graph_search_text(); NULL
 *         removes the property.  Removing an absent property is not an error.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (node), RS_ERR_RANGE (too
 * long), RS_ERR_ENCODING, RS_ERR_READONLY, RS_ERR_IO.
 */
RS_API int rs_graph_set_property(rs_graph *graph, uint32_t node, const char *name,
                                 const char *value);

/**
 * rs_graph_get_property - copy a property's text into a caller buffer.
 *
 * @buf       receives the NUL-terminated value; may be NULL when capacity is 0.
 * @capacity  bytes available in buf.
 * @len_out   receives the value's length in bytes (without the NUL), also on
 *            RS_ERR_BUFFER, so that the caller can retry with len + 1 bytes.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (node or property),
 * RS_ERR_BUFFER (capacity < length + 1).
 */
RS_API int rs_graph_get_property(const rs_graph *graph, uint32_t node, const char *name,
                                 char *buf, size_t capacity, size_t *len_out);

/**
 * rs_graph_node_text - a node's text: the first non-empty one of its
 * properties "name", "description", "title" and "text", in that order.
 *
 * The one rule the library uses for an item's text: the embedder fits on
 * it, explanations quote it as the item's title, the simulator takes its
 * categories from it.
 *
 * @buf       receives the NUL-terminated text; may be NULL when capacity is 0.
 * @capacity  bytes available in buf.
 * @len_out   receives the text's length in bytes (without the NUL), also on
 *            RS_ERR_BUFFER, so that the caller can retry with len + 1 bytes.
 *
 * Returns RS_OK, RS_ERR_INVALID (a NULL argument), RS_ERR_NOTFOUND (no such
 * node, or none of the four properties is set and non-empty),
 * RS_ERR_BUFFER, or the status of a failed read (RS_ERR_IO, RS_ERR_CORRUPT,
 * RS_ERR_NOMEM).  Reads only: safe while nothing writes to the graph.
 */
RS_API int rs_graph_node_text(const rs_graph *graph, uint32_t node, char *buf,
                              size_t capacity, size_t *len_out);

/**
 * rs_graph_neighbors - the neighbours of a node, from the in-memory adjacency.
 *
 * @direction      RS_GRAPH_OUT, RS_GRAPH_IN or RS_GRAPH_BOTH.
 * @relation       a relation index, or RS_GRAPH_ANY_RELATION.
 * @type           keep only neighbours of this node type; NULL keeps all.
 * @nodes_out      caller array of capacity entries: neighbour indices (one
 *                 entry per edge, so a neighbour joined by two relations
 *                 appears twice).  May be NULL when capacity is 0.
 * @relations_out  relation per entry, with RS_GRAPH_REVERSED set for incoming
 *                 edges; may be NULL.
 * @weights_out    edge weight per entry; may be NULL.
 * @n_out          number of matching edges.
 *
 * Outgoing edges come first, then incoming ones; order within each is
 * unspecified.  Returns RS_OK, RS_ERR_INVALID (NULL argument, bad
 * direction), RS_ERR_NOTFOUND (node or relation), RS_ERR_BUFFER (more
 * matches than capacity: the first capacity are written and *n_out holds the
 * number needed).
 */
RS_API int rs_graph_neighbors(const rs_graph *graph, uint32_t node, unsigned direction,
                              uint32_t relation, const char *type, uint32_t *nodes_out,
                              uint32_t *relations_out, float *weights_out, size_t capacity,
                              size_t *n_out);

/**
 * rs_graph_khop - the nodes within a number of hops of a node.
 *
 * @hops       0 to 16.
 * @direction  RS_GRAPH_OUT, RS_GRAPH_IN or RS_GRAPH_BOTH.
 * @fanout     NULL, or hops caps: from each node at hop h-1 at most
 *             fanout[h-1] new neighbours are taken at hop h, those with the
 *             highest edge weight x relation weight (ties: lower index).
 *             0 means no cap for that hop.
 * @nodes_out  caller array: the nodes found, start excluded, nearest first
 *             (breadth-first).  May be NULL when capacity is 0.
 * @hops_out   hop count of each node found; may be NULL.
 * @n_out      number of nodes found.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (start), RS_ERR_RANGE
 * (hops), RS_ERR_BUFFER (the first capacity are written, *n_out holds the
 * number needed), RS_ERR_NOMEM.
 */
RS_API int rs_graph_khop(const rs_graph *graph, uint32_t start, unsigned hops,
                         unsigned direction, const uint32_t *fanout, uint32_t *nodes_out,
                         uint32_t *hops_out, size_t capacity, size_t *n_out);

/**
 * rs_graph_best_paths - the k heaviest simple paths between two nodes.
 *
 * A path's weight is the product, over its edges, of edge weight x relation
 * weight.  Paths have 1 to max_hops edges and visit no node twice.
 *
 * @max_hops       1 to 8.
 * @direction      RS_GRAPH_OUT follows edges forward only; RS_GRAPH_BOTH also
 *                 backwards (user -bought-> item <-bought- user ...).
 * @k              how many paths are wanted; 0 is allowed.
 * @nodes_out      k x (max_hops + 1) entries: path i's nodes at
 *                 nodes_out[i * (max_hops + 1) ...], from first, to last.
 * @relations_out  k x max_hops entries: path i's relations at
 *                 relations_out[i * max_hops ...], RS_GRAPH_REVERSED set where
 *                 an edge was followed backwards; may be NULL.
 * @lengths_out    k entries: the number of edges of each path.
 * @weights_out    k entries: each path's weight; may be NULL.
 * @n_out          number of paths written (<= k), heaviest first; ties go to
 *                 the shorter path, then to the lower node indices.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, from == to, bad direction),
 * RS_ERR_NOTFOUND (node), RS_ERR_RANGE (max_hops), RS_ERR_NOMEM.
 */
RS_API int rs_graph_best_paths(const rs_graph *graph, uint32_t from, uint32_t to,
                               unsigned max_hops, unsigned direction, size_t k,
                               uint32_t *nodes_out, uint32_t *relations_out,
                               uint32_t *lengths_out, double *weights_out, size_t *n_out);

/**
 * rs_graph_search_keys - nodes of one type by key, exact or prefix.
 *
 * @type       the node type (an unknown type matches nothing).
 * @text       the key, or the key prefix (byte-wise, case-sensitive).
 * @mode       RS_GRAPH_MATCH_EXACT or RS_GRAPH_MATCH_PREFIX.
 * @nodes_out  caller array of k entries, in key order.
 * @n_out      number written (<= k; the first k matches).
 *
 * Returns RS_OK, RS_ERR_INVALID, the key errors of rs_graph_add_node(),
 * RS_ERR_IO.
 */
RS_API int rs_graph_search_keys(const rs_graph *graph, const char *type, const char *text,
                                unsigned mode, uint32_t *nodes_out, size_t k, size_t *n_out);

/**
 * rs_graph_search_text - full-text search over node properties (SQLite FTS5).
 *
 * @query       free text; every word must occur, as a word or a word prefix,
 *              in one property of the node (case and diacritics ignored).
 * @type        keep only nodes of this type; NULL keeps all.
 * @nodes_out   caller array of k entries, best match first (BM25).
 * @scores_out  relevance of each (higher is better); may be NULL.
 * @n_out       number written (<= k).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, a query without words),
 * RS_ERR_RANGE (query above 64 KiB), RS_ERR_ENCODING, RS_ERR_IO.
 */
RS_API int rs_graph_search_text(const rs_graph *graph, const char *query, const char *type,
                                uint32_t *nodes_out, double *scores_out, size_t k,
                                size_t *n_out);

/**
 * rs_graph_add_attributes - turn a "key: value" string into entities and edges.
 *
 * @node       the node described (an item, a user).
 * @text       pairs such as "color: red, size: large, brand: Apple": pairs
 *             separated by ',', ';' or newlines, key and value by ':' or '='.
 *             Each pair gets (or creates) the node of type <key> (case-folded,
 *             spaces turned to '_') and key <value> (NFKC case-folded, so that
 *             "Apple" and "apple" are one entity, whose "name" property keeps
 *             the first spelling), and the edge node -has_<key>-> entity
 *             (weight 1, RS_GRAPH_MERGE_MAX).
 * @added_out  number of pairs applied; may be NULL.
 *
 * The string is parsed completely before anything is written: a malformed
 * one changes nothing.  Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND
 * (node), RS_ERR_PARSE (a pair without separator, an empty key or value,
 * with its byte offset), RS_ERR_RANGE (a value longer than a key may be),
 * RS_ERR_ENCODING, RS_ERR_LIMIT (over 1024 pairs), RS_ERR_READONLY,
 * RS_ERR_IO.
 */
RS_API int rs_graph_add_attributes(rs_graph *graph, uint32_t node, const char *text,
                                   size_t *added_out);

/**
 * rs_graph_link_mentions - link a node to the known entities its text mentions.
 *
 * @node        the node whose text it is (an item's description, a review).
 * @text        free UTF-8 text, up to 16 MiB.
 * @types       the entity types to look for (e.g. {"brand", "category"}), or
 *              NULL for every type; unknown types are ignored.
 * @n_types     entries in types.
 * @relation    the relation of the new edges (e.g. "mentions").
 * @linked_out  number of distinct entities linked; may be NULL.
 *
 * Text and keys are compared after NFKC case folding.  At each position the
 * longest matching key wins, and matches do not overlap.  In scripts that
 * separate words with spaces a match must start and end at word boundaries
 * ("red" is not found in "reduced"); next to Chinese, Japanese, Korean or
 * Thai characters it need not.  Each entity found gets the edge
 * node -relation-> entity with weight = its number of mentions, summed with
 * an existing edge (RS_GRAPH_MERGE_SUM).  The node itself is never linked.
 * The key index is built on first use and cached until nodes change.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (node, relation),
 * RS_ERR_RANGE (text too long), RS_ERR_ENCODING, RS_ERR_READONLY, RS_ERR_IO,
 * RS_ERR_NOMEM.
 */
RS_API int rs_graph_link_mentions(rs_graph *graph, uint32_t node, const char *text,
                                  const char *const *types, size_t n_types, uint32_t relation,
                                  size_t *linked_out);

/**
 * rs_graph_type_count - how many node types the graph knows.
 *
 * Types are numbered 0 .. count-1 in the order they were first used; a type
 * stays known after its last node is deleted.  Returns 0 for a NULL graph.
 * Thread safety: as the other in-memory queries.
 */
RS_API size_t rs_graph_type_count(const rs_graph *graph);

/**
 * rs_graph_type_name - the name of node type `index` ("user", "item", ...).
 *
 * Returns a string owned by the graph (valid until it is closed), or NULL for
 * a NULL graph or an index >= rs_graph_type_count().
 */
RS_API const char *rs_graph_type_name(const rs_graph *graph, size_t index);


/* ----------------------------------------------------------------------
 * Embedders stored in a graph file
 * -------------------------------------------------------------------- */

/**
 * rs_embedder_save - store an embedder in a model file.
 *
 * @embedder  the embedder to save (read only).
 * @graph     the model: the configuration (kind, dimension, every option,
 *            seed, the caller's stop words) and the fitted state (the idf
 *            table; for word vectors the vocabulary, vectors, frequencies and
 *            principal component) go to its meta table, in one SAVEPOINT.
 *
 * A callback embedder saves its dimension and options only; the callback
 * is given again to rs_embedder_load.  A later save replaces an earlier one.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument), RS_ERR_READONLY (graph
 * opened read-only), RS_ERR_IO, RS_ERR_BUSY, RS_ERR_NOMEM; on failure the
 * file keeps what it had.  Uses the graph: not concurrently with other
 * calls on the same graph.
 */
RS_API int rs_embedder_save(const rs_embedder *embedder, rs_graph *graph);

/**
 * rs_embedder_load - the embedder saved in a model file.
 *
 * @graph     the model written by rs_embedder_save.
 * @fn        the callback when the saved embedder is a callback embedder,
 *            else NULL.
 * @user_ctx  passed to fn; may be NULL.
 * @out       receives the embedder, to release with rs_embedder_free(); it
 *            does not refer to the graph afterwards.
 *
 * The loaded embedder gives bitwise the same vectors as the saved one.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL graph or out; fn missing for a
 * callback embedder or given for another kind), RS_ERR_NOTFOUND (no
 * embedder saved), RS_ERR_CORRUPT (a damaged configuration or blob, with
 * the meta key), RS_ERR_VERSION (saved by a newer library), RS_ERR_NOMEM.
 */
RS_API int rs_embedder_load(rs_graph *graph, rs_embed_fn fn, void *user_ctx,
                            rs_embedder **out);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_GRAPH_H */
