/*
 * cli.c - the shared helpers of the recsim command.
 */
#include "cli.h"

#include <recsim.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool cli_quiet;
int cli_wait_ms = -1;

/* A message on stderr with its control characters escaped: it may quote a
 * key, a file name or a line of the input. */
static void put_safe(const char *text)
{
    char safe[16384];
    fputs(cli_safe_text(text, safe, sizeof safe), stderr);
}

static void vput_safe(const char *fmt, va_list ap)
{
    char message[4096];
    vsnprintf(message, sizeof message, fmt, ap);
    put_safe(message);
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("recsim: ", stderr);
    va_start(ap, fmt);
    vput_safe(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_FAILURE;
}

int cli_fail_status(int status, const char *fmt, ...)
{
    va_list ap;
    fputs("recsim: ", stderr);
    va_start(ap, fmt);
    vput_safe(fmt, ap);
    va_end(ap);
    if (*rs_errmsg()) {
        fputs(": ", stderr);
        put_safe(rs_errmsg());
        fputc('\n', stderr);
    } else
        fprintf(stderr, ": %s\n", rs_strerror(status));
    return CLI_FAILURE;
}

int cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "recsim %s: ", command);
    va_start(ap, fmt);
    vput_safe(fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'recsim %s --help'.\n", command);
    return CLI_USAGE;
}

int cli_flush_stdout(void)
{
    int failed = fflush(stdout) != 0;
    int why = errno;
    if (!failed && !ferror(stdout))
        return CLI_OK;
    if (!failed || why == 0)
        why = EIO;
    clearerr(stdout);
    return cli_fail("writing standard output: %s", strerror(why));
}

void cli_getopt_start(void)
{
    optind = 0; /* glibc and musl: 0 starts a fresh scan */
    opterr = 0;
}

int cli_getopt(const char *command, int argc, char **argv, const char *shorts,
               const struct option *longs, int *rc)
{
    char spec[64];
    int c;
    snprintf(spec, sizeof spec, ":%s", shorts);
    c = getopt_long(argc, argv, spec, longs, NULL);
    if (c == '?' || c == ':') {
        /* A short option (optopt below 256; long options without a short
         * one have values from 256) is named alone, as in a cluster "-xk5";
         * a long one as written. */
        char shown[3] = {'-', (char)optopt, '\0'};
        const char *arg = optopt > 0 && optopt < 256 ? shown
                          : optind > 0 && optind <= argc ? argv[optind - 1]
                                                         : "?";
        if (c == '?')
            *rc = cli_usage(command, "unknown option '%s'", arg);
        else
            *rc = cli_usage(command, "%s needs a value", arg);
        return '?';
    }
    return c;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

void cli_json_string(FILE *out, const char *s)
{
    /* jansson writes every JSON of the command and the library; a string it
     * cannot take (not UTF-8, or no memory) is null, as in json_pack. */
    json_t *j = json_string(s);
    if (!j || json_dumpf(j, out, JSON_ENCODE_ANY) != 0)
        fputs("null", out);
    json_decref(j);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cli_parse_long(const char *command, const char *option, const char *text, long min,
                   long max, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < min || v > max)
        return cli_usage(command, "%s wants a whole number from %ld to %ld, not '%s'", option,
                         min, max, text);
    *out = v;
    return CLI_OK;
}

int cli_parse_double(const char *command, const char *option, const char *text, double min,
                     double max, double *out)
{
    double v;
    if (rs_io_parse_double(text, strlen(text), &v) != RS_OK || !(v >= min && v <= max)) {
        rs_clear_error();
        return cli_usage(command, "%s wants a number from %g to %g, not '%s'", option, min, max,
                         text);
    }
    *out = v;
    return CLI_OK;
}

void cli_select_blas_kernel(char **argv)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    const char *core = rs_blas_corename();
    const char *want = NULL;
    if (getenv("OPENBLAS_CORETYPE") || !core || strcmp(core, "Prescott") != 0)
        return;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl"))
        want = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        want = "Haswell";
    if (!want || setenv("OPENBLAS_CORETYPE", want, 1) != 0)
        return;
    execv("/proc/self/exe", argv); /* OpenBLAS picks its kernel at load time */
    unsetenv("OPENBLAS_CORETYPE"); /* exec failed: carry on with the generic kernel */
#else
    (void)argv;
#endif
}
