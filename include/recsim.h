/*
 * recsim.h - the public interface of librecsim.
 *
 * librecsim builds a knowledge graph from a catalogue, user profiles and an
 * interaction log, embeds users and items, recommends items by "simulated
 * reasoning" over that graph, explains each recommendation, and simulates
 * populations of users reacting to recommendations.
 *
 * This is the only public header. It is valid C99 and C++, has no inline
 * functions, no variadic functions and no structure whose layout can change:
 * everything is reachable through FFI.
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
#define RS_VERSION_MINOR 0
#define RS_VERSION_PATCH 0
#define RS_VERSION_NUMBER \
    (RS_VERSION_MAJOR * 10000 + RS_VERSION_MINOR * 100 + RS_VERSION_PATCH)
#define RS_VERSION_STRING "1.0.0"

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
 * @n  1 or more; 0 restores the default (the number of online processors).
 *
 * Sets the worker count of librecsim's own parallel loops and calls
 * openblas_set_num_threads(), which is process-wide.  With n = 1 every
 * computation runs on the calling thread and is deterministic.
 *
 * Returns RS_OK, or RS_ERR_RANGE when n is negative or above 1024.
 * Not thread-safe with respect to running librecsim computations: call it
 * when no other thread is inside the library.
 */
RS_API int rs_set_num_threads(int n);

/**
 * rs_get_num_threads - the worker count set by rs_set_num_threads().
 *
 * Returns the count in use (the number of online processors by default).
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
 * bytes of UTF-8.  Longer keys are refused with RS_ERR_RANGE.
 */
#define RS_MAX_KEY_BYTES 1024

/**
 * rs_max_key_bytes - RS_MAX_KEY_BYTES as a function, for FFI callers.
 *
 * Returns the longest accepted key length in bytes.  Thread-safe.
 */
RS_API size_t rs_max_key_bytes(void);

/* ======================================================================
 * graph: the knowledge graph, rs_graph (src/graph)
 * ==================================================================== */

/* @@GRAPH@@ end of section */


/* ======================================================================
 * items: the item store and top-k kernel, rs_item_store (src/items)
 * ==================================================================== */

/* @@ITEMS@@ end of section */


/* ======================================================================
 * text: preprocessing and embedders, rs_embedder (src/text)
 * ==================================================================== */

/* @@TEXT@@ end of section */


/* ======================================================================
 * learn: collaborative models (src/learn)
 * ==================================================================== */

/* @@LEARN@@ end of section */


/* ======================================================================
 * user: the user model, rs_user_model (src/user)
 * ==================================================================== */

/* @@USER@@ end of section */


/* ======================================================================
 * score: the scorer, rs_scorer (src/score)
 * ==================================================================== */

/* @@SCORE@@ end of section */


/* ======================================================================
 * io: readers, cleaning and import (src/io)
 * ==================================================================== */

/* @@IO@@ end of section */


/* ======================================================================
 * eval: splits and metrics (src/eval)
 * ==================================================================== */

/*
 * Ranking metrics, as plain functions on arrays of item indices, so that any
 * caller (C, FFI, the evaluation runner) gets the same numbers.  The formulas
 * are in rs_metric_at_k(3).  Conventions shared by all of them:
 *
 *  - `ranked` is one recommendation list, best first, of item indices;
 *    RS_NO_ITEM entries (padding of a short list) are skipped as misses.
 *  - A repeat of an item already earlier in the list is a miss.
 *  - `truth` is a set: duplicates in it are counted once.
 *  - Lists shorter than k are scored as they are: precision still divides
 *    by k, so a short list is not rewarded.
 *  - An empty truth set makes the per-user metrics undefined: the call fails
 *    with RS_ERR_RANGE and callers skip that user (as the evaluation runner
 *    does).
 */

/* An absent item in a padded list. */
#define RS_NO_ITEM UINT32_MAX

/* The per-user metrics of rs_metric_at_k().  Values are append-only. */
typedef enum rs_metric {
    RS_METRIC_PRECISION = 0, /* hits / k */
    RS_METRIC_RECALL = 1,    /* hits / |truth| */
    RS_METRIC_F1 = 2,        /* 2 P R / (P + R), 0 when both are 0 */
    RS_METRIC_NDCG = 3,      /* binary-gain NDCG */
    RS_METRIC_MAP = 4,       /* average precision, normalised by min(|truth|, k) */
    RS_METRIC_MRR = 5,       /* 1 / rank of the first hit, 0 without a hit */
    RS_METRIC_HIT_RATE = 6   /* 1 if any hit, else 0 */
} rs_metric;

/* How many rs_metric values this library knows (7 in 1.0). */
#define RS_METRIC_COUNT 7

/**
 * rs_metric_at_k - one ranking metric of one recommendation list at cut-off k.
 *
 * @metric    an rs_metric value.
 * @ranked    the list, best first (NULL allowed when n_ranked is 0).
 * @n_ranked  its length; only the first k entries count.
 * @truth     the relevant items (a set).
 * @n_truth   its length (duplicates count once).
 * @k         the cut-off, >= 1.
 * @out       receives the value, in [0, 1].
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL out, NULL truth, or NULL ranked with
 * n_ranked > 0; an unknown metric); RS_ERR_RANGE (k = 0, empty truth set);
 * RS_ERR_NOMEM.  *out is unchanged on error.  Thread-safe.
 */
RS_API int rs_metric_at_k(int metric, const uint32_t *ranked, size_t n_ranked,
                          const uint32_t *truth, size_t n_truth, size_t k, double *out);

/**
 * rs_metric_name - the short name of an rs_metric ("ndcg", "precision", ...).
 *
 * Returns a static string, or NULL for an unknown metric.  Thread-safe.
 */
RS_API const char *rs_metric_name(int metric);

/**
 * rs_metric_ndcg_graded - NDCG at k with graded relevance.
 *
 * @gains  gains[i] >= 0 is the gain of truth[i] (e.g. a rating, or 2^r - 1);
 *         a repeated truth item keeps its largest gain.
 * Other parameters as in rs_metric_at_k().  DCG = sum over ranks r <= k of
 * gain(L_r) / log2(r + 1); the ideal DCG sorts the gains in decreasing order.
 * When every gain is 0 the value is 0.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL pointers as in rs_metric_at_k, NULL
 * gains); RS_ERR_RANGE (k = 0, empty truth, a negative, NaN or infinite
 * gain); RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_metric_ndcg_graded(const uint32_t *ranked, size_t n_ranked,
                                 const uint32_t *truth, const double *gains, size_t n_truth,
                                 size_t k, double *out);

/**
 * rs_metric_auc - area under the ROC curve of one ranking.
 *
 * @ranked        the ranking, best first: usually every candidate item.
 * @n_ranked      its length.
 * @truth         the positives (a set; all must be candidates).
 * @n_truth       its length.
 * @n_candidates  how many items were candidates (the catalogue less the
 *                excluded items); the negatives are the candidates not in truth.
 * @out           the fraction of (positive, negative) pairs in which the
 *                positive is ranked above the negative; items absent from the
 *                ranking come after every ranked one and tie among themselves
 *                (a tie counts 1/2).
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL pointers); RS_ERR_RANGE (empty truth,
 * no negatives, or a ranking with more distinct items than n_candidates);
 * RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_metric_auc(const uint32_t *ranked, size_t n_ranked, const uint32_t *truth,
                         size_t n_truth, size_t n_candidates, double *out);

/*
 * Beyond-accuracy metrics over many lists.  `lists` is a row-major
 * n_lists x list_len matrix of item indices in [0, n_items), RS_NO_ITEM for
 * padding.  An index >= n_items (other than RS_NO_ITEM) is RS_ERR_RANGE.
 * All are thread-safe and leave *out unchanged on error.
 */

/**
 * rs_metric_coverage - catalogue coverage: |distinct items in all lists| / n_items.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL lists with n_lists * list_len > 0, NULL
 * out); RS_ERR_RANGE (n_items = 0, an item out of range); RS_ERR_OVERFLOW;
 * RS_ERR_NOMEM.
 */
RS_API int rs_metric_coverage(const uint32_t *lists, size_t n_lists, size_t list_len,
                              size_t n_items, double *out);

/**
 * rs_metric_novelty - mean self-information of the recommended items.
 *
 * @popularity  popularity[i] = how many of the n_users users interacted with
 *              item i (n_items entries).
 * @n_users     the number of users popularity was counted over, >= 1.
 * @out         mean over every recommended item of -log2((pop_i + 1) /
 *              (n_users + 1)), in bits (the +1 keeps never-seen items finite).
 *              0 when the lists are empty.
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_RANGE (n_users = 0, a popularity above
 * n_users, an item out of range); RS_ERR_OVERFLOW.
 */
RS_API int rs_metric_novelty(const uint32_t *lists, size_t n_lists, size_t list_len,
                             const uint32_t *popularity, size_t n_items, size_t n_users,
                             double *out);

/**
 * rs_metric_diversity - intra-list diversity: 1 - mean pairwise cosine.
 *
 * @vectors  row-major n_items x dim item vectors (zero vectors have cosine 0
 *           with everything).
 * @out      for each list with at least two items, 1 - the mean cosine over
 *           its item pairs; averaged over those lists.  0 when no list has two
 *           items.  Values lie in [0, 2].
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_DIM (dim = 0); RS_ERR_RANGE (an item
 * out of range, a NaN or infinite vector component); RS_ERR_OVERFLOW.
 */
RS_API int rs_metric_diversity(const uint32_t *lists, size_t n_lists, size_t list_len,
                               const float *vectors, size_t n_items, size_t dim,
                               double *out);

/**
 * rs_metric_gini - Gini coefficient of item exposure across the catalogue.
 *
 * Exposure x_i = how many times item i appears in the lists (every catalogue
 * item counts, including those never shown).  With x sorted ascending,
 * G = sum_i (2i - n - 1) x_(i) / (n sum x), i = 1..n: 0 when every item is
 * shown equally often, (n - 1) / n when one item takes all exposure.  0 when
 * the lists are empty.
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_RANGE (n_items = 0, an item out of
 * range); RS_ERR_OVERFLOW; RS_ERR_NOMEM.
 */
RS_API int rs_metric_gini(const uint32_t *lists, size_t n_lists, size_t list_len,
                          size_t n_items, double *out);

/**
 * rs_metric_popularity_bias - how popular the recommendations are, relative
 * to the catalogue.
 *
 * @popularity  interaction counts per item (n_items entries).
 * @out         (mean popularity of the recommended items) / (mean popularity
 *              of the catalogue items): 1 means no bias, above 1 a bias
 *              toward popular items.  0 when the lists are empty.
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_RANGE (n_items = 0, an item out of
 * range, every popularity 0); RS_ERR_OVERFLOW.
 */
RS_API int rs_metric_popularity_bias(const uint32_t *lists, size_t n_lists, size_t list_len,
                                     const uint32_t *popularity, size_t n_items,
                                     double *out);

/* @@EVAL@@ end of section */


/* ======================================================================
 * sim: user simulation, rs_sim (src/sim)
 * ==================================================================== */

/* @@SIM@@ end of section */



#ifdef __cplusplus
}
#endif

#endif /* RECSIM_H */
