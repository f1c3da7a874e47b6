#!/usr/bin/env bash
# drover-slurm-shared: the Slurm controller's part of the shared /home and /opt/software. It runs
# as a drover-volumes hook (/etc/drover/volumes.d), after every pass of that script, so every
# minute from boot: the volumes may be attached, or the shares reachable, only a while after the
# machine starts, and nothing here may act before both trees are really mounted (a home created
# on the root disk under an empty mount point would vanish under the volume once it is mounted).
#
# Once they are:
# - storage "nfs" (volumes on this machine): exports both trees to the cluster subnet and keeps
#   the NFS server enabled and running;
# - every cluster user gets a home from /etc/skel if there is none yet (the nodes mount /home and
#   never create homes themselves).
# Idempotent: a pass that finds everything in place changes nothing.
set -euo pipefail

storage="{{storage}}"
cidr="{{cidr}}"
home="{{home}}"
software="{{software}}"
# "name:uid" of each cluster user, blank-separated.
users="{{users}}"
exports_file=/etc/exports.d/drover.exports

log() { echo "drover-slurm-shared: $*"; }

# True when a filesystem other than an automount trap is mounted at $1. Listing the directory
# first makes an automount (the shares of a "manila" cluster) mount the real filesystem.
mounted() {
  ls "$1/" >/dev/null 2>&1 || return 1
  findmnt -rn -o FSTYPE --mountpoint "$1" | grep -qvx autofs
}

for path in "$home" "$software"; do
  if ! mounted "$path"; then
    log "$path is not mounted yet"
    exit 0
  fi
done

if [ "$storage" = nfs ]; then
  # root_squash: root on a node is nobody here. mp: export a tree only while its volume is
  # mounted, so the NFS server, which starts at boot before drover-volumes may have mounted a
  # volume, never serves the empty directory beneath it.
  exports="$home $cidr(rw,sync,no_subtree_check,root_squash,mp)
$software $cidr(rw,sync,no_subtree_check,root_squash,mp)"
  if [ "$(cat "$exports_file" 2>/dev/null)" != "$exports" ]; then
    mkdir -p "${exports_file%/*}"
    printf '%s\n' "$exports" >"$exports_file"
    log "wrote $exports_file"
  fi
  # Cheap and idempotent; also exports a tree whose volume was mounted since the last pass.
  exportfs -ra
  if ! systemctl is-enabled --quiet nfs-server; then
    systemctl enable nfs-server
  fi
  if ! systemctl is-active --quiet nfs-server; then
    systemctl start nfs-server
  fi
fi

for entry in $users; do
  name=${entry%%:*}
  uid=${entry#*:}
  dir="$home/$name"
  if [ -e "$dir" ]; then
    continue
  fi
  # Built under another name and renamed, so a half-copied home never appears as the real one.
  # Numeric IDs: the account may not exist on this machine yet, and every node agrees on them.
  tmp="$home/.drover-new-$name"
  rm -rf "$tmp"
  cp -a /etc/skel "$tmp"
  chown -R "$uid:users" "$tmp"
  chmod 0700 "$tmp"
  mv "$tmp" "$dir"
  log "created $dir"
done
