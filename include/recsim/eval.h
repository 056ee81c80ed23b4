/*
 * recsim/eval.h - splits and metrics (src/eval).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, graph.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_EVAL_H
#define RECSIM_EVAL_H

#include "base.h"
#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

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
typedef enum rs_eval_metric {
    RS_EVAL_METRIC_PRECISION = 0, /* hits / k */
    RS_EVAL_METRIC_RECALL = 1,    /* hits / |truth| */
    RS_EVAL_METRIC_F1 = 2,        /* 2 P R / (P + R), 0 when both are 0 */
    RS_EVAL_METRIC_NDCG = 3,      /* binary-gain NDCG */
    RS_EVAL_METRIC_MAP = 4,       /* average precision, normalised by min(|truth|, k) */
    RS_EVAL_METRIC_MRR = 5,       /* 1 / rank of the first hit, 0 without a hit */
    RS_EVAL_METRIC_HIT_RATE = 6,  /* 1 if any hit, else 0 */
    /* the names before release 1.1 (issue 19), shared with the item metrics */
    RS_METRIC_PRECISION RS_DEPRECATED_ENUMERATOR("use RS_EVAL_METRIC_PRECISION") = 0,
    RS_METRIC_RECALL RS_DEPRECATED_ENUMERATOR("use RS_EVAL_METRIC_RECALL") = 1,
    RS_METRIC_F1 RS_DEPRECATED_ENUMERATOR("use RS_EVAL_METRIC_F1") = 2,
    RS_METRIC_NDCG RS_DEPRECATED_ENUMERATOR("use RS_EVAL_METRIC_NDCG") = 3,
    RS_METRIC_MAP RS_DEPRECATED_ENUMERATOR("use RS_EVAL_METRIC_MAP") = 4,
    RS_METRIC_MRR RS_DEPRECATED_ENUMERATOR("use RS_EVAL_METRIC_MRR") = 5,
    RS_METRIC_HIT_RATE RS_DEPRECATED_ENUMERATOR("use RS_EVAL_METRIC_HIT_RATE") = 6
} rs_eval_metric;
/* rs_metric: the name before release 1.1 (issue 19), the same type. */
typedef rs_eval_metric rs_metric RS_DEPRECATED("use rs_eval_metric");

/* How many rs_eval_metric values this library knows (7 in 1.0). */
#define RS_EVAL_METRIC_COUNT 7
/* The name before release 1.1 (issue 19); a macro cannot warn, but it is
 * deprecated with the RS_METRIC_* enumerators. */
#define RS_METRIC_COUNT RS_EVAL_METRIC_COUNT

/**
 * rs_metric_at_k - one ranking metric of one recommendation list at cut-off k.
 *
 * @metric    an rs_eval_metric value.
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
 * rs_metric_name - the short name of an rs_eval_metric ("ndcg", "precision", ...).
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

/*
 * Splits.  An interaction log is a list of events (user, item, time,
 * weight); a split assigns each event a part.  The split functions work on
 * plain arrays (users[i], items[i], times[i] describe event i) and on an
 * in/out array of parts: only events whose part is RS_PART_TRAIN take part,
 * and those a rule holds out get the part asked for.  So a validation split
 * is carved from train by calling the same rule again with RS_PART_VALID.
 * Every rule is deterministic: the same input and seed give the same parts,
 * whatever the order of users or the thread count.
 */

/* The part of an event in a split.  Values are append-only. */
typedef enum rs_eval_part {
    RS_PART_TRAIN = 0, /* fit on it */
    RS_PART_TEST = 1,  /* evaluate on it */
    RS_PART_VALID = 2  /* tune on it (a hold-out carved from train) */
} rs_eval_part;
/* rs_part: the name before release 1.1 (issue 19), the same type. */
typedef rs_eval_part rs_part RS_DEPRECATED("use rs_eval_part");

/* How many rs_eval_part values this library knows (3 in 1.0). */
#define RS_PART_COUNT 3

/**
 * rs_split_random - random per-user hold-out of (user, item) pairs.
 *
 * @users, @items  n_events user and item indices (any uint32 values).
 * @n_events       the number of events (0 is allowed).
 * @fraction       the share of each user's distinct items to hold out, in
 *                 (0, 1): a user with n distinct items loses
 *                 round(fraction * n) of them, at least 1 and at most n - 1.
 * @min_history    users with fewer than max(min_history, 2) distinct items
 *                 (among the events still in train) keep everything.
 * @seed           the random seed: the items held out of a user depend only
 *                 on (seed, user index, the user's items), not on the order
 *                 of events.
 * @part           RS_PART_TEST or RS_PART_VALID: the part held-out events get.
 * @parts          in/out, n_events entries: events in RS_PART_TRAIN take
 *                 part, every other event is left alone.
 *
 * A pair is held out whole: every train event of a chosen (user, item) moves,
 * so that a held-out item is new to its user.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL arrays with n_events > 0, part not
 * TEST or VALID, a part value above RS_PART_VALID in parts); RS_ERR_RANGE
 * (fraction NaN or outside (0, 1)); RS_ERR_NOMEM.  parts is unchanged on
 * error.  Thread-safe.
 */
RS_API int rs_split_random(const uint32_t *users, const uint32_t *items, size_t n_events,
                           double fraction, size_t min_history, uint64_t seed, int part,
                           uint8_t *parts);

/**
 * rs_split_temporal - a global cut in time.
 *
 * @times     n_events timestamps.
 * @cut       train events with time >= cut get `part`; earlier ones stay.
 * Other parameters as in rs_split_random().
 *
 * Returns RS_OK, RS_ERR_INVALID.  Thread-safe.
 */
RS_API int rs_split_temporal(const int64_t *times, size_t n_events, int64_t cut, int part,
                             uint8_t *parts);

/**
 * rs_split_last - leave the last n_last items of each user out.
 *
 * @users, @items, @times  n_events events.
 * @n_last                 how many of each user's distinct items to hold
 *                         out, >= 1; a user keeps at least one item.
 * @min_history            users with fewer than max(min_history, 2)
 *                         distinct train items keep everything.
 *
 * A user's distinct items are ordered by the time of their first event
 * (ties: the event that comes first in the arrays); the n_last items first
 * met latest are held out with all their train events (the "next new
 * items" protocol: a held-out item is new to its user).
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_RANGE (n_last = 0); RS_ERR_NOMEM.
 * Thread-safe.
 */
RS_API int rs_split_last(const uint32_t *users, const uint32_t *items, const int64_t *times,
                         size_t n_events, size_t n_last, size_t min_history, int part,
                         uint8_t *parts);

/*
 * An event log with string keys, the input of the evaluation runner: events
 * added one by one, or taken from a graph's interaction edges, split by the
 * rules above, written to a TSV file and read back.
 *
 * Thread safety: one thread at a time; read-only calls may run concurrently.
 */
typedef struct rs_events rs_events;

/**
 * rs_events_create - an empty event log.
 *
 * @out  receives the log, owned by the caller (rs_events_free).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL out), RS_ERR_NOMEM.
 */
RS_API int rs_events_create(rs_events **out);

/**
 * rs_events_free - release an event log; NULL is a no-op.
 */
RS_API void rs_events_free(rs_events *events);

/**
 * rs_events_add - append one event, in part RS_PART_TRAIN.
 *
 * @user, @item  keys (UTF-8, 1 to RS_MAX_KEY_BYTES bytes, no tab, CR or
 *               newline so that the log can be written as TSV).
 * @time         any timestamp (e.g. Unix seconds).
 * @weight       finite (e.g. 1, a quantity, a rating).
 *
 * Users and items get dense indices in order of first appearance.
 * Returns RS_OK; RS_ERR_INVALID (NULL, empty key, a key with a tab or line
 * break); RS_ERR_RANGE (key too long, weight NaN or infinite);
 * RS_ERR_ENCODING; RS_ERR_LIMIT; RS_ERR_NOMEM.  The log is unchanged on
 * error.
 */
RS_API int rs_events_add(rs_events *events, const char *user, const char *item, int64_t time,
                         double weight);

/**
 * rs_events_from_graph - the interaction edges of a graph as an event log.
 *
 * @graph     the graph (read only).
 * @relation  keep only edges of this relation (e.g. "bought"), or NULL for
 *            every edge from a "user" node to an "item" node.
 * @out       receives the new log (rs_events_free).
 *
 * One event per edge user -> item: key of each node, the edge's timestamp
 * and weight.  Events come ordered by user node index, then item node index.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL argument); RS_ERR_NOTFOUND (unknown
 * relation); RS_ERR_IO (reading edge timestamps); RS_ERR_NOMEM.
 */
RS_API int rs_events_from_graph(const rs_graph *graph, const char *relation, rs_events **out);

/**
 * rs_events_count - the number of events (0 for NULL).
 */
RS_API size_t rs_events_count(const rs_events *events);

/**
 * rs_events_part_count - how many events are in a part (0 for NULL or an
 * unknown part).
 */
RS_API size_t rs_events_part_count(const rs_events *events, int part);

/**
 * rs_events_get - one event.
 *
 * @index      0 .. rs_events_count() - 1.
 * @user_out, @item_out  borrowed keys, valid until the log is freed; any
 *             output may be NULL.
 * @time_out, @weight_out, @part_out  the event's fields.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL log), RS_ERR_NOTFOUND (index).
 */
RS_API int rs_events_get(const rs_events *events, size_t index, const char **user_out,
                         const char **item_out, int64_t *time_out, double *weight_out,
                         int *part_out);

/**
 * rs_events_reset - put every event back in RS_PART_TRAIN.
 *
 * Returns RS_OK or RS_ERR_INVALID.
 */
RS_API int rs_events_reset(rs_events *events);

/**
 * rs_events_split_random, rs_events_split_temporal, rs_events_split_last -
 * apply rs_split_random(), rs_split_temporal() or rs_split_last() to the
 * log's events and parts (user and item indices in order of first
 * appearance).  Same parameters and errors; the log is unchanged on error.
 */
RS_API int rs_events_split_random(rs_events *events, double fraction, size_t min_history,
                                  uint64_t seed, int part);
RS_API int rs_events_split_temporal(rs_events *events, int64_t cut, int part);
RS_API int rs_events_split_last(rs_events *events, size_t n_last, size_t min_history,
                                int part);

/**
 * rs_events_write - write the log as a TSV file.
 *
 * @path  created or truncated.  The first line is the header
 *        "user\titem\ttime\tweight\tpart", then one line per event in order:
 *        keys verbatim, time as an integer, weight with 17 significant
 *        digits (it reads back exactly), part as "train", "test" or "valid".
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_IO (naming the path).
 */
RS_API int rs_events_write(const rs_events *events, const char *path);

/**
 * rs_events_read - read a file written by rs_events_write().
 *
 * @path  the file.  Columns are found by header name; "part" is optional
 *        (every event in train without it), and so are "time" (0) and
 *        "weight" (1), so a plain "user\titem" file reads too.
 * @out   receives the new log (rs_events_free).
 *
 * Returns RS_OK; RS_ERR_INVALID; RS_ERR_IO; RS_ERR_PARSE (a bad number or
 * part, naming file:line); RS_ERR_NOTFOUND (no user or item column); the
 * errors of rs_events_add() and of the reader.  On error *out is NULL.
 */
RS_API int rs_events_read(const char *path, rs_events **out);

/*
 * The evaluation runner.  rs_eval_create() freezes a split of an event log:
 *
 *  - the catalogue is the set of items with a train event, indexed
 *    0 .. n-1 in byte order of their keys;
 *  - users keep the log's indices (order of first appearance);
 *  - warm users (RS_EVAL_WARM) are users with a train event; their truth set
 *    T_u is the catalogue items they have a test event with and no train
 *    event (with RS_EVAL_EXCLUDE_TRAIN 0: every catalogue item with a test
 *    event); users with an empty T_u are not evaluated;
 *  - cold users (RS_EVAL_COLD) are users with no train event and at least
 *    RS_EVAL_COLD_MIN_ITEMS catalogue items in test; nothing is excluded;
 *  - test items outside the catalogue are ignored.
 *
 * A recommender is a host callback, or one of the built-in baselines; each
 * run evaluates every user of the current group at cut-off k (in parallel)
 * and appends a row of averages to the result table, so that several
 * configurations are compared side by side on one split.
 *
 * Thread safety: one thread at a time (the runner itself calls the
 * recommender from several threads, see rs_recommender_fn).
 */
typedef struct rs_eval rs_eval;

/* User groups, for RS_EVAL_GROUP. */
#define RS_EVAL_WARM 0
#define RS_EVAL_COLD 1

/* Options of the runner, rs_eval_set_int(). */
typedef enum rs_eval_option {
    RS_EVAL_K = 0,              /* cut-off, 1..10000; default 10 */
    RS_EVAL_GROUP = 1,          /* RS_EVAL_WARM (default) or RS_EVAL_COLD */
    RS_EVAL_EXCLUDE_TRAIN = 2,  /* 1 (default): a warm user's train items are
                                   excluded from its list and its truth; 0: not */
    RS_EVAL_COLD_MIN_ITEMS = 3, /* a cold user needs this many test items,
                                   1..2^31; default 1 */
    RS_EVAL_RECENT_END = 4,     /* the end (exclusive) of recent-popular's
                                   window, any time; default the latest train
                                   event's time + 1 */
    RS_EVAL_SEED = 5,           /* seed of the random baseline, >= 0; default 0 */
    RS_EVAL_THREADS = 6,        /* worker threads, 0..1024; 0 (default) is
                                   rs_get_num_threads(); 1 calls the
                                   recommender on the calling thread only */
    RS_EVAL_SHARDS = 7,         /* since 1.1: runs evaluate one shard of the
                                   group's users, 1..65536; default 1 (all) */
    RS_EVAL_SHARD = 8           /* since 1.1: which shard, 0..RS_EVAL_SHARDS-1
                                   (checked at the run); default 0.  Shard s
                                   of S is the contiguous block of positions
                                   [n s / S, n (s + 1) / S) of the n users in
                                   ascending order; see rs_eval_result_part() */
} rs_eval_option;

/* Built-in recommenders, rs_eval_run_baseline(). */
typedef enum rs_baseline {
    RS_BASELINE_RANDOM = 0,        /* uniform random, seeded per user */
    RS_BASELINE_MOST_POPULAR = 1,  /* score = distinct train users of the item */
    RS_BASELINE_RECENT_POPULAR = 2, /* the same count over train events in the
                                       last `param` days before RS_EVAL_RECENT_END */
    RS_BASELINE_SEGMENT_POPULAR = 3 /* score = distinct train users of the user's
                                       segment (rs_eval_set_segment) with the item
                                       + global count / (max global count + 1);
                                       users without a segment: most-popular */
} rs_baseline;

/* How many rs_baseline values this library knows (4 in 1.0). */
#define RS_BASELINE_COUNT 4

/* Fields of a result row, rs_eval_result().  0..6 are the rs_eval_metric values
 * (averaged over the evaluated users), like RS_EVAL_AUC and
 * RS_EVAL_NDCG_GRADED; these have per-user values (rs_eval_result_users).
 * Values are append-only. */
typedef enum rs_eval_field {
    RS_EVAL_PRECISION = 0,
    RS_EVAL_RECALL = 1,
    RS_EVAL_F1 = 2,
    RS_EVAL_NDCG = 3,
    RS_EVAL_MAP = 4,
    RS_EVAL_MRR = 5,
    RS_EVAL_HIT_RATE = 6,
    RS_EVAL_COVERAGE = 7,      /* distinct recommended items / catalogue size */
    RS_EVAL_NOVELTY = 8,       /* rs_metric_novelty over the train popularity */
    RS_EVAL_GINI = 9,          /* rs_metric_gini of the exposure */
    RS_EVAL_POP_BIAS = 10,     /* rs_metric_popularity_bias (0 without train) */
    RS_EVAL_USERS = 11,        /* the number of evaluated users */
    RS_EVAL_SECONDS = 12,      /* wall seconds of the run (recommend + metrics) */
    RS_EVAL_K_USED = 13,       /* the cut-off of the run */
    RS_EVAL_GROUP_USED = 14,   /* RS_EVAL_WARM or RS_EVAL_COLD */
    RS_EVAL_AUC = 15,          /* rs_metric_auc of the top-k list against the
                                  user's candidates (the catalogue less the
                                  excluded items, which are dropped from the
                                  list for it); averaged over the users with at
                                  least one negative candidate (NaN if none) */
    RS_EVAL_NDCG_GRADED = 16   /* rs_metric_ndcg_graded, the gain of a truth
                                  item being the sum of the weights of the
                                  user's test events with it (at least 0) */
} rs_eval_field;

/* How many rs_eval_field values this library knows (17 in 1.0). */
#define RS_EVAL_FIELD_COUNT 17

/* Formats of rs_eval_report(). */
#define RS_EVAL_TABLE 0 /* a text table, one line per run */
#define RS_EVAL_JSON 1  /* a JSON array of objects, one per run */

/**
 * rs_recommender_fn - a recommender the runner evaluates.
 *
 * @context    the pointer given to rs_eval_run().
 * @user       the user's index in the event log (rs_eval_user_key()).
 * @k          how many items are wanted.
 * @exclude    the catalogue items that must not be recommended (the user's
 *             train items, ascending; empty for cold users or without
 *             RS_EVAL_EXCLUDE_TRAIN).  Borrowed for the call.
 * @n_exclude  its length.
 * @items_out  k entries to fill with catalogue indices, best first.
 * @n_out      set to how many were written (<= k; fewer is allowed).
 *
 * Returns 0, or a non-zero value to stop the run with RS_ERR_CALLBACK.
 * Called from up to RS_EVAL_THREADS threads at once: it must be safe to call
 * concurrently (or set RS_EVAL_THREADS to 1).
 */
typedef int (*rs_recommender_fn)(void *context, uint32_t user, size_t k,
                                 const uint32_t *exclude, size_t n_exclude,
                                 uint32_t *items_out, size_t *n_out);

/**
 * rs_eval_create - freeze a split of an event log for evaluation.
 *
 * @events     the log; copied, so it may be freed or changed afterwards.
 * @test_part  RS_PART_TEST, or RS_PART_VALID to evaluate on the validation
 *             part (events in the third part are ignored).
 * @out        receives the runner (rs_eval_free).
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL argument, test_part not TEST or
 * VALID); RS_ERR_NOMEM.
 */
RS_API int rs_eval_create(const rs_events *events, int test_part, rs_eval **out);

/**
 * rs_eval_free - release a runner; NULL is a no-op.
 */
RS_API void rs_eval_free(rs_eval *eval);

/**
 * rs_eval_set_int - set an option (rs_eval_option); it applies to later runs.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL eval, unknown option), RS_ERR_RANGE
 * (outside the option's range).
 */
RS_API int rs_eval_set_int(rs_eval *eval, int option, int64_t value);

/**
 * rs_eval_get_int - the value of an option into *value_out.
 *
 * Returns RS_OK, RS_ERR_INVALID.
 */
RS_API int rs_eval_get_int(const rs_eval *eval, int option, int64_t *value_out);

/**
 * rs_eval_item_count - the catalogue size (0 for NULL).
 */
RS_API size_t rs_eval_item_count(const rs_eval *eval);

/**
 * rs_eval_item_key - the key of catalogue item `item` (borrowed, valid until
 * rs_eval_free), or NULL when out of range.
 */
RS_API const char *rs_eval_item_key(const rs_eval *eval, uint32_t item);

/**
 * rs_eval_item_find - the catalogue index of an item key.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (not in the catalogue).
 */
RS_API int rs_eval_item_find(const rs_eval *eval, const char *key, uint32_t *item_out);

/**
 * rs_eval_user_span - the number of user indices (users of the log).
 */
RS_API size_t rs_eval_user_span(const rs_eval *eval);

/**
 * rs_eval_user_key - the key of user index `user` (borrowed), or NULL.
 */
RS_API const char *rs_eval_user_key(const rs_eval *eval, uint32_t user);

/**
 * rs_eval_users - the users evaluated in the current group, ascending.
 *
 * @users_out  capacity entries; may be NULL when capacity is 0.
 * @n_out      the number of users.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_BUFFER (the first capacity are
 * written, *n_out holds the number needed).
 */
RS_API int rs_eval_users(const rs_eval *eval, uint32_t *users_out, size_t capacity,
                         size_t *n_out);

/**
 * rs_eval_train_items - a user's train items (catalogue indices, ascending),
 * for a recommender to fit on exactly the train part.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (user out of range),
 * RS_ERR_BUFFER (as in rs_eval_users()).
 */
RS_API int rs_eval_train_items(const rs_eval *eval, uint32_t user, uint32_t *items_out,
                               size_t capacity, size_t *n_out);

/**
 * rs_eval_truth - a user's truth set in the current group (catalogue
 * indices, ascending; empty for a user not evaluated).
 *
 * Returns as rs_eval_train_items().
 */
RS_API int rs_eval_truth(const rs_eval *eval, uint32_t user, uint32_t *items_out,
                         size_t capacity, size_t *n_out);

