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
 * Thread safety: a graph is used by one thread at a time; read-only calls
 * (find, neighbours, paths) may run concurrently while nothing writes.
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

/* @@GRAPH@@ end of section */


/* ======================================================================
 * items: the item store and top-k kernel, rs_item_store (src/items)
 * ==================================================================== */

/*
 * An item store holds one float32 vector per item, all of one dimension, in
 * a single 64-byte-aligned row-major matrix with cached norms, and scores a
 * batch of query vectors against the whole catalogue (rs_item_store_search).
 *
 * Items are named by UTF-8 keys and numbered by dense indices 0, 1, 2, ... in
 * the order they were added.  An item keeps its index until it is removed or
 * rs_item_store_compact() runs; a removed item's index stays unused (a hole)
 * until compaction, so indices held elsewhere (exclude sets, histories) stay
 * valid.  rs_item_store_span() is the index range (live items plus holes), the
 * size bitsets over items need: rs_item_store_span() bits, in 64-bit words
 * where bit i of word i / 64 stands for index i.
 *
 * Each item also carries attribute bits (attribute 0 .. RS_ITEM_MAX_ATTRIBUTES
 * - 1, e.g. "in stock", a category number), all off when the item is added;
 * rs_item_store_attribute_filter() turns them into an allow list.
 *
 * Thread safety: a store is used by one thread at a time, except that
 * rs_item_store_search() and the other read-only calls (get, index, key,
 * count, dim, span, get_attribute, attribute_filter) may run concurrently
 * while nothing writes to the store.
 */
typedef struct rs_item_store rs_item_store;

/* The largest dimension an item store accepts. */
#define RS_ITEM_MAX_DIM 65536

/* Attributes are numbered 0 .. RS_ITEM_MAX_ATTRIBUTES - 1. */
#define RS_ITEM_MAX_ATTRIBUTES 4096

/* The index reported for an empty result slot. */
#define RS_ITEM_NONE 0xFFFFFFFFu

/* How rs_item_store_search scores a query q against an item x.  (The
 * ranking-quality metrics of the evaluation are rs_metric, below.) */
typedef enum rs_item_metric {
    RS_METRIC_INNER_PRODUCT = 0, /* q . x */
    RS_METRIC_COSINE = 1         /* q . x / (|q| |x|); 0 when q or x is zero */
} rs_item_metric;

/**
 * rs_item_store_create - a new, empty item store of vectors of one dimension.
 *
 * @dim  the dimension of every vector, 1 .. RS_ITEM_MAX_DIM.
 * @out  receives the store, owned by the caller (rs_item_store_free); set to
 *       NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (out is NULL), RS_ERR_RANGE (dim out of
 * range) or RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_item_store_create(size_t dim, rs_item_store **out);

/**
 * rs_item_store_free - release a store and everything in it.
 *
 * @store  the store, or NULL (a no-op).  Keys returned by rs_item_store_key()
 *         become invalid.
 */
RS_API void rs_item_store_free(rs_item_store *store);

/**
 * rs_item_store_dim - the dimension of the store's vectors (0 for NULL).
 */
RS_API size_t rs_item_store_dim(const rs_item_store *store);

/**
 * rs_item_store_count - how many items the store holds (0 for NULL).
 */
RS_API size_t rs_item_store_count(const rs_item_store *store);

/**
 * rs_item_store_span - the index range in use: live items plus holes left by
 * removals (0 for NULL).  Every index is below it; bitsets over items need
 * this many bits.
 */
RS_API size_t rs_item_store_span(const rs_item_store *store);

/**
 * rs_item_store_add - add an item with its vector.
 *
 * @store      the store.
 * @key        the item's key (UTF-8, 1 .. RS_MAX_KEY_BYTES bytes), copied.
 * @vector     dim floats, copied; every value finite.  A zero vector is
 *             allowed (it scores 0 under RS_METRIC_COSINE).
 * @dim        the length of vector; must equal the store's dimension.
 * @index_out  receives the new item's index; may be NULL.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL store, key or vector; empty key),
 * RS_ERR_ENCODING (key not UTF-8), RS_ERR_RANGE (key too long; NaN or Inf in
 * vector), RS_ERR_DIM (dim differs from the store's), RS_ERR_EXISTS (the key
 * is present), RS_ERR_NOMEM, RS_ERR_LIMIT (too many items).  On failure the
 * store is unchanged.
 */
RS_API int rs_item_store_add(rs_item_store *store, const char *key, const float *vector,
                             size_t dim, uint32_t *index_out);

/**
 * rs_item_store_update - replace an item's vector; its index and attributes
 * stay.
 *
 * Arguments and errors as rs_item_store_add(), except that an unknown key
 * gives RS_ERR_NOTFOUND (and never RS_ERR_EXISTS).  On failure the store is
 * unchanged.
 */
RS_API int rs_item_store_update(rs_item_store *store, const char *key, const float *vector,
                                size_t dim);

/**
 * rs_item_store_remove - remove an item.  Its index becomes a hole that
 * searches skip, until rs_item_store_compact(); other indices do not change.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL store or key), RS_ERR_ENCODING,
 * RS_ERR_RANGE (key too long) or RS_ERR_NOTFOUND.
 */
