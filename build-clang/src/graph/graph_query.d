build-clang/src/graph/graph_query.o: src/graph/graph_query.c \
  src/graph/graph_impl.h src/core/idmap.h src/graph/graph_internal.h \
  include/recsim.h src/core/alloc.h src/core/bitset.h src/core/error.h \
  src/core/topk.h src/core/utf8.h

src/graph/graph_impl.h:

src/core/idmap.h:

src/graph/graph_internal.h:

include/recsim.h:

src/core/alloc.h:

src/core/bitset.h:

src/core/error.h:

src/core/topk.h:

src/core/utf8.h:
