/*
 * blas_guard.c - keep OpenBLAS from hanging under an address-space limit.
 *
 * OpenBLAS gives each thread that runs a level-3 routine (and LAPACK, and
 * large level-2 calls) a work buffer of about 128 MiB of address space, mapped
 * on first use, and when that mmap fails it retries forever (0.3.21,
 * driver/others/memory.c: the allocation loop only ends on success).  Under
 * `ulimit -v` a process would hang instead of failing.  So, when RLIMIT_AS is
 * finite, the first BLAS use goes through here: it checks that a mapping of
 * that size fits now (failing with RS_ERR_NOMEM otherwise), then runs one tiny
 * syrk at once, so that OpenBLAS maps its buffer while the room is known to
 * be there.  OpenBLAS keeps the buffer for the process and hands it to every
 * later call; rs__parallel_workers runs the library's loops on one thread
 * under the same limit, so no second buffer is ever needed.
 *
 * Without a limit nothing here runs: one atomic load per BLAS call.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "core/blas.h"
#include "core/error.h"
#include "recsim.h"

#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>

/* OpenBLAS's buffer is BUFFER_SIZE (128 MiB on x86-64) plus two pages; its
 * second attempt maps 129 MiB.  The probe asks for a little more than that. */
#define OPENBLAS_BUFFER_PROBE ((size_t)130 << 20)

static pthread_once_t limit_once = PTHREAD_ONCE_INIT;
static bool limited;
static atomic_int ready; /* 1: no limit, or the buffer is mapped */
static pthread_mutex_t warm_lock = PTHREAD_MUTEX_INITIALIZER;

static void read_limit(void)
{
    struct rlimit rl;
    limited = getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
    if (!limited)
        atomic_store(&ready, 1);
}

bool rs__address_space_limited(void)
{
    pthread_once(&limit_once, read_limit);
    return limited;
}

int rs__blas_ready(void)
{
    int rc = 0;
    if (atomic_load_explicit(&ready, memory_order_acquire))
        return 0;
    if (!rs__address_space_limited())
        return 0;
    pthread_mutex_lock(&warm_lock);
    if (!atomic_load(&ready)) {
        void *probe = mmap(NULL, OPENBLAS_BUFFER_PROBE, PROT_NONE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (probe == MAP_FAILED) {
            rc = rs__fail(RS_ERR_NOMEM,
                          "out of memory: the address-space limit (ulimit -v) leaves "
                          "no room for OpenBLAS's %zu MiB work buffer",
                          OPENBLAS_BUFFER_PROBE >> 20);
        } else {
            float a[16 * 16] = {0}, c[16 * 16];
            munmap(probe, OPENBLAS_BUFFER_PROBE);
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, 16, 16, 1.0f, a, 16, 0.0f,
                        c, 16);
            atomic_store_explicit(&ready, 1, memory_order_release);
        }
    }
    pthread_mutex_unlock(&warm_lock);
    return rc;
}
