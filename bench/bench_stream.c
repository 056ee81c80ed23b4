/*
 * bench_stream.c - the synthetic interaction log of the streaming-build
 * benchmark (bench_stream.sh): N events of U users on I items, item
 * popularity Zipf(s) over the catalogue, users drawn uniformly, times rising
 * one step per event (so a temporal split has a past and a future).
 *
 *   bench_stream gen EVENTS [USERS ITEMS [SEED [ZIPF_S]]] > log.tsv
 *
 * The output (TSV with a header: user, item, time) is written as it is drawn:
 * memory is the item CDF (8 bytes an item), whatever EVENTS is.  The same
 * arguments give the same bytes (splitmix64 on the seed; no libc rand).
 * Defaults: USERS = EVENTS / 5, ITEMS = EVENTS / 50 (at least 100), seed 1,
 * s = 1.0.  Without arguments it prints this usage and exits 0 (so that
 * `make bench` running every bench binary without its script stays quiet).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 random bits. */
static double uniform01(uint64_t *state)
{
    return (double)(splitmix64(state) >> 11) * (1.0 / 9007199254740992.0);
}

static int parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* cdf[r] = P(rank <= r) of Zipf(s) over n ranks (rank 0 the most popular). */
static double *zipf_cdf(uint64_t n, double s)
{
    double *cdf = malloc((size_t)n * sizeof *cdf);
    if (!cdf)
        return NULL;
    double total = 0;
    for (uint64_t r = 0; r < n; r++)
        cdf[r] = (total += pow((double)(r + 1), -s));
    for (uint64_t r = 0; r < n; r++)
        cdf[r] /= total;
    cdf[n - 1] = 1.0;
    return cdf;
}

/* The first rank whose cdf reaches u. */
static uint64_t draw_rank(const double *cdf, uint64_t n, double u)
{
    uint64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int main(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[1], "gen") != 0) {
        printf("usage: bench_stream gen EVENTS [USERS ITEMS [SEED [ZIPF_S]]] > log.tsv\n"
               "(bench_stream.sh drives the streaming-build benchmark)\n");
        return 0;
    }
    uint64_t events, users, items, seed = 1;
    double s = 1.0;
    if (parse_u64(argv[2], &events) || events == 0)
        return fprintf(stderr, "bench_stream: bad EVENTS '%s'\n", argv[2]), 2;
    users = events / 5 ? events / 5 : 1;
    items = events / 50 > 100 ? events / 50 : 100;
    if (argc > 4 && (parse_u64(argv[3], &users) || parse_u64(argv[4], &items) ||
                     users == 0 || items == 0))
        return fprintf(stderr, "bench_stream: bad USERS or ITEMS\n"), 2;
    if (argc > 5 && parse_u64(argv[5], &seed))
        return fprintf(stderr, "bench_stream: bad SEED '%s'\n", argv[5]), 2;
    if (argc > 6) {
        char *end;
        s = strtod(argv[6], &end);
        if (*end || !(s > 0 && s < 10))
            return fprintf(stderr, "bench_stream: bad ZIPF_S '%s'\n", argv[6]), 2;
    }
    if (items > SIZE_MAX / sizeof(double))
        return fprintf(stderr, "bench_stream: too many items\n"), 2;
    double *cdf = zipf_cdf(items, s);
    if (!cdf)
        return fprintf(stderr, "bench_stream: out of memory\n"), 2;
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    uint64_t state = seed;
    /* 2020-01-01 onwards, about 40 events a second: 50 M events span ~2 weeks. */
    const uint64_t t0 = 1577836800;
    printf("user\titem\ttime\n");
    for (uint64_t e = 0; e < events; e++) {
        uint64_t user = splitmix64(&state) % users;
        uint64_t rank = draw_rank(cdf, items, uniform01(&state));
        if (printf("u%" PRIu64 "\ti%" PRIu64 "\t%" PRIu64 "\n", user, rank, t0 + e / 40) < 0)
            break;
    }
    free(cdf);
    if (fflush(stdout) != 0 || ferror(stdout))
        return fprintf(stderr, "bench_stream: write error\n"), 1;
    return 0;
}
