/*
 * serve_http.c - the routes of `recsim serve` over libmicrohttpd.
 *
 *   GET  /recommend?user=U[&k=N][&exclude=I]...[&only=I]...[&explain=1]
 *                   [&no_paths=1][&interests=1]
 *   GET  /similar?item=I[&k=N]
 *   GET  /explain?user=U&item=I
 *   GET  /healthz
 *   POST /observe   {"user", "item"[, "event", "weight", "time"]}  (--read-write)
 *
 * Every answer is one JSON document; errors are {"error", "status"}.  The
 * request target is decoded here, strictly, from the raw text libmicrohttpd
 * hands to its URI logger (its own unescaping lets bad escapes through).
 */
#include "serve_http.h"

#include "cli.h"
#include "cli_recjson.h"
#include "serve_query.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_K 1000
#define MAX_FILTER 256
#define CONNECTION_MEMORY (128 * 1024) /* request line and headers */
#define IDLE_TIMEOUT_S 30

/* One request: its raw target, and the body of a POST as it arrives. */
struct request {
    char *target;     /* NULL when longer than SERVE_MAX_URL */
    size_t target_len;
    char *body;
    size_t body_len;
    bool seen, answered;
};

/* An answer being built: the HTTP status and the document. */
struct answer {
    unsigned status;
    json_t *doc;
    const char *allow; /* the Allow header of a 405 */
};

/* ------------------------------------------------------------ answers */

static void fail_answer(struct answer *a, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* {"error": message, "status": status}; the message may quote a key the
 * client sent, so it is made printable and valid UTF-8 first. */
static void fail_answer(struct answer *a, unsigned status, const char *fmt, ...)
{
    char message[1024], safe[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_decref(a->doc);
    a->status = status;
    a->doc = json_pack("{s:s, s:i}", "error", cli_safe_text(message, safe, sizeof safe),
                       "status", (int)status);
}

/* The HTTP status of a library failure on a request that was well formed
 * as far as we could tell: the library's judgement of the values. */
static unsigned status_of(int rs_status)
{
    switch (rs_status) {
    case RS_ERR_INVALID:
    case RS_ERR_RANGE:
    case RS_ERR_ENCODING: return MHD_HTTP_BAD_REQUEST;
    case RS_ERR_NOTFOUND: return MHD_HTTP_NOT_FOUND;
    case RS_ERR_STATE:
    case RS_ERR_BUSY: return MHD_HTTP_SERVICE_UNAVAILABLE;
    default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

static void library_failure(struct answer *a, int rs_status, const char *what)
{
    const char *why = *rs_errmsg() ? rs_errmsg() : rs_strerror(rs_status);
    fail_answer(a, status_of(rs_status), "%s: %s", what, why);
}

static enum MHD_Result send_answer(struct MHD_Connection *c, struct request *r, struct answer *a)
{
    static const char no_memory[] = "{\"error\":\"out of memory\",\"status\":500}\n";
    char *text = a->doc ? json_dumps(a->doc, JSON_PRESERVE_ORDER | JSON_COMPACT |
                                                 JSON_REAL_PRECISION(9))
                        : NULL;
    struct MHD_Response *response = NULL;
    size_t len = text ? strlen(text) : 0;
    char *line = text ? realloc(text, len + 2) : NULL;
    enum MHD_Result ok;
    unsigned status = a->status;
    json_decref(a->doc);
    a->doc = NULL;
    if (line) {
        line[len] = '\n';
        line[len + 1] = '\0';
        response = MHD_create_response_from_buffer(len + 1, line, MHD_RESPMEM_MUST_FREE);
        if (!response)
            free(line);
    } else {
        free(text);
    }
    if (!response) {
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        response = MHD_create_response_from_buffer(sizeof no_memory - 1, (void *)no_memory,
                                                   MHD_RESPMEM_PERSISTENT);
        if (!response)
            return MHD_NO; /* closes the connection: nothing else to do */
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (a->allow)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, a->allow);
    ok = MHD_queue_response(c, status, response);
    MHD_destroy_response(response);
    r->answered = true;
    return ok;
}

/* ------------------------------------------------------------ parameters */

/* The single value of a required parameter, or NULL with the answer set. */
static const char *required(const struct serve_query *q, const char *name, struct answer *a)
{
    const char *value = NULL;
    size_t n = serve_query_get(q, name, &value);
    if (n == 0)
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "missing parameter '%s'", name);
    else if (n > 1)
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "parameter '%s' given %zu times", name, n);
    else if (!*value)
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "parameter '%s' is empty", name);
    return a->doc ? NULL : value;
}

/* k: a whole number from 1 to MAX_K, 10 when absent. */
static bool parse_k(const struct serve_query *q, size_t *k, struct answer *a)
{
    const char *text = NULL;
    size_t n = serve_query_get(q, "k", &text), value = 0;
    *k = 10;
    if (n == 0)
        return true;
    for (const char *p = text; n == 1 && *p >= '0' && *p <= '9' && value <= MAX_K; p++)
        value = value * 10 + (size_t)(*p - '0');
    if (n != 1 || !*text || text[strspn(text, "0123456789")] || value < 1 || value > MAX_K) {
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "k must be a whole number from 1 to %d", MAX_K);
        return false;
    }
    *k = value;
    return true;
}

/* A flag: absent, "", "1", "true", "yes" or "0", "false", "no". */
static bool parse_flag(const struct serve_query *q, const char *name, bool *flag,
                       struct answer *a)
{
    const char *text = NULL;
    size_t n = serve_query_get(q, name, &text);
    *flag = false;
    if (n == 0)
        return true;
    if (n == 1 && (!*text || !strcmp(text, "1") || !strcmp(text, "true") ||
                   !strcmp(text, "yes"))) {
        *flag = true;
        return true;
    }
    if (n == 1 && (!strcmp(text, "0") || !strcmp(text, "false") || !strcmp(text, "no")))
        return true;
    fail_answer(a, MHD_HTTP_BAD_REQUEST, "%s must be 1 or 0 (true or false), once", name);
    return false;
}

static bool known_only(const struct serve_query *q, const char *const *allowed,
                       struct answer *a)
{
    const char *unknown = serve_query_unknown(q, allowed);
    if (unknown)
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "unknown parameter '%s'", unknown);
    return !unknown;
}

/* ------------------------------------------------------------ routes */

static void route_recommend(struct served *s, const struct serve_query *q, struct answer *a)
{
    static const char *const allowed[] = {"user", "k", "exclude", "only", "explain",
                                          "no_paths", "interests", NULL};
    const char *exclude[MAX_FILTER], *only[MAX_FILTER], *keys[MAX_K], *user, *why = "";
    float scores[MAX_K];
    struct cli_rec_query rq;
    size_t n_exclude, n_only;
    int st;
    memset(&rq, 0, sizeof rq);
    if (!known_only(q, allowed, a) || !(user = required(q, "user", a)) ||
        !parse_k(q, &rq.k, a) || !parse_flag(q, "explain", &rq.explain, a) ||
        !parse_flag(q, "no_paths", &rq.no_paths, a) ||
        !parse_flag(q, "interests", &rq.interests, a))
        return;
    n_exclude = serve_query_all(q, "exclude", exclude, MAX_FILTER);
    n_only = serve_query_all(q, "only", only, MAX_FILTER);
    if (n_exclude > MAX_FILTER || n_only > MAX_FILTER) {
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "at most %d exclude and %d only parameters",
                    MAX_FILTER, MAX_FILTER);
        return;
    }
    rq.exclude = exclude;
    rq.n_exclude = n_exclude;
    rq.only = only;
    rq.n_only = n_only;
    rq.title = serve_title;
    rq.title_ctx = s;
    pthread_rwlock_rdlock(&s->lock);
    st = cli_rec_entry(s->model, &rq, user, keys, scores, &a->doc, &why);
    pthread_rwlock_unlock(&s->lock);
    if (st != RS_OK)
        library_failure(a, st, why);
}

static void route_similar(struct served *s, const struct serve_query *q, struct answer *a)
{
    static const char *const allowed[] = {"item", "k", NULL};
    const char *item;
    size_t k;
    int st;
    if (!known_only(q, allowed, a) || !(item = required(q, "item", a)) || !parse_k(q, &k, a))
        return;
    pthread_rwlock_rdlock(&s->lock);
    st = cli_similar_doc(s->model, item, k, serve_title, s, &a->doc);
    pthread_rwlock_unlock(&s->lock);
    if (st == RS_ERR_NOTFOUND)
        fail_answer(a, MHD_HTTP_NOT_FOUND, "unknown item '%s'", item);
    else if (st != RS_OK)
        library_failure(a, st, "items like an item");
}

