/*
 * recsim/base.h - versions, status codes and messages, threads, allocation.
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: none.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_BASE_H
#define RECSIM_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * RS_API marks every exported symbol.  The library is compiled with
 * -fvisibility=hidden, so a function without RS_API is not part of the ABI.
 */
#if defined(_WIN32) && defined(RS_BUILDING_LIBRARY)
#define RS_API __declspec(dllexport)
#elif defined(_WIN32)
#define RS_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#define RS_API __attribute__((visibility("default")))
#else
#define RS_API
#endif

/*
 * RS_DEPRECATED(msg) marks a declaration kept for source compatibility only
 * (a typedef or function under an old name); RS_DEPRECATED_ENUMERATOR(msg)
 * an enumerator.  Using one warns (-Wdeprecated-declarations) with msg,
 * which names the replacement; a program that does not use it sees nothing,
 * under -Werror too.  Deprecated names keep their values and stay for the
 * whole major version: they are part of the promise.  gcc and clang use
 * their attribute; another C++ compiler [[deprecated]] (C++14, for
 * enumerators C++17); any other compiler nothing.
 */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ * 100 + __GNUC_MINOR__ >= 405)
#define RS_DEPRECATED(msg) __attribute__((deprecated(msg)))
#elif defined(__cplusplus) && __cplusplus >= 201402L
#define RS_DEPRECATED(msg) [[deprecated(msg)]]
#else
#define RS_DEPRECATED(msg)
#endif
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 6)
#define RS_DEPRECATED_ENUMERATOR(msg) __attribute__((deprecated(msg)))
#elif defined(__cplusplus) && __cplusplus >= 201703L
#define RS_DEPRECATED_ENUMERATOR(msg) [[deprecated(msg)]]
#else
#define RS_DEPRECATED_ENUMERATOR(msg)
#endif

/*
 * The experimental tier (zstd's ZSTD_STATIC_LINKING_ONLY idea).  A host
 * that defines RECSIM_EXPERIMENTAL before including recsim.h also sees the
 * declarations written inside `#ifdef RECSIM_EXPERIMENTAL` at the end of
 * their module header.  They are outside the stability promise: they may
 * change or disappear in any release, minor or patch, so a host that uses
 * them rebuilds against each release and checks RS_VERSION_NUMBER.  Their
 * symbols live in the version node RECSIM_EXPERIMENTAL of
 * src/librecsim.map, never in a RECSIM_1.x node, and are graduated into
 * the current RECSIM_1.x node (and out of the block) when promised.
 *
 * The tier is empty in this release: every exported function is in
 * RECSIM_1.0 or RECSIM_1.1 and promised (abi/librecsim.abi holds them all;
 * `make abi-check`).  The mechanism is here so that the next unsettled
 * function can be published without a promise.
 */

/* ======================================================================
 * Versions
 * ==================================================================== */

/*
 * The version of this header.  Compare RS_VERSION_NUMBER with rs_version() to
 * check that the header you compiled against matches the library you run
 * against: the major versions must be equal and the library's minor version
 * at least the header's.
 */
#define RS_VERSION_MAJOR 1
#define RS_VERSION_MINOR 1
#define RS_VERSION_PATCH 0
#define RS_VERSION_NUMBER \
    (RS_VERSION_MAJOR * 10000 + RS_VERSION_MINOR * 100 + RS_VERSION_PATCH)
#define RS_VERSION_STRING "1.1.0"

/**
 * rs_version - the version of the running library as a number.
 *
 * Returns MAJOR * 10000 + MINOR * 100 + PATCH, the value RS_VERSION_NUMBER
 * had when the library was built.  Never fails; thread-safe.
 */
RS_API unsigned rs_version(void);

/**
 * rs_version_string - the version of the running library as text.
 *
 * Returns a static string such as "1.0.0", owned by the library and never
 * freed.  Never fails; thread-safe.
 */
RS_API const char *rs_version_string(void);

/* ======================================================================
 * Status codes and error messages
 * ==================================================================== */

/*
 * The status a fallible call returns.  Values are explicit and append-only:
 * a value, once released, keeps its meaning forever.
 */
typedef enum rs_status {
    RS_OK = 0,                /* success */
    RS_ERR_INVALID = -1,      /* an invalid argument (NULL, empty, bad flag) */
    RS_ERR_NOMEM = -2,        /* memory could not be allocated */
    RS_ERR_RANGE = -3,        /* a value outside its allowed range, NaN or Inf */
    RS_ERR_DIM = -4,          /* a vector or matrix of the wrong dimension */
    RS_ERR_NOTFOUND = -5,     /* an unknown key, index, node or relation */
    RS_ERR_EXISTS = -6,       /* the thing to create exists already */
    RS_ERR_ENCODING = -7,     /* text that is not valid UTF-8 */
    RS_ERR_IO = -8,           /* a file could not be read or written */
    RS_ERR_CORRUPT = -9,      /* a file or blob is damaged or not ours */
    RS_ERR_VERSION = -10,     /* a file written by a newer library version */
    RS_ERR_BUFFER = -11,      /* a caller buffer is too small; size reported */
    RS_ERR_READONLY = -12,    /* a write to a handle opened read-only */
    RS_ERR_CALLBACK = -13,    /* a host callback reported a failure */
    RS_ERR_OVERFLOW = -14,    /* a size computation would overflow */
    RS_ERR_UNSUPPORTED = -15, /* a valid request this build cannot serve */
    RS_ERR_STATE = -16,       /* a call out of order, or mismatched handles */
    RS_ERR_PARSE = -17,       /* a malformed input file or string */
    RS_ERR_BUSY = -18,        /* the model file is locked by another writer */
    RS_ERR_LIMIT = -19,       /* a request beyond a configured size limit */
    RS_ERR_INTERNAL = -20     /* a bug in librecsim; please report it */
} rs_status;

/* How many statuses this library knows: RS_OK and RS_ERR_* from -1 down to
 * -(RS_STATUS_COUNT - 1), with no gap (21 in 1.0). */
#define RS_STATUS_COUNT 21

/**
 * rs_strerror - a short, static description of a status code.
 *
 * @status  any int; values that are not an rs_status give "unknown status".
 *
 * Returns a static string owned by the library.  Never fails; thread-safe.
 */
RS_API const char *rs_strerror(int status);

/**
 * rs_errmsg - the detailed message of the calling thread's last failure.
 *
 * Every failing call writes a message naming what was wrong (the argument,
 * the key, the file and line, the dimensions).  Successful calls leave the
 * message alone, like errno.  Returns "" when this thread has never failed.
 *
 * Returns a pointer to thread-local storage, valid until the next failing
 * librecsim call on the same thread; copy it to keep it.  Thread-safe.
 */
RS_API const char *rs_errmsg(void);

/**
 * rs_errcode - the status of the calling thread's last failure.
 *
 * Returns the rs_status that accompanied rs_errmsg(), or RS_OK when this
 * thread has never failed.  Thread-safe.
 */
RS_API int rs_errcode(void);

/**
 * rs_clear_error - forget the calling thread's last failure.
 *
 * Afterwards rs_errmsg() returns "" and rs_errcode() RS_OK.  Thread-safe.
 */
RS_API void rs_clear_error(void);

/* ======================================================================
 * Threads, BLAS and memory
 * ==================================================================== */

/**
 * rs_set_num_threads - how many threads librecsim and OpenBLAS may use.
 *
 * @n  1 or more; 0 restores the default (the number of online processors, or
 *     of those the process may run on when its affinity mask, as set by
 *     taskset or a cpuset, allows fewer).
 *
 * Sets the worker count of librecsim's own parallel loops and calls
 * openblas_set_num_threads(), which is process-wide.  With n = 1 every
 * computation runs on the calling thread and is deterministic.  Under a
 * finite address-space limit (RLIMIT_AS, `ulimit -v`) the loops run on one
 * thread and OpenBLAS's count is left as it is, whatever n: each OpenBLAS
 * thread needs a ~128 MiB buffer whose failed mapping OpenBLAS retries
 * forever (see recsim(3), "Memory limits").
 *
 * Returns RS_OK, or RS_ERR_RANGE when n is negative or above 1024.
 * Not thread-safe with respect to running librecsim computations: call it
 * when no other thread is inside the library.
 */
RS_API int rs_set_num_threads(int n);

/**
 * rs_get_num_threads - the worker count set by rs_set_num_threads().
 *
 * Returns the count in use (by default the online processors the process may
 * run on).
 * Thread-safe.
 */
RS_API int rs_get_num_threads(void);

/**
 * rs_blas_corename - the name of the OpenBLAS kernel that runs.
 *
 * OpenBLAS picks its kernel from the CPU at load time; an unrecognised CPU
 * falls back to a slow generic kernel (e.g. "Prescott") that can cost five
 * times the speed.  Setting OPENBLAS_CORETYPE in the environment before the
 * process starts selects a kernel explicitly.
 *
 * Returns a static string owned by OpenBLAS.  Never fails; thread-safe.
 */
RS_API const char *rs_blas_corename(void);

/**
 * rs_free - release memory that librecsim handed to the caller.
 *
 * @ptr  a pointer documented as "free with rs_free()", or NULL (a no-op).
 *
 * Thread-safe.
 */
RS_API void rs_free(void *ptr);

/*
 * The longest key (user, item, entity, relation) the library accepts, in
 * bytes of UTF-8.  Longer keys are refused with RS_ERR_RANGE.  Every key
 * must also be valid UTF-8 (else RS_ERR_ENCODING), not empty, not blank
 * (only spaces) and free of control characters (U+0000..U+001F such as TAB,
 * newline and ESC, U+007F, U+0080..U+009F) (else RS_ERR_INVALID); an import
 * drops a row with such a key as rule "invalid key" of its cleaner.
 */
#define RS_MAX_KEY_BYTES 1024

/**
 * rs_max_key_bytes - RS_MAX_KEY_BYTES as a function, for FFI callers.
 *
 * Returns the longest accepted key length in bytes.  Thread-safe.
 */
RS_API size_t rs_max_key_bytes(void);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_BASE_H */
