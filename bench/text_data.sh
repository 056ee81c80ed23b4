# text_data.sh - sourced by the text benchmarks: find the Online Retail data
# (RECSIM_ONLINERETAIL, or ../shared/data/onlineretail from the repository,
# or one level further up from a worktree) and write its distinct non-empty
# descriptions, one per line, to "$1".  Returns 1 when the data is absent.
text_descriptions() {
    for candidate in "${RECSIM_ONLINERETAIL:-}" \
        ../shared/data/onlineretail/onlineretail.tsv.gz \
        ../../shared/data/onlineretail/onlineretail.tsv.gz; do
        if [ -n "$candidate" ] && [ -f "$candidate" ]; then
            gzip -dc "$candidate" |
                awk -F'\t' 'NR > 1 && $3 != "" && $3 != "NA" { print $3 }' |
                LC_ALL=C sort -u > "$1"
            return 0
        fi
    done
    return 1
}
