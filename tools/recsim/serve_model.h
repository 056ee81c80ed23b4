/*
 * serve_model.h - the model `recsim serve` answers from: opened once,
 * shared by the request threads under a reference count, replaced whole
 * when its file changes (requests in flight finish on the old one).
 */
#ifndef RECSIM_SERVE_MODEL_H
#define RECSIM_SERVE_MODEL_H

#include <pthread.h>
#include <recsim.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One loaded generation of the model file. */
struct served {
    rs_model *model;
    char **titles;           /* cli_title() of every item index, made at load: the
                                property reads behind it are not thread-safe */
    size_t n_items;
    uint64_t users;          /* users with a history (at load, or after observe) */
    uint64_t generation;     /* 1 for the first load, +1 for each reload */
    pthread_rwlock_t lock;   /* readers: the queries; writer: observe (read-write) */
    unsigned refs;           /* guarded by the holder's mutex */
    bool retired;            /* replaced: closed when refs reaches 0 */
};

/* What identifies the file's contents cheaply: the file and its
 * write-ahead log (a build in another process commits into the log while
 * we hold a snapshot, so the main file alone may not change). */
struct file_sig {
    dev_t dev;
    ino_t ino;
    off_t size, wal_size;
    int64_t mtime_ns, wal_mtime_ns;
    bool wal;
};

struct serve_holder {
    const char *path;
    bool read_write;
    pthread_mutex_t mutex;
    struct served *current;
    struct file_sig sig, pending;
    bool has_pending;
    uint64_t reloads, failed_reloads; /* failed_reloads under mutex */
};

/* Open path (read-only unless read_write) and load it: CLI_OK, or
 * CLI_FAILURE with the error printed (not built, unreadable). */
int serve_holder_open(struct serve_holder *holder, const char *path, bool read_write);

/* The current generation with a reference taken; give it back with
 * serve_release().  Never NULL once opened. */
struct served *serve_acquire(struct serve_holder *holder);
void serve_release(struct serve_holder *holder, struct served *served);

/*
 * Called now and then by one thread: when the file changed and has stayed
 * the same since the previous call (a writer has finished), load it again
 * and swap the new generation in.  force reloads at once.  Returns 1 when
 * a new generation is in, 0 when nothing was to be done, -1 when loading
 * failed (the old generation keeps serving; message printed unless quiet).
 */
int serve_holder_check(struct serve_holder *holder, bool force);

/* After a write of our own (observe): take the file's new signature as
 * seen, so that it does not trigger a reload. */
void serve_holder_mark_seen(struct serve_holder *holder);

/* How many loads of a changed file failed (the old generation served on). */
uint64_t serve_holder_failed_reloads(struct serve_holder *holder);

/* Close the current generation (every request must be over). */
void serve_holder_close(struct serve_holder *holder);

/* The shown text of an item key from the generation's cache (a
 * cli_title_fn; ctx is the struct served). */
const char *serve_title(void *ctx, rs_model *model, const char *key, char *buf, size_t size);

#endif
