build-clang/src/core/topk.o: src/core/topk.c src/core/topk.h

src/core/topk.h:
