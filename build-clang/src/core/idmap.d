build-clang/src/core/idmap.o: src/core/idmap.c src/core/idmap.h \
  src/core/alloc.h src/core/error.h include/recsim.h

src/core/idmap.h:

src/core/alloc.h:

src/core/error.h:

include/recsim.h:
