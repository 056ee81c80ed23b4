/*
 * graph_snapshot.c - the edge snapshot: every row of table edges (SQLite
 * ids and weight) in one meta blob, so that opening a built model reads the
 * adjacency in one blob instead of one SQL step per edge (a quarter of the
 * time to open a retail model and recommend).
 *
 * The snapshot is a cache of the table, written at the end of a build.
 * Triggers on table edges delete it on any insert, update or delete, by
 * this library or by any other writer of the file (1.0's library runs the
 * triggers too, since they live in the file's schema): a snapshot present
 * is always the table's current content.
 *
 * Blob (little-endian): u32 format, u32 0, u64 n, n x (u32 src id, u32
 * relation id, u32 dst id, f32 weight) in the table's (src, rel, dst)
 * order, then u64 XXH3 of every byte before it.
 */
#include "graph/graph_impl.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/lebytes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define SNAPSHOT_KEY "graph.edge_snapshot"
#define SNAPSHOT_FORMAT 1u
#define HEAD_BYTES 16u
#define EDGE_BYTES 16u

static const char triggers[] =
    "CREATE TRIGGER IF NOT EXISTS edges_snapshot_ai AFTER INSERT ON edges BEGIN"
    " DELETE FROM meta WHERE key = '" SNAPSHOT_KEY "'; END;"
    "CREATE TRIGGER IF NOT EXISTS edges_snapshot_au AFTER UPDATE ON edges BEGIN"
    " DELETE FROM meta WHERE key = '" SNAPSHOT_KEY "'; END;"
    "CREATE TRIGGER IF NOT EXISTS edges_snapshot_ad AFTER DELETE ON edges BEGIN"
    " DELETE FROM meta WHERE key = '" SNAPSHOT_KEY "'; END;";

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int drop_snapshot(rs_graph *g)
{
    int rc = sqlite3_exec(g->db, "DELETE FROM meta WHERE key = '" SNAPSHOT_KEY "'", NULL, NULL,
                          NULL);
    return rc == SQLITE_OK ? 0 : rs__graph_sql_fail(g, rc, "removing the edge snapshot");
}

int rs__graph_snapshot_save(rs_graph *g)
{
    rs__graph_edge_list l;
    unsigned char *blob = NULL, *p;
    size_t bytes;
    int rc, status;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "rs__graph_snapshot_save: NULL graph");
    if ((status = rs__graph_check_writable(g, "rs__graph_snapshot_save")) != 0)
        return status;
    if ((rc = sqlite3_exec(g->db, triggers, NULL, NULL, NULL)) != SQLITE_OK)
        return rs__graph_sql_fail(g, rc, "creating the edge snapshot's triggers");
    if ((status = rs__graph_edges_scan(g, &l)) != 0)
        return status;
    /* ids beyond 32 bits (never seen in practice): no snapshot, the table
     * is read as before */
    for (size_t i = 0; i < l.n; i++)
        if (g->node_rowid[l.src[i]] > UINT32_MAX || g->node_rowid[l.dst[i]] > UINT32_MAX ||
            g->rel_rowid[l.rel[i]] > UINT32_MAX) {
            rs__graph_edge_list_free(&l);
            return drop_snapshot(g);
        }
    if ((status = rs__mul_size(l.n, EDGE_BYTES, &bytes)) != 0 ||
        (status = rs__add_size(bytes, HEAD_BYTES + 8, &bytes)) != 0 ||
        !(blob = rs__malloc(bytes))) {
        rs__graph_edge_list_free(&l);
        return status ? status : rs_errcode();
    }
    rs__le_put32(blob, SNAPSHOT_FORMAT);
    rs__le_put32(blob + 4, 0);
    rs__le_put64(blob + 8, l.n);
    p = blob + HEAD_BYTES;
    for (size_t i = 0; i < l.n; i++, p += EDGE_BYTES) {
        rs__le_put32(p, (uint32_t)g->node_rowid[l.src[i]]);
        rs__le_put32(p + 4, (uint32_t)g->rel_rowid[l.rel[i]]);
        rs__le_put32(p + 8, (uint32_t)g->node_rowid[l.dst[i]]);
        rs__le_put32(p + 12, f32_bits(l.w[i]));
    }
    rs__blob_seal(blob, bytes);
    rs__graph_edge_list_free(&l);
    status = rs__graph_meta_set(g, SNAPSHOT_KEY, blob, bytes);
    free(blob);
    return status;
}

static int damaged(const char *what)
{
    return rs__store_corrupt("meta", SNAPSHOT_KEY, what);
}

/* Decode a snapshot blob of len bytes into *out (node and relation
 * indices of g). */
static int decode(rs_graph *g, const unsigned char *blob, size_t len, rs__graph_edge_list *out)
{
    uint64_t n;
    uint32_t format;
    const unsigned char *p;
    int status;
    if (len < HEAD_BYTES + 8)
        return damaged("shorter than its header");
    format = rs__le_get32(blob);
    if (format > SNAPSHOT_FORMAT)
        return rs__fail(RS_ERR_VERSION, "table meta, key " SNAPSHOT_KEY ": format %u was "
                        "written by a newer release; this library reads format %u",
                        format, SNAPSHOT_FORMAT);
    if (format == 0)
        return damaged("format 0");
    size_t end;
    if ((status = rs__blob_check(blob, len, "", 0, "meta", SNAPSHOT_KEY, &end)) != 0)
        return status;
    n = rs__le_get64(blob + 8);
    if (n != (len - HEAD_BYTES - 8) / EDGE_BYTES || (len - HEAD_BYTES - 8) % EDGE_BYTES)
        return damaged("the edge count does not match the length");
    if ((status = rs__graph_edge_list_alloc(out, (size_t)n)) != 0)
        return status;
    p = blob + HEAD_BYTES;
    for (size_t i = 0; i < n; i++, p += EDGE_BYTES) {
        float w = bits_f32(rs__le_get32(p + 12));
        out->rel[i] = rs__graph_relation_from_rowid(g, rs__le_get32(p + 4));
        if (rs__graph_node_from_rowid(g, rs__le_get32(p), &out->src[i]) != 0 ||
            rs__graph_node_from_rowid(g, rs__le_get32(p + 8), &out->dst[i]) != 0 ||
            out->rel[i] == UINT32_MAX) {
            rs__graph_edge_list_free(out);
            return damaged("an edge names an unknown node or relation");
        }
        if (!(w >= 0.0f) || isinf(w)) {
            rs__graph_edge_list_free(out);
            return damaged("an edge weight is negative, NaN or infinite");
        }
        out->w[i] = w;
    }
    out->n = (size_t)n;
    return 0;
}

int rs__graph_snapshot_read(rs_graph *g, rs__graph_edge_list *out, bool *found)
{
    sqlite3_stmt *st = NULL;
    int rc, status = 0;
    memset(out, 0, sizeof *out);
    *found = false;
    /* Read in place (the blob is mapped), not copied by rs__graph_meta_get. */
    rc = sqlite3_prepare_v2(g->db, "SELECT value FROM meta WHERE key = '" SNAPSHOT_KEY "'", -1,
                            &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        status = blob ? decode(g, blob, len, out) : damaged("not a blob");
        *found = status == 0;
    } else if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        status = rs__graph_sql_fail(g, rc, "reading the edge snapshot");
    }
    sqlite3_finalize(st);
    return status;
}
