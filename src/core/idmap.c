/*
 * idmap.c - the XXH3 open-addressing key map.
 *
 * Layout: `slots` is the hash table (capacity a power of two, load kept
 * <= 3/4), each slot the entry's index + 1 (0 = empty)
 * and the high 32 bits of its hash, so that most mismatches are rejected
 * without touching the key.  `entries[index]` holds where the key lives in
 * the string pool, its length and full hash; keys are packed into large pool
 * blocks instead of one malloc each, which matters at ten million keys.
 */
#include "core/idmap.h"
#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define POOL_BLOCK_BYTES (1u << 20)
#define MIN_CAPACITY 16u

struct slot {
    uint32_t index_plus_one; /* 0: empty */
    uint32_t hash_high;
};

struct entry {
    char *key; /* NULL: a hole left by removal */
    uint32_t len;
    uint64_t hash;
};

struct pool_block {
    struct pool_block *next;
    size_t used, size;
    char data[];
};

struct rs_idmap {
    struct slot *slots;
    size_t capacity; /* slots; a power of two */
    struct entry *entries;
    size_t entries_capacity;
    size_t span;  /* indices handed out */
    size_t count; /* live keys */
    struct pool_block *pool;
    size_t pool_bytes;
};

uint64_t rs__hash_bytes(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}

rs_idmap *rs__idmap_create(void)
{
    rs_idmap *map = rs__calloc(1, sizeof *map);
    if (!map)
        return NULL;
    map->slots = rs__calloc(MIN_CAPACITY, sizeof *map->slots);
    if (!map->slots) {
        free(map);
        return NULL;
    }
    map->capacity = MIN_CAPACITY;
    return map;
}

static void free_pool(struct pool_block *block)
{
    while (block) {
        struct pool_block *next = block->next;
        free(block);
        block = next;
    }
}

void rs__idmap_free(rs_idmap *map)
{
    if (!map)
        return;
    free(map->slots);
    free(map->entries);
    free_pool(map->pool);
    free(map);
}

/* Copy key into the pool; keys longer than a block get a block of their own. */
static char *pool_store(rs_idmap *map, const char *key, size_t len)
{
    struct pool_block *block = map->pool;
    char *dst;
    if (!block || block->size - block->used < len + 1) {
        size_t size = len + 1 > POOL_BLOCK_BYTES ? len + 1 : POOL_BLOCK_BYTES;
        size_t total;
        if (rs__add_size(sizeof *block, size, &total) != 0)
            return NULL;
        block = rs__malloc(total);
        if (!block)
            return NULL;
        block->size = size;
        block->used = 0;
        /* A dedicated large block goes behind the current one, so the
         * current block keeps filling. */
        if (map->pool && size > POOL_BLOCK_BYTES) {
            block->next = map->pool->next;
            map->pool->next = block;
        } else {
            block->next = map->pool;
            map->pool = block;
        }
        map->pool_bytes += total;
    }
    dst = block->data + block->used;
    memcpy(dst, key, len);
    dst[len] = '\0';
    block->used += len + 1;
    return dst;
}

static size_t slot_of(const rs_idmap *map, uint64_t hash)
{
    return (size_t)hash & (map->capacity - 1);
}

/* Place an existing entry into a table known to have room. */
static void place(struct slot *slots, size_t capacity, uint32_t index, uint64_t hash)
{
    size_t i = (size_t)hash & (capacity - 1);
    while (slots[i].index_plus_one != 0)
        i = (i + 1) & (capacity - 1);
    slots[i].index_plus_one = index + 1;
    slots[i].hash_high = (uint32_t)(hash >> 32);
}

static int rehash(rs_idmap *map, size_t new_capacity)
{
    struct slot *slots = rs__calloc(new_capacity, sizeof *slots);
    if (!slots)
        return rs_errcode();
    for (size_t i = 0; i < map->span; i++)
        if (map->entries[i].key)
            place(slots, new_capacity, (uint32_t)i, map->entries[i].hash);
    free(map->slots);
    map->slots = slots;
    map->capacity = new_capacity;
    return 0;
}

/* Smallest power-of-two capacity that keeps `count` keys at load <= 3/4. */
static int capacity_for(size_t count, size_t *out)
{
    size_t capacity = MIN_CAPACITY;
    while (capacity / 4 * 3 < count) {
        if (capacity > SIZE_MAX / 2 / sizeof(struct slot))
            return rs__fail(RS_ERR_OVERFLOW, "key map cannot hold %zu keys", count);
        capacity *= 2;
    }
    *out = capacity;
    return 0;
}

int rs__idmap_reserve(rs_idmap *map, size_t count)
{
    size_t capacity = 0;
    int rc;
    if (count > RS_IDMAP_MAX_KEYS)
        return rs__fail(RS_ERR_LIMIT, "key map limit is %u keys, %zu requested",
                        RS_IDMAP_MAX_KEYS, count);
    if ((rc = capacity_for(count, &capacity)) != 0)
        return rc;
    if (capacity > map->capacity && (rc = rehash(map, capacity)) != 0)
        return rc;
    return rs__grow((void **)&map->entries, &map->entries_capacity, count,
                    sizeof *map->entries);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const rs_idmap *map, const char *key, size_t len, uint64_t hash)
{
    uint32_t high = (uint32_t)(hash >> 32);
    size_t i = slot_of(map, hash);
    for (;;) {
        const struct slot *s = &map->slots[i];
        if (s->index_plus_one == 0)
            return i;
        if (s->hash_high == high) {
            const struct entry *e = &map->entries[s->index_plus_one - 1];
            if (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0)
                return i;
        }
        i = (i + 1) & (map->capacity - 1);
    }
}

uint32_t rs__idmap_find(const rs_idmap *map, const char *key, size_t len)
{
    size_t i;
    if (!map || !key || len > UINT32_MAX)
        return RS_IDMAP_NONE;
    i = probe(map, key, len, rs__hash_bytes(key, len));
    return map->slots[i].index_plus_one ? map->slots[i].index_plus_one - 1 : RS_IDMAP_NONE;
}

int rs__idmap_intern(rs_idmap *map, const char *key, size_t len, uint32_t *index_out,
                     bool *created_out)
{
    uint64_t hash;
    size_t i;
    char *copy;
    int rc;

    if (!map || !key || !index_out)
        return rs__fail(RS_ERR_INVALID, "rs__idmap_intern: NULL argument");
    if (len > UINT32_MAX)
        return rs__fail(RS_ERR_LIMIT, "key of %zu bytes is too long", len);
    hash = rs__hash_bytes(key, len);
    i = probe(map, key, len, hash);
    if (map->slots[i].index_plus_one) {
        *index_out = map->slots[i].index_plus_one - 1;
        if (created_out)
            *created_out = false;
        return 0;
    }
    if (map->span >= RS_IDMAP_MAX_KEYS)
        return rs__fail(RS_ERR_LIMIT, "key map is full (%u indices)", RS_IDMAP_MAX_KEYS);
    /* Make every allocation before changing anything, so failure leaves the
     * map as it was. */
    if ((rc = rs__grow((void **)&map->entries, &map->entries_capacity, map->span + 1,
                       sizeof *map->entries)) != 0)
        return rc;
    if (map->count + 1 > map->capacity / 4 * 3) {
        if ((rc = rehash(map, map->capacity * 2)) != 0)
            return rc;
        i = probe(map, key, len, hash);
    }
    copy = pool_store(map, key, len);
    if (!copy)
        return rs_errcode();
    map->entries[map->span] = (struct entry){copy, (uint32_t)len, hash};
    map->slots[i].index_plus_one = (uint32_t)map->span + 1;
    map->slots[i].hash_high = (uint32_t)(hash >> 32);
    *index_out = (uint32_t)map->span;
    map->span++;
    map->count++;
    if (created_out)
        *created_out = true;
    return 0;
}

const char *rs__idmap_key(const rs_idmap *map, uint32_t index, size_t *len_out)
{
    if (!map || index >= map->span || !map->entries[index].key)
        return NULL;
    if (len_out)
        *len_out = map->entries[index].len;
    return map->entries[index].key;
}

/* Backward-shift deletion: pull later entries of the probe run into the
 * gap so that no lookup ever stops early at it. */
static void delete_slot(rs_idmap *map, size_t gap)
{
    size_t mask = map->capacity - 1;
    size_t i = gap;
    for (;;) {
        size_t home;
        i = (i + 1) & mask;
        if (map->slots[i].index_plus_one == 0)
            break;
        home = slot_of(map, map->entries[map->slots[i].index_plus_one - 1].hash);
        /* Move slot i into the gap unless its home lies cyclically in (gap, i]. */
        if (((i - home) & mask) >= ((i - gap) & mask)) {
            map->slots[gap] = map->slots[i];
            gap = i;
        }
    }
    map->slots[gap].index_plus_one = 0;
    map->slots[gap].hash_high = 0;
}

uint32_t rs__idmap_remove(rs_idmap *map, const char *key, size_t len)
{
    size_t i;
    uint32_t index;
    if (!map || !key || len > UINT32_MAX)
        return RS_IDMAP_NONE;
    i = probe(map, key, len, rs__hash_bytes(key, len));
    if (map->slots[i].index_plus_one == 0)
        return RS_IDMAP_NONE;
    index = map->slots[i].index_plus_one - 1;
    delete_slot(map, i);
    map->entries[index].key = NULL; /* its pool bytes stay until clear/free */
    map->count--;
    return index;
}

int rs__idmap_move(rs_idmap *map, uint32_t from, uint32_t to)
{
    struct entry *e;
    size_t i;
    if (!map || from >= map->span || to >= map->span || !map->entries[from].key ||
        map->entries[to].key)
        return rs__fail(RS_ERR_INVALID, "idmap move %u -> %u: need a live source and a hole",
                        from, to);
    e = &map->entries[from];
    i = probe(map, e->key, e->len, e->hash);
    map->slots[i].index_plus_one = to + 1;
    map->entries[to] = *e;
    e->key = NULL;
    /* Trailing holes shrink the span, so compaction can reuse indices. */
    while (map->span > 0 && !map->entries[map->span - 1].key)
        map->span--;
    return 0;
}

size_t rs__idmap_count(const rs_idmap *map)
{
    return map ? map->count : 0;
}

size_t rs__idmap_span(const rs_idmap *map)
{
    return map ? map->span : 0;
}

void rs__idmap_clear(rs_idmap *map)
{
    if (!map)
        return;
    memset(map->slots, 0, map->capacity * sizeof *map->slots);
    free_pool(map->pool);
    map->pool = NULL;
    map->pool_bytes = 0;
    map->span = 0;
    map->count = 0;
}

size_t rs__idmap_memory(const rs_idmap *map)
{
    if (!map)
        return 0;
    return sizeof *map + map->capacity * sizeof *map->slots +
           map->entries_capacity * sizeof *map->entries + map->pool_bytes;
}
