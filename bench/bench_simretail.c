/*
 * bench_simretail.c MODEL - the simulator's speed on the full retail
 * catalogue (issue 17 item 6), MODEL a built model of the whole Online
 * Retail log (bench_simretail.sh imports and builds one, or takes
 * $RS_BENCH_SIM_MODEL):
 *   1. the response model alone: rs_sim_respond_batch over the model's
 *      item vectors at their own dimension, 1,000,000 random slates of 10,
 *      one user per model user, 1 and 2 threads (target >= 5 M/s), the
 *      kernel chosen for the CPU against the slower ones (same bits);
 *   2. end to end: rs_model_simulate with the model's default scorer as the
 *      policy, one simulated user mirrored from every model user, slates of
 *      10, 2 threads (target >= 50,000 user-steps/s), counted as the slates
 *      shown over the wall time of the call (population, scorer copy and
 *      simulator included) and over the policy's own run alone; the plain
 *      policy (every step ranked afresh, as in 1.0) as the peer.
 * Medians of RUNS runs; the CPU, the OpenBLAS kernel and the load average
 * are printed with the figures (this machine is shared: read them as a
 * lower bound).
 */
#include "recsim.h"

#include "fx_mix.h" /* tests/fixtures: the synthetic worlds' mixer */

#include "bench_util.h"
#include "sim/sim_internal.h" /* the response kernel: chosen, and its peers */

#include <stdint.h>

#define RUNS 5
#define SLATE 10
#define N_RESP 1000000

static void check(int status, const char *what)
{
    if (status != RS_OK) {
        fprintf(stderr, "bench_simretail: %s: %s\n", what, rs_errmsg());
        exit(1);
    }
}

static void print_cpu(void)
{
    char line[512], *name = NULL;
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0 && (name = strchr(line, ':'))) {
            name += 2;
            name[strcspn(name, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
    printf("  CPU %s; OpenBLAS kernel %s\n", name ? name : "?", rs_blas_corename());
}

static void print_load(void)
{
    char buf[128] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fgets(buf, sizeof buf, f))
        buf[strcspn(buf, "\n")] = '\0';
    if (f)
        fclose(f);
    printf("    (load average %s)\n", buf);
}

static void bench_response(const rs_model *m, size_t n_users)
{
    const rs_item_store *store = rs_model_item_store(m);
    size_t n_items = rs_model_item_count(m);
    rs_sim *sim;
    check(rs_sim_create_from_store(store, NULL, 1, n_users, 1, &sim), "sim");
    uint32_t *users = malloc(N_RESP * sizeof *users);
    uint32_t *slates = malloc((size_t)N_RESP * SLATE * sizeof *slates);
    int32_t *out = malloc(4 * (size_t)N_RESP * sizeof *out);
    if (!users || !slates || !out)
        check(RS_ERR_NOMEM, "buffers");
    for (size_t i = 0; i < N_RESP; i++) {
        users[i] = (uint32_t)(i % n_users);
        uint64_t h = fx_mix(i + 1);
        for (size_t j = 0; j < SLATE; j++) {
            h = fx_mix(h + j);
            slates[i * SLATE + j] = (uint32_t)(((h >> 32) * n_items) >> 32);
        }
    }
    printf("  1. response model alone (rs_sim_respond_batch): %zu items, dim %zu, %zu users, "
           "%d responses per run, slate %d\n", n_items, rs_item_store_dim(store), n_users,
           N_RESP, SLATE);
    /* The kernel chosen for this CPU, then the slower ones as its peers
     * (the same bits), their runs interleaved so that the machine's load
     * falls on all alike. */
    int best = sim->kernel;
    printf("  response kernel chosen: %s (RECSIM_SIM_KERNEL caps it)\n",
           rs__sim_kernel_name(best));
    for (int threads = 1; threads <= 2; threads++) {
        double t[3][RUNS], cpu[3][RUNS];
        int lowest = threads == 2 ? RS__SIM_KERNEL_PORTABLE : best;
        check(rs_sim_set_int(sim, RS_SIM_THREADS, threads), "threads");
        for (int r = 0; r < RUNS; r++)
            for (int k = best; k >= lowest; k--) {
                sim->kernel = k;
                double t0 = now(), c0 = cpu_now();
                check(rs_sim_respond_batch(sim, users, (uint64_t)r, slates, N_RESP, SLATE, out,
                                           out + N_RESP, out + 2 * N_RESP, out + 3 * N_RESP),
                      "respond");
                t[k][r] = now() - t0;
                cpu[k][r] = cpu_now() - c0;
            }
        double wb = median(t[best], RUNS);
        for (int k = best; k >= lowest; k--) {
            double w = median(t[k], RUNS), c = median(cpu[k], RUNS);
            printf("    %d thread%s, %-8s: %.2f M responses/s wall (%.0f ns CPU each)", threads,
                   threads > 1 ? "s" : "", rs__sim_kernel_name(k), N_RESP / w / 1e6,
                   c / N_RESP * 1e9);
            if (k != best)
                printf("; %s is %.2fx faster", rs__sim_kernel_name(best), w / wb);
            printf("\n");
        }
        print_load();
    }
    sim->kernel = best;
    free(users);
    free(slates);
    free(out);
    rs_sim_free(sim);
}

/* One rs_model_simulate("scorer") call: wall, policy and CPU seconds. */
static void one_call(const rs_model *m, uint64_t steps, double *wall, double *own, double *cpu,
                     double *shown)
{
    const char *policy[] = {"scorer"};
    rs_sim_trace *trace;
    double t0 = now(), c0 = cpu_now();
    check(rs_model_simulate(m, policy, 1, 0, steps, SLATE, 1, &trace), "simulate");
    *wall = now() - t0;
    *cpu = cpu_now() - c0;
    *own = rs_sim_trace_seconds(trace, 0);
    check(rs_sim_trace_value(trace, 0, steps - 1, RS_SIM_STAT_IMPRESSIONS, shown), "trace");
    rs_sim_trace_free(trace);
}

/* The kept scorer run (each user's ranking and collaborative sums carried
 * from step to step) against its peer, the plain policy of 1.0 (every step
 * ranked afresh, rs__sim_force_plain): the same trace, their runs
 * interleaved. */
static void bench_end_to_end(const rs_model *m, uint64_t steps)
{
    double t[2][RUNS], own[2][RUNS], cpu[2][RUNS], shown = 0;
    const char *name[2] = {"kept run (default)", "plain (1.0's policy)"};
    rs_set_num_threads(2);
    int peers = getenv("RS_BENCH_SIM_NO_PEER") ? 1 : 2; /* 1: the kept run alone */
    for (int r = 0; r < RUNS; r++)
        for (int v = 0; v < peers; v++) {
            rs__sim_force_plain(v);
            one_call(m, steps, &t[v][r], &own[v][r], &cpu[v][r], &shown);
        }
    rs__sim_force_plain(0);
    printf("  2. end to end, rs_model_simulate(\"scorer\"), every model user mirrored, "
           "%llu steps, slate %d, 2 threads: %.0f user-steps/call\n",
           (unsigned long long)steps, SLATE, shown);
    double w0 = median(t[0], RUNS);
    for (int v = 0; v < peers; v++) {
        double w = median(t[v], RUNS), o = median(own[v], RUNS), c = median(cpu[v], RUNS);
        printf("    %-20s: %.0f user-steps/s over the whole call (%.2f s), %.0f over the "
               "policy's run (%.2f s); %.1f us CPU per user-step", name[v], shown / w, w,
               shown / o, o, c / shown * 1e6);
        if (v)
            printf("; the kept run is %.2fx faster", w / w0);
        printf("\n");
    }
    print_load();
}

int main(int argc, char **argv)
{
    rs_model *m;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_simretail MODEL [STEPS]\n");
        return 2;
    }
    uint64_t steps = argc > 2 ? (uint64_t)strtoull(argv[2], NULL, 10) : 10;
    check(rs_model_open(argv[1], RS_MODEL_READONLY, &m), argv[1]);
    size_t n_users = 0, cursor = 0, n;
    const char *keys[1024];
    while (rs_model_users(m, &cursor, keys, 1024, &n) == RS_OK && n > 0)
        n_users += n;
    printf("bench_simretail: %s, %zu items, %zu users; medians of %d runs\n", argv[1],
           rs_model_item_count(m), n_users, RUNS);
    print_cpu();
    if (!getenv("RS_BENCH_SIM_E2E_ONLY"))
        bench_response(m, n_users ? n_users : 1);
    if (!getenv("RS_BENCH_SIM_RESPONSE_ONLY"))
        bench_end_to_end(m, steps);
    rs_model_close(m);
    return 0;
}