RS_API int rs_item_store_remove(rs_item_store *store, const char *key);

/**
 * rs_item_store_get - copy an item's vector.
 *
 * @vector_out  caller-allocated array of dim floats.
 * @dim         its length; must equal the store's dimension.
 *
 * Returns RS_OK, RS_ERR_INVALID (a NULL argument), RS_ERR_NOTFOUND,
 * RS_ERR_DIM, or the key errors of rs_item_store_add().
 */
RS_API int rs_item_store_get(const rs_item_store *store, const char *key, float *vector_out,
                             size_t dim);

/**
 * rs_item_store_index - the index of an item.
 *
 * Returns RS_OK with *index_out set, RS_ERR_NOTFOUND, RS_ERR_INVALID (a NULL
 * argument) or the key errors of rs_item_store_add().
 */
RS_API int rs_item_store_index(const rs_item_store *store, const char *key,
                               uint32_t *index_out);

/**
 * rs_item_store_key - the key of the item at an index.
 *
 * Returns the key, borrowed from the store and valid until that item is
 * removed, the store compacted or freed; NULL for a hole, an index beyond
 * the span or a NULL store.
 */
RS_API const char *rs_item_store_key(const rs_item_store *store, uint32_t index);

/**
 * rs_item_store_set_attribute - switch one attribute bit of an item.
 *
 * @attribute  0 .. RS_ITEM_MAX_ATTRIBUTES - 1.
 * @on         non-zero sets the bit, 0 clears it.
 *
 * Returns RS_OK, RS_ERR_NOTFOUND, RS_ERR_RANGE (attribute out of range),
 * RS_ERR_NOMEM, or the errors of rs_item_store_remove().  Memory: each
 * attribute that is ever set costs span / 8 bytes.
 */
RS_API int rs_item_store_set_attribute(rs_item_store *store, const char *key,
                                       uint32_t attribute, int on);

/**
 * rs_item_store_get_attribute - read one attribute bit of an item into
 * *on_out (1 or 0).  Errors as rs_item_store_set_attribute(), plus
 * RS_ERR_INVALID when on_out is NULL.
 */
RS_API int rs_item_store_get_attribute(const rs_item_store *store, const char *key,
                                       uint32_t attribute, int *on_out);

/**
 * rs_item_store_attribute_filter - a bitset of the items whose attributes
 * match, to pass as the allow list of rs_item_store_search().
 *
 * @attributes    n_attributes attribute numbers; may be NULL when 0.
 * @match_all     non-zero: items having every listed attribute (with none
 *                listed: every item); 0: items having at least one.
 * @bits_out      caller-allocated bitset of n_words words; the words beyond
 *                the span are zeroed.
 * @n_words       at least (rs_item_store_span() + 63) / 64.
 *
 * Returns RS_OK, RS_ERR_INVALID (a NULL argument), RS_ERR_RANGE (an attribute
 * out of range) or RS_ERR_BUFFER (n_words too small; the message gives the
 * words needed).
 */
RS_API int rs_item_store_attribute_filter(const rs_item_store *store,
                                          const uint32_t *attributes, size_t n_attributes,
                                          int match_all, uint64_t *bits_out, size_t n_words);

/**
 * rs_item_store_compact - close the holes left by removals by moving the
 * items with the highest indices into them.  Moved items change index (look
 * them up again); their keys, vectors and attributes move with them.
 *
 * Returns RS_OK or RS_ERR_INVALID (store is NULL).
 */
RS_API int rs_item_store_compact(rs_item_store *store);

/* Options of an item store (rs_item_store_set_int / rs_item_store_get_int). */
typedef enum rs_item_store_option {
    /* How searches scan the catalogue: RS_SCAN_EXACT (default) scores every
     * item in float32; with RS_SCAN_BF16 a single-query search scans a
     * bfloat16 copy of the matrix (half the memory traffic) for
     * RS_ITEM_STORE_RERANK x k candidates, then re-scores those in float32,
     * so returned scores are exact but an item whose bfloat16 score falls
     * out of the candidates can be missed (recall@10 measured 1.0 on random
     * data; see the benchmark).  Batches of queries, bound by arithmetic
     * rather than memory, always scan in float32.  The copy costs 2 bytes
     * per value.  BF16 needs a CPU with AVX512-BF16; elsewhere searches stay
     * exact. */
    RS_ITEM_STORE_SCAN = 0,
    /* Candidates per wanted result re-scored exactly under RS_SCAN_BF16:
     * 1 .. 64, default 4. */
    RS_ITEM_STORE_RERANK = 1
} rs_item_store_option;

/* Values of RS_ITEM_STORE_SCAN. */
#define RS_SCAN_EXACT 0
#define RS_SCAN_BF16 1

/**
 * rs_item_store_set_int - set an integer option of a store.
 *
 * @option  an rs_item_store_option.
 * @value   within the option's documented range.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL store, unknown option), RS_ERR_RANGE
 * (value out of range) or RS_ERR_NOMEM; on failure the option keeps its value.
 */
