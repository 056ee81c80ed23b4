/*
 * recommend.c - the recommender of a model file from C: open, recommend,
 * explain, close.  usage: recommend [MODEL USER]
 *
 * Without arguments it first makes a model in memory from the bundled
 * sample (data/onlineretail_sample.tsv: import, build), so that `make check`
 * can run it anywhere.
 */
#include <recsim.h>
#include <stdio.h>

/* A model of the bundled sample: purchases as "bought" edges (rows without
 * a customer dropped), built. */
static int sample_model(rs_model **out)
{
    rs_reader *r = NULL;
    rs_cleaner *c = NULL;
    int s = rs_model_open(":memory:", RS_MODEL_CREATE, out);
    if (s == RS_OK)
        s = rs_reader_open("data/onlineretail_sample.tsv", RS_FORMAT_AUTO, &r);
    if (s == RS_OK)
        s = rs_reader_map(r, RS_ROLE_USER, "CustomerID");
    if (s == RS_OK)
        s = rs_reader_map(r, RS_ROLE_ITEM, "StockCode");
    if (s == RS_OK)
        s = rs_cleaner_create(&c);
    if (s == RS_OK)
        s = rs_cleaner_add_required(c, "no customer", "CustomerID");
    if (s == RS_OK)
        s = rs_model_import_interactions(*out, r, c, "bought", RS_IMPORT_UNWEIGHTED, NULL);
    rs_cleaner_free(c);
    rs_reader_close(r);
    if (s == RS_OK)
        s = rs_model_build(*out);
    return s;
}

int main(int argc, char **argv)
{
    const char *user = argc > 2 ? argv[2] : "13705";
    const char *keys[5];
    float scores[5];
    size_t n = 0;
    rs_model *m = NULL;
    rs_explanation *why = NULL;
    int s = argc > 2 ? rs_model_open(argv[1], RS_MODEL_READONLY, &m) : sample_model(&m);

    if (s == RS_OK)
        s = rs_model_recommend(m, user, 5, NULL, 0, NULL, 0, keys, scores, NULL, &n);
    for (size_t i = 0; s == RS_OK && i < n; i++)
        printf("%zu. %s  %.4f\n", i + 1, keys[i], scores[i]);
    if (s == RS_OK && n > 0 && (s = rs_model_explain(m, user, keys[0], &why)) == RS_OK)
        printf("why %s: %s\n", keys[0], rs_explanation_text(why));
    if (s != RS_OK)
        fprintf(stderr, "recommend: %s\n", rs_errmsg());
    rs_explanation_free(why);
    rs_model_close(m);
    return s == RS_OK ? 0 : 1;
}
