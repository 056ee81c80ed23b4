/*
 * testutil.h - helpers shared by the Check suites.
 */
#ifndef RS_TESTUTIL_H
#define RS_TESTUTIL_H

#include <check.h>
#include <string.h>

#include "recsim.h"

/* Assert a call returns `status`, showing rs_errmsg() when it does not. */
#define ck_assert_status(call, status)                                              \
    do {                                                                            \
        int rs_got_ = (call);                                                       \
        ck_assert_msg(rs_got_ == (status), "%s returned %d (%s), expected %d: %s", \
                      #call, rs_got_, rs_strerror(rs_got_), (int)(status),          \
                      rs_errmsg());                                                 \
    } while (0)

#define ck_assert_ok(call) ck_assert_status(call, RS_OK)

/* Assert the thread's last message contains `needle`. */
#define ck_assert_errmsg_has(needle)                                              \
    ck_assert_msg(strstr(rs_errmsg(), (needle)) != NULL,                          \
                  "rs_errmsg() \"%s\" does not mention \"%s\"", rs_errmsg(), (needle))

#endif
