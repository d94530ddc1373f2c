#!/usr/bin/env bash
# Remote sync at scale against the real Backstage backend (tests/backend):
# generate N entities, load them, then time stagehand's full sync, two
# no-change incremental syncs (the first right after the full sync, the
# second with the listing's ETag from the first), and a raw curl crawl of
# the same pages.
# Each full sync's peak RSS is printed too (GNU time).
#   benches/remote.sh [N]        (default 10000; needs node and tests/backend/install.sh)
# BIN=path picks the stagehand binary; BEFORE=path adds full syncs of another
# binary (e.g. a build of main), alternating, with the peak RSS of each.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000}
port=${PORT:-7450}
work=$(mktemp -d)
export STATE=$work/state
trap '"$here/tests/backend/stop.sh" --port "$port" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bin=${BIN:-$here/target/release/stagehand}
[ -x "$bin" ] || cargo build --release --manifest-path "$here/Cargo.toml"
"$bin" demo generate --entities "$n" --out "$work/catalog" --single-file 2>/dev/null
eval "$("$here/tests/backend/start.sh" --port "$port" "$work/catalog/catalog.yaml" | grep BACKSTAGE_)"
export BACKSTAGE_TOKEN
expected=$(grep -c '^kind: ' "$work/catalog/catalog.yaml")
echo "waiting for the backend to process $expected entities..."
start=$(date +%s) last=-1 stable=0
while :; do
  total=$(curl -s -H "Authorization: Bearer $BACKSTAGE_TOKEN" "$BACKSTAGE_URL/api/catalog/entities/by-query?limit=1&fields=kind" | grep -o '"totalItems":[0-9]*' | cut -d: -f2 || true)
  total=${total:-0}  # not answering yet
  # Done when the count stops moving near the expected size (the backend
  # refuses Template entities without the scaffolder plugin).
  if [ "$total" = "$last" ] && [ "$total" -ge $((expected * 99 / 100)) ]; then stable=$((stable + 1)); else stable=0; fi
  [ "$stable" -ge 3 ] && break
  last=$total
  [ $(( $(date +%s) - start )) -gt 900 ] && { echo "backend did not finish processing"; exit 1; }
  sleep 2
done
echo "backend ready with $total entities after $(( $(date +%s) - start ))s"
cat > "$work/config.yaml" <<CFG
sources:
  - name: bench
    backstage:
      url: $BACKSTAGE_URL
      token_env: BACKSTAGE_TOKEN
      page_size: 1000
CFG
export XDG_CACHE_HOME=$work/cache XDG_DATA_HOME=$work/data
crawl() {
  local cursor="" url
  while :; do
    if [ -z "$cursor" ]; then url="$BACKSTAGE_URL/api/catalog/entities/by-query?limit=1000"
    else url="$BACKSTAGE_URL/api/catalog/entities/by-query?limit=1000&cursor=$cursor"; fi
    page=$(curl -s --compressed -H "Authorization: Bearer $BACKSTAGE_TOKEN" "$url")
    cursor=$(printf '%s' "$page" | grep -o '"nextCursor":"[^"]*"' | cut -d'"' -f4 || true)
    [ -z "$cursor" ] && break
  done
}
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in 1 2 3; do
  curl_s=$(t crawl)
  rm -rf "$work/cache"
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" --config "$work/config.yaml" sync --full >/dev/null 2>&1
  read -r full_s full_kb < "$work/time"
  inc_s=$(t "$bin" --config "$work/config.yaml" sync)
  again_s=$(t "$bin" --config "$work/config.yaml" sync)
  printf 'run %d: curl crawl %.2fs  stagehand full %.2fs (peak RSS %d MB)  no change: first incremental %.2fs (%.2fx full), next %.2fs (%.2fx full)\n' \
    "$run" "$curl_s" "$full_s" $((full_kb / 1024)) "$inc_s" "$(echo "$inc_s / $full_s" | bc -l)" "$again_s" "$(echo "$again_s / $full_s" | bc -l)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Peak RSS of full syncs (GNU time), this binary and BEFORE alternating.
rss() { rm -rf "$work/cache"; /usr/bin/time -f "%e s, peak %M KB" "$@" --config "$work/config.yaml" sync --full 2>&1 >/dev/null | tail -1; }
for run in 1 2 3; do
  echo "full sync run $run: $(rss "$bin") (load $(cut -d' ' -f1 /proc/loadavg))"
  if [ -n "${BEFORE:-}" ]; then echo "  before: $(rss "$BEFORE") (load $(cut -d' ' -f1 /proc/loadavg))"; fi
done

"$bin" --config "$work/config.yaml" list --json | python3 -c 'import json,sys; print("entities in the index:", len(json.load(sys.stdin)))'
