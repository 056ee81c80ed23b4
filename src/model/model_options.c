/*
 * model_options.c - every option of a model, by name: the one table that the
 * setters, the getters, the saved file, `recsim options` and the CLI's
 * `--set NAME=VALUE` read, so that a name, a bound or a default is written
 * once.
 *
 * An option belongs to a family that says which handle it reaches and when:
 *   build.*     read by rs__model_fit itself (the collaborative kind, the
 *               interaction relation);
 *   embedder.*  the hashing text embedder, at the next build;
 *   cf.*        the collaborative model, at the next build, only for the
 *               kinds the entry names;
 *   scorer.*    the scorer, at once (and at every build or open);
 *   sim.*       the simulator of rs_model_simulate;
 *   eval.*      the runner of rs_model_evaluate.
 *
 * Saved form: the meta key "model.options", text: a first line
 * "recsim-options 1 <xxh3 of the rest, 16 hex digits>" then one
 * "name=value" line per option, every option written (so that a file keeps
 * its behaviour when a later release changes a default); a line of an
 * option the caller set ("!name=value") keeps it fixed for later builds'
 * selection.
 */
#include "model/model_internal.h"
#include "store/store.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

enum family { F_BUILD, F_EMBEDDER, F_CF, F_SCORER, F_SIM, F_EVAL };

/* Collaborative kinds an entry applies to (bit RS_CF_x). */
#define K_ALS (1u << RS_CF_ALS)
#define K_KNN (1u << RS_CF_ITEMKNN)
#define K_EASE (1u << RS_CF_EASE)
#define K_RP3 (1u << RS_CF_RP3BETA)
#define K_EDLAE (1u << RS_CF_EDLAE)
#define K_GFCF (1u << RS_CF_GFCF)
#define K_PAIRS (1u << RS_CF_EASE_PAIRS)
#define K_DENSE (K_EASE | K_EDLAE | K_GFCF | K_PAIRS)
#define K_ALL (K_ALS | K_KNN | K_EASE | K_RP3 | K_EDLAE | K_GFCF | K_PAIRS)

/* Entry flags. */
#define O_NEG_INF 1u   /* DOUBLE: also accepts -inf (scorer.min_score) */
#define O_OWN_DEFAULT 2u /* the model's default differs from the handle's */

struct option {
    const char *name;
    int type;         /* rs_option_type */
    int family;
    int id;           /* the handle's option id; -1: read by the model itself */
    unsigned kinds;   /* F_CF: the kinds it applies to */
    unsigned flags;
    double min, max;
    const char *def;  /* default, as text */
    const char *choices; /* CHOICE: '|'-separated, in the handle's value order */
    const char *description;
};

#define INT_OPT(n, f, id, lo, hi, d, desc) {n, RS_OPTION_INT, f, id, K_ALL, 0, lo, hi, d, "", desc}
#define DBL_OPT(n, f, id, lo, hi, d, desc) \
    {n, RS_OPTION_DOUBLE, f, id, K_ALL, 0, lo, hi, d, "", desc}

static const struct option table[] = {
    /* build */
    {"build.cf", RS_OPTION_CHOICE, F_BUILD, -1, K_ALL, 0, 0, 0, "ease",
     "als|knn|ease|rp3beta|edlae|gfcf|none|ease-pairs",
     "collaborative model fitted by build (see rs_cf_model_create(3)), or none"},
    {"build.relation", RS_OPTION_STRING, F_BUILD, -1, K_ALL, 0, 0, 0, "", "",
     "interactions are the user->item edges of this relation (empty: every relation)"},
    INT_OPT("build.tune", F_BUILD, -1, 0, 1, "1",
            "1: choose the collaborative model and the weights on a validation split "
            "carved from the events (options set by the caller stay fixed)"),
    {"build.tune_split", RS_OPTION_CHOICE, F_BUILD, -1, K_ALL, 0, 0, 0, "auto",
     "auto|temporal|random",
     "validation split: temporal (the last share of the time range), random per user, or "
     "auto (temporal when the events carry times)"},
    DBL_OPT("build.tune_fraction", F_BUILD, -1, 0.01, 0.5, "0.2",
            "share of the time range (temporal) or of each user's events (random) held out"),
    DBL_OPT("build.tune_window_days", F_BUILD, -1, 0, 1e5, "0",
            "temporal validation: the last this many days of the events (0: the share "
            "build.tune_fraction of the time range); shape it like the period the model "
            "will serve"),
    INT_OPT("build.tune_seed", F_BUILD, -1, 0, 2147483647, "1",
            "seed of the random validation split"),
    INT_OPT("build.tune_origins", F_BUILD, -1, 1, 3, "2",
            "temporal validation: this many consecutive windows, each ending where the "
            "next begins; a choice must help in every one (robust to a shift between "
            "periods)"),
    INT_OPT("build.tune_max_events", F_BUILD, -1, 0, 2147483647, "5000000",
            "above this many edges the selection is skipped (it fits some sixty candidates "
            "on two windows) and the options as set are used; 0: no limit"),
    /* embedder (the hashing embedder of build) */
    INT_OPT("embedder.dim", F_EMBEDDER, RS_EMBEDDER_DIM, 8, 4096, "256",
            "dimension of the text and item vectors"),
    INT_OPT("embedder.seed", F_EMBEDDER, RS_EMBEDDER_SEED, 0, 9.2233720368547748e18, "0",
            "hash seed of the text features"),
    INT_OPT("embedder.word_ngram_max", F_EMBEDDER, RS_EMBEDDER_WORD_NGRAM_MAX, 1, 3, "2",
            "longest word n-gram"),
    INT_OPT("embedder.char_ngram_min", F_EMBEDDER, RS_EMBEDDER_CHAR_NGRAM_MIN, 1, 16, "3",
            "shortest character n-gram of a word"),
    INT_OPT("embedder.char_ngram_max", F_EMBEDDER, RS_EMBEDDER_CHAR_NGRAM_MAX, 0, 16, "5",
            "longest character n-gram (0: none)"),
    INT_OPT("embedder.hashes", F_EMBEDDER, RS_EMBEDDER_HASHES, 1, 8, "2",
            "signed dimensions each feature is hashed to"),
    INT_OPT("embedder.sublinear_tf", F_EMBEDDER, RS_EMBEDDER_SUBLINEAR_TF, 0, 1, "1",
            "1: a term counts 1 + ln(tf)"),
    INT_OPT("embedder.use_idf", F_EMBEDDER, RS_EMBEDDER_USE_IDF, 0, 1, "1",
            "1: weight features by their fitted idf"),
    INT_OPT("embedder.stopwords", F_EMBEDDER, RS_EMBEDDER_STOPWORDS, 0, 3, "3",
            "built-in stop-word lists: 1 English, 2 Chinese, 3 both"),
    INT_OPT("embedder.numbers", F_EMBEDDER, RS_EMBEDDER_NUMBERS, 0, 2, "1",
            "number tokens: 0 dropped, 1 kept, 2 replaced by <num>"),
    INT_OPT("embedder.normalize", F_EMBEDDER, RS_EMBEDDER_NORMALIZE, 0, 1, "1",
            "1: L2-normalise every vector"),
    INT_OPT("embedder.cjk_bigrams", F_EMBEDDER, RS_EMBEDDER_CJK_BIGRAMS, 0, 1, "1",
            "1: bigrams of adjacent CJK characters"),
    DBL_OPT("embedder.char_weight", F_EMBEDDER, RS_EMBEDDER_CHAR_WEIGHT, 0, 16, "1",
            "weight of character n-grams against word n-grams"),
    {"embedder.graph_rounds", RS_OPTION_INT, F_EMBEDDER, RS_EMBEDDER_GRAPH_ROUNDS, K_ALL,
     O_OWN_DEFAULT, 0, 4, "0", "",
     "rounds blending an item's text vector with its graph neighbours' (0: text only)"},
    DBL_OPT("embedder.graph_self", F_EMBEDDER, RS_EMBEDDER_GRAPH_SELF, 0, 1, "0.5",
            "weight of an item's own text against its graph neighbourhood"),
    /* collaborative model */
    {"cf.ease.lambda", RS_OPTION_DOUBLE, F_CF, RS_CF_LAMBDA, K_EASE, O_OWN_DEFAULT, 1e-6, 1e9,
     "500", "", "EASE regularisation"},
    {"cf.max_items", RS_OPTION_INT, F_CF, RS_CF_MAX_ITEMS, K_DENSE, 0, 1, 1000000, "20000",
     "", "EASE, EDLAE, GF-CF: largest catalogue accepted (memory grows as its square)"},
    {"cf.als.lambda", RS_OPTION_DOUBLE, F_CF, RS_CF_LAMBDA, K_ALS, 0, 0, 1e9, "30", "",
     "ALS regularisation"},
    {"cf.als.alpha", RS_OPTION_DOUBLE, F_CF, RS_CF_ALPHA, K_ALS, 0, 0, 1e9, "1", "",
     "ALS confidence slope"},
    {"cf.als.factors", RS_OPTION_INT, F_CF, RS_CF_FACTORS, K_ALS, 0, 1, 1024, "64", "",
     "ALS latent factors"},
    {"cf.als.iterations", RS_OPTION_INT, F_CF, RS_CF_ITERATIONS, K_ALS, 0, 0, 10000, "15", "",
     "ALS iterations"},
    {"cf.als.cg_steps", RS_OPTION_INT, F_CF, RS_CF_CG_STEPS, K_ALS, 0, 1, 1024, "3", "",
     "ALS conjugate-gradient steps per row and iteration"},
    {"cf.als.init_scale", RS_OPTION_DOUBLE, F_CF, RS_CF_INIT_SCALE, K_ALS, 0, 0, 1e6, "0.01",
     "", "ALS initial factors' standard deviation"},
    {"cf.als.foldin_steps", RS_OPTION_INT, F_CF, RS_CF_FOLDIN_STEPS, K_ALS, 0, 0, 1024, "0", "",
     "ALS fold-in CG steps for a new user (0: until converged)"},
    {"cf.knn.neighbors", RS_OPTION_INT, F_CF, RS_CF_NEIGHBORS, K_KNN, 0, 0, 2147483647, "100",
     "", "item-kNN neighbours kept per item (0: all)"},
    {"cf.knn.shrink", RS_OPTION_DOUBLE, F_CF, RS_CF_SHRINK, K_KNN, 0, 0, 1e9, "0", "",
     "item-kNN cosine shrinkage"},
    {"cf.rp3beta.alpha", RS_OPTION_DOUBLE, F_CF, RS_CF_ALPHA, K_RP3, 0, 0, 1e3, "1", "",
     "RP3beta exponent on the transition probabilities"},
    {"cf.rp3beta.beta", RS_OPTION_DOUBLE, F_CF, RS_CF_BETA, K_RP3, 0, 0, 1e3, "0.5", "",
     "RP3beta popularity penalty exponent"},
    {"cf.rp3beta.neighbors", RS_OPTION_INT, F_CF, RS_CF_NEIGHBORS, K_RP3, 0, 0, 2147483647,
     "100", "", "RP3beta weights kept per item (0: all)"},
    {"cf.edlae.lambda", RS_OPTION_DOUBLE, F_CF, RS_CF_LAMBDA, K_EDLAE, 0, 1e-6, 1e9, "500", "",
     "EDLAE regularisation"},
    {"cf.edlae.dropout", RS_OPTION_DOUBLE, F_CF, RS_CF_DROPOUT, K_EDLAE, 0, 0, 0.999, "0.25", "",
     "EDLAE dropout probability"},
    {"cf.gfcf.eigenvectors", RS_OPTION_INT, F_CF, RS_CF_EIGENVECTORS, K_GFCF, 0, 0, 65536, "256",
     "", "GF-CF leading eigenvectors of the ideal filter (0: linear filter only)"},
    {"cf.gfcf.ideal_weight", RS_OPTION_DOUBLE, F_CF, RS_CF_IDEAL_WEIGHT, K_GFCF, 0, 0, 1e6, "0.3",
     "", "GF-CF weight of the ideal low-pass term"},
    /* appended after "none" in build.cf: choice numbers never move */
    {"cf.pairs.lambda", RS_OPTION_DOUBLE, F_CF, RS_CF_LAMBDA, K_PAIRS, 0, 1e-6, 1e9, "500", "",
     "EASE pairs regularisation"},
    {"cf.pairs.pairs", RS_OPTION_INT, F_CF, RS_CF_PAIRS, K_PAIRS, 0, 0, 100000, "1000", "",
     "EASE pairs: item pairs modelled (most co-occurring)"},
    {"cf.pairs.iterations", RS_OPTION_INT, F_CF, RS_CF_ITERATIONS, K_PAIRS, 0, 0, 10000, "3", "",
     "EASE pairs alternating updates (0: EASE)"},
    {"cf.seed", RS_OPTION_INT, F_CF, RS_CF_SEED, K_ALS, 0, 0, 2147483647, "42", "",
     "initialisation seed"},
    /* scorer */
    {"scorer.mode", RS_OPTION_CHOICE, F_SCORER, RS_SCORER_MODE, K_ALL, 0, 0, 0, "blend",
     "product|blend", "product: cos x R_ui; blend: weighted sum of the signals"},
    INT_OPT("scorer.hops", F_SCORER, RS_SCORER_HOPS, 1, 6, "3", "graph walk length"),
    INT_OPT("scorer.cold_start", F_SCORER, RS_SCORER_COLD_START, 0, 1, "1",
            "1: an unknown user is cold-started; 0: RS_ERR_NOTFOUND"),
    DBL_OPT("scorer.decay", F_SCORER, RS_SCORER_DECAY, 0, 1, "0.5", "per-hop decay of the walk"),
    DBL_OPT("scorer.floor", F_SCORER, RS_SCORER_FLOOR, 0, 1, "0.1",
            "R_ui floor of the product mode"),
    DBL_OPT("scorer.w_content", F_SCORER, RS_SCORER_W_CONTENT, 0, 1000, "0.3",
            "blend weight of the content signal"),
    DBL_OPT("scorer.w_collab", F_SCORER, RS_SCORER_W_COLLAB, 0, 1000, "1",
            "blend weight of the collaborative signal"),
    DBL_OPT("scorer.w_graph", F_SCORER, RS_SCORER_W_GRAPH, 0, 1000, "0.1",
            "blend weight of the graph signal"),
    DBL_OPT("scorer.w_popularity", F_SCORER, RS_SCORER_W_POPULARITY, 0, 1000, "0.3",
            "blend weight of popularity"),
    DBL_OPT("scorer.pop_penalty", F_SCORER, RS_SCORER_POP_PENALTY, 0, 2, "0.3",
            "R_ui divided by popularity^p"),
    DBL_OPT("scorer.w_cold_popularity", F_SCORER, RS_SCORER_W_COLD_POPULARITY, 0, 1000, "0.3",
            "popularity weight of the cold-start ranking"),
    {"scorer.collab_binary", RS_OPTION_INT, F_SCORER, RS_SCORER_COLLAB_BINARY, K_ALL,
     O_OWN_DEFAULT, 0, 1, "1", "",
     "1: the collaborative model sees each history item once with weight 1, as it was "
     "fitted; 0: with the event weights"},
    INT_OPT("scorer.history_merge", F_SCORER, RS_SCORER_HISTORY_MERGE, 0, 1, "1",
            "1: repeated events of an item count once, with their largest weight"),
    DBL_OPT("scorer.history_half_life", F_SCORER, RS_SCORER_HISTORY_HALF_LIFE, 0, 1e10,
            "5184000", "half-life of history weights, seconds (0: no decay)"),
    DBL_OPT("scorer.pop_half_life", F_SCORER, RS_SCORER_POP_HALF_LIFE, 0, 1e10, "604800",
            "half-life of popularity, seconds (0: plain in-degree)"),
    DBL_OPT("scorer.w_first_basket", F_SCORER, RS_SCORER_W_FIRST_BASKET, 0, 1000, "0",
            "cold-start weight of first-basket popularity"),
    DBL_OPT("scorer.w_segment", F_SCORER, RS_SCORER_W_SEGMENT, 0, 1000, "10",
            "cold-start weight of the user's segment popularity"),
    DBL_OPT("scorer.segment_shrink", F_SCORER, RS_SCORER_SEGMENT_SHRINK, 0, 1e6, "5",
            "pseudo-users pulling a segment's popularity toward the global one"),
    INT_OPT("scorer.graph_operator", F_SCORER, RS_SCORER_GRAPH_OPERATOR, 0, 1, "0",
            "1: the graph signal of a user with a history from the sparse item-item "
            "operator (RP3beta) instead of the walk"),
    INT_OPT("scorer.operator_top_n", F_SCORER, RS_SCORER_OPERATOR_TOP_N, 1, 100000, "50",
            "entries kept per operator row"),
    DBL_OPT("scorer.operator_beta", F_SCORER, RS_SCORER_OPERATOR_BETA, 0, 2, "0.4",
            "the operator's popularity exponent"),
    {"scorer.content_profile", RS_OPTION_CHOICE, F_SCORER, RS_SCORER_CONTENT_PROFILE, K_ALL, 0,
     0, 0, "tfidf", "vectors|tfidf",
     "content signal: cosine of the item vectors, or exact TF-IDF of the item names"},
    DBL_OPT("scorer.combo_shrink", F_SCORER, RS_SCORER_COMBO_SHRINK, 0, 1e6, "20",
            "cold start: pseudo-users pulling a combination of profile nodes toward the "
            "mean of its nodes"),
    DBL_OPT("scorer.segment_half_life", F_SCORER, RS_SCORER_SEGMENT_HALF_LIFE, 0, 1e10, "0",
            "cold start: half-life of the segment popularity, seconds (0: all count 1)"),
    INT_OPT("scorer.rerank_pool", F_SCORER, RS_SCORER_RERANK_POOL, 1, 100, "5",
            "re-ranking candidates per wanted item"),
    DBL_OPT("scorer.mmr_lambda", F_SCORER, RS_SCORER_MMR_LAMBDA, 0, 1, "1",
            "MMR trade-off (1: relevance only)"),
    {"scorer.min_score", RS_OPTION_DOUBLE, F_SCORER, RS_SCORER_MIN_SCORE, K_ALL, O_NEG_INF,
     -1e30, 1e30, "-inf", "", "scores below are dropped (-inf: no threshold)"},
    /* simulator */
    DBL_OPT("sim.temperature", F_SIM, RS_SIM_TEMPERATURE, 1e-300, 1e6, "1",
            "choice temperature (> 0)"),
    DBL_OPT("sim.noclick", F_SIM, RS_SIM_NOCLICK, 1e-300, 1e12, "1", "no-click weight (> 0)"),
    DBL_OPT("sim.position_decay", F_SIM, RS_SIM_POSITION_DECAY, 1e-300, 1, "0.85",
            "position decay (> 0)"),
    DBL_OPT("sim.drift", F_SIM, RS_SIM_DRIFT, 0, 1, "0.05", "interest drift rate"),
    DBL_OPT("sim.conformity_weight", F_SIM, RS_SIM_CONFORMITY_WEIGHT, 0, 100, "1",
            "popularity utility weight"),
    DBL_OPT("sim.fatigue_weight", F_SIM, RS_SIM_FATIGUE_WEIGHT, 0, 100, "0.5",
            "boredom utility weight"),
    DBL_OPT("sim.fatigue_decay", F_SIM, RS_SIM_FATIGUE_DECAY, 0, 1, "0.8",
            "per-step fatigue decay"),
    DBL_OPT("sim.boredom_threshold", F_SIM, RS_SIM_BOREDOM_THRESHOLD, 0, 1e6, "1",
            "fatigue tolerated"),
    DBL_OPT("sim.leave_hazard", F_SIM, RS_SIM_LEAVE_HAZARD, 0, 1, "0.1", "base leaving hazard"),
    DBL_OPT("sim.return_rate", F_SIM, RS_SIM_RETURN_RATE, 0, 1, "0.2",
            "base return probability"),
    DBL_OPT("sim.purchase_bias", F_SIM, RS_SIM_PURCHASE_BIAS, -50, 50, "-1",
            "purchase logit bias"),
    DBL_OPT("sim.rating_noise", F_SIM, RS_SIM_RATING_NOISE, 0, 10, "0.5", "rating noise sd"),
    DBL_OPT("sim.activity_mean", F_SIM, RS_SIM_ACTIVITY_MEAN, 1e-9, 1 - 1e-9, "0.5",
            "median activity of the population, (0, 1)"),
    DBL_OPT("sim.conformity_mean", F_SIM, RS_SIM_CONFORMITY_MEAN, 1e-9, 1 - 1e-9, "0.3",
            "median conformity of the population, (0, 1)"),
    DBL_OPT("sim.diversity_mean", F_SIM, RS_SIM_DIVERSITY_MEAN, 1e-9, 1 - 1e-9, "0.5",
            "median diversity-seeking of the population, (0, 1)"),
    DBL_OPT("sim.trait_spread", F_SIM, RS_SIM_TRAIT_SPREAD, 0, 10, "1",
            "sd of the traits' logits"),
    DBL_OPT("sim.interest_noise", F_SIM, RS_SIM_INTEREST_NOISE, 0, 100, "0.5",
            "interest noise sd"),
    DBL_OPT("sim.diversity_effect", F_SIM, RS_SIM_DIVERSITY_EFFECT, -100, 100, "0",
            "slate diversity utility weight"),
    DBL_OPT("sim.time_budget", F_SIM, RS_SIM_TIME_BUDGET, 0, 1e9, "0",
            "mean session time budget (0: unlimited)"),
    DBL_OPT("sim.click_time", F_SIM, RS_SIM_CLICK_TIME, 0, 1e6, "2",
            "time a click takes (a view: 1)"),
    DBL_OPT("sim.graph_drift", F_SIM, RS_SIM_GRAPH_DRIFT, 0, 1, "0",
            "drift share spread to related items"),
    {"sim.position_model", RS_OPTION_CHOICE, F_SIM, RS_SIM_POSITION_MODEL, K_ALL, 0, 0, 0,
     "pbm", "pbm|cascade", "position model: position-based or cascade"},
    INT_OPT("sim.threads", F_SIM, RS_SIM_THREADS, 0, 1024, "0",
            "simulator threads (0: rs_get_num_threads())"),
    INT_OPT("sim.fresh", F_SIM, -1, 0, 1, "0",
            "1: generated users only; 0: users mirrored from the model's histories first"),
    /* evaluation */
    INT_OPT("eval.k", F_EVAL, RS_EVAL_K, 1, 10000, "10", "cut-off of the metrics"),
    INT_OPT("eval.exclude_train", F_EVAL, RS_EVAL_EXCLUDE_TRAIN, 0, 1, "1",
            "1: a warm user's train items leave its list and its truth"),
    INT_OPT("eval.cold_min_items", F_EVAL, RS_EVAL_COLD_MIN_ITEMS, 1, 2147483647, "1",
            "test items a cold user needs"),
    INT_OPT("eval.threads", F_EVAL, RS_EVAL_THREADS, 0, 1024, "0",
            "evaluation threads (0: rs_get_num_threads())"),
    INT_OPT("eval.min_history", F_EVAL, -1, 1, 2147483647, "1",
            "events a user keeps in train at least (random and last-n splits)"),
    {"eval.recent_days", RS_OPTION_DOUBLE, F_EVAL, -1, K_ALL, 0, 1e-6, 1e6, "30", "",
     "window of the recent-popular baseline, days"},
};

#define N_OPTIONS (sizeof table / sizeof table[0])
_Static_assert(sizeof table / sizeof table[0] <= RS__MODEL_MAX_OPTIONS,
               "raise RS__MODEL_MAX_OPTIONS");

#define OPTIONS_KEY "model.options"
#define OPTIONS_MAGIC "recsim-options 1 "

/* ------------------------------------------------------------ lookup */

static int find(const char *name)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strcmp(table[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Edit distance, bounded to names of a sane length. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la >= 63 || lb >= 63)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* RS_ERR_NOTFOUND listing the nearest names: those whose last part equals
 * the given name's, then the closest by edit distance. */
static int unknown(const char *name)
{
    char list[400] = "";
    size_t used = 0, shown = 0;
    const char *tail = strrchr(name, '.');
    size_t best[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    int pick[3] = {-1, -1, -1};
    tail = tail ? tail + 1 : name;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const char *t = strrchr(table[i].name, '.');
        size_t d = strcmp(t ? t + 1 : table[i].name, tail) == 0 ? 0 : distance(name, table[i].name);
        for (int s = 0; s < 3; s++)
            if (d < best[s]) {
                for (int r = 2; r > s; r--)
                    best[r] = best[r - 1], pick[r] = pick[r - 1];
                best[s] = d;
                pick[s] = (int)i;
                break;
            }
    }
    for (int s = 0; s < 3; s++) {
        if (pick[s] < 0 || best[s] > 4 + strlen(name) / 4)
            continue;
        int n = snprintf(list + used, sizeof list - used, "%s%s", shown ? ", " : "",
                         table[pick[s]].name);
        if (n < 0 || (size_t)n >= sizeof list - used)
            break;
        used += (size_t)n;
        shown++;
    }
    if (shown)
        return rs__fail(RS_ERR_NOTFOUND, "no option \"%.100s\"; nearest: %s", name, list);
    return rs__fail(RS_ERR_NOTFOUND,
                    "no option \"%.100s\" (rs_model_option_info or `recsim options` lists them)",
                    name);
}

/* The index of a choice name, or -1. */
static int choice_index(const struct option *o, const char *value)
{
    const char *p = o->choices;
    size_t len = strlen(value);
    for (int index = 0; *p; index++) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, value, n) == 0)
            return index;
        if (!end)
            break;
        p = end + 1;
    }
    return -1;
}

/* Choice number index as a malloc-free name copied into buf. */
static const char *choice_name(const struct option *o, int index, char *buf, size_t size)
{
    const char *p = o->choices;
    for (int i = 0; i < index && p; i++) {
        p = strchr(p, '|');
        p = p ? p + 1 : NULL;
    }
    if (!p) {
        buf[0] = '\0';
        return buf;
    }
    size_t n = strcspn(p, "|");
    if (n >= size)
        n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* ------------------------------------------------------------ values */

/* Parse text as option o's value: *number for INT/DOUBLE/CHOICE.  STRING
 * values are checked only.  Sets the error on failure. */
static int parse(const struct option *o, const char *text, double *number)
{
    char *end;
    switch (o->type) {
    case RS_OPTION_INT: {
        long long v;
        errno = 0;
        v = strtoll(text, &end, 10);
        if (end == text || *end != '\0' || (errno == ERANGE))
            return errno == ERANGE && end != text && *end == '\0'
                       ? rs__fail(RS_ERR_RANGE, "option %s: %.60s is outside [%.0f, %.0f]",
                                  o->name, text, o->min, o->max)
                       : rs__fail(RS_ERR_PARSE, "option %s: \"%.60s\" is not an integer",
                                  o->name, text);
        if ((double)v < o->min || (double)v > o->max)
            return rs__fail(RS_ERR_RANGE, "option %s: %lld is outside [%.0f, %.0f]", o->name, v,
                            o->min, o->max);
        *number = (double)v;
        return RS_OK;
    }
    case RS_OPTION_DOUBLE: {
        double v;
        errno = 0;
        v = strtod(text, &end);
        if (end == text || *end != '\0')
            return rs__fail(RS_ERR_PARSE, "option %s: \"%.60s\" is not a number", o->name, text);
        if ((o->flags & O_NEG_INF) && isinf(v) && v < 0) {
            *number = v;
            return RS_OK;
        }
        if (!isfinite(v) || v < o->min || v > o->max)
            return rs__fail(RS_ERR_RANGE, "option %s: %.60s is outside [%g, %g]", o->name, text,
                            o->min, o->max);
        *number = v;
        return RS_OK;
    }
    case RS_OPTION_CHOICE: {
        int index = choice_index(o, text);
        if (index < 0)
            return rs__fail(RS_ERR_RANGE, "option %s: \"%.60s\" is not one of %s", o->name,
                            text, o->choices);
        *number = index;
        return RS_OK;
    }
    default: {
        size_t len = strlen(text);
        if (len > RS_MAX_KEY_BYTES)
            return rs__fail(RS_ERR_RANGE, "option %s: a value of %zu bytes (at most %d)",
                            o->name, len, RS_MAX_KEY_BYTES);
        return rs__utf8_check(text, len, o->name, NULL);
    }
    }
}

/* Format the current value of option i. */
static int format(const struct rs__model_options *opts, size_t i, char *buf, size_t size)
{
    const struct option *o = &table[i];
    char name[64];
    switch (o->type) {
    case RS_OPTION_INT:
        return snprintf(buf, size, "%" PRId64, (int64_t)opts->value[i]);
    case RS_OPTION_DOUBLE:
        if (isinf(opts->value[i]))
            return snprintf(buf, size, "%s", opts->value[i] < 0 ? "-inf" : "inf");
        return snprintf(buf, size, "%.17g", opts->value[i]);
    case RS_OPTION_CHOICE:
        return snprintf(buf, size, "%s",
                        choice_name(o, (int)opts->value[i], name, sizeof name));
    default:
        return snprintf(buf, size, "%s", opts->text[i] ? opts->text[i] : "");
    }
}

/* Store a parsed value into opts (text copied for STRING); explicit: set by
 * a caller (held fixed by the build's selection), not loaded from the file. */
static int store(struct rs__model_options *opts, size_t i, const char *text, double number,
                 bool explicit)
{
    if (table[i].type == RS_OPTION_STRING) {
        char *copy = NULL;
        if (*text && !(copy = rs__strdup(text)))
            return RS_ERR_NOMEM;
        free(opts->text[i]);
        opts->text[i] = copy;
    } else {
        opts->value[i] = number;
    }
    if (explicit) /* the library's own choices leave the caller's mark alone */
        opts->set[i] = true;
    return RS_OK;
}

void rs__model_options_init(struct rs__model_options *o)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        double v = 0;
        if (table[i].type != RS_OPTION_STRING && parse(&table[i], table[i].def, &v) != RS_OK)
            v = 0; /* unreachable: the table test parses every default */
        o->value[i] = v;
    }
    rs_clear_error();
}

void rs__model_options_free(struct rs__model_options *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        free(o->text[i]);
        o->text[i] = NULL;
    }
}

int rs__model_options_copy(struct rs__model_options *dst, const struct rs__model_options *src)
{
    *dst = *src;
    for (size_t i = 0; i < N_OPTIONS; i++)
        dst->text[i] = NULL;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (src->text[i] && !(dst->text[i] = rs__strdup(src->text[i]))) {
            rs__model_options_free(dst);
            return RS_ERR_NOMEM;
        }
    return RS_OK;
}

int64_t rs__model_opt_int(const struct rs__model_options *o, const char *name)
{
    int i = find(name);
    return i < 0 ? 0 : (int64_t)o->value[i];
}

double rs__model_opt_double(const struct rs__model_options *o, const char *name)
{
    int i = find(name);
    return i < 0 ? 0 : o->value[i];
}

const char *rs__model_opt_text(const struct rs__model_options *o, const char *name)
{
    static _Thread_local char buf[64];
    int i = find(name);
    if (i < 0)
        return NULL;
    if (table[i].type == RS_OPTION_STRING)
        return o->text[i] ? o->text[i] : "";
    if (table[i].type == RS_OPTION_CHOICE)
        return choice_name(&table[i], (int)o->value[i], buf, sizeof buf);
    return NULL;
}

int rs__model_options_cf_kind(const struct rs__model_options *o)
{
    /* in the order of build.cf's choices */
    static const int kinds[] = {RS_CF_ALS,   RS_CF_ITEMKNN, RS_CF_EASE, RS_CF_RP3BETA,
                                RS_CF_EDLAE, RS_CF_GFCF,    -1, RS_CF_EASE_PAIRS};
    int choice = (int)rs__model_opt_int(o, "build.cf");
    return choice >= 0 && choice < (int)(sizeof kinds / sizeof kinds[0]) ? kinds[choice] : -1;
}

int rs__model_options_set(struct rs__model_options *o, const char *name, const char *value)
{
    double number = 0;
    int i = find(name), s;
    if (i < 0)
        return rs__fail(RS_ERR_INTERNAL, "no option \"%s\" in the table", name);
    if ((s = parse(&table[i], value, &number)) != RS_OK)
        return s;
    return store(o, (size_t)i, value, number, false);
}

int rs__model_options_set_number(struct rs__model_options *o, const char *name, double value)
{
    char text[40];
    if (isinf(value) && value < 0)
        snprintf(text, sizeof text, "-inf");
    else if (find(name) >= 0 && table[find(name)].type == RS_OPTION_INT)
        snprintf(text, sizeof text, "%.0f", value);
    else
        snprintf(text, sizeof text, "%.17g", value);
    return rs__model_options_set(o, name, text);
}

bool rs__model_options_explicit(const struct rs__model_options *o, const char *name)
{
    int i = find(name);
    return i >= 0 && o->set[i];
}

int rs__model_options_format(const struct rs__model_options *o, const char *name, char *buf,
                             size_t size)
{
    int i = find(name), n;
    if (i < 0)
        return rs__fail(RS_ERR_INTERNAL, "no option \"%s\" in the table", name);
    n = format(o, (size_t)i, buf, size);
    return n >= 0 && (size_t)n < size ? RS_OK
                                      : rs__fail(RS_ERR_BUFFER, "option %s: value too long", name);
}

/* ------------------------------------------------------------ apply */

/* One handle's setters, so that apply() serves every family. */
struct setters {
    int (*set_int)(void *h, int id, int64_t v);
    int (*set_double)(void *h, int id, double v);
};

static int apply_one(const struct setters *s, void *h, size_t i, double v)
{
    const struct option *o = &table[i];
    if (o->id < 0)
        return RS_OK;
    if (o->type == RS_OPTION_DOUBLE)
        return s->set_double(h, o->id, v);
    return s->set_int(h, o->id, (int64_t)v);
}

static int apply(const struct rs__model_options *opts, int family, unsigned kind_bit,
                 const struct setters *s, void *h)
{
    int status = RS_OK;
    for (size_t i = 0; status == RS_OK && i < N_OPTIONS; i++)
        if (table[i].family == family && (family != F_CF || (table[i].kinds & kind_bit)))
            if ((status = apply_one(s, h, i, opts->value[i])) != RS_OK)
                rs__fail_context("option %s", table[i].name);
    return status;
}

static int scorer_int(void *h, int id, int64_t v) { return rs_scorer_set_int(h, id, v); }
static int scorer_double(void *h, int id, double v) { return rs_scorer_set_double(h, id, v); }
static int embedder_int(void *h, int id, int64_t v) { return rs_embedder_set_int(h, id, v); }
static int embedder_double(void *h, int id, double v)
{
    return rs_embedder_set_double(h, id, v);
}
static int cf_int(void *h, int id, int64_t v) { return rs_cf_model_set_int(h, id, v); }
static int cf_double(void *h, int id, double v) { return rs_cf_model_set_double(h, id, v); }
static int sim_int(void *h, int id, int64_t v) { return rs_sim_set_int(h, id, v); }
static int sim_double(void *h, int id, double v) { return rs_sim_set_double(h, id, v); }
static int eval_int(void *h, int id, int64_t v) { return rs_eval_set_int(h, id, v); }
static int eval_double(void *h, int id, double v)
{
    (void)h;
    (void)v;
    return rs__fail(RS_ERR_INTERNAL, "the runner has no double option %d", id);
}

static const struct setters scorer_setters = {scorer_int, scorer_double};
static const struct setters embedder_setters = {embedder_int, embedder_double};
static const struct setters cf_setters = {cf_int, cf_double};
static const struct setters sim_setters = {sim_int, sim_double};
static const struct setters eval_setters = {eval_int, eval_double};

int rs__model_options_apply_scorer(const struct rs__model_options *o, rs_scorer *scorer)
{
    return apply(o, F_SCORER, 0, &scorer_setters, scorer);
}

int rs__model_options_apply_embedder(const struct rs__model_options *o, rs_embedder *embedder)
{
    return apply(o, F_EMBEDDER, 0, &embedder_setters, embedder);
}

int rs__model_options_apply_cf(const struct rs__model_options *o, rs_cf_model *cf)
{
    int kind = rs_cf_model_kind(cf);
    if (kind < 0 || kind >= 31)
        return rs__fail(RS_ERR_INVALID, "collaborative model of unknown kind %d", kind);
    return apply(o, F_CF, 1u << kind, &cf_setters, cf);
}

int rs__model_options_apply_sim(const struct rs__model_options *o, rs_sim *sim)
{
    return apply(o, F_SIM, 0, &sim_setters, sim);
}

int rs__model_options_apply_eval(const struct rs__model_options *o, rs_eval *eval)
{
    return apply(o, F_EVAL, 0, &eval_setters, eval);
}

/* ------------------------------------------------------------ persistence */

int rs__model_options_save(const struct rs__model_options *o, rs_graph *graph)
{
    char *text = NULL, line[RS_MAX_KEY_BYTES + 160];
    size_t len = 0, capacity = 0, head = strlen(OPTIONS_MAGIC) + 17;
    int status;
    /* room for the header line, filled in once the body is known */
    if ((status = rs__grow((void **)&text, &capacity, head + 1, 1)) != RS_OK)
        return status;
    len = head;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        int n = snprintf(line, sizeof line, "%s%s=", o->set[i] ? "!" : "", table[i].name), m;
        m = format(o, i, line + n, sizeof line - (size_t)n - 1);
        if (m < 0 || (size_t)(n + m) >= sizeof line - 1) {
            free(text);
            return rs__fail(RS_ERR_INTERNAL, "option %s does not fit its line", table[i].name);
        }
        n += m;
        line[n++] = '\n';
        if ((status = rs__grow((void **)&text, &capacity, len + (size_t)n + 1, 1)) != RS_OK) {
            free(text);
            return status;
        }
        memcpy(text + len, line, (size_t)n);
        len += (size_t)n;
    }
    snprintf(line, sizeof line, "%s%016llx", OPTIONS_MAGIC,
             (unsigned long long)XXH3_64bits(text + head, len - head));
    memcpy(text, line, head - 1);
    text[head - 1] = '\n';
    status = rs__graph_meta_set(graph, OPTIONS_KEY, text, len);
    free(text);
    return status;
}

static int corrupt(const char *why)
{
    return rs__store_corrupt("meta", OPTIONS_KEY, why);
}

int rs__model_options_load(struct rs__model_options *o, rs_graph *graph)
{
    void *blob = NULL;
    size_t len = 0, head = strlen(OPTIONS_MAGIC) + 17;
    char *text, *line, *next;
    rs_error_state saved;
    struct rs__model_options loaded;
    int status;
    rs__error_save(&saved);
    status = rs__graph_meta_get(graph, OPTIONS_KEY, &blob, &len);
    if (status == RS_ERR_NOTFOUND) { /* never saved: a 1.0 file or a fresh one */
        rs__error_restore(&saved);
        return RS_OK;
    }
    if (status != RS_OK)
        return status;
    text = blob;
    if (len < head || memcmp(text, OPTIONS_MAGIC, head - 17) != 0 || text[head - 1] != '\n' ||
        memchr(text, '\0', len)) {
        free(blob);
        return corrupt("not an option list of this library");
    }
    {
        char hex[17];
        unsigned long long want;
        memcpy(hex, text + head - 17, 16);
        hex[16] = '\0';
        if (sscanf(hex, "%16llx", &want) != 1 ||
            want != (unsigned long long)XXH3_64bits(text + head, len - head)) {
            free(blob);
            return corrupt("damaged value (checksum mismatch)");
        }
    }
    if (!(text = rs__malloc(len + 1))) {
        free(blob);
        return RS_ERR_NOMEM;
    }
    memcpy(text, blob, len);
    text[len] = '\0';
    free(blob);
    if ((status = rs__model_options_copy(&loaded, o)) != RS_OK) {
        free(text);
        return status;
    }
    for (line = text + head; *line; line = next) {
        char *eq, *end = strchr(line, '\n');
        double number = 0;
        bool fixed_by_caller = line[0] == '!';
        int i;
        next = end ? end + 1 : line + strlen(line);
        if (end)
            *end = '\0';
        line += fixed_by_caller;
        if (!*line)
            continue;
        if (!(eq = strchr(line, '='))) {
            status = corrupt("a line without '='");
            break;
        }
        *eq = '\0';
        if ((i = find(line)) < 0)
            continue; /* written by a later release: its option is not ours */
        if ((status = parse(&table[i], eq + 1, &number)) != RS_OK ||
            (status = store(&loaded, (size_t)i, eq + 1, number, false)) != RS_OK) {
            if (status != RS_ERR_NOMEM)
                status = rs__fail(RS_ERR_CORRUPT, "table meta, key %s: option %s: %s", OPTIONS_KEY,
                                  line, rs_errmsg());
            break;
        }
        loaded.set[i] = fixed_by_caller;
    }
    free(text);
    if (status != RS_OK) {
        rs__model_options_free(&loaded);
        return status;
    }
    rs__model_options_free(o);
    *o = loaded;
    return RS_OK;
}

/* ------------------------------------------------------------ public */

size_t rs_model_option_count(void)
{
    return N_OPTIONS;
}

int rs_model_option_info(size_t index, const char **name_out, int *type_out, double *min_out,
                         double *max_out, const char **default_out, const char **choices_out,
                         const char **description_out)
{
    const struct option *o;
    if (index >= N_OPTIONS)
        return rs__fail(RS_ERR_RANGE, "option index %zu (there are %zu options)", index,
                        (size_t)N_OPTIONS);
    o = &table[index];
    if (name_out)
        *name_out = o->name;
    if (type_out)
        *type_out = o->type;
    if (min_out)
        *min_out = o->min;
    if (max_out)
        *max_out = o->max;
    if (default_out)
        *default_out = o->def;
    if (choices_out)
        *choices_out = o->choices;
    if (description_out)
        *description_out = o->description;
    return RS_OK;
}

/* Set option i to (text, number) on the model: the scorer at once, then the
 * stored value; nothing changes when the scorer refuses. */
static int set_parsed(rs_model *model, size_t i, const char *text, double number)
{
    const struct option *o = &table[i];
    if (o->family == F_SCORER && model->scorer) {
        int status = apply_one(&scorer_setters, model->scorer, i, number);
        if (status != RS_OK)
            return rs__fail_context("option %s", o->name);
    }
    return store(&model->options, i, text, number, true);
}

/* The table index of name for fn, a call typed for one option type:
 * RS_ERR_INVALID for a NULL or an option of another type, RS_ERR_NOTFOUND
 * (with the nearest names) for an unknown one. */
static int typed_index(const char *fn, const rs_model *model, const char *name,
                       const void *value, int type, int *index_out)
{
    static const char *const type_names[] = {"an integer", "a double", "a choice", "a string"};
    if (!model || !name || !value)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if ((*index_out = find(name)) < 0)
        return unknown(name);
    if (table[*index_out].type != type)
        return rs__fail(RS_ERR_INVALID, "%s: option %s is not %s option", fn, name,
                        type_names[type]);
    return RS_OK;
}

int rs_model_set_option(rs_model *model, const char *name, const char *value)
{
    double number = 0;
    int i, status;
    if (!model || !name || !value)
        return rs__fail(RS_ERR_INVALID, "rs_model_set_option: NULL argument");
    if ((i = find(name)) < 0)
        return unknown(name);
    if ((status = parse(&table[i], value, &number)) != RS_OK)
        return status;
    return set_parsed(model, (size_t)i, value, number);
}

int rs_model_set_int(rs_model *model, const char *name, int64_t value)
{
    char text[32];
    int i = 0, s = typed_index("rs_model_set_int", model, name, "", RS_OPTION_INT, &i);
    if (s != RS_OK)
        return s;
    snprintf(text, sizeof text, "%" PRId64, value);
    return rs_model_set_option(model, name, text);
}

int rs_model_set_double(rs_model *model, const char *name, double value)
{
    int i = 0, s = typed_index("rs_model_set_double", model, name, "", RS_OPTION_DOUBLE, &i);
    if (s != RS_OK)
        return s;
    if (!(isinf(value) && value < 0 && (table[i].flags & O_NEG_INF)) &&
        (!isfinite(value) || value < table[i].min || value > table[i].max))
        return rs__fail(RS_ERR_RANGE, "option %s: %g is outside [%g, %g]", name, value,
                        table[i].min, table[i].max);
    return set_parsed(model, (size_t)i, "", value);
}

int rs_model_get_option(const rs_model *model, const char *name, char *buf, size_t capacity,
                        size_t *len_out)
{
    char small[RS_MAX_KEY_BYTES + 64];
    int i, n;
    if (!model || !name || (!buf && capacity))
        return rs__fail(RS_ERR_INVALID, "rs_model_get_option: NULL argument");
    if ((i = find(name)) < 0)
        return unknown(name);
    n = format(&model->options, (size_t)i, small, sizeof small);
    if (n < 0)
        return rs__fail(RS_ERR_INTERNAL, "option %s: formatting failed", name);
    if (len_out)
        *len_out = (size_t)n;
    if ((size_t)n >= capacity)
        return rs__fail(RS_ERR_BUFFER, "option %s: %d bytes needed, %zu given", name, n + 1,
                        capacity);
    memcpy(buf, small, (size_t)n + 1);
    return RS_OK;
}

int rs_model_get_int(const rs_model *model, const char *name, int64_t *value_out)
{
    int i = 0, s = typed_index("rs_model_get_int", model, name, value_out, RS_OPTION_INT, &i);
    if (s == RS_OK)
        *value_out = (int64_t)model->options.value[i];
    return s;
}

int rs_model_get_double(const rs_model *model, const char *name, double *value_out)
{
    int i = 0, s = typed_index("rs_model_get_double", model, name, value_out, RS_OPTION_DOUBLE, &i);
    if (s == RS_OK)
        *value_out = model->options.value[i];
    return s;
}

int rs_model_save_options(rs_model *model)
{
    sqlite3 *db;
    int status;
    if (!model)
        return rs__fail(RS_ERR_INVALID, "rs_model_save_options: NULL model");
    if (model->flags & RS_MODEL_READONLY)
        return rs__fail(RS_ERR_READONLY, "rs_model_save_options: the model is open read-only");
    db = rs__graph_db(model->graph);
    if (sqlite3_exec(db, "SAVEPOINT rs_model_options", NULL, NULL, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "saving the options");
    status = rs__model_options_save(&model->options, model->graph);
    if (status != RS_OK)
        sqlite3_exec(db, "ROLLBACK TO rs_model_options", NULL, NULL, NULL);
    if (sqlite3_exec(db, "RELEASE rs_model_options", NULL, NULL, NULL) != SQLITE_OK &&
        status == RS_OK)
        status = rs__graph_db_fail(db, "saving the options");
    return status;
}
