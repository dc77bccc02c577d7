#!/usr/bin/env bash
# "Submits" a Snakemake jobscript as a detached local process and prints its process id, the
# way sbatch prints a job id. Output goes to logs/cluster/.
set -euo pipefail
mkdir -p logs/cluster
jobscript="$1"
nohup bash "$jobscript" >"logs/cluster/$(basename "$jobscript").out" 2>&1 &
echo $!
