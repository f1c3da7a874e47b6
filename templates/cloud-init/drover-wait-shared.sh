#!/usr/bin/env bash
# drover-wait-shared: holds a service's start (ExecStartPre) until the file systems it works on
# are mounted: a Slurm node's slurmd waits for /home and /opt/software (a node that ran jobs
# before they were served would fail every job, and Slurm would drain it; waiting keeps it
# "not responding" until slurmd registers), a gateway's app for its data volume. Listing a mount
# point mounts an automount, and a failed attempt is retried every few seconds, without limit.
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
