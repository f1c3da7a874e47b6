#!/usr/bin/env bash
# drover-slurm-controller: first boot of the Slurm controller, run once by cloud-init (runcmd)
# after the packages are installed and every file is written. Installing a package starts its
# daemon at once, before drover's munge key (written after the munge package created its user)
# was in place, so each daemon is restarted here, in order: munge, slurmdbd (with accounting),
# then slurmctld. On later boots systemd starts them in the same order (see the drop-ins in
# /etc/systemd/system/slurmctld.service.d/).
set -euo pipefail

accounting="{{accounting}}"
elastic="{{elastic}}"
state_save="{{stateSave}}"
log_dir="{{logDir}}"
# Mount points of shares to mount on demand (storage "manila"), blank-separated; empty otherwise.
automounts="{{automounts}}"
# Where the elastic nodes' programs, which run as slurm, read the munge key (elastic nodes only).
munge_copy="{{mungeCopy}}"
# The elastic nodes' user data, and "name:mount point" of each share it mounts (storage "manila").
compute_user_data="{{computeUserData}}"
shares="{{shares}}"
# The elastic copy of the compute user data reaches this machine compressed, where Terraform could
# not put the shares' export paths and CephFS keys: it holds placeholders instead, filled here
# from this machine's own fstab entries and key files (the same shares, the same keys).
fill_shares() {
  local text entry name upper source key new
  text=$(<"$compute_user_data")
  for entry in $shares; do
    name=${entry%%:*}
    upper=${name^^}
    source=$(findmnt --fstab -n -o SOURCE --mountpoint "${entry#*:}")
    text=${text//"@@DROVER_SHARE_PATH_${upper}@@"/"$source"}
    if [ -r "/etc/ceph/drover-$name.secret" ]; then
      key=$(<"/etc/ceph/drover-$name.secret")
      text=${text//"@@DROVER_SHARE_KEY_${upper}@@"/"$key"}
    fi
  done
  new=$(mktemp "$compute_user_data.XXXXXX")
  printf '%s\n' "$text" >"$new"
  chown slurm:slurm "$new"
  chmod 0400 "$new"
  mv "$new" "$compute_user_data"
}

systemctl daemon-reload
# Node names first: slurmctld resolves them when it starts.
systemctl enable --now drover-slurm-hosts.service

# The volumes (storage "nfs") or shares: the drover-volumes timer mounts volumes and runs the
# hook that exports them and creates the homes, every minute until they are there.
for path in $automounts; do
  systemctl start "$(systemd-escape --path --suffix=automount "$path")"
done
systemctl enable --now drover-volumes.timer

install -d -o slurm -g slurm -m 0755 "$log_dir"
# slurmctld keeps the cluster's state (jobs, node states) on the state volume, which a rebuilt
# controller takes over; no one else reads it. The volume timer mounts it within a minute.
/usr/local/sbin/drover-wait-state
install -d -o slurm -g slurm -m 0700 "$state_save"

systemctl enable munge
systemctl restart munge

if [ "$accounting" = yes ]; then
  /usr/local/sbin/drover-slurmdbd-setup
fi

if [ "$elastic" = yes ]; then
  # Everything ResumeProgram needs is in place before slurmctld may call it.
  # It runs as slurm and puts the munge key into each new node's user data; munge's own copy is
  # readable by munge alone (munged refuses a key others can read).
  install -o slurm -g slurm -m 0400 /etc/munge/munge.key "$munge_copy"
  /usr/local/sbin/drover-slurm-node-table
  if [ -n "$shares" ]; then
    fill_shares
  fi
fi

systemctl enable slurmctld
systemctl restart slurmctld

if [ "$elastic" = yes ]; then
  # Deletes elastic nodes Slurm no longer knows (after a controller rebuild, a failed resume).
  systemctl enable --now drover-slurm-reconcile.timer
fi

# sshd reads the drop-in naming the local authorized-keys files; a reload is harmless if it did.
systemctl try-reload-or-restart ssh.service
