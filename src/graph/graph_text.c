/*
 * graph_text.c - entities from text: "key: value" attribute strings become
 * attribute nodes joined by has_<key> edges, and free text is linked to the
 * known entities it mentions (longest match, case-folded, CJK included).
 *
 * Mentions are found with a byte trie over the case-folded keys of the
 * chosen entity types; the trie is cached in the graph and rebuilt when
 * nodes are added or deleted or other types are asked for.
 */
#include "graph/graph_impl.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <utf8proc.h>

#define MAX_TEXT_BYTES (16u << 20)
#define MAX_PAIRS 1024

struct rs__matcher {
    rs_idmap *edges;     /* (parent trie node as 4 bytes, byte) -> child - 1 */
    uint32_t *terminal;  /* per trie node (index + 1; root 0): graph node or NONE */
    size_t terminal_cap;
    char *types_key;     /* the type set it was built for */
    uint64_t node_generation;
};

void rs__matcher_free(rs__matcher *m)
{
    if (!m)
        return;
    rs__idmap_free(m->edges);
    free(m->terminal);
    free(m->types_key);
    free(m);
}

/* ------------------------------------------------------------ folding */

/* NFKC + case folding of s[0..len): a malloc'd string (free()), its length
 * in *len_out.  Returns NULL with the failure recorded. */
static char *fold(const char *s, size_t len, size_t *len_out)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n;
    if (len > (size_t)SSIZE_MAX / 4) {
        rs__fail(RS_ERR_RANGE, "text of %zu bytes is too long", len);
        return NULL;
    }
    n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                     UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
                         UTF8PROC_IGNORE);
    if (n < 0) {
        rs__fail(n == UTF8PROC_ERROR_NOMEM ? RS_ERR_NOMEM : RS_ERR_ENCODING,
                 "case folding failed: %s", utf8proc_errmsg(n));
        return NULL;
    }
    *len_out = (size_t)n;
    return (char *)out;
}

/* Scripts written without spaces between words: a mention may start or end
 * anywhere next to them. */
static bool unspaced_script(int32_t cp)
{
    return (cp >= 0x0E00 && cp <= 0x0EFF) ||   /* Thai, Lao */
           (cp >= 0x2E80 && cp <= 0x9FFF) ||   /* CJK radicals .. unified ideographs, kana */
           (cp >= 0xAC00 && cp <= 0xD7AF) ||   /* Hangul syllables (particles attach) */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* CJK compatibility ideographs */
           (cp >= 0xFF66 && cp <= 0xFF9F) ||   /* half-width katakana */
           (cp >= 0x20000 && cp <= 0x3FFFF);   /* CJK extensions */
}

static bool word_char(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ND) ||
           c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO || cp == '_';
}

static int32_t decode_at(const char *s, size_t len, size_t at, size_t *step)
{
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + at,
                                          (utf8proc_ssize_t)(len - at), &cp);
    *step = n > 0 ? (size_t)n : 1;
    return cp;
}

static int32_t decode_before(const char *s, size_t at)
{
    size_t begin = at, step;
    do
        begin--;
    while (begin > 0 && ((unsigned char)s[begin] & 0xC0) == 0x80);
    return decode_at(s, at, begin, &step);
}

/* May a match end or start between codepoints a and b (a inside the match
 * and b outside, or the reverse)? */
static bool boundary_ok(int32_t inside, int32_t outside)
{
    if (outside < 0)
        return true;
    return !word_char(outside) || !word_char(inside) || unspaced_script(outside) ||
           unspaced_script(inside);
}

/* ------------------------------------------------------------ the trie */

static uint32_t trie_child(const rs__matcher *m, uint32_t parent, unsigned char byte)
{
    char key[5];
    memcpy(key, &parent, 4);
    key[4] = (char)byte;
    uint32_t index = rs__idmap_find(m->edges, key, 5);
    return index == RS_IDMAP_NONE ? UINT32_MAX : index + 1;
}

static int trie_add(rs__matcher *m, const char *key, size_t len, uint32_t node)
{
    uint32_t at = 0;
    int status;
    for (size_t i = 0; i < len; i++) {
        char edge[5];
        uint32_t index;
        bool created;
        memcpy(edge, &at, 4);
        edge[4] = key[i];
        if ((status = rs__idmap_intern(m->edges, edge, 5, &index, &created)) != 0)
            return status;
        at = index + 1;
        if (created) {
            if ((status = rs__grow((void **)&m->terminal, &m->terminal_cap, (size_t)at + 1,
                                   sizeof *m->terminal)) != 0)
                return status;
            m->terminal[at] = UINT32_MAX;
        }
    }
    if (m->terminal[at] == UINT32_MAX)
        m->terminal[at] = node; /* the first node with this folded key wins */
    return 0;
}

/* The type set as a string key: sorted type indices, or "*" for all. */
static int types_key(const rs_graph *g, const char *const *types, size_t n_types, bool *wanted,
                     char **key_out)
{
    size_t n = rs__idmap_span(g->types);
    char *key = rs__malloc(n * 11 + 2), *w = key;
    if (!key)
        return rs_errcode();
    for (size_t t = 0; t < n; t++)
        wanted[t] = types == NULL;
    for (size_t i = 0; types && i < n_types; i++) {
        uint32_t t;
        if (!types[i]) {
            free(key);
            return rs__fail(RS_ERR_INVALID, "rs_graph_link_mentions: types[%zu] is NULL", i);
        }
        t = rs__idmap_find(g->types, types[i], strlen(types[i]));
        if (t != RS_IDMAP_NONE)
            wanted[t] = true;
    }
    *w++ = types ? '+' : '*';
    for (size_t t = 0; t < n; t++)
        if (wanted[t])
            w += snprintf(w, 12, "%zu,", t);
    *w = '\0';
    *key_out = key;
    return 0;
}

static int matcher_for(rs_graph *g, const char *const *types, size_t n_types,
                       const rs__matcher **out)
{
    size_t n_types_all = rs__idmap_span(g->types), span = rs__idmap_span(g->nodes);
    bool *wanted = rs__calloc(n_types_all + 1, sizeof *wanted);
    char *key = NULL;
    rs__matcher *m = NULL;
    int status;
    if (!wanted)
        return rs_errcode();
    if ((status = types_key(g, types, n_types, wanted, &key)) != 0)
        goto done;
    if (g->matcher && g->matcher->node_generation == g->node_generation &&
        strcmp(g->matcher->types_key, key) == 0) {
        *out = g->matcher;
        goto done;
    }
    m = rs__calloc(1, sizeof *m);
    if (!m || !(m->edges = rs__idmap_create())) {
        status = rs_errcode();
        goto done;
    }
    if ((status = rs__grow((void **)&m->terminal, &m->terminal_cap, 1, sizeof *m->terminal)) != 0)
        goto done;
    m->terminal[0] = UINT32_MAX;
    for (size_t v = 0; v < span; v++) {
        uint32_t t = g->node_type[v];
        size_t len, folded_len;
        const char *k;
        char *folded;
        if (t == UINT32_MAX || !wanted[t])
            continue;
        k = rs__idmap_key(g->nodes, (uint32_t)v, &len);
        if (!(folded = fold(k + 4, len - 4, &folded_len))) {
            status = rs_errcode();
            goto done;
        }
        status = folded_len ? trie_add(m, folded, folded_len, (uint32_t)v) : 0;
        free(folded);
        if (status != 0)
            goto done;
    }
    m->types_key = key;
    key = NULL;
    m->node_generation = g->node_generation;
    rs__matcher_free(g->matcher);
    g->matcher = m;
    m = NULL;
    *out = g->matcher;
done:
    rs__matcher_free(m);
    free(key);
    free(wanted);
    return status;
}

/* ------------------------------------------------------------ mentions */

typedef struct mention {
    uint32_t node;
    uint32_t count;
} mention;

int rs_graph_link_mentions(rs_graph *g, uint32_t node, const char *text,
                           const char *const *types, size_t n_types, uint32_t relation,
                           size_t *linked_out)
{
    const char *fn = "rs_graph_link_mentions";
    const rs__matcher *m = NULL;
    mention *found = NULL;
    size_t n_found = 0, found_cap = 0, len, folded_len, at = 0;
    char *folded = NULL;
    int status;
    if (!g || !text)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, !g ? "graph" : "text");
    if (!types && n_types > 0)
        return rs__fail(RS_ERR_INVALID, "%s: types is NULL but n_types is %zu", fn, n_types);
    if ((status = rs__graph_check_node(g, node, fn)) != 0 ||
        (status = rs__graph_check_relation(g, relation, fn)) != 0 ||
        (status = rs__graph_check_writable(g, fn)) != 0)
        return status;
    len = strnlen(text, (size_t)MAX_TEXT_BYTES + 1);
    if (len > MAX_TEXT_BYTES)
        return rs__fail(RS_ERR_RANGE, "%s: text is longer than %u bytes", fn, MAX_TEXT_BYTES);
    if ((status = rs__utf8_check(text, len, "rs_graph_link_mentions: text", NULL)) != 0)
        return status;
    if ((status = matcher_for(g, types, n_types, &m)) != 0)
        return status;
    if (!(folded = fold(text, len, &folded_len)))
        return rs_errcode();

    while (at < folded_len) {
        size_t step, best_end = 0;
        uint32_t best = UINT32_MAX, trie = 0;
        int32_t first = decode_at(folded, folded_len, at, &step);
        int32_t before = at > 0 ? decode_before(folded, at) : -1;
        if (boundary_ok(first, before)) {
            for (size_t i = at; i < folded_len; i++) {
                trie = trie_child(m, trie, (unsigned char)folded[i]);
                if (trie == UINT32_MAX)
                    break;
                if (m->terminal[trie] != UINT32_MAX && m->terminal[trie] != node &&
                    (i + 1 == folded_len ||
                     ((unsigned char)folded[i + 1] & 0xC0) != 0x80)) {
                    size_t next_step;
                    int32_t last = decode_before(folded, i + 1);
                    int32_t after = i + 1 < folded_len
                                        ? decode_at(folded, folded_len, i + 1, &next_step)
                                        : -1;
                    if (boundary_ok(last, after)) {
                        best = m->terminal[trie];
                        best_end = i + 1;
                    }
                }
            }
        }
        if (best == UINT32_MAX) {
            at += step;
            continue;
        }
        size_t f = 0;
        while (f < n_found && found[f].node != best)
            f++;
        if (f == n_found) {
            if ((status = rs__grow((void **)&found, &found_cap, n_found + 1, sizeof *found)) != 0)
                goto done;
            found[n_found].node = best;
            found[n_found].count = 0;
            n_found++;
        }
        found[f].count++;
        at = best_end;
    }

    /* one edge per entity, weighted by its mentions, accumulated */
    for (size_t f = 0; f < n_found; f++)
        if ((status = rs_graph_add_edge(g, node, relation, found[f].node, found[f].count, 0,
                                        RS_GRAPH_MERGE_SUM)) != 0) {
            rs__fail_context("%s: ", fn);
            goto done;
        }
    if (linked_out)
        *linked_out = n_found;
done:
    free(found);
    free(folded);
    return status;
}

/* ------------------------------------------------------------ attributes */

typedef struct attribute {
    char type[RS_MAX_KEY_BYTES + 1];     /* the normalised key: folded, spaces -> _ */
    char relation[RS_MAX_KEY_BYTES + 8]; /* has_<type> */
    char value[RS_MAX_KEY_BYTES + 1];    /* the entity key: folded */
    char display[RS_MAX_KEY_BYTES + 1];  /* trimmed, as written */
} attribute;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Parse one "key: value" segment [begin, end) of text into *a. */
static int parse_pair(const char *text, size_t begin, size_t end, attribute *a)
{
    const char *fn = "rs_graph_add_attributes";
    size_t sep = begin, key_end, value_begin, folded_len;
    char *folded;
    while (begin < end && is_space(text[begin]))
        begin++;
    sep = begin;
    while (sep < end && text[sep] != ':' && text[sep] != '=')
        sep++;
    if (sep == end)
        return rs__fail(RS_ERR_PARSE, "%s: \"%.*s\" at byte %zu is not \"key: value\"", fn,
                        (int)(end - begin > 60 ? 60 : end - begin), text + begin, begin);
    key_end = sep;
    while (key_end > begin && is_space(text[key_end - 1]))
        key_end--;
    value_begin = sep + 1;
    while (value_begin < end && is_space(text[value_begin]))
        value_begin++;
    while (end > value_begin && is_space(text[end - 1]))
        end--;
    if (key_end == begin)
        return rs__fail(RS_ERR_PARSE, "%s: empty key at byte %zu", fn, begin);
    if (end == value_begin)
        return rs__fail(RS_ERR_PARSE, "%s: empty value for \"%.*s\" at byte %zu", fn,
                        (int)(key_end - begin > 60 ? 60 : key_end - begin), text + begin, begin);
    if (end - value_begin > RS_MAX_KEY_BYTES)
        return rs__fail(RS_ERR_RANGE, "%s: value at byte %zu is longer than %d bytes", fn,
                        value_begin, RS_MAX_KEY_BYTES);
    if (!(folded = fold(text + begin, key_end - begin, &folded_len)))
        return rs_errcode();
    if (folded_len == 0 || folded_len + 4 > RS_MAX_KEY_BYTES) {
        free(folded);
        return rs__fail(RS_ERR_RANGE, "%s: key at byte %zu is empty or too long", fn, begin);
    }
    for (size_t i = 0; i < folded_len; i++)
        a->type[i] = is_space(folded[i]) ? '_' : folded[i];
    a->type[folded_len] = '\0';
    free(folded);
    snprintf(a->relation, sizeof a->relation, "has_%s", a->type);
    memcpy(a->display, text + value_begin, end - value_begin);
    a->display[end - value_begin] = '\0';
    if (!(folded = fold(text + value_begin, end - value_begin, &folded_len)))
        return rs_errcode();
    if (folded_len == 0 || folded_len > RS_MAX_KEY_BYTES) {
        free(folded);
        return rs__fail(RS_ERR_RANGE, "%s: value at byte %zu is empty or too long once folded",
                        fn, value_begin);
    }
    memcpy(a->value, folded, folded_len);
    a->value[folded_len] = '\0';
    free(folded);
    return 0;
}

int rs_graph_add_attributes(rs_graph *g, uint32_t node, const char *text, size_t *added_out)
{
    const char *fn = "rs_graph_add_attributes";
    attribute *pairs = NULL;
    size_t n_pairs = 0, len, begin = 0;
    int status;
    if (!g || !text)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, !g ? "graph" : "text");
    if ((status = rs__graph_check_node(g, node, fn)) != 0 ||
        (status = rs__graph_check_writable(g, fn)) != 0)
        return status;
    len = strnlen(text, (size_t)MAX_TEXT_BYTES + 1);
    if (len > MAX_TEXT_BYTES)
        return rs__fail(RS_ERR_RANGE, "%s: text is longer than %u bytes", fn, MAX_TEXT_BYTES);
    if ((status = rs__utf8_check(text, len, "rs_graph_add_attributes: text", NULL)) != 0)
        return status;

    /* parse everything first: a malformed string changes nothing */
    while (begin <= len) {
        size_t end = begin;
        bool blank = true;
        while (end < len && text[end] != ',' && text[end] != ';' && text[end] != '\n') {
            blank &= is_space(text[end]);
            end++;
        }
        if (!blank) {
            attribute *grown;
            if (n_pairs == MAX_PAIRS) {
                status = rs__fail(RS_ERR_LIMIT, "%s: more than %d attributes", fn, MAX_PAIRS);
                goto done;
            }
            grown = rs__realloc_array(pairs, n_pairs + 1, sizeof *pairs);
            if (!grown) {
                status = rs_errcode();
                goto done;
            }
            pairs = grown;
            if ((status = parse_pair(text, begin, end, &pairs[n_pairs])) != 0)
                goto done;
            n_pairs++;
        }
        begin = end + 1;
    }

    for (size_t i = 0; i < n_pairs; i++) {
        uint32_t entity, relation;
        char name[8];
        size_t name_len;
        rs_error_state before;
        if ((status = rs_graph_add_node(g, pairs[i].type, pairs[i].value, &entity)) != 0 ||
            (status = rs_graph_add_relation(g, pairs[i].relation, &relation)) != 0)
            goto done;
        if (entity == node)
            continue;
        /* the entity's display name, for explanations (a probe: a missing
         * name is expected and must not show in rs_errmsg()) */
        rs__error_save(&before);
        status = rs_graph_get_property(g, entity, "name", name, sizeof name, &name_len);
        if (status == RS_ERR_NOTFOUND) {
            rs__error_restore(&before);
            if ((status = rs_graph_set_property(g, entity, "name", pairs[i].display)) != 0)
                goto done;
        } else if (status == RS_ERR_BUFFER) { /* a name, longer than the probe */
            rs__error_restore(&before);
        } else if (status != 0) {
            goto done;
        }
        status = 0;
        if ((status = rs_graph_add_edge(g, node, relation, entity, 1.0, 0, RS_GRAPH_MERGE_MAX)) !=
            0)
            goto done;
    }
    if (added_out)
        *added_out = n_pairs;
done:
    free(pairs);
    return status;
}
