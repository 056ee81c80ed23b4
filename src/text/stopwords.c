/*
 * stopwords.c - the built-in English and Chinese stop-word lists and the
 * active set (built-in lists chosen by RS_EMBEDDER_STOPWORDS plus the
 * caller's words).
 *
 * The English list is the usual function words; negations (no, not, nor,
 * never) are kept out on purpose, because in reviews they carry meaning.
 * The Chinese list holds function characters and a few frequent
 * function-word bigrams; 不 and 没 (negations) are likewise kept out.
 */
#include "text/text_internal.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static const char *const english[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
    "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
    "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
    "into", "is", "it", "it's", "its", "itself", "just", "may", "me", "might", "more",
    "most", "must", "my", "myself", "now", "of", "off", "on", "once", "only", "or",
    "other", "our", "ours", "ourselves", "out", "over", "own", "same", "shall", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to",
    "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours", "yourself", "yourselves", "i'm", "you're", "we're", "they're", "i've",
    "you've", "we've", "they've", "i'd", "you'd", "he's", "she's", "that's", "there's",
};

static const char *const chinese[] = {
    "的", "了", "是", "在", "和", "与", "及", "或", "等", "也", "就", "都", "而", "被",
    "把", "让", "给", "这", "那", "之", "其", "吗", "呢", "吧", "啊", "着", "过", "很",
    "又", "还", "并", "但", "从", "对", "向", "于", "以", "为", "所", "个", "些", "我",
    "你", "他", "她", "它", "们", "您", "地", "得", "啦", "呀", "哦", "嗯", "么", "则",
    "即", "且", "若", "因", "此", "该", "每", "各",
    "我们", "你们", "他们", "她们", "它们", "这个", "那个", "这些", "那些", "一个",
    "什么", "因为", "所以", "但是", "如果", "虽然", "而且", "然后", "或者", "已经",
    "自己", "这样", "那样", "怎么", "可以",
};

static int add_list(rs_idmap *set, const char *const *words, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t index;
        int rc = rs__idmap_intern(set, words[i], strlen(words[i]), &index, NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rs__stopwords_rebuild(rs_embedder *e, int mask)
{
    rs_idmap *set = rs__idmap_create();
    int rc = 0;
    if (!set)
        return rs_errcode();
    if (mask & RS_STOPWORDS_ENGLISH)
        rc = add_list(set, english, sizeof english / sizeof english[0]);
    if (rc == 0 && (mask & RS_STOPWORDS_CHINESE))
        rc = add_list(set, chinese, sizeof chinese / sizeof chinese[0]);
    if (rc == 0)
        rc = add_list(set, (const char *const *)e->user_stopwords, e->n_user_stopwords);
    if (rc != 0) {
        rs__idmap_free(set);
        return rc;
    }
    rs__idmap_free(e->stopwords);
    e->stopwords = set;
    return 0;
}
