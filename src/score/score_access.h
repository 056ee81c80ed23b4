/*
 * score_access.h - what other modules (the simulator) may read of a scorer
 * beyond the public API, without seeing its layout (score_internal.h is
 * the module's own).  Pointers are borrowed: they live as long as the
 * scorer.
 */
#ifndef RS_SCORE_ACCESS_H
#define RS_SCORE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recsim.h"

/* The user model and item store the scorer was created on. */
const rs_user_model *rs__scorer_users(const rs_scorer *scorer);
const rs_item_store *rs__scorer_store(const rs_scorer *scorer);

/* The scorer's "now" (the time of the model's latest event) into *now_out;
 * false, *now_out 0, when its events carry no time. */
bool rs__scorer_now(const rs_scorer *scorer, int64_t *now_out);

/* True when the scorer's collaborative model scores a history as a sum of
 * rows (rs__cf_model_additive), so the simulator may keep each user's sum
 * (rs__score_ucache); *cf_n is then the length of that sum. */
bool rs__scorer_cf_additive(const rs_scorer *scorer, size_t *cf_n);

/*
 * One user's collaborative scores kept between calls (the simulator's
 * scorer policy, sim/policy.c): the model's raw scores of the entries
 * ci/cw[0 .. n).  When the next call's entries begin with these (a history
 * that only grew, the usual case with binary weights), only the new rows are
 * added; any other history is scored afresh.  Exact: the kept sum and the
 * added rows make the same float adds in the same order as scoring the whole
 * history (rs__cf_model_score_add), so the rankings have the same bits.
 * Zero it to start; free with rs__score_ucache_free.  Used only for models
 * whose score is a sum of rows (rs__cf_model_additive), else ignored.  The
 * user's TF-IDF content profile is kept alike (score_content.c): its word
 * sums extended by the new history entries, the same adds in the same order.
 */
struct rs__score_profile; /* score_content.c */
typedef struct rs__score_ucache {
    struct rs__score_profile *profile; /* the TF-IDF profile, or NULL */
    float *sum; /* cf_n raw scores, or NULL before the first call */
    uint32_t *ci;
    float *cw;
    size_t n, cap;
    int valid;
    uint64_t hits, misses; /* calls that extended the sum / scored afresh */
} rs__score_ucache;
void rs__score_ucache_free(rs__score_ucache *c);
void rs__score_profile_free(struct rs__score_profile *p);
/* The kept sums of many users at once (want[i] != 0, or all when want is
 * NULL; users without a valid sum), a block of the collaborative operator's
 * columns at a time over every history, on up to threads threads: the
 * operator is read once instead of a row per history item per user, and
 * each sum has the bits of the user's plain scoring.  Only for the dense
 * kinds; users it cannot fill (unknown, empty, out of memory) are left to
 * the plain path.  Always RS_OK (the error state unchanged). */
int rs__score_ucache_prefill(const rs_scorer *s, const char *const *users, const uint8_t *want,
                             size_t n_users, rs__score_ucache *caches, unsigned threads);
/* rs_scorer_recommend_filtered (deny only) through the user's kept
 * collaborative scores: the same items, in the same order. */
int rs__score_recommend_cached(const rs_scorer *s, const char *user, size_t k,
                               const uint64_t *deny, size_t deny_words, uint32_t *items_out,
                               size_t *n_out, rs__score_ucache *cache);
#endif
