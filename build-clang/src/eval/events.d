build-clang/src/eval/events.o: src/eval/events.c src/core/alloc.h \
  src/core/error.h include/recsim.h src/core/utf8.h \
  src/eval/eval_internal.h src/core/idmap.h src/graph/graph_internal.h

src/core/alloc.h:

src/core/error.h:

include/recsim.h:

src/core/utf8.h:

src/eval/eval_internal.h:

src/core/idmap.h:

src/graph/graph_internal.h:
