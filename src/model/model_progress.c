/*
 * model_progress.c - the reports of rs_model_build and rs_model_evaluate to
 * rs_model_set_progress's listener: one stage at a time, done never going
 * back and never above total, at most one report every REPORT_GAP seconds
 * within a stage (the listener may draw on a terminal: the work must not
 * wait on it), its first and last always.
 */
#include "model/model_internal.h"

#include <time.h>

#define REPORT_GAP 0.05 /* seconds: a CLI redraws four times a second */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(struct rs__progress *p)
{
    p->last = now_seconds();
    p->fn(p->data, p->stage, p->done, p->total);
}

void rs__progress_init(struct rs__progress *p, const rs_model *m)
{
    p->fn = m ? m->progress : NULL;
    p->data = m ? m->progress_data : NULL;
    p->stage = NULL;
    p->done = p->total = 0;
    p->last = 0;
}

void rs__progress_stage(struct rs__progress *p, const char *stage, uint64_t total)
{
    if (!p || !p->fn)
        return;
    p->stage = stage;
    p->done = 0;
    p->total = total;
    report(p);
}

void rs__progress_set(struct rs__progress *p, uint64_t done)
{
    if (!p || !p->fn || !p->stage || done <= p->done)
        return;
    p->done = done < p->total ? done : p->total;
    if (p->done == p->total || now_seconds() - p->last >= REPORT_GAP)
        report(p);
}

void rs__progress_step(struct rs__progress *p)
{
    if (!p || !p->fn || !p->stage)
        return;
    /* an estimated total: more work than estimated raises it, so that the
     * stage looks finished only when rs__progress_end says it is */
    if (p->done + 1 >= p->total)
        p->total = p->done + 2;
    rs__progress_set(p, p->done + 1);
}

void rs__progress_end(struct rs__progress *p)
{
    if (!p || !p->fn || !p->stage)
        return;
    if (p->done < p->total) { /* else the last report said done == total */
        p->done = p->total;
        report(p);
    }
    p->stage = NULL;
}
