build-clang/src/io/import.o: src/io/import.c src/io/io.h include/recsim.h \
  src/core/alloc.h src/core/error.h src/core/idmap.h src/core/utf8.h

src/io/io.h:

include/recsim.h:

src/core/alloc.h:

src/core/error.h:

src/core/idmap.h:

src/core/utf8.h:
