/*
 * cf_blob.h - the collaborative models' tests: edit a saved model's blob.
 * Include after testutil.h and graph/graph_internal.h.
 */
#ifndef RS_TESTS_CF_BLOB_H
#define RS_TESTS_CF_BLOB_H

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

/* Edit a saved model's blob in place and put it back with a fresh
 * checksum, so that only the edit is wrong.  Offsets: the header is
 * "RSCF", format, kind, 0 (16 bytes), n_users, n_items, dim (u64 at 16,
 * 24, 32), 9 int options (at 40), 9 doubles (at 112: alpha, lambda, shrink,
 * init_scale, beta, dropout, ideal weight, fit alpha, fit lambda), count
 * (at 184), the arrays from 192. */
#define BLOB_ARRAYS 192
static void rewrite_blob(rs_graph *g, const char *key, size_t offset, const void *bytes,
                         size_t n)
{
    void *blob;
    size_t len;
    ck_assert_ok(rs__graph_meta_get(g, key, &blob, &len));
    ck_assert_uint_ge(len, offset + n + 8);
    memcpy((unsigned char *)blob + offset, bytes, n);
    uint64_t sum = XXH3_64bits(blob, len - 8);
    memcpy((unsigned char *)blob + len - 8, &sum, 8);
    ck_assert_ok(rs__graph_meta_set(g, key, blob, len));
    free(blob);
}

#endif
