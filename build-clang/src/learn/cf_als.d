build-clang/src/learn/cf_als.o: src/learn/cf_als.c src/core/alloc.h \
  src/core/blas.h src/core/error.h include/recsim.h src/core/parallel.h \
  src/core/rng.h src/learn/cf_internal.h

src/core/alloc.h:

src/core/blas.h:

src/core/error.h:

include/recsim.h:

src/core/parallel.h:

src/core/rng.h:

src/learn/cf_internal.h:
