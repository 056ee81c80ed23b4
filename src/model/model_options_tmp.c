/* TEMPORARY (model-core branch): minimal rs__model_options_* hooks with the defaults only, so that the model's files link and test before the lead's model_options.c is merged; the lead deletes this file at merge.
 *
 * build.cf "ease", the collaborative model's own defaults (lambda), embedder
 * dimension 256, build.relation "" (every relation); nothing is saved.
 */
#include "model/model_internal.h"

#include <stdlib.h>
#include <string.h>

void rs__model_options_init(struct rs__model_options *o)
{
    memset(o, 0, sizeof *o);
}

void rs__model_options_free(struct rs__model_options *o)
{
    for (size_t i = 0; i < RS__MODEL_MAX_OPTIONS; i++) {
        free(o->text[i]);
        o->text[i] = NULL;
    }
}

int rs__model_options_copy(struct rs__model_options *dst, const struct rs__model_options *src)
{
    (void)src;
    rs__model_options_init(dst);
    return RS_OK;
}

int rs__model_options_load(struct rs__model_options *o, rs_graph *graph)
{
    (void)graph;
    rs__model_options_init(o);
    return RS_OK;
}

int rs__model_options_save(const struct rs__model_options *o, rs_graph *graph)
{
    (void)o;
    (void)graph;
    return RS_OK;
}

int64_t rs__model_opt_int(const struct rs__model_options *o, const char *name)
{
    (void)o;
    return strcmp(name, "build.dim") == 0 ? 256 : 0;
}

double rs__model_opt_double(const struct rs__model_options *o, const char *name)
{
    (void)o;
    (void)name;
    return 0.0;
}

const char *rs__model_opt_text(const struct rs__model_options *o, const char *name)
{
    (void)o;
    return strcmp(name, "build.cf") == 0 ? "ease" : "";
}

int rs__model_options_cf_kind(const struct rs__model_options *o)
{
    (void)o;
    return RS_CF_EASE;
}

int rs__model_options_apply_scorer(const struct rs__model_options *o, rs_scorer *scorer)
{
    (void)o;
    (void)scorer;
    return RS_OK;
}

int rs__model_options_apply_embedder(const struct rs__model_options *o, rs_embedder *embedder)
{
    (void)o;
    return rs_embedder_set_int(embedder, RS_EMBEDDER_DIM, 256);
}

int rs__model_options_apply_cf(const struct rs__model_options *o, rs_cf_model *cf)
{
    (void)o;
    (void)cf;
    return RS_OK;
}

int rs__model_options_apply_sim(const struct rs__model_options *o, rs_sim *sim)
{
    (void)o;
    (void)sim;
    return RS_OK;
}

int rs__model_options_apply_eval(const struct rs__model_options *o, rs_eval *eval)
{
    (void)o;
    (void)eval;
    return RS_OK;
}
