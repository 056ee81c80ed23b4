/*
 * parallel.h - a parallel loop over independent tasks on rs_get_num_threads()
 * workers, for the library's own multi-core work (top-k tiles, ALS rows,
 * simulated users).
 *
 * Tasks are handed out dynamically, so which worker runs a task varies from
 * run to run: a task must write only its own outputs (or its worker's
 * scratch), never depend on the order, if results are to be deterministic.
 */
#ifndef RS_CORE_PARALLEL_H
#define RS_CORE_PARALLEL_H

#include <stddef.h>

/*
 * Called once per task.  `worker` is in [0, workers) and identifies the
 * calling worker, to index per-worker scratch.  Returns 0, or a negative
 * status that stops the loop (tasks not yet started are skipped).
 */
typedef int (*rs_task_fn)(void *ctx, size_t task, unsigned worker);

/*
 * Run fn for task = 0 .. n_tasks-1 on at most max_workers threads (0: the
 * library's thread count), the calling thread being worker 0.  Returns 0 or
 * the first negative status a task returned (its message is re-recorded on
 * the calling thread).  If threads cannot be started, the remaining tasks
 * run on the calling thread: a loop never fails for lack of threads.
 * While more than one worker runs, OpenBLAS is held at one thread
 * (rs__blas_single_begin): our threads, not its threads inside ours.
 */
int rs__parallel_for(size_t n_tasks, unsigned max_workers, rs_task_fn fn, void *ctx);

/* How many workers rs__parallel_for would use for n_tasks tasks. */
unsigned rs__parallel_workers(size_t n_tasks, unsigned max_workers);

#endif
