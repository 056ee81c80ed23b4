build-clang/src/eval/metrics_rank.o: src/eval/metrics_rank.c \
  src/core/alloc.h src/core/error.h include/recsim.h

src/core/alloc.h:

src/core/error.h:

include/recsim.h:
