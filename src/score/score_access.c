/*
 * score_access.c - the scorer's accessors for other modules (see
 * score_access.h).
 */
#include "score/score_access.h"
#include "score/score_internal.h"
#include "learn/cf_internal.h"

const rs_user_model *rs__scorer_users(const rs_scorer *scorer)
{
    return scorer->users;
}

const rs_item_store *rs__scorer_store(const rs_scorer *scorer)
{
    return scorer->store;
}

bool rs__scorer_now(const rs_scorer *scorer, int64_t *now_out)
{
    *now_out = scorer->has_now ? scorer->t_now : 0;
    return scorer->has_now;
}

bool rs__scorer_cf_additive(const rs_scorer *scorer, size_t *cf_n)
{
    *cf_n = scorer->cf_n;
    return scorer->cf && rs__cf_model_additive(scorer->cf);
}
