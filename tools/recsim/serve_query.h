/*
 * serve_query.h - the query string of a `recsim serve` request, decoded
 * strictly: a bad percent-escape, a NUL byte or invalid UTF-8 in a name or
 * value is the client's error (400), never passed on to the library.
 */
#ifndef RECSIM_SERVE_QUERY_H
#define RECSIM_SERVE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#define SERVE_MAX_PARAMS 600 /* 256 exclude + 256 only + the rest */

struct serve_param {
    const char *name, *value;
};

struct serve_query {
    struct serve_param params[SERVE_MAX_PARAMS];
    size_t n;
    char *storage; /* the decoded copy the params point into */
};

/*
 * Split and decode raw (the part after '?', not NUL-terminated: len
 * bytes; "+" is a space).  Returns true, or false with a message in err
 * (the query then holds nothing to free).  Free with serve_query_free().
 */
bool serve_query_parse(const char *raw, size_t len, struct serve_query *query, char *err,
                       size_t err_size);
void serve_query_free(struct serve_query *query);

/* The name of the first parameter not in allowed (NULL-terminated), or NULL. */
const char *serve_query_unknown(const struct serve_query *query, const char *const *allowed);

/* How many times name occurs; *value_out (may be NULL) gets the first value. */
size_t serve_query_get(const struct serve_query *query, const char *name,
                       const char **value_out);

/* Every value of name, up to capacity, into values; returns the number
 * present (which may exceed capacity). */
size_t serve_query_all(const struct serve_query *query, const char *name, const char **values,
                       size_t capacity);

/* True when text is valid UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF). */
bool serve_utf8_valid(const char *text, size_t len);

#endif
