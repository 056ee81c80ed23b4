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

struct loop {
    rs_task_fn fn;
    void *ctx;
    size_t n_tasks;
    atomic_size_t next_task;
    atomic_int failed;           /* first failure wins */
    int status;                  /* written once, by the winner */
    char message[RS_ERRMSG_MAX]; /* the winner's rs_errmsg() */
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

static void *worker_main(void *p)
{
    struct worker_arg *arg = p;
    run_tasks(arg->loop, arg->id);
    return NULL;
}

int rs__parallel_for(size_t n_tasks, unsigned max_workers, rs_task_fn fn, void *ctx)
{
    struct loop loop;
    pthread_t threads[RS_MAX_THREADS];
    struct worker_arg args[RS_MAX_THREADS];
    unsigned workers = rs__parallel_workers(n_tasks, max_workers);
    unsigned started = 0;

    if (n_tasks == 0)
        return 0;
    memset(&loop, 0, sizeof loop);
    loop.fn = fn;
    loop.ctx = ctx;
    loop.n_tasks = n_tasks;
    atomic_init(&loop.next_task, 0);
    atomic_init(&loop.failed, 0);

    /* Our threads, not OpenBLAS's inside each of them (see blas.c). */
    if (workers > 1)
        rs__blas_single_begin();
    for (unsigned w = 1; w < workers; w++) {
        args[w].loop = &loop;
        args[w].id = w;
        if (pthread_create(&threads[w], NULL, worker_main, &args[w]) != 0)
            break; /* the remaining work falls to the threads we have */
        started = w;
    }
    run_tasks(&loop, 0);
    for (unsigned w = 1; w <= started; w++)
        pthread_join(threads[w], NULL);
    if (workers > 1)
        rs__blas_single_end();

    if (atomic_load(&loop.failed))
        return rs__fail(loop.status, "%s", loop.message);
    return 0;
}
