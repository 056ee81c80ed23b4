/*
 * cli_progress.c - progress of long work on stderr: a line redrawn on a
 * terminal, JSON lines for machines, a summary line otherwise (cli.h).
 *
 * A thread of its own redraws four times a second, so that a slow work
 * item (a simulated step, a chunk of users) does not freeze the line and
 * the work itself only stores a count.
 */
#include "cli.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS 250000000L /* four redraws a second */
#define BAR_WIDTH 30

int cli_progress_mode = CLI_PROGRESS_AUTO;

struct cli_progress_state {
    const char *label, *unit; /* unit NULL: nothing counted, elapsed time only */
    atomic_size_t total, done;
    double started;
    bool json;               /* else a terminal line (or a summary only) */
    bool summary_only;       /* not a terminal: nothing until the end */
    int width;               /* of the widest line drawn, to erase it */
    pthread_t ticker;
    bool ticking, stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

int cli_progress_set_mode(const char *value)
{
    if (strcmp(value, "auto") == 0)
        cli_progress_mode = CLI_PROGRESS_AUTO;
    else if (strcmp(value, "json") == 0)
        cli_progress_mode = CLI_PROGRESS_JSON;
    else if (strcmp(value, "none") == 0)
        cli_progress_mode = CLI_PROGRESS_NONE;
    else
        return CLI_USAGE;
    return CLI_OK;
}

/* One JSON line: the state now, final or not. */
static void emit_json(struct cli_progress_state *st, size_t done, bool final)
{
    size_t total = atomic_load(&st->total);
    double elapsed = cli_now() - st->started, rate = elapsed > 0 ? (double)done / elapsed : 0;
    json_t *line = json_pack("{s:s, s:f, s:b}", "progress", st->label, "elapsed_s", elapsed,
                             "final", final);
    char *text;
    if (line && st->unit) {
        json_object_set_new(line, "unit", json_string(st->unit));
        json_object_set_new(line, "done", json_integer((json_int_t)done));
        json_object_set_new(line, "rate", json_real(rate));
        if (total) {
            json_object_set_new(line, "total", json_integer((json_int_t)total));
            /* null while nothing is done: no rate to tell the time left */
            json_object_set_new(line, "eta_s",
                                done >= total ? json_real(0.0)
                                : rate > 0    ? json_real((double)(total - done) / rate)
                                              : json_null());
        }
    }
    text = line ? json_dumps(line, JSON_PRESERVE_ORDER | JSON_COMPACT |
                                       JSON_REAL_PRECISION(6))
                : NULL;
    if (text)
        fprintf(stderr, "%s\n", text);
    fflush(stderr);
    free(text);
    json_decref(line);
}

/* The terminal line, drawn over the previous one. */
static void draw_line(struct cli_progress_state *st, size_t done)
{
    size_t total = atomic_load(&st->total);
    double elapsed = cli_now() - st->started, rate = elapsed > 0 ? (double)done / elapsed : 0;
    int n;
    if (!st->unit) {
        n = fprintf(stderr, "\r%s ... %.1f s", st->label, elapsed);
    } else if (total) {
        double fraction = (double)(done < total ? done : total) / (double)total;
        int filled = (int)(fraction * BAR_WIDTH + 0.5);
        double eta = rate > 0 ? (double)(total - (done < total ? done : total)) / rate : 0;
        /* a slow rate keeps a decimal: 0.4 steps/s is not "0/s" */
        char eta_text[24] = "   ?"; /* nothing done yet: no rate to tell */
        if (rate > 0 || done >= total)
            snprintf(eta_text, sizeof eta_text, "%4.0f", eta);
        n = fprintf(stderr, "\r%-12s [%.*s%*s] %5.1f%% %10.*f %s/s  ETA %ss", st->label,
                    filled, "##############################", BAR_WIDTH - filled, "",
                    fraction * 100.0, rate < 100 ? 1 : 0, rate, st->unit, eta_text);
    } else {
        n = fprintf(stderr, "\r%-12s %zu %s  %10.*f %s/s", st->label, done, st->unit,
                    rate < 100 ? 1 : 0, rate, st->unit);
    }
    if (n > st->width)
        st->width = n;
    fflush(stderr);
}

static void *ticker_main(void *arg)
{
    struct cli_progress_state *st = arg;
    pthread_mutex_lock(&st->lock);
    while (!st->stop) {
        struct timespec until;
        size_t done = atomic_load(&st->done);
        if (st->json)
            emit_json(st, done, false);
        else
            draw_line(st, done);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += TICK_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!st->stop && pthread_cond_timedwait(&st->wake, &st->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

static struct cli_progress_state *state_start(const char *label, const char *unit, size_t total)
{
    struct cli_progress_state *st;
    bool tty = isatty(STDERR_FILENO);
    if (cli_progress_mode == CLI_PROGRESS_NONE ||
        (cli_quiet && cli_progress_mode != CLI_PROGRESS_JSON) || !(st = calloc(1, sizeof *st)))
        return NULL;
    st->label = label;
    st->unit = unit;
    atomic_init(&st->total, total);
    atomic_init(&st->done, 0);
    st->started = cli_now();
    st->json = cli_progress_mode == CLI_PROGRESS_JSON;
    st->summary_only = !st->json && !tty;
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->wake, NULL);
    if (!st->summary_only)
        st->ticking = pthread_create(&st->ticker, NULL, ticker_main, st) == 0;
    return st;
}

/* Stop the thread, then the last word: a final line, a summary, or none. */
static void state_finish(struct cli_progress_state *st, size_t done, bool ok)
{
    double elapsed;
    if (!st)
        return;
    if (st->ticking) {
        pthread_mutex_lock(&st->lock);
        st->stop = true;
        pthread_cond_signal(&st->wake);
        pthread_mutex_unlock(&st->lock);
        pthread_join(st->ticker, NULL);
    }
    elapsed = cli_now() - st->started;
    if (st->json) {
        emit_json(st, done, true);
    } else {
        if (!st->summary_only)
            fprintf(stderr, "\r%*s\r", st->width, ""); /* the line erased */
        if (ok && st->unit)
            fprintf(stderr, "%s: %zu %s in %.1f s, %.*f %s/s\n", st->label, done, st->unit,
                    elapsed, elapsed > 0 && (double)done / elapsed < 100 ? 1 : 0,
                    elapsed > 0 ? (double)done / elapsed : 0.0, st->unit);
        else if (ok)
            fprintf(stderr, "%s: %.1f s\n", st->label, elapsed);
        fflush(stderr);
    }
    pthread_cond_destroy(&st->wake);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

void cli_progress_start_labelled(struct cli_progress *p, const char *label, const char *unit,
                                 size_t total)
{
    p->state = state_start(label, unit, total);
}

void cli_progress_start(struct cli_progress *p, const char *unit, size_t total)
{
    p->state = state_start(unit, unit, total);
}

void cli_progress_set_total(struct cli_progress *p, size_t total)
{
    if (p->state)
        atomic_store(&p->state->total, total);
}

void cli_progress_update(struct cli_progress *p, size_t done)
{
    if (p->state)
        atomic_store(&p->state->done, done);
}

void cli_progress_finish(struct cli_progress *p, size_t done)
{
    bool ok = p->state && (done > 0 || atomic_load(&p->state->total) == 0);
    state_finish(p->state, done, ok);
    p->state = NULL;
}

void cli_progress_abandon(struct cli_progress *p)
{
    state_finish(p->state, p->state ? atomic_load(&p->state->done) : 0, false);
    p->state = NULL;
}

/* ------------------------------------------------------------ stages */

/* A stage of rs_model_set_progress (include/recsim.h): what it is called
 * on the line and what it counts; *name the stage itself when unknown. */
static const char *stage_unit(const char *stage, const char **name)
{
    static const char *const stages[][3] = {
        {"tune", "selection", "candidates"}, {"embedder", "embedder", "texts"},
        {"items", "item vectors", "items"},  {"cf", "collaborative fit", "events"},
        {"history", "histories", "events"},  {"eval", "scoring", "users"},
    };
    *name = stage;
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (strcmp(stage, stages[i][0]) == 0) {
            *name = stages[i][1];
            return stages[i][2];
        }
    return "steps";
}

void cli_stages_start(struct cli_stages *st, const char *command, const char *label)
{
    memset(st, 0, sizeof *st);
    st->command = command;
    st->label = label;
    st->started = cli_now();
}

void cli_stages_report(void *data, const char *stage, uint64_t done, uint64_t total)
{
    struct cli_stages *st = data;
    if (cli_progress_mode == CLI_PROGRESS_NONE || (cli_quiet && cli_progress_mode != CLI_PROGRESS_JSON))
        return;
    if (strcmp(stage, st->stage) != 0 || !st->current.state) {
        /* a new stage: the last one is over (its summary shown) */
        if (st->current.state)
            cli_progress_finish(&st->current, atomic_load(&st->current.state->done));
        const char *name, *unit = stage_unit(stage, &name);
        snprintf(st->stage, sizeof st->stage, "%s", stage);
        snprintf(st->stage_label, sizeof st->stage_label, "%s: %s", st->command, name);
        cli_progress_start_labelled(&st->current, st->stage_label, unit, (size_t)total);
    }
    cli_progress_set_total(&st->current, (size_t)total);
    cli_progress_update(&st->current, (size_t)done);
    /* done == total ends a stage (the library says so only at its end):
     * the time until the next one (saving, a baseline) is not its own */
    if (done >= total)
        cli_progress_finish(&st->current, (size_t)done);
}

void cli_stages_finish(struct cli_stages *st, bool ok)
{
    struct cli_progress_state whole;
    if (ok && st->current.state)
        cli_progress_finish(&st->current, atomic_load(&st->current.state->done));
    else
        cli_progress_abandon(&st->current);
    if (cli_progress_mode == CLI_PROGRESS_NONE ||
        (cli_quiet && cli_progress_mode != CLI_PROGRESS_JSON))
        return;
    /* the whole call: a final JSON line or a summary */
    memset(&whole, 0, sizeof whole);
    whole.label = st->label;
    whole.started = st->started;
    atomic_init(&whole.total, 0);
    atomic_init(&whole.done, 0);
    if (cli_progress_mode == CLI_PROGRESS_JSON) {
        emit_json(&whole, 0, true);
    } else if (ok) {
        fprintf(stderr, "%s: %.1f s\n", st->label, cli_now() - st->started);
        fflush(stderr);
    }
}
