#!/bin/sh
# side_by_side.sh: explorer_bench of two builds, interleaved in one run, so that both see the
# same machine load. Prints per scenario the median new states/s, the explorer's peak MiB and
# the process's max RSS (/usr/bin/time) of each build over RUNS runs, and the ratio new/base.
# Usage: bench/side_by_side.sh BASE_BENCH NEW_BENCH [RUNS] [FILTER...]
#   e.g. bench/side_by_side.sh /tmp/perf-base/build/bench/explorer_bench build/bench/explorer_bench 3
set -eu
base=$1; new=$2; runs=${3:-3}
shift 2; if [ $# -gt 0 ]; then shift; fi
filters=${*:-"BM_Explore/0/1 BM_Explore/0/2 BM_Explore/2/1 BM_Explore/2/2"}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
one() {  # one() BIN FILTER OUT: appends "states_per_s peak_MiB rss_MiB"
  /usr/bin/time -f '%M' -o "$tmp/rss" "$1" --benchmark_filter="^$2/" --benchmark_format=csv >"$tmp/csv" 2>/dev/null
  line=$(grep '^"BM_' "$tmp/csv")
  ips=$(printf '%s\n' "$line" | awk -F, '{print $7}')
  hdr=$(grep '^name' "$tmp/csv")
  col=$(printf '%s\n' "$hdr" | tr , '\n' | grep -n '"*peak_MiB"*' | cut -d: -f1)
  peak=$(printf '%s\n' "$line" | cut -d, -f"$col")
  echo "$ips $peak $(($(cat "$tmp/rss") / 1024))" >>"$3"
}
med() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-16s %12s %12s %6s %9s %9s %8s %8s\n' filter base_st/s new_st/s ratio base_peak new_peak base_rss new_rss
for f in $filters; do
  : >"$tmp/b"; : >"$tmp/n"
  i=0
  while [ $i -lt "$runs" ]; do one "$base" "$f" "$tmp/b"; one "$new" "$f" "$tmp/n"; i=$((i + 1)); done
  bs=$(cut -d' ' -f1 "$tmp/b" | med); ns=$(cut -d' ' -f1 "$tmp/n" | med)
  bp=$(cut -d' ' -f2 "$tmp/b" | med); np=$(cut -d' ' -f2 "$tmp/n" | med)
  br=$(cut -d' ' -f3 "$tmp/b" | med); nr=$(cut -d' ' -f3 "$tmp/n" | med)
  printf '%-16s %12.0f %12.0f %6.3f %9.1f %9.1f %8s %8s\n' "$f" "$bs" "$ns" "$(echo "$ns / $bs" | bc -l)" "$bp" "$np" "$br" "$nr"
done
