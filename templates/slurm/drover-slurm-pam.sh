#!/usr/bin/env bash
# drover-slurm-pam: SSH to a compute node only into a job of one's own there (pam_slurm_adopt,
# as Slurm's documentation sets it up); root and the admin account at any time (pam_access).
# Run once at first boot by drover-slurm-node; safe to run again.
set -euo pipefail

admin="{{adminUser}}"
sshd_pam=/etc/pam.d/sshd
rules=/etc/security/drover-slurm-access.conf

printf '%s\n' "+:root $admin:ALL" "-:ALL:ALL" >"$rules"
if ! grep -q pam_slurm_adopt "$sshd_pam"; then
  sed -i "/^@include common-account/a account    sufficient   pam_access.so accessfile=$rules\naccount    required     pam_slurm_adopt.so" "$sshd_pam"
fi
# pam_systemd would move an adopted session out of the job's cgroup.
sed -i 's/^\(session[[:space:]].*pam_systemd\.so.*\)$/# \1/' /etc/pam.d/common-session
