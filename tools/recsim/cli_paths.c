/*
 * cli_paths.c - safe output files for the recsim commands (see cli_paths.h)
 * and keys shown without control characters.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include "cli_paths.h"
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define MAX_OUTPUTS 8

struct output {
    const char *path; /* as given */
    char *temp;       /* the temporary file beside it, once created */
    char *target;     /* the file the temporary one replaces (links followed) */
    bool failed;      /* no temporary file: written in place */
};

static struct output outputs[MAX_OUTPUTS];
static size_t n_outputs;

/* path's directory part ("." when none) into dir, its last part into base. */
static void split_path(const char *path, char *dir, char *base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        strcpy(dir, ".");
        strcpy(base, path);
    } else {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, n);
        dir[n] = '\0';
        strcpy(base, slash + 1);
    }
}

/* a, sep and b joined into out (PATH_MAX bytes); false when too long. */
static bool join(char *out, const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    if (la + ls + lb >= PATH_MAX)
        return false;
    memmove(out + la + ls, b, lb + 1);
    memmove(out, a, la);
    memcpy(out + la, sep, ls);
    return true;
}

/*
 * The absolute path path names, symbolic links followed, into out (PATH_MAX
 * bytes), also when path or the end of its chain of links does not exist
 * (then its directory is resolved).  Returns false when nothing resolves.
 */
static bool resolve(const char *path, char *out)
{
    char cur[PATH_MAX], dir[PATH_MAX], base[PATH_MAX], link[PATH_MAX];
    if (strlen(path) >= sizeof cur)
        return false;
    strcpy(cur, path);
    for (int hops = 0; hops < 40; hops++) {
        struct stat st;
        ssize_t n;
        if (realpath(cur, out))
            return true;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) { /* missing: resolve its directory */
            split_path(cur, dir, base);
            return realpath(dir, link) && join(out, link, strcmp(link, "/") ? "/" : "", base);
        }
        /* a dangling link: follow it by hand */
        if ((n = readlink(cur, link, sizeof link - 1)) < 0)
            return false;
        link[n] = '\0';
        if (link[0] == '/') {
            strcpy(cur, link);
        } else {
            split_path(cur, dir, base);
            if (!join(cur, dir, "/", link))
                return false;
        }
    }
    return false;
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    char ra[PATH_MAX], rb[PATH_MAX];
    bool ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
    if (ha && hb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    /* otherwise by path: the one that exists can only be the other when both resolve alike */
    return resolve(a, ra) && resolve(b, rb) && strcmp(ra, rb) == 0;
}

/* The reason output may not be written over path, or NULL. */
static const char *clash(const char *output, const char *path)
{
    static const char *const companions[] = {"-wal", "-shm", "-journal"};
    char side[PATH_MAX];
    if (same_file(output, path))
        return "";
    for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++) {
        if (join(side, path, "", companions[i]) && same_file(output, side))
            return companions[i];
    }
    return NULL;
}

int cli_output_check(const char *command, const char *option, const char *output, ...)
{
    va_list ap;
    const char *what, *why;
    int rc = CLI_OK;
    if (!output || strcmp(output, "-") == 0)
        return CLI_OK;
    if (!*output)
        return cli_usage(command, "%s wants a file name", option);
    va_start(ap, output);
    while (rc == CLI_OK && (what = va_arg(ap, const char *)) != NULL) {
        const char *path = va_arg(ap, const char *);
        if (!path || strcmp(path, "-") == 0)
            continue;
        if ((why = clash(output, path)) == NULL)
            continue;
        if (*why)
            rc = cli_usage(command, "%s %s is the %s file SQLite keeps beside %s %s: refusing "
                           "to write it", option, output, why, what, path);
        else
            rc = cli_usage(command, "%s %s is the same file as %s %s: refusing to overwrite it",
                           option, output, what, path);
    }
    va_end(ap);
    for (size_t i = 0; rc == CLI_OK && i < n_outputs; i++)
        if (clash(output, outputs[i].path))
            rc = cli_usage(command, "%s %s is also the file of another option", option, output);
    if (rc == CLI_OK) {
        if (n_outputs == MAX_OUTPUTS)
            return cli_fail("too many output files");
        memset(&outputs[n_outputs], 0, sizeof outputs[n_outputs]);
        outputs[n_outputs++].path = output;
    }
    return rc;
}

