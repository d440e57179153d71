#!/usr/bin/env bash
# Splits ONNX Runtime's GPU natives (from the NuGet cache, Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0:
# libonnxruntime.so, libonnxruntime_providers_shared.so, libonnxruntime_providers_cuda.so, 318 MB)
# into four .tar.xz parts under .carry-ep/{a,b,c,d} (git-ignored): with the working tree each stays under a call's 64 MiB.
# Carry .carry-ep/a, then b, c, d in back-to-back calls running `scripts/device/run.sh stage-ep`
# (the machine keeps /tmp while warm); the call with the last part unpacks them into the tool.
set -euo pipefail
cd "$(dirname "$0")/../.."
native=${NATIVE:-$HOME/.nuget/packages/microsoft.ml.onnxruntime.gpu.linux/1.31.0/runtimes/linux-x64/native}
rm -rf .carry-ep && mkdir -p .carry-ep/a .carry-ep/b .carry-ep/c .carry-ep/d
tar -cf - -C "$native" libonnxruntime.so libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so | xz -9 -T2 > .carry-ep/ortgpu.tar.xz
split -n 4 -d .carry-ep/ortgpu.tar.xz .carry-ep/ortgpu.part
mv .carry-ep/ortgpu.part00 .carry-ep/a/; mv .carry-ep/ortgpu.part01 .carry-ep/b/; mv .carry-ep/ortgpu.part02 .carry-ep/c/; mv .carry-ep/ortgpu.part03 .carry-ep/d/
rm .carry-ep/ortgpu.tar.xz
du -b .carry-ep/*/*