/**
 * rs_eval_run - evaluate a recommender over every user of the current group.
 *
 * @name       the row's name in the table (copied; UTF-8).
 * @recommend  the recommender.
 * @context    passed through.
 * @row_out    receives the index of the new result row; may be NULL.
 *
 * Users are served in parallel; every per-user metric is computed with
 * rs_metric_at_k() (repeats in a list, RS_NO_ITEM and indices outside the
 * catalogue are misses), rs_metric_auc() and rs_metric_ndcg_graded(), and
 * averaged in user order, so the result does not depend on the thread count.
 * A user's list and values are kept (rs_eval_write_recs(),
 * rs_eval_result_users()).  While the run lasts, OpenBLAS runs
 * single-threaded (the runner parallelises over users; nested BLAS threads
 * on per-user products only contend), and the BLAS thread count is restored
 * afterwards.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL argument); RS_ERR_STATE (no user to
 * evaluate); RS_ERR_CALLBACK (the recommender failed, or reported more than
 * k items, naming the user); RS_ERR_NOMEM.  No row is added on error.
 */
RS_API int rs_eval_run(rs_eval *eval, const char *name, rs_recommender_fn recommend,
                       void *context, size_t *row_out);

/**
 * rs_eval_set_segment - put a user in a segment (a user attribute such as a
 * country), for RS_BASELINE_SEGMENT_POPULAR.
 *
 * @user     a user key of the event log.
 * @segment  the segment's name (a key: UTF-8, 1 to RS_MAX_KEY_BYTES bytes),
 *           or NULL to take the user out of any segment (the default).
 *
 * Train users of a segment define its popularity; cold users are served by
 * their own segment's ranking.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL eval or user, empty key);
 * RS_ERR_NOTFOUND (a user not in the log); RS_ERR_RANGE (key too long);
 * RS_ERR_ENCODING; RS_ERR_NOMEM.  Nothing changes on error.
 */
RS_API int rs_eval_set_segment(rs_eval *eval, const char *user, const char *segment);

/**
 * rs_eval_run_baseline - evaluate a built-in recommender (rs_baseline).
 *
 * @param    RS_BASELINE_RECENT_POPULAR: the window in days (> 0, finite);
 *           ignored by the others.
 * @row_out  receives the row index; may be NULL.
 *
 * Rankings sort the scores descending with ties to the lower catalogue
 * index, then skip excluded items.  Rows are named "random", "most-popular",
 * "recent-popular (N days)" and "segment-popular".
 *
 * Returns the statuses of rs_eval_run(); RS_ERR_INVALID (unknown baseline);
 * RS_ERR_RANGE (param).
 */
RS_API int rs_eval_run_baseline(rs_eval *eval, int baseline, double param, size_t *row_out);

/**
 * rs_eval_result_count - the number of result rows (runs so far).
 */
RS_API size_t rs_eval_result_count(const rs_eval *eval);

/**
 * rs_eval_result - one field (rs_eval_field) of a result row.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, unknown field), RS_ERR_NOTFOUND (row).
 */
RS_API int rs_eval_result(const rs_eval *eval, size_t row, int field, double *value_out);

/**
 * rs_eval_result_name - the name of a result row (borrowed), or NULL.
 */
RS_API const char *rs_eval_result_name(const rs_eval *eval, size_t row);

/**
 * rs_eval_result_users - the per-user values of a result row.
 *
 * @row         the result row.
 * @field       RS_EVAL_PRECISION .. RS_EVAL_HIT_RATE, RS_EVAL_AUC or
 *              RS_EVAL_NDCG_GRADED.
 * @users_out   capacity entries: the evaluated users (indices of the log,
 *              ascending, as rs_eval_users() gave at the run); may be NULL.
 * @values_out  capacity entries: each user's value of the field (NaN where
 *              it is undefined: AUC of a user without negatives); may be NULL.
 * @capacity    entries available (0 with both outputs NULL: RS_ERR_BUFFER
 *              and the count in *n_out, as rs_eval_users()).
 * @n_out       the number of evaluated users of the row.
 *
 * The row's average of the field is the mean of these values (over the
 * defined ones for AUC), summed in this order.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL eval or n_out, both outputs NULL with a
 * capacity, a field without per-user values); RS_ERR_NOTFOUND (row);
 * RS_ERR_BUFFER (the first capacity are written, *n_out holds the count).
 */
RS_API int rs_eval_result_users(const rs_eval *eval, size_t row, int field,
                                uint32_t *users_out, double *values_out, size_t capacity,
                                size_t *n_out);

/**
 * rs_eval_field_name - the short name of a field ("ndcg", "coverage",
 * "users", ...), or NULL for an unknown field.  Thread-safe.
 */
RS_API const char *rs_eval_field_name(int field);

/**
 * rs_eval_report - every result row as text.
 *
 * @format    RS_EVAL_TABLE (a header line, then per row: name, users, P, R,
 *            NDCG, MAP, MRR, HR, AUC, coverage, seconds) or RS_EVAL_JSON (an
 *            array of objects holding every field by its rs_eval_field_name();
 *            a NaN field is null).
 * @buf       receives the NUL-terminated text; may be NULL when capacity is 0.
 * @capacity  bytes available.
 * @len_out   the text's length without the NUL, also on RS_ERR_BUFFER.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_BUFFER (capacity < length + 1).
 */
RS_API int rs_eval_report(const rs_eval *eval, int format, char *buf, size_t capacity,
                          size_t *len_out);

/**
 * rs_eval_write_recs - write a run's lists as "user\titem\trank" lines.
 *
 * @row   the result row.
 * @path  created or truncated; one line per recommended item of every
 *        evaluated user, in user order, rank 1..k (the --eval-recs format of
 *        the retail protocol).
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (row), RS_ERR_IO.
 */
RS_API int rs_eval_write_recs(const rs_eval *eval, size_t row, const char *path);

/**
 * rs_eval_result_part - a result row as a part to merge (since 1.1): the
 * row's users, their per-user values and lists, the catalogue's popularity
 * and the shard the row covers (RS_EVAL_SHARDS, RS_EVAL_SHARD), as bytes
 * that can travel to another process or machine (of the same byte order).
 *
 * @row       the result row.
 * @buf       receives the part; may be NULL when capacity is 0.
 * @capacity  bytes available.
 * @len_out   the part's size in bytes, also on RS_ERR_BUFFER (call with
 *            capacity 0 first to learn it).
 *
 * A part is about (12 + 4 k + 72) bytes per user of the shard plus 4 bytes
 * per catalogue item.  Returns RS_OK; RS_ERR_INVALID (NULL eval or len_out,
 * NULL buf with a capacity); RS_ERR_NOTFOUND (row); RS_ERR_BUFFER;
 * RS_ERR_OVERFLOW.  Reads only.
 */
RS_API int rs_eval_result_part(const rs_eval *eval, size_t row, void *buf, size_t capacity,
                               size_t *len_out);

/**
 * rs_eval_merge_parts - the fields of a whole run from the parts of its
 * shards (since 1.1): the users are put back in order and every field is
 * computed as rs_eval_run() computes it on all the users at once, so that
 * the merged fields equal those of an unsharded run bit for bit (seconds
 * aside: here the sum of the shards' seconds).  Coverage, Gini, novelty,
 * popularity bias and the per-user averages are computed from the users'
 * lists and values, never averaged over the shards.
 *
 * @parts, @lens  n_parts parts (rs_eval_result_part), one per shard of the
 *                run, in any order; the same row of runners created alike
 *                (the same events, split and options but the shard).
 * @fields_out    n_fields entries: the rs_eval_field values in their order
 *                (the first n_fields of RS_EVAL_FIELD_COUNT).
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL, no part, n_fields 0); RS_ERR_RANGE
 * (more than 65536 parts); RS_ERR_CORRUPT (a part damaged or truncated, or
 * users missing or out of order); RS_ERR_VERSION (a part of a newer
 * format); RS_ERR_STATE (parts of different runs, a shard given twice, not
 * one part per shard); RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_eval_merge_parts(const void *const *parts, const size_t *lens, size_t n_parts,
                               double *fields_out, size_t n_fields);


/* ----------------------------------------------------------------------
 * The lists behind a result row
 * -------------------------------------------------------------------- */

/**
 * rs_eval_result_list - one evaluated user's list of a result row.
 *
 * @row        the result row.
 * @position   the user's position among the row's evaluated users
 *             (0 .. rs_eval_result_users()'s count - 1, in that order).
 * @user_out   receives the user's index in the log; may be NULL.
 * @items_out  capacity entries: the recommended catalogue items, best first
 *             (RS_NO_ITEM entries skipped); may be NULL when capacity is 0.
 * @n_out      the list's length.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL eval or n_out, NULL items_out with a
 * capacity); RS_ERR_NOTFOUND (row or position out of range); RS_ERR_BUFFER
 * (the first capacity are written, *n_out holds the length).  Reads only.
 */
RS_API int rs_eval_result_list(const rs_eval *eval, size_t row, size_t position,
                               uint32_t *user_out, uint32_t *items_out, size_t capacity,
                               size_t *n_out);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_EVAL_H */
