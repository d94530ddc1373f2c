#!/usr/bin/env bash
# Times a local `stagehand sync` of one catalog file (its Locations fanned
# out) with GNU time: elapsed seconds and peak RSS, with the machine's load.
#
#   benches/sync.sh BIN CATALOG cold|nochange [RUNS]
#
# cold: every run starts with no index (a profile of its own, emptied);
# nochange: one untimed sync first, then RUNS syncs with no file changed.
# Make the catalog with `stagehand demo generate --entities N --out DIR`
# (CATALOG is DIR/all.yaml).
set -euo pipefail
bin=$(realpath "$1"); catalog=$(realpath "$2"); mode=$3; runs=${4:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/stagehand-sync-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'sources:\n  - name: bench\n    file: %s\n' "$catalog" > "$work/config.yaml"
export STAGEHAND_CONFIG="$work/config.yaml" XDG_CACHE_HOME="$work/cache" XDG_DATA_HOME="$work/data"
[ "$mode" = nochange ] && "$bin" sync > /dev/null 2>&1
for run in $(seq "$runs"); do
  [ "$mode" = cold ] && rm -rf "$work/cache" "$work/data"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" sync > /dev/null 2>&1
  read -r secs kb < "$work/time"
  printf '%s run %s: %s s, peak RSS %s MB, load %s\n' "$mode" "$run" "$secs" "$((kb / 1024))" "$load"
done
