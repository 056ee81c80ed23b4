/*
 * bench_serve.c - `recsim serve` under load on loopback, beside the same
 * lookups through the C API in the same run (issue 18, item 4).
 *
 *   build/bench/bench_serve MODEL USERS_FILE PORT SERVER_PID [SECONDS]
 *
 * The peer: rs_model_recommend (k 10) for the users of USERS_FILE in turn,
 * on 1 and on 2 threads of one read-only model, library threads 1 (as the
 * service computes).  The service: C clients with plain sockets and one
 * keep-alive connection each send GET /recommend?user=U&k=10 one after the
 * other for SECONDS (default 5) at 1, 8 and 64 clients; requests/s, p50,
 * p99.  The server (started by bench_serve.sh on PORT) shares the 2 cores
 * with these clients, so the client is kept to a read and a write a
 * request.  Prints the load average with each figure, and the CPU time a
 * request costs (the server's, from /proc/PID/stat; the peer's own for the
 * C API): on a shared machine the rate follows the load, the CPU time per
 * request much less, and 2 / (CPU per request) is what 2 idle cores give.
 */
#define _GNU_SOURCE /* getloadavg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"
#include "recsim.h"

#define K 10
#define MAX_CLIENTS 64
#define MAX_SAMPLES 2000000

struct run {
    /* shared */
    const rs_model *model;
    int server_pid;
    char **users;
    size_t n_users;
    unsigned port;
    double until;
    /* per thread */
    size_t first;
    double *latency; /* seconds, one per request */
    size_t n, cap;
    size_t errors;
    double cpu_per_request; /* set by measure() on the shared run */
};

static void add_sample(struct run *r, double seconds)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 4096;
        r->latency = realloc(r->latency, r->cap * sizeof *r->latency);
        if (!r->latency) {
            fprintf(stderr, "bench_serve: out of memory\n");
            exit(1);
        }
    }
    r->latency[r->n++] = seconds;
}

static void *api_worker(void *arg)
{
    struct run *r = arg;
    const char *keys[K];
    float scores[K];
    for (size_t i = r->first; now() < r->until; i++) {
        size_t n = 0;
        double t = now();
        if (rs_model_recommend(r->model, r->users[i % r->n_users], K, NULL, 0, NULL, 0, keys,
                               scores, NULL, &n) != RS_OK)
            r->errors++;
        add_sample(r, now() - t);
    }
    return NULL;
}

static int connect_to(unsigned port)
{
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("bench_serve: connect");
        exit(1);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* One response on fd into buf: its status, or -1 when the connection broke. */
static int read_response(int fd, char *buf, size_t size)
{
    size_t have = 0, body_at = 0, length = 0;
    int status;
    for (;;) {
        ssize_t got;
        char *end;
        if (body_at && have >= body_at + length)
            break;
        if (have == size - 1)
            return -1;
        got = read(fd, buf + have, size - 1 - have);
        if (got <= 0)
            return -1;
        have += (size_t)got;
        buf[have] = '\0';
        if (!body_at && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            body_at = (size_t)(end + 4 - buf);
            length = cl ? strtoul(cl + 17, NULL, 10) : 0;
        }
    }
    if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
        return -1;
    return status;
}

static void *http_worker(void *arg)
{
    struct run *r = arg;
    static __thread char buf[1 << 16];
    char request[1024];
    int fd = connect_to(r->port);
    for (size_t i = r->first; now() < r->until; i++) {
        int len = snprintf(request, sizeof request,
                           "GET /recommend?user=%s&k=%d HTTP/1.1\r\nHost: localhost\r\n\r\n",
                           r->users[i % r->n_users], K);
        double t = now();
        if (write(fd, request, (size_t)len) != len || read_response(fd, buf, sizeof buf) != 200) {
            r->errors++;
            close(fd);
            fd = connect_to(r->port);
        }
        add_sample(r, now() - t);
    }
    close(fd);
    return NULL;
}

/* CPU seconds of process pid so far (utime + stime of /proc/PID/stat). */
static double process_cpu(int pid)
{
    char path[64], buf[1024], *p;
    unsigned long long utime = 0, stime = 0;
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (!(f = fopen(path, "r")))
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* after the command name in parentheses: state is field 3, utime 14 */
    if ((p = strrchr(buf, ')')) != NULL &&
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
               &stime) == 2)
        return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    return 0;
}

/* Run threads x worker for seconds; print the line (label NULL: a warm-up,
 * not printed). */
static double measure(const char *label, void *(*worker)(void *), struct run *shared,
                      unsigned threads, double seconds)
{
    struct run runs[MAX_CLIENTS];
    pthread_t ids[MAX_CLIENTS];
    double started, elapsed, *all, load[3] = {0, 0, 0};
    size_t total = 0, errors = 0, at = 0;
    bool http = worker == http_worker;
    double cpu = http ? process_cpu(shared->server_pid) : cpu_now();
    shared->until = now() + seconds;
    started = now();
    for (unsigned t = 0; t < threads; t++) {
        runs[t] = *shared;
        runs[t].first = t * 7919u; /* clients ask for different users */
        pthread_create(&ids[t], NULL, worker, &runs[t]);
    }
    for (unsigned t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        total += runs[t].n;
        errors += runs[t].errors;
    }
    elapsed = now() - started;
    cpu = (http ? process_cpu(shared->server_pid) : cpu_now()) - cpu;
    all = malloc((total ? total : 1) * sizeof *all);
    for (unsigned t = 0; t < threads; t++) {
        memcpy(all + at, runs[t].latency, runs[t].n * sizeof *all);
        at += runs[t].n;
        free(runs[t].latency);
    }
    qsort(all, total, sizeof *all, compare_doubles);
    getloadavg(load, 3);
    if (label)
        printf("%-26s %3u %8.0f/s  p50 %6.3f ms  p99 %6.3f ms  cpu %6.1f us/req  "
               "errors %zu  (load %.2f)\n",
               label, threads, (double)total / elapsed, total ? all[total / 2] * 1e3 : 0,
               total ? all[(size_t)((double)total * 0.99)] * 1e3 : 0,
               total ? cpu / (double)total * 1e6 : 0, errors, load[0]);
    shared->cpu_per_request = total ? cpu / (double)total : 0;
    fflush(stdout);
    free(all);
    return (double)total / elapsed;
}

int main(int argc, char **argv)
{
    struct run shared;
    rs_model *model = NULL;
    double seconds = argc > 5 ? atof(argv[5]) : 5, api2, api_cpu, http8, http_cpu;
    if (argc < 5) {
        fprintf(stderr, "usage: bench_serve MODEL USERS_FILE PORT SERVER_PID [SECONDS]\n");
        return 2;
    }
    memset(&shared, 0, sizeof shared);
    shared.users = read_lines(argv[2], true, &shared.n_users);
    shared.port = (unsigned)atoi(argv[3]);
    shared.server_pid = atoi(argv[4]);
    if (shared.n_users == 0 || rs_model_open(argv[1], RS_MODEL_READONLY, &model) != RS_OK) {
        fprintf(stderr, "bench_serve: %s: %s\n", argv[1], rs_errmsg());
        return 1;
    }
    rs_set_num_threads(1);
    shared.model = model;
    printf("%zu users, k %d, %.0f s a run, BLAS core %s\n", shared.n_users, K, seconds,
           rs_blas_corename());
    printf("%-26s %3s %10s\n", "what", "thr", "rate");
    /* both sides read the model in first (a read-only model reads the rows
     * of the collaborative matrix it needs until it has read it whole) */
    measure(NULL, api_worker, &shared, 2, 3);
    measure("C API rs_model_recommend", api_worker, &shared, 1, seconds);
    api2 = measure("C API rs_model_recommend", api_worker, &shared, 2, seconds);
    api_cpu = shared.cpu_per_request;
    measure(NULL, http_worker, &shared, 8, 3);
    measure("HTTP GET /recommend", http_worker, &shared, 1, seconds);
    http8 = measure("HTTP GET /recommend", http_worker, &shared, 8, seconds);
    http_cpu = shared.cpu_per_request;
    measure("HTTP GET /recommend", http_worker, &shared, 64, seconds);
    printf("service / C API: %.3fx the rate (8 clients vs 2 threads), %.2fx the CPU a "
           "request (%.0f vs %.0f us)\n",
           http8 / api2, api_cpu > 0 ? http_cpu / api_cpu : 0, http_cpu * 1e6, api_cpu * 1e6);
    printf("2 idle cores at that CPU cost: %.0f requests/s (service), %.0f/s (C API)\n",
           http_cpu > 0 ? 2 / http_cpu : 0, api_cpu > 0 ? 2 / api_cpu : 0);
    rs_model_close(model);
    for (size_t i = 0; i < shared.n_users; i++)
        free(shared.users[i]);
    free(shared.users);
    return 0;
}
