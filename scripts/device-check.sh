#!/usr/bin/env bash
# There (a GPU machine without network, reached through carried folders; see docs/DEVICE.md): reassembles the bundle
# that scripts/device-bundle.sh built, and runs ge4rec's GPU checks. Results go under $OUT (or ./device-out).
#   scripts/device-check.sh probe   keep the pieces carried so far; print node, nvidia-smi, the Python nvidia folders
#   scripts/device-check.sh stash   keep the pieces carried so far
#   scripts/device-check.sh run     keep them, check every checksum, unpack, set LD_LIBRARY_PATH from the Python
#                                   environment's nvidia/*/lib folders, then run check-device --device cuda --json and
#                                   the GPU DCNv2 throughput at the paper's Criteo and Avazu settings
#   scripts/device-check.sh unpack  as run, without running anything (the dry run here)
# Pieces are kept in $GE4REC_DEVICE_DIR (default /tmp/ge4rec-device), which lasts while the machine stays warm.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
src=${GE4REC_DEVICE_SRC:-.device}
keep=${GE4REC_DEVICE_DIR:-/tmp/ge4rec-device}
out=${OUT:-$PWD/device-out}
mkdir -p "$keep/pieces" "$out"
log() { echo "device-check: $*" | tee -a "$out/device-check.log" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# Keep every piece carried so far (each carried folder holds its pieces and the list of all pieces' checksums).
stash() {
  local d f
  for d in "$src"/p[0-9]* "$src"/node; do
    [ -d "$d" ] || continue
    mkdir -p "$keep/pieces/$(basename "$d")"
    for f in "$d"/*; do [ -f "$keep/pieces/$(basename "$d")/$(basename "$f")" ] || cp "$f" "$keep/pieces/$(basename "$d")/"; done
  done
  local list
  list=$(ls "$keep"/pieces/*/PIECES.sha256 2>/dev/null | head -1)
  [ -n "$list" ] || { log "no pieces yet (carry .device/p1 ...)"; return 1; }
  cp "$list" "$keep/PIECES.sha256"
  cp "$(dirname "$list")/PIECES.count" "$keep/PIECES.count"
  local have=0 want
  want=$(cat "$keep/PIECES.count")
  for f in $(awk '{print $2}' "$keep/PIECES.sha256" | grep '^p'); do [ -f "$keep/pieces/$f" ] && have=$((have + 1)); done
  log "pieces here: $have of $want$( [ -f "$keep/pieces/node/node.xz" ] && echo ', and node')"
  [ "$have" = "$want" ]
}

probe() {
  {
    echo "== date: $(date -u +%FT%TZ)  host: $(uname -srm)"
    echo "== node: $(command -v node || echo none) $(node --version 2>/dev/null)"
    echo "== nvidia-smi"; nvidia-smi 2>&1 | head -20
    echo "== python: $(command -v python3) $(python3 --version 2>&1)"
    python3 - <<'PY' 2>&1
import glob, os, site
sites = site.getsitepackages() + [site.getusersitepackages()]
for s in sites:
    for d in sorted(glob.glob(os.path.join(s, 'nvidia', '*', 'lib'))):
        print(d, ' '.join(sorted(f for f in os.listdir(d) if '.so' in f))[:400])
PY
    echo "== ldconfig (cuda)"; ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libcudart|libcublas|libcudnn' | head
    echo "== disk"; df -h /tmp | tail -1
  } 2>&1 | tee "$out/probe.txt"
}

# The Python environment's CUDA wheels (PyTorch's), as ge4rec itself would find them.
python_lib_path() {
  python3 - <<'PY' 2>/dev/null
import glob, os, site
dirs = []
for s in site.getsitepackages() + [site.getusersitepackages()]:
    dirs += sorted(glob.glob(os.path.join(s, 'nvidia', '*', 'lib')))
print(':'.join(dirs))
PY
}

unpack() {
  stash || fail "not every piece is here yet: carry the missing .device/pN folders (docs/DEVICE.md)"
  (cd "$keep/pieces" && sha256sum --quiet -c <(grep -v ' node/' "$keep/PIECES.sha256")) || fail "a piece's checksum differs: build and carry it again"
  local work=$keep/unpacked
  rm -rf "$work" && mkdir -p "$work"
  cat $(awk '{print $2}' "$keep/PIECES.sha256" | grep '^p' | sort | sed "s|^|$keep/pieces/|") | tar -xf - -C "$work" || fail "the reassembled bundle is not a tar file"
  (cd "$work" && sha256sum --quiet -c SHA256SUMS) || fail "a file inside the bundle differs from its checksum"
  rm -rf "$keep/app"
  xz -dc "$work/app.tar.xz" | tar -xf - -C "$keep" || fail "app.tar.xz did not unpack"
  local bin=$keep/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64
  xz -dc "$work/libonnxruntime_providers_cuda.so.xz" >"$bin/libonnxruntime_providers_cuda.so" || fail "the provider did not decompress"
  log "unpacked ge4rec ($(cat "$work/VERSION")) into $keep/app; provider $(sha256sum "$bin/libonnxruntime_providers_cuda.so" | cut -c1-16)…"
  rm -rf "$work"
  # node: the machine's own if it is 20 or newer, else the carried one.
  NODE=$(command -v node || true)
  if [ -z "$NODE" ] || [ "$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
    [ -f "$keep/pieces/node/node.xz" ] || fail "no node 20 on this machine: carry .device/node too (docs/DEVICE.md)"
    grep ' node/node.xz' "$keep/PIECES.sha256" | (cd "$keep/pieces" && sha256sum --quiet -c -) || fail "node.xz differs from its checksum"
    xz -dc "$keep/pieces/node/node.xz" >"$keep/node" && chmod +x "$keep/node"
    NODE=$keep/node
  fi
  log "node: $NODE $("$NODE" --version)"
  export NODE
}

run_checks() {
  local pylib
  pylib=$(python_lib_path)
  export LD_LIBRARY_PATH="${pylib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  log "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  local ge="$NODE $keep/app/bin/run.js"
  cd "$keep/app" || fail "no app"
  log "check-device --device cuda --json"
  timeout 300 $ge check-device --device cuda --json >"$out/check-device.json" 2>"$out/check-device.err"
  log "check-device exit $?"
  for opt in dense lazy; do
    log "bench DCNv2 --device cuda (Criteo x1 and Avazu x4 settings, $opt embedding Adam)"
    timeout 150 $ge bench --device cuda --models DCNv2 --datasets criteo_x1,avazu_x4 --embedding-optimizer $opt --steps 10 --json >"$out/bench-$opt.json" 2>>"$out/check-device.err"
    log "bench $opt exit $?"
  done
  "$NODE" - "$out" <<'JS'
const fs = require('fs'), path = require('path');
const out = process.argv[2];
const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')); } catch (e) { return { unreadable: String(e.message).slice(0, 200) }; } };
const c = read('check-device.json');
if (c.rows) for (const r of c.rows) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${JSON.stringify(r).slice(0, 160)}`);
else console.log('check-device:', JSON.stringify(c).slice(0, 1500));
for (const opt of ['dense', 'lazy']) {
  const b = read(`bench-${opt}.json`);
  const rows = Array.isArray(b) ? b : b.rows ?? b.results ?? [b];
  for (const r of rows) console.log(`bench ${opt}: ${JSON.stringify(r).slice(0, 300)}`);
}
JS
}

case "$mode" in
  probe) stash; probe ;;
  stash) stash || true ;;
  unpack) unpack ;;
  run) unpack && run_checks ;;
  *) echo "usage: scripts/device-check.sh probe|stash|unpack|run" >&2; exit 2 ;;
esac
