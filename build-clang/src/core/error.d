build-clang/src/core/error.o: src/core/error.c src/core/error.h \
  include/recsim.h

src/core/error.h:

include/recsim.h:
