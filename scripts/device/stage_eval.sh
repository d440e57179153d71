#!/usr/bin/env bash
# Prepares the trained-model evaluation on the device (git-ignored .carry-eval/): the 96 MB
# ../shared/models/east_r50_ic15.pb in three parts, the dev images and ground truth, and 100
# calibration images, split so that each call stays under 64 MiB with the working tree:
#   call 1: carry .carry/eb.tar.xz and .carry-eval/a   run: scripts/device/eval.sh
#   call 2: carry .carry-eval/b                        run: scripts/device/eval.sh
#   call 3: carry .carry-eval/c                        run: scripts/device/eval.sh   (joins, checks, evaluates)
# back to back (the machine keeps /tmp only while warm).
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .carry-eval && mkdir -p .carry-eval/a .carry-eval/b/dev .carry-eval/c/calib
model=../shared/models/east_r50_ic15.pb
sha256sum "$model" | cut -d' ' -f1 > .carry-eval/c/model.sha256
dd if="$model" of=.carry-eval/a/model.part0 bs=1000000 count=16 status=none
dd if="$model" of=.carry-eval/b/model.part1 bs=1000000 skip=16 count=48 status=none
dd if="$model" of=.carry-eval/c/model.part2 bs=1000000 skip=64 status=none
cp -r ../shared/icdar2015/dev/images ../shared/icdar2015/dev/gt .carry-eval/b/dev/
cp $(ls -d ../shared/icdar2015/calib/images/* | head -100) .carry-eval/c/calib/
du -sb .carry-eval/*
