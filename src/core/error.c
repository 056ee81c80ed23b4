/*
 * error.c - status names and the thread-local last-failure message.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_message[RS_ERRMSG_MAX];
static _Thread_local int last_status;

/* Indexed by -status; must follow the enum in recsim/base.h. */
static const char *const status_names[] = {
    "success",
    "invalid argument",
    "out of memory",
    "value out of range",
    "wrong dimension",
    "not found",
    "already exists",
    "invalid UTF-8",
    "input/output error",
    "corrupt or foreign file",
    "file written by a newer version",
    "buffer too small",
    "handle is read-only",
    "host callback failed",
    "size overflow",
    "unsupported",
    "invalid state",
    "parse error",
    "model file is busy",
    "size limit exceeded",
    "internal error",
};
_Static_assert(sizeof status_names / sizeof status_names[0] == RS_STATUS_COUNT,
               "one name per rs_status (RS_STATUS_COUNT in recsim/base.h)");

const char *rs_strerror(int status)
{
    size_t count = sizeof status_names / sizeof status_names[0];
    if (status > 0 || (size_t)(-(long)status) >= count)
        return "unknown status";
    return status_names[-status];
}

const char *rs_errmsg(void)
{
    return last_message;
}

int rs_errcode(void)
{
    return last_status;
}

void rs_clear_error(void)
{
    last_message[0] = '\0';
    last_status = RS_OK;
}

/* Mark a truncated message so that a reader knows text is missing. */
static void mark_truncation(int written)
{
    if (written >= RS_ERRMSG_MAX)
        memcpy(last_message + RS_ERRMSG_MAX - 4, "...", 4);
}

int rs__fail(int status, const char *fmt, ...)
{
    va_list ap;
    int written;

    if (status >= 0)
        status = RS_ERR_INTERNAL;
    va_start(ap, fmt);
    written = vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    if (written < 0)
        snprintf(last_message, sizeof last_message, "%s", rs_strerror(status));
    mark_truncation(written);
    last_status = status;
    return status;
}

int rs__fail_context(const char *fmt, ...)
{
    char previous[RS_ERRMSG_MAX];
    char prefix[RS_ERRMSG_MAX];
    va_list ap;
    int written;

    memcpy(previous, last_message, sizeof previous);
    va_start(ap, fmt);
    written = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (written < 0)
        prefix[0] = '\0';
    written = snprintf(last_message, sizeof last_message, "%s%s", prefix, previous);
    mark_truncation(written);
    if (last_status >= 0)
        last_status = RS_ERR_INTERNAL;
    return last_status;
}

void rs__error_save(rs_error_state *state)
{
    state->status = last_status;
    memcpy(state->message, last_message, sizeof state->message);
}

void rs__error_restore(const rs_error_state *state)
{
    last_status = state->status;
    memcpy(last_message, state->message, sizeof last_message);
}
