/*
 * idmap.h - string key -> dense uint32 index, the map every handle uses to
 * turn UTF-8 keys at the boundary into array indices inside.
 *
 * Open addressing with linear probing on XXH3-64 hashes; deletion shifts
 * entries back (no tombstones), so lookups stay short after heavy churn.
 * Indices are handed out 0, 1, 2, ... in insertion order.  Removing a key
 * frees its index for no one: the index stays a hole until the owner
 * compacts (rs__idmap_move) or the map is cleared, so arrays indexed by it
 * never need to shift behind the owner's back.
 *
 * Keys are copied into the map's own storage; the map holds at most
 * RS_IDMAP_MAX_KEYS indices (UINT32_MAX - 1).
 */
#ifndef RS_CORE_IDMAP_H
#define RS_CORE_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_IDMAP_NONE UINT32_MAX
#define RS_IDMAP_MAX_KEYS (UINT32_MAX - 1u)

typedef struct rs_idmap rs_idmap;

rs_idmap *rs__idmap_create(void);
void rs__idmap_free(rs_idmap *map);

/* Reserve room for `count` live keys without rehashing.  0 or status. */
int rs__idmap_reserve(rs_idmap *map, size_t count);

/*
 * Find key (len bytes, need not be NUL-terminated), inserting it with the
 * next index when absent.  *index_out gets its index; *created_out (may be
 * NULL) says whether it was inserted.  Returns 0 or a negative status
 * (NOMEM, LIMIT); on failure the map is unchanged.
 */
int rs__idmap_intern(rs_idmap *map, const char *key, size_t len, uint32_t *index_out,
                     bool *created_out);

/* The index of key, or RS_IDMAP_NONE. */
uint32_t rs__idmap_find(const rs_idmap *map, const char *key, size_t len);

/* The key at index (NUL-terminated, owned by the map, valid until that key
 * is removed or the map freed), or NULL for a hole or out-of-range index.
 * *len_out (may be NULL) gets its length. */
const char *rs__idmap_key(const rs_idmap *map, uint32_t index, size_t *len_out);

/* Remove key; returns its former index, or RS_IDMAP_NONE if absent. */
uint32_t rs__idmap_remove(rs_idmap *map, const char *key, size_t len);

/*
 * Give the key at index `from` the index `to`, which must be a hole (for
 * compaction: move the last live entry into a removed one's place).
 * Returns 0 or RS_ERR_INVALID.
 */
int rs__idmap_move(rs_idmap *map, uint32_t from, uint32_t to);

/* Live keys, and the index range handed out so far (live + holes). */
size_t rs__idmap_count(const rs_idmap *map);
size_t rs__idmap_span(const rs_idmap *map);

/* Forget every key; indices start again at 0. */
void rs__idmap_clear(rs_idmap *map);

/* Bytes of memory held (for stats and benchmarks). */
size_t rs__idmap_memory(const rs_idmap *map);

/* The 64-bit hash the map uses (XXH3), exposed for callers that shard. */
uint64_t rs__hash_bytes(const void *data, size_t len);

#endif
