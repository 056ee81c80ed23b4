/*
 * error.h - the thread-local "last failure" every fallible call sets.
 *
 * Every error path in the library goes through rs__fail(), so that the status
 * a call returns and the message rs_errmsg() shows can never disagree.
 */
#ifndef RS_CORE_ERROR_H
#define RS_CORE_ERROR_H

#include "recsim.h"

/* Longest message kept; longer ones are truncated with "...". */
#define RS_ERRMSG_MAX 512

#if defined(__GNUC__)
#define RS_PRINTF(fmt_index, first_arg) \
    __attribute__((format(printf, fmt_index, first_arg)))
#else
#define RS_PRINTF(fmt_index, first_arg)
#endif

/*
 * Record a failure for this thread and return status, so that error paths
 * read `return rs__fail(RS_ERR_RANGE, "weight %g is negative", w);`.
 * status must be negative.  The message is formatted with vsnprintf.
 */
int rs__fail(int status, const char *fmt, ...) RS_PRINTF(2, 3);

/*
 * Prefix the current message with context ("loading items.tsv: ") while
 * keeping its status; returns that status.  For callers that pass an inner
 * failure up and have something to add.
 */
int rs__fail_context(const char *fmt, ...) RS_PRINTF(1, 2);

/*
 * The thread's last failure, saved around a call whose failure is expected
 * and handled (a probe such as "is this meta key set?"), so that a call that
 * succeeds overall leaves rs_errmsg() as the caller last saw it.
 */
typedef struct rs_error_state {
    int status;
    char message[RS_ERRMSG_MAX];
} rs_error_state;

void rs__error_save(rs_error_state *state);
void rs__error_restore(const rs_error_state *state);

#endif
