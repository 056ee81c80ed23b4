/*
 * cli.h - what every `recsim` subcommand shares: the command table entry,
 * error reporting as one line, the quiet flag, JSON string output and the
 * progress bar.
 */
#ifndef RECSIM_CLI_H
#define RECSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes: the conventional three. */
#define CLI_OK 0
#define CLI_FAILURE 1 /* the work failed (bad file, library error) */
#define CLI_USAGE 2   /* the command line was wrong */

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
    void (*help)(FILE *out);
};

/* Set by the global -q/--quiet option: no progress, no chatter on stderr. */
extern bool cli_quiet;
/* --wait SECONDS in milliseconds; -1: the library's default. */
extern int cli_wait_ms;

/* Flush standard output: CLI_OK, or CLI_FAILURE with "recsim: writing
 * standard output: why" when a write failed (a full disk, /dev/full, a
 * closed pipe) now or before. */
int cli_flush_stdout(void);

/* Print "recsim: <message>" on stderr and return CLI_FAILURE; if status is a
 * library status, its rs_errmsg() is appended. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail_status(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "recsim <cmd>: <message>" plus a hint, return CLI_USAGE. */
int cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * getopt_long for a subcommand (argv[0] is its name): options anywhere
 * among the operands, --opt=value, -k5, and "--" ending the options (so
 * that an operand may start with "-").  Call cli_getopt_start() first, then
 * cli_getopt() until it returns -1; operands are then argv[optind ..].
 * An unknown option or a missing value is reported as a usage error (the
 * exit code is in *rc: CLI_USAGE) and returns '?'.  shorts is getopt's
 * string without the leading ':'.
 */
struct option;
/* Values of long options without a short one start here. */
#define CLI_LONG_ONLY 256
void cli_getopt_start(void);
int cli_getopt(const char *command, int argc, char **argv, const char *shorts,
               const struct option *longs, int *rc);

/* True when argv[i] is -h or --help. */
bool cli_is_help(const char *arg);

/* Write s as a JSON string literal (quotes and escapes included), by
 * jansson; "null" when s is not UTF-8. */
void cli_json_string(FILE *out, const char *s);

/*
 * Progress of long work on stderr, by cli_progress_mode:
 *  - CLI_PROGRESS_AUTO (default): on a terminal a line redrawn four times
 *    a second (count, rate in the work's unit, percentage and ETA when the
 *    total is known; the seconds elapsed when nothing is counted), and
 *    otherwise one summary line at the end ("import: 391150 rows in 9.8 s,
 *    39913 rows/s");
 *  - CLI_PROGRESS_JSON (--progress=json): one JSON object a line, four
 *    times a second and at the end: {"progress": label, "unit", "done",
 *    "total", "elapsed_s", "rate", "eta_s", "final"} (the counts only when
 *    the work is counted, total and eta_s only when the total is known);
 *  - CLI_PROGRESS_NONE (-q, --progress=none): nothing.
 * A thread redraws, so the work only stores its count (cli_progress_update
 * is cheap).  The summary is not printed for work that failed.
 */
enum { CLI_PROGRESS_AUTO, CLI_PROGRESS_JSON, CLI_PROGRESS_NONE };
extern int cli_progress_mode;

/* Set the mode from --progress's value: CLI_OK, or CLI_USAGE when the
 * value is none of auto, json, none. */
int cli_progress_set_mode(const char *value);

struct cli_progress_state; /* cli_progress.c */
struct cli_progress {
    struct cli_progress_state *state; /* NULL when nothing is shown */
};
/* Counted work: unit names what is counted ("rows", "users", "steps");
 * total 0 when unknown. */
void cli_progress_start(struct cli_progress *p, const char *unit, size_t total);
void cli_progress_start_labelled(struct cli_progress *p, const char *label, const char *unit,
                                 size_t total);
void cli_progress_update(struct cli_progress *p, size_t done);
void cli_progress_set_total(struct cli_progress *p, size_t total); /* learnt late */
/* done of 0 with a known total counts as a failure: no summary. */
void cli_progress_finish(struct cli_progress *p, size_t done);
/* Work that failed: the line erased, no summary. */
void cli_progress_abandon(struct cli_progress *p);

/*
 * A long library call that reports its stages through rs_model_set_progress
 * (a build, an evaluation): each stage shown as counted work of its own,
 * labelled "COMMAND: STAGE" in the stage's unit (users, items, events,
 * ...), ended when done reaches total, then the whole call's seconds
 * under LABEL (a summary line, or a final JSON line).
 * cli_stages_report is the rs_model_progress_fn, with the cli_stages as
 * its data.
 */
struct cli_stages {
    const char *command, *label;
    struct cli_progress current;
    char stage[32], stage_label[96];
    double started;
};
void cli_stages_start(struct cli_stages *stages, const char *command, const char *label);
void cli_stages_report(void *stages, const char *stage, uint64_t done, uint64_t total);
void cli_stages_finish(struct cli_stages *stages, bool ok);

/* Parse a number option; on a bad value print a usage error naming the
 * option and return CLI_USAGE (else CLI_OK). */
int cli_parse_long(const char *command, const char *option, const char *text, long min,
                   long max, long *out);
int cli_parse_double(const char *command, const char *option, const char *text, double min,
                     double max, double *out);

/*
 * OpenBLAS 0.3.21 does not recognise some recent x86-64 CPUs and falls back
 * to its slow generic "Prescott" kernel.  When that happened, the CPU has
 * AVX-512 (or AVX2) and OPENBLAS_CORETYPE is unset, set it to SkylakeX (or
 * Haswell) and re-execute the program, since OpenBLAS chooses its kernel
 * when it is loaded.  Returns only when nothing is to be done (or exec
 * failed).
 */
void cli_select_blas_kernel(char **argv);

/* Monotonic seconds. */
double cli_now(void);

#include "cli_paths.h" /* output files and keys shown */

#endif
