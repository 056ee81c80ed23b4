build-clang/src/io/reader.o: src/io/reader.c src/io/io.h include/recsim.h \
  src/core/alloc.h src/core/error.h

src/io/io.h:

include/recsim.h:

src/core/alloc.h:

src/core/error.h:
