build-clang/src/io/parse.o: src/io/parse.c src/io/io.h include/recsim.h \
  src/core/error.h

src/io/io.h:

include/recsim.h:

src/core/error.h:
