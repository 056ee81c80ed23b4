/*
 * cmd_serve.c - `recsim serve`: answer recommendation requests over HTTP
 * from one loaded model until SIGTERM or SIGINT, reloading the model when
 * its file changes (serve_model.c) and answering on a thread pool
 * (serve_http.c).
 */
#include "cli.h"
#include "commands.h"
#include "serve_http.h"
#include "serve_model.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DRAIN_S 5.0 /* how long a stop waits for requests in flight */

void cmd_serve_help(FILE *out)
{
    fputs("usage: recsim serve [options] MODEL\n"
          "\n"
          "Answer HTTP/JSON requests from the model file MODEL built by 'recsim build',\n"
          "loaded once, until SIGTERM or SIGINT (requests in flight are finished).\n"
          "\n"
          "  GET  /recommend?user=U&k=N   the element of 'recommend --json' for U;\n"
          "       also exclude=ITEM and only=ITEM (repeatable), explain=1,\n"
          "       no_paths=1, interests=1.  An unknown user is cold-started.\n"
          "  GET  /similar?item=I&k=N     the document of 'similar --json'\n"
          "  GET  /explain?user=U&item=I  why I is recommended to U\n"
          "  GET  /healthz                status, model, generation, failed_loads,\n"
          "                               items, users, requests, uptime_s\n"
          "  POST /observe                a JSON body {\"user\", \"item\"[, \"event\",\n"
          "       \"weight\", \"time\"]}, saved in MODEL (--read-write only)\n"
          "\n"
          "  --port N          TCP port, 0 for any free one (default 8080)\n"
          "  --bind ADDR       IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
          "  --threads N       request threads, 1..256 (default: the cores); each\n"
          "                    request is computed on one\n"
          "  --read-write      open MODEL read-write and accept POST /observe\n"
          "  --reload-interval S  look for a changed MODEL every S seconds (default 1;\n"
          "                    0: never); SIGHUP reloads at once\n"
          "  -h, --help        this help\n"
          "\n"
          "Standard output gets one line, 'listening on http://ADDR:PORT/', once the\n"
          "port is open.  Errors are JSON {\"error\", \"status\"}: 400 for a bad\n"
          "parameter (missing, repeated, bad k, bad escape, invalid UTF-8), 404 for\n"
          "an unknown route or item, 405 for a wrong method, 403 for /observe on a\n"
          "read-only model, 413 for a body over 64 KiB, 414 for a target over 8 KiB.\n",
          out);
}

/* The signal handlers write the signal's number here; the main loop reads. */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    if (write(signal_pipe[1], &byte, 1) < 0) {
        /* the pipe is full: a signal is already waiting to be read */
    }
    errno = saved;
}

/* SIGTERM, SIGINT (stop) and SIGHUP (reload) into the pipe; SIGPIPE off. */
static int catch_signals(void)
{
    struct sigaction sa;
    if (pipe(signal_pipe) != 0)
        return cli_fail("serve: pipe: %s", strerror(errno));
    fcntl(signal_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(signal_pipe[1], F_SETFD, FD_CLOEXEC);
    fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    return CLI_OK;
}

static void report_reload(const struct serve_holder *h, int outcome)
{
    if (outcome > 0 && !cli_quiet)
        fprintf(stderr, "recsim serve: %s changed: generation %llu loaded\n", h->path,
                (unsigned long long)h->current->generation);
    else if (outcome < 0 && !cli_quiet)
        fprintf(stderr, "recsim serve: %s changed but did not load; still serving "
                "generation %llu\n", h->path, (unsigned long long)h->current->generation);
}

/* Until a stop signal: reload checks every interval_s, and on SIGHUP. */
static void serve_loop(struct serve_holder *h, double interval_s)
{
    for (;;) {
        struct pollfd pfd = {signal_pipe[0], POLLIN, 0};
        int timeout = interval_s > 0 ? (int)(interval_s * 1000) : -1;
        int ready = poll(&pfd, 1, timeout);
        unsigned char sig = 0;
        if (ready < 0 && errno != EINTR)
            return;
        if (ready > 0 && read(signal_pipe[0], &sig, 1) == 1) {
            if (sig == SIGTERM || sig == SIGINT)
                return;
            if (sig == SIGHUP)
                report_reload(h, serve_holder_check(h, true));
        } else if (ready == 0) {
            report_reload(h, serve_holder_check(h, false));
        }
    }
}

enum { OPT_PORT = CLI_LONG_ONLY, OPT_BIND, OPT_THREADS, OPT_READ_WRITE, OPT_RELOAD };

static const struct option serve_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"port", required_argument, NULL, OPT_PORT},
    {"bind", required_argument, NULL, OPT_BIND},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"read-write", no_argument, NULL, OPT_READ_WRITE},
    {"reload-interval", required_argument, NULL, OPT_RELOAD},
    {NULL, 0, NULL, 0}};

int cmd_serve(int argc, char **argv)
{
    const char *model = NULL, *bind_addr = "127.0.0.1";
    long port = 8080, cores = sysconf(_SC_NPROCESSORS_ONLN), threads = cores > 0 ? cores : 1;
    double interval = 1;
    bool read_write = false;
    struct serve_holder holder;
    struct serve_http http;
    int rc = CLI_OK, c;
    cli_getopt_start();
    while (rc == CLI_OK &&
           (c = cli_getopt("serve", argc, argv, "h", serve_options, &rc)) != -1) {
        switch (c) {
        case 'h': cmd_serve_help(stdout); return CLI_OK;
        case OPT_PORT: rc = cli_parse_long("serve", "--port", optarg, 0, 65535, &port); break;
        case OPT_BIND: bind_addr = optarg; break;
        case OPT_THREADS:
            rc = cli_parse_long("serve", "--threads", optarg, 1, 256, &threads);
            break;
        case OPT_READ_WRITE: read_write = true; break;
        case OPT_RELOAD:
            rc = cli_parse_double("serve", "--reload-interval", optarg, 0, 86400, &interval);
            break;
        default: break; /* '?': reported, rc set */
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        model = argv[optind++];
    if (optind < argc)
        return cli_usage("serve", "unexpected argument '%s'", argv[optind]);
    if (!model)
        return cli_usage("serve", "needs MODEL");
    if (inet_pton(AF_INET, bind_addr, &(struct in6_addr){0}) != 1 &&
        inet_pton(AF_INET6, bind_addr, &(struct in6_addr){0}) != 1)
        return cli_usage("serve", "--bind wants an IPv4 or IPv6 address, not '%s'", bind_addr);
    if (catch_signals() != CLI_OK || serve_holder_open(&holder, model, read_write) != CLI_OK)
        return CLI_FAILURE;
    /* concurrency comes from the requests: each one computes on its own
     * thread, without library or BLAS workers of its own */
    rs_set_num_threads(1);
    memset(&http, 0, sizeof http);
    if (serve_http_start(&http, &holder, bind_addr, (unsigned)port, (unsigned)threads) !=
        CLI_OK) {
        serve_holder_close(&holder);
        return CLI_FAILURE;
    }
    printf(strchr(bind_addr, ':') ? "listening on http://[%s]:%u/\n"
                                  : "listening on http://%s:%u/\n",
           bind_addr, http.port);
    if (cli_flush_stdout() == CLI_OK) {
        if (!cli_quiet)
            fprintf(stderr, "recsim serve: %s (%s, %zu items), %ld threads; SIGTERM stops\n",
                    model, read_write ? "read-write" : "read-only", holder.current->n_items,
                    threads);
        serve_loop(&holder, interval);
    }
    serve_http_stop(&http, DRAIN_S);
    if (!cli_quiet)
        fprintf(stderr, "recsim serve: stopped after %llu requests\n",
                (unsigned long long)atomic_load(&http.requests));
    serve_holder_close(&holder);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    return CLI_OK;
}
