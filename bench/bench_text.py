"""bench_text.py TEXTS [RUNS] - scikit-learn at the feature configuration of
librecsim's default hashing embedder, on the same texts, one core:
word unigrams + bigrams (English stop words) and character 3..5-grams
within word boundaries (char_wb), hashed to 2**20 columns (unsigned, as
sklearn advises before TfidfTransformer), sublinear tf, smooth idf,
L2 norm.  Times HashingVectorizer.transform + TfidfTransformer.fit_transform
and prints the median of RUNS (default 3)."""
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer  # noqa: E402
from sklearn.pipeline import FeatureUnion  # noqa: E402


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path, encoding="utf-8", errors="replace") as f:
        texts = [line.rstrip("\n") for line in f]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        union = FeatureUnion([
            ("words", HashingVectorizer(analyzer="word", ngram_range=(1, 2),
                                        token_pattern=r"(?u)\b\w+\b", stop_words="english",
                                        n_features=2 ** 20, alternate_sign=False, norm=None)),
            ("chars", HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                        n_features=2 ** 20, alternate_sign=False, norm=None)),
        ])
        counts = union.transform(texts)
        TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2").fit_transform(counts)
        times.append(time.perf_counter() - t0)
    times.sort()
    t = times[len(times) // 2]
    print("sklearn    %9d texts  %8.3f s  %10.0f texts/s/core  (HashingVectorizer word 1-2 + "
          "char_wb 3-5, TfidfTransformer, median of %d)" % (len(texts), t, len(texts) / t, runs))


if __name__ == "__main__":
    main()
