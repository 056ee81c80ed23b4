build-clang/src/io/clean.o: src/io/clean.c src/io/io.h include/recsim.h \
  src/core/alloc.h src/core/error.h src/core/idmap.h

src/io/io.h:

include/recsim.h:

src/core/alloc.h:

src/core/error.h:

src/core/idmap.h:
