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
#define RS_VERSION_MINOR 1
#define RS_VERSION_PATCH 0
#define RS_VERSION_NUMBER \
    (RS_VERSION_MAJOR * 10000 + RS_VERSION_MINOR * 100 + RS_VERSION_PATCH)
#define RS_VERSION_STRING "1.1.0"

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
 * @n  1 or more; 0 restores the default (the number of online processors, or
 *     of those the process may run on when its affinity mask, as set by
 *     taskset or a cpuset, allows fewer).
 *
 * Sets the worker count of librecsim's own parallel loops and calls
 * openblas_set_num_threads(), which is process-wide.  With n = 1 every
 * computation runs on the calling thread and is deterministic.  Under a
 * finite address-space limit (RLIMIT_AS, `ulimit -v`) the loops run on one
 * thread and OpenBLAS's count is left as it is, whatever n: each OpenBLAS
 * thread needs a ~128 MiB buffer whose failed mapping OpenBLAS retries
 * forever (see recsim(3), "Memory limits").
 *
 * Returns RS_OK, or RS_ERR_RANGE when n is negative or above 1024.
 * Not thread-safe with respect to running librecsim computations: call it
 * when no other thread is inside the library.
 */
RS_API int rs_set_num_threads(int n);

/**
 * rs_get_num_threads - the worker count set by rs_set_num_threads().
 *
 * Returns the count in use (by default the online processors the process may
 * run on).
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
 * bytes of UTF-8.  Longer keys are refused with RS_ERR_RANGE.  Every key
 * must also be valid UTF-8 (else RS_ERR_ENCODING), not empty, not blank
 * (only spaces) and free of control characters (U+0000..U+001F such as TAB,
 * newline and ESC, U+007F, U+0080..U+009F) (else RS_ERR_INVALID); an import
 * drops a row with such a key as rule "invalid key" of its cleaner.
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
    /* Candidates per wanted result re-scored exactly under RS_SCAN_BF16,
     * and under RS_INDEX_IVF_SQ8 (the shortlist is RERANK x k): 1 .. 64,
     * default 4. */
    RS_ITEM_STORE_RERANK = 1,
    /* The approximate index searches use once rs_item_store_build_index()
     * has built it: RS_INDEX_EXACT (default: every search scans every item),
     * RS_INDEX_IVF (an inverted file: k-means lists holding a float32 copy
     * of each vector, 4 bytes per value) or RS_INDEX_IVF_SQ8 (the lists hold
     * 8-bit scalar-quantised codes, 1 byte per value, and the RERANK x k best
     * are re-scored exactly from the store).  Choosing another kind drops an
     * index already built; RS_INDEX_EXACT keeps it but searches scan
     * everything. */
    RS_ITEM_STORE_INDEX = 2,
    /* Lists the next rs_item_store_build_index() makes: 0 (default) picks
     * 4 x sqrt(items); else 1 .. 2^20, at most the number of items. */
    RS_ITEM_STORE_NLIST = 3,
    /* Lists a search scans, the nearest to the query by inner product:
     * 1 .. 2^20 (clamped to the lists there are), default 16.  More lists,
     * higher recall, slower searches; takes effect at once. */
    RS_ITEM_STORE_NPROBE = 4,
    /* Seed of the index's k-means (sample and start): >= 0, default 0.  The
     * same items, options and seed build the same index. */
    RS_ITEM_STORE_INDEX_SEED = 5,
    /* Read-only (rs_item_store_get_int): 1 when an index is built, else 0. */
    RS_ITEM_STORE_INDEX_BUILT = 6
} rs_item_store_option;

/* Values of RS_ITEM_STORE_SCAN. */
#define RS_SCAN_EXACT 0
#define RS_SCAN_BF16 1

/* Values of RS_ITEM_STORE_INDEX. */
#define RS_INDEX_EXACT 0
#define RS_INDEX_IVF 1
#define RS_INDEX_IVF_SQ8 2

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
 * rs_item_store_build_index - build the approximate index RS_ITEM_STORE_INDEX
 * names over the items there are now, replacing one built before.
 *
 * @store  the store; written, so nothing else may use it meanwhile.
 *
 * Spherical k-means (RS_ITEM_STORE_NLIST lists, 10 Lloyd iterations on a
 * seeded sample of up to 64 items per list, centroids of unit length) gives
 * the lists; every item goes to the list whose centroid has the largest
 * inner product with it, the score that picks the lists a query probes.
 * Afterwards rs_item_store_search() scans
 * only the RS_ITEM_STORE_NPROBE lists whose centroids score best against the
 * query, so results are approximate: recall against exact search rises with
 * nprobe (the benchmark bench/bench_ann measures it).  Filters (allow,
 * exclude, removed items) apply as in exact search, before the k best are
 * taken, so a filtered search still returns k items when the scanned lists
 * hold k admissible ones.  Items added, updated, removed or moved by
 * rs_item_store_compact() later are kept in the lists (placed by the
 * existing centroids); build again after the catalogue has changed much.
 * rs_item_store_save() stores the index with the vectors, and
 * rs_item_store_load() restores it without re-training.  For the same
 * items in the same order, options and seed the index is the same.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL store), RS_ERR_STATE
 * (RS_ITEM_STORE_INDEX is RS_INDEX_EXACT, or the store is empty),
 * RS_ERR_RANGE (RS_ITEM_STORE_NLIST larger than the number of items),
 * RS_ERR_NOMEM, RS_ERR_OVERFLOW; on failure the index built before, if any,
 * stays.  Memory: the lists cost 4 (IVF) or 1 (IVF_SQ8) byte per value plus
 * 12 bytes per item, and the centroids nlist x dim floats.
 */
