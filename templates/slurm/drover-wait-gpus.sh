#!/usr/bin/env bash
# drover-wait-gpus: holds slurmd's start (ExecStartPre) until this node's GPUs, as gres.conf lists
# them, exist. slurmd exits at once when a device gres.conf names is missing, and the NVIDIA
# driver can come up after slurmd would start (its module loads late on first boot); without this
# the node would stay down. Nodes that gres.conf does not list (CPU nodes) pass at once. After the
# time below it fails with the reason, and systemd starts slurmd again later (Restart=on-failure).
#
# Usage: drover-wait-gpus          Exit status: 0 when every device is there (or none is named),
#                                  1 when one is still missing after the wait.
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
