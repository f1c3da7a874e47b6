#!/usr/bin/env bash
# drover-slurm-node: first boot of a Slurm login or compute node, run once by cloud-init (runcmd)
# after the packages are installed and every file is written. The same script, with the same
# values, runs on every compute node, static or elastic: a node learns its name from the cloud.
set -euo pipefail

role="{{role}}"
spool="{{slurmdSpool}}"
log_dir="{{logDir}}"
# Mount points of /home and /opt/software, mounted on demand (automount).
automounts="{{automounts}}"

systemctl daemon-reload
systemctl enable --now drover-slurm-hosts.service

# cloud-init added the shared trees to /etc/fstab after this boot's units were set up, so their
# automount units start now; later boots start them with remote-fs.target. An automount mounts
# on first use, so a node that boots before the controller serves /home just waits for it.
for path in $automounts; do
  systemctl start "$(systemd-escape --path --suffix=automount "$path")"
done

# Installing munge started it with a key of its own; drover's key was written after that.
systemctl enable munge
systemctl restart munge

if [ "$role" = compute ]; then
  # SSH to this node only with a job on it, and into that job (pam_slurm_adopt).
  /usr/local/sbin/drover-slurm-pam
  install -d -o slurm -g slurm -m 0755 "$log_dir"
  install -d -o root -g root -m 0755 "$spool"
  systemctl enable slurmd
  # slurmd waits for /home (see slurmd.service.d/drover.conf), possibly minutes on a new
  # cluster: do not hold cloud-init for it.
  systemctl restart --no-block slurmd
fi

# sshd reads the drop-in naming the local authorized-keys files; a reload is harmless if it did.
systemctl try-reload-or-restart ssh.service
