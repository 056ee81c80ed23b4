/*
 * preinit.c - one OpenBLAS thread when the address space is limited.
 *
 * OpenBLAS's load-time constructor starts one worker thread per core, and
 * each maps a work buffer of about 128 MiB; when that mmap fails (under
 * `ulimit -v`) the worker retries forever, so `recsim version` would hang
 * before main() runs.  A function in the executable's .preinit_array runs
 * before any shared library's constructor (ELF gABI; glibc's _dl_init calls
 * the preinit array first).  Setting the variable there is not enough:
 * libc's own initialiser, which runs next, resets `environ` to the array the
 * kernel passed, so the process re-executes itself once, with
 * OPENBLAS_NUM_THREADS=1 added to that array.  OpenBLAS then starts no
 * worker; the one buffer the main thread needs is reserved by the library
 * before its first BLAS call, which fails with RS_ERR_NOMEM when it does not
 * fit (src/core/blas_guard.c).  A thread count the user set is left alone,
 * and without a limit nothing happens.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static char one_thread[] = "OPENBLAS_NUM_THREADS=1";

static int names_thread_count(const char *entry)
{
    static const char *const names[] = {"OPENBLAS_NUM_THREADS=", "GOTO_NUM_THREADS=",
                                        "OMP_NUM_THREADS="};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strncmp(entry, names[i], strlen(names[i])) == 0)
            return 1;
    return 0;
}

static void one_blas_thread_when_limited(int argc, char **argv, char **envp)
{
    struct rlimit rl;
    size_t n = 0;
    char **env;
    (void)argc;
    if (!argv || !envp || getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return;
    for (; envp[n]; n++)
        if (names_thread_count(envp[n]))
            return;
    env = malloc((n + 2) * sizeof *env);
    if (!env)
        return;
    memcpy(env, envp, n * sizeof *env);
    env[n] = one_thread;
    env[n + 1] = NULL;
    execve("/proc/self/exe", argv, env);
    free(env); /* exec failed: carry on as before */
}

/* Only an executable's preinit array runs (a shared object's is ignored). */
__attribute__((used, section(".preinit_array"))) static void (*const recsim_preinit)(
    int, char **, char **) = one_blas_thread_when_limited;
