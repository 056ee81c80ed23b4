build-clang/src/graph/graph.o: src/graph/graph.c src/graph/graph_impl.h \
  src/core/idmap.h src/graph/graph_internal.h include/recsim.h \
  src/core/alloc.h src/core/error.h src/core/utf8.h

src/graph/graph_impl.h:

src/core/idmap.h:

src/graph/graph_internal.h:

include/recsim.h:

src/core/alloc.h:

src/core/error.h:

src/core/utf8.h:
