/*
 * bench_graph.c - the knowledge graph's bulk load and traversal speed.
 *
 *   bench_graph gen CSV                 write the 1,000,000-edge test CSV
 *   bench_graph load CSV DB             bulk-load it into a new graph file
 *                                       (parse + nodes + edges + index +
 *                                       adjacency), print seconds
 *   bench_graph query DB                2-hop neighbourhood of a degree-50 node:
 *                                       in memory vs recursive SQL on DB
 *   bench_graph                         all of the above in a temp dir
 *
 * bench_graph.sh times the sqlite3 command-line .import of the same CSV in
 * the same run and prints the ratios.
 */
#include "recsim.h"

#include "graph/graph_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "bench_util.h"

#define N_USERS 100000
#define N_ITEMS 50000
#define N_BRANDS 1000
#define N_CATEGORIES 200
#define N_EDGES 1000000

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Items, brands, categories: each item one brand and one category; user 0
 * has exactly 50 interactions (the degree-50 node), the others random ones
 * with a popularity skew.  Duplicate (user, rel, item) rows are possible and
 * are folded by both loaders (SUM here, OR IGNORE-equivalent unique index in
 * the peer would reject them, so the generator avoids them per user). */
static int generate(const char *path)
{
    static const char *const rels[] = {"bought", "viewed", "rated"};
    FILE *f = fopen(path, "w");
    size_t edges = 0;
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "src,rel,dst,weight,ts\n");
    for (int i = 0; i < N_ITEMS; i++) {
        fprintf(f, "i%d,has_brand,b%d,1,0\n", i, (int)(next_random() % N_BRANDS));
        fprintf(f, "i%d,in_category,c%d,1,0\n", i, (int)(next_random() % N_CATEGORIES));
        edges += 2;
    }
    /* user 0: 50 distinct items */
    for (int k = 0; k < 50; k++)
        fprintf(f, "u0,bought,i%d,1,%d\n", k * 997 % N_ITEMS, 1700000000 + k);
    edges += 50;
    int user = 1;
    while (edges < N_EDGES) {
        /* each user 1..19 events on distinct (rel, item) pairs */
        int events = 1 + (int)(next_random() % 19);
        int seen[20][2];
        for (int e = 0; e < events && edges < N_EDGES; e++) {
            uint64_t r = next_random();
            /* skew: square of a uniform favours low item ids */
            double x = (double)(r % 1000000) / 1e6;
            int item = (int)(x * x * N_ITEMS);
            int rel = (int)((r >> 32) % 3);
            int dup = 0;
            for (int j = 0; j < e; j++)
                dup |= seen[j][0] == item && seen[j][1] == rel;
            seen[e][0] = item;
            seen[e][1] = rel;
            if (dup)
                continue;
            fprintf(f, "u%d,%s,i%d,%d,%d\n", user, rels[rel], item, 1 + (int)((r >> 40) % 5),
                    1700000000 + (int)((r >> 20) % 10000000));
            edges++;
        }
        user = user % (N_USERS - 1) + 1;
    }
    fclose(f);
    return 0;
}

static const char *type_of(char c)
{
    switch (c) {
    case 'u': return "user";
    case 'i': return "item";
    case 'b': return "brand";
    default: return "category";
    }
}

/* The CSV's numbers are plain decimals: parsed here rather than by strtod. */
static double parse_number(const char *s)
{
    double value = 0, scale = 1;
    int negative = *s == '-';
    s += negative;
    for (; *s >= '0' && *s <= '9'; s++)
        value = value * 10 + (*s - '0');
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            value += (*s - '0') * (scale *= 0.1);
    return negative ? -value : value;
}

static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long size;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)size + 1);
    if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    if (data)
        data[size] = '\0';
    *len_out = (size_t)size;
    return data;
}

#define CHECK(call)                                                                   \
    do {                                                                              \
        int rc_ = (call);                                                             \
        if (rc_ != RS_OK) {                                                           \
            fprintf(stderr, "%s failed: %s (%s)\n", #call, rs_strerror(rc_), rs_errmsg()); \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Load the CSV into a fresh graph file: everything a user's load costs. */
static double load(const char *csv, const char *db, size_t *edges_out)
{
    double t0 = now(), c0 = (double)clock() / CLOCKS_PER_SEC;
    size_t len;
    char *data = read_file(csv, &len), *line, *end;
    rs_graph *g;
    char last_rel[64] = "";
    uint32_t rel = 0;
    if (!data) {
        perror(csv);
        exit(1);
    }
    remove(db);
    CHECK(rs_graph_open(db, RS_GRAPH_CREATE, &g));
    CHECK(rs_graph_bulk_begin(g));
    line = strchr(data, '\n') + 1; /* header */
    end = data + len;
    while (line < end) {
        char *fields[5], *p = line;
        int nf = 0;
        fields[nf++] = p;
        for (; p < end && *p != '\n'; p++)
            if (*p == ',') {
                *p = '\0';
                if (nf < 5)
                    fields[nf++] = p + 1;
            }
        *p = '\0';
        line = p + 1;
        if (nf != 5)
            continue;
        uint32_t src, dst;
        CHECK(rs_graph_add_node(g, type_of(fields[0][0]), fields[0], &src));
        CHECK(rs_graph_add_node(g, type_of(fields[2][0]), fields[2], &dst));
        if (strcmp(fields[1], last_rel) != 0) {
            CHECK(rs_graph_add_relation(g, fields[1], &rel));
            strncpy(last_rel, fields[1], sizeof last_rel - 1);
        }
        CHECK(rs_graph_add_edge(g, src, rel, dst, parse_number(fields[3]),
                                (int64_t)parse_number(fields[4]), RS_GRAPH_MERGE_SUM));
    }
    double t1 = now(), c1 = (double)clock() / CLOCKS_PER_SEC;
    CHECK(rs_graph_bulk_commit(g));
    double t2 = now(), c2 = (double)clock() / CLOCKS_PER_SEC;
    *edges_out = rs_graph_edge_count(g);
    rs_graph_close(g);
    free(data);
    printf("  parse + nodes + queue edges %.3f s (cpu %.3f), commit (sort, write, adjacency) "
           "%.3f s (cpu %.3f), close (checkpoint) %.3f s\n",
           t1 - t0, c1 - c0, t2 - t1, c2 - c1, now() - t2);
    return now() - t0;
}

static int query(const char *db)
{
    rs_graph *g;
    uint32_t start, *buf;
    size_t n = 0, cap = 1 << 20, sql_n = 0;
    double t0, open_s, mem[15], sql[15], both[15];
    sqlite3_stmt *st;
    int64_t start_rowid;

    t0 = now();
    CHECK(rs_graph_open(db, RS_GRAPH_READONLY, &g));
    open_s = now() - t0;
    CHECK(rs_graph_find_node(g, "user", "u0", &start));
    start_rowid = rs__graph_node_rowid(g, start);
    buf = malloc(cap * sizeof *buf);

    /* in memory: time batches of 200 queries, median of 15 batches */
    for (int r = 0; r < 15; r++) {
        t0 = now();
        for (int i = 0; i < 200; i++)
            CHECK(rs_graph_khop(g, start, 2, RS_GRAPH_OUT, NULL, buf, NULL, cap, &n));
        mem[r] = (now() - t0) / 200;
    }
    for (int r = 0; r < 15; r++) {
        size_t nb;
        t0 = now();
        for (int i = 0; i < 20; i++)
            CHECK(rs_graph_khop(g, start, 2, RS_GRAPH_BOTH, NULL, buf, NULL, cap, &nb));
        both[r] = (now() - t0) / 20;
    }
    size_t n_both;
    CHECK(rs_graph_khop(g, start, 2, RS_GRAPH_BOTH, NULL, buf, NULL, cap, &n_both));

    /* recursive SQL on the same file, same connection kind (prepared once) */
    if (sqlite3_prepare_v2(rs__graph_db(g),
                           "WITH RECURSIVE reach(node, depth) AS ("
                           " SELECT ?1, 0"
                           " UNION"
                           " SELECT e.dst, r.depth + 1 FROM reach AS r JOIN edges AS e"
                           " ON e.src = r.node WHERE r.depth < 2)"
                           " SELECT DISTINCT node FROM reach WHERE node != ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(rs__graph_db(g)));
        return 1;
    }
    for (int r = 0; r < 15; r++) {
        t0 = now();
        for (int i = 0; i < 20; i++) {
            sqlite3_bind_int64(st, 1, start_rowid);
            sql_n = 0;
            while (sqlite3_step(st) == SQLITE_ROW)
                sql_n++;
            sqlite3_reset(st);
        }
        sql[r] = (now() - t0) / 20;
    }
    sqlite3_finalize(st);
    double m = median(mem, 15), s = median(sql, 15);
    printf("graph open (read %zu edges, build adjacency): %.3f s\n", rs_graph_edge_count(g),
           open_s);
    printf("2-hop out of a degree-50 node: %zu nodes (SQL: %zu)\n", n, sql_n);
    printf("  in-memory khop:   %10.1f us (median of 15 x 200)\n", m * 1e6);
    printf("  recursive SQL:    %10.1f us (median of 15 x 20)\n", s * 1e6);
    printf("  speed-up: %.0fx (target >= 50x)%s\n", s / m, n == sql_n ? "" : "  RESULT SIZES DIFFER");
    printf("2-hop both directions (in memory only): %zu nodes, %.1f us\n", n_both,
           median(both, 15) * 1e6);
    rs_graph_close(g);
    free(buf);
    return n == sql_n ? 0 : 1;
}

int main(int argc, char **argv)
{
    printf("OpenBLAS core: %s\n", rs_blas_corename());
    if (argc == 3 && strcmp(argv[1], "gen") == 0)
        return generate(argv[2]);
    if (argc == 4 && strcmp(argv[1], "load") == 0) {
        size_t edges;
        struct stat sb;
        double s = load(argv[2], argv[3], &edges);
        stat(argv[3], &sb);
        printf("load: %zu edges in %.3f s; file %lld bytes, %.1f bytes per edge\n", edges, s,
               (long long)sb.st_size, (double)sb.st_size / (double)edges);
        printf("LOAD_SECONDS %.4f\n", s);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "query") == 0)
        return query(argv[2]);
    if (argc == 1) {
        char csv[256], db[256];
        size_t edges;
        const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(csv, sizeof csv, "%s/bench_graph_%d.csv", tmp, (int)getpid());
        snprintf(db, sizeof db, "%s/bench_graph_%d.db", tmp, (int)getpid());
        if (generate(csv) != 0)
            return 1;
        double s = load(csv, db, &edges);
        printf("load: %zu edges in %.3f s\n", edges, s);
        int rc = query(db);
        remove(csv);
        remove(db);
        return rc;
    }
    fprintf(stderr, "usage: bench_graph [gen CSV | load CSV DB | query DB]\n");
    return 2;
}