RS_API int rs_item_store_build_index(rs_item_store *store);

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
 * Removed items are never returned.  With rs_set_num_threads(1) every run
 * gives bitwise the same result.  On the fused AVX-512 kernel the result does
 * not depend on the thread count either; on the BLAS path it can in the last
 * bits of the scores (and so in the order of near-ties), because OpenBLAS's
 * threaded sgemm (Debian's 0.3.21) is not bitwise reproducible across its
 * thread counts.  On x86-64 CPUs with AVX-512 a fused kernel scores 16
 * queries per instruction and applies the selection while the scores are in
 * registers, on up to rs_get_num_threads() threads of its own that never
 * call BLAS (so OpenBLAS threads are not oversubscribed); elsewhere BLAS
 * sgemm tiles (sgemv for one query) run on the calling thread and OpenBLAS
 * provides the parallelism.  Single queries may scan a bfloat16 copy, see
 * RS_ITEM_STORE_SCAN.  The environment variable RECSIM_ITEM_KERNEL=avx2 (or
 * =blas) caps the kernel chosen, to measure those paths on a CPU that has
 * more.  With an approximate index built and RS_ITEM_STORE_INDEX not
 * RS_INDEX_EXACT, the search goes through the index (see
 * rs_item_store_build_index()): queries are spread over the threads, each
 * scanning its lists on one.
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


/* ======================================================================
 * text: preprocessing and embedders, rs_embedder (src/text)
 * ==================================================================== */

/*
 * An rs_embedder turns texts into dense float vectors.  Three kinds exist:
 *
 *  - RS_EMBEDDER_HASHING (the default, rs_embedder_create_hashing): word
 *    unigrams and bigrams plus character n-grams of each word, weighted by
 *    sublinear tf x idf (the idf fitted on a corpus with rs_embedder_fit),
 *    each feature hashed with XXH3 to a few signed dimensions, L2-normalised.
 *    No projection matrix is stored; the result depends only on the text,
 *    the options, the seed and the fitted idf, on every platform.
 *  - RS_EMBEDDER_CALLBACK (rs_embedder_create_callback): the host computes
 *    the vectors (a sentence encoder, an LLM) in a callback.
 *  - RS_EMBEDDER_WORD_VECTORS (rs_embedder_load_vectors): pre-trained word
 *    vectors (word2vec, GloVe, fastText); a text is the smooth inverse
 *    frequency (SIF) weighted mean of its words' vectors with the first
 *    principal component of the fitted corpus removed (Arora, Liang and Ma,
 *    "A simple but tough-to-beat baseline for sentence embeddings", 2017).
 *
 * Text preprocessing, shared by every kind (rs_embedder_tokenize shows it):
 * texts must be UTF-8 (invalid bytes give RS_ERR_ENCODING with the byte
 * offset, or become U+FFFD with RS_EMBEDDER_INVALID_UTF8 = 1); they are
 * normalised to NFKC and case-folded (utf8proc); words are the runs of
 * letters, marks and digits (an apostrophe between letters and a point or
 * comma between digits stay inside); every CJK character (Han, kana) is a
 * token of its own and adjacent CJK characters also give bigrams, so that
 * "购买苹果手机" yields 购 买 苹 果 手 机 and 购买 买苹 苹果 果手 手机.  Stop
 * words (built-in English and Chinese lists, plus the caller's) are dropped,
 * and n-grams never span a dropped word.
 *
 * Thread safety: rs_embedder_embed, rs_embedder_embed_batch and
 * rs_embedder_tokenize only read the embedder, so several threads may call
 * them at once while no thread changes it (set, fit, stop words); for a
 * callback embedder the host callback must then be thread-safe too.
 */
typedef struct rs_embedder rs_embedder;

/* The kind of an embedder (rs_embedder_kind). */
typedef enum rs_embedder_kind_id {
    RS_EMBEDDER_HASHING = 1,
    RS_EMBEDDER_CALLBACK = 2,
    RS_EMBEDDER_WORD_VECTORS = 3
} rs_embedder_kind_id;

/*
 * Options, set with rs_embedder_set_int / rs_embedder_set_double and read
 * with the matching getters; rs_embedder_option_bounds gives each range.
 * Options marked "feature" change which features a text produces: they
 * cannot change once the embedder is fitted (RS_ERR_STATE).
 */
typedef enum rs_embedder_option {
    /* int, hashing only: output dimension, 8..4096, default 256. */
    RS_EMBEDDER_DIM = 1,
    /* int, feature: hash seed, 0..INT64_MAX, default 0. */
    RS_EMBEDDER_SEED = 2,
    /* int, feature: longest word n-gram, 1..3, default 2 (unigrams+bigrams). */
    RS_EMBEDDER_WORD_NGRAM_MAX = 3,
    /* int, feature: shortest character n-gram of a word (counted in code
     * points on "<word>"), 1..16, default 3. */
    RS_EMBEDDER_CHAR_NGRAM_MIN = 4,
    /* int, feature: longest character n-gram, 0..16, default 5; no
     * character n-grams when it is 0 or below RS_EMBEDDER_CHAR_NGRAM_MIN. */
    RS_EMBEDDER_CHAR_NGRAM_MAX = 5,
    /* int, hashing only: signed dimensions each feature is hashed to, 1..8,
     * default 2. */
    RS_EMBEDDER_HASHES = 6,
    /* int, 0 or 1, default 1: term frequency tf counts as 1 + ln(tf). */
    RS_EMBEDDER_SUBLINEAR_TF = 7,
    /* int, 0 or 1, default 1: weight by the fitted idf (no effect before
     * rs_embedder_fit). */
    RS_EMBEDDER_USE_IDF = 8,
    /* int, feature: built-in stop-word lists, a mask of RS_STOPWORDS_*,
     * 0..3, default 3 (both).  Caller words (rs_embedder_add_stopword)
     * apply whatever this is; 0 plus caller words replaces the lists. */
    RS_EMBEDDER_STOPWORDS = 9,
    /* int, feature: numbers (tokens of digits only), 0 drop, 1 keep,
     * 2 replace each by the token "<num>"; default 1. */
    RS_EMBEDDER_NUMBERS = 10,
    /* int, 0 or 1, default 0: 0 refuses invalid UTF-8 (RS_ERR_ENCODING with
     * the byte offset), 1 replaces each bad byte by U+FFFD. */
    RS_EMBEDDER_INVALID_UTF8 = 11,
    /* int, 0 or 1, default 1: L2-normalise every output vector (a text
     * without features stays all zeros). */
    RS_EMBEDDER_NORMALIZE = 12,
    /* int, feature: 0 or 1, default 1: bigrams of adjacent CJK characters. */
    RS_EMBEDDER_CJK_BIGRAMS = 13,
    /* int, callback only: most texts per callback call, 1..65536, default 256. */
    RS_EMBEDDER_BATCH_SIZE = 14,
    /* double, hashing: weight of character n-gram features relative to
     * word n-grams, 0..16, default 1. */
    RS_EMBEDDER_CHAR_WEIGHT = 15,
    /* double, word vectors: the SIF constant a in a / (a + p(w)),
     * 1e-8..1, default 1e-3. */
    RS_EMBEDDER_SIF_A = 16,
    /* int, word vectors: 0 or 1, default 1: remove the first principal
     * component fitted by rs_embedder_fit. */
    RS_EMBEDDER_REMOVE_PC = 17,
    /* int, rs_embedder_embed_graph: propagation rounds, 0..4, default 1. */
    RS_EMBEDDER_GRAPH_ROUNDS = 18,
    /* double, rs_embedder_embed_graph: weight of an item's own text vector
     * against the mean of its entities' vectors, 0..1, default 0.5. */
    RS_EMBEDDER_GRAPH_SELF = 19
} rs_embedder_option;

/* Built-in stop-word lists, for RS_EMBEDDER_STOPWORDS. */
#define RS_STOPWORDS_ENGLISH 1
#define RS_STOPWORDS_CHINESE 2

/* What rs_embedder_tokenize writes. */
typedef enum rs_token_kind {
    RS_TOKENS_WORDS = 1,   /* words, numbers and single CJK characters */
    RS_TOKENS_FEATURES = 2 /* every feature the hashing embedder hashes */
} rs_token_kind;

/* Word-vector file formats, for rs_embedder_load_vectors. */
typedef enum rs_vectors_format {
    RS_VECTORS_AUTO = 0,  /* binary when the name ends in ".bin", else text */
    RS_VECTORS_TEXT = 1,  /* word2vec/fastText .vec (with a "count dim" first
                             line) or GloVe (without) */
    RS_VECTORS_BINARY = 2 /* word2vec binary: "count dim\n", then per word
                             the word, a space, dim little-endian float32 */
} rs_vectors_format;

/*
 * rs_embed_fn - the host callback of a callback embedder.
 *
 * @user_ctx      the pointer given to rs_embedder_create_callback.
 * @texts         n_texts NUL-terminated, valid UTF-8 texts (as the caller
 *                gave them, not normalised), borrowed for the call.
 * @n_texts       1 .. RS_EMBEDDER_BATCH_SIZE.
 * @vectors_out   n_texts x dim floats, row-major, to fill; every value must
 *                be finite.
 * @dim           the dimension given at creation.
 * @message       a buffer of message_size bytes for a NUL-terminated reason
 *                on failure (may be left empty).
 *
 * Returns 0 on success, any other value on failure: the library call then
 * fails with RS_ERR_CALLBACK and rs_errmsg() contains the message.
 */
typedef int (*rs_embed_fn)(void *user_ctx, const char *const *texts, size_t n_texts,
                           float *vectors_out, size_t dim, char *message,
                           size_t message_size);

/**
 * rs_embedder_create_hashing - a new hashing embedder with default options.
 *
 * @out  receives the embedder, to release with rs_embedder_free().
 *
 * The embedder works at once (with idf 1 for every feature); fit it on a
 * corpus such as the catalogue's descriptions (rs_embedder_fit) for tf-idf.
 *
 * Returns RS_OK, or RS_ERR_INVALID (out is NULL), RS_ERR_NOMEM.
 * Thread-safe.
 */
RS_API int rs_embedder_create_hashing(rs_embedder **out);

/**
 * rs_embedder_create_callback - an embedder whose vectors the host computes.
 *
 * @dim       the dimension the callback produces, 1..65536.
 * @fn        the callback (see rs_embed_fn); called on the thread that
 *            calls rs_embedder_embed / rs_embedder_embed_batch.
 * @user_ctx  passed to every call of fn; may be NULL; must outlive the
 *            embedder.
 * @out       receives the embedder, to release with rs_embedder_free().
 *
 * Returns RS_OK, or RS_ERR_INVALID (fn or out NULL), RS_ERR_RANGE (dim),
 * RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_embedder_create_callback(size_t dim, rs_embed_fn fn, void *user_ctx,
                                       rs_embedder **out);

/**
 * rs_embedder_load_vectors - an embedder on pre-trained word vectors.
 *
 * @path       the file: word2vec/fastText .vec text, GloVe text, or word2vec
 *             binary.
 * @format     an rs_vectors_format.
 * @max_words  keep only the first max_words words (files are sorted by
 *             frequency); 0 keeps all.
 * @out        receives the embedder, to release with rs_embedder_free().
 *
 * Words are normalised like texts (NFKC, case-folded); when two words
 * normalise alike the first is kept.  Until rs_embedder_fit gives corpus
 * frequencies, p(w) follows Zipf's law on the file's order.  Output vectors
 * have the file's dimension.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL path or out, unknown format),
 * RS_ERR_IO (cannot open or read), RS_ERR_PARSE (a bad header, a ragged row,
 * a value that is not a number, a count that disagrees with the header, an
 * empty file; the message gives file:line, or the byte offset in a binary
 * file), RS_ERR_RANGE (NaN or infinite value, with file:line), RS_ERR_NOMEM.
 * Thread-safe.
 */
RS_API int rs_embedder_load_vectors(const char *path, int format, size_t max_words,
                                    rs_embedder **out);

/**
 * rs_embedder_free - release an embedder.
 *
 * @embedder  the embedder, or NULL (a no-op).
 */
RS_API void rs_embedder_free(rs_embedder *embedder);

/**
 * rs_embedder_kind - the kind of an embedder.
 *
 * Returns an rs_embedder_kind_id, or 0 when embedder is NULL.
 */
RS_API int rs_embedder_kind(const rs_embedder *embedder);

/**
 * rs_embedder_dim - the dimension of the vectors an embedder writes.
 *
 * Returns the dimension, or 0 when embedder is NULL.
 */
RS_API size_t rs_embedder_dim(const rs_embedder *embedder);

/**
 * rs_embedder_set_int - set an integer option (rs_embedder_option).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL embedder, unknown option, or a
 * double option), RS_ERR_RANGE (value outside the option's range),
 * RS_ERR_UNSUPPORTED (an option this kind does not have, e.g.
 * RS_EMBEDDER_DIM of a callback embedder), RS_ERR_STATE (a feature option
 * of a fitted embedder).  On failure the embedder is unchanged.
 */
RS_API int rs_embedder_set_int(rs_embedder *embedder, int option, int64_t value);

/**
 * rs_embedder_get_int - read an integer option into *out.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument, unknown or double option).
 */
RS_API int rs_embedder_get_int(const rs_embedder *embedder, int option, int64_t *out);

/**
 * rs_embedder_set_double - set a floating-point option (rs_embedder_option).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL embedder, unknown or integer
 * option), RS_ERR_RANGE (outside the range, NaN, infinite).  On failure
 * the embedder is unchanged.
 */
RS_API int rs_embedder_set_double(rs_embedder *embedder, int option, double value);

/**
 * rs_embedder_get_double - read a floating-point option into *out.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument, unknown or integer option).
 */
RS_API int rs_embedder_get_double(const rs_embedder *embedder, int option, double *out);

/**
 * rs_embedder_option_bounds - the allowed range and default of an option.
 *
 * @option       an rs_embedder_option.
 * @min_out, @max_out, @default_out  receive the inclusive range and the
 *               default; any may be NULL.
 *
 * Returns RS_OK, or RS_ERR_INVALID (unknown option).  Thread-safe.
 */
RS_API int rs_embedder_option_bounds(int option, double *min_out, double *max_out,
                                     double *default_out);

/**
 * rs_embedder_add_stopword - drop a word from every text from now on.
 *
 * @word  a word, normalised like texts (so "The" drops "the"); a single CJK
 *        character or a CJK bigram also works.  At most RS_MAX_KEY_BYTES.
 *
 * Adds to the built-in lists selected by RS_EMBEDDER_STOPWORDS; set that
 * option to 0 first to replace them.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL or empty), RS_ERR_RANGE (too
 * long), RS_ERR_ENCODING, RS_ERR_STATE (the embedder is fitted), RS_ERR_NOMEM.
 */
RS_API int rs_embedder_add_stopword(rs_embedder *embedder, const char *word);

/**
 * rs_embedder_clear_stopwords - forget every word rs_embedder_add_stopword added.
 *
 * The built-in lists stay as RS_EMBEDDER_STOPWORDS selects.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL), RS_ERR_STATE (fitted).
 */
RS_API int rs_embedder_clear_stopwords(rs_embedder *embedder);

/**
 * rs_embedder_fit - learn corpus statistics from texts.
 *
 * @texts    n_texts NUL-terminated UTF-8 texts, e.g. every item description.
 * @n_texts  1 or more.
 *
 * Hashing: the document frequency of every feature, giving the smooth idf
 * ln((1 + n) / (1 + df)) + 1 (a feature never seen gets ln(1 + n) + 1).
 * Word vectors: the word frequencies p(w) and the first principal component
 * of the corpus's SIF vectors.  A later fit replaces an earlier one.
 * Callback: not supported.  A hashing fit spreads the texts over
 * rs_get_num_threads() threads; the result does not depend on that count.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL, n_texts 0, a NULL text, naming its
 * index), RS_ERR_ENCODING (text i at byte b), RS_ERR_UNSUPPORTED (callback
 * embedder), RS_ERR_NOMEM.  On failure the embedder is unchanged.
 */
RS_API int rs_embedder_fit(rs_embedder *embedder, const char *const *texts,
                           size_t n_texts);

/**
 * rs_embedder_embed - the vector of one text.
 *
 * @text  a NUL-terminated UTF-8 text; "" gives a zero vector.
 * @out   caller-allocated array of dim floats.
 * @dim   must equal rs_embedder_dim().
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument), RS_ERR_DIM (dim
 * differs), RS_ERR_ENCODING (with the byte offset), RS_ERR_CALLBACK (the
 * host callback failed or wrote NaN/Inf; its message follows), RS_ERR_NOMEM.
 * On failure out is set to zeros.
 */
RS_API int rs_embedder_embed(const rs_embedder *embedder, const char *text, float *out,
                             size_t dim);

/**
 * rs_embedder_embed_batch - the vectors of many texts.
 *
 * @texts    n_texts NUL-terminated UTF-8 texts.
 * @n_texts  0 or more.
 * @out      caller-allocated n_texts x dim floats, row-major; row i is the
 *           vector of texts[i], bitwise the same as rs_embedder_embed gives.
 * @dim      must equal rs_embedder_dim().
 *
 * Hashing and word-vector embedders spread the texts over
 * rs_get_num_threads() threads; a callback embedder calls the host in
 * batches of RS_EMBEDDER_BATCH_SIZE texts on the calling thread.
 *
 * Returns as rs_embedder_embed; messages name the text's index.  On failure
 * all of out is set to zeros: no half-written result is left behind.
 */
RS_API int rs_embedder_embed_batch(const rs_embedder *embedder, const char *const *texts,
                                   size_t n_texts, float *out, size_t dim);

/**
 * rs_embedder_tokenize - the tokens or features the embedder sees in a text.
 *
 * @text         a NUL-terminated UTF-8 text.
 * @what         RS_TOKENS_WORDS: the normalised words, numbers and CJK
 *               characters left after stop words, in text order;
 *               RS_TOKENS_FEATURES: every feature of the hashing scheme
 *               with repeats (words; n-grams joined by a space, or by
 *               nothing between two CJK characters; character n-grams as
 *               "#" followed by the n-gram of "<word>").
 * @buf          caller buffer receiving the tokens as consecutive
 *               NUL-terminated strings; may be NULL when buf_size is 0.
 * @buf_size     its size in bytes.
 * @needed_out   receives the bytes needed (may be NULL).
 * @count_out    receives the number of tokens (may be NULL).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL embedder or text, unknown what),
 * RS_ERR_ENCODING, RS_ERR_BUFFER (buf_size < *needed_out; both outs are
 * set and buf holds nothing useful), RS_ERR_NOMEM.
 */
RS_API int rs_embedder_tokenize(const rs_embedder *embedder, const char *text, int what,
                                char *buf, size_t buf_size, size_t *needed_out,
                                size_t *count_out);

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

/**
 * rs_embedder_embed_graph - item vectors that blend text with the graph.
 *
 * @embedder        embeds the items' texts.
 * @graph           the knowledge graph; read only (its in-memory adjacency).
 * @item_type       the node type of the items, e.g. "item".
 * @item_keys       n_items item keys; each must be a node of item_type.
 * @texts           n_items texts, or NULL entries for items without text
 *                  (texts itself may be NULL: no item has text).
 * @n_items         0 or more.
 * @entity_types    the node types that count as an item's entities (e.g.
 *                  "brand", "category", "attribute"); NULL or
 *                  n_entity_types 0 means every type other than item_type.
 * @n_entity_types  the number of entity_types.
 * @out             caller-allocated n_items x dim floats, row-major.
 * @dim             must equal rs_embedder_dim().
 *
 * An entity's vector is the weighted mean of the vectors of the listed
 * items linked to it (edges either way, weighted by edge weight times
 * relation weight; non-positive weights are ignored).  Each round, an item
 * becomes s * its text vector + (1 - s) * the weighted mean of its
 * entities' vectors (s = RS_EMBEDDER_GRAPH_SELF), re-normalised when
 * RS_EMBEDDER_NORMALIZE is on; an item without text takes its entities'
 * mean alone; one with neither stays zero.  RS_EMBEDDER_GRAPH_ROUNDS
 * rounds are run (0 gives the text vectors).  Deterministic.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument), RS_ERR_DIM,
 * RS_ERR_NOTFOUND (an item key that is not a node of item_type, or an
 * unknown entity type, named), RS_ERR_ENCODING, RS_ERR_CALLBACK,
 * RS_ERR_NOMEM.  On failure all of out is set to zeros.
 */
RS_API int rs_embedder_embed_graph(const rs_embedder *embedder, const rs_graph *graph,
                                   const char *item_type, const char *const *item_keys,
                                   const char *const *texts, size_t n_items,
                                   const char *const *entity_types, size_t n_entity_types,
                                   float *out, size_t dim);


/* ======================================================================
 * learn: collaborative models (src/learn)
 * ==================================================================== */

/*
 * Collaborative models learned from an interaction matrix (users x items):
 *
 *  - RS_CF_ALS: implicit-feedback matrix factorisation (Hu, Koren and
 *    Volinsky 2008).  Confidence c_ui = 1 + alpha * w_ui for an observed pair
 *    (preference 1), 1 for every other pair (preference 0); the loss
 *    sum c_ui (p_ui - x_u . y_i)^2 + lambda (sum |x_u|^2 + sum |y_i|^2) is
 *    minimised by alternating least squares, each row solved by a few
 *    warm-started conjugate-gradient steps, users first.
 *  - RS_CF_ITEMKNN: item-item cosine similarity between item columns,
 *    S_ij = x_i . x_j / (|x_i| |x_j| + shrink), diagonal 0, each target item
 *    keeping its RS_CF_NEIGHBORS most similar items; score_j = sum over the
 *    user's items i of w_i S_ij.
 *  - RS_CF_EASE: EASE^R (Steck 2019), B = I - P diag(1 / diag P) with
 *    P = (X^T X + lambda I)^-1 and diag(B) = 0; score = x B.  Its item x item
 *    matrix is dense: catalogues above RS_CF_MAX_ITEMS are refused.
 *  - RS_CF_RP3BETA: a two-step random walk item -> user -> item with a
 *    popularity penalty, in the manner of RP3beta (Paudel et al. 2017):
 *    W_ij = d_j^-beta sum_u (x_ui / d_i)^alpha (x_uj / d_u)^alpha for i != j,
 *    with d_u = sum_i x_ui and d_i = sum_u x_ui (weighted degrees), alpha =
 *    RS_CF_ALPHA and beta = RS_CF_BETA; each source item i keeps its
 *    RS_CF_NEIGHBORS largest W_ij.  score_j = sum over the user's items i of
 *    w_i W_ij.  Sparse, any catalogue size.
 *  - RS_CF_EDLAE: the emphasised denoising linear autoencoder of Steck
 *    (2020, "Autoencoders that don't overfit towards the identity"), full
 *    rank and full emphasis: EASE with the dropout-dependent penalty
 *    Lambda = lambda I + p / (1 - p) diag(X^T X), p = RS_CF_DROPOUT:
 *    B = I - P diag(1 / diag P), P = (X^T X + Lambda)^-1, diag(B) = 0.
 *    Dense like EASE (RS_CF_MAX_ITEMS); p = 0 gives EASE.
 *  - RS_CF_GFCF: graph filtering (GF-CF, Shen et al. 2021) over the
 *    normalised matrix R = D_u^-1/2 X D_i^-1/2: W = R^T R + w D_i^-1/2 V V^T
 *    D_i^1/2, a linear low-pass filter plus the ideal low-pass filter of the
 *    RS_CF_EIGENVECTORS leading eigenvectors V of R^T R (LAPACK ssyevr),
 *    w = RS_CF_IDEAL_WEIGHT; score = x W.  Dense like EASE
 *    (RS_CF_MAX_ITEMS); its diagonal is kept.
 *  - RS_CF_EASE_PAIRS: EASE with pairwise interactions (Steck and Liang
 *    2021): score = x B + z C, z the 0/1 indicator of the RS_CF_PAIRS item
 *    pairs (a, b) seen together by the most users (at least 2) that are
 *    both in the history.  ||X - X B - Z C||^2 + lambda (||B||^2 + ||C||^2)
 *    with diag(B) = 0 and C zero on a pair's own items, lambda =
 *    RS_CF_LAMBDA, minimised from EASE by RS_CF_ITERATIONS alternating
 *    closed-form updates of C and B (default 3; 0 gives EASE).  Dense like
 *    EASE (RS_CF_MAX_ITEMS).
 *
 * The data is an rs_cf_matrix, built from plain (user, item, weight) arrays
 * or from a graph's interaction edges.  Users and items are dense indices
 * 0 .. n - 1 of that matrix.
 *
 * Thread safety: a model or matrix is used by one thread at a time, except
 * that the read-only calls (rs_cf_model_score, rs_cf_model_fold_in,
 * rs_cf_model_user_factors, rs_cf_model_item_factors and the size queries)
 * may run concurrently while nothing writes to the model.
 * rs_cf_model_fit() uses up to rs_get_num_threads() threads of its own and
 * OpenBLAS's threads.
 */
typedef struct rs_cf_matrix rs_cf_matrix;
typedef struct rs_cf_model rs_cf_model;

/* The kind of model (rs_cf_model_create). */
typedef enum rs_cf_kind {
    RS_CF_ALS = 0,     /* implicit ALS with a conjugate-gradient solver */
    RS_CF_ITEMKNN = 1, /* item-item cosine with shrinkage, top-N neighbours */
    RS_CF_EASE = 2,    /* EASE^R closed form */
    RS_CF_RP3BETA = 3, /* item -> user -> item walk, popularity penalty,
                          top-N per item */
    RS_CF_EDLAE = 4,   /* emphasised denoising linear autoencoder, closed
                          form */
    RS_CF_GFCF = 5,    /* linear + ideal low-pass graph filter */
    RS_CF_EASE_PAIRS = 6 /* EASE plus pairwise interactions (since 1.1) */
} rs_cf_kind;

/* The axis of an rs_cf_matrix. */
#define RS_CF_USERS 0u
#define RS_CF_ITEMS 1u

/*
 * Options (rs_cf_model_set_int / rs_cf_model_set_double).  Each applies to the
 * next rs_cf_model_fit(); changing one after a fit does not change the fitted
 * model, except RS_CF_FOLDIN_STEPS which applies at once.
 */
typedef enum rs_cf_option {
    /* int options */
    RS_CF_FACTORS = 0,       /* ALS factors f, 1 .. 1024; default 64 */
    RS_CF_ITERATIONS = 1,    /* ALS and EASE pairs iterations, 0 .. 10000;
                                default 15 (EASE pairs: 3) */
    RS_CF_CG_STEPS = 2,      /* ALS CG steps per row and iteration, 1 .. 1024;
                                default 3 */
    RS_CF_SEED = 3,          /* initialisation seed, 0 .. INT_MAX; default 42 */
    RS_CF_REPORT_LOSS = 4,   /* 1: compute the loss after each ALS iteration
                                (rs_cf_model_loss), 0: do not; default 0 */
    RS_CF_NEIGHBORS = 5,     /* item-kNN neighbours kept per item, 0 (all)
                                .. INT_MAX; default 100 */
    RS_CF_MAX_ITEMS = 6,     /* EASE: largest catalogue accepted, 1 .. 1000000;
                                default 20000 (a 1.6 GB Gram matrix) */
    RS_CF_FOLDIN_STEPS = 7,  /* CG steps of rs_cf_model_fold_in, 0 .. 1024;
                                0 (default): until converged, at most f */
    RS_CF_EIGENVECTORS = 8,  /* GF-CF: leading eigenvectors of the ideal
                                filter, 0 (no ideal term) .. 65536, and at
                                most the number of items at the fit;
                                default 256 */
    RS_CF_PAIRS = 9,         /* EASE pairs: item pairs modelled, 0 ..
                                100000; default 1000 (since 1.1) */
    /* double options */
    RS_CF_ALPHA = 100,       /* ALS confidence slope alpha, >= 0; RP3beta:
                                exponent on the transition probabilities,
                                >= 0; default 1 for both */
    RS_CF_LAMBDA = 101,      /* ALS, EASE, EDLAE and EASE pairs
                                regularisation, >= 0 (EASE kinds: > 0);
                                default 30 for ALS, 500 for the EASE
                                kinds, unused by the
                                other kinds */
    RS_CF_SHRINK = 102,      /* item-kNN cosine shrinkage, >= 0; default 0 */
    RS_CF_INIT_SCALE = 103,  /* ALS initial factors N(0, s^2), s >= 0;
                                default 0.01 */
    RS_CF_BETA = 104,        /* RP3beta popularity exponent, >= 0; default
                                0.5 */
    RS_CF_DROPOUT = 105,     /* EDLAE dropout probability p, 0 <= p < 1;
                                default 0.25 */
    RS_CF_IDEAL_WEIGHT = 106 /* GF-CF weight of the ideal low-pass term,
                                >= 0; default 0.3 */
} rs_cf_option;

/**
 * rs_cf_matrix_create - an interaction matrix from plain arrays.
 *
 * @n_users   number of users (rows), >= 1.
 * @n_items   number of items (columns), >= 1.
 * @users     n user indices, each < n_users.
 * @items     n item indices, each < n_items.
 * @weights   n weights, finite and > 0; NULL means 1 for every pair.
 *            Repeated (user, item) pairs are summed.
 * @n         number of entries, >= 1.
 * @out       receives the matrix, owned by the caller (rs_cf_matrix_free);
 *            NULL on failure.
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument; n, n_users or n_items
 * is 0), RS_ERR_RANGE (an index out of range, a NaN, infinite, zero or
 * negative weight; the message gives the entry), RS_ERR_LIMIT (a dimension
 * or n above UINT32_MAX - 1), RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_cf_matrix_create(size_t n_users, size_t n_items, const uint32_t *users,
                               const uint32_t *items, const float *weights, size_t n,
                               rs_cf_matrix **out);

/**
 * rs_cf_matrix_from_graph - an interaction matrix from a graph's edges.
 *
 * @graph             the graph; only read.
 * @user_type         the node type of users (e.g. "user"); every live node
 *                    of that type is a row, in node index order.
 * @item_type         the node type of items (e.g. "item"); columns likewise.
 * @relations         the relations that count as interactions (edges from a
 *                    user node to an item node).
 * @relation_weights  one factor per relation: an edge adds
 *                    factor * edge weight to its pair; NULL uses each
 *                    relation's graph weight (rs_graph_get_relation_weight).
 *                    Edges whose contribution is not > 0 (a zero factor or
 *                    weight) are skipped; repeated pairs are summed.
 * @n_relations       number of relations, >= 1.
 * @out               receives the matrix (rs_cf_matrix_free); NULL on failure.
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument, n_relations 0),
 * RS_ERR_NOTFOUND (an unknown type or relation, or no node of a type),
 * RS_ERR_RANGE (a negative or non-finite factor), RS_ERR_STATE (no
 * interaction edge), RS_ERR_NOMEM.  rs_cf_matrix_node() maps rows and columns
 * back to graph nodes.
 */
RS_API int rs_cf_matrix_from_graph(const rs_graph *graph, const char *user_type,
                                   const char *item_type, const uint32_t *relations,
                                   const float *relation_weights, size_t n_relations,
                                   rs_cf_matrix **out);

/**
 * rs_cf_matrix_free - release a matrix.  NULL is a no-op.
 */
RS_API void rs_cf_matrix_free(rs_cf_matrix *matrix);

/**
 * rs_cf_matrix_shape - the number of users, items and stored (distinct)
 * pairs of a matrix; any out pointer may be NULL.  Returns RS_OK or
 * RS_ERR_INVALID (matrix is NULL).
 */
RS_API int rs_cf_matrix_shape(const rs_cf_matrix *matrix, size_t *n_users_out,
                              size_t *n_items_out, size_t *nnz_out);

/**
 * rs_cf_matrix_node - the graph node of a row (axis RS_CF_USERS) or column
 * (RS_CF_ITEMS) of a matrix built by rs_cf_matrix_from_graph().
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, unknown axis), RS_ERR_RANGE
 * (index out of range) or RS_ERR_STATE (the matrix was not built from a
 * graph).
 */
RS_API int rs_cf_matrix_node(const rs_cf_matrix *matrix, unsigned axis, uint32_t index,
                             uint32_t *node_out);

/**
 * rs_cf_model_create - a new, unfitted model of one kind with default options.
 *
 * @kind  an rs_cf_kind.
 * @out   receives the model (rs_cf_model_free); NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (out NULL, unknown kind) or RS_ERR_NOMEM.
 * Thread-safe.
 */
RS_API int rs_cf_model_create(int kind, rs_cf_model **out);

/**
 * rs_cf_model_free - release a model.  NULL is a no-op.
 */
RS_API void rs_cf_model_free(rs_cf_model *model);

/**
 * rs_cf_model_set_int - set an int option (see rs_cf_option for ranges and
 * defaults).
 *
 * Returns RS_OK, RS_ERR_INVALID (model NULL, an unknown or double option) or
 * RS_ERR_RANGE (value outside the option's range); on error the option keeps
 * its value.
 */
RS_API int rs_cf_model_set_int(rs_cf_model *model, int option, long long value);

/**
 * rs_cf_model_set_double - set a double option.  Errors as
 * rs_cf_model_set_int(); NaN and infinities are RS_ERR_RANGE.
 */
RS_API int rs_cf_model_set_double(rs_cf_model *model, int option, double value);

/**
 * rs_cf_model_get_int / rs_cf_model_get_double - read an option into *out.
 * Returns RS_OK or RS_ERR_INVALID (NULL argument, unknown option or wrong
 * type).
 */
RS_API int rs_cf_model_get_int(const rs_cf_model *model, int option, long long *out);
RS_API int rs_cf_model_get_double(const rs_cf_model *model, int option, double *out);

/**
 * rs_cf_model_fit - (re)fit the model on an interaction matrix.
 *
 * @model   the model; its previous fit, if any, is replaced on success.
 * @matrix  the data; only read, and not referenced after the call.
 *
 * ALS starts from factors drawn from N(0, RS_CF_INIT_SCALE^2) with the
 * library's counter-based generator keyed on RS_CF_SEED, so the result does
 * not depend on the thread count (up to BLAS rounding).
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument), RS_ERR_RANGE (an
 * option invalid for this kind, e.g. EASE or EDLAE with lambda 0, GF-CF
 * with more RS_CF_EIGENVECTORS than items), RS_ERR_LIMIT (EASE, EDLAE,
 * GF-CF: more items than RS_CF_MAX_ITEMS), RS_ERR_OVERFLOW, RS_ERR_NOMEM,
 * RS_ERR_INTERNAL (EASE, EDLAE: the Gram matrix is not positive definite;
 * GF-CF: the eigensolver failed).  On failure the model keeps its previous
 * fit.
 */
RS_API int rs_cf_model_fit(rs_cf_model *model, const rs_cf_matrix *matrix);

/**
 * rs_cf_model_kind / rs_cf_model_dim / rs_cf_model_users / rs_cf_model_items
 * - the kind of a model (-1 for NULL), its factor dimension (ALS after a fit;
 * 0 otherwise), and the number of users and items it was fitted on (0 before
 * a fit or for NULL).
 */
RS_API int rs_cf_model_kind(const rs_cf_model *model);
RS_API size_t rs_cf_model_dim(const rs_cf_model *model);
RS_API size_t rs_cf_model_users(const rs_cf_model *model);
RS_API size_t rs_cf_model_items(const rs_cf_model *model);

/**
 * rs_cf_model_loss - the ALS training loss after iteration @iteration
 * (0-based) of the last fit, computed when RS_CF_REPORT_LOSS was 1.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_STATE (not an ALS
 * model, no fit, or the loss was not recorded) or RS_ERR_RANGE (iteration
 * beyond the last).
 */
RS_API int rs_cf_model_loss(const rs_cf_model *model, size_t iteration, double *loss_out);

/**
 * rs_cf_model_user_factors / rs_cf_model_item_factors - copy the fitted ALS
 * factors of one user or item into a caller array of @dim floats.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_STATE (not a fitted
 * ALS model), RS_ERR_RANGE (index out of range), RS_ERR_DIM (dim differs
 * from rs_cf_model_dim()).
 */
RS_API int rs_cf_model_user_factors(const rs_cf_model *model, uint32_t user,
                                    float *factors_out, size_t dim);
RS_API int rs_cf_model_item_factors(const rs_cf_model *model, uint32_t item,
                                    float *factors_out, size_t dim);

/**
 * rs_cf_model_fold_in - the ALS factors of a user from their interactions,
 * without retraining (a new user, or new events of a known one).
 *
 * @items        n item indices of the fitted model (repeats are summed).
 * @weights      n weights (finite, > 0), or NULL for 1 each; confidence is
 *               1 + alpha * weight as in training.
 * @n            0 gives the zero vector.
 * @factors_out  caller array of dim floats.
 * @dim          must equal rs_cf_model_dim().
 *
 * Solves (Y^T Y + lambda I + sum_i (c_i - 1) y_i y_i^T) x = sum_i c_i y_i by
 * conjugate gradients from x = 0, RS_CF_FOLDIN_STEPS steps of
 * O(f^2 + n f) each, using the Y^T Y cached by the fit.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument with n > 0), RS_ERR_STATE (not
 * a fitted ALS model), RS_ERR_RANGE (an item out of range, a bad weight),
 * RS_ERR_DIM, RS_ERR_NOMEM.  Read-only on the model.
 */
RS_API int rs_cf_model_fold_in(const rs_cf_model *model, const uint32_t *items,
                               const float *weights, size_t n, float *factors_out,
                               size_t dim);

/**
 * rs_cf_model_score - scores of every item for one user given by their
 * interactions (items and weights as rs_cf_model_fold_in).
 *
 * ALS: the fold-in factors times every item's factors.  Item-kNN and
 * RP3beta: the sum of the kept item-item weights from the user's items,
 * weighted.  EASE, EDLAE, GF-CF: x B (x W).  The user's own items are not
 * excluded; do that when ranking.
 *
 * @scores_out  caller array of n_items floats; n_items must equal
 *              rs_cf_model_items().
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_STATE (no fit), RS_ERR_RANGE,
 * RS_ERR_DIM (n_items differs), RS_ERR_NOMEM.  Read-only on the model.
 */
RS_API int rs_cf_model_score(const rs_cf_model *model, const uint32_t *items,
                             const float *weights, size_t n, float *scores_out,
                             size_t n_items);

/**
 * rs_cf_model_save - write a fitted model into a graph's model file.
 *
 * @name  the model's name (a key, e.g. "als"); a model saved before under
 *        the same name is replaced.
 *
 * The fit (factors, neighbour lists or the dense item x item matrix, as
 * float32 blobs with their shape and an XXH3 checksum) and the options go in the graph's meta table under
 * "cf:<name>", in one write.  Returns RS_OK, RS_ERR_INVALID (NULL argument,
 * bad name), RS_ERR_STATE (no fit), RS_ERR_READONLY, RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_cf_model_save(const rs_cf_model *model, rs_graph *graph, const char *name);

/**
 * rs_cf_model_load - a model saved by rs_cf_model_save().  Models saved
 * by release 1.0 (ALS, item-kNN, EASE) load; the options they did not have
 * take their defaults.
 *
 * Returns RS_OK with *out owned by the caller, or RS_ERR_INVALID,
 * RS_ERR_NOTFOUND (no model of that name), RS_ERR_CORRUPT (bad length,
 * shape, checksum, an option out of range, a neighbour list out of order or
 * out of range, or a non-finite value), RS_ERR_VERSION (a newer format),
 * RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_cf_model_load(rs_graph *graph, const char *name, rs_cf_model **out);

/**
 * rs_cf_model_item_store - a new item store holding the fitted ALS item
 * factors (an embedding space), so that rs_item_store_search() scores users'
 * factors (from rs_cf_model_user_factors or rs_cf_model_fold_in) with
 * RS_METRIC_INNER_PRODUCT, which is the ALS score.
 *
 * @item_keys  n_items keys, key i naming item i (e.g. the graph keys from
 *             rs_cf_matrix_node() and rs_graph_node_key()).
 * @n_items    must equal rs_cf_model_items().
 * @out        receives the store (rs_item_store_free); item i gets store
 *             index i.  rs_item_store_save(store, graph, "als") persists it.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_STATE (not a fitted ALS model),
 * RS_ERR_DIM, RS_ERR_EXISTS (a repeated key), the key errors of
 * rs_item_store_add(), RS_ERR_NOMEM.
 */
RS_API int rs_cf_model_item_store(const rs_cf_model *model, const char *const *item_keys,
                                  size_t n_items, rs_item_store **out);

/**
 * rs_cf_model_set_item_keys - the keys of a fitted model's items, carried by
 * the model from then on: key i names item i.  rs_cf_model_save() saves
 * them with the model and rs_cf_model_load() reads them back, so that
 * rs_scorer_set_collaborative() takes the model without a key array and a
 * reader of the file maps the model's items by key (rs_cf_model_item_key,
 * rs_cf_model_item_index).  A later rs_cf_model_fit() drops them (its items
 * are new).  An rs_model sets them at its build: its collaborative model's
 * item i is store index i.
 *
 * @keys  n keys, copied; each a valid key (rs_graph_add_node's rules),
 *        none repeated.
 * @n     must equal rs_cf_model_items().
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, a bad key), RS_ERR_STATE
 * (not fitted), RS_ERR_DIM (n), RS_ERR_EXISTS (a repeated key), RS_ERR_RANGE,
 * RS_ERR_ENCODING (a key), RS_ERR_NOMEM; on failure the model keeps its
 * keys.  Not thread-safe with other calls on the model.
 */
RS_API int rs_cf_model_set_item_keys(rs_cf_model *model, const char *const *keys, size_t n);

/**
 * rs_cf_model_item_key - the key of item @index, borrowed until the model's
 * next rs_cf_model_set_item_keys(), rs_cf_model_fit() or free; NULL for a
 * NULL model, a model without keys or an index out of range.
 */
RS_API const char *rs_cf_model_item_key(const rs_cf_model *model, uint32_t index);

/**
 * rs_cf_model_item_index - the item index of a key into *index_out.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_STATE (the model
 * carries no keys), RS_ERR_NOTFOUND (no such item).  Thread-safe with the
 * other read calls.
 */
RS_API int rs_cf_model_item_index(const rs_cf_model *model, const char *key,
                                  uint32_t *index_out);


/* ======================================================================
 * user: the user model, rs_user_model (src/user)
 * ==================================================================== */

/*
 * A user model holds many users, each with an interest vector in the
 * embedding space of one item store: the decayed, weighted sum of the unit
 * vectors of the items the user interacted with.  Each event has a weight
 * (by event name: "bought" 1.0, "carted" 0.5, "viewed" 0.2 by default, any
 * other name 1.0) times the caller's weight, which may be negative (a skip,
 * a dislike) and then moves the interest away from the item.  With a
 * half-life h > 0, an event t seconds older than the user's latest counts
 * 2^(-t/h) as much.  The model also keeps each user's history (item
 * indices of the store, weights, times) for the scorer, a text interest from
 * the user's own texts (rs_user_model_observe_text, blended in by
 * RS_USER_TEXT_WEIGHT) and, with an ALS model attached, collaborative
 * fold-in factors (rs_user_model_set_collaborative).  A model is saved to
 * and loaded from the model file with rs_user_model_save / _load.
 *
 * Lifetime: the store must outlive the model, and must not be compacted
 * while the model lives (histories hold store indices).
 * Thread safety: one writer at a time; the read-only calls (interest,
 * history, count, get_*) may run concurrently while nothing writes.
 */
typedef struct rs_user_model rs_user_model;

/* Options of rs_user_model_set_double(). */
typedef enum rs_user_option {
    /* half-life of the time decay in seconds, >= 0 (0: no decay); default 0 */
    RS_USER_HALF_LIFE = 0,
    /* the share b of the text interest in the interest vector, 0 .. 1;
     * default 0.3.  A user with both an item history (h) and texts (t, see
     * rs_user_model_observe_text) has the interest
     * unit((1 - b) unit(h) + b unit(t)); with only one of them, that one
     * (b = 0: texts are ignored).  Applies at once, to every user. */
    RS_USER_TEXT_WEIGHT = 10
} rs_user_option;

/**
 * rs_user_model_create - an empty user model over an item store.
 *
 * @store  the item store whose vectors and keys the model uses; borrowed,
 *         it must outlive the model.
 * @out    receives the model (rs_user_model_free); NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_NOMEM.
 */
RS_API int rs_user_model_create(const rs_item_store *store, rs_user_model **out);

/** rs_user_model_free - release a model; NULL is a no-op. */
RS_API void rs_user_model_free(rs_user_model *model);

/** rs_user_model_count - the number of users observed (0 for NULL). */
RS_API size_t rs_user_model_count(const rs_user_model *model);

/**
 * rs_user_model_set_double / rs_user_model_get_double - a real option.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, unknown option),
 * RS_ERR_RANGE (a value outside the option's range, NaN, Inf).  Affects
 * later observations only.
 */
RS_API int rs_user_model_set_double(rs_user_model *model, int option, double value);
RS_API int rs_user_model_get_double(const rs_user_model *model, int option, double *value_out);

/**
 * rs_user_model_set_event_weight / rs_user_model_get_event_weight - the
 * weight of an event name, 0 .. 1e6 (an unset name weighs 1).
 *
 * Affects later observations only.  Returns RS_OK, RS_ERR_INVALID (NULL
 * model, NULL or empty name), RS_ERR_RANGE (weight outside [0, 1e6], NaN),
 * RS_ERR_ENCODING, RS_ERR_NOMEM.
 */
RS_API int rs_user_model_set_event_weight(rs_user_model *model, const char *event,
                                          double weight);
RS_API int rs_user_model_get_event_weight(const rs_user_model *model, const char *event,
                                          double *weight_out);

/**
 * rs_user_model_observe - add one event to a user's interest, in O(dim).
 *
 * @user       the user's key; a new key creates the user.
 * @item       an item key of the store.
 * @event      the event name ("bought", "viewed" ...), or NULL (weight 1).
 * @weight     finite, |weight| <= 1e9; negative moves the interest away
 *             from the item (negative feedback); it is multiplied by the
 *             event's weight.
 * @timestamp  seconds (any epoch); events may arrive out of order.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL/empty key), RS_ERR_NOTFOUND (the
 * item is not in the store), RS_ERR_RANGE (weight), RS_ERR_ENCODING,
 * RS_ERR_NOMEM.  On failure the model is unchanged.
 */
RS_API int rs_user_model_observe(rs_user_model *model, const char *user, const char *item,
                                 const char *event, double weight, int64_t timestamp);

/**
 * rs_user_model_interest - a user's interest vector, scaled to unit length
 * (all zeros when the events cancel out), into a caller array of @dim
 * floats.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_DIM (dim is not the store's),
 * RS_ERR_NOTFOUND (unknown user).
 */
RS_API int rs_user_model_interest(const rs_user_model *model, const char *user,
                                  float *vector_out, size_t dim);

/**
 * rs_user_model_history - a user's events, oldest first: store item
 * indices and weights (caller weight x event weight x time decay).
 *
 * @weights_out  may be NULL.
 * @n_out        the number of events.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (unknown user),
 * RS_ERR_BUFFER (more events than capacity: the first capacity are
 * written, *n_out holds the number needed).
 */
RS_API int rs_user_model_history(const rs_user_model *model, const char *user,
                                 uint32_t *items_out, float *weights_out, size_t capacity,
                                 size_t *n_out);

/**
 * rs_user_model_observe_text - add one of the user's own texts (a search
 * query, a review) to the user's text interest, in O(dim) plus the
 * embedding.
 *
 * @user       the user's key; a new key creates the user (with no item
 *             history).
 * @text       NUL-terminated UTF-8, embedded with @embedder; a text whose
 *             vector is zero (empty, only stop words) changes nothing and
 *             returns RS_OK.
 * @weight     finite, |weight| <= 1e9; the text's unit vector times weight
 *             is added (negative: "not this"), decayed like item events
 *             (RS_USER_HALF_LIFE, the same reference time).
 * @timestamp  seconds, as rs_user_model_observe.
 * @embedder   borrowed for the call; its vectors must live in the item
 *             store's space (the embedder that embedded the items' texts),
 *             and rs_embedder_dim() must equal the store's dimension.
 *
 * The text interest is blended into rs_user_model_interest() and the
 * scorer's content signal by RS_USER_TEXT_WEIGHT; rs_user_model_history()
 * lists item events only.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, bad key), RS_ERR_RANGE
 * (weight), RS_ERR_DIM (embedder dimension), RS_ERR_ENCODING (user key or
 * text), RS_ERR_CALLBACK (a host embedder failed), RS_ERR_NOMEM.  On
 * failure the model is unchanged.  Not thread-safe with other calls on the
 * model; the embedder is only read.
 */
RS_API int rs_user_model_observe_text(rs_user_model *model, const char *user, const char *text,
                                      double weight, int64_t timestamp,
                                      const rs_embedder *embedder);

/**
 * rs_user_model_set_collaborative - attach a fitted ALS model, so that
 * every rs_user_model_observe() also folds the user's history into
 * collaborative factors (rs_cf_model_fold_in), or NULL to detach.
 *
 * @cf         a fitted RS_CF_ALS model, borrowed: it must outlive the user
 *             model (or the next call); NULL detaches and drops every
 *             user's factors.
 * @item_keys  n_items keys: key i names the model's item i; keys not in
 *             the store are ignored (their events are not folded in).
 * @n_items    must equal rs_cf_model_items(cf).
 *
 * Attaching folds in every known user at once.  The fold-in uses the
 * user's events with a positive weight (caller weight x event weight x
 * decay) as confidences.  Cost: each later observe of a user with n events
 * costs O(n) plus the fold-in's RS_CF_FOLDIN_STEPS conjugate-gradient
 * steps of O(f^2 + n f) each (f = rs_cf_model_dim; by default up to f
 * steps), on top of the O(dim) interest update: measured about 8 x 10^4
 * observes per second for f = 64 and histories of up to 20 events, against
 * 3 x 10^5 without a model (bench_score, 2-core VM).  While no model
 * is attached, an observe drops that user's factors.  Factors are not
 * saved by rs_user_model_save(); attach the model again after a load.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL model; NULL item_keys with n_items
 * > 0), RS_ERR_STATE (not a fitted ALS model), RS_ERR_DIM (n_items),
 * RS_ERR_NOMEM.  On failure the model is unchanged.
 */
RS_API int rs_user_model_set_collaborative(rs_user_model *model, const rs_cf_model *cf,
                                           const char *const *item_keys, size_t n_items);

/**
 * rs_user_model_collaborative_factors - a user's fold-in factors (zeros for
 * a user without positive events in the collaborative model), e.g. as a
 * query of rs_item_store_search() over rs_cf_model_item_store().
 *
 * @dim  must equal rs_cf_model_dim() of the attached model.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_STATE (no model attached),
 * RS_ERR_DIM, RS_ERR_NOTFOUND (unknown user).  Read-only.
 */
RS_API int rs_user_model_collaborative_factors(const rs_user_model *model, const char *user,
                                               float *factors_out, size_t dim);

/**
 * rs_user_model_save - write a user model into a graph's model file.
 *
 * @model  the model; only read.
 * @graph  an open, writable graph (the model file).
 * @name   the saved model's name (a key, e.g. "users"); a model saved
 *         before under the name is replaced.
 *
 * Saved: the options, the event weights, and per user (one row of the
 * file's user_vectors table) the interest and text vectors, the reference
 * time and the history, with items named by key (so a store loaded with
 * rs_item_store_load, whose indices may differ, fits), each row and the
 * model's header as a blob with an XXH3 checksum.  Events of items since
 * removed from the store are not saved (their share of the interest is).
 * Collaborative factors are not saved.  One SAVEPOINT: on failure the file
 * keeps what it had.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, bad name), RS_ERR_READONLY,
 * RS_ERR_IO, RS_ERR_BUSY, RS_ERR_NOMEM.  Not concurrently with other calls
 * on the same graph.
 */
RS_API int rs_user_model_save(const rs_user_model *model, rs_graph *graph, const char *name);

/**
 * rs_user_model_load - a user model saved by rs_user_model_save(), over an
 * item store.
 *
 * @graph  the model file (read-only is fine).
 * @name   the saved model's name.
 * @store  the item store the new model uses (borrowed, as in
 *         rs_user_model_create); history items are looked up by key.
 * @out    receives the model (rs_user_model_free); NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, bad name), RS_ERR_NOTFOUND
 * (no model of that name; a history item not in the store, named),
 * RS_ERR_DIM (the saved dimension is not the store's), RS_ERR_CORRUPT (a
 * header or user row whose length, checksum, key or values are damaged; the
 * message names the user), RS_ERR_VERSION (saved by a newer library),
 * RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_user_model_load(rs_graph *graph, const char *name, const rs_item_store *store,
                              rs_user_model **out);


/* ======================================================================
 * score: the scorer, rs_scorer (src/score)
 * ==================================================================== */

/*
 * A scorer ranks the items of an item store for the users of a user model
 * and of a knowledge graph ("simulated reasoning"):
 *
 *   content  c_ui = cos(profile, item) over sparse TF-IDF word vectors of
 *            the items' names, the profile being the history-weighted sum
 *            of the history's vectors (RS_SCORER_CONTENT_PROFILE, the
 *            default), or cos(user interest, item vector) of the item
 *            store (RS_SCORER_CONTENT_VECTORS), in [-1, 1];
 *   graph    R_ui = the aggregated weight of the walks user -> ... -> item
 *            of 1 .. RS_SCORER_HOPS edges (both directions), each step
 *            weighted by edge weight x relation weight divided by the total
 *            of its node's edges (a random-walk step), each hop beyond the
 *            first multiplied by RS_SCORER_DECAY; computed for all items at
 *            once by sparse propagation from the user's node, divided by
 *            the item's popularity^RS_SCORER_POP_PENALTY (users with an
 *            interest vector only), then by the
 *            largest item value: R_ui in [0, 1]; or, with
 *            RS_SCORER_GRAPH_OPERATOR, the three-hop paths user -> item <-
 *            user -> item summed through a sparse item-item operator built
 *            once (RP3beta), for the users with a history;
 *   collab   the collaborative model's score (rs_scorer_set_collaborative)
 *            divided by its largest absolute value, in [-1, 1];
 *   popular  the number of the user model's users who bought the item,
 *            each weighted by the age of their latest event of it
 *            (RS_SCORER_POP_HALF_LIFE; with 0 the item's in-degree from
 *            user nodes of the graph), over the largest, in [0, 1].
 *
 * RS_SCORER_PRODUCT (the seed's formula) ranks by
 *   ((1 + c_ui) / 2) x (floor + (1 - floor) R_ui);
 * RS_SCORER_BLEND by w_content c + w_collab collab + w_graph R + w_pop pop.
 * A user without an interest vector (cold start) is ranked, in both modes,
 * by w_collab collab + R_ui + w_cold_pop pop + w_first_basket first +
 * w_segment seg, where R_ui comes from the user's node (profile attributes,
 * social links, graph neighbours) when the graph has one, first is the
 * popularity among new users' first-day purchases and seg the popularity
 * among the users sharing a profile node (RS_SCORER_W_SEGMENT); a user
 * unknown to both is ranked by popularity.
 *
 * Time: event times are the user model's.  The history fed to the
 * collaborative model can decay (RS_SCORER_HISTORY_HALF_LIFE) and merge
 * repeated events of an item (RS_SCORER_HISTORY_MERGE); popularity can be
 * recency-weighted (RS_SCORER_POP_HALF_LIFE).  "now" is the latest event time
 * of the user model when the scorer is created (or RS_SCORER_POP_HALF_LIFE
 * set); both popularity arrays are snapshots taken then.  Without event
 * times (all 0) no decay applies.  The defaults were chosen on the
 * validation split of the public retail protocol (bench/retail_score.c,
 * `make eval-score`).
 *
 * A user is looked up by key in the user model (interest, history) and as a
 * node of type "user" in the graph; an item of the store is the graph node
 * of type "item" with the same key.  The user's history (model events, or
 * else the user's graph edges to items) is never recommended.
 *
 * Lifetime: the graph, the store, the user model and the collaborative
 * model are borrowed and must outlive the scorer.  A write to the graph or
 * the store after rs_scorer_create() makes every later call fail with
 * RS_ERR_STATE (create a new scorer); observing new events in the user
 * model is allowed between calls.
 * A blend ranking (recommend, recommend_batch, recommend_filtered) does not
 * compute a signal whose weight is 0 for a user with a history.
 * Thread safety: recommend, recommend_batch, score, explain and
 * similar_items only read, so any number of threads may call them at once
 * while nothing writes to the scorer or its parents.
 */
typedef struct rs_scorer rs_scorer;

/* Combine modes (RS_SCORER_MODE). */
typedef enum rs_scorer_mode {
    RS_SCORER_PRODUCT = 0, /* ((1 + cos) / 2) x (floor + (1 - floor) R_ui) */
    RS_SCORER_BLEND = 1    /* weighted sum of content, collab, graph, popularity */
} rs_scorer_mode;

/* Options of rs_scorer_set_int / rs_scorer_set_double. */
typedef enum rs_scorer_option {
    RS_SCORER_MODE = 0,       /* int: rs_scorer_mode; default RS_SCORER_BLEND */
    RS_SCORER_HOPS = 1,       /* int: walk length 1 .. 6; default 3 */
    RS_SCORER_COLD_START = 2, /* int: 1 (default) an unknown user is cold-started;
                                 0 it is RS_ERR_NOTFOUND */
    RS_SCORER_DECAY = 100,    /* double: per-hop decay, 0 .. 1; default 0.5 */
    RS_SCORER_FLOOR = 101,    /* double: R_ui floor of the product, 0 .. 1; default 0.1 */
    RS_SCORER_W_CONTENT = 102, /* double: blend weights, 0 .. 1000;      default 0.3 */
    RS_SCORER_W_COLLAB = 103,  /*                                         default 1 */
    RS_SCORER_W_GRAPH = 104,   /*                                         default 0.1 */
    RS_SCORER_W_POPULARITY = 105, /*                                      default 0.3 */
    RS_SCORER_POP_PENALTY = 106,  /* double: R_ui of an item is divided by its
                                     popularity^p before scaling (p = 0 keeps
                                     the plain walk), 0 .. 2; default 0.3 */
    RS_SCORER_W_COLD_POPULARITY = 107, /* double: the popularity weight of the
                                     cold-start ranking, 0 .. 1000; default 0.3 */
    RS_SCORER_COLLAB_BINARY = 14, /* int: 1 the collaborative model scores the
                                     user's history items with weight 1 each,
                                     as models fitted on a binary matrix (the
                                     model layer's) expect; 0 (default) with
                                     their (merged, decayed) event weights */
    RS_SCORER_HISTORY_MERGE = 10, /* int: 1 an item the user has several events
                                     of enters the collaborative model once,
                                     with its largest (decayed) weight; 0 each
                                     event adds its weight; default 1 */
    RS_SCORER_HISTORY_HALF_LIFE = 110, /* double: seconds; the history weights
                                     fed to the collaborative model (and
                                     seeding the walk of a user without a
                                     graph node) decay by 2^(-(now - t) / h), now =
                                     the user model's latest event time (0
                                     keeps them), 0 .. 1e10; default 60 days
                                     (5184000) */
    RS_SCORER_POP_HALF_LIFE = 111, /* double: seconds; popularity becomes the
                                     number of the user model's users who
                                     bought the item, each weighted by
                                     2^(-(now - t) / h) for their latest event
                                     of it (0, or a user model whose events
                                     are all at one instant: the item's
                                     in-degree from graph users), 0 .. 1e10;
                                     default 7 days (604800) */
    RS_SCORER_W_FIRST_BASKET = 112, /* double: cold-start weight of the "first
                                     basket" popularity (the items users bought
                                     within a day of their first event, each
                                     user weighted as for RS_SCORER_POP_HALF_LIFE),
                                     0 .. 1000; default 0 */
    RS_SCORER_W_SEGMENT = 113,     /* double: cold-start weight of the segment
                                     popularity, from every profile node of
                                     the user (its non-item, non-user graph
                                     neighbours: country, age band, ...): per
                                     node p, a_p = (c_p + m g) / (n_p + m)
                                     with n_p the buying users sharing p, c_p
                                     those who bought the item and g the
                                     global share of buyers; A = the
                                     mean of the a_p; with several nodes,
                                     (c_P + m2 A) / (n_P + m2) over the users
                                     sharing all of them
                                     (RS_SCORER_COMBO_SHRINK); scaled to
                                     [0, 1], 0 .. 1000; default 10 */
    RS_SCORER_SEGMENT_SHRINK = 114, /* double: m above, the pseudo-users
                                     pulling a node's popularity toward the
                                     global one, 0 .. 1e6; default 5 */
    RS_SCORER_GRAPH_OPERATOR = 11, /* int: 1 the graph signal R_ui of a user
                                     with a history is the history times a
                                     sparse item-item operator built once from
                                     the graph's user -> item edges (RP3beta:
                                     W_ij = sum_u (a_ui / d_i)(a_uj / d_u)
                                     d_j^-beta, a = edge weight x relation
                                     weight, d the weighted degrees, top-N
                                     entries per row), without the
                                     RS_SCORER_POP_PENALTY division; 0 the
                                     walk; default 0.  Cold users keep the
                                     walk.  Setting it (or the two options
                                     below while it is 1) builds the operator */
    RS_SCORER_OPERATOR_TOP_N = 12, /* int: entries kept per operator row,
                                     1 .. 100000; default 50 */
    RS_SCORER_OPERATOR_BETA = 115, /* double: the operator's popularity
                                     exponent beta, 0 .. 2; default 0.4 */
    RS_SCORER_CONTENT_PROFILE = 13, /* int: rs_scorer_content_profile, the
                                     content signal c_ui; default
                                     RS_SCORER_CONTENT_TFIDF (which falls
                                     back to the vectors when fewer than half
                                     of the items have a named word) */
    RS_SCORER_SEGMENT_HALF_LIFE = 117, /* double: seconds; in the segment
                                     popularity each user counts
                                     2^(-(now - t) / h) for its latest
                                     purchase, each buyer of an item for its
                                     latest purchase of it (0: all count 1),
                                     0 .. 1e10; default 0 */
    RS_SCORER_COMBO_SHRINK = 116   /* double: cold start by profile
                                     attributes: pseudo-users pulling the
                                     popularity among the users who share
                                     every profile node of the user toward
                                     the mean of the per-node popularities,
                                     0 .. 1e6; default 20 */
} rs_scorer_option;

/* The content signal (RS_SCORER_CONTENT_PROFILE). */
typedef enum rs_scorer_content_profile {
    RS_SCORER_CONTENT_VECTORS = 0, /* cosine of the user model's interest
                                      and the item store's vectors */
    RS_SCORER_CONTENT_TFIDF = 1    /* cosine of sparse TF-IDF word vectors of
                                      the items' "name" (or "description")
                                      properties, the profile being the
                                      weighted mean of the history's vectors */
} rs_scorer_content_profile;

/* Entries of rs_scorer_score()'s parts_out. */
typedef enum rs_scorer_part {
    RS_SCORER_PART_SCORE = 0,      /* the ranking score */
    RS_SCORER_PART_CONTENT = 1,    /* c_ui */
    RS_SCORER_PART_GRAPH = 2,      /* R_ui */
    RS_SCORER_PART_COLLAB = 3,     /* collab (0 without a model) */
    RS_SCORER_PART_POPULARITY = 4, /* pop (RS_SCORER_POP_HALF_LIFE) */
    RS_SCORER_PART_SEGMENT = 5,    /* a cold user's segment popularity
                                      (RS_SCORER_W_SEGMENT), else 0 */
    RS_SCORER_PART_FIRST_BASKET = 6, /* the item's first-basket popularity */
    RS_SCORER_PARTS = 7            /* the number of parts (5 before the
                                      segment and first-basket parts; a
                                      smaller n_parts stays valid) */
} rs_scorer_part;

/* Where a user's ranking came from (rs_scorer_explain's source_out). */
typedef enum rs_scorer_source {
    RS_SCORER_FROM_HISTORY = 0,   /* the user's own events */
    RS_SCORER_FROM_PROFILE = 1,   /* cold start: the user's graph node (profile
                                     attributes, links, neighbours) */
    RS_SCORER_FROM_POPULARITY = 2 /* cold start: popularity only */
} rs_scorer_source;

/**
 * rs_scorer_create - a scorer over a graph, an item store and a user model.
 *
 * @graph  the knowledge graph (may hold no user or no item nodes).
 * @store  the item store; item keys are matched to graph "item" nodes.
 * @users  a user model created on this very store.
 * @out    receives the scorer (rs_scorer_free); NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_STATE (the user
 * model is on another store; a non-empty store none of whose keys is an
 * "item" node of the graph), RS_ERR_NOMEM.
 */
RS_API int rs_scorer_create(const rs_graph *graph, const rs_item_store *store,
                            const rs_user_model *users, rs_scorer **out);

/** rs_scorer_free - release a scorer; NULL is a no-op. */
RS_API void rs_scorer_free(rs_scorer *scorer);

/**
 * rs_scorer_set_int / rs_scorer_set_double / rs_scorer_get_int /
 * rs_scorer_get_double - the options (rs_scorer_option, ranges above).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, unknown option or an option
 * of the other type), RS_ERR_RANGE (out of range, NaN, Inf; nothing
 * changed).  Not thread-safe with the read calls.
 */
RS_API int rs_scorer_set_int(rs_scorer *scorer, int option, int64_t value);
RS_API int rs_scorer_set_double(rs_scorer *scorer, int option, double value);
RS_API int rs_scorer_get_int(const rs_scorer *scorer, int option, int64_t *value_out);
RS_API int rs_scorer_get_double(const rs_scorer *scorer, int option, double *value_out);

/**
 * rs_scorer_set_collaborative - use a fitted collaborative model for the
 * collab signal (rs_cf_model_score on the user's history), or NULL to stop.
 *
 * @item_keys  n_items keys: key i names the model's item i; keys that are
 *             not in the store are ignored.  NULL with n_items 0: the keys
 *             the model carries (rs_cf_model_set_item_keys; a model an
 *             rs_model built carries them).  Passing keys is the
 *             lower-level form, for a model that carries none.
 * @n_items    must equal rs_cf_model_items(model) (0 with NULL keys).
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_DIM (n_items), RS_ERR_STATE (NULL
 * keys and a model that carries none), RS_ERR_NOMEM.  The model is
 * borrowed and must outlive the scorer (or the next call).
 */
RS_API int rs_scorer_set_collaborative(rs_scorer *scorer, const rs_cf_model *model,
                                       const char *const *item_keys, size_t n_items);

/**
 * rs_scorer_save_operator - store the scorer's graph operator
 * (RS_SCORER_GRAPH_OPERATOR) in the meta table of its graph's model file,
 * as a little-endian blob with an XXH3 checksum, so that a later scorer can
 * load it instead of building it.
 *
 * @scorer  a scorer whose operator is built (RS_SCORER_GRAPH_OPERATOR 1).
 * @graph   the scorer's own graph, writable (the const handle the scorer
 *          was created on, passed again as the one allowed to write).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, or another graph), RS_ERR_STATE (no
 * operator; the graph or store changed since create), RS_ERR_READONLY,
 * RS_ERR_IO, RS_ERR_NOMEM, RS_ERR_OVERFLOW.  Writing meta does not make the
 * scorer stale.  Not thread-safe with the read calls.
 */
RS_API int rs_scorer_save_operator(const rs_scorer *scorer, rs_graph *graph);

/**
 * rs_scorer_load_operator - use the operator rs_scorer_save_operator stored
 * in the graph's model file; sets RS_SCORER_GRAPH_OPERATOR to 1 and
 * RS_SCORER_OPERATOR_BETA / RS_SCORER_OPERATOR_TOP_N to the saved values.
 *
 * @scorer  the scorer.
 * @graph   the scorer's own graph (read-only is fine).
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (no operator saved),
 * RS_ERR_CORRUPT (bad length, checksum or entries), RS_ERR_VERSION (a newer
 * format), RS_ERR_STATE (saved for another number of items or user-item
 * pairs: rebuild it), RS_ERR_IO, RS_ERR_NOMEM; on error the scorer is
 * unchanged.  Not thread-safe with the read calls.
 */
RS_API int rs_scorer_load_operator(rs_scorer *scorer, rs_graph *graph);

/**
 * rs_scorer_recommend - the k best unseen items of the store for a user.
 *
 * @user        the user's key (see the cold start above).
 * @k           0 is allowed; beyond the catalogue only the items there are
 *              come back.
 * @items_out   k store indices (rs_item_store_key), best first; ties go to
 *              the lower index.
 * @scores_out  k scores; may be NULL.
 * @n_out       how many were written.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, bad key), RS_ERR_NOTFOUND
 * (unknown user with RS_SCORER_COLD_START 0), RS_ERR_STATE (graph or store
 * changed), RS_ERR_NOMEM.  Thread-safe (read-only).
 */
RS_API int rs_scorer_recommend(const rs_scorer *scorer, const char *user, size_t k,
                               uint32_t *items_out, float *scores_out, size_t *n_out);

/**
 * rs_scorer_recommend_filtered - rs_scorer_recommend with an allow list and
 * a deny list over store indices (bitsets as in rs_item_store_search: bit i
 * of word i / 64 stands for index i; bits beyond a list's words count as
 * clear).
 *
 * @allow  NULL (every item allowed), or allow_words words: only items whose
 *         bit is set are returned (e.g. from rs_item_store_attribute_filter).
 * @deny   NULL, or deny_words words: items whose bit is set are never
 *         returned.
 *
 * Returns as rs_scorer_recommend; RS_ERR_INVALID also for a NULL list with
 * a non-zero length.  Thread-safe (read-only).
 */
RS_API int rs_scorer_recommend_filtered(const rs_scorer *scorer, const char *user, size_t k,
                                        const uint64_t *allow, size_t allow_words,
                                        const uint64_t *deny, size_t deny_words,
                                        uint32_t *items_out, float *scores_out, size_t *n_out);

/**
 * rs_scorer_recommend_batch - rs_scorer_recommend for n users: row u of
 * the n x k arrays items_out / scores_out (scores may be NULL) holds user
 * u's list, counts_out[u] its length; empty slots are RS_ITEM_NONE.
 *
 * The users are spread over rs_get_num_threads() threads of the library
 * (each user's list is computed alone, so the result is bitwise the same
 * as n calls of rs_scorer_recommend on the calling thread).  When
 * users fail, the status and rs_errmsg() are those of the first failing
 * user in input order (the message gives its position); the other rows may
 * have been written.  Returns as rs_scorer_recommend.  Thread-safe
 * (read-only), like rs_scorer_recommend.
 */
RS_API int rs_scorer_recommend_batch(const rs_scorer *scorer, const char *const *users,
                                     size_t n, size_t k, uint32_t *items_out,
                                     float *scores_out, size_t *counts_out);

/**
 * rs_scorer_score - one (user, item) pair's score and its components.
 *
 * @item       an item key of the store.
 * @parts_out  n_parts doubles (rs_scorer_part; n_parts <= RS_SCORER_PARTS).
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (unknown item; unknown
 * user without cold start), RS_ERR_STATE, RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_scorer_score(const rs_scorer *scorer, const char *user, const char *item,
                           double *parts_out, size_t n_parts);

/**
 * rs_scorer_explain - why an item is recommended to a user: the heaviest
 * graph path user -> ... -> item (rs_graph_best_paths, up to RS_SCORER_HOPS
 * edges, both directions; from the user's node, else from the user's
 * history items) and one readable sentence.
 *
 * @nodes_out      capacity graph node indices of the path (user first);
 *                 may be NULL when capacity is 0.
 * @relations_out  capacity relation indices (RS_GRAPH_REVERSED set for an
 *                 edge followed backwards); entry i joins nodes i and i+1;
 *                 may be NULL.
 * @capacity       RS_SCORER_HOPS + 1 entries always suffice.
 * @length_out     the number of edges of the path (0: no path).
 * @weight_out     the path's weight; may be NULL.
 * @source_out     rs_scorer_source; may be NULL.
 * @text           a buffer of text_capacity bytes for the sentence
 *                 (NUL-terminated, truncated to fit); may be NULL when
 *                 text_capacity is 0.
 *
 * Item names are the item node's "name" (else "description") property as
 * read by rs_scorer_create, other nodes are named by their type and key.
 * For a user without a graph node the path starts with RS_ITEM_NONE in
 * place of the user, then the history item it goes through.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (unknown item; unknown
 * user without cold start), RS_ERR_BUFFER (capacity below the path's node
 * count), RS_ERR_STATE, RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_scorer_explain(const rs_scorer *scorer, const char *user, const char *item,
                             uint32_t *nodes_out, uint32_t *relations_out, size_t capacity,
                             size_t *length_out, double *weight_out, int *source_out,
                             char *text, size_t text_capacity);

/**
 * rs_scorer_interests - a user's interests summarised as graph entities:
 * the k nodes that are neither users nor items (brand, category, material,
 * country ...) with the largest walk mass within RS_SCORER_HOPS hops of the
 * user (the same propagation as R_ui), as shares of the total, largest
 * first (ties: lower node index).  Name them with rs_graph_node_key, e.g.
 * "material=METAL 0.41, colour=WHITE 0.33".
 *
 * @nodes_out    k graph node indices.
 * @weights_out  k shares in (0, 1]; may be NULL.
 * @n_out        how many were written (0 for a user the graph does not
 *               reach).
 *
 * Returns as rs_scorer_recommend.  Thread-safe (read-only).
 */
RS_API int rs_scorer_interests(const rs_scorer *scorer, const char *user, size_t k,
                               uint32_t *nodes_out, float *weights_out, size_t *n_out);

/**
 * rs_scorer_similar_items - the k items most like an item: ranked as for a
 * user whose interest is the item's vector and whose graph walk starts at
 * the item's node; the item itself is excluded.
 *
 * Returns as rs_scorer_recommend, with RS_ERR_NOTFOUND for an unknown item.
 */
RS_API int rs_scorer_similar_items(const rs_scorer *scorer, const char *item, size_t k,
                                   uint32_t *items_out, float *scores_out, size_t *n_out);

/*
 * Re-ranking options (rs_scorer_set_int / rs_scorer_set_double), all off by
 * default, so that a scorer ranks by score alone.  When one is on, the
 * ranking of recommend, recommend_filtered, recommend_batch and
 * similar_items becomes:
 *
 *  1. candidates: the unseen, allowed items whose score is at least
 *     RS_SCORER_MIN_SCORE, of which the RS_SCORER_RERANK_POOL x k best are
 *     kept (just the k best when only the threshold is on);
 *  2. greedy selection of up to k of them: each step takes the candidate
 *     with the largest MMR value
 *         lambda rel(i) - (1 - lambda) max_{j chosen} cos(x_i, x_j),
 *     rel(i) being the score scaled to [0, 1] over the candidates and x
 *     the item vectors of the store (the first step takes the best score;
 *     lambda = 1 ranks by score), skipping candidates that have a group
 *     which already holds RS_SCORER_MAX_PER_GROUP chosen items.
 *
 * An item's groups are the nodes at the other end of its edges (either
 * direction) of the relation RS_SCORER_GROUP_RELATION (e.g. the index of
 * "has_brand" from rs_graph_find_relation: one group per brand), and the
 * item store attributes RS_SCORER_GROUP_ATTRIBUTE_FIRST ..
 * + RS_SCORER_GROUP_ATTRIBUTES - 1 the item has (e.g. one attribute per
 * category); an item without a group is never capped; at most 256 groups
 * per item count.  Fewer than k items come back when the threshold or the
 * caps leave fewer candidates in the pool.  Scores returned are the items'
 * scores, in selection order.  Cost: O(pool x k x dim) for MMR and
 * O(pool x k x groups) for the caps, besides the scan.
 */
typedef enum rs_scorer_rerank_option {
    RS_SCORER_RERANK_POOL = 20,   /* int: candidates per wanted item, 1 .. 100;
                                     default 5 */
    RS_SCORER_MAX_PER_GROUP = 21, /* int: at most m items per group, 0 (default:
                                     no cap) .. 1000000 */
    RS_SCORER_GROUP_RELATION = 22, /* int: the graph relation index whose
                                     targets are groups, or -1 (default, none) */
    RS_SCORER_GROUP_ATTRIBUTE_FIRST = 23, /* int: first group attribute,
                                     0 .. RS_ITEM_MAX_ATTRIBUTES - 1; default 0 */
    RS_SCORER_GROUP_ATTRIBUTES = 24, /* int: number of group attributes, 0
                                     (default) .. RS_ITEM_MAX_ATTRIBUTES - first */
    RS_SCORER_MMR_LAMBDA = 130,   /* double: MMR trade-off, 0 .. 1; default 1
                                     (relevance only, no diversity) */
    RS_SCORER_MIN_SCORE = 131     /* double: scores below are dropped; finite
                                     within +-1e30, or -INFINITY (the default,
                                     no threshold: the one option accepting an
                                     infinity) */
} rs_scorer_rerank_option;


/* ======================================================================
 * io: readers, cleaning and import (src/io)
 * ==================================================================== */

/*
 * The io module reads interaction logs, catalogues and profiles (CSV, TSV,
 * JSON Lines), cleans them by explicit, counted rules, and normalises
 * numbers.  Every error and every dropped row names its file and line.
 */

/* An open input file or memory buffer, read one row at a time. */
typedef struct rs_reader rs_reader;

/* Input formats, for rs_reader_open(). */
typedef enum rs_format {
    RS_FORMAT_AUTO = 0,  /* from the file name: .tsv/.tab TSV, .jsonl/.ndjson/.json
                            JSON Lines, anything else CSV */
    RS_FORMAT_CSV = 1,   /* RFC 4180: "quoted" fields with "" escapes, embedded
                            separators and newlines, CRLF or LF, optional BOM */
    RS_FORMAT_TSV = 2,   /* tab-separated, no quoting (like most raw exports) */
    RS_FORMAT_JSONL = 3  /* one JSON object per line (parsed by jansson) */
} rs_format;

/*
 * Reader options, for rs_reader_set_int() before the first rs_reader_next().
 * JSON Lines ignores the separator, quote and header options.  A row holds at
 * most 2^20 fields (RS_ERR_LIMIT beyond).
 */
typedef enum rs_reader_option {
    RS_READER_SEPARATOR = 0,  /* field separator byte, 1..127 except '\n', '\r'
                                 and the quote; default ',' (CSV) or '\t' (TSV) */
    RS_READER_QUOTE = 1,      /* quote byte, or 0 for no quoting; default '"' for
                                 CSV, 0 for TSV */
    RS_READER_HEADER = 2,     /* 1: the first non-empty row names the columns
                                 (default); 0: no header, columns are "1", "2"... */
    RS_READER_RAGGED = 3,     /* 0: a row whose field count differs from the
                                 header's is an error (default); 1: allowed */
    RS_READER_CHECK_UTF8 = 4, /* 1: invalid UTF-8 is an error (default); 0: bytes
                                 are passed through unchecked */
    RS_READER_MAX_RECORD = 5  /* longest record in bytes, 1024..2^30; default
                                 2^24 (16 MiB); longer is RS_ERR_LIMIT */
} rs_reader_option;

/*
 * Column roles: what a column means to an import.  Each role is found by
 * header name, from rs_reader_map() or else from the defaults listed
 * (compared ignoring ASCII case, first match in this order).
 */
typedef enum rs_role {
    RS_ROLE_USER = 0,   /* user, user_id, userid, customer, customer_id,
                           customerid, client, visitorid */
    RS_ROLE_ITEM = 1,   /* item, item_id, itemid, product, product_id, productid,
                           stockcode, sku, movieid, asin */
    RS_ROLE_WEIGHT = 2, /* weight, rating, score, quantity, count, value */
    RS_ROLE_TIME = 3,   /* time, timestamp, date, datetime, invoicedate,
                           event_time, ts, created_at */
    RS_ROLE_EVENT = 4,  /* event, event_type, type, action, relation */
    RS_ROLE_TEXT = 5,   /* description, title, name, text, review */
    RS_ROLE_GROUP = 6   /* invoice, invoiceno, order, order_id, session,
                           session_id, basket */
} rs_role;

/**
 * rs_reader_open - open a CSV, TSV or JSON Lines file for reading.
 *
 * @path    the file to read ("-" is not special).
 * @format  an rs_format; RS_FORMAT_AUTO picks one from the file name.
 * @out     receives the new reader; set to NULL on failure.
 *
 * The file is read in chunks: memory stays bounded by the longest record
 * (RS_READER_MAX_RECORD), whatever the file size.  Nothing is read until the
 * first rs_reader_next(), so options can be set in between.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument, unknown format), RS_ERR_IO
 * (the file cannot be opened; the message names it and the reason),
 * RS_ERR_NOMEM.  The caller owns the reader and closes it with
 * rs_reader_close().
 */
RS_API int rs_reader_open(const char *path, int format, rs_reader **out);

/**
 * rs_reader_open_memory - read CSV, TSV or JSON Lines text from memory.
 *
 * @data    the text; borrowed, it must stay valid and unchanged until the
 *          reader is closed.  May be NULL when len is 0.
 * @len     its length in bytes.
 * @name    the name used in messages ("file:line"); NULL gives "<memory>".
 *          Copied.
 * @format  an rs_format; RS_FORMAT_AUTO picks one from name.
 * @out     receives the new reader; set to NULL on failure.
 *
 * Returns RS_OK, or RS_ERR_INVALID, RS_ERR_NOMEM.
 */
RS_API int rs_reader_open_memory(const char *data, size_t len, const char *name, int format,
                                 rs_reader **out);

/**
 * rs_reader_close - close a reader and release everything it holds.
 *
 * @reader  the reader, or NULL (a no-op).  Fields and names it handed out
 *          become invalid.
 */
RS_API void rs_reader_close(rs_reader *reader);

/**
 * rs_reader_set_int - set a reader option (rs_reader_option).
 *
 * @reader  the reader, before its first rs_reader_next().
 * @option  an rs_reader_option.
 * @value   the value; ranges and defaults are listed with rs_reader_option.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL reader, unknown option),
 * RS_ERR_RANGE (a value outside the option's range), RS_ERR_STATE (reading
 * has started).  On error the reader is unchanged.
 */
RS_API int rs_reader_set_int(rs_reader *reader, int option, int64_t value);

/**
 * rs_reader_map - name the column that plays a role.
 *
 * @reader  the reader.
 * @role    an rs_role.
 * @column  the header name of the column (copied), or NULL to go back to the
 *          default names of the role.
 *
 * Can be called at any time; the name is resolved by rs_reader_role().
 * Returns RS_OK, or RS_ERR_INVALID (NULL reader, unknown role, empty column).
 */
RS_API int rs_reader_map(rs_reader *reader, int role, const char *column);

/**
 * rs_reader_next - advance to the next row.
 *
 * @reader  the reader.
 *
 * Empty lines are skipped; the header row (RS_READER_HEADER) is consumed by
 * the first call.  Fields of the row are then available through
 * rs_reader_field() until the next call.
 *
 * Returns 1 when a row is available, 0 at the end of the input, or a negative
 * status: RS_ERR_PARSE (unbalanced quote, text after a closing quote, binary
 * data such as a NUL byte, a field count that differs from the header's, a
 * line that is not a JSON object), RS_ERR_ENCODING (invalid UTF-8),
 * RS_ERR_UNSUPPORTED (gzip-compressed input),
 * RS_ERR_LIMIT (a record longer than RS_READER_MAX_RECORD), RS_ERR_IO,
 * RS_ERR_NOMEM.  Every message starts with "file:line: ".  After an error
 * the reader stays failed: later calls return RS_ERR_STATE.  In JSON Lines
 * the first object's keys are the columns: a later object with a key the
 * first one lacks is RS_ERR_PARSE (as an extra field is in CSV), so that no
 * value is dropped unseen; give every key in the first object, null where
 * it has no value.
 */
RS_API int rs_reader_next(rs_reader *reader);

/**
 * rs_reader_field_count - the number of fields of the current row.
 *
 * Returns 0 before the first row and after the end.  For JSON Lines this is
 * the number of columns.
 */
RS_API size_t rs_reader_field_count(const rs_reader *reader);

/**
 * rs_reader_field - one field of the current row.
 *
 * @reader   the reader.
 * @index    the field, 0-based.
 * @len_out  receives the length in bytes; may be NULL.
 *
 * Returns the field as NUL-terminated text (quotes removed, "" unescaped;
 * for JSON Lines: strings verbatim, numbers as written by jansson, true and
 * false, "" for null or a missing key, objects and arrays as compact JSON),
 * borrowed until the next rs_reader_next() or rs_reader_close().  Returns
 * NULL when index is out of range (and sets *len_out to 0).
 */
RS_API const char *rs_reader_field(const rs_reader *reader, size_t index, size_t *len_out);

/**
 * rs_reader_line - the line where the current row starts, 1-based.
 *
 * Physical lines: a quoted field with embedded newlines spans several.
 * Returns 0 before the first row.
 */
RS_API uint64_t rs_reader_line(const rs_reader *reader);

/**
 * rs_reader_name - the file name used in messages.
 *
 * Returns a string borrowed from the reader, or "" for a NULL reader.
 */
RS_API const char *rs_reader_name(const rs_reader *reader);

/**
 * rs_reader_column_count - the number of columns.
 *
 * Reads the header (or, for JSON Lines, the first object, whose keys are the
 * columns) if no row has been read yet.  Returns 0 for an empty input or
 * after a read error.
 */
RS_API size_t rs_reader_column_count(rs_reader *reader);

/**
 * rs_reader_column_name - the name of a column.
 *
 * @reader  the reader (the header is read if needed).
 * @index   the column, 0-based.
 *
 * Returns the borrowed name, valid until rs_reader_close(), or NULL when
 * index is out of range.
 */
RS_API const char *rs_reader_column_name(rs_reader *reader, size_t index);

/**
 * rs_reader_column - the index of a column, by header name.
 *
 * @reader     the reader (the header is read if needed).
 * @name       the column name: an exact match wins, else one that differs
 *             only in ASCII case.
 * @index_out  receives the 0-based index.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument), RS_ERR_NOTFOUND (no such
 * column; the message lists the columns), or the error that reading the
 * header met.
 */
RS_API int rs_reader_column(rs_reader *reader, const char *name, size_t *index_out);

/**
 * rs_reader_role - the column that plays a role.
 *
 * @reader     the reader (the header is read if needed).
 * @role       an rs_role.
 * @index_out  receives the 0-based column index.
 *
 * Uses the name given to rs_reader_map(), else the role's default names.
 * Returns RS_OK, or RS_ERR_INVALID, RS_ERR_NOTFOUND (the message names the
 * role and the names that were tried).
 */
RS_API int rs_reader_role(rs_reader *reader, int role, size_t *index_out);

/**
 * rs_reader_double - a field of the current row as a finite number.
 *
 * Same rules as rs_io_parse_double(); errors name "file:line: column".
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (no such field),
 * RS_ERR_PARSE, RS_ERR_RANGE.  *out is unchanged on error.
 */
RS_API int rs_reader_double(const rs_reader *reader, size_t index, double *out);

/**
 * rs_reader_int64 - a field of the current row as an integer.
 *
 * Same rules as rs_io_parse_int64(); errors name "file:line: column".
 */
RS_API int rs_reader_int64(const rs_reader *reader, size_t index, int64_t *out);

/**
 * rs_reader_time - a field of the current row as a timestamp.
 *
 * Same rules as rs_io_parse_time(); errors name "file:line: column".
 */
RS_API int rs_reader_time(const rs_reader *reader, size_t index, int64_t *out);

/**
 * rs_io_parse_double - parse a decimal number, whatever the C locale.
 *
 * @text  the text; surrounding ASCII spaces and tabs are ignored.
 * @len   its length in bytes.
 * @out   receives the value, correctly rounded; unchanged on error.
 *
 * Accepts [+-] digits [. digits] [(e|E) [+-] digits] (either digit run may be
 * empty, not both).  The decimal point is always '.', never the locale's.
 * Returns RS_OK, RS_ERR_INVALID (NULL text or out), RS_ERR_PARSE (empty or
 * not a number, also hexadecimal), RS_ERR_RANGE ("nan", "inf", "infinity" in
 * any case, or a value that overflows a double).  Thread-safe.
 */
RS_API int rs_io_parse_double(const char *text, size_t len, double *out);

/**
 * rs_io_parse_int64 - parse a decimal integer.
 *
 * Accepts [+-] digits, and also a number with a zero fraction ("17.0", as
 * spreadsheets export ids).  Returns RS_OK, RS_ERR_INVALID, RS_ERR_PARSE,
 * RS_ERR_RANGE (outside int64_t).  Thread-safe.
 */
RS_API int rs_io_parse_int64(const char *text, size_t len, int64_t *out);

/**
 * rs_io_parse_time - parse a timestamp into seconds since 1970-01-01 UTC.
 *
 * @text  ISO 8601: "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM:SS",
 *        with optional fraction ".fff" (truncated), and optional "Z" or an
 *        offset "+HH:MM", "+HHMM", "+HH"; times without an offset are taken
 *        as UTC.  Or an epoch: an integer number of seconds (11 digits or
 *        fewer), or of milliseconds (13 digits, rounded down to seconds).
 * @len   its length in bytes.
 * @out   receives the seconds; unchanged on error.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_PARSE (not a timestamp), RS_ERR_RANGE
 * (a field out of range, such as month 13 or February 30).  Thread-safe.
 */
RS_API int rs_io_parse_time(const char *text, size_t len, int64_t *out);

/* Normalisation methods, for rs_io_normalize(). */
typedef enum rs_norm {
    RS_NORM_SCALE = 0,  /* v / param (param > 0), e.g. a rating out of 5 */
    RS_NORM_MINMAX = 1, /* (v - min) / (max - min); all 0 when max == min */
    RS_NORM_ZSCORE = 2  /* (v - mean) / sd, population sd; all 0 when sd == 0 */
} rs_norm;

/**
 * rs_io_normalize - normalise an array of numbers in place.
 *
 * @values  the numbers; all must be finite.
 * @count   how many (0 is allowed).
 * @method  an rs_norm.
 * @param   the scale for RS_NORM_SCALE (finite, > 0); ignored otherwise.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL values with count > 0, unknown
 * method), RS_ERR_RANGE (a NaN or infinite value, named by index, or a bad
 * param).  On error the values are unchanged.  Thread-safe.
 */
RS_API int rs_io_normalize(double *values, size_t count, int method, double param);

/* Row cleaning: rules applied to each row of a reader, in the order added. */
typedef struct rs_cleaner rs_cleaner;

/* How a match rule compares a field with its pattern, rs_cleaner_add_match(). */
typedef enum rs_match {
    RS_MATCH_EXACT = 0,    /* the field equals the pattern */
    RS_MATCH_PREFIX = 1,   /* the field starts with the pattern */
    RS_MATCH_CONTAINS = 2, /* the pattern occurs in the field */
    RS_MATCH_FIRST_OF = 3  /* the field's first byte is one of the pattern's bytes */
} rs_match;

/* Whether a match rule drops the rows that match, or those that do not. */
typedef enum rs_drop {
    RS_DROP_MATCH = 0,    /* drop a row whose field matches */
    RS_DROP_NO_MATCH = 1  /* drop a row whose field does not match */
} rs_drop;

/* Value types for rs_cleaner_add_type(). */
typedef enum rs_type {
    RS_TYPE_NUMBER = 0,  /* rs_io_parse_double() accepts it */
    RS_TYPE_INTEGER = 1, /* rs_io_parse_int64() accepts it */
    RS_TYPE_TIME = 2     /* rs_io_parse_time() accepts it */
} rs_type;

/* Bounds flags for rs_cleaner_add_range(). */
#define RS_RANGE_MIN_EXCLUSIVE 1u /* drop v == min as well (v must be > min) */
#define RS_RANGE_MAX_EXCLUSIVE 2u /* drop v == max as well (v must be < max) */

/*
 * A host predicate for rs_cleaner_add_callback(): fields[0..count) and
 * lens[0..count) are the row's fields.  Return 1 to drop the row, 0 to keep
 * it, a negative value to stop with RS_ERR_CALLBACK.
 */
typedef int (*rs_row_predicate)(const char *const *fields, const size_t *lens, size_t count,
                                void *context);

/**
 * rs_cleaner_create - a cleaner with no rules.
 *
 * @out  receives the cleaner; NULL on failure.
 *
 * Rules are tried in the order they are added; a row is dropped by the first
 * rule it fails and counted under that rule, exactly as if each rule filtered
 * the survivors of the previous ones.  Missing values are "", "NA", "N/A",
 * "NULL" and "null" (after trimming spaces) until rs_cleaner_set_missing().
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOMEM.  Free with rs_cleaner_free().
 */
RS_API int rs_cleaner_create(rs_cleaner **out);

/**
 * rs_cleaner_free - release a cleaner (closing its reject file).
 *
 * @cleaner  the cleaner, or NULL (a no-op).
 */
RS_API void rs_cleaner_free(rs_cleaner *cleaner);

/**
 * rs_cleaner_set_missing - the texts that count as a missing value.
 *
 * @cleaner  the cleaner.
 * @tokens   count strings (copied), compared after trimming ASCII spaces; the
 *           empty field is always missing.
 * @count    how many; 0 leaves only the empty field.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL cleaner, NULL tokens with count > 0, a
 * NULL token), RS_ERR_NOMEM.
 */
RS_API int rs_cleaner_set_missing(rs_cleaner *cleaner, const char *const *tokens, size_t count);

/**
 * rs_cleaner_add_required - drop rows whose column is missing.
 *
 * @cleaner  the cleaner.
 * @name     the rule's name in counts and in the reject file (copied).
 * @column   the column's header name (copied), resolved when rows are checked.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL or empty argument), RS_ERR_NOMEM.
 * The same holds for every rs_cleaner_add_* function.
 */
RS_API int rs_cleaner_add_required(rs_cleaner *cleaner, const char *name, const char *column);

/**
 * rs_cleaner_add_type - drop rows whose column is not of a type.
 *
 * @type  an rs_type.  A missing value fails too.
 */
RS_API int rs_cleaner_add_type(rs_cleaner *cleaner, const char *name, const char *column,
                               int type);

/**
 * rs_cleaner_add_range - drop rows whose column is not a number in [min, max].
 *
 * @min, @max  the bounds (-INFINITY and INFINITY for none; min <= max, not
 *             NaN, else RS_ERR_RANGE).
 * @flags      RS_RANGE_MIN_EXCLUSIVE, RS_RANGE_MAX_EXCLUSIVE.
 *
 * A value that is not a finite number fails the rule.
 */
RS_API int rs_cleaner_add_range(rs_cleaner *cleaner, const char *name, const char *column,
                                double min, double max, unsigned flags);

/**
 * rs_cleaner_add_allowed - drop rows whose column is not one of a list.
 *
 * @values  count allowed texts (copied), compared exactly.
 * @count   at least 1.
 */
RS_API int rs_cleaner_add_allowed(rs_cleaner *cleaner, const char *name, const char *column,
                                  const char *const *values, size_t count);

/**
 * rs_cleaner_add_match - drop rows by comparing a column with a pattern.
 *
 * @match    an rs_match.
 * @pattern  the pattern (copied; not empty).
 * @drop     RS_DROP_MATCH or RS_DROP_NO_MATCH.
 *
 * For example cancellations, invoice numbers starting with "C":
 * (RS_MATCH_PREFIX, "C", RS_DROP_MATCH); non-product codes, stock codes not
 * starting with a digit: (RS_MATCH_FIRST_OF, "0123456789", RS_DROP_NO_MATCH).
 */
RS_API int rs_cleaner_add_match(rs_cleaner *cleaner, const char *name, const char *column,
                                int match, const char *pattern, int drop);

/**
 * rs_cleaner_add_callback - drop rows by a host predicate.
 *
 * @predicate  called with every row that reaches this rule.
 * @context    passed through; borrowed.
 */
RS_API int rs_cleaner_add_callback(rs_cleaner *cleaner, const char *name,
                                   rs_row_predicate predicate, void *context);

/**
 * rs_cleaner_add_dedup - drop exact duplicate rows.
 *
 * @columns  count column names that form the compared key (copied), or NULL
 *           and 0 for all fields.
 *
 * The first row with a key that reaches this rule is kept; later ones are
 * dropped ("duplicate of line N").  Keys are compared as raw text by their
 * XXH3 128-bit hash (a false match is less likely than 2^-60 for a billion
 * rows); memory grows by 24 bytes per distinct key.
 */
RS_API int rs_cleaner_add_dedup(rs_cleaner *cleaner, const char *name,
                                const char *const *columns, size_t count);

/**
 * rs_cleaner_set_reject_file - write every dropped row to a file.
 *
 * @cleaner  the cleaner.
 * @path     the file, created or truncated; NULL closes the current one.
 *
 * Each dropped row gives one line "file:line: rule: reason".  The file is
 * buffered: closing it (path NULL, or another path) reports a late write
 * error, rs_cleaner_free() does not.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_IO (naming the path).
 */
RS_API int rs_cleaner_set_reject_file(rs_cleaner *cleaner, const char *path);

/**
 * rs_cleaner_check - apply the rules to the reader's current row.
 *
 * @cleaner   the cleaner.
 * @reader    a reader positioned on a row (rs_reader_next() returned 1).
 * @keep_out  receives 1 to keep the row, 0 when a rule dropped it.
 *
 * Column names are resolved against the reader's header on first use.
 * Returns RS_OK, or RS_ERR_INVALID, RS_ERR_STATE (no current row),
 * RS_ERR_NOTFOUND (a rule's column is not in the header), RS_ERR_CALLBACK,
 * RS_ERR_IO (writing the reject file), RS_ERR_NOMEM.
 */
RS_API int rs_cleaner_check(rs_cleaner *cleaner, rs_reader *reader, int *keep_out);

/**
 * rs_cleaner_rule_count - the number of rules added.
 */
RS_API size_t rs_cleaner_rule_count(const rs_cleaner *cleaner);

/**
 * rs_cleaner_rule_name - the name of rule index (in the order added).
 *
 * Returns a borrowed string, or NULL when index is out of range.
 */
RS_API const char *rs_cleaner_rule_name(const rs_cleaner *cleaner, size_t index);

/**
 * rs_cleaner_dropped - how many rows rule index has dropped so far.
 *
 * Returns 0 when index is out of range.
 */
RS_API uint64_t rs_cleaner_dropped(const rs_cleaner *cleaner, size_t index);

/**
 * rs_cleaner_kept - how many rows passed every rule so far.
 */
RS_API uint64_t rs_cleaner_kept(const rs_cleaner *cleaner);

/* Most frequent text per key (e.g. the description of a product). */
typedef struct rs_mostfreq rs_mostfreq;

/**
 * rs_mostfreq_create - an empty (key, text) counter.
 *
 * @out  receives the counter; free with rs_mostfreq_free().
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOMEM.
 */
RS_API int rs_mostfreq_create(rs_mostfreq **out);

/**
 * rs_mostfreq_free - release a counter; NULL is a no-op.
 */
RS_API void rs_mostfreq_free(rs_mostfreq *counter);

/**
 * rs_mostfreq_add - count one occurrence of text for key.
 *
 * @key, @key_len    the key (any bytes; not NUL-terminated).
 * @text, @text_len  the text (any bytes).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_LIMIT, RS_ERR_NOMEM.
 */
RS_API int rs_mostfreq_add(rs_mostfreq *counter, const char *key, size_t key_len,
                           const char *text, size_t text_len);

/**
 * rs_mostfreq_get - the most frequent text of a key.
 *
 * @text_out   receives the text (borrowed until the counter changes or is
 *             freed); ties go to the smallest text in byte order.
 * @count_out  receives how often it was added; may be NULL.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (the key was never added).
 */
RS_API int rs_mostfreq_get(const rs_mostfreq *counter, const char *key, size_t key_len,
                           const char **text_out, uint64_t *count_out);

/*
 * Import into the knowledge graph.  Each call reads its reader to the end,
 * runs every row through the cleaner (when given; dropped rows are counted
 * and rejected there), and writes the graph in one bulk load: on any error
 * (a malformed file, a bad value, a full disk) the bulk load is rolled back
 * and the model file is left exactly as it was.  The graph must not have a
 * bulk load open (RS_ERR_STATE).  Nodes are typed "user" and "item"; keys
 * are the fields verbatim.
 */

/* Flags of rs_io_import_interactions(). */
#define RS_IMPORT_UNWEIGHTED 1u /* every row weighs 1, even with a weight column */
#define RS_IMPORT_NO_TIME 2u    /* ignore a time column (timestamps 0) */
#define RS_IMPORT_NO_EVENT 4u   /* ignore an event column: every edge gets relation */
#define RS_IMPORT_FIRST_TIME 8u /* an edge keeps its earliest timestamp, not its latest
                                   (for temporal splits: "bought before the cut") */
#define RS_IMPORT_SKIP_KNOWN 16u /* skip a timed row that matches an event the graph held
                                    before this import (see below) */
#define RS_IMPORT_REPLACE 32u /* rs_model_import_interactions() only: the rows replace
                                 the relation's interactions (see there) */

/**
 * rs_io_import_interactions - an interaction log into user -> item edges.
 *
 * @graph     the graph, writable, without an open bulk load.
 * @reader    a reader before its first row; the columns of RS_ROLE_USER and
 *            RS_ROLE_ITEM are required, RS_ROLE_WEIGHT (a finite number
 *            >= 0), RS_ROLE_TIME (see rs_io_parse_time) and RS_ROLE_EVENT
 *            (the relation name of each row) are used when present.
 * @cleaner   rules for the rows, or NULL to take every row.
 * @relation  the relation of every edge without an event column, or NULL
 *            for "interacted".
 * @flags     RS_IMPORT_UNWEIGHTED, RS_IMPORT_NO_TIME, RS_IMPORT_NO_EVENT,
 *            RS_IMPORT_FIRST_TIME, RS_IMPORT_SKIP_KNOWN.
 * @rows_out  receives the number of rows imported; may be NULL.
 *
 * Each kept row adds its weight (1 without a weight column) to the edge
 * user -relation-> item: repeated events accumulate (RS_GRAPH_MERGE_SUM)
 * and the edge keeps the latest timestamp of its rows, or the earliest with
 * RS_IMPORT_FIRST_TIME.  An empty weight or time field (in JSON Lines also
 * a key absent from the row, or null) is a missing value: the row counts as
 * one without that column (weight 1, no timestamp); add a required rule to
 * the cleaner to drop such rows instead.  (Rows are aggregated in memory, 40 bytes per
 * distinct edge, before the bulk load writes them; an edge that existed
 * before the import is merged by the graph's RS_GRAPH_MERGE_SUM.)
 *
 * With RS_IMPORT_SKIP_KNOWN, importing rows the graph already has does not
 * add them again (an export that overlaps the last one adds only its new
 * rows): an event is identified by its user, relation, item, time and
 * weight, and a row that matches an event the graph held before this call
 * is skipped (neither summed into its edge nor kept as a raw event).  The
 * graph keeps one summed weight per (user, relation, item, time), so rows
 * match while their weights fit in that sum: the same rows again match
 * exactly; a row beyond it is new.  Repeats within one import are separate
 * events (two identical invoice lines) and all count.  A row without a time
 * cannot be identified and is always added.  Skipped rows are not counted
 * in rows_out (rs_model_import_known_rows() gives their number).
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL graph or reader, unknown flags),
 * RS_ERR_NOTFOUND (no user or item column; a cleaning rule's column),
 * RS_ERR_STATE (the reader has started, a bulk load is open), the reader's
 * errors (RS_ERR_PARSE, RS_ERR_ENCODING, RS_ERR_LIMIT, RS_ERR_IO), a bad
 * value in a kept row (RS_ERR_PARSE, RS_ERR_RANGE, a bad key), the graph's
 * errors (RS_ERR_READONLY, RS_ERR_IO, RS_ERR_BUSY, RS_ERR_NOMEM).  Messages
 * name "file:line".  On error the graph is unchanged.
 */
RS_API int rs_io_import_interactions(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                                     const char *relation, unsigned flags,
                                     uint64_t *rows_out);

/**
 * rs_io_import_items - a catalogue into item nodes, properties and attributes.
 *
 * @graph           the graph, writable, without an open bulk load.
 * @reader          a reader before its first row, with an RS_ROLE_ITEM column.
 * @cleaner         rules for the rows, or NULL.
 * @attributes      count column names whose values become entities: column
 *                  "Brand" with value "Acme" gives the node ("brand", "Acme")
 *                  and the edge item -has_brand-> it (type and relation are
 *                  the column name in lower case, spaces as '_').  A value
 *                  holding '|' is several values ("Action|Comedy"); empty
 *                  parts and values are skipped.  NULL when count is 0.
 * @count           how many attribute columns.
 * @properties      property_count column names whose text becomes a node
 *                  property of the same (lower-cased) name.  When an item
 *                  has several rows (a raw log), its property is the most
 *                  frequent non-empty value, ties going to the smallest
 *                  text.  NULL when property_count is 0.
 * @property_count  how many property columns.
 * @rows_out        receives the number of rows imported; may be NULL.
 *
 * Every kept row creates its item node even without attributes.  Attribute
 * edges weigh 1 (RS_GRAPH_MERGE_MAX: repeats do not add up).
 *
 * Returns the statuses of rs_io_import_interactions(); an attribute or
 * property column missing from the header is RS_ERR_NOTFOUND.  On error the
 * graph is unchanged.
 */
RS_API int rs_io_import_items(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                              const char *const *attributes, size_t count,
                              const char *const *properties, size_t property_count,
                              uint64_t *rows_out);

/**
 * rs_io_import_users - user profiles into user nodes, attributes and links.
 *
 * @graph           the graph, writable, without an open bulk load.
 * @reader          a reader before its first row, with an RS_ROLE_USER column.
 * @cleaner         rules for the rows, or NULL.
 * @attributes      count column names whose values become entities, as in
 *                  rs_io_import_items() (e.g. "Country" gives user
 *                  -has_country-> ("country", "United Kingdom")).
 * @count           how many attribute columns.
 * @properties      property columns, as in rs_io_import_items().
 * @property_count  how many property columns.
 * @friends_column  a column of user keys separated by '|' that this user is
 *                  linked to (edge user -friend_of-> user, weight 1), or
 *                  NULL for none.
 * @rows_out        receives the number of rows imported; may be NULL.
 *
 * Returns the statuses of rs_io_import_interactions(); a self-link is
 * skipped.  On error the graph is unchanged.
 */
RS_API int rs_io_import_users(rs_graph *graph, rs_reader *reader, rs_cleaner *cleaner,
                              const char *const *attributes, size_t count,
                              const char *const *properties, size_t property_count,
                              const char *friends_column, uint64_t *rows_out);


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

/*
 * Splits.  An interaction log is a list of events (user, item, time,
 * weight); a split assigns each event a part.  The split functions work on
 * plain arrays (users[i], items[i], times[i] describe event i) and on an
 * in/out array of parts: only events whose part is RS_PART_TRAIN take part,
 * and those a rule holds out get the part asked for.  So a validation split
 * is carved from train by calling the same rule again with RS_PART_VALID.
 * Every rule is deterministic: the same input and seed give the same parts,
 * whatever the order of users or the thread count.
 */

/* The part of an event in a split.  Values are append-only. */
typedef enum rs_part {
    RS_PART_TRAIN = 0, /* fit on it */
    RS_PART_TEST = 1,  /* evaluate on it */
    RS_PART_VALID = 2  /* tune on it (a hold-out carved from train) */
} rs_part;

/**
 * rs_split_random - random per-user hold-out of (user, item) pairs.
 *
 * @users, @items  n_events user and item indices (any uint32 values).
 * @n_events       the number of events (0 is allowed).
 * @fraction       the share of each user's distinct items to hold out, in
 *                 (0, 1): a user with n distinct items loses
 *                 round(fraction * n) of them, at least 1 and at most n - 1.
 * @min_history    users with fewer than max(min_history, 2) distinct items
 *                 (among the events still in train) keep everything.
 * @seed           the random seed: the items held out of a user depend only
 *                 on (seed, user index, the user's items), not on the order
 *                 of events.
 * @part           RS_PART_TEST or RS_PART_VALID: the part held-out events get.
 * @parts          in/out, n_events entries: events in RS_PART_TRAIN take
 *                 part, every other event is left alone.
 *
 * A pair is held out whole: every train event of a chosen (user, item) moves,
 * so that a held-out item is new to its user.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL arrays with n_events > 0, part not
 * TEST or VALID, a part value above RS_PART_VALID in parts); RS_ERR_RANGE
 * (fraction NaN or outside (0, 1)); RS_ERR_NOMEM.  parts is unchanged on
 * error.  Thread-safe.
 */
RS_API int rs_split_random(const uint32_t *users, const uint32_t *items, size_t n_events,
                           double fraction, size_t min_history, uint64_t seed, int part,
                           uint8_t *parts);

/**
 * rs_split_temporal - a global cut in time.
 *
 * @times     n_events timestamps.
 * @cut       train events with time >= cut get `part`; earlier ones stay.
 * Other parameters as in rs_split_random().
 *
 * Returns RS_OK, RS_ERR_INVALID.  Thread-safe.
 */
RS_API int rs_split_temporal(const int64_t *times, size_t n_events, int64_t cut, int part,
                             uint8_t *parts);

/**
 * rs_split_last - leave the last n_last items of each user out.
 *
 * @users, @items, @times  n_events events.
 * @n_last                 how many of each user's distinct items to hold
 *                         out, >= 1; a user keeps at least one item.
 * @min_history            users with fewer than max(min_history, 2)
 *                         distinct train items keep everything.
 *
 * A user's distinct items are ordered by the time of their first event
 * (ties: the event that comes first in the arrays); the n_last items first
 * met latest are held out with all their train events (the "next new
 * items" protocol: a held-out item is new to its user).
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_RANGE (n_last = 0); RS_ERR_NOMEM.
 * Thread-safe.
 */
RS_API int rs_split_last(const uint32_t *users, const uint32_t *items, const int64_t *times,
                         size_t n_events, size_t n_last, size_t min_history, int part,
                         uint8_t *parts);

/*
 * An event log with string keys, the input of the evaluation runner: events
 * added one by one, or taken from a graph's interaction edges, split by the
 * rules above, written to a TSV file and read back.
 *
 * Thread safety: one thread at a time; read-only calls may run concurrently.
 */
typedef struct rs_events rs_events;

/**
 * rs_events_create - an empty event log.
 *
 * @out  receives the log, owned by the caller (rs_events_free).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL out), RS_ERR_NOMEM.
 */
RS_API int rs_events_create(rs_events **out);

/**
 * rs_events_free - release an event log; NULL is a no-op.
 */
RS_API void rs_events_free(rs_events *events);

/**
 * rs_events_add - append one event, in part RS_PART_TRAIN.
 *
 * @user, @item  keys (UTF-8, 1 to RS_MAX_KEY_BYTES bytes, no tab, CR or
 *               newline so that the log can be written as TSV).
 * @time         any timestamp (e.g. Unix seconds).
 * @weight       finite (e.g. 1, a quantity, a rating).
 *
 * Users and items get dense indices in order of first appearance.
 * Returns RS_OK; RS_ERR_INVALID (NULL, empty key, a key with a tab or line
 * break); RS_ERR_RANGE (key too long, weight NaN or infinite);
 * RS_ERR_ENCODING; RS_ERR_LIMIT; RS_ERR_NOMEM.  The log is unchanged on
 * error.
 */
RS_API int rs_events_add(rs_events *events, const char *user, const char *item, int64_t time,
                         double weight);

/**
 * rs_events_from_graph - the interaction edges of a graph as an event log.
 *
 * @graph     the graph (read only).
 * @relation  keep only edges of this relation (e.g. "bought"), or NULL for
 *            every edge from a "user" node to an "item" node.
 * @out       receives the new log (rs_events_free).
 *
 * One event per edge user -> item: key of each node, the edge's timestamp
 * and weight.  Events come ordered by user node index, then item node index.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL argument); RS_ERR_NOTFOUND (unknown
 * relation); RS_ERR_IO (reading edge timestamps); RS_ERR_NOMEM.
 */
RS_API int rs_events_from_graph(const rs_graph *graph, const char *relation, rs_events **out);

/**
 * rs_events_count - the number of events (0 for NULL).
 */
RS_API size_t rs_events_count(const rs_events *events);

/**
 * rs_events_part_count - how many events are in a part (0 for NULL or an
 * unknown part).
 */
RS_API size_t rs_events_part_count(const rs_events *events, int part);

/**
 * rs_events_get - one event.
 *
 * @index      0 .. rs_events_count() - 1.
 * @user_out, @item_out  borrowed keys, valid until the log is freed; any
 *             output may be NULL.
 * @time_out, @weight_out, @part_out  the event's fields.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL log), RS_ERR_NOTFOUND (index).
 */
RS_API int rs_events_get(const rs_events *events, size_t index, const char **user_out,
                         const char **item_out, int64_t *time_out, double *weight_out,
                         int *part_out);

/**
 * rs_events_reset - put every event back in RS_PART_TRAIN.
 *
 * Returns RS_OK or RS_ERR_INVALID.
 */
RS_API int rs_events_reset(rs_events *events);

/**
 * rs_events_split_random, rs_events_split_temporal, rs_events_split_last -
 * apply rs_split_random(), rs_split_temporal() or rs_split_last() to the
 * log's events and parts (user and item indices in order of first
 * appearance).  Same parameters and errors; the log is unchanged on error.
 */
RS_API int rs_events_split_random(rs_events *events, double fraction, size_t min_history,
                                  uint64_t seed, int part);
RS_API int rs_events_split_temporal(rs_events *events, int64_t cut, int part);
RS_API int rs_events_split_last(rs_events *events, size_t n_last, size_t min_history,
                                int part);

/**
 * rs_events_write - write the log as a TSV file.
 *
 * @path  created or truncated.  The first line is the header
 *        "user\titem\ttime\tweight\tpart", then one line per event in order:
 *        keys verbatim, time as an integer, weight with 17 significant
 *        digits (it reads back exactly), part as "train", "test" or "valid".
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_IO (naming the path).
 */
RS_API int rs_events_write(const rs_events *events, const char *path);

/**
 * rs_events_read - read a file written by rs_events_write().
 *
 * @path  the file.  Columns are found by header name; "part" is optional
 *        (every event in train without it), and so are "time" (0) and
 *        "weight" (1), so a plain "user\titem" file reads too.
 * @out   receives the new log (rs_events_free).
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_IO; RS_ERR_PARSE (a bad number or
 * part, naming file:line); RS_ERR_NOTFOUND (no user or item column); the
 * errors of rs_events_add() and of the reader.  On error *out is NULL.
 */
RS_API int rs_events_read(const char *path, rs_events **out);

/*
 * The evaluation runner.  rs_eval_create() freezes a split of an event log:
 *
 *  - the catalogue is the set of items with a train event, indexed
 *    0 .. n-1 in byte order of their keys;
 *  - users keep the log's indices (order of first appearance);
 *  - warm users (RS_EVAL_WARM) are users with a train event; their truth set
 *    T_u is the catalogue items they have a test event with and no train
 *    event (with RS_EVAL_EXCLUDE_TRAIN 0: every catalogue item with a test
 *    event); users with an empty T_u are not evaluated;
 *  - cold users (RS_EVAL_COLD) are users with no train event and at least
 *    RS_EVAL_COLD_MIN_ITEMS catalogue items in test; nothing is excluded;
 *  - test items outside the catalogue are ignored.
 *
 * A recommender is a host callback, or one of the built-in baselines; each
 * run evaluates every user of the current group at cut-off k (in parallel)
 * and appends a row of averages to the result table, so that several
 * configurations are compared side by side on one split.
 *
 * Thread safety: one thread at a time (the runner itself calls the
 * recommender from several threads, see rs_recommender_fn).
 */
typedef struct rs_eval rs_eval;

/* User groups, for RS_EVAL_GROUP. */
#define RS_EVAL_WARM 0
#define RS_EVAL_COLD 1

/* Options of the runner, rs_eval_set_int(). */
typedef enum rs_eval_option {
    RS_EVAL_K = 0,              /* cut-off, 1..10000; default 10 */
    RS_EVAL_GROUP = 1,          /* RS_EVAL_WARM (default) or RS_EVAL_COLD */
    RS_EVAL_EXCLUDE_TRAIN = 2,  /* 1 (default): a warm user's train items are
                                   excluded from its list and its truth; 0: not */
    RS_EVAL_COLD_MIN_ITEMS = 3, /* a cold user needs this many test items,
                                   1..2^31; default 1 */
    RS_EVAL_RECENT_END = 4,     /* the end (exclusive) of recent-popular's
                                   window, any time; default the latest train
                                   event's time + 1 */
    RS_EVAL_SEED = 5,           /* seed of the random baseline, >= 0; default 0 */
    RS_EVAL_THREADS = 6,        /* worker threads, 0..1024; 0 (default) is
                                   rs_get_num_threads(); 1 calls the
                                   recommender on the calling thread only */
    RS_EVAL_SHARDS = 7,         /* since 1.1: runs evaluate one shard of the
                                   group's users, 1..65536; default 1 (all) */
    RS_EVAL_SHARD = 8           /* since 1.1: which shard, 0..RS_EVAL_SHARDS-1
                                   (checked at the run); default 0.  Shard s
                                   of S is the contiguous block of positions
                                   [n s / S, n (s + 1) / S) of the n users in
                                   ascending order; see rs_eval_result_part() */
} rs_eval_option;

/* Built-in recommenders, rs_eval_run_baseline(). */
typedef enum rs_baseline {
    RS_BASELINE_RANDOM = 0,        /* uniform random, seeded per user */
    RS_BASELINE_MOST_POPULAR = 1,  /* score = distinct train users of the item */
    RS_BASELINE_RECENT_POPULAR = 2, /* the same count over train events in the
                                       last `param` days before RS_EVAL_RECENT_END */
    RS_BASELINE_SEGMENT_POPULAR = 3 /* score = distinct train users of the user's
                                       segment (rs_eval_set_segment) with the item
                                       + global count / (max global count + 1);
                                       users without a segment: most-popular */
} rs_baseline;

/* Fields of a result row, rs_eval_result().  0..6 are the rs_metric values
 * (averaged over the evaluated users), like RS_EVAL_AUC and
 * RS_EVAL_NDCG_GRADED; these have per-user values (rs_eval_result_users).
 * Values are append-only. */
typedef enum rs_eval_field {
    RS_EVAL_PRECISION = 0,
    RS_EVAL_RECALL = 1,
    RS_EVAL_F1 = 2,
    RS_EVAL_NDCG = 3,
    RS_EVAL_MAP = 4,
    RS_EVAL_MRR = 5,
    RS_EVAL_HIT_RATE = 6,
    RS_EVAL_COVERAGE = 7,      /* distinct recommended items / catalogue size */
    RS_EVAL_NOVELTY = 8,       /* rs_metric_novelty over the train popularity */
    RS_EVAL_GINI = 9,          /* rs_metric_gini of the exposure */
    RS_EVAL_POP_BIAS = 10,     /* rs_metric_popularity_bias (0 without train) */
    RS_EVAL_USERS = 11,        /* the number of evaluated users */
    RS_EVAL_SECONDS = 12,      /* wall seconds of the run (recommend + metrics) */
    RS_EVAL_K_USED = 13,       /* the cut-off of the run */
    RS_EVAL_GROUP_USED = 14,   /* RS_EVAL_WARM or RS_EVAL_COLD */
    RS_EVAL_AUC = 15,          /* rs_metric_auc of the top-k list against the
                                  user's candidates (the catalogue less the
                                  excluded items, which are dropped from the
                                  list for it); averaged over the users with at
                                  least one negative candidate (NaN if none) */
    RS_EVAL_NDCG_GRADED = 16   /* rs_metric_ndcg_graded, the gain of a truth
                                  item being the sum of the weights of the
                                  user's test events with it (at least 0) */
} rs_eval_field;

/* How many rs_eval_field values this library knows (17 in 1.0). */
#define RS_EVAL_FIELD_COUNT 17

/* Formats of rs_eval_report(). */
#define RS_EVAL_TABLE 0 /* a text table, one line per run */
#define RS_EVAL_JSON 1  /* a JSON array of objects, one per run */

/**
 * rs_recommender_fn - a recommender the runner evaluates.
 *
 * @context    the pointer given to rs_eval_run().
 * @user       the user's index in the event log (rs_eval_user_key()).
 * @k          how many items are wanted.
 * @exclude    the catalogue items that must not be recommended (the user's
 *             train items, ascending; empty for cold users or without
 *             RS_EVAL_EXCLUDE_TRAIN).  Borrowed for the call.
 * @n_exclude  its length.
 * @items_out  k entries to fill with catalogue indices, best first.
 * @n_out      set to how many were written (<= k; fewer is allowed).
 *
 * Returns 0, or a non-zero value to stop the run with RS_ERR_CALLBACK.
 * Called from up to RS_EVAL_THREADS threads at once: it must be safe to call
 * concurrently (or set RS_EVAL_THREADS to 1).
 */
typedef int (*rs_recommender_fn)(void *context, uint32_t user, size_t k,
                                 const uint32_t *exclude, size_t n_exclude,
                                 uint32_t *items_out, size_t *n_out);

/**
 * rs_eval_create - freeze a split of an event log for evaluation.
 *
 * @events     the log; copied, so it may be freed or changed afterwards.
 * @test_part  RS_PART_TEST, or RS_PART_VALID to evaluate on the validation
 *             part (events in the third part are ignored).
 * @out        receives the runner (rs_eval_free).
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL argument, test_part not TEST or
 * VALID); RS_ERR_NOMEM.
 */
RS_API int rs_eval_create(const rs_events *events, int test_part, rs_eval **out);

/**
 * rs_eval_free - release a runner; NULL is a no-op.
 */
RS_API void rs_eval_free(rs_eval *eval);

/**
 * rs_eval_set_int - set an option (rs_eval_option); it applies to later runs.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL eval, unknown option), RS_ERR_RANGE
 * (outside the option's range).
 */
RS_API int rs_eval_set_int(rs_eval *eval, int option, int64_t value);

/**
 * rs_eval_get_int - the value of an option into *value_out.
 *
 * Returns RS_OK, RS_ERR_INVALID.
 */
RS_API int rs_eval_get_int(const rs_eval *eval, int option, int64_t *value_out);

/**
 * rs_eval_item_count - the catalogue size (0 for NULL).
 */
RS_API size_t rs_eval_item_count(const rs_eval *eval);

/**
 * rs_eval_item_key - the key of catalogue item `item` (borrowed, valid until
 * rs_eval_free), or NULL when out of range.
 */
RS_API const char *rs_eval_item_key(const rs_eval *eval, uint32_t item);

/**
 * rs_eval_item_find - the catalogue index of an item key.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (not in the catalogue).
 */
RS_API int rs_eval_item_find(const rs_eval *eval, const char *key, uint32_t *item_out);

/**
 * rs_eval_user_span - the number of user indices (users of the log).
 */
RS_API size_t rs_eval_user_span(const rs_eval *eval);

/**
 * rs_eval_user_key - the key of user index `user` (borrowed), or NULL.
 */
RS_API const char *rs_eval_user_key(const rs_eval *eval, uint32_t user);

/**
 * rs_eval_users - the users evaluated in the current group, ascending.
 *
 * @users_out  capacity entries; may be NULL when capacity is 0.
 * @n_out      the number of users.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_BUFFER (the first capacity are
 * written, *n_out holds the number needed).
 */
RS_API int rs_eval_users(const rs_eval *eval, uint32_t *users_out, size_t capacity,
                         size_t *n_out);

/**
 * rs_eval_train_items - a user's train items (catalogue indices, ascending),
 * for a recommender to fit on exactly the train part.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (user out of range),
 * RS_ERR_BUFFER (as in rs_eval_users()).
 */
RS_API int rs_eval_train_items(const rs_eval *eval, uint32_t user, uint32_t *items_out,
                               size_t capacity, size_t *n_out);

/**
 * rs_eval_truth - a user's truth set in the current group (catalogue
 * indices, ascending; empty for a user not evaluated).
 *
 * Returns as rs_eval_train_items().
 */
RS_API int rs_eval_truth(const rs_eval *eval, uint32_t user, uint32_t *items_out,
                         size_t capacity, size_t *n_out);

/**
 * rs_eval_run - evaluate a recommender over every user of the current group.
 *
 * @name       the row's name in the table (copied; UTF-8).
 * @recommend  the recommender.
 * @context    passed through.
 * @row_out    receives the index of the new result row; may be NULL.
 *
 * Users are served in parallel; every per-user metric is computed with
 * rs_metric_at_k() (repeats in a list, RS_NO_ITEM and indices outside the
 * catalogue are misses), rs_metric_auc() and rs_metric_ndcg_graded(), and
 * averaged in user order, so the result does not depend on the thread count.
 * A user's list and values are kept (rs_eval_write_recs(),
 * rs_eval_result_users()).  While the run lasts, OpenBLAS runs
 * single-threaded (the runner parallelises over users; nested BLAS threads
 * on per-user products only contend), and the BLAS thread count is restored
 * afterwards.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL argument); RS_ERR_STATE (no user to
 * evaluate); RS_ERR_CALLBACK (the recommender failed, or reported more than
 * k items, naming the user); RS_ERR_NOMEM.  No row is added on error.
 */
RS_API int rs_eval_run(rs_eval *eval, const char *name, rs_recommender_fn recommend,
                       void *context, size_t *row_out);

/**
 * rs_eval_set_segment - put a user in a segment (a user attribute such as a
 * country), for RS_BASELINE_SEGMENT_POPULAR.
 *
 * @user     a user key of the event log.
 * @segment  the segment's name (a key: UTF-8, 1 to RS_MAX_KEY_BYTES bytes),
 *           or NULL to take the user out of any segment (the default).
 *
 * Train users of a segment define its popularity; cold users are served by
 * their own segment's ranking.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL eval or user, empty key);
 * RS_ERR_NOTFOUND (a user not in the log); RS_ERR_RANGE (key too long);
 * RS_ERR_ENCODING; RS_ERR_NOMEM.  Nothing changes on error.
 */
RS_API int rs_eval_set_segment(rs_eval *eval, const char *user, const char *segment);

/**
 * rs_eval_run_baseline - evaluate a built-in recommender (rs_baseline).
 *
 * @param    RS_BASELINE_RECENT_POPULAR: the window in days (> 0, finite);
 *           ignored by the others.
 * @row_out  receives the row index; may be NULL.
 *
 * Rankings sort the scores descending with ties to the lower catalogue
 * index, then skip excluded items.  Rows are named "random", "most-popular",
 * "recent-popular (N days)" and "segment-popular".
 *
 * Returns the statuses of rs_eval_run(); RS_ERR_INVALID (unknown baseline);
 * RS_ERR_RANGE (param).
 */
RS_API int rs_eval_run_baseline(rs_eval *eval, int baseline, double param, size_t *row_out);

/**
 * rs_eval_result_count - the number of result rows (runs so far).
 */
RS_API size_t rs_eval_result_count(const rs_eval *eval);

/**
 * rs_eval_result - one field (rs_eval_field) of a result row.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, unknown field), RS_ERR_NOTFOUND (row).
 */
RS_API int rs_eval_result(const rs_eval *eval, size_t row, int field, double *value_out);

/**
 * rs_eval_result_name - the name of a result row (borrowed), or NULL.
 */
RS_API const char *rs_eval_result_name(const rs_eval *eval, size_t row);

/**
 * rs_eval_result_users - the per-user values of a result row.
 *
 * @row         the result row.
 * @field       RS_EVAL_PRECISION .. RS_EVAL_HIT_RATE, RS_EVAL_AUC or
 *              RS_EVAL_NDCG_GRADED.
 * @users_out   capacity entries: the evaluated users (indices of the log,
 *              ascending, as rs_eval_users() gave at the run); may be NULL.
 * @values_out  capacity entries: each user's value of the field (NaN where
 *              it is undefined: AUC of a user without negatives); may be NULL.
 * @capacity    entries available (0 with both outputs NULL: RS_ERR_BUFFER
 *              and the count in *n_out, as rs_eval_users()).
 * @n_out       the number of evaluated users of the row.
 *
 * The row's average of the field is the mean of these values (over the
 * defined ones for AUC), summed in this order.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL eval or n_out, both outputs NULL with a
 * capacity, a field without per-user values); RS_ERR_NOTFOUND (row);
 * RS_ERR_BUFFER (the first capacity are written, *n_out holds the count).
 */
RS_API int rs_eval_result_users(const rs_eval *eval, size_t row, int field,
                                uint32_t *users_out, double *values_out, size_t capacity,
                                size_t *n_out);

/**
 * rs_eval_field_name - the short name of a field ("ndcg", "coverage",
 * "users", ...), or NULL for an unknown field.  Thread-safe.
 */
RS_API const char *rs_eval_field_name(int field);

/**
 * rs_eval_report - every result row as text.
 *
 * @format    RS_EVAL_TABLE (a header line, then per row: name, users, P, R,
 *            NDCG, MAP, MRR, HR, AUC, coverage, seconds) or RS_EVAL_JSON (an
 *            array of objects holding every field by its rs_eval_field_name();
 *            a NaN field is null).
 * @buf       receives the NUL-terminated text; may be NULL when capacity is 0.
 * @capacity  bytes available.
 * @len_out   the text's length without the NUL, also on RS_ERR_BUFFER.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_BUFFER (capacity < length + 1).
 */
RS_API int rs_eval_report(const rs_eval *eval, int format, char *buf, size_t capacity,
                          size_t *len_out);

/**
 * rs_eval_write_recs - write a run's lists as "user\titem\trank" lines.
 *
 * @row   the result row.
 * @path  created or truncated; one line per recommended item of every
 *        evaluated user, in user order, rank 1..k (the --eval-recs format of
 *        the retail protocol).
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (row), RS_ERR_IO.
 */
RS_API int rs_eval_write_recs(const rs_eval *eval, size_t row, const char *path);

/**
 * rs_eval_result_part - a result row as a part to merge (since 1.1): the
 * row's users, their per-user values and lists, the catalogue's popularity
 * and the shard the row covers (RS_EVAL_SHARDS, RS_EVAL_SHARD), as bytes
 * that can travel to another process or machine (of the same byte order).
 *
 * @row       the result row.
 * @buf       receives the part; may be NULL when capacity is 0.
 * @capacity  bytes available.
 * @len_out   the part's size in bytes, also on RS_ERR_BUFFER (call with
 *            capacity 0 first to learn it).
 *
 * A part is about (12 + 4 k + 72) bytes per user of the shard plus 4 bytes
 * per catalogue item.  Returns RS_OK; RS_ERR_INVALID (NULL eval or len_out,
 * NULL buf with a capacity); RS_ERR_NOTFOUND (row); RS_ERR_BUFFER;
 * RS_ERR_OVERFLOW.  Reads only.
 */
RS_API int rs_eval_result_part(const rs_eval *eval, size_t row, void *buf, size_t capacity,
                               size_t *len_out);

/**
 * rs_eval_merge_parts - the fields of a whole run from the parts of its
 * shards (since 1.1): the users are put back in order and every field is
 * computed as rs_eval_run() computes it on all the users at once, so that
 * the merged fields equal those of an unsharded run bit for bit (seconds
 * aside: here the sum of the shards' seconds).  Coverage, Gini, novelty,
 * popularity bias and the per-user averages are computed from the users'
 * lists and values, never averaged over the shards.
 *
 * @parts, @lens  n_parts parts (rs_eval_result_part), one per shard of the
 *                run, in any order; the same row of runners created alike
 *                (the same events, split and options but the shard).
 * @fields_out    n_fields entries: the rs_eval_field values in their order
 *                (the first n_fields of RS_EVAL_FIELD_COUNT).
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL, no part, n_fields 0); RS_ERR_RANGE
 * (more than 65536 parts); RS_ERR_CORRUPT (a part damaged or truncated, or
 * users missing or out of order); RS_ERR_VERSION (a part of a newer
 * format); RS_ERR_STATE (parts of different runs, a shard given twice, not
 * one part per shard); RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_eval_merge_parts(const void *const *parts, const size_t *lens, size_t n_parts,
                               double *fields_out, size_t n_fields);


/* ======================================================================
 * sim: user simulation, rs_sim (src/sim)
 * ==================================================================== */

/*
 * A population of simulated users reacting to slates of items, for
 * evaluating a recommender offline and studying the feedback loop.  Every
 * user has a latent interest vector in the item embedding space (the truth
 * the recommender does not see) and three traits in (0, 1): activity
 * (session length, leaving hazard, return rate), conformity (pull toward
 * popular items) and diversity-seeking (choice temperature, boredom
 * threshold).  See rs_sim_create(3) for the model's formulas.
 *
 * Every draw comes from the Philox generator keyed on (seed, stream, user,
 * step): a run is bitwise identical whatever the thread count, and two
 * policies run from the same population see the same random numbers.
 */
typedef struct rs_sim rs_sim;

/* Longest slate rs_sim_run and the response functions accept. */
#define RS_SIM_MAX_SLATE 256

/* What a user did with a slate.  Values are append-only. */
typedef enum rs_sim_behaviour {
    RS_SIM_SKIP = 0,     /* no click */
    RS_SIM_CLICK = 1,    /* clicked one item, did not buy it */
    RS_SIM_PURCHASE = 2  /* clicked one item and bought it */
} rs_sim_behaviour;

/* Position models (RS_SIM_POSITION_MODEL).  Values are append-only. */
typedef enum rs_sim_position_model {
    RS_SIM_PBM = 0,     /* logit weight decay^position (default) */
    RS_SIM_CASCADE = 1  /* top-down examination, continue w.p. decay */
} rs_sim_position_model;

/*
 * Real-valued options of rs_sim_set_double(), with range and default.
 * Trait options (marked *) take effect at the next rs_sim_populate().
 */
typedef enum rs_sim_option {
    RS_SIM_TEMPERATURE = 0,       /* choice temperature T, (0, 1e6]; 1 */
    RS_SIM_NOCLICK = 1,           /* no-click weight m, (0, 1e12]; 1 */
    RS_SIM_POSITION_DECAY = 2,    /* position decay g, (0, 1]; 0.85 */
    RS_SIM_DRIFT = 3,             /* interest drift rate, [0, 1]; 0.05 */
    RS_SIM_CONFORMITY_WEIGHT = 4, /* popularity utility weight, [0, 100]; 1 */
    RS_SIM_FATIGUE_WEIGHT = 5,    /* boredom utility weight, [0, 100]; 0.5 */
    RS_SIM_FATIGUE_DECAY = 6,     /* per-step fatigue decay, [0, 1]; 0.8 */
    RS_SIM_BOREDOM_THRESHOLD = 7, /* fatigue tolerated, [0, 1e6]; 1 */
    RS_SIM_LEAVE_HAZARD = 8,      /* base leaving hazard, [0, 1]; 0.1 */
    RS_SIM_RETURN_RATE = 9,       /* base return probability, [0, 1]; 0.2 */
    RS_SIM_PURCHASE_BIAS = 10,    /* purchase logit bias, [-50, 50]; -1 */
    RS_SIM_RATING_NOISE = 11,     /* rating noise sd, [0, 10]; 0.5 */
    RS_SIM_ACTIVITY_MEAN = 12,    /* * median activity, (0, 1); 0.5 */
    RS_SIM_CONFORMITY_MEAN = 13,  /* * median conformity, (0, 1); 0.3 */
    RS_SIM_DIVERSITY_MEAN = 14,   /* * median diversity-seeking, (0, 1); 0.5 */
    RS_SIM_TRAIT_SPREAD = 15,     /* * sd of traits' logits, [0, 10]; 1 */
    RS_SIM_INTEREST_NOISE = 16,   /* * interest noise sd, [0, 100]; 0.5 */
    RS_SIM_DIVERSITY_EFFECT = 17, /* slate diversity weight, [-100, 100]; 0 */
    RS_SIM_TIME_BUDGET = 18,      /* mean session time budget, [0, 1e9];
                                     0 = unlimited */
    RS_SIM_CLICK_TIME = 19,       /* time a click takes (a view: 1), [0, 1e6]; 2 */
    RS_SIM_GRAPH_DRIFT = 20,      /* drift share spread to related items,
                                     [0, 1]; 0 */
    RS_SIM_TRUTH_BONUS = 21       /* utility bonus of a held-out item,
                                     [0, 100]; 1 */
} rs_sim_option;

/* Integer options of rs_sim_set_int(). */
typedef enum rs_sim_int_option {
    RS_SIM_POSITION_MODEL = 100, /* an rs_sim_position_model; RS_SIM_PBM */
    RS_SIM_THREADS = 101         /* 0 .. 1024; 0 = rs_get_num_threads() */
} rs_sim_int_option;

/* Per-run statistics of rs_sim_stat(), since the last rs_sim_populate(). */
typedef enum rs_sim_stat_id {
    RS_SIM_STAT_STEPS = 0,          /* steps run */
    RS_SIM_STAT_IMPRESSIONS = 1,    /* slates shown (user-steps) */
    RS_SIM_STAT_CLICKS = 2,         /* clicks, purchases included */
    RS_SIM_STAT_PURCHASES = 3,      /* purchases */
    RS_SIM_STAT_CTR = 4,            /* clicks / impressions */
    RS_SIM_STAT_MEAN_RATING = 5,    /* mean rating of clicks, 1 .. 5 */
    RS_SIM_STAT_LEAVES = 6,         /* sessions ended */
    RS_SIM_STAT_RETURNS = 7,        /* sessions started by a return */
    RS_SIM_STAT_RETURN_RATE = 8,    /* returns / leaves */
    RS_SIM_STAT_SESSION_LENGTH = 9, /* mean steps of the ended sessions */
    RS_SIM_STAT_REWARD = 10,        /* cumulative clicks + purchases */
    RS_SIM_STAT_COVERAGE = 11,      /* share of the items ever shown */
    RS_SIM_STAT_DIVERSITY = 12,     /* mean intra-list diversity */
    RS_SIM_STAT_GINI = 13,          /* Gini of cumulative exposure */
    RS_SIM_STAT_ENTROPY = 14,       /* mean per-step entropy (bits) of the
                                       clicked categories */
    RS_SIM_STAT_TRUTH_CLICKS = 15   /* clicks on the user's held-out items */
} rs_sim_stat_id;

/* How many rs_sim_stat_id values this library knows (16 in 1.1): loop
 * `for (s = 0; s < RS_SIM_STAT_COUNT; s++)` to read them all.  It only grows. */
#define RS_SIM_STAT_COUNT 16

/*
 * The policy: fill slate_out with slate_size item indices (< n_items) for
 * `user` at `step`.  Returns 0, or non-zero to stop the run.  Called on the
 * thread that called rs_sim_run(), users in increasing order.
 */
typedef int (*rs_sim_policy_fn)(void *context, uint32_t user, uint64_t step,
                                size_t slate_size, uint32_t *slate_out);

/*
 * Feedback: what `user` did with `slate` at `step`: position of the click
 * (-1 for none), an rs_sim_behaviour, a rating 1 .. 5 (0 without click) and
 * left = 1 when the user ended the session.  Returns 0, or non-zero to stop
 * the run.  Called on the calling thread, users in increasing order, after
 * the whole step has been simulated.
 */
typedef int (*rs_sim_feedback_fn)(void *context, uint32_t user, uint64_t step,
                                  const uint32_t *slate, size_t slate_size,
                                  int position, int behaviour, int rating, int left);

/**
 * rs_sim_create - a simulator over a catalogue, with a generated population.
 *
 * @items         n_items x dim item vectors, row-major; copied.
 * @n_items       >= 1, < 2^32.
 * @dim           1 .. 65536.
 * @categories    the category of each item (< n_categories), or NULL (one
 *                category); copied.
 * @n_categories  1 .. 65536 (ignored when categories is NULL).
 * @n_users       1 .. 2^31.
 * @seed          the seed of every draw.
 * @out           receives the simulator; free it with rs_sim_free().
 *
 * The population is generated as by rs_sim_populate() with default options.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_RANGE (a size, NaN/Inf in
 * items, a category out of range), RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_sim_create(const float *items, size_t n_items, size_t dim,
                         const uint32_t *categories, size_t n_categories,
                         size_t n_users, uint64_t seed, rs_sim **out);

/** rs_sim_free - release a simulator.  NULL is allowed. */
RS_API void rs_sim_free(rs_sim *sim);

/**
 * rs_sim_set_double - set an rs_sim_option.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL sim, unknown option), RS_ERR_RANGE
 * (value outside the option's range, NaN).  Not thread-safe on one handle.
 */
RS_API int rs_sim_set_double(rs_sim *sim, int option, double value);

/** rs_sim_get_double - read an rs_sim_option into *value_out. */
RS_API int rs_sim_get_double(const rs_sim *sim, int option, double *value_out);

/**
 * rs_sim_set_int - set an rs_sim_int_option.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, unknown option), RS_ERR_RANGE.
 */
RS_API int rs_sim_set_int(rs_sim *sim, int option, int64_t value);

/** rs_sim_get_int - read an rs_sim_int_option into *value_out. */
RS_API int rs_sim_get_int(const rs_sim *sim, int option, int64_t *value_out);

/**
 * rs_sim_populate - (re)generate the population from the seed and the
 * current trait options, and reset the clock, the popularity counts and
 * the statistics.  Every user starts active.  Returns RS_OK or
 * RS_ERR_INVALID.  Not thread-safe on one handle.
 */
RS_API int rs_sim_populate(rs_sim *sim);

/**
 * rs_sim_run - simulate `steps` steps of the loop.
 *
 * At each step, inactive users return with their return probability; then
 * `policy` is asked for a slate of slate_size items for every active user;
 * the users respond (in parallel on RS_SIM_THREADS threads; hosted users
 * through the host responder, see rs_sim_set_responder()), their interests
 * drift and fatigue accumulates, some leave (by the hazard, or when the
 * session's time budget is spent); then `feedback` (may be NULL)
 * receives every response, users in order, so that a user model can be
 * updated.  The clock continues from the previous call.
 *
 * @trace_path  NULL, or a CSV file written with one row per step: step,
 *              active, clicks, purchases, ctr, mean_rating, leaves, returns,
 *              reward, cum_reward, coverage, diversity, gini, entropy.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL sim or policy), RS_ERR_RANGE
 * (slate_size not in 1 .. RS_SIM_MAX_SLATE), RS_ERR_CALLBACK (a callback
 * returned non-zero or an item index >= n_items; the steps already completed
 * stay applied), RS_ERR_IO, RS_ERR_NOMEM.  Not thread-safe on one handle.
 */
RS_API int rs_sim_run(rs_sim *sim, rs_sim_policy_fn policy, void *policy_context,
                      rs_sim_feedback_fn feedback, void *feedback_context,
                      uint64_t steps, size_t slate_size, const char *trace_path);

/**
 * rs_sim_stat - a per-run statistic (an rs_sim_stat_id) into *value_out.
 *
 * Valid stat values are 0 .. RS_SIM_STAT_COUNT - 1.
 * Returns RS_OK or RS_ERR_INVALID.  Ratios with a zero denominator are 0.
 */
RS_API int rs_sim_stat(const rs_sim *sim, int stat, double *value_out);

/**
 * rs_sim_utilities - the user's current utilities of a slate's items.
 *
 * utilities_out[j] = (<v_u, x_j> + c * conformity_u * pop_j
 *                     - f * max(0, fatigue_u[cat_j] - b_u)
 *                     + e * (2 diversity_u - 1) * ILD(slate)
 *                     + RS_SIM_TRUTH_BONUS if x_j is a held-out item) / tau_u,
 * the quantity the logit divides by the temperature (see rs_sim_create(3)).
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (user, item),
 * RS_ERR_RANGE (n).  Reads only: may be called from a policy callback.
 */
RS_API int rs_sim_utilities(const rs_sim *sim, uint32_t user, const uint32_t *slate,
                            size_t n, double *utilities_out);

/**
 * rs_sim_probabilities - the response model's click probabilities.
 *
 * probs_out[j] (j < n) is the probability of a click on position j and
 * probs_out[n] that of no click, for the user's current state.  Errors as
 * rs_sim_utilities().  Reads only.
 */
RS_API int rs_sim_probabilities(const rs_sim *sim, uint32_t user, const uint32_t *slate,
                                size_t n, double *probs_out);

/**
 * rs_sim_respond - one draw of the response model, without changing state.
 *
 * The draws are those rs_sim_run() would use for (user, step).  Outputs: the
 * clicked position or -1, an rs_sim_behaviour, the rating (0 without click)
 * and whether the user leaves.  Any output pointer may be NULL.  Errors as
 * rs_sim_utilities().  Reads only: thread-safe on a handle not being run.
 */
RS_API int rs_sim_respond(const rs_sim *sim, uint32_t user, uint64_t step,
                          const uint32_t *slate, size_t n, int *position_out,
                          int *behaviour_out, int *rating_out, int *left_out);

/**
 * rs_sim_respond_batch - many draws of the response model at once, on
 * RS_SIM_THREADS threads, without changing state.
 *
 * @users          n_responses user indices (repeats allowed).
 * @step           the step every response is drawn for.
 * @slates         n_responses x slate_size item indices, row-major.
 * @positions_out, @behaviours_out, @ratings_out, @left_out
 *                 caller-allocated arrays of n_responses, each may be NULL:
 *                 what rs_sim_respond() would give for (users[i], step,
 *                 slate i), bit for bit, whatever the thread count.
 *
 * The fastest way to draw responses: the item rows of the next slate are
 * fetched while the current one is computed, and the dot products run on the
 * widest kernel the CPU has (AVX-512, AVX2 or portable, chosen at run time,
 * the same bits; RECSIM_SIM_KERNEL=avx2 or portable caps it).  Returns
 * RS_OK, RS_ERR_INVALID (NULL sim, users or slates), RS_ERR_RANGE
 * (slate_size), RS_ERR_NOTFOUND (a user or item index out of range; nothing
 * is written), RS_ERR_NOMEM.
 * Reads only: thread-safe on a handle not being run.
 */
RS_API int rs_sim_respond_batch(const rs_sim *sim, const uint32_t *users, uint64_t step,
                                const uint32_t *slates, size_t n_responses,
                                size_t slate_size, int32_t *positions_out,
                                int32_t *behaviours_out, int32_t *ratings_out,
                                int32_t *left_out);

/**
 * rs_sim_calibrate - fit temperature, no-click weight and position decay of
 * the position-based logit by maximum likelihood.
 *
 * @utilities  n_impressions x slate_size utilities (as rs_sim_utilities()).
 * @positions  the clicked position of each impression, -1 for none.
 * Outputs the maximum-likelihood T, m and g of
 * P(j) = g^j e^{u_j/T} / (m + sum_k g^k e^{u_k/T}) (Newton's method on the
 * concave log-likelihood).  Returns RS_OK, RS_ERR_INVALID (NULL, zero
 * sizes), RS_ERR_RANGE (a position >= slate_size or < -1, NaN/Inf utility,
 * or an estimate outside the options' ranges: not identifiable from the
 * log).  Thread-safe.
 */
RS_API int rs_sim_calibrate(const double *utilities, const int32_t *positions,
                            size_t n_impressions, size_t slate_size,
                            double *temperature_out, double *noclick_out,
                            double *decay_out);

/* Most utility terms rs_sim_calibrate_terms() fits. */
#define RS_SIM_CALIBRATE_MAX_TERMS 32

/**
 * rs_sim_calibrate_terms - fit every weight of a utility made of terms,
 * with the temperature, no-click weight and position decay of the
 * position-based logit, by maximum likelihood.
 *
 * The utility of slot j is u_j = sum_t w_t x_jt (terms such as the item
 * effect, collaborative affinity, content affinity, profile/segment
 * terms, popularity), and P(j) = g^j e^{u_j/T} / (m + sum_k g^k e^{u_k/T}),
 * P(none) = m / (...).  The logit only sees w_t / T, so the first term is
 * the reference: w_1 = 1 and T is its scale (rs_sim_calibrate() is the
 * case of one term).  The log-likelihood is concave in (w/T, log m, log g);
 * Newton's method with step halving.
 *
 * @terms        n_impressions x slate_size x n_terms values, row-major
 *               (impression, then slot, then term).
 * @n_terms      1 .. RS_SIM_CALIBRATE_MAX_TERMS.
 * @positions    the clicked slot of each impression, -1 for none.
 * @weights_out  n_terms doubles: the weights, weights_out[0] = 1.
 * Outputs T, m and g as rs_sim_calibrate().
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, no impression), RS_ERR_RANGE
 * (n_terms or slate_size out of range, a position outside -1 ..
 * slate_size - 1, a NaN/Inf term, a singular information matrix: terms
 * that the log cannot tell apart, or estimates outside the options'
 * ranges, e.g. a reference term whose weight is not positive),
 * RS_ERR_OVERFLOW (sizes).  Nothing is written on failure.  Thread-safe;
 * no allocation.
 */
RS_API int rs_sim_calibrate_terms(const double *terms, size_t n_terms,
                                  const int32_t *positions, size_t n_impressions,
                                  size_t slate_size, double *weights_out,
                                  double *temperature_out, double *noclick_out,
                                  double *decay_out);

/**
 * rs_sim_snapshot - serialise the population (users, clock, popularity,
 * statistics; not the options) into buf.
 *
 * Writes *size_out = the bytes needed; RS_ERR_BUFFER when capacity is
 * smaller (buf may then be NULL).  Returns RS_OK, RS_ERR_INVALID,
 * RS_ERR_BUFFER.
 */
RS_API int rs_sim_snapshot(const rs_sim *sim, void *buf, size_t capacity, size_t *size_out);

/**
 * rs_sim_restore - load a snapshot into a simulator of the same shape
 * (users, items, dim, categories).  Returns RS_OK, RS_ERR_INVALID,
 * RS_ERR_CORRUPT (not a snapshot, wrong size or shape); on failure the
 * simulator is unchanged.
 */
RS_API int rs_sim_restore(rs_sim *sim, const void *buf, size_t size);

/**
 * rs_sim_set_interest - replace a user's latent interest vector, e.g. to
 * mirror a real user of a model (their vector plus noise).
 *
 * @vector  dim floats, copied; dim must be the simulator's.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (user), RS_ERR_DIM,
 * RS_ERR_RANGE (NaN/Inf).  Not thread-safe on one handle.
 */
RS_API int rs_sim_set_interest(rs_sim *sim, uint32_t user, const float *vector, size_t dim);

/**
 * rs_sim_get_interest - copy a user's current interest vector (dim floats)
 * into vector_out.  Errors as rs_sim_set_interest().  Reads only.
 */
RS_API int rs_sim_get_interest(const rs_sim *sim, uint32_t user, float *vector_out,
                               size_t dim);

/* Flags of rs_sim_run_scorer(), or-ed.  Values are append-only. */
typedef enum rs_sim_scorer_flag {
    RS_SIM_NO_FEEDBACK = 1, /* do not observe the clicks in the user model */
    RS_SIM_SHOW_AGAIN = 2,  /* do not exclude the items already shown */
    RS_SIM_NO_CACHE = 4     /* ask the scorer at every step (the same
                               slates, slower: for checking) */
} rs_sim_scorer_flag;

/**
 * rs_sim_create_from_store - rs_sim_create() over an item store's vectors:
 * simulator item i is store index i (rs_item_store_key), removed slots
 * having a zero vector, so that the scorer's recommendations are slates.
 *
 * @store  read here only; the simulator keeps a copy of the vectors.
 * Other parameters and errors as rs_sim_create(); categories (may be NULL)
 * has rs_item_store_span(store) entries.  RS_ERR_RANGE for an empty store.
 */
RS_API int rs_sim_create_from_store(const rs_item_store *store, const uint32_t *categories,
                                    size_t n_categories, size_t n_users, uint64_t seed,
                                    rs_sim **out);

/**
 * rs_sim_run_scorer - rs_sim_run() with the library's scorer as the policy,
 * closing the loop.
 *
 * At each step every shown user's slate is rs_scorer_recommend_filtered()
 * for the user's key, without the items already shown to that user in this
 * call (the scorer itself skips the user's history); when the catalogue
 * runs short the user's shown set starts over, and the slate is padded with
 * the lowest item indices.  As a user's ranking depends only on that
 * user's events, a user who did not click is served the next items of the
 * ranking already computed (up to 8 slates of it), which are exactly the
 * scorer's answer; RS_SIM_NO_CACHE asks the scorer every time instead.
 * Slates are computed on RS_SIM_THREADS threads
 * (the scorer only reads); with more than one, OpenBLAS is set to one
 * thread for the call (process-wide) and restored afterwards.  After the step each click is observed in
 * `users` on the calling thread, users in order, as
 * rs_user_model_observe(users, key, item, "clicked" or "bought", 1, T + step),
 * T being the latest event time of the user model when the scorer was
 * created (0 without event times), so that the clicks count as current for
 * the scorer's time-aware signals; the next step's recommendations see it.
 *
 * @sim        created over the scorer's store (rs_sim_create_from_store()).
 * @scorer     the policy; read only.
 * @users      the scorer's own user model (the one given to
 *             rs_scorer_create()), written between steps.
 * @user_keys  n_users keys of the simulated users in the user model (e.g.
 *             the real users a population mirrors), or NULL for "sim-<u>".
 * @flags      0 or rs_sim_scorer_flag bits.
 * Other parameters as rs_sim_run().
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, users not the scorer's, a NULL or
 * empty key, unknown flags), RS_ERR_RANGE (slate_size), RS_ERR_DIM (the
 * store's span or dim differs from the simulator's), RS_ERR_CALLBACK (an
 * observation failed), the scorer's errors, RS_ERR_IO, RS_ERR_NOMEM; the
 * steps already completed stay applied.  Not thread-safe on the simulator
 * or the user model; nothing else may write to the scorer's parents.
 */
RS_API int rs_sim_run_scorer(rs_sim *sim, const rs_scorer *scorer, rs_user_model *users,
                             const char *const *user_keys, uint64_t steps, size_t slate_size,
                             int flags, const char *trace_path);

/*
 * A host response model for chosen users (rs_sim_set_hosted()), e.g. an LLM
 * agent given the persona and the slate's item texts: write the clicked
 * position (-1 for none), an rs_sim_behaviour (RS_SIM_SKIP exactly when
 * position is -1), a rating 1 .. 5 (0 without click) and left (1: the user
 * ends the session; the time budget still applies).  Returns 0, or non-zero
 * to stop the run.  Called by rs_sim_run() on the calling thread, users in
 * increasing order, after the policy and before the built-in model answers
 * the other users.  rs_sim_respond() and rs_sim_respond_batch() always use
 * the built-in model.
 */
typedef int (*rs_sim_response_fn)(void *context, uint32_t user, uint64_t step,
                                  const uint32_t *slate, size_t slate_size, int *position_out,
                                  int *behaviour_out, int *rating_out, int *left_out);

/**
 * rs_sim_set_responder - install (or with fn NULL remove) the host response
 * model used for the hosted users.  Returns RS_OK or RS_ERR_INVALID (NULL
 * sim).  Not thread-safe on one handle.
 */
RS_API int rs_sim_set_responder(rs_sim *sim, rs_sim_response_fn fn, void *context);

/**
 * rs_sim_set_hosted - whether `user` is answered by the host responder
 * (hosted != 0) or by the built-in model (0, the default).  Without a
 * responder every user uses the built-in model.  Not part of snapshots.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (user).
 */
RS_API int rs_sim_set_hosted(rs_sim *sim, uint32_t user, int hosted);

/**
 * rs_sim_set_related - the items related to each item (e.g. its neighbours
 * in the knowledge graph), over which interest drift spreads.
 *
 * @starts   n_items + 1 offsets, starts[0] = 0, non-decreasing: item i's
 *           related items are related[starts[i] .. starts[i+1]); or NULL to
 *           remove the relation.  Copied.
 * @related  starts[n_items] item indices (< n_items); copied.
 *
 * After a click on item i with related set N(i), the interest moves by
 * drift x (target - v), target = (1 - s) x_i + s mean_{j in N(i)} x_j with
 * s = RS_SIM_GRAPH_DRIFT (target = x_i when N(i) is empty).  Returns RS_OK,
 * RS_ERR_INVALID (NULL sim, NULL related with entries), RS_ERR_RANGE
 * (offsets), RS_ERR_NOTFOUND (an index >= n_items), RS_ERR_NOMEM; on
 * failure nothing changes.  Not thread-safe on one handle.
 */
RS_API int rs_sim_set_related(rs_sim *sim, const size_t *starts, const uint32_t *related);

/**
 * rs_sim_set_related_graph - rs_sim_set_related() from a knowledge graph:
 * simulator item i is the graph node of type "item" whose key is
 * item_keys[i]; its related items are the other items one hop away, or two
 * hops away through a shared entity (a category, a brand, a word, ...),
 * at most max_related of them, the most strongly connected first (ties to
 * the lower index).
 *
 * @item_keys    n_items keys; an item that is not a graph node relates to
 *               nothing.
 * @max_related  1 .. 10000.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_RANGE (max_related),
 * RS_ERR_NOMEM.  Reads the graph only.
 */
RS_API int rs_sim_set_related_graph(rs_sim *sim, const rs_graph *graph,
                                    const char *const *item_keys, size_t max_related);

/**
 * rs_sim_calibrate_cascade - fit temperature, no-click weight and
 * continuation probability of the cascade (RS_SIM_CASCADE) by maximum
 * likelihood: position j is examined with probability prod_{i<j} (1 - a_i) g
 * and clicked with a_j = 1 / (1 + m e^{-u_j/T}).
 *
 * Arguments as rs_sim_calibrate(); the likelihood is maximised by
 * Nelder-Mead over (1/T, log m, logit g).  Returns RS_OK, RS_ERR_INVALID
 * (NULL, no impressions), RS_ERR_RANGE (a position outside -1 ..
 * slate_size - 1, NaN/Inf utility, estimates outside the options' ranges).
 * Thread-safe.
 */
RS_API int rs_sim_calibrate_cascade(const double *utilities, const int32_t *positions,
                                    size_t n_impressions, size_t slate_size,
                                    double *temperature_out, double *noclick_out,
                                    double *decay_out);

/**
 * rs_sim_calibrate_drift - fit the interest drift rate (RS_SIM_DRIFT) to a
 * log of responses by maximum likelihood.
 *
 * The log is replayed from the simulator's current state (restore the
 * snapshot taken before the logged run): for a candidate rate every event
 * is scored by the current response model's probability of the logged
 * position, then applied (drift, fatigue) as rs_sim_run() would; the rate
 * maximising the log-likelihood over [0, 1] is found by golden-section
 * search (to 1e-5).  Popularity is held at its current value, so the fit
 * is exact when RS_SIM_CONFORMITY_WEIGHT is 0.
 *
 * @users      n_events user indices, in the order the events happened.
 * @slates     n_events x slate_size item indices.
 * @positions  the clicked position of each event, -1 for none.
 * @drift_out  the estimate.
 *
 * The simulator is left unchanged.  Returns RS_OK, RS_ERR_INVALID (NULL, no
 * events), RS_ERR_RANGE (slate_size, a position), RS_ERR_NOTFOUND (a user
 * or item index), RS_ERR_NOMEM.  Not thread-safe on one handle.
 */
RS_API int rs_sim_calibrate_drift(rs_sim *sim, const uint32_t *users, const uint32_t *slates,
                                  const int32_t *positions, size_t n_events,
                                  size_t slate_size, double *drift_out);

/**
 * rs_sim_set_truth - mirror a real user from held-out interactions: the
 * items are the user's ground truth.
 *
 * @items     n item indices (duplicates ignored), e.g. the user's test
 *            items of a split; n = 0 removes the user's truth.
 * @strength  0 .. 1e6: the interest becomes strength times the unit mean of
 *            the items' unit vectors (0 keeps the interest as it is).
 *
 * A truth item's utility gets RS_SIM_TRUTH_BONUS on top of the affinity
 * (before the division by tau), and clicks on truth items are counted in
 * RS_SIM_STAT_TRUTH_CLICKS, so a policy can be judged by how often it finds
 * what the user really took.  Not part of snapshots.  Returns RS_OK,
 * RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (user, item), RS_ERR_RANGE
 * (strength), RS_ERR_NOMEM; on failure nothing changes.  Not thread-safe on
 * one handle.
 */
RS_API int rs_sim_set_truth(rs_sim *sim, uint32_t user, const uint32_t *items, size_t n,
                            double strength);


/* ======================================================================
 * model: the recommender of one model file, rs_model (src/model)
 *
 * The front door.  One rs_model owns a model file (one SQLite database) and
 * the whole pipeline over it: import, build, recommend / explain / similar,
 * observe, evaluate and simulate.  The handles of the lower sections stay
 * public for advanced use; rs_model_graph() and its siblings lend them out.
 *
 *     rs_model *m;
 *     if (rs_model_open("shop.rsm", RS_MODEL_READONLY, &m) != RS_OK)
 *         return fprintf(stderr, "%s\n", rs_errmsg()), 1;
 *     const char *keys[10];
 *     float scores[10];
 *     size_t n;
 *     if (rs_model_recommend(m, "12347", 10, NULL, 0, NULL, 0,
 *                            keys, scores, NULL, &n) == RS_OK)
 *         for (size_t i = 0; i < n; i++)
 *             printf("%s %.4f\n", keys[i], scores[i]);
 *     rs_model_close(m);
 *
 * One index space: an item's index is its index in the model's item store
 * (0 .. rs_model_item_count() - 1); the collaborative model, the scorer and
 * every index this section returns use it, so no caller passes key arrays
 * between handles.
 *
 * One history rule: a user's history is every user -> item interaction edge
 * of the graph with the edge's own time and weight (a weight <= 0 counts as
 * 1), in the file as at open, build or observe; the same rule for every
 * caller (the CLI included).  A build saves the user model; a file of
 * release 1.0, which saved none, gets it from the graph by this rule at
 * open.
 *
 * Options are reachable by name ("scorer.w_popularity", "cf.lambda",
 * "build.dim", ...): typed get/set, an enumeration with type, bounds,
 * default and a one-line description.  They are saved in the model file by
 * rs_model_build() and rs_model_save_options() and loaded by rs_model_open().
 *
 * Thread safety: a model opened RS_MODEL_READONLY may serve
 * rs_model_recommend, rs_model_recommend_batch, rs_model_explain,
 * rs_model_similar, rs_model_item_* and rs_model_get_* from any number of
 * threads at once.  Every other call (set, import, build, observe, evaluate,
 * simulate, close) needs the handle to itself.
 * ====================================================================== */

/** An open model file and the recommender over it. */
typedef struct rs_model rs_model;

/** Flags of rs_model_open (bit set). */
typedef enum rs_model_flag {
    RS_MODEL_READONLY = 1, /* read only: no import, build, observe, save */
    RS_MODEL_CREATE = 2    /* create the file when missing (read-write) */
} rs_model_flag;

/**
 * rs_model_open - open (or create) a model file.
 *
 * @path   a file path, or ":memory:" for a model that lives in memory only.
 * @flags  RS_MODEL_READONLY, RS_MODEL_CREATE or 0 (read-write, must exist).
 * @out    receives the model; NULL on failure.
 *
 * A built file opens ready to recommend: the item store, the collaborative
 * model, the user model and the options are read from the file, nothing is
 * refitted.  A file that holds a graph but no build opens too (import and
 * build then work; recommend fails with RS_ERR_STATE).  Files written by
 * release 1.0 open and are migrated on the next write.
 *
 * Read-only, a dense collaborative model (EASE, EDLAE, GF-CF) is checked at
 * open but left in the file: a recommendation reads the rows of the user's
 * history, and once the rows read add up to the whole matrix (a batch, many
 * users) it is read once and kept.  The lists are the same bit for bit.
 * For that the model holds a read transaction on the file until it is
 * closed: in the write-ahead log that model files use, a snapshot that does
 * not block writers in other processes (the log cannot be checkpointed past
 * it meanwhile); a file in a rollback journal is read whole at open.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, bad flags), RS_ERR_IO (missing file
 * without RS_MODEL_CREATE, not a regular file, unreadable), RS_ERR_CORRUPT
 * (damaged file or blob, naming the table or key), RS_ERR_VERSION (a file of
 * a newer release, naming both versions), RS_ERR_BUSY, RS_ERR_NOMEM.
 * Ownership: the caller closes the model with rs_model_close().
 */
RS_API int rs_model_open(const char *path, int flags, rs_model **out);

/** rs_model_close - close a model and free everything it owns; NULL is a no-op. */
RS_API void rs_model_close(rs_model *model);

/** rs_model_is_built - 1 when the model can recommend (built), else 0 (also for NULL). */
RS_API int rs_model_is_built(const rs_model *model);

/**
 * rs_model_import_interactions - import user -> item events from a reader,
 * cleaned by cleaner, as edges of relation (NULL: "interacted").
 *
 * @flags  RS_IMPORT_* flags as for rs_io_import_interactions(), and
 *         RS_IMPORT_REPLACE.
 * @rows_out  receives the number of rows imported (may be NULL).
 *
 * One transaction: on failure the file is unchanged.  The model stays as
 * built (recommendations use the new events once rs_model_build() runs
 * again).  With RS_IMPORT_SKIP_KNOWN rows the model already has are skipped
 * (see rs_io_import_interactions; rs_model_import_known_rows() counts them).
 * With RS_IMPORT_REPLACE the rows replace every user -relation-> item edge
 * and raw event of relation, in the same transaction (other relations,
 * entity properties and attributes stay); RS_IMPORT_SKIP_KNOWN is then
 * moot.  Returns the statuses of rs_io_import_interactions(),
 * RS_ERR_READONLY for a read-only model, and RS_ERR_INVALID for
 * RS_IMPORT_REPLACE with an event column in the reader (unless
 * RS_IMPORT_NO_EVENT) or on a ":memory:" model.
 */
RS_API int rs_model_import_interactions(rs_model *model, rs_reader *reader,
                                        rs_cleaner *cleaner, const char *relation,
                                        unsigned flags, uint64_t *rows_out);

/**
 * rs_model_import_known_rows - how many rows the last
 * rs_model_import_interactions() on model skipped as events the model
 * already had (RS_IMPORT_SKIP_KNOWN); 0 after a failed import, for NULL, or
 * before any.  Same thread rules as the model's other calls.
 */
RS_API uint64_t rs_model_import_known_rows(const rs_model *model);

/** rs_model_import_items - import a catalogue, as rs_io_import_items() does, into the model. */
RS_API int rs_model_import_items(rs_model *model, rs_reader *reader, rs_cleaner *cleaner,
                                 const char *const *attributes, size_t n_attributes,
                                 const char *const *properties, size_t n_properties,
                                 uint64_t *rows_out);

/** rs_model_import_users - import user profiles, as rs_io_import_users() does, into the model. */
RS_API int rs_model_import_users(rs_model *model, rs_reader *reader, rs_cleaner *cleaner,
                                 const char *const *attributes, size_t n_attributes,
                                 const char *const *properties, size_t n_properties,
                                 const char *friends_column, uint64_t *rows_out);

/**
 * rs_model_build - fit the text embedder, embed the items, fit the
 * collaborative model and the user model from the model's graph, with the
 * model's options ("build.*", "embedder.*", "cf.*"), and save them and the
 * options into the file in one transaction.
 *
 * On failure the file and the handle are as before the call.  Returns RS_OK,
 * RS_ERR_READONLY, RS_ERR_NOTFOUND (no item in the graph), RS_ERR_NOMEM,
 * RS_ERR_IO, RS_ERR_BUSY, and the statuses of the fitting calls.
 */
RS_API int rs_model_build(rs_model *model);

/**
 * rs_model_recommend - the top k items for one user, best first.
 *
 * @user        the user's key; an unknown user or one without history is
 *              cold-started by the same call (profile, then popularity).
 * @k           at most k items (1 .. 100000).
 * @exclude     n_exclude item keys never to return (unknown keys ignored;
 *              may be NULL when n_exclude is 0).  The user's own history is
 *              always excluded.
 * @only        n_only item keys: when n_only > 0, return only items among
 *              them (unknown keys ignored).
 * @keys_out    k slots for item keys, borrowed from the model (valid until
 *              it is closed or built again); may be NULL.
 * @scores_out  k slots for scores; may be NULL.
 * @items_out   k slots for item indices; may be NULL.
 * @n_out       receives the number of items returned (<= k).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL model, user or n_out; an empty user
 * key; a NULL exclude / only list or key with a non-zero count), RS_ERR_RANGE
 * (k), RS_ERR_STATE (not built), RS_ERR_ENCODING (user key), RS_ERR_NOMEM.
 * Thread-safe on a read-only model.
 */
RS_API int rs_model_recommend(const rs_model *model, const char *user, size_t k,
                              const char *const *exclude, size_t n_exclude,
                              const char *const *only, size_t n_only,
                              const char **keys_out, float *scores_out, uint32_t *items_out,
                              size_t *n_out);

/**
 * rs_model_recommend_batch - rs_model_recommend() for n users at once (in
 * parallel, rs_get_num_threads() threads), each list exactly that call's.
 *
 * @keys_out, @scores_out, @items_out  n x k slots each (user i's list at
 *              i * k), any may be NULL.
 * @counts_out  n slots: the length of each user's list.
 *
 * Returns as rs_model_recommend(); on failure the message names the first
 * failing user in input order.
 */
RS_API int rs_model_recommend_batch(const rs_model *model, const char *const *users, size_t n,
                                    size_t k, const char **keys_out, float *scores_out,
                                    uint32_t *items_out, size_t *counts_out);

/** An explanation of one recommendation: a sentence and a graph path. */
typedef struct rs_explanation rs_explanation;

/**
 * rs_model_explain - why item is recommended to user: the graph path that
 * contributes most, from the user's node to the item's node (each edge
 * exists in the model's graph), and a sentence.
 *
 * A cold user served by popularity gets a path of length 0 and a sentence
 * that says so; a path never names another user than a real neighbour.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_ENCODING (a key), RS_ERR_STATE (not
 * built), RS_ERR_NOTFOUND (unknown item), RS_ERR_NOMEM.  Ownership: free with
 * rs_explanation_free().
 * Thread-safe on a read-only model.
 */
RS_API int rs_model_explain(const rs_model *model, const char *user, const char *item,
                            rs_explanation **out);

/** rs_explanation_free - free an explanation; NULL is a no-op. */
RS_API void rs_explanation_free(rs_explanation *explanation);
/** rs_explanation_text - the sentence (UTF-8, owned by the explanation). */
RS_API const char *rs_explanation_text(const rs_explanation *explanation);
/** rs_explanation_length - the number of nodes on the path (0: no path). */
RS_API size_t rs_explanation_length(const rs_explanation *explanation);
/** rs_explanation_node_type / _node_key - node i of the path (NULL when out of range). */
RS_API const char *rs_explanation_node_type(const rs_explanation *explanation, size_t i);
RS_API const char *rs_explanation_node_key(const rs_explanation *explanation, size_t i);
/**
 * rs_explanation_relation - the relation of edge i (between nodes i and
 * i + 1); *reversed_out (may be NULL) is 1 when the stored edge points from
 * node i + 1 to node i.  NULL when i is out of range.
 */
RS_API const char *rs_explanation_relation(const rs_explanation *explanation, size_t i,
                                           int *reversed_out);
/** rs_explanation_weight - the path's contribution; rs_explanation_source - an rs_scorer_source. */
RS_API double rs_explanation_weight(const rs_explanation *explanation);
RS_API int rs_explanation_source(const rs_explanation *explanation);

/**
 * rs_model_similar - the k items most similar to item (cosine of the item
 * vectors, rs_item_store_search), best first, the item itself left out.  Outputs as
 * rs_model_recommend().  Returns RS_OK, RS_ERR_INVALID, RS_ERR_RANGE (k),
 * RS_ERR_STATE, RS_ERR_NOTFOUND (unknown item).  Thread-safe on a read-only
 * model.
 */
RS_API int rs_model_similar(const rs_model *model, const char *item, size_t k,
                            const char **keys_out, float *scores_out, uint32_t *items_out,
                            size_t *n_out);

/**
 * rs_model_observe - a new event, online: the edge user -[event]-> item is
 * added to the graph (user node created when new) and the user model is
 * updated, both saved in the file in one transaction; the next
 * rs_model_recommend() for the user sees it.
 *
 * @event   the relation (NULL: "interacted"); an existing edge of the same
 *          relation gets the weight added (RS_GRAPH_MERGE_SUM) and the later
 *          time, while the user model records one more event;
 * @weight  in (0, 1e9];
 * @time    Unix seconds.
 * Cost: the user model is saved whole (rs_user_model_save) and the scorer
 * is made again, so an observe costs about what opening the model costs;
 * batch events through import + build when there are many.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_READONLY, RS_ERR_STATE (not built),
 * RS_ERR_NOTFOUND (unknown item), RS_ERR_RANGE (weight), RS_ERR_ENCODING,
 * RS_ERR_BUSY, RS_ERR_NOMEM; on failure nothing changes.
 */
RS_API int rs_model_observe(rs_model *model, const char *user, const char *item,
                            const char *event, double weight, int64_t time);

/** Splits of rs_model_evaluate. */
typedef enum rs_model_split {
    RS_MODEL_SPLIT_TEMPORAL = 0, /* param: the cut (Unix seconds); events at or
                                    after it are test; NaN: 80 % of the way
                                    through the events' time range */
    RS_MODEL_SPLIT_RANDOM = 1,   /* param: per-user test fraction, (0, 1) */
    RS_MODEL_SPLIT_LAST = 2      /* param: each user's last n events are test */
} rs_model_split;

/** Flags of rs_model_evaluate (bit set). */
typedef enum rs_model_eval_flag {
    RS_MODEL_EVAL_BASELINES = 1, /* rows for random, most-popular, recent-popular
                                    (30 days) and, when users have a profile
                                    attribute, segment-popular */
    RS_MODEL_EVAL_COLD = 2       /* evaluate the users whose first event is in
                                    test (cold start) instead of warm users */
} rs_model_eval_flag;

/**
 * rs_model_evaluate - the model's recommender beside the baselines on a
 * split of the model's own events, without leaks: the scorer row is a model
 * built, with this model's options, from a train-only copy in which no
 * signal (edge weights, counts, popularity, times, user vectors) contains a
 * test event.
 *
 * The events are the interaction edges, each replaced by the raw rows an
 * import kept for it (one per user, relation, item and time), so that a
 * repeat after the cut of a pair bought before it stays in test.
 * @seed  seeds the random split and the random baseline.
 * @out   receives an rs_eval whose rows (rs_eval_result_*, rs_eval_report)
 *        hold the results, the scorer's row first; free with rs_eval_free().
 *        A model that is not built gives the baseline rows alone when
 *        RS_MODEL_EVAL_BASELINES is set.
 * Evaluation options ("eval.k", "eval.recent_days", ...) come from the
 * model's options.  Returns RS_OK, RS_ERR_INVALID (NULL, unknown split or
 * flag), RS_ERR_RANGE (param), RS_ERR_STATE (not built without
 * RS_MODEL_EVAL_BASELINES, no events, empty train or test, no user to
 * evaluate), RS_ERR_NOTFOUND (option build.relation names no relation),
 * RS_ERR_NOMEM.  The model is not changed.
 */
RS_API int rs_model_evaluate(const rs_model *model, int split, double param, uint64_t seed,
                             int flags, rs_eval **out);

/**
 * rs_model_evaluate_shard - rs_model_evaluate() for one shard of the
 * evaluated users (since 1.1), to spread an evaluation over processes or
 * machines: each shard fits the same train model (the fit is repeated per
 * shard; what is divided is the scoring of the users), evaluates the
 * contiguous block shard of n_shards of the users in ascending order
 * (RS_EVAL_SHARDS, RS_EVAL_SHARD), and every row of *out is a part
 * (rs_eval_result_part) that rs_eval_merge_parts() merges with the same
 * row of the other shards into the fields of rs_model_evaluate(), bit for
 * bit.  A shard may hold no user (rows with users 0) when n_shards exceeds
 * the users.
 *
 * @shard     0 .. n_shards - 1;  @n_shards  1 .. 65536 (1: the whole run).
 * Other arguments, statuses and thread safety as rs_model_evaluate(), and
 * RS_ERR_RANGE for shard or n_shards.
 */
RS_API int rs_model_evaluate_shard(const rs_model *model, int split, double param,
                                   uint64_t seed, int flags, size_t shard, size_t n_shards,
                                   rs_eval **out);

/**
 * rs_model_progress_fn - a report of a long call's progress: stage names the
 * work ("simulate", "import"), done of total units (steps of every policy for
 * "simulate"; for "import" the rows read so far, every 4096 rows, of a total
 * estimated from the bytes of the input read so far, which is exact only at
 * the end; total 0 when unknown).  Called on the calling thread, from
 * inside the call; it must not call the model.
 */
typedef void (*rs_model_progress_fn)(void *user_data, const char *stage, uint64_t done,
                                     uint64_t total);

/**
 * rs_model_set_progress - call fn(user_data, ...) as a long call of the
 * model advances: rs_model_simulate() after every step of every policy,
 * rs_model_import_interactions/_items/_users every 4096 rows read.
 * rs_model_build() and rs_model_evaluate() report their stages in turn,
 * each from done 0 to done == total in its own unit, done never going
 * back; within a stage at most about 20 reports a second:
 *   "tune"      candidates evaluated by the validation-based selection
 *               (build.tune), of an estimate: total rises while the
 *               search goes on, and done == total only at its end;
 *   "embedder"  item texts the text embedder is fitted on (start, end);
 *   "items"     items given a vector (in chunks of 16384 items);
 *   "cf"        interaction events the collaborative model is fitted on
 *               (start, end; absent with build.cf none);
 *   "history"   interaction events fed to the user model;
 *   "eval"      rs_model_evaluate() only: users scored of the users
 *               evaluated (after the fit on the train part, which reports
 *               the stages above; a build with build.tune "tune" first).
 * Every report comes from the calling thread.
 * NULL fn stops the reports.  Returns RS_OK or RS_ERR_INVALID (NULL model).
 * Needs the handle to itself.
 */
RS_API int rs_model_set_progress(rs_model *model, rs_model_progress_fn fn, void *user_data);

/** Per-step statistics of a simulation (rs_model_simulate). */
typedef struct rs_sim_trace rs_sim_trace;

/**
 * rs_model_simulate - run the simulator over the model's catalogue with a
 * population of n_users simulated users (0: one per user of the model,
 * mirrored from their histories) and compare policies on the same random
 * numbers, as `recsim simulate` does.
 *
 * @policies  n_policies policy names: "scorer" (the model's recommender,
 *            feedback observed in a copy of its user model), "popular",
 *            "random".
 * @steps, @slate_size  steps to run, items per slate.
 * @seed      the population's and the responses' seed.
 * @out       receives the trace; free with rs_sim_trace_free().
 * The first simulated users mirror the model's users (option "sim.fresh"
 * 1: none do).  Simulator options come from the model's options ("sim.*").
 * The model's file and user model are not changed.  Returns RS_OK,
 * RS_ERR_INVALID, RS_ERR_NOTFOUND (unknown policy name, named),
 * RS_ERR_RANGE (a count, or slate_size above the catalogue's size),
 * RS_ERR_STATE (not built), RS_ERR_NOMEM.  The same arguments give the same
 * trace, bit for bit, at any thread count.
 */
RS_API int rs_model_simulate(const rs_model *model, const char *const *policies,
                             size_t n_policies, size_t n_users, uint64_t steps,
                             size_t slate_size, uint64_t seed, rs_sim_trace **out);

/** rs_sim_trace_free - free a trace; NULL is a no-op. */
RS_API void rs_sim_trace_free(rs_sim_trace *trace);
/** rs_sim_trace_policies - the number of policies; _policy_name - the name of policy p. */
RS_API size_t rs_sim_trace_policies(const rs_sim_trace *trace);
RS_API const char *rs_sim_trace_policy_name(const rs_sim_trace *trace, size_t policy);
/** rs_sim_trace_steps - the number of steps recorded per policy. */
RS_API uint64_t rs_sim_trace_steps(const rs_sim_trace *trace);
/**
 * rs_sim_trace_value - statistic stat (an rs_sim_stat) of policy p after
 * step (0-based; cumulative statistics as rs_sim_stat() reports them at that
 * step).  Returns RS_OK, RS_ERR_INVALID, RS_ERR_RANGE (p, step or stat).
 */
RS_API int rs_sim_trace_value(const rs_sim_trace *trace, size_t policy, uint64_t step, int stat,
                              double *value_out);
/** rs_sim_trace_seconds - wall seconds policy p took (the simulator's work included). */
RS_API double rs_sim_trace_seconds(const rs_sim_trace *trace, size_t policy);

/** Types of model options. */
typedef enum rs_option_type {
    RS_OPTION_INT = 0,    /* an integer in [min, max] */
    RS_OPTION_DOUBLE = 1, /* a finite double in [min, max] */
    RS_OPTION_CHOICE = 2, /* one of a few names ("ease", "als", ...); see
                             rs_model_option_info's choices */
    RS_OPTION_STRING = 3  /* free text (e.g. a relation name), may be empty */
} rs_option_type;

/** rs_model_option_count - the number of model options (a constant of the library). */
RS_API size_t rs_model_option_count(void);

/**
 * rs_model_option_info - option index (0 .. rs_model_option_count() - 1):
 * its name ("scorer.w_popularity"), type (rs_option_type), bounds (for INT
 * and DOUBLE), default (as text), the '|'-separated choices (CHOICE; "" for
 * the others) and a one-line description.  Every out-pointer may be NULL;
 * strings are static.  Returns RS_OK or RS_ERR_RANGE (index).
 */
RS_API int rs_model_option_info(size_t index, const char **name_out, int *type_out,
                                double *min_out, double *max_out, const char **default_out,
                                const char **choices_out, const char **description_out);

/**
 * rs_model_set_option - set an option by name from its text ("0.3", "als").
 * The typed setters below do the same for one type.  Scorer options take
 * effect at once; build, embedder and collaborative options at the next
 * rs_model_build(); eval and sim options at the next evaluate / simulate.
 * A read-only model accepts sets for this handle (nothing is saved).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (unknown name; the
 * message lists the nearest names), RS_ERR_RANGE (outside the bounds, NaN,
 * Inf; the message gives the bounds), RS_ERR_PARSE (text that is not a
 * value of the type).  On failure nothing changes.
 */
RS_API int rs_model_set_option(rs_model *model, const char *name, const char *value);
RS_API int rs_model_set_int(rs_model *model, const char *name, int64_t value);
RS_API int rs_model_set_double(rs_model *model, const char *name, double value);

/**
 * rs_model_get_option - the option's current value as text, written to buf
 * (capacity bytes, NUL-terminated); *len_out (may be NULL) receives the
 * length.  RS_ERR_BUFFER when it does not fit (len_out set).  The typed
 * getters return the value of an INT / DOUBLE option (RS_ERR_INVALID for
 * another type).  Thread-safe on a read-only model.
 */
RS_API int rs_model_get_option(const rs_model *model, const char *name, char *buf,
                               size_t capacity, size_t *len_out);
RS_API int rs_model_get_int(const rs_model *model, const char *name, int64_t *value_out);
RS_API int rs_model_get_double(const rs_model *model, const char *name, double *value_out);

/**
 * rs_model_save_options - save the current options into the file (one
 * transaction) so that the next rs_model_open() starts from them.  Returns
 * RS_OK, RS_ERR_READONLY, RS_ERR_IO, RS_ERR_BUSY.
 */
RS_API int rs_model_save_options(rs_model *model);

/**
 * rs_model_tuning - what the last build chose on validation and why: the
 * JSON text of the selection (the split, its cut or fraction, the number of
 * warm and cold validation users, every candidate evaluated with its
 * options and validation NDCG, the chosen options and their NDCG, the
 * seconds it took; or "skipped" with the reason), written to buf (capacity
 * bytes, NUL-terminated); *len_out (may be NULL) receives its length.
 *
 * The selection runs in rs_model_build() while the option "build.tune" is
 * 1 (the default): a validation split carved from the model's events
 * (temporal: the last "build.tune_fraction" of the time range when the
 * events carry times; else per-user random), the collaborative kind and
 * its regularisation, the blend weights and the cold-start weights chosen
 * by validation NDCG; options the caller set on the handle stay fixed.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (built without the
 * selection, or not built), RS_ERR_BUFFER (len_out set).  Thread-safe on a
 * read-only model.
 */
RS_API int rs_model_tuning(const rs_model *model, char *buf, size_t capacity,
                           size_t *len_out);

/** Counts of rs_model_count. */
typedef enum rs_model_count_kind {
    RS_MODEL_COUNT_ITEMS = 0,        /* items in the built store */
    RS_MODEL_COUNT_USERS = 1,        /* user nodes of the graph */
    RS_MODEL_COUNT_EVENTS = 2,       /* user -> item interaction edges */
    RS_MODEL_COUNT_USERS_WITH_HISTORY = 3 /* users the user model knows */
} rs_model_count_kind;

/** rs_model_count - a count of the model (0 for NULL or an unknown kind; ITEMS and
 * USERS_WITH_HISTORY are 0 while the model is not built, USERS and EVENTS
 * count the graph as it is). */
RS_API size_t rs_model_count(const rs_model *model, int kind);

/**
 * rs_model_item_count / rs_model_item_key / rs_model_item_index - the one
 * index space: the number of items, the key of index i (NULL out of range;
 * owned by the model), the index of a key (RS_ERR_NOTFOUND when unknown).
 */
RS_API size_t rs_model_item_count(const rs_model *model);
RS_API const char *rs_model_item_key(const rs_model *model, uint32_t index);
RS_API int rs_model_item_index(const rs_model *model, const char *key, uint32_t *index_out);

/**
 * rs_model_users - the users the model has a history for (those counted by
 * RS_MODEL_COUNT_USERS_WITH_HISTORY), a page at a time, in the order of
 * their graph nodes: the way to recommend for every user in bounded memory.
 *
 * @cursor    in: where the page starts (0 for the first); out: where the
 *            next one starts.  The pages are over when *n_out is 0.
 * @keys_out  capacity slots for user keys, borrowed from the model's graph
 *            (valid until the model is closed, built or observed again).
 * @capacity  at least 1.
 * @n_out     receives the number of keys written (<= capacity).
 *
 * A model changed between pages (observe, build) may make a page miss or
 * repeat a user.  Returns RS_OK, RS_ERR_INVALID (NULL model, cursor,
 * keys_out or n_out; capacity 0), RS_ERR_STATE (not built).  Cost: O(the
 * nodes scanned) per page.  Thread-safe on a read-only model.
 */
RS_API int rs_model_users(const rs_model *model, size_t *cursor, const char **keys_out,
                          size_t capacity, size_t *n_out);

/**
 * Borrowed handles, for advanced use: valid until the model is closed or
 * built again (rs_model_build replaces them); NULL when absent (not built,
 * no collaborative model).  Changing a borrowed handle's options changes the
 * model's behaviour but not its saved options; the model's name-based
 * options are the supported way.
 */
RS_API rs_graph *rs_model_graph(rs_model *model);
RS_API const rs_item_store *rs_model_item_store(const rs_model *model);
RS_API rs_user_model *rs_model_user_model(rs_model *model);
RS_API const rs_cf_model *rs_model_cf_model(const rs_model *model);
RS_API const rs_embedder *rs_model_embedder(const rs_model *model);
RS_API rs_scorer *rs_model_scorer(rs_model *model);

/*
 * Writing a model: one writer at a time, nothing lost.
 *
 * Every write (rs_model_import_*, rs_model_build, rs_model_observe,
 * rs_model_set_note) holds the model file's write lock from its first read
 * to its commit, so writes from any number of processes and handles are
 * serialised: a second writer waits up to the busy timeout (default 5000
 * ms) for the lock, then fails with RS_ERR_BUSY, changing nothing.  Readers
 * are never blocked and see one committed version of the file.  A handle
 * that another writer's commit made out of date reads the file again when
 * it takes the lock (borrowed handles, rs_model_graph() among them, are
 * then replaced), so a write never undoes another's.
 */

/**
 * rs_model_begin - take the model's write lock for several writes: every
 * rs_model_import_*, rs_model_build, rs_model_observe and
 * rs_model_set_note call until rs_model_commit() joins one transaction,
 * and nothing is visible to other handles, or durable, before the commit.
 * A process that dies before the commit leaves the file as it was.
 *
 * When a write inside the transaction fails, the transaction can only be
 * rolled back: later writes fail with RS_ERR_STATE, and rs_model_commit()
 * rolls back and returns RS_ERR_STATE.  Transactions do not nest.  After an
 * import inside the transaction, recommendations on this handle fail with
 * RS_ERR_STATE until the commit (which makes the scorer again).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_READONLY, RS_ERR_STATE (a
 * transaction is open already; a ":memory:" model), RS_ERR_BUSY (another writer held the lock
 * for longer than the busy timeout), RS_ERR_IO, RS_ERR_NOMEM.  Not thread-
 * safe on one handle; handles and processes may run it concurrently.
 */
RS_API int rs_model_begin(rs_model *model);

/**
 * rs_model_commit - commit the transaction of rs_model_begin(): all its
 * writes reach the file at once, and the lock is released.  On failure
 * (a write inside failed: RS_ERR_STATE; RS_ERR_IO, RS_ERR_BUSY,
 * RS_ERR_NOMEM from SQLite) everything is rolled back as by
 * rs_model_rollback().  RS_ERR_STATE also when no transaction is open.
 */
RS_API int rs_model_commit(rs_model *model);

/**
 * rs_model_rollback - undo the transaction of rs_model_begin(): the file
 * is as before it, the lock is released, and the handle reads the file
 * again (borrowed handles are replaced).  Returns RS_OK, RS_ERR_INVALID,
 * RS_ERR_STATE (no transaction open).
 */
RS_API int rs_model_rollback(rs_model *model);

/**
 * rs_model_set_busy_timeout - how long a write on this handle waits for
 * another writer's lock before failing with RS_ERR_BUSY: milliseconds >= 0
 * (0: fail at once; default 5000).  Returns RS_OK, RS_ERR_INVALID (NULL),
 * RS_ERR_RANGE (negative).
 */
RS_API int rs_model_set_busy_timeout(rs_model *model, int milliseconds);

/**
 * rs_model_set_note / rs_model_get_note - a short text the application
 * keeps in the model file under a key (e.g. which files were imported, as
 * `recsim import` does), apart from the library's own data.  set writes
 * (replacing) in its own transaction, or inside rs_model_begin()'s; get
 * copies the value and its terminating NUL into buf.
 *
 * @key    a valid key (UTF-8, 1 .. RS_MAX_KEY_BYTES bytes).
 * @value  UTF-8 text of at most 65536 bytes.
 * @len_out  receives the value's length in bytes (may be NULL).
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_ENCODING / RS_ERR_LIMIT (a
 * bad key or value), RS_ERR_READONLY, RS_ERR_BUSY, RS_ERR_IO (set);
 * RS_ERR_NOTFOUND (no such note), RS_ERR_BUFFER (capacity too small: the
 * length is in *len_out) (get).
 */
RS_API int rs_model_set_note(rs_model *model, const char *key, const char *value);
RS_API int rs_model_get_note(const rs_model *model, const char *key, char *buf,
                             size_t capacity, size_t *len_out);


/* ----------------------------------------------------------------------
 * Simulator validation (issue 17): is the simulator right about real people?
 * -------------------------------------------------------------------- */

/**
 * rs_eval_result_list - one evaluated user's list of a result row.
 *
 * @row        the result row.
 * @position   the user's position among the row's evaluated users
 *             (0 .. rs_eval_result_users()'s count - 1, in that order).
 * @user_out   receives the user's index in the log; may be NULL.
 * @items_out  capacity entries: the recommended catalogue items, best first
 *             (RS_NO_ITEM entries skipped); may be NULL when capacity is 0.
 * @n_out      the list's length.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL eval or n_out, NULL items_out with a
 * capacity); RS_ERR_NOTFOUND (row or position out of range); RS_ERR_BUFFER
 * (the first capacity are written, *n_out holds the length).  Reads only.
 */
RS_API int rs_eval_result_list(const rs_eval *eval, size_t row, size_t position,
                               uint32_t *user_out, uint32_t *items_out, size_t capacity,
                               size_t *n_out);

/**
 * rs_model_validate - check the visit simulator against held-out behaviour.
 *
 * @model        an open model whose interactions carry times (built or not:
 *               every policy is fitted here on the events before the cut).
 * @policies     policy names, or NULL for the default set (scorer, ease,
 *               als, knn, rp3beta, content, most-popular, recent-popular,
 *               segment-popular, random).  Names: "random", "most-popular",
 *               "recent-popular" (eval.recent_days), "segment-popular"; "scorer"
 *               (the model's options, its selection included); "ease", "als",
 *               "knn", "rp3beta", "edlae", "gfcf" (that collaborative model
 *               alone); "content" (the content signal alone); "file:PATH" (a
 *               ranked list file, "user\titem\trank" lines).  Copied.
 * @n_policies   their number, 0 .. 32 (0 with NULL: the default set).
 * @cut          the time cut in seconds, or NaN for 80 % of the time range.
 * @seed         seed of the first replicate; replicate r uses seed + r.
 * @replicates   1 .. 64; the report gives medians over them.
 * @report_out   receives the report, a NUL-terminated text (free with
 *               rs_free()); NULL on error.
 *
 * Protocol: every policy is fitted on a train-only copy of the events
 * before the cut and gives each evaluated user (warm, with a new item after
 * the cut) a top-10 list; the real NDCG@10 is the evaluation runner's.  Per
 * replicate the users are split in two halves by a seeded hash; the visit
 * simulator is fitted on the first half's behaviour after the cut only (by
 * maximum likelihood: a multinomial logit over the items not yet bought,
 * utility = weights x [log item count of the half, the simulator's own ALS
 * affinity fitted on that half, content cosine to the history, log segment
 * count]; a logistic return hazard on log1p(visits before the cut);
 * lognormal inter-visit gaps and basket sizes; the share of repeats).  The
 * other half is simulated (a visit = a basket at a time in days); every
 * list is checked against the same simulated baskets (common random
 * numbers), and against the same users' real baskets (a visit = the events
 * sharing one time).  The report prints per policy the real NDCG@10, the
 * real and simulated per-visit hit rates (a visit whose basket holds a
 * listed item), the simulated difference to the first policy with a paired
 * bootstrap interval; Kendall tau of simulated hit rate against real
 * NDCG@10 (random excluded) with a bootstrap interval over users; the visit
 * shape (baskets per customer, median items per basket, median gap) real
 * vs simulated; the log-likelihood per slate impression of the model
 * against positions alone.  The real logs hold no exposure, so the model
 * has no slate effect: a simulated basket does not depend on the list.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL model or report_out, a NULL or empty
 * name, an unknown policy); RS_ERR_RANGE (n_policies, replicates, a cut
 * that is not a whole number); RS_ERR_STATE (no interaction events; events
 * without times, naming the 'time' column; a cut leaving one side empty;
 * no evaluated user in a half); RS_ERR_IO / RS_ERR_PARSE (a list file); the
 * errors of the fits; RS_ERR_NOMEM.  Reads the model only; one call at a
 * time per model.
 */
RS_API int rs_model_validate(const rs_model *model, const char *const *policies,
                             size_t n_policies, double cut, uint64_t seed, size_t replicates,
                             char **report_out);

/*
 * A visit of a hosted user of rs_model_simulate(), in words, for a host
 * response model such as an LLM agent (rs_model_set_sim_responder()).
 * Lent for the duration of the call: every pointer is the library's and
 * stays valid only until the responder returns.  Fields may be appended in
 * later releases: read a visit through the pointer the library gives, never
 * allocate or copy one.
 */
typedef struct rs_sim_visit {
    const char *policy;            /* the policy shown ("scorer", "popular", ...) */
    uint64_t step;                 /* the step of the run, from 0 */
    uint32_t user;                 /* the simulated user's index */
    const char *user_key;          /* the model user it mirrors */
    const char *profile;           /* persona: "relation: entity" lines of the
                                      user's profile attributes (out-edges to
                                      nodes that are neither items nor users,
                                      e.g. "from: United Kingdom"); "" if none */
    const char *const *history;    /* item texts of the user's history in the
                                      model, then of the items it clicked in
                                      this run, oldest first */
    size_t n_history;
    const char *const *slate;      /* the slate's item texts, position order */
    const char *const *slate_keys; /* the slate's item keys */
    size_t slate_size;
} rs_sim_visit;

/*
 * The host's answer to a visit: write the clicked position (-1 for none),
 * an rs_sim_behaviour (RS_SIM_SKIP exactly when position is -1), a rating
 * 1 .. 5 (0 without click) and left (1: the user ends the session).
 * Return 0, or non-zero to stop the simulation (rs_model_simulate() then
 * fails with RS_ERR_CALLBACK); an answer out of range fails it the same way.
 */
typedef int (*rs_model_sim_responder_fn)(void *context, const rs_sim_visit *visit,
                                         int *position_out, int *behaviour_out,
                                         int *rating_out, int *left_out);

/**
 * rs_model_set_sim_responder - answer chosen users of rs_model_simulate()
 * with a host response model instead of the built-in one.
 *
 * @fn         the responder, or NULL to remove it (the other arguments are
 *             then ignored).
 * @context    passed to fn unchanged.
 * @user_keys  n_keys keys of model users (copied): the simulated users that
 *             mirror them are hosted; NULL: every mirrored user.  Generated
 *             users ("sim.fresh", n_users beyond the model's) are never
 *             hosted.
 *
 * fn is called by rs_model_simulate() on the calling thread, users in
 * increasing order, for every hosted user active at a step of every policy,
 * after the policy chose the slate and before the built-in model answers
 * the others (as rs_sim_set_responder()); a click joins the user's history
 * of the next visits.  A run with the same answers gives the same trace at
 * any thread count.  Returns RS_OK, RS_ERR_INVALID (NULL model; NULL
 * user_keys with n_keys > 0; a NULL or empty key), RS_ERR_NOTFOUND (a key
 * that is no user of the model), RS_ERR_RANGE (more than 10,000,000 keys),
 * RS_ERR_NOMEM; on failure the previous setting stays.  Needs the handle to
 * itself (as rs_model_set_progress()).
 */
RS_API int rs_model_set_sim_responder(rs_model *model, rs_model_sim_responder_fn fn,
                                      void *context, const char *const *user_keys,
                                      size_t n_keys);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_H */
