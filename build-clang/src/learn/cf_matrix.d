build-clang/src/learn/cf_matrix.o: src/learn/cf_matrix.c src/core/alloc.h \
  src/core/error.h include/recsim.h src/graph/graph_internal.h \
  src/learn/cf_internal.h

src/core/alloc.h:

src/core/error.h:

include/recsim.h:

src/graph/graph_internal.h:

src/learn/cf_internal.h:
