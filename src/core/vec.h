/*
 * vec.h - small float-vector helpers shared by layers that may not see each
 * other's internals (the embedders in text, graph propagation in learn).
 */
#ifndef RS_CORE_VEC_H
#define RS_CORE_VEC_H

#include <stddef.h>

/* Scale v[0..dim) to unit L2 norm (sum of squares in double); a zero vector
 * stays zero. */
void rs__normalize(float *v, size_t dim);

#endif
