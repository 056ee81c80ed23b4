build-clang/src/eval/runner.o: src/eval/runner.c src/core/alloc.h \
  src/core/blas.h src/core/error.h include/recsim.h src/core/idmap.h \
  src/core/parallel.h src/core/rng.h src/core/utf8.h \
  src/eval/eval_internal.h

src/core/alloc.h:

src/core/blas.h:

src/core/error.h:

include/recsim.h:

src/core/idmap.h:

src/core/parallel.h:

src/core/rng.h:

src/core/utf8.h:

src/eval/eval_internal.h:
