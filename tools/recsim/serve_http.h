/*
 * serve_http.h - the HTTP side of `recsim serve`: libmicrohttpd's daemon
 * with a thread pool, the routes and their JSON answers.
 */
#ifndef RECSIM_SERVE_HTTP_H
#define RECSIM_SERVE_HTTP_H

#include "serve_model.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SERVE_MAX_URL 8192   /* longer request targets: 414 */
#define SERVE_MAX_BODY 65536 /* larger POST bodies: 413 */

struct serve_http {
    struct serve_holder *holder;
    void *daemon;                 /* struct MHD_Daemon */
    unsigned port;                /* the port bound (useful with port 0) */
    atomic_uint_fast64_t requests; /* answered or not, since start */
    atomic_uint_fast64_t in_flight;
    double started;               /* cli_now() at start */
};

/* Listen on bind_addr (IPv4 or IPv6 literal) and port (0: any free one)
 * with threads request threads; CLI_OK, or CLI_FAILURE with the reason
 * printed. */
int serve_http_start(struct serve_http *http, struct serve_holder *holder,
                     const char *bind_addr, unsigned port, unsigned threads);

/* Stop accepting, let the requests in flight finish (at most wait_s
 * seconds), then stop every thread. */
void serve_http_stop(struct serve_http *http, double wait_s);

#endif
