/* The names issue 19 replaced, used once each (make header-check): this
 * must compile with -Wno-deprecated-declarations and must fail with
 * -Werror=deprecated-declarations, in C and C++ (RS_DEPRECATED and
 * RS_DEPRECATED_ENUMERATOR really warn).  DEPRECATED_ONLY picks one use,
 * so that every name is shown to warn on its own. */
#include "recsim.h"

#ifndef DEPRECATED_ONLY
#define DEPRECATED_ONLY 0
#endif

int header_deprecated_uses(void);
int header_deprecated_uses(void)
{
    int sum = 0;
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 1
    { rs_format x = RS_FORMAT_CSV; sum += (int)x; }
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 2
    { rs_role x = RS_ROLE_USER; sum += (int)x; }
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 3
    { rs_norm x = RS_NORM_SCALE; sum += (int)x; }
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 4
    { rs_match x = RS_MATCH_EXACT; sum += (int)x; }
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 5
    { rs_drop x = RS_DROP_MATCH; sum += (int)x; }
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 6
    { rs_type x = RS_TYPE_NUMBER; sum += (int)x; }
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 7
    { rs_part x = RS_PART_TRAIN; sum += (int)x; }
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 8
    { rs_metric x = RS_EVAL_METRIC_NDCG; sum += (int)x; }
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 9
    sum += RS_METRIC_COSINE;
#endif
#if DEPRECATED_ONLY == 0 || DEPRECATED_ONLY == 10
    sum += RS_METRIC_RECALL;
#endif
    return sum;
}