RS_API int rs_item_store_set_int(rs_item_store *store, int option, int64_t value);

/**
 * rs_item_store_get_int - read an integer option of a store into *value_out.
 *
 * Returns RS_OK or RS_ERR_INVALID (a NULL argument, an unknown option).
 */
RS_API int rs_item_store_get_int(const rs_item_store *store, int option, int64_t *value_out);

/**
 * rs_item_store_search - the k best items for each of a batch of queries.
 *
 * @store          the store; only read, so several threads may search at
 *                 once while nothing writes to it.
 * @queries        n_queries x dim floats, row-major, finite.
 * @n_queries      how many queries; 0 is allowed and does nothing.
 * @dim            the queries' dimension; must equal the store's.
 * @k              results wanted per query; 0 is allowed.  k above the
 *                 number of items is allowed: the extra slots stay empty.
 * @metric         RS_METRIC_INNER_PRODUCT or RS_METRIC_COSINE.
 * @exclude        NULL, or n_queries bitsets of exclude_words words each, one
 *                 after the other: items whose bit is set are never returned
 *                 for that query (e.g. already seen).  Bits beyond
 *                 exclude_words words count as clear.
 * @exclude_words  words per exclude bitset (0 when exclude is NULL).
 * @allow          NULL (every item allowed), or a bitset of allow_words words
 *                 shared by all queries: only items whose bit is set are
 *                 returned.  Bits beyond allow_words words count as clear.
 * @allow_words    its length in words.
 * @index_out      caller-allocated n_queries x k indices: row q holds query
 *                 q's results, best first (higher score; on equal scores the
 *                 lower index).  Empty slots get RS_ITEM_NONE.
 * @score_out      caller-allocated n_queries x k scores matching index_out,
 *                 -INFINITY in empty slots; may be NULL.
 * @count_out      caller-allocated n_queries counts of filled slots; may be
 *                 NULL.
 *
 * Removed items are never returned.  The result does not depend on the
 * thread count.  On x86-64 CPUs with AVX-512 a fused kernel scores 16
 * queries per instruction and applies the selection while the scores are in
 * registers, on up to rs_get_num_threads() threads of its own that never
 * call BLAS (so OpenBLAS threads are not oversubscribed); elsewhere BLAS
 * sgemm tiles (sgemv for one query) run on the calling thread and OpenBLAS
 * provides the parallelism.  Single queries may scan a bfloat16 copy, see
 * RS_ITEM_STORE_SCAN.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL store, queries or index_out; an
 * unknown metric; a NULL bitset with a non-zero length), RS_ERR_DIM (dim
 * differs), RS_ERR_RANGE (NaN or Inf in a query), RS_ERR_NOMEM,
 * RS_ERR_OVERFLOW.  On failure the output arrays may have been written.
 */
RS_API int rs_item_store_search(const rs_item_store *store, const float *queries,
                                size_t n_queries, size_t dim, size_t k, int metric,
                                const uint64_t *exclude, size_t exclude_words,
                                const uint64_t *allow, size_t allow_words,
                                uint32_t *index_out, float *score_out, size_t *count_out);

/**
 * rs_item_store_save - write a store into the model file of a graph.
 *
 * @store  the store; only read.
 * @graph  an open, writable graph.  Every item becomes (or already is) a node
 *         of type "item" with the item's key; its vector is stored on that
 *         node as a blob with its dimension and a checksum, under @space.
 *         Attribute bits are saved too.
 * @space  the name of the vector space (a key, e.g. "als" or "text"), so that
 *         one item can carry several embeddings.  Vectors of @space on item
 *         nodes that the store does not hold are deleted.
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument, a bad space name),
 * RS_ERR_READONLY (graph opened read-only), RS_ERR_IO, RS_ERR_BUSY,
 * RS_ERR_NOMEM.  The vectors are written in one transaction: on failure the
 * file keeps the space as it was (item nodes created so far remain).
 * Not thread-safe with respect to other uses of the graph.
 */
RS_API int rs_item_store_save(const rs_item_store *store, rs_graph *graph, const char *space);

/**
 * rs_item_store_load - a new store from the vectors a graph's model file
 * holds under a space (see rs_item_store_save).
 *
 * @graph  an open graph (read-only is fine).
 * @space  the space name.
 * @out    receives the store, owned by the caller (rs_item_store_free); NULL
 *         on failure.
 *
 * Items are numbered in the order their nodes were created, which need not
 * be the indices they had when saved: look items up by key.
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument, a bad space name),
 * RS_ERR_NOTFOUND (no vectors under space), RS_ERR_CORRUPT (a blob whose
 * length, dimension or checksum does not match, a non-finite value; the
 * message names the node), RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_item_store_load(rs_graph *graph, const char *space, rs_item_store **out);

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

/* @@EVAL@@ end of section */


/* ======================================================================
 * sim: user simulation, rs_sim (src/sim)
 * ==================================================================== */

/* @@SIM@@ end of section */



#ifdef __cplusplus
}
#endif

#endif /* RECSIM_H */