static struct output *find(const char *path)
{
    for (size_t i = 0; i < n_outputs; i++)
        if (outputs[i].path == path || strcmp(outputs[i].path, path) == 0)
            return &outputs[i];
    return NULL;
}

/* On SIGINT, SIGTERM or SIGHUP: remove the temporary files, then die of
 * the signal as before (unlink is async-signal-safe). */
static void remove_temps_and_die(int sig)
{
    for (size_t i = 0; i < n_outputs; i++)
        if (outputs[i].temp)
            unlink(outputs[i].temp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_signals(void)
{
    static bool caught;
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    if (caught)
        return;
    caught = true;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = remove_temps_and_die;
        sigemptyset(&sa.sa_mask);
        /* a signal ignored (nohup) or handled by someone else stays so */
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
            sigaction(signals[i], &sa, NULL);
    }
}

/* Create o's temporary file; false (o written in place) when it cannot be. */
static bool make_temp(struct output *o)
{
    char target[PATH_MAX];
    struct stat st;
    mode_t mode, mask;
    int fd;
    if (!resolve(o->path, target))
        return false;
    if (stat(target, &st) == 0) {
        if (!S_ISREG(st.st_mode)) /* a FIFO, a device: nothing to replace */
            return false;
        mode = st.st_mode & 07777;
    } else {
        mask = umask(022);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (!(o->target = malloc(strlen(target) + 1)) ||
        !(o->temp = malloc(strlen(target) + sizeof ".tmp-XXXXXX"))) {
        free(o->target);
        o->target = NULL;
        return false;
    }
    strcpy(o->target, target);
    sprintf(o->temp, "%s.tmp-XXXXXX", target);
    catch_signals();
    if ((fd = mkstemp(o->temp)) < 0) {
        free(o->temp);
        free(o->target);
        o->temp = o->target = NULL;
        return false;
    }
    if (fchmod(fd, mode) != 0 && !cli_quiet) /* then it stays 0600 */
        fprintf(stderr, "recsim: %s: cannot set mode %o: %s\n", o->temp, (unsigned)mode,
                strerror(errno));
    close(fd);
    return true;
}

const char *cli_output_path(const char *output)
{
    struct output *o = output ? find(output) : NULL;
    if (!o)
        return output;
    if (!o->temp && !o->failed && !make_temp(o))
        o->failed = true;
    return o->temp ? o->temp : o->path;
}

FILE *cli_output_fopen(const char *output)
{
    return fopen(cli_output_path(output), "w");
}

int cli_outputs_finish(int rc)
{
    for (size_t i = 0; i < n_outputs; i++) {
        struct output *o = &outputs[i];
        if (o->temp && rc == CLI_OK && rename(o->temp, o->target) != 0)
            rc = cli_fail("cannot write %s: %s", o->path, strerror(errno));
        if (o->temp && rc != CLI_OK)
            unlink(o->temp);
        char *temp = o->temp;
        o->temp = NULL; /* before the free: the signal handler reads it */
        free(temp);
        free(o->target);
    }
    n_outputs = 0;
    return rc;
}

const char *cli_shown(const char *text)
{
    static char buffers[8][1100];
    static unsigned next;
    char *buf = buffers[next++ % 8];
    return cli_safe_text(text ? text : "", buf, sizeof buffers[0]);
}

const char *cli_safe_text(const char *text, char *buf, size_t size)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t at = 0;
    if (size == 0)
        return buf;
    while (*s) {
        unsigned c = s[0];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool escape = n == 0 || c < 0x20 || c == 0x7F || (c == 0xC2 && s[1] >= 0x80 && s[1] < 0xA0);
        for (size_t k = 1; !escape && k < n; k++)
            if ((s[k] & 0xC0) != 0x80)
                escape = true;
        if (escape)
            n = 1;
        if (at + (escape ? 4 : n) >= size)
            break;
        if (escape)
            at += (size_t)snprintf(buf + at, size - at, "\\x%02X", c);
        else {
            memcpy(buf + at, s, n);
            at += n;
        }
        s += n;
    }
    buf[at] = '\0';
    return buf;
}
