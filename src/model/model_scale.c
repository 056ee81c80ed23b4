/*
 * model_scale.c - what a build does differently on a large log or catalogue
 * (issue 20): the selection is skipped above build.tune_max_events events
 * (it fits some sixty candidates on two windows: hours there), and a
 * catalogue above cf.max_items, which the dense kinds refuse (their item x
 * item matrix is n^2 floats), gets item-kNN with sparse neighbours unless
 * the caller chose the kind.  Each choice is said in the selection report.
 */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/error.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kinds whose fit holds a dense item x item matrix (RS_CF_MAX_ITEMS). */
static bool dense_kind(int kind)
{
    return kind == RS_CF_EASE || kind == RS_CF_EDLAE || kind == RS_CF_GFCF ||
           kind == RS_CF_EASE_PAIRS;
}

bool rs__model_scale_skip_tune(const rs_model *m, char *why, size_t cap)
{
    size_t events = rs_graph_edge_count(m->graph);
    int64_t limit = rs__model_opt_int(&m->options, "build.tune_max_events");
    if (limit <= 0 || events <= (uint64_t)limit)
        return false;
    snprintf(why, cap,
             "the graph has %zu edges, above build.tune_max_events = %lld: the selection "
             "would fit every candidate on it; the options as set are used",
             events, (long long)limit);
    return true;
}

int rs__model_scale_cf(const rs_model *m, struct rs__model_options *chosen, char *note,
                       size_t cap)
{
    size_t items = 0;
    int64_t limit = rs__model_opt_int(chosen, "cf.max_items");
    int kind = rs__model_options_cf_kind(chosen), s;
    note[0] = '\0';
    if (!dense_kind(kind) || rs__model_options_explicit(&m->options, "build.cf"))
        return RS_OK; /* a scalable kind, or the caller's (which fails if too large) */
    if ((s = rs_graph_node_count(m->graph, "item", &items)) != RS_OK) {
        if (s != RS_ERR_NOTFOUND) /* no item type: the fit says so */
            return s;
        rs_clear_error();
        return RS_OK;
    }
    if (items <= (uint64_t)limit)
        return RS_OK;
    if ((s = rs__model_options_set(chosen, "build.cf", "knn")) != RS_OK)
        return s;
    snprintf(note, cap,
             "knn: the catalogue has %zu items, above cf.max_items = %lld for %s "
             "(a dense item x item matrix); item-kNN keeps sparse neighbours",
             items, (long long)limit, kind == RS_CF_EASE ? "EASE" : "a dense kind");
    return RS_OK;
}

/* The report of a build without selection: why it was skipped, and the
 * collaborative kind chosen for the catalogue's size. */
static int scale_report(const char *skipped, const char *cf_note, char **report_out)
{
    json_t *report = json_object();
    char *text = NULL;
    bool failed = !report;
    if (!failed && skipped && skipped[0])
        failed |= json_object_set_new(report, "split", json_string("none")) != 0 ||
                  json_object_set_new(report, "skipped", json_string(skipped)) != 0;
    if (!failed && cf_note && cf_note[0])
        failed |= json_object_set_new(report, "scaled_cf", json_string(cf_note)) != 0;
    if (!failed && (!(text = json_dumps(report, JSON_COMPACT)) ||
                    !(*report_out = rs__strdup(text))))
        failed = true;
    free(text);
    json_decref(report);
    return failed ? rs__fail(RS_ERR_NOMEM, "building: out of memory for the report") : RS_OK;
}

int rs__model_scale_untuned(const rs_model *m, const char *why, struct rs__model_options *chosen,
                            char **report_out)
{
    char note[320];
    int s;
    *report_out = NULL;
    if ((s = rs__model_options_copy(chosen, &m->options)) != RS_OK)
        return s;
    s = rs__model_scale_cf(m, chosen, note, sizeof note);
    if (s == RS_OK && ((why && why[0]) || note[0]))
        s = scale_report(why, note, report_out);
    if (s != RS_OK)
        rs__model_options_free(chosen);
    return s;
}
