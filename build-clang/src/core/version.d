build-clang/src/core/version.o: src/core/version.c include/recsim.h

include/recsim.h:
