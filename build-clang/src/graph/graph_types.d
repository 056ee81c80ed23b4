build-clang/src/graph/graph_types.o: src/graph/graph_types.c \
  src/graph/graph_internal.h include/recsim.h src/core/error.h

src/graph/graph_internal.h:

include/recsim.h:

src/core/error.h:
