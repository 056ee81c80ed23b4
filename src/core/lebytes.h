/*
 * lebytes.h - little-endian byte order for the blobs the library stores in
 * the model file, so that a file written on one machine reads on any other.
 * Each module keeps its own buffer and error model around these.
 */
#ifndef RS_CORE_LEBYTES_H
#define RS_CORE_LEBYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void rs__le_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void rs__le_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t rs__le_get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static inline uint64_t rs__le_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* n little-endian floats at p into dst: one copy on a little-endian host
 * (the byte loop above costs a third of the time to read a user model). */
static inline void rs__le_get_f32s(const unsigned char *p, float *dst, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(dst, p, n * sizeof *dst);
#else
    for (size_t i = 0; i < n; i++) {
        uint32_t u = rs__le_get32(p + 4 * i);
        memcpy(dst + i, &u, sizeof u);
    }
#endif
}

#endif
