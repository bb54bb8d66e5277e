/* supervisor/containers/names.c: generated container names in docker's "adjective_surname"
 * shape. The word lists are berth's own; a collision is resolved by the caller's retry (the ID,
 * hence the name, differs). */
#include <config.h>

#include "supervisor/containers/names.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

static const char *const left[] = {
        "brave",  "calm",    "clever",  "eager",   "fervent", "gentle",   "happy",  "jolly",
        "keen",   "lucid",   "merry",   "nimble",  "patient", "quiet",    "serene", "steady",
        "sturdy", "tender",  "upbeat",  "vibrant", "wise",    "zealous",  "bold",   "cheerful",
        "dreamy", "elegant", "focused", "gallant", "humble",  "inspired", "kind",   "modest",
};
static const char *const right[] = {
        "babbage",  "curie",    "dijkstra", "euler",    "fermat",  "gauss",   "hopper",   "hypatia",
        "johnson",  "kepler",   "lamport",  "lovelace", "meitner", "noether", "pascal",   "ritchie",
        "shannon",  "thompson", "turing",   "wozniak",  "yalow",   "bartik",  "cerf",     "darwin",
        "einstein", "feynman",  "goldberg", "hamilton", "knuth",   "liskov",  "mccarthy", "newton",
};

static unsigned
hexval(char c)
{
        if (c >= '0' && c <= '9')
                return (unsigned) (c - '0');
        if (c >= 'a' && c <= 'f')
                return (unsigned) (c - 'a' + 10);
        return 0;
}

char *
container_name_generate(const char *seed)
{
        size_t n = strlen(seed);
        unsigned a = n > 1 ? hexval(seed[0]) * 16 + hexval(seed[1]) : 0;
        unsigned b = n > 3 ? hexval(seed[2]) * 16 + hexval(seed[3]) : 0;

        return xasprintf("%s_%s", left[a % (sizeof(left) / sizeof(left[0]))],
                         right[b % (sizeof(right) / sizeof(right[0]))]);
}
