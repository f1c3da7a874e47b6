#!/usr/bin/env bash
# drover-wait-gpus: holds slurmd's start (ExecStartPre) until the GPUs gres.conf names for this
# node exist (slurmd exits when one is missing, and the NVIDIA driver can come up later); other
# nodes pass at once. Exit 1 after the wait, with the reason; systemd restarts slurmd later.
set -euo pipefail

gres_conf="{{gresConf}}"
timeout="{{timeoutSeconds}}"

me=$(hostname -s)
devices=()
while read -r line; do
  [[ $line =~ ^NodeName=([^[:space:]]+)[[:space:]].*File=([^[:space:]]+) ]] || continue
  hosts=${BASH_REMATCH[1]}
  file=${BASH_REMATCH[2]}
  scontrol show hostnames "$hosts" | grep -qx -- "$me" || continue
  # /dev/nvidia[0-3] names four devices.
  if [[ $file =~ ^(.*)\[([0-9]+)-([0-9]+)\]$ ]]; then
    for ((i = BASH_REMATCH[2]; i <= BASH_REMATCH[3]; i++)); do devices+=("${BASH_REMATCH[1]}$i"); done
  else
    devices+=("$file")
  fi
done <"$gres_conf"

waited=0
for device in "${devices[@]}"; do
  until [ -e "$device" ]; do
    if [ "$waited" -ge "$timeout" ]; then
      echo "drover-wait-gpus: $device is still missing after ${waited}s: is the NVIDIA driver installed and loaded (nvidia-smi)? slurmd is started again later" >&2
      exit 1
    fi
    if [ $((waited % 60)) -eq 0 ]; then
      echo "drover-wait-gpus: waiting for $device (${waited}s)"
    fi
    sleep 5
    waited=$((waited + 5))
  done
done
