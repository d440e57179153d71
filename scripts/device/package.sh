#!/usr/bin/env bash
# Builds what a device call carries (.carry/, git-ignored): a self-contained linux-x64 publish of
# the east-bake tool (ONNX Runtime CPU flavour: the reference for verify) with the test-model
# generator beside it, as .tar.xz, plus torch_baseline.py from ../shared/tools.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
dotnet publish src/EastBake.Tool -c Release -r linux-x64 --self-contained -p:EastBakeOnnxRuntimeFlavor=Cpu -o "$out/eb" > /dev/null
dotnet publish testassets/EastBake.ModelGenerator -c Release -r linux-x64 --self-contained -o "$out/eb" > /dev/null
rm -f "$out"/eb/*.pdb
mkdir -p .carry
tar -cJf .carry/eb.tar.xz -C "$out" eb
cp ../shared/tools/torch_baseline.py .carry/
mkdir -p .carry/images && cp $(ls -d ../shared/icdar2015/dev/images/* | head -24) .carry/images/
rm -rf "$out"
ls -la .carry
