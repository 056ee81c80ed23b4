/*
 * fuzz_blob.c - libFuzzer harness: every loader that parses bytes of a
 * model file, each fed the fuzz input in place of its stored bytes.
 *
 * Set-up (once per process): a scratch copy of the seed model, opened for
 * writing, with a graph operator saved into it.  Each input then runs in
 * a savepoint that is rolled back: its payload replaces one stored value,
 * with the value's checksum recomputed (a random checksum would stop every
 * input at the first check), and the loader of that value runs and, when
 * it accepts the bytes, its result is used.
 *
 * Input: one target byte (mod T_COUNT), one row byte (which stored row,
 * for the tables of one row per item or user), then the payload.
 *
 * RS_FUZZ_WRITE_SEEDS=DIR: write one seed input per target, made of the
 * stored values of the seed model (and collaborative models of every kind
 * fitted on it), to DIR and exit.
 */
#include "fuzz_util.h"

#include <math.h>
#include <sqlite3.h>
#include <xxhash.h>

#include "graph/graph_internal.h"
#include "learn/cf_internal.h"
#include "model/model_internal.h"

enum target {
    T_CF,             /* meta "cf.model:recsim", trailing XXH3 */
    T_EMB_CONFIG,     /* meta "embedder.config", text with a checksum line */
    T_EMB_STOPWORDS,  /* meta "embedder.stopwords", NUL-ended words */
    T_EMB_IDF,        /* meta "embedder.idf", trailing XXH3 */
    T_EMB_VECTORS,    /* meta "embedder.vectors", trailing XXH3 */
    T_ITEM_VECTOR,    /* node_vectors.data of one item, checksum column */
    T_ITEM_DIM,       /* meta "item_store.dim:recsim", text */
    T_USER_HEADER,    /* user_models.header, checksum column */
    T_USER_ROW,       /* user_vectors.data of one user, checksum column */
    T_OPERATOR,       /* meta "scorer.operator", trailing XXH3 */
    T_OPTIONS,        /* meta "model.options", magic + hex checksum line */
    T_WORDVEC_TEXT,   /* a word2vec text file (rs_embedder_load_vectors) */
    T_WORDVEC_BINARY, /* a word2vec binary file */
    T_COUNT
};

#define OPTIONS_HEAD "recsim-options 1 "

static char model_path[512], vec_path[512];
static rs_graph *graph;
static sqlite3 *db;
static rs_item_store *store;
static rs_user_model *users;
static rs_scorer *scorer;

/* RS_FUZZ_VERBOSE=1: print what each loader said (to see a seed load) */
static int verbose;

static int said(const char *what, int rc)
{
    if (verbose)
        fprintf(stderr, "%s: %s%s%s\n", what, rs_strerror(rc), rc ? ": " : "",
                rc ? rs_errmsg() : "");
    return rc;
}

static void sql(const char *statement)
{
    if (sqlite3_exec(db, statement, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", statement, sqlite3_errmsg(db));
        abort();
    }
}

/* ------------------------------------------------------------ storing */

static void put_meta(const char *key, const void *value, size_t len)
{
    if (rs__graph_meta_set(graph, key, value, len) != RS_OK)
        fuzz_die("writing meta");
}

/* payload + its XXH3 as a little-endian u64 */
static void put_meta_summed(const char *key, const uint8_t *p, size_t n)
{
    unsigned char *buf = malloc(n + 8);
    uint64_t sum = XXH3_64bits(p, n);
    if (!buf)
        return;
    memcpy(buf, p, n);
    for (int i = 0; i < 8; i++)
        buf[n + (size_t)i] = (unsigned char)(sum >> (8 * i));
    put_meta(key, buf, n + 8);
    free(buf);
}

static void put_config(const uint8_t *p, size_t n)
{
    char *buf = malloc(n + 40);
    size_t len = n;
    if (!buf)
        return;
    memcpy(buf, p, n);
    if (!memmem(p, n, "checksum=", 9))
        len += (size_t)sprintf(buf + n, "checksum=%016llx\n",
                               (unsigned long long)XXH3_64bits(p, n));
    put_meta("embedder.config", buf, len);
    free(buf);
}

static void put_options(const uint8_t *p, size_t n)
{
    size_t head = strlen(OPTIONS_HEAD) + 17;
    char *buf = malloc(n + head + 1);
    if (!buf)
        return;
    sprintf(buf, "%s%016llx\n", OPTIONS_HEAD, (unsigned long long)XXH3_64bits(p, n));
    memcpy(buf + head, p, n);
    put_meta("model.options", buf, n + head);
    free(buf);
}

/* One row's blob column and its checksum column. */
static void put_row(const char *table, const char *where, unsigned row, const uint8_t *p,
                    size_t n)
{
    char text[512];
    sqlite3_stmt *st = NULL;
    uint64_t sum = XXH3_64bits(p, n);
    snprintf(text, sizeof text,
             "UPDATE %s SET data = ?1, checksum = ?2 WHERE rowid ="
             " (SELECT rowid FROM %s WHERE %s ORDER BY rowid LIMIT 1 OFFSET ?3)",
             table, table, where);
    if (sqlite3_prepare_v2(db, text, -1, &st, NULL) != SQLITE_OK)
        fuzz_die(sqlite3_errmsg(db));
    sqlite3_bind_blob(st, 1, n ? (const void *)p : "", (int)n, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)sum);
    sqlite3_bind_int(st, 3, (int)row);
    if (sqlite3_step(st) != SQLITE_DONE)
        fuzz_die(sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

static void put_user_header(const uint8_t *p, size_t n)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "UPDATE user_models SET header = ?1, checksum = ?2"
                           " WHERE name = 'recsim'", -1, &st, NULL) != SQLITE_OK)
        fuzz_die(sqlite3_errmsg(db));
    sqlite3_bind_blob(st, 1, n ? (const void *)p : "", (int)n, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)XXH3_64bits(p, n));
    if (sqlite3_step(st) != SQLITE_DONE)
        fuzz_die(sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

/* ------------------------------------------------------------ using */

static void use_cf(const rs_cf_model *m)
{
    size_t n = rs_cf_model_items(m);
    uint32_t items[2] = {0, 1};
    float weights[2] = {1, 2}, *scores;
    if (n < 2 || n > 100000 || !(scores = malloc(n * sizeof *scores)))
        return;
    if (rs_cf_model_score(m, items, weights, 2, scores, n) == RS_OK)
        for (size_t i = 0; i < n; i++)
            if (isnan(scores[i]))
                abort(); /* a loaded model scores finite numbers */
    free(scores);
}

static void load_cf(void)
{
    rs_cf_model *m = NULL;
    if (said("cf", rs_cf_model_load(graph, "recsim", &m)) == RS_OK)
        use_cf(m);
    rs_cf_model_free(m);
    m = NULL;
    if (said("cf rows", rs__cf_model_load_rows(graph, "recsim", &m)) == RS_OK) /* read-only opens */
        use_cf(m);
    rs_cf_model_free(m);
}

static void use_embedder(const rs_embedder *e)
{
    size_t dim = rs_embedder_dim(e);
    float *v;
    if (dim == 0 || dim > 65536 || !(v = malloc(dim * sizeof *v)))
        return;
    rs_embedder_embed(e, "metal lantern with 12 candles", v, dim);
    free(v);
}

static void load_embedder(void)
{
    rs_embedder *e = NULL;
    if (said("embedder", rs_embedder_load(graph, NULL, NULL, &e)) == RS_OK)
        use_embedder(e);
    rs_embedder_free(e);
}

static void load_items(void)
{
    rs_item_store *s = NULL;
    if (said("items", rs_item_store_load(graph, "recsim", &s)) == RS_OK && rs_item_store_count(s) > 0) {
        size_t dim = rs_item_store_dim(s);
        float *q = calloc(dim ? dim : 1, sizeof *q);
        if (q && rs_item_store_get(s, "i03", q, dim) == RS_OK) {
            uint32_t ids[3];
            float scores[3];
            size_t n = 0;
            rs_item_store_search(s, q, 1, dim, 3, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0, ids,
                                 scores, &n);
        }
        free(q);
    }
    rs_item_store_free(s);
}

static void load_users(void)
{
    rs_user_model *u = NULL;
    if (said("users", rs_user_model_load(graph, "recsim", store, &u)) == RS_OK) {
        float v[64];
        uint32_t items[64];
        float w[64];
        size_t n = 0, dim = rs_item_store_dim(store);
        if (dim <= 64)
            rs_user_model_interest(u, "u00", v, dim);
        rs_user_model_history(u, "u01", items, w, 64, &n);
    }
    rs_user_model_free(u);
}

static void load_operator(void)
{
    if (said("operator", rs_scorer_load_operator(scorer, graph)) == RS_OK) {
        uint32_t items[5];
        float scores[5];
        size_t n = 0;
        rs_scorer_recommend(scorer, "u00", 5, items, scores, &n);
        rs_scorer_recommend(scorer, "u07", 5, items, scores, &n);
    }
}

static void load_options(void)
{
    struct rs__model_options o;
    rs__model_options_init(&o);
    said("options", rs__model_options_load(&o, graph));
    rs__model_options_free(&o);
}

static void load_wordvec(const uint8_t *p, size_t n, int format)
{
    rs_embedder *e = NULL;
    if (fuzz_write_file(vec_path, p, n) != 0)
        return;
    if (said("vectors", rs_embedder_load_vectors(vec_path, format, 1000, &e)) == RS_OK)
        use_embedder(e);
    rs_embedder_free(e);
}

/* ------------------------------------------------------------ set-up */

static void write_seed(int target, const char *name, const void *p, size_t n)
{
    unsigned char *buf = malloc(n + 2);
    char file[64];
    if (!buf)
        fuzz_die("seed");
    buf[0] = (unsigned char)target, buf[1] = 0;
    memcpy(buf + 2, p, n);
    snprintf(file, sizeof file, "seed-%02d-%s", target, name);
    for (char *c = file; *c; c++)
        if (*c == ':' || *c == '.')
            *c = '-';
    fuzz_write_seed(file, buf, n + 2);
    free(buf);
}

/* A stored meta value as a seed, its trailing checksum (of `trim` bytes)
 * or checksum line dropped. */
static void seed_meta(int target, const char *key, size_t trim)
{
    void *v = NULL;
    size_t n = 0;
    if (rs__graph_meta_get(graph, key, &v, &n) != RS_OK)
        fuzz_die(key);
    if (target == T_EMB_CONFIG) {
        char *line = memmem(v, n, "checksum=", 9);
        if (line)
            n = (size_t)(line - (char *)v);
    }
    write_seed(target, key, v, n >= trim ? n - trim : n);
    free(v);
}

static void seed_row(int target, const char *query)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK)
        fuzz_die(sqlite3_errmsg(db));
    if (sqlite3_step(st) != SQLITE_ROW)
        fuzz_die(query);
    write_seed(target, "row", sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
    sqlite3_finalize(st);
}

static void write_seeds(void)
{
    static const struct { int kind; const char *name; } kinds[] = {
        {RS_CF_ALS, "als"}, {RS_CF_ITEMKNN, "knn"}, {RS_CF_RP3BETA, "rp3"}};
    static const char vec_text[] = "3 4\nmetal 0.1 0.2 0.3 0.4\nlantern -1 0 1e-3 2\n"
                                   "tote 1 1 1 1\n";
    const char *vec_binary_head = "2 2\n";
    unsigned char bin[64];
    size_t at;
    float f[2] = {0.5f, -0.25f};
    seed_meta(T_CF, "cf.model:recsim", 8);
    seed_meta(T_EMB_CONFIG, "embedder.config", 0);
    seed_meta(T_EMB_IDF, "embedder.idf", 8);
    seed_meta(T_ITEM_DIM, "item_store.dim:recsim", 0);
    seed_meta(T_OPERATOR, "scorer.operator", 8);
    {
        void *v = NULL;
        size_t n = 0, head = strlen(OPTIONS_HEAD) + 17;
        if (rs__graph_meta_get(graph, "model.options", &v, &n) != RS_OK || n < head)
            fuzz_die("options");
        write_seed(T_OPTIONS, "options", (char *)v + head, n - head);
        free(v);
    }
    seed_row(T_ITEM_VECTOR, "SELECT data FROM node_vectors ORDER BY rowid LIMIT 1");
    seed_row(T_USER_HEADER, "SELECT header FROM user_models");
    seed_row(T_USER_ROW, "SELECT data FROM user_vectors ORDER BY rowid LIMIT 1 OFFSET 3");
    /* embedder blobs the seed model has none of: a stop-word list and
     * word vectors, saved from embedders that have them */
    {
        static const char *const texts[] = {"metal lantern", "tote bag", "tea mug"};
        rs_embedder *e = NULL;
        if (rs_embedder_create_hashing(&e) != RS_OK ||
            rs_embedder_set_int(e, RS_EMBEDDER_DIM, 8) != RS_OK ||
            rs_embedder_add_stopword(e, "metal") != RS_OK ||
            rs_embedder_add_stopword(e, "tote") != RS_OK || rs_embedder_fit(e, texts, 3) != RS_OK ||
            rs_embedder_save(e, graph) != RS_OK)
            fuzz_die("stop words");
        rs_embedder_free(e);
        seed_meta(T_EMB_STOPWORDS, "embedder.stopwords", 0);
        if (fuzz_write_file(vec_path, vec_text, sizeof vec_text - 1) != 0 ||
            rs_embedder_load_vectors(vec_path, RS_VECTORS_TEXT, 0, &e) != RS_OK ||
            rs_embedder_save(e, graph) != RS_OK)
            fuzz_die("word vectors");
        rs_embedder_free(e);
        seed_meta(T_EMB_VECTORS, "embedder.vectors", 8);
    }
    write_seed(T_WORDVEC_TEXT, "vec", vec_text, sizeof vec_text - 1);
    at = strlen(vec_binary_head);
    memcpy(bin, vec_binary_head, at);
    memcpy(bin + at, "metal ", 6), at += 6;
    memcpy(bin + at, f, 8), at += 8;
    memcpy(bin + at, "tote ", 5), at += 5;
    memcpy(bin + at, f, 8), at += 8;
    write_seed(T_WORDVEC_BINARY, "bin", bin, at);
    /* the collaborative model of other kinds (the build fitted EASE) */
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        rs_cf_matrix *mx = NULL;
        rs_cf_model *m = NULL;
        char name[32];
        uint32_t rel = 0;
        if (rs_graph_find_relation(graph, "bought", &rel) != RS_OK ||
            rs_cf_matrix_from_graph(graph, "user", "item", &rel, NULL, 1, &mx) != RS_OK ||
            rs_cf_model_create(kinds[k].kind, &m) != RS_OK ||
            (kinds[k].kind == RS_CF_ALS && rs_cf_model_set_int(m, RS_CF_FACTORS, 4) != RS_OK) ||
            rs_cf_model_fit(m, mx) != RS_OK || rs_cf_model_save(m, graph, "recsim") != RS_OK)
            fuzz_die("fitting a collaborative model");
        snprintf(name, sizeof name, "cf-%s", kinds[k].name);
        rs_cf_matrix_free(mx);
        rs_cf_model_free(m);
        {
            void *v = NULL;
            size_t n = 0;
            if (rs__graph_meta_get(graph, "cf.model:recsim", &v, &n) != RS_OK || n < 8)
                fuzz_die("cf blob");
            write_seed(T_CF, name, v, n - 8);
            free(v);
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    verbose = getenv("RS_FUZZ_VERBOSE") != NULL;
    fuzz_scratch(model_path, sizeof model_path, "blob.rsm");
    fuzz_scratch(vec_path, sizeof vec_path, "vectors");
    fuzz_copy_seed(model_path);
    if (rs_graph_open(model_path, 0, &graph) != RS_OK)
        fuzz_die("opening the scratch model");
    db = rs__graph_db(graph);
    if (rs_item_store_load(graph, "recsim", &store) != RS_OK ||
        rs_user_model_load(graph, "recsim", store, &users) != RS_OK ||
        rs_scorer_create(graph, store, users, &scorer) != RS_OK ||
        rs_scorer_set_int(scorer, RS_SCORER_GRAPH_OPERATOR, 1) != RS_OK ||
        rs_scorer_save_operator(scorer, graph) != RS_OK)
        fuzz_die("loading the seed model");
    if (fuzz_seed_dir()) {
        write_seeds();
        exit(0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p;
    size_t n;
    unsigned row;
    if (size < 2)
        return 0;
    row = data[1];
    p = data + 2, n = size - 2;
    sql("SAVEPOINT fuzz");
    switch (data[0] % T_COUNT) {
    case T_CF: put_meta_summed("cf.model:recsim", p, n), load_cf(); break;
    case T_EMB_CONFIG: put_config(p, n), load_embedder(); break;
    case T_EMB_STOPWORDS: put_meta("embedder.stopwords", p, n), load_embedder(); break;
    case T_EMB_IDF: put_meta_summed("embedder.idf", p, n), load_embedder(); break;
    case T_EMB_VECTORS: put_meta_summed("embedder.vectors", p, n), load_embedder(); break;
    case T_ITEM_VECTOR: put_row("node_vectors", "space = 'recsim'", row % 32, p, n), load_items(); break;
    case T_ITEM_DIM: put_meta("item_store.dim:recsim", p, n), load_items(); break;
    case T_USER_HEADER: put_user_header(p, n), load_users(); break;
    case T_USER_ROW: put_row("user_vectors", "model = 'recsim'", row % 48, p, n), load_users(); break;
    case T_OPERATOR: put_meta_summed("scorer.operator", p, n), load_operator(); break;
    case T_OPTIONS: put_options(p, n), load_options(); break;
    case T_WORDVEC_TEXT: load_wordvec(p, n, RS_VECTORS_TEXT); break;
    case T_WORDVEC_BINARY: load_wordvec(p, n, RS_VECTORS_BINARY); break;
    }
    sql("ROLLBACK TO fuzz");
    sql("RELEASE fuzz");
    rs_clear_error();
    return 0;
}
