/*
 * graph_impl.h - the rs_graph handle and the functions the files of the
 * graph module share (graph.c: handle, schema, nodes, relations;
 * graph_adj.c: adjacency; graph_edges.c: edges and bulk load;
 * graph_query.c: traversals and search; graph_text.c: extraction).
 */
#ifndef RS_GRAPH_IMPL_H
#define RS_GRAPH_IMPL_H

#include "core/idmap.h"
#include "graph/graph_internal.h"

#include "store/store.h"

#define RS_GRAPH_SCHEMA_VERSION RS__STORE_VERSION
#define RS_GRAPH_APPLICATION_ID RS__STORE_APPLICATION_ID
/* A bulk load creating at least this many nodes (and at least as many as
 * the graph had) drops the node key index and builds it again after. */
#define RS_GRAPH_REINDEX_NODES 20000
/* Sizes of rs_graph_add_node's caches of recent answers and types (the
 * latter also of rs_graph_add_relation's recent answers). */
#define RS_GRAPH_RECENT_NODES 8
#define RS_GRAPH_RECENT_TYPES 4
/* Rows per multi-row INSERT of a bulk load (at most 999 parameters, the
 * limit of SQLite before 3.32). */
#define RS_GRAPH_INSERT_ROWS 192


/* One direction of the adjacency, with slack per list (see graph_adj.c). */
typedef struct rs__adj {
    uint32_t *start, *degree, *capacity; /* per node */
    uint32_t *target, *relation;         /* per slot */
    float *weight;                       /* per slot */
    size_t nodes, node_cap;              /* node arrays: used, allocated */
    size_t used, slot_cap;               /* slot arrays: used, allocated */
    size_t holes;                        /* slots in abandoned lists */
    size_t edges;
} rs__adj;

/* An edge queued by a bulk load. */
typedef struct rs__pending_edge {
    uint32_t src, relation, dst;
    float weight;
    int64_t timestamp;
    int merge;
    uint32_t order; /* arrival order, for a stable merge */
} rs__pending_edge;

/* Prepared statements, prepared on first use. */
enum rs__graph_stmt {
    ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO,
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_BULK_SAVEPOINT, ST_BULK_RELEASE, ST_BULK_ROLLBACK_TO,
    ST_META_SET, ST_META_GET,
    ST_TYPE_INSERT,
    ST_NODE_INSERT, ST_NODE_DELETE,
    ST_REL_INSERT, ST_REL_SET_WEIGHT,
    ST_EDGE_INSERT, ST_NODE_INSERT_MANY, ST_DROP_NODE_INDEX,
    ST_CREATE_NODE_INDEX,
    ST_EDGE_UPSERT, ST_EDGE_UPDATE, ST_EDGE_DELETE, ST_EDGE_GET,
    ST_PROP_SET, ST_PROP_DELETE, ST_PROP_GET,
    ST_KEY_PREFIX, ST_FTS_SEARCH, ST_DATA_VERSION,
    ST_COUNT
};

/* A cached mention matcher (graph_text.c). */
typedef struct rs__matcher rs__matcher;

struct rs_graph {
    sqlite3 *db;
    bool readonly;
    /* PRAGMA user_version: below RS__STORE_VERSION only for an older file
     * opened read-only (its meta keys are read by their old spelling) */
    int64_t file_version;
    bool in_bulk;
    bool bulk_nested; /* the bulk load is a savepoint inside the caller's transaction */
    bool bulk_module; /* rs_bulk_edges registered on db (graph_edges.c) */
    sqlite3_stmt *stmt[ST_COUNT];

    /* types: name -> type index; per type its SQLite id and live node count */
    rs_idmap *types;
    int64_t *type_rowid;
    size_t *type_nodes;
    size_t type_cap;

    /* nodes: (type index as 4 bytes, key) -> node index */
    rs_idmap *nodes;
    int64_t *node_rowid;  /* strictly increasing; kept for holes */
    uint32_t *node_type;  /* UINT32_MAX for a hole */
    size_t node_cap;
    int64_t next_node_rowid;
    /* rs_graph_add_node: its last answer per type (by type index modulo),
     * and the types it looked up last */
    uint32_t recent_node[RS_GRAPH_RECENT_NODES];
    uint32_t recent_type[RS_GRAPH_RECENT_TYPES];
    unsigned recent_type_next;
    uint32_t recent_rel[RS_GRAPH_RECENT_TYPES]; /* rs_graph_add_relation's */
    unsigned recent_rel_next;

    /* relations: name -> relation index */
    rs_idmap *relations;
    int64_t *rel_rowid;
    float *rel_weight;
    size_t rel_cap;

    rs__adj out, in;
    uint64_t generation;
    uint64_t node_generation; /* bumped when nodes are added or deleted */
    /* PRAGMA data_version when the file was read: it changes only when
     * another connection commits, after which the memory is out of date */
    int64_t data_version;

    /* bulk load */
    rs__pending_edge *pending;
    size_t n_pending, pending_cap;
    size_t bulk_node_span, bulk_rel_span, bulk_type_span;

    rs__matcher *matcher;
};

/* Statement `which`, prepared on first use and reset; NULL on failure (with
 * the failure recorded). */
sqlite3_stmt *rs__graph_stmt(rs_graph *g, enum rs__graph_stmt which);

/* Record a SQLite failure (rc) while doing `what`; returns the status. */
int rs__graph_sql_fail(rs_graph *g, int rc, const char *what);

/* Run a statement that returns no rows; 0 or status. */
int rs__graph_exec(rs_graph *g, enum rs__graph_stmt which, const char *what);

/* SAVEPOINT around a multi-statement write. */
int rs__graph_tx_begin(rs_graph *g);
int rs__graph_tx_commit(rs_graph *g);
void rs__graph_tx_rollback(rs_graph *g);

/* Argument checks shared by the files. */
int rs__graph_check_writable(rs_graph *g, const char *fn);
int rs__graph_check_current(rs_graph *g, const char *fn);
/* A weight column read from the file: false when it is not a number in
 * [0, 3e38] (text, NULL, NaN, negative, beyond a float). */
bool rs__graph_stored_weight(sqlite3_stmt *st, int column, double *out);
int rs__graph_check_node(const rs_graph *g, uint32_t node, const char *what);
int rs__graph_check_relation(const rs_graph *g, uint32_t relation, const char *what);

/* Relation index of a SQLite relation id (bsearch), UINT32_MAX if none. */
uint32_t rs__graph_relation_from_rowid(const rs_graph *g, int64_t rowid);

/* Adjacency (graph_adj.c). */
void rs__adj_free(rs__adj *adj);
int rs__adj_reserve_nodes(rs__adj *adj, size_t nodes);
/* Append (node -> target, relation, weight); 0 or status (adj unchanged). */
int rs__adj_insert(rs__adj *adj, uint32_t node, uint32_t target, uint32_t relation,
                   float weight);
/* Slot of (node -> target, relation), or SIZE_MAX. */
size_t rs__adj_find(const rs__adj *adj, uint32_t node, uint32_t target, uint32_t relation);
void rs__adj_remove_slot(rs__adj *adj, uint32_t node, size_t slot);
/* Build both directions from n edges (src[i], rel[i], dst[i], w[i]) over
 * `nodes` nodes, replacing their contents; on failure nothing changes. */
int rs__adj_build(rs__adj *out, rs__adj *in, size_t nodes, size_t n, const uint32_t *src,
                  const uint32_t *rel, const uint32_t *dst, const float *w);

/* Drop a node from memory after its rows are deleted (graph.c). */
void rs__graph_forget_node(rs_graph *g, uint32_t node);

/* Free the mention matcher cache (graph_text.c). */
void rs__matcher_free(rs__matcher *m);

/* Load every edge into the adjacency (graph_edges.c): from the edge
 * snapshot when the file holds one, else from table edges. */
int rs__graph_load_edges(rs_graph *g);

/* Edges as parallel arrays of node and relation indices (graph_edges.c). */
typedef struct rs__graph_edge_list {
    uint32_t *src, *rel, *dst;
    float *w;
    size_t n;
} rs__graph_edge_list;
/* Room for n edges (n = 0: one); 0 or RS_ERR_NOMEM (l zeroed). */
int rs__graph_edge_list_alloc(rs__graph_edge_list *l, size_t n);
void rs__graph_edge_list_free(rs__graph_edge_list *l);
/* Every row of table edges, in the table's (src, rel, dst) order, checked;
 * on failure *out is zeroed. */
int rs__graph_edges_scan(rs_graph *g, rs__graph_edge_list *out);
/* The edge snapshot of the file (graph_snapshot.c): *found false (RS_OK)
 * when there is none; RS_ERR_CORRUPT naming the meta key when damaged,
 * RS_ERR_VERSION when written by a newer release. */
int rs__graph_snapshot_read(rs_graph *g, rs__graph_edge_list *out, bool *found);
/* Discard a bulk load's queue (graph_edges.c). */
void rs__graph_pending_clear(rs_graph *g);

/* Validate a weight: finite and >= 0. */
int rs__graph_check_weight(double weight, const char *what);

#endif
