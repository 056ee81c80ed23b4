/*
 * test_core_names.c - the public names that issue 19 replaced still work:
 * the old type names are the same types, the old enumerators have the same
 * values and mean the same to the library; and the count constants bound
 * their enumerations.  Compiled with -Wno-deprecated-declarations (the
 * Makefile), because using the old names is the point; every other file
 * uses the new names, and header-check proves that the old ones warn.
 */
#include "testutil.h"

#include <stdint.h>
#include <string.h>

START_TEST(old_type_names_are_the_same_types)
{
    /* Pointer assignments between the old and new spellings compile only
     * if they name one type (-Werror rejects incompatible pointers). */
    rs_format format = RS_FORMAT_TSV;
    rs_reader_format *format_p = &format;
    rs_role role = RS_ROLE_ITEM;
    rs_io_role *role_p = &role;
    rs_norm norm = RS_NORM_MINMAX;
    rs_io_norm *norm_p = &norm;
    rs_match match = RS_MATCH_PREFIX;
    rs_cleaner_match *match_p = &match;
    rs_drop drop = RS_DROP_NO_MATCH;
    rs_cleaner_drop *drop_p = &drop;
    rs_type type = RS_TYPE_TIME;
    rs_cleaner_type *type_p = &type;
    rs_part part = RS_PART_VALID;
    rs_eval_part *part_p = &part;
    rs_metric metric = RS_METRIC_MRR;
    rs_eval_metric *metric_p = &metric;
    ck_assert_int_eq(*format_p, 2);
    ck_assert_int_eq(*role_p, 1);
    ck_assert_int_eq(*norm_p, 1);
    ck_assert_int_eq(*match_p, 1);
    ck_assert_int_eq(*drop_p, 1);
    ck_assert_int_eq(*type_p, 2);
    ck_assert_int_eq(*part_p, 2);
    ck_assert_int_eq(*metric_p, RS_EVAL_METRIC_MRR);
}
END_TEST

START_TEST(old_metric_names_keep_their_values)
{
    ck_assert_int_eq(RS_METRIC_INNER_PRODUCT, RS_ITEM_METRIC_INNER_PRODUCT);
    ck_assert_int_eq(RS_METRIC_COSINE, RS_ITEM_METRIC_COSINE);
    ck_assert_int_eq(RS_METRIC_INNER_PRODUCT, 0);
    ck_assert_int_eq(RS_METRIC_COSINE, 1);
    const int old_eval[] = {RS_METRIC_PRECISION, RS_METRIC_RECALL, RS_METRIC_F1, RS_METRIC_NDCG,
                            RS_METRIC_MAP, RS_METRIC_MRR, RS_METRIC_HIT_RATE};
    const int new_eval[] = {RS_EVAL_METRIC_PRECISION, RS_EVAL_METRIC_RECALL, RS_EVAL_METRIC_F1,
                            RS_EVAL_METRIC_NDCG, RS_EVAL_METRIC_MAP, RS_EVAL_METRIC_MRR,
                            RS_EVAL_METRIC_HIT_RATE};
    ck_assert_int_eq(RS_METRIC_COUNT, RS_EVAL_METRIC_COUNT);
    ck_assert_uint_eq(sizeof old_eval / sizeof old_eval[0], RS_METRIC_COUNT);
    for (int m = 0; m < RS_METRIC_COUNT; m++) {
        ck_assert_int_eq(old_eval[m], m);
        ck_assert_int_eq(new_eval[m], m);
    }
}
END_TEST

/* The library answers an old name exactly as the new one. */
START_TEST(old_metric_names_mean_the_same)
{
    const uint32_t ranked[] = {4, 1, 7, 2, 9};
    const uint32_t truth[] = {7, 9, 3};
    for (int m = 0; m < RS_EVAL_METRIC_COUNT; m++) {
        double by_new = -1.0, by_old = -2.0;
        const int old_names[] = {RS_METRIC_PRECISION, RS_METRIC_RECALL, RS_METRIC_F1,
                                 RS_METRIC_NDCG, RS_METRIC_MAP, RS_METRIC_MRR,
                                 RS_METRIC_HIT_RATE};
        ck_assert_int_eq(rs_metric_at_k(m, ranked, 5, truth, 3, 5, &by_new), RS_OK);
        ck_assert_int_eq(rs_metric_at_k(old_names[m], ranked, 5, truth, 3, 5, &by_old), RS_OK);
        ck_assert(by_new == by_old);
        ck_assert_str_eq(rs_metric_name(old_names[m]), rs_metric_name(m));
    }

    rs_item_store *store = NULL;
    const float a[] = {1.0f, 0.0f}, b[] = {3.0f, 3.0f}, q[] = {1.0f, 0.1f};
    ck_assert_int_eq(rs_item_store_create(2, &store), RS_OK);
    ck_assert_int_eq(rs_item_store_add(store, "a", a, 2, NULL), RS_OK);
    ck_assert_int_eq(rs_item_store_add(store, "b", b, 2, NULL), RS_OK);
    const int metrics[][2] = {{RS_METRIC_INNER_PRODUCT, RS_ITEM_METRIC_INNER_PRODUCT},
                              {RS_METRIC_COSINE, RS_ITEM_METRIC_COSINE}};
    uint32_t first[2];
    for (int i = 0; i < 2; i++) {
        uint32_t idx_old[2], idx_new[2];
        float s_old[2], s_new[2];
        ck_assert_int_eq(rs_item_store_search(store, q, 1, 2, 2, metrics[i][0], NULL, 0, NULL, 0,
                                              idx_old, s_old, NULL), RS_OK);
        ck_assert_int_eq(rs_item_store_search(store, q, 1, 2, 2, metrics[i][1], NULL, 0, NULL, 0,
                                              idx_new, s_new, NULL), RS_OK);
        ck_assert_mem_eq(idx_old, idx_new, sizeof idx_old);
        ck_assert_mem_eq(s_old, s_new, sizeof s_old);
        first[i] = idx_new[0];
    }
    /* inner product prefers the long b, cosine the well-aligned a: the two
     * names really select different metrics */
    ck_assert_uint_eq(first[0], 1);
    ck_assert_uint_eq(first[1], 0);
    rs_item_store_free(store);
}
END_TEST

START_TEST(counts_bound_their_enumerations)
{
    /* every status has a name, the next one is unknown */
    for (int s = 0; s > -RS_STATUS_COUNT; s--)
        ck_assert_str_ne(rs_strerror(s), "unknown status");
    ck_assert_str_eq(rs_strerror(-RS_STATUS_COUNT), "unknown status");
    ck_assert_int_eq(RS_ERR_INTERNAL, -(RS_STATUS_COUNT - 1));

    for (int m = 0; m < RS_EVAL_METRIC_COUNT; m++)
        ck_assert_ptr_nonnull(rs_metric_name(m));
    ck_assert_ptr_null(rs_metric_name(RS_EVAL_METRIC_COUNT));

    for (int kind = 0; kind < RS_CF_KIND_COUNT; kind++) {
        rs_cf_model *model = NULL;
        ck_assert_int_eq(rs_cf_model_create(kind, &model), RS_OK);
        rs_cf_model_free(model);
    }
    rs_cf_model *none = NULL;
    ck_assert_int_eq(rs_cf_model_create(RS_CF_KIND_COUNT, &none), RS_ERR_INVALID);
    ck_assert_ptr_null(none);

    /* the reader knows RS_ROLE_COUNT roles */
    const char text[] = "user,item,weight,time,event,text,session\nu,i,1,0,e,t,g\n";
    rs_reader *r = NULL;
    size_t column;
    ck_assert_int_eq(rs_reader_open_memory(text, strlen(text), "roles", RS_FORMAT_CSV, &r), RS_OK);
    for (int role = 0; role < RS_ROLE_COUNT; role++) {
        ck_assert_int_eq(rs_reader_role(r, role, &column), RS_OK);
        ck_assert_uint_eq(column, (size_t)role);
    }
    ck_assert_int_eq(rs_reader_role(r, RS_ROLE_COUNT, &column), RS_ERR_INVALID);
    rs_reader_close(r);

    /* a split part beyond RS_PART_COUNT is refused */
    const uint32_t users[] = {0, 0, 0}, items[] = {0, 1, 2};
    uint8_t parts[] = {RS_PART_TRAIN, RS_PART_TRAIN, RS_PART_COUNT};
    ck_assert_int_eq(rs_split_random(users, items, 3, 0.5, 1, 1, RS_PART_TEST, parts),
                     RS_ERR_INVALID);
    ck_assert_int_eq(RS_ITEM_METRIC_COUNT, RS_ITEM_METRIC_COSINE + 1);
    ck_assert_int_eq(RS_BASELINE_COUNT, RS_BASELINE_SEGMENT_POPULAR + 1);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("core_names");
    TCase *tc = tcase_create("names");
    tcase_add_test(tc, old_type_names_are_the_same_types);
    tcase_add_test(tc, old_metric_names_keep_their_values);
    tcase_add_test(tc, old_metric_names_mean_the_same);
    tcase_add_test(tc, counts_bound_their_enumerations);
    suite_add_tcase(s, tc);
    return s;
}
