/*
 * recsim.h - the public interface of librecsim.
 *
 * librecsim builds a knowledge graph from a catalogue, user profiles and an
 * interaction log, embeds users and items, recommends items by "simulated
 * reasoning" over that graph, explains each recommendation, and simulates
 * populations of users reacting to recommendations.
 *
 * This is the only public header. It is valid C99 and C++, has no inline
 * functions, no variadic functions and no structure whose layout can change:
 * everything is reachable through FFI.
 *
 * Conventions (see recsim(3) for the full text):
 *
 *  - Errors.  A fallible function returns an int holding an rs_status: RS_OK
 *    (0) on success, a negative RS_ERR_* value on failure.  rs_strerror()
 *    names a status; rs_errmsg() gives the calling thread's detailed message
 *    for its last failure.  A failed call leaves every handle as it was.
 *  - Outputs.  Results come back through out-parameters named out or *_out.
 *    Variable-size results go into caller-allocated arrays with a capacity;
 *    when the capacity is too small the call returns RS_ERR_BUFFER and reports
 *    the size needed.  Memory the library hands out is released by rs_free().
 *  - Ownership.  A pointer returned directly (not through an out-parameter
 *    documented as owned) is borrowed: it lives as long as the handle it came
 *    from, or as the function's doc says.
 *  - Handles.  Every handle is opaque.  Constructors are rs_X_open/rs_X_create;
 *    destructors rs_X_close/rs_X_free, and every destructor accepts NULL.
 *  - Threads.  A handle is used by one thread at a time unless its functions
 *    say otherwise.  Functions without a handle are thread-safe.  The library
 *    never changes the OpenBLAS thread count behind the caller's back; only
 *    rs_set_num_threads() does.
 *  - Strings.  Keys and texts are NUL-terminated UTF-8.
 */
#ifndef RECSIM_H
#define RECSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * RS_API marks every exported symbol.  The library is compiled with
 * -fvisibility=hidden, so a function without RS_API is not part of the ABI.
 */
#if defined(_WIN32) && defined(RS_BUILDING_LIBRARY)
#define RS_API __declspec(dllexport)
#elif defined(_WIN32)
#define RS_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#define RS_API __attribute__((visibility("default")))
#else
#define RS_API
#endif

/* ======================================================================
 * Versions
 * ==================================================================== */

/*
 * The version of this header.  Compare RS_VERSION_NUMBER with rs_version() to
 * check that the header you compiled against matches the library you run
 * against: the major versions must be equal and the library's minor version
 * at least the header's.
 */
#define RS_VERSION_MAJOR 1
#define RS_VERSION_MINOR 0
#define RS_VERSION_PATCH 0
#define RS_VERSION_NUMBER \
    (RS_VERSION_MAJOR * 10000 + RS_VERSION_MINOR * 100 + RS_VERSION_PATCH)
#define RS_VERSION_STRING "1.0.0"

/**
 * rs_version - the version of the running library as a number.
 *
 * Returns MAJOR * 10000 + MINOR * 100 + PATCH, the value RS_VERSION_NUMBER
 * had when the library was built.  Never fails; thread-safe.
 */
RS_API unsigned rs_version(void);

/**
 * rs_version_string - the version of the running library as text.
 *
 * Returns a static string such as "1.0.0", owned by the library and never
 * freed.  Never fails; thread-safe.
 */
RS_API const char *rs_version_string(void);

/* ======================================================================
 * Status codes and error messages
 * ==================================================================== */

/*
 * The status a fallible call returns.  Values are explicit and append-only:
 * a value, once released, keeps its meaning forever.
 */
typedef enum rs_status {
    RS_OK = 0,                /* success */
    RS_ERR_INVALID = -1,      /* an invalid argument (NULL, empty, bad flag) */
    RS_ERR_NOMEM = -2,        /* memory could not be allocated */
    RS_ERR_RANGE = -3,        /* a value outside its allowed range, NaN or Inf */
    RS_ERR_DIM = -4,          /* a vector or matrix of the wrong dimension */
    RS_ERR_NOTFOUND = -5,     /* an unknown key, index, node or relation */
    RS_ERR_EXISTS = -6,       /* the thing to create exists already */
    RS_ERR_ENCODING = -7,     /* text that is not valid UTF-8 */
    RS_ERR_IO = -8,           /* a file could not be read or written */
    RS_ERR_CORRUPT = -9,      /* a file or blob is damaged or not ours */
    RS_ERR_VERSION = -10,     /* a file written by a newer library version */
    RS_ERR_BUFFER = -11,      /* a caller buffer is too small; size reported */
    RS_ERR_READONLY = -12,    /* a write to a handle opened read-only */
    RS_ERR_CALLBACK = -13,    /* a host callback reported a failure */
    RS_ERR_OVERFLOW = -14,    /* a size computation would overflow */
    RS_ERR_UNSUPPORTED = -15, /* a valid request this build cannot serve */
    RS_ERR_STATE = -16,       /* a call out of order, or mismatched handles */
    RS_ERR_PARSE = -17,       /* a malformed input file or string */
    RS_ERR_BUSY = -18,        /* the model file is locked by another writer */
    RS_ERR_LIMIT = -19,       /* a request beyond a configured size limit */
    RS_ERR_INTERNAL = -20     /* a bug in librecsim; please report it */
} rs_status;

/**
 * rs_strerror - a short, static description of a status code.
 *
 * @status  any int; values that are not an rs_status give "unknown status".
 *
 * Returns a static string owned by the library.  Never fails; thread-safe.
 */
RS_API const char *rs_strerror(int status);

/**
 * rs_errmsg - the detailed message of the calling thread's last failure.
 *
 * Every failing call writes a message naming what was wrong (the argument,
 * the key, the file and line, the dimensions).  Successful calls leave the
 * message alone, like errno.  Returns "" when this thread has never failed.
 *
 * Returns a pointer to thread-local storage, valid until the next failing
 * librecsim call on the same thread; copy it to keep it.  Thread-safe.
 */
RS_API const char *rs_errmsg(void);

/**
 * rs_errcode - the status of the calling thread's last failure.
 *
 * Returns the rs_status that accompanied rs_errmsg(), or RS_OK when this
 * thread has never failed.  Thread-safe.
 */
RS_API int rs_errcode(void);

/**
 * rs_clear_error - forget the calling thread's last failure.
 *
 * Afterwards rs_errmsg() returns "" and rs_errcode() RS_OK.  Thread-safe.
 */
RS_API void rs_clear_error(void);

/* ======================================================================
 * Threads, BLAS and memory
 * ==================================================================== */

/**
 * rs_set_num_threads - how many threads librecsim and OpenBLAS may use.
 *
 * @n  1 or more; 0 restores the default (the number of online processors).
 *
 * Sets the worker count of librecsim's own parallel loops and calls
 * openblas_set_num_threads(), which is process-wide.  With n = 1 every
 * computation runs on the calling thread and is deterministic.
 *
 * Returns RS_OK, or RS_ERR_RANGE when n is negative or above 1024.
 * Not thread-safe with respect to running librecsim computations: call it
 * when no other thread is inside the library.
 */
RS_API int rs_set_num_threads(int n);

/**
 * rs_get_num_threads - the worker count set by rs_set_num_threads().
 *
 * Returns the count in use (the number of online processors by default).
 * Thread-safe.
 */
RS_API int rs_get_num_threads(void);

/**
 * rs_blas_corename - the name of the OpenBLAS kernel that runs.
 *
 * OpenBLAS picks its kernel from the CPU at load time; an unrecognised CPU
 * falls back to a slow generic kernel (e.g. "Prescott") that can cost five
 * times the speed.  Setting OPENBLAS_CORETYPE in the environment before the
 * process starts selects a kernel explicitly.
 *
 * Returns a static string owned by OpenBLAS.  Never fails; thread-safe.
 */
RS_API const char *rs_blas_corename(void);

/**
 * rs_free - release memory that librecsim handed to the caller.
 *
 * @ptr  a pointer documented as "free with rs_free()", or NULL (a no-op).
 *
 * Thread-safe.
 */
RS_API void rs_free(void *ptr);

/*
 * The longest key (user, item, entity, relation) the library accepts, in
 * bytes of UTF-8.  Longer keys are refused with RS_ERR_RANGE.
 */
#define RS_MAX_KEY_BYTES 1024

/**
 * rs_max_key_bytes - RS_MAX_KEY_BYTES as a function, for FFI callers.
 *
 * Returns the longest accepted key length in bytes.  Thread-safe.
 */
RS_API size_t rs_max_key_bytes(void);

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
 * A new file gets the current schema; an older one is migrated (not when
 * read-only).  The whole graph is read into memory.  Another process may
 * read the file while this one writes (WAL).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL/empty argument, bad flags),
 * RS_ERR_IO (cannot open, e.g. missing without RS_GRAPH_CREATE),
 * RS_ERR_CORRUPT (damaged, truncated, foreign or non-SQLite file),
 * RS_ERR_VERSION (written by a newer librecsim), RS_ERR_BUSY (locked),
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
 * rs_graph_relation_count - the number of relations (indices 0 .. n-1).
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

/* @@GRAPH@@ end of section */


/* ======================================================================
 * items: the item store and top-k kernel, rs_item_store (src/items)
 * ==================================================================== */

/* @@ITEMS@@ end of section */


/* ======================================================================
 * text: preprocessing and embedders, rs_embedder (src/text)
 * ==================================================================== */

/* @@TEXT@@ end of section */


/* ======================================================================
 * learn: collaborative models (src/learn)
 * ==================================================================== */

/* @@LEARN@@ end of section */


/* ======================================================================
 * user: the user model, rs_user_model (src/user)
 * ==================================================================== */

/* @@USER@@ end of section */


/* ======================================================================
 * score: the scorer, rs_scorer (src/score)
 * ==================================================================== */

/* @@SCORE@@ end of section */


/* ======================================================================
 * io: readers, cleaning and import (src/io)
 * ==================================================================== */

/* @@IO@@ end of section */


/* ======================================================================
 * eval: splits and metrics (src/eval)
 * ==================================================================== */

/*
 * Ranking metrics, as plain functions on arrays of item indices, so that any
 * caller (C, FFI, the evaluation runner) gets the same numbers.  The formulas
 * are in rs_metric_at_k(3).  Conventions shared by all of them:
 *
 *  - `ranked` is one recommendation list, best first, of item indices;
 *    RS_NO_ITEM entries (padding of a short list) are skipped as misses.
 *  - A repeat of an item already earlier in the list is a miss.
 *  - `truth` is a set: duplicates in it are counted once.
 *  - Lists shorter than k are scored as they are: precision still divides
 *    by k, so a short list is not rewarded.
 *  - An empty truth set makes the per-user metrics undefined: the call fails
 *    with RS_ERR_RANGE and callers skip that user (as the evaluation runner
 *    does).
 */

/* An absent item in a padded list. */
#define RS_NO_ITEM UINT32_MAX

/* The per-user metrics of rs_metric_at_k().  Values are append-only. */
typedef enum rs_metric {
    RS_METRIC_PRECISION = 0, /* hits / k */
    RS_METRIC_RECALL = 1,    /* hits / |truth| */
    RS_METRIC_F1 = 2,        /* 2 P R / (P + R), 0 when both are 0 */
    RS_METRIC_NDCG = 3,      /* binary-gain NDCG */
    RS_METRIC_MAP = 4,       /* average precision, normalised by min(|truth|, k) */
    RS_METRIC_MRR = 5,       /* 1 / rank of the first hit, 0 without a hit */
    RS_METRIC_HIT_RATE = 6   /* 1 if any hit, else 0 */
} rs_metric;

/* How many rs_metric values this library knows (7 in 1.0). */
#define RS_METRIC_COUNT 7

/**
 * rs_metric_at_k - one ranking metric of one recommendation list at cut-off k.
 *
 * @metric    an rs_metric value.
 * @ranked    the list, best first (NULL allowed when n_ranked is 0).
 * @n_ranked  its length; only the first k entries count.
 * @truth     the relevant items (a set).
 * @n_truth   its length (duplicates count once).
 * @k         the cut-off, >= 1.
 * @out       receives the value, in [0, 1].
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL out, NULL truth, or NULL ranked with
 * n_ranked > 0; an unknown metric); RS_ERR_RANGE (k = 0, empty truth set);
 * RS_ERR_NOMEM.  *out is unchanged on error.  Thread-safe.
 */
RS_API int rs_metric_at_k(int metric, const uint32_t *ranked, size_t n_ranked,
                          const uint32_t *truth, size_t n_truth, size_t k, double *out);

/**
 * rs_metric_name - the short name of an rs_metric ("ndcg", "precision", ...).
 *
 * Returns a static string, or NULL for an unknown metric.  Thread-safe.
 */
RS_API const char *rs_metric_name(int metric);

/**
 * rs_metric_ndcg_graded - NDCG at k with graded relevance.
 *
 * @gains  gains[i] >= 0 is the gain of truth[i] (e.g. a rating, or 2^r - 1);
 *         a repeated truth item keeps its largest gain.
 * Other parameters as in rs_metric_at_k().  DCG = sum over ranks r <= k of
 * gain(L_r) / log2(r + 1); the ideal DCG sorts the gains in decreasing order.
 * When every gain is 0 the value is 0.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL pointers as in rs_metric_at_k, NULL
 * gains); RS_ERR_RANGE (k = 0, empty truth, a negative, NaN or infinite
 * gain); RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_metric_ndcg_graded(const uint32_t *ranked, size_t n_ranked,
                                 const uint32_t *truth, const double *gains, size_t n_truth,
                                 size_t k, double *out);

/**
 * rs_metric_auc - area under the ROC curve of one ranking.
 *
 * @ranked        the ranking, best first: usually every candidate item.
 * @n_ranked      its length.
 * @truth         the positives (a set; all must be candidates).
 * @n_truth       its length.
 * @n_candidates  how many items were candidates (the catalogue less the
 *                excluded items); the negatives are the candidates not in truth.
 * @out           the fraction of (positive, negative) pairs in which the
 *                positive is ranked above the negative; items absent from the
 *                ranking come after every ranked one and tie among themselves
 *                (a tie counts 1/2).
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL pointers); RS_ERR_RANGE (empty truth,
 * no negatives, or a ranking with more distinct items than n_candidates);
 * RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_metric_auc(const uint32_t *ranked, size_t n_ranked, const uint32_t *truth,
                         size_t n_truth, size_t n_candidates, double *out);

/*
 * Beyond-accuracy metrics over many lists.  `lists` is a row-major
 * n_lists x list_len matrix of item indices in [0, n_items), RS_NO_ITEM for
 * padding.  An index >= n_items (other than RS_NO_ITEM) is RS_ERR_RANGE.
 * All are thread-safe and leave *out unchanged on error.
 */

/**
 * rs_metric_coverage - catalogue coverage: |distinct items in all lists| / n_items.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL lists with n_lists * list_len > 0, NULL
 * out); RS_ERR_RANGE (n_items = 0, an item out of range); RS_ERR_OVERFLOW;
 * RS_ERR_NOMEM.
 */
RS_API int rs_metric_coverage(const uint32_t *lists, size_t n_lists, size_t list_len,
                              size_t n_items, double *out);

/**
 * rs_metric_novelty - mean self-information of the recommended items.
 *
 * @popularity  popularity[i] = how many of the n_users users interacted with
 *              item i (n_items entries).
 * @n_users     the number of users popularity was counted over, >= 1.
 * @out         mean over every recommended item of -log2((pop_i + 1) /
 *              (n_users + 1)), in bits (the +1 keeps never-seen items finite).
 *              0 when the lists are empty.
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_RANGE (n_users = 0, a popularity above
 * n_users, an item out of range); RS_ERR_OVERFLOW.
 */
RS_API int rs_metric_novelty(const uint32_t *lists, size_t n_lists, size_t list_len,
                             const uint32_t *popularity, size_t n_items, size_t n_users,
                             double *out);

/**
 * rs_metric_diversity - intra-list diversity: 1 - mean pairwise cosine.
 *
 * @vectors  row-major n_items x dim item vectors (zero vectors have cosine 0
 *           with everything).
 * @out      for each list with at least two items, 1 - the mean cosine over
 *           its item pairs; averaged over those lists.  0 when no list has two
 *           items.  Values lie in [0, 2].
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_DIM (dim = 0); RS_ERR_RANGE (an item
 * out of range, a NaN or infinite vector component); RS_ERR_OVERFLOW.
 */
RS_API int rs_metric_diversity(const uint32_t *lists, size_t n_lists, size_t list_len,
                               const float *vectors, size_t n_items, size_t dim,
                               double *out);

/**
 * rs_metric_gini - Gini coefficient of item exposure across the catalogue.
 *
 * Exposure x_i = how many times item i appears in the lists (every catalogue
 * item counts, including those never shown).  With x sorted ascending,
 * G = sum_i (2i - n - 1) x_(i) / (n sum x), i = 1..n: 0 when every item is
 * shown equally often, (n - 1) / n when one item takes all exposure.  0 when
 * the lists are empty.
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_RANGE (n_items = 0, an item out of
 * range); RS_ERR_OVERFLOW; RS_ERR_NOMEM.
 */
RS_API int rs_metric_gini(const uint32_t *lists, size_t n_lists, size_t list_len,
                          size_t n_items, double *out);

/**
 * rs_metric_popularity_bias - how popular the recommendations are, relative
 * to the catalogue.
 *
 * @popularity  interaction counts per item (n_items entries).
 * @out         (mean popularity of the recommended items) / (mean popularity
 *              of the catalogue items): 1 means no bias, above 1 a bias
 *              toward popular items.  0 when the lists are empty.
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_RANGE (n_items = 0, an item out of
 * range, every popularity 0); RS_ERR_OVERFLOW.
 */
RS_API int rs_metric_popularity_bias(const uint32_t *lists, size_t n_lists, size_t list_len,
                                     const uint32_t *popularity, size_t n_items,
                                     double *out);

/* @@EVAL@@ end of section */


/* ======================================================================
 * sim: user simulation, rs_sim (src/sim)
 * ==================================================================== */

/* @@SIM@@ end of section */



#ifdef __cplusplus
}
#endif

#endif /* RECSIM_H */
