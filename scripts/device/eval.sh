#!/usr/bin/env bash
# Trained EAST-R50 on the device: FP32, FP16 and INT8 plans on the ILGPU engine, ICDAR 2015 eval
# on the 100 dev images (scripts/device/stage_eval.sh explains the three calls). Each call stores
# what it carried in /tmp/evalstage; once every part is there the model is joined, checked
# against its SHA-256 and evaluated.
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
st=/tmp/evalstage; work=/tmp/eastbake; mkdir -p "$st" "$work"
[ -f .carry/eb.tar.xz ] && [ ! -x "$work/eb/east-bake" ] && tar -xJf .carry/eb.tar.xz -C "$work"
for d in .carry-eval/*/; do cp -r "$d". "$st"/; done
ls "$st"
[ -f "$st/model.part0" ] && [ -f "$st/model.part1" ] && [ -f "$st/model.part2" ] && [ -f "$st/model.sha256" ] || { echo "staged; waiting for more parts"; exit 0; }
model="$work/east_r50_ic15.pb"
cat "$st"/model.part0 "$st"/model.part1 "$st"/model.part2 > "$model"
[ "$(sha256sum "$model" | cut -d' ' -f1)" = "$(cat "$st/model.sha256")" ] || { echo "model checksum mismatch"; exit 1; }
EB="$work/eb/east-bake"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
shape="min:1x32x32;opt:1x704x1280;max:1x2400x2400"
for p in ${PRECISIONS:-FP32 FP16 INT8}; do
  plan="$work/ic15.$p.eastplan"
  echo "=== bake $p ($(date +%T))"
  timeout 240 "$EB" bake "$model" --precision $p --input-shape "$shape" --backends Ilgpu --out "$plan" --force \
    $( [ $p = INT8 ] && echo --calibration-images "$st/calib" --calibration-limit ${CALIB_LIMIT:-100} ) 2>&1 | grep -v "^tuned" | tail -4 | tee "$OUT/bake-$p.log"
  echo "=== eval $p ($(date +%T))"
  timeout 240 "$EB" eval "$plan" --images "$st/dev/images" --gt "$st/dev/gt" --backend ilgpu --device cuda 2>&1 | tail -2 | tee "$OUT/eval-$p.log"
done
