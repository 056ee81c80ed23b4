/*
 * recsim.h - the public interface of librecsim.
 *
 * librecsim builds a knowledge graph from a catalogue, user profiles and an
 * interaction log, embeds users and items, recommends items by "simulated
 * reasoning" over that graph, explains each recommendation, and simulates
 * populations of users reacting to recommendations.
 *
 * This is the header to include.  It includes the per-module headers
 * recsim/<module>.h, one per layer of the library, lowest first (see
 * ARCHITECTURE.md); each of those compiles alone and includes the lower
 * ones it needs.  Every header is valid C99 and C++, has no inline
 * functions, no variadic functions and no structure whose layout can
 * change: everything is reachable through FFI.
 *
 * Conventions (see recsim(3) for the full text):
 *
 *  - Errors.  A fallible function returns an int holding an rs_status: RS_OK
 *    (0) on success, a negative RS_ERR_* value on failure.  rs_strerror()
 *    names a status; rs_errmsg() gives the calling thread's detailed message
 *    for its last failure.  A failed call leaves every handle as it was.
 *  - Outputs.  Results come back through out-parameters named out or *_out.
 *    Variable-size results go into caller-allocated arrays with a capacity;
 *    when the capacity is too small the call returns RS_ERR_BUFFER and reports
 *    the size needed.  Memory the library hands out is released by rs_free().
 *  - Ownership.  A pointer returned directly (not through an out-parameter
 *    documented as owned) is borrowed: it lives as long as the handle it came
 *    from, or as the function's doc says.
 *  - Handles.  Every handle is opaque.  Constructors are rs_X_open/rs_X_create;
 *    destructors rs_X_close/rs_X_free, and every destructor accepts NULL.
 *  - Threads.  A handle is used by one thread at a time unless its functions
 *    say otherwise.  Functions without a handle are thread-safe.  The library
 *    never changes the OpenBLAS thread count behind the caller's back; only
 *    rs_set_num_threads() does.
 *  - Strings.  Keys and texts are NUL-terminated UTF-8.
 */
#ifndef RECSIM_H
#define RECSIM_H

#include "recsim/base.h"
#include "recsim/text.h"
#include "recsim/graph.h"
#include "recsim/io.h"
#include "recsim/learn.h"
#include "recsim/items.h"
#include "recsim/user.h"
#include "recsim/score.h"
#include "recsim/eval.h"
#include "recsim/sim.h"
#include "recsim/model.h"

#endif /* RECSIM_H */
