#!/usr/bin/env bash
# The performance benchmarks of the README ("Performance"): consentry against the floor.
#
#   scripts/bench.sh            1,000 and 10,000 generated scenario files, 5 runs each
#   scripts/bench.sh --full     also 100,000 files (about 640 MB of scenarios; takes a while)
#   scripts/bench.sh --runs N   N timed runs per measurement (the median is reported)
#   scripts/bench.sh --no-micro skip `cargo bench` (µs per scenario, stage by stage)
#
# What it measures, always the median of the runs, wall-clock:
#   - the floor: `examples/floor.rs` reads and parses every file into a generic TOML value on
#     as many threads as consentry, and writes nothing;
#   - `consentry check DIR --format json`, its report sent to /dev/null (the floor writes
#     nothing, so neither does this side), with the size the report would have;
#   - peak resident memory of each (`/usr/bin/time -f %M`, the largest over the runs);
#   - one scenario from the command line, start-up included, against the floor on the
#     same file;
#   - `cargo bench --bench evaluate`: µs per scenario for each stage, in process.
# Corpora are made by `examples/bench_corpus.rs` (seed 7) under target/bench/ and kept for
# the next run. Run it on a quiet machine: other builds make every number worse.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
sizes=(1000 10000)
micro=1
while [ $# -gt 0 ]; do
  case "$1" in
    --full) sizes=(1000 10000 100000) ;;
    --runs) runs="$2"; shift ;;
    --no-micro) micro=0 ;;
    *) echo "usage: scripts/bench.sh [--full] [--runs N] [--no-micro]" >&2; exit 2 ;;
  esac
  shift
done

cargo build --release --quiet --bin consentry --example floor --example bench_corpus
bin=target/release/consentry
floor=target/release/examples/floor
gen=target/release/examples/bench_corpus
work=target/bench
mkdir -p "$work"
one=scenarios/tiktok-hong-2019.toml

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB; $(rustc -V)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (numbers are only fair on a quiet machine)"
echo "threads: ${RAYON_NUM_THREADS:-$(nproc)} (RAYON_NUM_THREADS, else every core; the floor uses as many)"
echo

# median of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# run_many N CMD...: N runs; prints "median_seconds max_peak_kb"
run_many() {
  local n=$1; shift
  local t=$work/time.out
  : > "$work/times"
  for _ in $(seq "$n"); do
    /usr/bin/time -f "%e %M" -o "$t" "$@" > /dev/null 2>&1 || true
    tail -n1 "$t" >> "$work/times"
  done
  echo "$(cut -d' ' -f1 "$work/times" | median) $(cut -d' ' -f2 "$work/times" | sort -g | tail -n1)"
}

# ms_many N CMD...: median wall time in milliseconds (nanosecond clock; for short runs)
ms_many() {
  local n=$1; shift
  for _ in $(seq "$n"); do
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000 ))"
  done | median | awk '{printf "%.2f", $1 / 1000}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { if (r <= t) print "met"; else printf "missed (%.1fx the target)", r / t }'; }

declare -A check_s floor_s check_kb
printf "%-8s %10s %10s %7s %10s %10s %10s %12s\n" files "floor s" "check s" ratio "floor MB" "check MB" "JSON MB" "JSON/scenario"
for n in "${sizes[@]}"; do
  dir=$work/corpus-$n
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    "$gen" "$dir" "$n" 7
    touch "$dir/.complete"
  fi
  read -r fs fkb < <(run_many "$runs" "$floor" "$dir")
  read -r cs ckb < <(run_many "$runs" "$bin" check "$dir" --format json)
  bytes=$("$bin" check "$dir" --format json 2>/dev/null | wc -c || true)
  floor_s[$n]=$fs; check_s[$n]=$cs; check_kb[$n]=$ckb
  printf "%-8s %10s %10s %7s %10.1f %10.1f %10.1f %9.0f KB\n" "$n" "$fs" "$cs" "$(ratio "$cs" "$fs")" \
    "$(awk -v k="$fkb" 'BEGIN{print k/1024}')" "$(awk -v k="$ckb" 'BEGIN{print k/1024}')" \
    "$(awk -v b="$bytes" 'BEGIN{print b/1e6}')" "$(awk -v b="$bytes" -v n="$n" 'BEGIN{print b/n/1000}')"
done
echo

one_floor=$(ms_many 21 "$floor" "$one")
one_check=$(ms_many 21 "$bin" check "$one" --format json)
one_rss=$({ /usr/bin/time -f %M "$bin" check "$one" --format json 2>&1 >/dev/null || true; } | tail -n1)
echo "one scenario ($one), start-up included: floor ${one_floor} ms, check --format json ${one_check} ms (ratio $(ratio "$one_check" "$one_floor")), peak $((one_rss / 1024)) MB"
echo

echo "targets:"
if [ -n "${check_s[10000]:-}" ]; then
  r=$(ratio "${check_s[10000]}" "${floor_s[10000]}")
  echo "  10,000 files, check ≤ 1.5x floor:        ${r}x — $(verdict "$r" 1.5)"
fi
if [ -n "${check_s[100000]:-}" ]; then
  r=$(ratio "${check_s[100000]}" "${floor_s[100000]}")
  mb=$(awk -v k="${check_kb[100000]}" 'BEGIN{printf "%.0f", k/1024}')
  echo "  100,000 files, check ≤ 1.5x floor:       ${r}x — $(verdict "$r" 1.5)"
  echo "  100,000 files, peak memory < 200 MB:     ${mb} MB — $(verdict "$mb" 200)"
else
  echo "  100,000 files: run with --full"
fi
r=$(ratio "$one_check" "$one_floor")
echo "  one scenario, check ≤ 2x floor:          ${r}x — $(verdict "$r" 2)"

if [ "$micro" = 1 ]; then
  echo
  echo "cargo bench --bench evaluate (target: evaluation < 20 µs per scenario):"
  cargo bench --quiet --bench evaluate 2>/dev/null
fi
