build-clang/src/core/blas.o: src/core/blas.c src/core/blas.h \
  src/core/error.h include/recsim.h \
  /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h \
  /usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h

src/core/blas.h:

src/core/error.h:

include/recsim.h:

/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h:

/usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h:
