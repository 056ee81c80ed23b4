/*
 * item_from_cf.c - rs_cf_model_item_store: an item store of a fitted ALS
 * model's item factors.
 *
 * Declared with the collaborative model (its input), it lives here because
 * it makes an item store: learn sits below items and does not create them
 * (ARCHITECTURE.md, build-aux/check-layers.py).  It reads the model through
 * its public API only.
 */
#include "core/alloc.h"
#include "core/error.h"
#include "recsim.h"

#include <stdlib.h>

int rs_cf_model_item_store(const rs_cf_model *model, const char *const *item_keys,
                           size_t n_items, rs_item_store **out)
{
    const char *fn = "rs_cf_model_item_store";
    rs_item_store *store = NULL;
    size_t dim;
    float *factors;
    int rc;
    if (out)
        *out = NULL;
    if (!model || !item_keys || !out)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !model ? "model" : !item_keys ? "item_keys" : "out");
    dim = rs_cf_model_dim(model); /* 0 until an ALS fit */
    if (rs_cf_model_kind(model) != RS_CF_ALS || dim == 0)
        return rs__fail(RS_ERR_STATE, "%s: not a fitted ALS model", fn);
    if (n_items != rs_cf_model_items(model))
        return rs__fail(RS_ERR_DIM, "%s: %zu keys, the model has %zu items", fn, n_items,
                        rs_cf_model_items(model));
    if (!(factors = rs__alloc_array(dim, sizeof *factors)))
        return RS_ERR_NOMEM;
    rc = rs_item_store_create(dim, &store);
    for (size_t i = 0; rc == 0 && i < n_items; i++) {
        uint32_t index;
        rc = rs_cf_model_item_factors(model, (uint32_t)i, factors, dim);
        if (rc == 0)
            rc = rs_item_store_add(store, item_keys[i], factors, dim, &index);
        if (rc < 0)
            rs__fail_context("%s: item %zu: ", fn, i);
    }
    free(factors);
    if (rc < 0) {
        rs_item_store_free(store);
        return rc;
    }
    *out = store;
    return RS_OK;
}
