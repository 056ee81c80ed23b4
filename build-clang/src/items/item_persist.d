build-clang/src/items/item_persist.o: src/items/item_persist.c \
  src/items/items_internal.h src/core/idmap.h include/recsim.h \
  src/core/alloc.h src/core/bitset.h src/core/error.h src/core/utf8.h \
  src/graph/graph_internal.h

src/items/items_internal.h:

src/core/idmap.h:

include/recsim.h:

src/core/alloc.h:

src/core/bitset.h:

src/core/error.h:

src/core/utf8.h:

src/graph/graph_internal.h:
