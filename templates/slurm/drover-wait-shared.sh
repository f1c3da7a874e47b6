#!/usr/bin/env bash
# drover-wait-shared: holds slurmd's start (ExecStartPre) until /home and /opt/software are
# mounted. Jobs start in the user's home and read software from /opt/software; a node that ran
# them before the controller (or the share) served those would fail every job it got, and Slurm
# would drain it. Waiting instead keeps the node "not responding" until it can work, and Slurm
# takes it into service when slurmd registers (ReturnToService=2). Both are automounts: listing
# them mounts them, and a failed attempt is retried every few seconds, without limit.
set -euo pipefail

# Mount points, blank-separated.
paths="{{paths}}"

mounted() {
  ls "$1/" >/dev/null 2>&1 || return 1
  findmnt -rn -o FSTYPE --mountpoint "$1" | grep -qvx autofs
}

for path in $paths; do
  waited=0
  until mounted "$path"; do
    if [ $((waited % 60)) -eq 0 ]; then
      echo "drover-wait-shared: waiting for $path (${waited}s)"
    fi
    sleep 5
    waited=$((waited + 5))
  done
done
