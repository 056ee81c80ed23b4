build-clang/src/eval/split.o: src/eval/split.c src/core/alloc.h \
  src/core/error.h include/recsim.h src/core/rng.h \
  src/eval/eval_internal.h src/core/idmap.h

src/core/alloc.h:

src/core/error.h:

include/recsim.h:

src/core/rng.h:

src/eval/eval_internal.h:

src/core/idmap.h:
