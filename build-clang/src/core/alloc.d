build-clang/src/core/alloc.o: src/core/alloc.c src/core/alloc.h \
  src/core/error.h include/recsim.h

src/core/alloc.h:

src/core/error.h:

include/recsim.h:
