/*
 * events.c - the event log (rs_events): keys, events added by hand or taken
 * from a graph's interaction edges, splits applied to it, and its TSV file.
 */
#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"
#include "eval/eval_internal.h"
#include "graph/graph_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const part_names[] = {"train", "test", "valid"};

int rs_events_create(rs_events **out)
{
    rs_events *ev;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_events_create: out is NULL");
    *out = NULL;
    if (!(ev = rs__calloc(1, sizeof *ev)))
        return rs_errcode();
    ev->users = rs__idmap_create();
    ev->items = rs__idmap_create();
    if (!ev->users || !ev->items) {
        rs_events_free(ev);
        return rs__fail(RS_ERR_NOMEM, "rs_events_create: out of memory");
    }
    *out = ev;
    return 0;
}

void rs_events_free(rs_events *ev)
{
    if (!ev)
        return;
    rs__idmap_free(ev->users);
    rs__idmap_free(ev->items);
    free(ev->user);
    free(ev->item);
    free(ev->time);
    free(ev->weight);
    free(ev->part);
    free(ev);
}

/* Make room for one more event in every array. */
static int reserve_one(rs_events *ev)
{
    size_t cap;
    if (ev->n < ev->cap)
        return 0;
    cap = ev->cap ? ev->cap * 2 : 256;
    uint32_t *user = rs__realloc_array(ev->user, cap, sizeof *user);
    if (!user)
        return rs_errcode();
    ev->user = user;
    uint32_t *item = rs__realloc_array(ev->item, cap, sizeof *item);
    if (!item)
        return rs_errcode();
    ev->item = item;
    int64_t *time = rs__realloc_array(ev->time, cap, sizeof *time);
    if (!time)
        return rs_errcode();
    ev->time = time;
    double *weight = rs__realloc_array(ev->weight, cap, sizeof *weight);
    if (!weight)
        return rs_errcode();
    ev->weight = weight;
    uint8_t *part = rs__realloc_array(ev->part, cap, sizeof *part);
    if (!part)
        return rs_errcode();
    ev->part = part;
    ev->cap = cap;
    return 0;
}

static int check_tsv_key(const char *key, const char *what, size_t *len_out)
{
    int status = rs__check_key(key, what, len_out);
    if (status != 0)
        return status;
    if (strpbrk(key, "\t\r\n"))
        return rs__fail(RS_ERR_INVALID, "%s \"%s\" holds a tab or a line break", what, key);
    return 0;
}

/* Append an event; part is trusted. */
static int add_event(rs_events *ev, const char *user, const char *item, int64_t time,
                     double weight, uint8_t part)
{
    size_t ulen, ilen;
    uint32_t u, i;
    bool u_new = false;
    int status;
    if ((status = check_tsv_key(user, "rs_events_add: user key", &ulen)) != 0 ||
        (status = check_tsv_key(item, "rs_events_add: item key", &ilen)) != 0)
        return status;
    if (!isfinite(weight))
        return rs__fail(RS_ERR_RANGE, "rs_events_add: weight %g of (%s, %s) is not finite",
                        weight, user, item);
    if ((status = reserve_one(ev)) != 0)
        return status;
    if ((status = rs__idmap_intern(ev->users, user, ulen, &u, &u_new)) != 0)
        return status;
    if ((status = rs__idmap_intern(ev->items, item, ilen, &i, NULL)) != 0) {
        if (u_new) /* leave the log as it was */
            rs__idmap_remove(ev->users, user, ulen);
        return status;
    }
    ev->user[ev->n] = u;
    ev->item[ev->n] = i;
    ev->time[ev->n] = time;
    ev->weight[ev->n] = weight;
    ev->part[ev->n] = part;
    ev->n++;
    return 0;
}

int rs_events_add(rs_events *ev, const char *user, const char *item, int64_t time,
                  double weight)
{
    if (!ev)
        return rs__fail(RS_ERR_INVALID, "rs_events_add: events is NULL");
    return add_event(ev, user, item, time, weight, RS_PART_TRAIN);
}

size_t rs_events_count(const rs_events *ev)
{
    return ev ? ev->n : 0;
}

size_t rs_events_part_count(const rs_events *ev, int part)
{
    size_t count = 0;
    if (!ev || part < RS_PART_TRAIN || part >= RS_PART_COUNT)
        return 0;
    for (size_t i = 0; i < ev->n; i++)
        count += ev->part[i] == part;
    return count;
}

int rs_events_get(const rs_events *ev, size_t index, const char **user_out,
                  const char **item_out, int64_t *time_out, double *weight_out, int *part_out)
{
    if (!ev)
        return rs__fail(RS_ERR_INVALID, "rs_events_get: events is NULL");
    if (index >= ev->n)
        return rs__fail(RS_ERR_NOTFOUND, "rs_events_get: index %zu is beyond the %zu events",
                        index, ev->n);
    if (user_out)
        *user_out = rs__idmap_key(ev->users, ev->user[index], NULL);
    if (item_out)
        *item_out = rs__idmap_key(ev->items, ev->item[index], NULL);
    if (time_out)
        *time_out = ev->time[index];
    if (weight_out)
        *weight_out = ev->weight[index];
    if (part_out)
        *part_out = ev->part[index];
    return 0;
}

int rs_events_reset(rs_events *ev)
{
    if (!ev)
        return rs__fail(RS_ERR_INVALID, "rs_events_reset: events is NULL");
    if (ev->n)
        memset(ev->part, RS_PART_TRAIN, ev->n);
    return 0;
}

int rs_events_split_random(rs_events *ev, double fraction, size_t min_history, uint64_t seed,
                           int part)
{
    if (!ev)
        return rs__fail(RS_ERR_INVALID, "rs_events_split_random: events is NULL");
    return rs_split_random(ev->user, ev->item, ev->n, fraction, min_history, seed, part,
                           ev->part);
}

int rs_events_split_temporal(rs_events *ev, int64_t cut, int part)
{
    if (!ev)
        return rs__fail(RS_ERR_INVALID, "rs_events_split_temporal: events is NULL");
    return rs_split_temporal(ev->time, ev->n, cut, part, ev->part);
}

int rs_events_split_last(rs_events *ev, size_t n_last, size_t min_history, int part)
{
    if (!ev)
        return rs__fail(RS_ERR_INVALID, "rs_events_split_last: events is NULL");
    return rs_split_last(ev->user, ev->item, ev->time, ev->n, n_last, min_history, part,
                         ev->part);
}

/* ------------------------------------------------------------ graph */

struct edge_ref {
    uint32_t item, relation;
};

static int cmp_edge_ref(const void *a, const void *b)
{
    const struct edge_ref *x = a, *y = b;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return (x->relation > y->relation) - (x->relation < y->relation);
}

int rs_events_from_graph(const rs_graph *g, const char *relation, rs_events **out)
{
    const char *fn = "rs_events_from_graph";
    rs__graph_csr adj;
    uint32_t rel = RS_GRAPH_ANY_RELATION, user_type, item_type;
    struct edge_ref *refs = NULL;
    size_t refs_cap = 0;
    rs_events *ev = NULL;
    int status;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if (relation && (status = rs_graph_find_relation(g, relation, &rel)) != 0)
        return rs__fail_context("%s: ", fn);
    if ((status = rs__graph_adjacency(g, RS_GRAPH_OUT, &adj)) != 0)
        return status;
    if ((status = rs_events_create(&ev)) != 0)
        return status;
    user_type = rs__graph_type_find(g, "user");
    item_type = rs__graph_type_find(g, "item");
    for (size_t u = 0; u < adj.nodes && user_type != UINT32_MAX && item_type != UINT32_MAX;
         u++) {
        size_t m = 0;
        const char *ukey;
        if (rs__graph_node_type(g, (uint32_t)u) != user_type || adj.degree[u] == 0)
            continue;
        if ((status = rs__grow((void **)&refs, &refs_cap, adj.degree[u], sizeof *refs)) != 0)
            goto fail;
        for (size_t s = adj.start[u]; s < (size_t)adj.start[u] + adj.degree[u]; s++) {
            if (rs__graph_node_type(g, adj.target[s]) != item_type)
                continue;
            if (rel != RS_GRAPH_ANY_RELATION && adj.relation[s] != rel)
                continue;
            refs[m++] = (struct edge_ref){adj.target[s], adj.relation[s]};
        }
        qsort(refs, m, sizeof *refs, cmp_edge_ref);
        if ((status = rs_graph_node_key(g, (uint32_t)u, NULL, &ukey)) != 0)
            goto fail;
        for (size_t r = 0; r < m; r++) {
            const char *ikey;
            double weight;
            int64_t ts;
            if ((status = rs_graph_node_key(g, refs[r].item, NULL, &ikey)) != 0 ||
                (status = rs_graph_get_edge(g, (uint32_t)u, refs[r].relation, refs[r].item,
                                            &weight, &ts)) != 0 ||
                (status = add_event(ev, ukey, ikey, ts, weight, RS_PART_TRAIN)) != 0)
                goto fail;
        }
    }
    free(refs);
    *out = ev;
    return 0;
fail:
    free(refs);
    rs_events_free(ev);
    return rs__fail_context("%s: ", fn);
}

/* ------------------------------------------------------------ files */

int rs_events_write(const rs_events *ev, const char *path)
{
    const char *fn = "rs_events_write";
    FILE *f;
    int failed;
    if (!ev || !path || !*path)
        return rs__fail(RS_ERR_INVALID, "%s: NULL or empty argument", fn);
    if (!(f = fopen(path, "w")))
        return rs__fail(RS_ERR_IO, "%s: cannot create %s: %s", fn, path, strerror(errno));
    fputs("user\titem\ttime\tweight\tpart\n", f);
    for (size_t i = 0; i < ev->n; i++)
        fprintf(f, "%s\t%s\t%" PRId64 "\t%.17g\t%s\n", rs__idmap_key(ev->users, ev->user[i], NULL),
                rs__idmap_key(ev->items, ev->item[i], NULL), ev->time[i], ev->weight[i],
                part_names[ev->part[i]]);
    failed = ferror(f);
    if (fclose(f) != 0 || failed)
        return rs__fail(RS_ERR_IO, "%s: writing %s failed: %s", fn, path, strerror(errno));
    return 0;
}

/* The index of an optional column, or SIZE_MAX. */
static size_t optional_column(rs_reader *r, const char *name)
{
    size_t index;
    for (size_t c = 0; c < rs_reader_column_count(r); c++) {
        const char *col = rs_reader_column_name(r, c);
        if (col && strcmp(col, name) == 0 && rs_reader_column(r, name, &index) == 0)
            return index;
    }
    return SIZE_MAX;
}

int rs_events_read(const char *path, rs_events **out)
{
    const char *fn = "rs_events_read";
    rs_reader *r = NULL;
    rs_events *ev = NULL;
    size_t cu, ci, ct, cw, cp;
    int status;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!path || !*path)
        return rs__fail(RS_ERR_INVALID, "%s: path is NULL or empty", fn);
    if ((status = rs_reader_open(path, RS_FORMAT_TSV, &r)) != 0)
        return status;
    if ((status = rs_reader_column(r, "user", &cu)) != 0 ||
        (status = rs_reader_column(r, "item", &ci)) != 0)
        goto fail;
    ct = optional_column(r, "time");
    cw = optional_column(r, "weight");
    cp = optional_column(r, "part");
    if ((status = rs_events_create(&ev)) != 0)
        goto fail;
    while ((status = rs_reader_next(r)) == 1) {
        int64_t time = 0;
        double weight = 1.0;
        uint8_t part = RS_PART_TRAIN;
        if (ct != SIZE_MAX && (status = rs_reader_int64(r, ct, &time)) != 0)
            goto fail;
        if (cw != SIZE_MAX && (status = rs_reader_double(r, cw, &weight)) != 0)
            goto fail;
        if (cp != SIZE_MAX) {
            const char *p = rs_reader_field(r, cp, NULL);
            for (part = 0; part < RS_PART_COUNT; part++)
                if (strcmp(p, part_names[part]) == 0)
                    break;
            if (part >= RS_PART_COUNT) {
                status = rs__fail(RS_ERR_PARSE, "%s:%" PRIu64 ": part \"%s\" is not train, "
                                  "test or valid", rs_reader_name(r), rs_reader_line(r), p);
                goto fail;
            }
        }
        if ((status = add_event(ev, rs_reader_field(r, cu, NULL), rs_reader_field(r, ci, NULL),
                                time, weight, part)) != 0) {
            rs__fail_context("%s:%" PRIu64 ": ", rs_reader_name(r), rs_reader_line(r));
            goto fail;
        }
    }
    if (status < 0)
        goto fail;
    rs_reader_close(r);
    *out = ev;
    return 0;
fail:
    rs_reader_close(r);
    rs_events_free(ev);
    return status < 0 ? status : rs_errcode();
}