static void route_explain(struct served *s, const struct serve_query *q, struct answer *a)
{
    static const char *const allowed[] = {"user", "item", NULL};
    const char *user, *item;
    char buf[256];
    rs_explanation *e = NULL;
    int st;
    if (!known_only(q, allowed, a) || !(user = required(q, "user", a)) ||
        !(item = required(q, "item", a)))
        return;
    pthread_rwlock_rdlock(&s->lock);
    st = rs_model_explain(s->model, user, item, &e);
    if (st == RS_OK)
        a->doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o*}", "user", user, "item", item,
                           "description", serve_title(s, s->model, item, buf, sizeof buf),
                           "source", cli_source_name(rs_explanation_source(e)),
                           "explanation", rs_explanation_text(e), "path", cli_json_path(e));
    pthread_rwlock_unlock(&s->lock);
    rs_explanation_free(e);
    if (st == RS_ERR_NOTFOUND)
        fail_answer(a, MHD_HTTP_NOT_FOUND, "unknown item '%s'", item);
    else if (st != RS_OK)
        library_failure(a, st, "explaining");
    else if (!a->doc)
        fail_answer(a, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
}

static void route_healthz(struct serve_http *http, struct served *s, const struct serve_query *q,
                          struct answer *a)
{
    static const char *const allowed[] = {NULL};
    struct serve_holder *h = http->holder;
    if (!known_only(q, allowed, a))
        return;
    /* the generation counts the loads: reloads are generation - 1 */
    pthread_rwlock_rdlock(&s->lock); /* users changes under observe */
    a->doc = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:f}", "status", "ok",
                       "model", h->path, "read_write", h->read_write, "generation",
                       (json_int_t)s->generation, "failed_loads",
                       (json_int_t)serve_holder_failed_reloads(h), "items",
                       (json_int_t)s->n_items, "users", (json_int_t)s->users, "requests",
                       (json_int_t)atomic_load(&http->requests), "uptime_s",
                       cli_now() - http->started);
    pthread_rwlock_unlock(&s->lock);
    if (!a->doc)
        fail_answer(a, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
}

/* POST /observe: one event, saved in the file (read-write mode only). */
static void route_observe(struct serve_http *http, struct served *s, const struct request *r,
                          struct answer *a)
{
    json_error_t error;
    json_t *body, *weight_v, *time_v;
    const char *user = NULL, *item = NULL, *event = NULL;
    double weight = 1;
    json_int_t when = (json_int_t)time(NULL);
    int st;
    if (!http->holder->read_write) {
        fail_answer(a, MHD_HTTP_FORBIDDEN, "the model is served read-only: start "
                                           "'recsim serve --read-write' to observe events");
        return;
    }
    body = json_loadb(r->body ? r->body : "", r->body_len, 0, &error);
    if (!body || json_unpack_ex(body, &error, 0, "{s:s, s:s, s?s, s?o, s?o !}", "user", &user,
                                "item", &item, "event", &event, "weight", &weight_v, "time",
                                &time_v) != 0) {
        fail_answer(a, MHD_HTTP_BAD_REQUEST,
                    "the body must be a JSON object {\"user\", \"item\"[, \"event\", "
                    "\"weight\", \"time\"]}: %s", error.text);
        json_decref(body);
        return;
    }
    weight_v = json_object_get(body, "weight");
    time_v = json_object_get(body, "time");
    if (weight_v && !json_is_number(weight_v)) {
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "weight must be a number");
    } else if (time_v && !json_is_integer(time_v)) {
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "time must be whole Unix seconds");
    } else if (!*user || !*item || (event && !*event)) {
        fail_answer(a, MHD_HTTP_BAD_REQUEST, "user, item and event must not be empty");
    } else {
        if (weight_v)
            weight = json_number_value(weight_v);
        if (time_v)
            when = json_integer_value(time_v);
        pthread_rwlock_wrlock(&s->lock);
        st = rs_model_observe(s->model, user, item, event, weight, (int64_t)when);
        if (st == RS_OK)
            s->users = rs_model_count(s->model, RS_MODEL_COUNT_USERS_WITH_HISTORY);
        pthread_rwlock_unlock(&s->lock);
        serve_holder_mark_seen(http->holder); /* our own write: no reload for it */
        if (st == RS_ERR_NOTFOUND)
            fail_answer(a, MHD_HTTP_NOT_FOUND, "unknown item '%s'", item);
        else if (st != RS_OK)
            library_failure(a, st, "observing");
        else if (!(a->doc = json_pack("{s:s, s:s, s:s, s:s, s:f, s:I, s:I}", "status", "ok",
                                      "user", user, "item", item, "event",
                                      event ? event : "interacted", "weight", weight, "time",
                                      when, "history",
                                      (json_int_t)cli_history_length(s->model, user))))
            fail_answer(a, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    json_decref(body);
}

/* ------------------------------------------------------------ dispatch */

enum route { ROUTE_RECOMMEND, ROUTE_SIMILAR, ROUTE_EXPLAIN, ROUTE_HEALTHZ, ROUTE_OBSERVE };

static const struct {
    const char *path;
    enum route route;
    bool post; /* POST; else GET (and HEAD) */
} routes[] = {
    {"/recommend", ROUTE_RECOMMEND, false}, {"/similar", ROUTE_SIMILAR, false},
    {"/explain", ROUTE_EXPLAIN, false},     {"/healthz", ROUTE_HEALTHZ, false},
    {"/observe", ROUTE_OBSERVE, true},
};

/* The route of a target's path, or -1. */
static int find_route(const char *target, size_t path_len)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strlen(routes[i].path) == path_len && !memcmp(routes[i].path, target, path_len))
            return (int)i;
    return -1;
}

/* The answer of a complete request whose route and method are right. */
static void answer_request(struct serve_http *http, const struct request *r, int route,
                           struct answer *a)
{
    const char *mark = memchr(r->target, '?', r->target_len);
    size_t path_len = mark ? (size_t)(mark - r->target) : r->target_len;
    struct serve_query q;
    char err[256];
    struct served *s;
    if (!serve_query_parse(r->target + path_len + (mark != NULL),
                           r->target_len - path_len - (mark != NULL), &q, err, sizeof err)) {
        fail_answer(a, strcmp(err, "out of memory") ? MHD_HTTP_BAD_REQUEST
                                                    : MHD_HTTP_INTERNAL_SERVER_ERROR,
                    "%s", err);
        return;
    }
    s = serve_acquire(http->holder);
    a->status = MHD_HTTP_OK;
    rs_clear_error();
    switch (routes[route].route) {
    case ROUTE_RECOMMEND: route_recommend(s, &q, a); break;
    case ROUTE_SIMILAR: route_similar(s, &q, a); break;
    case ROUTE_EXPLAIN: route_explain(s, &q, a); break;
    case ROUTE_HEALTHZ: route_healthz(http, s, &q, a); break;
    case ROUTE_OBSERVE:
        if (q.n)
            fail_answer(a, MHD_HTTP_BAD_REQUEST, "/observe takes a JSON body, no parameters");
        else
            route_observe(http, s, r, a);
        break;
    }
    serve_release(http->holder, s);
    serve_query_free(&q);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    struct serve_http *http = cls;
    struct request *r = *con_cls;
    struct answer a = {MHD_HTTP_OK, NULL, NULL};
    const char *mark;
    int route;
    bool post;
    (void)url, (void)version;
    if (!r)
        return MHD_NO; /* the logger could not allocate it: drop the connection */
    if (r->answered) { /* the rest of a body we refused: swallowed */
        *upload_size = 0;
        return MHD_YES;
    }
    if (!r->target) {
        fail_answer(&a, MHD_HTTP_URI_TOO_LONG, "the request target is longer than %d bytes",
                    SERVE_MAX_URL);
        return send_answer(c, r, &a);
    }
    mark = memchr(r->target, '?', r->target_len);
    route = find_route(r->target, mark ? (size_t)(mark - r->target) : r->target_len);
    post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (route < 0) {
        fail_answer(&a, MHD_HTTP_NOT_FOUND, "no such route: use /recommend, /similar, "
                                            "/explain, /healthz or /observe");
        return send_answer(c, r, &a);
    }
    if (routes[route].post ? !post
                           : strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
                                 strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        a.allow = routes[route].post ? "POST" : "GET, HEAD";
        fail_answer(&a, MHD_HTTP_METHOD_NOT_ALLOWED, "%s takes %s, not %s",
                    routes[route].path, a.allow, method);
        return send_answer(c, r, &a);
    }
    if (!r->seen) {
        /* answered from the next call, once libmicrohttpd has the whole
         * request (a body, if any): an answer queued on this first call
         * makes it close the connection instead of keeping it alive */
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        r->seen = true;
        if (post && length && strtoull(length, NULL, 10) > SERVE_MAX_BODY) {
            fail_answer(&a, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than %d bytes",
                        SERVE_MAX_BODY);
            return send_answer(c, r, &a);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        char *grown;
        if (*upload_size > SERVE_MAX_BODY - r->body_len) {
            *upload_size = 0;
            fail_answer(&a, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than %d bytes",
                        SERVE_MAX_BODY);
            return send_answer(c, r, &a);
        }
        if (!(grown = realloc(r->body, r->body_len + *upload_size + 1)))
            return MHD_NO;
        memcpy(grown + r->body_len, upload, *upload_size);
        r->body = grown;
        r->body_len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    answer_request(http, r, route, &a);
    return send_answer(c, r, &a);
}

/* Called by libmicrohttpd with the raw request target, before any
 * unescaping; what it returns is the request's *con_cls. */
static void *on_target(void *cls, const char *target, struct MHD_Connection *c)
{
    struct serve_http *http = cls;
    struct request *r = calloc(1, sizeof *r);
    size_t len = strlen(target);
    (void)c;
    atomic_fetch_add(&http->requests, 1);
    atomic_fetch_add(&http->in_flight, 1);
    if (r && len <= SERVE_MAX_URL && !(r->target = strdup(target))) {
        free(r);
        r = NULL;
    }
    if (r)
        r->target_len = len;
    return r;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode why)
{
    struct serve_http *http = cls;
    struct request *r = *con_cls;
    (void)c, (void)why;
    if (r) {
        free(r->target);
        free(r->body);
        free(r);
        *con_cls = NULL;
    }
    atomic_fetch_sub(&http->in_flight, 1);
}

/* ------------------------------------------------------------ daemon */

int serve_http_start(struct serve_http *http, struct serve_holder *holder,
                     const char *bind_addr, unsigned port, unsigned threads)
{
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    struct sockaddr *addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC;
    const union MHD_DaemonInfo *info;
    struct MHD_Daemon *d;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, bind_addr, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)port);
        addr = (struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, bind_addr, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)port);
        addr = (struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        return cli_fail("serve: '%s' is not an IPv4 or IPv6 address", bind_addr);
    }
    if (!cli_quiet)
        flags |= MHD_USE_ERROR_LOG;
    http->holder = holder;
    atomic_init(&http->requests, 0);
    atomic_init(&http->in_flight, 0);
    http->started = cli_now();
    d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, http,
                         MHD_OPTION_SOCK_ADDR, addr,
                         MHD_OPTION_THREAD_POOL_SIZE, threads,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                         MHD_OPTION_URI_LOG_CALLBACK, on_target, http,
                         MHD_OPTION_NOTIFY_COMPLETED, on_done, http,
                         MHD_OPTION_END);
    if (!d)
        return cli_fail("cannot listen on %s port %u (in use, or not an address of this "
                        "machine?)", bind_addr, port);
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    http->port = info ? info->port : port;
    http->daemon = d;
    return CLI_OK;
}

void serve_http_stop(struct serve_http *http, double wait_s)
{
    struct MHD_Daemon *d = http->daemon;
    double until = cli_now() + wait_s;
    MHD_socket listener;
    if (!d)
        return;
    listener = MHD_quiesce_daemon(d); /* no new connections from here on */
    while (atomic_load(&http->in_flight) > 0 && cli_now() < until)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    MHD_stop_daemon(d);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    http->daemon = NULL;
}
