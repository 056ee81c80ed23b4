/*
 * cli_paths.h - the output files of the recsim commands (--reject, --csv,
 * --svg, --write-recs ...): never the model or an input, and written whole
 * or not at all (a temporary file beside the target, renamed into place
 * when the command succeeds); and keys shown without their control
 * characters.
 */
#ifndef RECSIM_CLI_PATHS_H
#define RECSIM_CLI_PATHS_H

#include <stdio.h>

/*
 * Register output as the file of option for this command, after checking
 * that it is not one of the files named by the NULL-terminated pairs
 * (what, path) that follow (e.g. "the model", model, "the input", file,
 * NULL), nor their SQLite companions (-wal, -shm, -journal), nor an output
 * registered before.  Two paths are the same file when they have the same
 * device and inode, or, when one does not exist yet, the same resolved path
 * (symbolic links followed).  A NULL output or path is skipped, and so is
 * "-" (standard input or output).  Returns CLI_OK, or CLI_USAGE with a
 * message naming both files.
 */
int cli_output_check(const char *command, const char *option, const char *output, ...)
    __attribute__((sentinel));

/*
 * The path to write a registered output to: a temporary file created beside
 * it the first time (mode that of the file it will replace, else 0666 less
 * the umask), or the output itself when it is not a regular file (a FIFO,
 * /dev/stdout) or the temporary file cannot be created (then writing it
 * fails with its own message).  An output not registered is returned as is.
 */
const char *cli_output_path(const char *output);

/* fopen(cli_output_path(output), "w"). */
FILE *cli_output_fopen(const char *output);

/*
 * The end of a command: when rc is CLI_OK, rename every temporary file onto
 * its output (CLI_FAILURE with a message if one cannot be); otherwise remove
 * them, leaving the outputs as they were.  Forgets every registered output
 * and returns the command's status.
 */
int cli_outputs_finish(int rc);

/*
 * text with its control characters (C0, DEL, C1) and invalid UTF-8 bytes as
 * \xNN escapes, into buf (cut at a character to fit size); returns buf.
 * What a file or a user gave (keys, titles) is never printed raw, so that
 * it cannot send escape sequences to the terminal.
 */
const char *cli_safe_text(const char *text, char *buf, size_t size);

/* cli_safe_text into one of 8 static buffers used in turn (so that a printf
 * can show up to 8 texts), cut at about 1 KB.  Not thread-safe. */
const char *cli_shown(const char *text);

#endif
