#!/usr/bin/env bash
# drover-hub-homes: the k3s server's part of a hub's shared homes. It runs as a drover-volumes
# hook (/etc/drover/volumes.d) after every pass of that script, so every minute from boot: the
# home volume may be attached only a while after the machine starts, and nothing here may act
# before it is really mounted (homes written on the root disk beneath an empty mount point would
# vanish under the volume once it is mounted).
#
# Once it is, the volume is exported over NFS to the cluster subnet, where the kubelets mount it
# for the users' pods, each pod only its user's sub-directory (the chart's static storage with a
# per-user subPath). Every request is mapped to the notebook image's user (all_squash to
# {{uid}}:{{gid}}, jovyan:users in Jupyter's images), so the sub-directories the kubelet creates
# are the users' own. User pods cannot reach the export themselves: the chart's network policy
# keeps them from private addresses. Idempotent: a pass that finds everything in place changes nothing.
set -euo pipefail

export_path="{{exportPath}}"
cidr="{{cidr}}"
exports_file=/etc/exports.d/drover-homes.exports

log() { echo "drover-hub-homes: $*"; }

if ! findmnt -rn --mountpoint "$export_path" >/dev/null; then
  log "$export_path is not mounted yet"
  exit 0
fi

if [ "$(stat -c %u:%g "$export_path")" != "{{uid}}:{{gid}}" ]; then
  chown "{{uid}}:{{gid}}" "$export_path"
  log "gave $export_path to {{uid}}:{{gid}}"
fi

# mp: export the tree only while its volume is mounted, so the NFS server, which starts at boot
# before drover-volumes may have mounted it, never serves the empty directory beneath it.
exports="$export_path $cidr(rw,sync,no_subtree_check,all_squash,anonuid={{uid}},anongid={{gid}},mp)"
if [ "$(cat "$exports_file" 2>/dev/null)" != "$exports" ]; then
  mkdir -p "${exports_file%/*}"
  printf '%s\n' "$exports" >"$exports_file"
  log "wrote $exports_file"
fi
exportfs -ra
if ! systemctl is-enabled --quiet nfs-server; then
  systemctl enable nfs-server
fi
if ! systemctl is-active --quiet nfs-server; then
  systemctl start nfs-server
fi
