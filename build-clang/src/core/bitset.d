build-clang/src/core/bitset.o: src/core/bitset.c src/core/bitset.h

src/core/bitset.h:
