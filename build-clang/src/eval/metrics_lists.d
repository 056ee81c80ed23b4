build-clang/src/eval/metrics_lists.o: src/eval/metrics_lists.c \
  src/core/alloc.h src/core/error.h include/recsim.h

src/core/alloc.h:

src/core/error.h:

include/recsim.h:
