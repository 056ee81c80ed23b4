/* TEMPORARY (model-evalsim): default-only option hooks used by model_eval.c and model_sim.c until the lead's model_options.c is merged; the lead deletes this file at the merge.
 *
 * Every definition is weak, so that the real ones (model_options.c,
 * model-core's files) win wherever they are linked.
 */
#include "model/model_internal.h"

#include "core/error.h"

#include <string.h>

#define RS__TMP_WEAK __attribute__((weak))

RS__TMP_WEAK int64_t rs__model_opt_int(const struct rs__model_options *o, const char *name)
{
    (void)o;
    if (strcmp(name, "eval.k") == 0)
        return 10;
    if (strcmp(name, "eval.min_history") == 0)
        return 1;
    return 0;
}

RS__TMP_WEAK double rs__model_opt_double(const struct rs__model_options *o, const char *name)
{
    (void)o;
    (void)name;
    return 0;
}

RS__TMP_WEAK const char *rs__model_opt_text(const struct rs__model_options *o, const char *name)
{
    (void)o;
    (void)name;
    return "";
}

RS__TMP_WEAK int rs__model_options_apply_eval(const struct rs__model_options *o, rs_eval *eval)
{
    (void)o;
    return rs_eval_set_int(eval, RS_EVAL_K, 10);
}

RS__TMP_WEAK int rs__model_options_apply_sim(const struct rs__model_options *o, rs_sim *sim)
{
    (void)o;
    (void)sim;
    return RS_OK;
}

RS__TMP_WEAK int rs__model_options_apply_scorer(const struct rs__model_options *o,
                                                rs_scorer *scorer)
{
    (void)o;
    (void)scorer;
    return RS_OK;
}

/* model-core's (model.c, model_build.c): stubs until that branch is merged. */
RS__TMP_WEAK int rs__model_check_built(const rs_model *m)
{
    if (!m || !m->scorer)
        return rs__fail(RS_ERR_STATE, "the model is not built (run rs_model_build)");
    return RS_OK;
}

RS__TMP_WEAK int rs__model_fit(rs_graph *graph, const struct rs__model_options *o,
                               struct rs__model_parts *out)
{
    (void)graph;
    (void)o;
    (void)out;
    return rs__fail(RS_ERR_STATE, "rs__model_fit: not merged yet");
}

RS__TMP_WEAK void rs__model_parts_free(struct rs__model_parts *p)
{
    (void)p;
}
