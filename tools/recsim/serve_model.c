/*
 * serve_model.c - the model of `recsim serve`: load, share, reload.
 *
 * A request takes a reference to the current generation under a mutex and
 * gives it back when its answer is built; a reload opens the file again
 * beside the old generation (which keeps serving meanwhile), swaps the
 * pointer, and the old one is closed by whoever drops its last reference.
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np: observe must not starve */
#include "serve_model.h"

#include "cli.h"
#include "cli_model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TITLE_SIZE 256

static void served_free(struct served *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->titles && i < s->n_items; i++)
        free(s->titles[i]);
    free(s->titles);
    rs_model_close(s->model);
    pthread_rwlock_destroy(&s->lock);
    free(s);
}

/* The titles of every item, read once while the handle is ours alone. */
static int load_titles(struct served *s)
{
    char buf[TITLE_SIZE];
    s->n_items = rs_model_item_count(s->model);
    if (s->n_items && !(s->titles = calloc(s->n_items, sizeof *s->titles)))
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < s->n_items; i++) {
        const char *key = rs_model_item_key(s->model, (uint32_t)i);
        if (key && !(s->titles[i] = strdup(cli_title(s->model, key, buf, sizeof buf))))
            return RS_ERR_NOMEM;
    }
    return RS_OK;
}

/* A new generation of path, or NULL with the reason printed. */
static struct served *served_load(const struct serve_holder *h, uint64_t generation)
{
    struct served *s = calloc(1, sizeof *s);
    pthread_rwlockattr_t attr;
    int st;
    if (!s) {
        cli_fail("loading %s: out of memory", h->path);
        return NULL;
    }
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    s->generation = generation;
    if (cli_open_model(h->path, h->read_write ? 0 : RS_MODEL_READONLY, &s->model) != CLI_OK) {
        served_free(s);
        return NULL;
    }
    if (!rs_model_is_built(s->model)) {
        cli_fail("%s is not built yet: run 'recsim build %s' first", h->path, h->path);
        served_free(s);
        return NULL;
    }
    if ((st = load_titles(s)) != RS_OK) {
        cli_fail_status(st, "loading the item titles of %s", h->path);
        served_free(s);
        return NULL;
    }
    s->users = rs_model_count(s->model, RS_MODEL_COUNT_USERS_WITH_HISTORY);
    return s;
}

static int64_t stat_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* The file's signature now (all zero when it is missing). */
static struct file_sig file_signature(const char *path)
{
    struct file_sig sig;
    struct stat st;
    char wal[4096];
    memset(&sig, 0, sizeof sig);
    if (stat(path, &st) == 0) {
        sig.dev = st.st_dev;
        sig.ino = st.st_ino;
        sig.size = st.st_size;
        sig.mtime_ns = stat_ns(&st);
    }
    /* an empty log holds nothing: opening the file (ours or another
     * reader's) creates one, which is no change of the contents */
    if ((size_t)snprintf(wal, sizeof wal, "%s-wal", path) < sizeof wal && stat(wal, &st) == 0 &&
        st.st_size > 0) {
        sig.wal = true;
        sig.wal_size = st.st_size;
        sig.wal_mtime_ns = stat_ns(&st);
    }
    return sig;
}

static bool same_sig(const struct file_sig *a, const struct file_sig *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->wal == b->wal && a->wal_size == b->wal_size &&
           a->wal_mtime_ns == b->wal_mtime_ns;
}

int serve_holder_open(struct serve_holder *h, const char *path, bool read_write)
{
    memset(h, 0, sizeof *h);
    h->path = path;
    h->read_write = read_write;
    pthread_mutex_init(&h->mutex, NULL);
    h->sig = file_signature(path);
    h->current = served_load(h, 1);
    if (!h->current) {
        pthread_mutex_destroy(&h->mutex);
        return CLI_FAILURE;
    }
    h->current->refs = 1; /* the holder's own reference */
    return CLI_OK;
}

struct served *serve_acquire(struct serve_holder *h)
{
    struct served *s;
    pthread_mutex_lock(&h->mutex);
    s = h->current;
    s->refs++;
    pthread_mutex_unlock(&h->mutex);
    return s;
}

void serve_release(struct serve_holder *h, struct served *s)
{
    bool last;
    pthread_mutex_lock(&h->mutex);
    last = --s->refs == 0;
    pthread_mutex_unlock(&h->mutex);
    if (last)
        served_free(s); /* retired: nobody can reach it any more */
}

int serve_holder_check(struct serve_holder *h, bool force)
{
    struct file_sig now = file_signature(h->path);
    struct served *fresh, *old;
    bool load = force;
    pthread_mutex_lock(&h->mutex); /* observe's serve_holder_mark_seen writes sig too */
    if (!force && same_sig(&now, &h->sig)) {
        h->has_pending = false;
    } else if (!force && (!h->has_pending || !same_sig(&now, &h->pending))) {
        h->pending = now; /* changed: wait until it stays the same */
        h->has_pending = true;
    } else {
        h->has_pending = false;
        h->sig = now; /* a failed load is not retried until the file changes again */
        load = true;
    }
    pthread_mutex_unlock(&h->mutex);
    if (!load)
        return 0;
    fresh = served_load(h, h->current->generation + 1);
    if (!fresh) {
        pthread_mutex_lock(&h->mutex); /* /healthz reads it */
        h->failed_reloads++;
        pthread_mutex_unlock(&h->mutex);
        return -1;
    }
    fresh->refs = 1;
    pthread_mutex_lock(&h->mutex);
    old = h->current;
    h->current = fresh;
    h->reloads++;
    pthread_mutex_unlock(&h->mutex);
    serve_release(h, old); /* the holder's reference: closed once the last request ends */
    return 1;
}

void serve_holder_mark_seen(struct serve_holder *h)
{
    struct file_sig now = file_signature(h->path);
    pthread_mutex_lock(&h->mutex);
    h->sig = now;
    h->has_pending = false;
    pthread_mutex_unlock(&h->mutex);
}

uint64_t serve_holder_failed_reloads(struct serve_holder *h)
{
    uint64_t n;
    pthread_mutex_lock(&h->mutex);
    n = h->failed_reloads;
    pthread_mutex_unlock(&h->mutex);
    return n;
}

void serve_holder_close(struct serve_holder *h)
{
    if (h->current)
        serve_release(h, h->current);
    h->current = NULL;
    pthread_mutex_destroy(&h->mutex);
}

const char *serve_title(void *ctx, rs_model *model, const char *key, char *buf, size_t size)
{
    const struct served *s = ctx;
    uint32_t index;
    (void)model;
    if (rs_model_item_index(s->model, key, &index) == RS_OK && index < s->n_items &&
        s->titles[index])
        return s->titles[index];
    rs_clear_error();
    return cli_safe_text(key, buf, size);
}
