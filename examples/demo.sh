#!/bin/sh
# demo.sh RECSIM WORKDIR - the end-to-end job on the raw Online Retail sample
# (clean and import, build, recommend with explanations, evaluate against
# popularity on a temporal split, simulate), each step shown as the recsim
# command that does it.  Run by `make demo`; the same as `recsim demo`.
set -eu
recsim=$1 work=$2
exec "$recsim" demo --data examples/data/onlineretail_sample.tsv --work "$work"
