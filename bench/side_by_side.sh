#!/bin/sh
# side_by_side.sh: a benchmark of two builds, interleaved in one run, so that both see the same
# machine load. Prints per benchmark the median items/s (explorer_bench: new states/s; step_bench:
# steps/s) and its inverse in ns, the explorer's peak MiB (- where the benchmark has none) and the
# process's max RSS (/usr/bin/time) of each build over RUNS runs, and the ratio new/base of items/s.
# A run that fails (a crash) counts as 0 items/s, and its ratio reads n/a.
# Usage: bench/side_by_side.sh BASE_BENCH NEW_BENCH [RUNS] [FILTER...]
#   e.g. bench/side_by_side.sh /tmp/perf-base/build/bench/explorer_bench build/bench/explorer_bench 3
#        bench/side_by_side.sh /tmp/perf-base/build/bench/step_bench build/bench/step_bench 5
# The default filters: every profile of BM_StepMixed for a step_bench, else the four BM_Explore runs.
set -eu
base=$1; new=$2; runs=${3:-3}
shift 2; if [ $# -gt 0 ]; then shift; fi
case $(basename "$new") in
  step_bench) defaults="BM_StepMixed/0 BM_StepMixed/1 BM_StepMixed/2 BM_StepMixed/3 BM_StepMixed/4" ;;
  *) defaults="BM_Explore/0/1 BM_Explore/0/2 BM_Explore/2/1 BM_Explore/2/2" ;;
esac
filters=${*:-$defaults}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
one() {  # one() BIN FILTER OUT: appends "items_per_s peak_MiB rss_MiB"
  if ! /usr/bin/time -f '%M' -o "$tmp/rss" "$1" --benchmark_filter="^$2(/|\$)" --benchmark_format=csv >"$tmp/csv" 2>/dev/null; then
    echo "0 - 0" >>"$3"; return 0
  fi
  line=$(grep '^"BM_' "$tmp/csv")
  ips=$(printf '%s\n' "$line" | awk -F, '{print $7}')
  hdr=$(grep '^name' "$tmp/csv")
  col=$(printf '%s\n' "$hdr" | tr , '\n' | grep -n '"*peak_MiB"*' | cut -d: -f1 || true)
  peak=-; if [ -n "$col" ]; then peak=$(printf '%s\n' "$line" | cut -d, -f"$col"); fi
  echo "$ips $peak $(($(tail -1 "$tmp/rss") / 1024))" >>"$3"
}
med() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ns() { awk -v x="$1" 'BEGIN { print x == 0 ? 0 : 1e9 / x }'; }
printf '%-16s %12s %12s %8s %8s %6s %9s %9s %8s %8s\n' filter base_item/s new_item/s base_ns new_ns ratio base_peak new_peak base_rss new_rss
for f in $filters; do
  : >"$tmp/b"; : >"$tmp/n"
  i=0
  while [ $i -lt "$runs" ]; do one "$base" "$f" "$tmp/b"; one "$new" "$f" "$tmp/n"; i=$((i + 1)); done
  bs=$(cut -d' ' -f1 "$tmp/b" | med); ns=$(cut -d' ' -f1 "$tmp/n" | med)
  bp=$(cut -d' ' -f2 "$tmp/b" | med); np=$(cut -d' ' -f2 "$tmp/n" | med)
  br=$(cut -d' ' -f3 "$tmp/b" | med); nr=$(cut -d' ' -f3 "$tmp/n" | med)
  ratio=$(awk -v b="$bs" -v n="$ns" 'BEGIN { if (b == 0 || n == 0) print "n/a"; else printf "%.3f", n / b }')
  printf '%-16s %12.0f %12.0f %8.2f %8.2f %6s %9s %9s %8s %8s\n' "$f" "$bs" "$ns" "$(ns "$bs")" "$(ns "$ns")" "$ratio" "$bp" "$np" "$br" "$nr"
done
