build-clang/src/core/rng.o: src/core/rng.c src/core/rng.h \
  src/core/error.h include/recsim.h

src/core/rng.h:

src/core/error.h:

include/recsim.h:
