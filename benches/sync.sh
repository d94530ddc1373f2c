#!/usr/bin/env bash
# Times a local `stagehand sync` of one catalog file (its Locations fanned
# out) with GNU time: elapsed seconds and peak RSS, with the machine's load.
#
#   benches/sync.sh BIN CATALOG cold|nochange|onefile [RUNS]
#
# cold: every run starts with no index (a profile of its own, emptied);
# nochange: one untimed sync first, then RUNS syncs with no file changed;
# onefile: the same, one catalog file edited before each run (a comment
# added to a copy of the catalog, so the original is left as it was).
# Make the catalog with `stagehand demo generate --entities N --out DIR`
# (CATALOG is DIR/all.yaml).
set -euo pipefail
bin=$(realpath "$1"); catalog=$(realpath "$2"); mode=$3; runs=${4:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/stagehand-sync-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ "$mode" = onefile ]; then
  cp -a "$(dirname "$catalog")" "$work/catalog"
  catalog="$work/catalog/$(basename "$catalog")"
  edited=$(find "$work/catalog" -name 'catalog-*.yaml' | sort | sed -n 1p)
fi
printf 'sources:\n  - name: bench\n    file: %s\n' "$catalog" > "$work/config.yaml"
export STAGEHAND_CONFIG="$work/config.yaml" XDG_CACHE_HOME="$work/cache" XDG_DATA_HOME="$work/data"
[ "$mode" != cold ] && "$bin" sync > /dev/null 2>&1
for run in $(seq "$runs"); do
  [ "$mode" = cold ] && rm -rf "$work/cache" "$work/data"
  [ "$mode" = onefile ] && echo "# edited before run $run" >> "$edited"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" sync > /dev/null 2>&1
  read -r secs kb < "$work/time"
  printf '%s run %s: %s s, peak RSS %s MB, load %s\n' "$mode" "$run" "$secs" "$((kb / 1024))" "$load"
done
