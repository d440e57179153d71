#!/usr/bin/env bash
# One device call on the lent GPU machine (no dotnet there): unpacks the self-contained build
# carried in .carry/ (scripts/device/package.sh), measures the card's ceilings, runs PyTorch's
# baseline (torch_baseline.py, carried beside it), then our engine: the whole-network bench
# (FP32, FP16, FP16 without tensor cores, per-layer profile), the engine-vs-ONNX-Runtime check at
# full width (east-bake verify), INT8 (calibrated bake, verify against the emulation graph, bench),
# and the per-shape convolution sweep. Every step has its own time
# limit; logs land in $OUT. Usage: scripts/device/run.sh [steps...] (default: all).
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 PYTHONUNBUFFERED=1
H=${H:-704}; W=${W:-1280}
steps=${*:-"ceilings torch bench verify sweep"}
work=/tmp/eastbake; mkdir -p "$work"
[ -x "$work/eb/east-bake" ] || tar -xJf .carry/eb.tar.xz -C "$work"
EB="$work/eb/east-bake"
model="$work/east_r50_w1.pb"
[ -f "$model" ] || "$work/eb/EastBake.ModelGenerator" --width-divisor 1 --seed 1 --out "$model" > "$OUT/generator.log" 2>&1 || { echo "generator failed"; tail "$OUT/generator.log"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv,noheader
run() { local name=$1 limit=$2; shift 2; echo "=== $name ($(date +%T))"; timeout "$limit" "$@" 2>&1 | tee "$OUT/$name.log"; echo "=== $name rc=${PIPESTATUS[0]}"; }
for s in $steps; do
  case $s in
    ceilings) run ceilings 60 python3 scripts/device/ceilings.py ;;
    torch) run torch 240 python3 .carry/torch_baseline.py --height $H --width $W --iters 50 ;;
    bench)
      mt=$(grep -oP 'matrix_tflops=\K[\d.]+' "$OUT/ceilings.log" 2>/dev/null || echo 780)
      bw=$(grep -oP 'bandwidth_tbs=\K[\d.]+' "$OUT/ceilings.log" 2>/dev/null || echo 4.3)
      run bench 420 "$EB" bench "$model" --precision ${BENCH_PRECISIONS:-FP32,FP16} --input-shape ${H}x${W} --device cuda --iters 50 --warmup 10 \
        --profile 12 --torch "$OUT/torch.log" --matrix-tflops "$mt" --bandwidth "$bw" ${BENCH_FLAGS:-} \
        $( [ -d .carry/images ] && echo --images .carry/images --image-count 96 ) ;;
    verify)
      for p in ${VERIFY_PRECISIONS:-FP16 FP32}; do run verify-$p 240 "$EB" verify "$model" --precision $p --input-shape ${H}x${W} --device cuda --runs 2 --seed 7; done ;;
    int8)
      # INT8: calibrate on the carried dev images, bake Ilgpu;Onnx once, then check it against the emulation graph and time it.
      mt=$(grep -oP 'matrix_tflops=\K[\d.]+' "$OUT/ceilings.log" 2>/dev/null || echo 780)
      bw=$(grep -oP 'bandwidth_tbs=\K[\d.]+' "$OUT/ceilings.log" 2>/dev/null || echo 4.3)
      plan="$work/east_r50_w1.int8.eastplan"
      run bake-INT8 300 "$EB" bake "$model" --precision INT8 --calibration-images .carry/images --input-shape ${H}x${W} --backends "Ilgpu;Onnx" --out "$plan" --force
      run verify-INT8 240 "$EB" verify "$plan" --device cuda --runs 2 --seed 7
      run bench-INT8 300 "$EB" bench "$plan" --input-shape ${H}x${W} --device cuda --iters 50 --warmup 10 --profile 12 \
        --torch "$OUT/torch.log" --matrix-tflops "$mt" --bandwidth "$bw" $( [ -d .carry/images ] && echo --images .carry/images --image-count 96 ) ;;
    stage-ep)
      # ONNX Runtime's GPU natives (1.31.0: libonnxruntime.so, the CUDA provider) arrive in parts over back-to-back calls
      # (scripts/device/stage_ort_gpu.sh); the last part completes them and they replace the CPU build in the tool's folder.
      mkdir -p /tmp/ep && cp .carry-ep/*/ortgpu.part* /tmp/ep/ && ls -la /tmp/ep
      if [ "$(ls /tmp/ep | wc -l)" -ge 4 ]; then cat /tmp/ep/ortgpu.part* | xz -d | tar -x -C "$work/eb" && ls -la "$work/eb"/libonnxruntime*; fi ;;
    ortcuda)
      plan="$work/east_r50_w1.int8.eastplan"
      run ortcuda 300 "$EB" bench "$plan" --input-shape ${H}x${W} --device cuda --iters 20 --warmup 5 --images .carry/images --image-count 48 --onnx-cuda ;;
    sweep) run sweep 300 "$EB" bench --conv-sweep --input-shape ${H}x${W} --device cuda --iters 10 ;;
  esac
done
