/*
 * bench_retail.c - the time to score one warm user with the configuration
 * the build chose, on the retail protocol's model (bench_retail.sh builds
 * it with bench/retail_model, with and without the selection): every warm
 * test customer recommended once (k = 10) through the scorer, after one
 * warm-up pass, each stage timed (lookup and history, graph, content,
 * collaborative, finish, rank); medians over the users.  The peer: the
 * collaborative model's own product for the same user (rs_cf_model_score
 * on the history, then a top-10 scan), the floor of any blend that holds
 * that score.
 *
 * usage: bench_retail MODEL TEST_TSV
 */
#include "bench_util.h"

#include <math.h>
#include <recsim.h>

#include "core/topk.h"
#include "score/score_internal.h"
#include "user/user_internal.h"

#define K 10

/* CPU seconds of the calling thread: unlike the wall clock, not inflated
 * while the machine's other work holds the core. */
static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *const stage_names[RS__N_STAGES] = {
    "lookup+history", "graph", "content", "collaborative", "finish", "rank"};

static void die(const char *what)
{
    fprintf(stderr, "bench_retail: %s: %s\n", what, rs_errmsg());
    exit(1);
}

/* The distinct first columns of a customer<TAB>item file, in order. */
static char **first_column(const char *path, size_t *n_out)
{
    size_t n_lines, n = 0;
    char **lines = read_lines(path, true, &n_lines);
    for (size_t i = 0; i < n_lines; i++) {
        char *tab = strchr(lines[i], '\t');
        if (tab)
            *tab = '\0';
        if (n && strcmp(lines[n - 1], lines[i]) == 0) {
            free(lines[i]);
            continue;
        }
        lines[n++] = lines[i];
    }
    *n_out = n;
    return lines;
}

static const char *cpu_name(void)
{
    static char name[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                snprintf(name, sizeof name, "%s", colon + 2);
                name[strcspn(name, "\n")] = '\0';
            }
            break;
        }
    if (f)
        fclose(f);
    return name;
}

/* The peer for one user: the collaborative model's own product for the
 * user's history (rs_cf_model_score, binary weights), then a top-10 scan. */
static double peer_one(const rs_scorer *s, const rs__user *u, uint32_t *hist, float *acc,
                       uint32_t *items)
{
    double t0 = now();
    rs_topk top;
    float sc[K + 1];
    size_t n = 0;
    for (size_t e = 0; e < u->n; e++) {
        uint32_t c = u->items[e] < s->item_span ? s->store_to_cf[u->items[e]] : UINT32_MAX;
        if (c != UINT32_MAX && c < s->cf_n)
            hist[n++] = c;
    }
    if (rs_cf_model_score(s->cf, hist, NULL, n, acc, s->cf_n) != RS_OK)
        die("rs_cf_model_score");
    rs__topk_init(&top, K, items, sc);
    for (size_t j = 0; j < s->cf_n; j++)
        rs__topk_push(&top, (uint32_t)j, acc[j]);
    rs__topk_finish(&top);
    return now() - t0;
}

int main(int argc, char **argv)
{
    rs_model *m;
    const rs_scorer *s;
    size_t n_users, n_timed = 0;
    char **users;
    double *total, *total_cpu, *stage[RS__N_STAGES], *peer;
    uint32_t items[K];
    if (argc != 3) {
        fprintf(stderr, "usage: bench_retail MODEL TEST_TSV\n");
        return 2;
    }
    if (rs_model_open(argv[1], RS_MODEL_READONLY, &m) != RS_OK)
        die(argv[1]);
    if (!(s = rs_model_scorer(m)))
        die("rs_model_scorer");
    users = first_column(argv[2], &n_users);
    total = calloc(n_users, sizeof *total);
    total_cpu = calloc(n_users, sizeof *total_cpu);
    peer = calloc(n_users, sizeof *peer);
    for (int k = 0; k < RS__N_STAGES; k++)
        stage[k] = calloc(n_users, sizeof *stage[k]);
    /* warm-up: the first pass reads the operator rows from the file */
    for (size_t u = 0; u < n_users; u++) {
        size_t got;
        double ns[RS__N_STAGES] = {0};
        if (rs__score_recommend_timed(s, users[u], K, items, &got, ns) != RS_OK)
            die(users[u]);
    }
    for (size_t u = 0; u < n_users; u++) {
        size_t got;
        double ns[RS__N_STAGES] = {0}, t0 = now(), c0 = thread_cpu();
        if (rs__score_recommend_timed(s, users[u], K, items, &got, ns) != RS_OK)
            die(users[u]);
        total[n_timed] = (now() - t0) * 1e6;
        total_cpu[n_timed] = (thread_cpu() - c0) * 1e6;
        for (int k = 0; k < RS__N_STAGES; k++)
            stage[k][n_timed] = ns[k] * 1e-3;
        n_timed++;
    }
    printf("bench_retail: %s, %zu warm users, k = %d; CPU %s; BLAS %s\n", argv[1], n_timed, K,
           cpu_name(), rs_blas_corename());
    {
        char buf[64];
        const char *names[] = {"build.cf", "scorer.w_collab", "scorer.w_content",
                               "scorer.w_graph", "scorer.w_popularity"};
        printf("configuration:");
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (rs_model_get_option(m, names[i], buf, sizeof buf, NULL) == RS_OK)
                printf(" %s=%s", names[i], buf);
        printf("\n");
    }
    for (int k = 0; k < RS__N_STAGES; k++) {
        double v = median(stage[k], n_timed);
        printf("  stage %-15s median %8.2f us\n", stage_names[k], v);
    }
    double med = median(total, n_timed);
    printf("scoring one warm user: median %.2f us (p90 %.2f us) over %zu users; thread CPU "
           "time median %.2f us\n", med, total[n_timed * 9 / 10], n_timed,
           median(total_cpu, n_timed));
    /* the peer, on the same users */
    if (s->cf) {
        float *acc = malloc((s->cf_n + 1) * sizeof *acc);
        uint32_t *hist = NULL;
        size_t n_peer = 0;
        for (size_t u = 0; acc && u < n_users; u++) {
            const rs__user *r = rs__user_find(s->users, users[u]);
            if (!r || !(hist = realloc(hist, (r->n + 1) * sizeof *hist)))
                continue;
            peer[n_peer++] = peer_one(s, r, hist, acc, items) * 1e6;
        }
        if (n_peer) {
            double pm = median(peer, n_peer);
            printf("peer (the collaborative model's product alone + top-10 scan): median "
                   "%.2f us; ratio ours/peer %.2f\n", pm, med / pm);
        }
        free(acc);
        free(hist);
    } else {
        printf("peer: not run (no collaborative model)\n");
    }
    for (size_t u = 0; u < n_users; u++)
        free(users[u]);
    free(users);
    free(total);
    free(total_cpu);
    free(peer);
    for (int k = 0; k < RS__N_STAGES; k++)
        free(stage[k]);
    rs_model_close(m);
    return 0;
}
