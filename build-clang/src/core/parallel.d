build-clang/src/core/parallel.o: src/core/parallel.c src/core/parallel.h \
  src/core/blas.h src/core/error.h include/recsim.h

src/core/parallel.h:

src/core/blas.h:

src/core/error.h:

include/recsim.h:
