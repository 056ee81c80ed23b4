/*
 * sim_host.c - simulated users answered by the host instead of the built-in
 * response model, e.g. by an LLM agent: rs_model_set_sim_responder() gives
 * each visit in words (the user's profile, the texts of its history and of
 * the slate).  Here a scripted stand-in for the LLM reads the same prompt an
 * agent would get and clicks the first slate item that shares a word with
 * the user's history (buying it when the word is in two of its purchases).
 * usage: sim_host [MODEL USER...]
 *
 * Without arguments it makes a model in memory from the bundled sample
 * (data/onlineretail_sample.tsv: purchases, item descriptions, customer
 * countries) and hosts its first two customers, so that `make check` can run
 * it anywhere; it exits 1 unless the stand-in saw every visit in words.
 */
#include <recsim.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int import_sample(rs_model *m, int what)
{
    const char *description[] = {"Description"}, *country[] = {"Country"};
    rs_reader *r = NULL;
    rs_cleaner *c = NULL;
    int s = rs_reader_open("data/onlineretail_sample.tsv", RS_FORMAT_AUTO, &r);
    if (s == RS_OK)
        s = rs_reader_map(r, RS_ROLE_USER, "CustomerID");
    if (s == RS_OK)
        s = rs_reader_map(r, RS_ROLE_ITEM, "StockCode");
    if (s == RS_OK)
        s = rs_cleaner_create(&c);
    if (s == RS_OK)
        s = rs_cleaner_add_required(c, "no customer", "CustomerID");
    if (s == RS_OK && what == 0)
        s = rs_model_import_interactions(m, r, c, "bought", RS_IMPORT_UNWEIGHTED, NULL);
    else if (s == RS_OK && what == 1)
        s = rs_model_import_items(m, r, c, NULL, 0, description, 1, NULL);
    else if (s == RS_OK)
        s = rs_model_import_users(m, r, c, country, 1, NULL, 0, NULL, NULL);
    rs_cleaner_free(c);
    rs_reader_close(r);
    return s;
}

static int sample_model(rs_model **out)
{
    int s = rs_model_open(":memory:", RS_MODEL_CREATE, out);
    for (int what = 0; s == RS_OK && what < 3; what++)
        s = import_sample(*out, what);
    return s == RS_OK ? rs_model_build(*out) : s;
}

struct host {
    unsigned visits, in_words, clicks, purchases, shown;
};

/* Does the word text[0..len) occur, as a word, in hay? */
static int has_word(const char *hay, const char *word, size_t len)
{
    for (const char *p = hay; (p = strstr(p, word)) != NULL; p++)
        if ((p == hay || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[len]))
            return 1;
    return 0;
}

/* How many history texts hold a word of text of 4 letters or more (the
 * first such word of text that any does); 0 when none. */
static int shared_word(const rs_sim_visit *v, const char *text)
{
    char word[64];
    for (const char *p = text; *p;) {
        size_t len = 0;
        while (p[len] && isalpha((unsigned char)p[len]))
            len++;
        if (len >= 4 && len < sizeof word) {
            int n = 0;
            memcpy(word, p, len);
            word[len] = '\0';
            for (size_t h = 0; h < v->n_history; h++)
                n += has_word(v->history[h], word, len);
            if (n > 0)
                return n;
        }
        p += len ? len : 1;
    }
    return 0;
}

/* The prompt an LLM agent would be given. */
static void print_prompt(const rs_sim_visit *v)
{
    size_t first = v->n_history > 3 ? v->n_history - 3 : 0;
    printf("--- visit of customer %s (policy %s, step %llu)\n", v->user_key, v->policy,
           (unsigned long long)v->step);
    printf("You are a shopper. About you: %s\n", v->profile[0] ? v->profile : "(nothing)");
    printf("You bought (%zu items, latest):", v->n_history);
    for (size_t h = first; h < v->n_history; h++)
        printf(" %s;", v->history[h]);
    printf("\nThe shop shows you:\n");
    for (size_t j = 0; j < v->slate_size; j++)
        printf("  %zu. %s\n", j + 1, v->slate[j]);
}

/* The scripted stand-in for the LLM's answer. */
static int respond(void *context, const rs_sim_visit *v, int *position, int *behaviour,
                   int *rating, int *left)
{
    struct host *h = context;
    int n = 0;
    h->visits++;
    h->shown += (unsigned)v->slate_size;
    h->in_words += v->profile[0] && v->n_history > 0 && v->slate_size > 0 && v->slate[0][0];
    *position = -1;
    for (size_t j = 0; j < v->slate_size && *position < 0; j++)
        if ((n = shared_word(v, v->slate[j])) > 0)
            *position = (int)j;
    *behaviour = *position < 0 ? RS_SIM_SKIP : n >= 2 ? RS_SIM_PURCHASE : RS_SIM_CLICK;
    *rating = *position < 0 ? 0 : n >= 2 ? 5 : 4;
    *left = 0;
    h->clicks += *position >= 0;
    h->purchases += *behaviour == RS_SIM_PURCHASE;
    if (h->visits <= 2) {
        print_prompt(v);
        if (*position >= 0)
            printf("Answer: %s item %d\n", n >= 2 ? "buy" : "click", *position + 1);
        else
            printf("Answer: nothing\n");
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *policy[] = {"scorer"}, *keys[2];
    size_t n_keys = 0, cursor = 0;
    struct host h = {0, 0, 0, 0, 0};
    rs_model *m = NULL;
    rs_sim_trace *trace = NULL;
    double clicks = 0, shown = 0;
    int s = argc > 2 ? rs_model_open(argv[1], RS_MODEL_READONLY, &m) : sample_model(&m);

    if (s == RS_OK && argc > 2) {
        n_keys = (size_t)argc - 2 > 2 ? 2 : (size_t)argc - 2;
        for (size_t i = 0; i < n_keys; i++)
            keys[i] = argv[2 + i];
    } else if (s == RS_OK) {
        s = rs_model_users(m, &cursor, keys, 2, &n_keys);
    }
    if (s == RS_OK)
        s = rs_model_set_sim_responder(m, respond, &h, keys, n_keys);
    /* every customer of the model simulated, 3 steps of 5 items */
    if (s == RS_OK)
        s = rs_model_simulate(m, policy, 1, 0, 3, 5, 1, &trace);
    if (s == RS_OK)
        s = rs_sim_trace_value(trace, 0, 2, RS_SIM_STAT_CLICKS, &clicks);
    if (s == RS_OK)
        s = rs_sim_trace_value(trace, 0, 2, RS_SIM_STAT_IMPRESSIONS, &shown);
    if (s == RS_OK) {
        printf("---\n%zu hosted customers: %u visits (%u in words), %u clicks, %u purchases\n",
               n_keys, h.visits, h.in_words, h.clicks, h.purchases);
        printf("all customers: %.0f slates shown, %.0f clicks\n", shown, clicks);
    } else {
        fprintf(stderr, "sim_host: %s\n", rs_errmsg());
    }
    rs_sim_trace_free(trace);
    rs_model_close(m);
    /* every hosted visit came in words, and the host's clicks are counted */
    return s == RS_OK && h.visits > 0 && h.in_words == h.visits && clicks >= h.clicks ? 0 : 1;
}
