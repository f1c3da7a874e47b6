#!/usr/bin/env bash
# drover-volumes: formats (the first time only) and mounts the volumes drover attached to this
# machine. A systemd timer runs it every minute, so a volume attached after boot, or added to the
# stack later, is mounted without rebuilding the machine. The list of volumes comes from the
# instance metadata (key drover_volume_<name> = "<volume id>:<mount path>"; instance tags on
# AWS), which the cloud updates in place when the stack changes.
#
# It never formats a device that already holds a filesystem or a partition table.
#
# After each pass it runs the executables in /etc/drover/volumes.d/, in name order: setup that
# needs the volumes (a Slurm controller exporting /home over NFS) waits for them there, instead
# of racing the attachment. A plain machine has none. A failing hook is logged and does not stop
# the others, and every hook runs again a minute later, so each must be idempotent.
set -euo pipefail

owner="{{owner}}"
metadata_source="{{metadataSource}}"

log() { echo "drover-volumes: $*"; }

list_volumes() {
  case "$metadata_source" in
    openstack)
      python3 - <<'PY'
import json
import urllib.request

URL = "http://169.254.169.254/openstack/latest/meta_data.json"
with urllib.request.urlopen(URL, timeout=5) as response:
    meta = json.load(response).get("meta", {})
for key in sorted(meta):
    if key.startswith("drover_volume_"):
        volume_id, _, mount_path = meta[key].partition(":")
        print(key[len("drover_volume_"):], volume_id, mount_path)
PY
      ;;
    aws)
      # Instance tags, through IMDSv2 (a session token first: drover's instances require it).
      python3 - <<'PY'
import urllib.request

BASE = "http://169.254.169.254/latest"
TAGS = BASE + "/meta-data/tags/instance"


def get(url, headers, method="GET"):
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


auth = {"X-aws-ec2-metadata-token": get(BASE + "/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"}, "PUT")}
for key in sorted(get(TAGS, auth).split()):
    if key.startswith("drover_volume_"):
        volume_id, _, mount_path = get(TAGS + "/" + key, auth).partition(":")
        print(key[len("drover_volume_"):], volume_id, mount_path)
PY
      ;;
    *)
      log "unknown metadata source '$metadata_source'"
      return 1
      ;;
  esac
}

# KVM exposes a volume's ID (cut to 20 characters) as the disk serial; EC2's NVMe disks carry
# the EBS volume ID without its dash.
find_device() {
  local id=$1 candidate
  for candidate in /dev/disk/by-id/virtio-"${id:0:20}"* /dev/disk/by-id/scsi-*"${id}"* /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_"${id/-/}"; do
    if [ -e "$candidate" ]; then
      readlink -f "$candidate"
      return 0
    fi
  done
  return 1
}

mount_one() {
  local name=$1 id=$2 mount_path=$3 device uuid fresh=0 seeded seed
  if mountpoint -q "$mount_path"; then
    return 0
  fi
  if ! device=$(find_device "$id"); then
    log "$name ($id) is not attached yet"
    return 0
  fi
  if ! blkid -p "$device" >/dev/null 2>&1; then
    log "formatting $device for $name"
    mkfs.ext4 -q -L "${name:0:16}" "$device"
    fresh=1
  fi
  uuid=$(blkid -s UUID -o value "$device")
  # A fresh volume for a directory that already holds files (a gateway's /etc/letsencrypt)
  # starts with a copy of them, and keeps their owners; one for a new directory is the owner's.
  seeded=0
  if [ "$fresh" -eq 1 ] && [ -d "$mount_path" ] && [ -n "$(ls -A "$mount_path")" ]; then
    seed=$(mktemp -d)
    mount "$device" "$seed"
    cp -a "$mount_path"/. "$seed"/
    chown --reference="$mount_path" "$seed"
    chmod --reference="$mount_path" "$seed"
    umount "$seed"
    rmdir "$seed"
    seeded=1
  fi
  mkdir -p "$mount_path"
  if ! grep -q "UUID=$uuid" /etc/fstab; then
    echo "UUID=$uuid $mount_path auto defaults,nofail 0 2" >>/etc/fstab
  fi
  mount "$mount_path"
  if [ "$fresh" -eq 1 ] && [ "$seeded" -eq 0 ]; then
    chown "$owner:" "$mount_path"
  fi
  log "mounted $name at $mount_path"
}

run_hooks() {
  local hook
  for hook in /etc/drover/volumes.d/*; do
    if [ -f "$hook" ] && [ -x "$hook" ]; then
      "$hook" || log "hook $hook failed (exit $?)"
    fi
  done
}

# The metadata service can be briefly unreachable; the hooks still run on what is mounted.
if volumes=$(list_volumes); then
  while read -r name id mount_path; do
    if [ -n "${mount_path:-}" ]; then
      mount_one "$name" "$id" "$mount_path"
    fi
  done <<<"$volumes"
fi
run_hooks
