/*
 * parallel.c - rs__parallel_for on POSIX threads, and the library's thread
 * count (rs_set_num_threads / rs_get_num_threads).
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "core/parallel.h"
#include "core/blas.h"
#include "core/error.h"

#include <pthread.h>
#if defined(__linux__)
#include <sched.h>
#endif
#include <stdio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RS_MAX_THREADS 1024

/* 0 means "not set": the number of online processors. */
static atomic_int configured_threads;

/* The processors this process may run on: under `taskset -c 0` or a
 * container's cpuset that is fewer than are online, and a second worker
 * would only take turns with the first on the same core. */
static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
#if defined(__linux__)
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) == 0 && CPU_COUNT(&mask) > 0 &&
        CPU_COUNT(&mask) < n)
        n = CPU_COUNT(&mask);
#endif
    if (n < 1)
        return 1;
    if (n > RS_MAX_THREADS)
        return RS_MAX_THREADS;
    return (int)n;
}

int rs_set_num_threads(int n)
{
    if (n < 0 || n > RS_MAX_THREADS)
        return rs__fail(RS_ERR_RANGE, "thread count %d is outside [0, %d]", n,
                        RS_MAX_THREADS);
    atomic_store(&configured_threads, n);
    rs__blas_set_threads(n == 0 ? default_threads() : n);
    return RS_OK;
}

int rs_get_num_threads(void)
{
    int n = atomic_load(&configured_threads);
    return n > 0 ? n : default_threads();
}

unsigned rs__parallel_workers(size_t n_tasks, unsigned max_workers)
{
    unsigned workers = (unsigned)rs_get_num_threads();
    /* Every thread that calls BLAS needs its own OpenBLAS buffer; under an
     * address-space limit only one is reserved (blas_guard.c). */
    if (rs__address_space_limited())
        workers = 1;
    if (max_workers != 0 && max_workers < workers)
        workers = max_workers;
    if (n_tasks < workers)
        workers = (unsigned)(n_tasks ? n_tasks : 1);
    return workers;
}

/*
 * One parallel loop.  It lives on the heap, shared by the caller and the
 * workers it starts (detached), and the last of them to let go frees it: a
 * worker that the scheduler starts late -- on a machine whose other cores are
 * busy that can take a whole time slice, milliseconds -- finds the loop
 * closed and leaves without touching fn or ctx, and the caller, having run
 * every task itself meanwhile, returns without waiting for it.  The caller
 * waits only for workers that entered the loop before it closed (`busy`),
 * that is, for tasks in flight.
 */
struct loop {
    rs_task_fn fn;
    void *ctx;
    size_t n_tasks;
    atomic_size_t next_task;
    atomic_int failed;           /* first failure wins */
    int status;                  /* written once, by the winner */
    char message[RS_ERRMSG_MAX]; /* the winner's rs_errmsg() */
    pthread_mutex_t lock;        /* guards the fields below */
    pthread_cond_t idle;         /* signalled when busy drops to 0 */
    unsigned busy;               /* workers inside run_tasks */
    unsigned refs;               /* the caller and every started worker */
    bool closed;                 /* the caller has finished: no one enters */
};

struct worker_arg {
    struct loop *loop;
    unsigned id;
};

static void run_tasks(struct loop *loop, unsigned worker)
{
    for (;;) {
        size_t task;
        int rc;
        if (atomic_load(&loop->failed))
            return;
        task = atomic_fetch_add(&loop->next_task, 1);
        if (task >= loop->n_tasks)
            return;
        rc = loop->fn(loop->ctx, task, worker);
        if (rc < 0) {
            int expected = 0;
            if (atomic_compare_exchange_strong(&loop->failed, &expected, 1)) {
                loop->status = rc;
                snprintf(loop->message, sizeof loop->message, "%s", rs_errmsg());
            }
            return;
        }
    }
}

/* Drop one reference (loop->lock held); frees the loop after the last. */
static void release_locked(struct loop *loop)
{
    bool last = --loop->refs == 0;
    pthread_mutex_unlock(&loop->lock);
    if (last) {
        pthread_cond_destroy(&loop->idle);
        pthread_mutex_destroy(&loop->lock);
        free(loop);
    }
}

static void *worker_main(void *p)
{
    struct worker_arg *arg = p;
    struct loop *loop = arg->loop;
    bool enter;
    pthread_mutex_lock(&loop->lock);
    enter = !loop->closed;
    if (enter)
        loop->busy++;
    pthread_mutex_unlock(&loop->lock);
    if (enter) {
        run_tasks(loop, arg->id);
        pthread_mutex_lock(&loop->lock);
        if (--loop->busy == 0)
            pthread_cond_signal(&loop->idle);
    } else {
        pthread_mutex_lock(&loop->lock);
    }
    release_locked(loop);
    return NULL;
}

/* The loop on the calling thread alone (no threads, or no memory for them). */
static int run_alone(size_t n_tasks, rs_task_fn fn, void *ctx)
{
    for (size_t task = 0; task < n_tasks; task++) {
        int rc = fn(ctx, task, 0);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int rs__parallel_for(size_t n_tasks, unsigned max_workers, rs_task_fn fn, void *ctx)
{
    struct loop *loop;
    struct worker_arg *args;
    pthread_attr_t attr;
    unsigned workers = rs__parallel_workers(n_tasks, max_workers);
    int rc = 0;

    if (n_tasks == 0)
        return 0;
    if (workers == 1)
        return run_alone(n_tasks, fn, ctx);
    /* Plain calloc: failing here is not an error, the loop runs alone. */
    loop = calloc(1, sizeof *loop + workers * sizeof *args);
    if (!loop)
        return run_alone(n_tasks, fn, ctx);
    args = (struct worker_arg *)(loop + 1);
    loop->fn = fn;
    loop->ctx = ctx;
    loop->n_tasks = n_tasks;
    atomic_init(&loop->next_task, 0);
    atomic_init(&loop->failed, 0);
    pthread_mutex_init(&loop->lock, NULL);
    pthread_cond_init(&loop->idle, NULL);
    loop->refs = 1;

    /* Our threads, not OpenBLAS's inside each of them (see blas.c). */
    rs__blas_single_begin();
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        for (unsigned w = 1; w < workers; w++) {
            pthread_t thread;
            args[w].loop = loop;
            args[w].id = w;
            pthread_mutex_lock(&loop->lock);
            loop->refs++;
            pthread_mutex_unlock(&loop->lock);
            if (pthread_create(&thread, &attr, worker_main, &args[w]) != 0) {
                pthread_mutex_lock(&loop->lock);
                loop->refs--;
                pthread_mutex_unlock(&loop->lock);
                break; /* the remaining work falls to the threads we have */
            }
        }
        pthread_attr_destroy(&attr);
    }
    run_tasks(loop, 0);
    pthread_mutex_lock(&loop->lock);
    loop->closed = true;
    while (loop->busy > 0)
        pthread_cond_wait(&loop->idle, &loop->lock);
    pthread_mutex_unlock(&loop->lock);
    rs__blas_single_end();

    if (atomic_load(&loop->failed))
        rc = rs__fail(loop->status, "%s", loop->message);
    pthread_mutex_lock(&loop->lock);
    release_locked(loop);
    return rc;
}
