build-clang/src/items/item_search.o: src/items/item_search.c \
  src/items/items_internal.h src/core/idmap.h include/recsim.h \
  src/core/alloc.h src/core/bitset.h src/core/blas.h src/core/error.h \
  src/core/parallel.h src/core/topk.h

src/items/items_internal.h:

src/core/idmap.h:

include/recsim.h:

src/core/alloc.h:

src/core/bitset.h:

src/core/blas.h:

src/core/error.h:

src/core/parallel.h:

src/core/topk.h:
