build-clang/src/graph/graph_adj.o: src/graph/graph_adj.c \
  src/graph/graph_impl.h src/core/idmap.h src/graph/graph_internal.h \
  include/recsim.h src/core/alloc.h src/core/error.h

src/graph/graph_impl.h:

src/core/idmap.h:

src/graph/graph_internal.h:

include/recsim.h:

src/core/alloc.h:

src/core/error.h:
