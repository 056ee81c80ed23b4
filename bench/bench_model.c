/*
 * bench_model.c - rs_model on a built model file: the time to open it and
 * recommend for one user (in process; bench_model.sh times the whole
 * `recsim recommend` process), and batch recommendation for every user of
 * the graph through rs_model_recommend_batch against the raw
 * rs_scorer_recommend_batch on the same scorer (the bound: within
 * 1.1x).  Medians of 7 runs, the two batches interleaved in alternating
 * order (the second of a pair runs on caches the first warmed).
 *
 * With RECSIM, the path of the recsim binary, it first times the whole
 * process `RECSIM recommend MODEL USER` (fork and exec, output to
 * /dev/null): the median of WHOLE_RUNS runs after one that warms the page
 * cache (the bound: 0.15 s on a quiet machine).
 *
 * usage: bench_model MODEL USER [RECSIM]
 */
#include "bench_util.h"

#include <fcntl.h>
#include <recsim.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define RUNS 7
#define WHOLE_RUNS 9

/* Wall seconds of one `recsim recommend MODEL USER` process. */
static double whole_process(const char *recsim, const char *model, const char *user)
{
    char *args[] = {(char *)recsim, "recommend", (char *)model, (char *)user, NULL};
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = 0;
    double t0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    t0 = now();
    if (posix_spawn(&pid, recsim, &fa, NULL, args, environ) != 0 ||
        waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_model: %s recommend %s %s failed\n", recsim, model, user);
        exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    return now() - t0;
}
#define K 10

static void die(const char *what)
{
    fprintf(stderr, "bench_model: %s: %s\n", what, rs_errmsg());
    exit(1);
}

int main(int argc, char **argv)
{
    double open_s[RUNS], model_s[RUNS], scorer_s[RUNS], model_cpu[RUNS], scorer_cpu[RUNS];
    const char **users, **keys;
    uint32_t *items;
    float *scores;
    size_t *counts, n_users = 0, span;
    rs_model *m = NULL;
    rs_graph *g;
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: bench_model MODEL USER [RECSIM]\n");
        return 2;
    }
    {
        double load[3] = {0, 0, 0};
        FILE *f = fopen("/proc/loadavg", "r");
        if (!f || fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = load[1] = load[2] = -1;
        if (f)
            fclose(f);
        printf("%ld CPUs, OpenBLAS kernel %s, load average %.2f %.2f %.2f\n",
               sysconf(_SC_NPROCESSORS_ONLN), rs_blas_corename(), load[0], load[1], load[2]);
    }
    if (argc == 4) {
        double whole[WHOLE_RUNS];
        whole_process(argv[3], argv[1], argv[2]); /* the file into the page cache */
        for (int r = 0; r < WHOLE_RUNS; r++)
            whole[r] = whole_process(argv[3], argv[1], argv[2]);
        printf("recsim recommend, whole process (fork + exec): %.3f s (median of %d; bound "
               "0.15 s on a quiet machine)\n", median(whole, WHOLE_RUNS), WHOLE_RUNS);
    }
    for (int r = 0; r < RUNS; r++) {
        const char *top[K];
        size_t n;
        double t0 = now();
        if (rs_model_open(argv[1], RS_MODEL_READONLY, &m) != RS_OK)
            die("opening the model");
        if (rs_model_recommend(m, argv[2], K, NULL, 0, NULL, 0, top, NULL, NULL, &n) != RS_OK)
            die("recommending");
        open_s[r] = now() - t0;
        if (r + 1 < RUNS)
            rs_model_close(m);
    }
    g = rs_model_graph(m);
    span = rs_graph_node_span(g);
    users = malloc(span * sizeof *users);
    for (uint32_t v = 0; users && v < span; v++) {
        const char *type, *key;
        if (rs_graph_node_key(g, v, &type, &key) == RS_OK && strcmp(type, "user") == 0)
            users[n_users++] = key;
    }
    rs_clear_error();
    keys = malloc((n_users ? n_users : 1) * K * sizeof *keys);
    items = malloc((n_users ? n_users : 1) * K * sizeof *items);
    scores = malloc((n_users ? n_users : 1) * K * sizeof *scores);
    counts = malloc((n_users ? n_users : 1) * sizeof *counts);
    if (!users || !keys || !items || !scores || !counts)
        die("out of memory");
    /* One warm-up of each, then the two in alternating order: the second
     * of a pair runs on caches the first warmed. */
    if (rs_model_recommend_batch(m, users, n_users, K, keys, scores, items, counts) != RS_OK ||
        rs_scorer_recommend_batch(rs_model_scorer(m), users, n_users, K, items, scores,
                                  counts) != RS_OK)
        die("warming up");
    for (int r = 0; r < RUNS; r++) {
        for (int turn = 0; turn < 2; turn++) {
            bool model_turn = (turn == 0) == (r % 2 == 0);
            double t0 = now(), c0 = cpu_now();
            if (model_turn &&
                rs_model_recommend_batch(m, users, n_users, K, keys, scores, items, counts) !=
                    RS_OK)
                die("rs_model_recommend_batch");
            if (!model_turn && rs_scorer_recommend_batch(rs_model_scorer(m), users, n_users, K,
                                                         items, scores, counts) != RS_OK)
                die("rs_scorer_recommend_batch");
            (model_turn ? model_s : scorer_s)[r] = now() - t0;
            (model_turn ? model_cpu : scorer_cpu)[r] = cpu_now() - c0;
        }
    }
    printf("open + recommend one user (in process): %.3f s (median of %d)\n",
           median(open_s, RUNS), RUNS);
    {
        double a = median(model_s, RUNS), b = median(scorer_s, RUNS);
        double ca = median(model_cpu, RUNS), cb = median(scorer_cpu, RUNS);
        printf("batch of %zu users, k = %d, %d threads: rs_model_recommend_batch %.3f s "
               "(CPU %.3f s), rs_scorer_recommend_batch %.3f s (CPU %.3f s), ratio %.3f wall, "
               "%.3f CPU (bound 1.1)\n",
               n_users, K, rs_get_num_threads(), a, ca, b, cb, b > 0 ? a / b : 0.0,
               cb > 0 ? ca / cb : 0.0);
    }
    free(users);
    free(keys);
    free(items);
    free(scores);
    free(counts);
    rs_model_close(m);
    return 0;
}
