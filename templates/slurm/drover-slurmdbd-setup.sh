#!/usr/bin/env bash
# drover-slurmdbd-setup: accounting on the Slurm controller, at first boot: a MariaDB database and
# user for slurmdbd, slurmdbd started, the cluster registered. The database password is made
# here, on the machine: it is in no user data, no Terraform state and no rendered file. It lives
# only in MariaDB and in slurmdbd.conf (0600, slurm), where it replaces the placeholder drover
# rendered. The password never appears on a command line (other users could read it in ps).
#
# Safe to run again: a rerun after a failure before slurmdbd.conf was written makes a new
# password and sets it on the existing user; once the file holds one, it is kept.
set -euo pipefail

conf="{{slurmdbdConf}}"
placeholder="{{placeholder}}"
cluster="{{clusterName}}"

log() { echo "drover-slurmdbd-setup: $*"; }

systemctl enable --now mariadb

if grep -qF "$placeholder" "$conf"; then
  # 24 random bytes as hex: no character needs quoting in SQL or slurmdbd.conf.
  password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  # Root reaches MariaDB through its socket (unix_socket authentication): no password needed.
  mariadb --protocol=socket -u root <<SQL
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$password';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$password';
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
GRANT ALL PRIVILEGES ON slurm_acct_db.* TO 'slurm'@'localhost';
SQL
  content=$(<"$conf")
  new=$(mktemp "$conf.XXXXXX")
  # printf is a shell builtin: the password goes to the file without passing through argv.
  printf '%s\n' "${content//"$placeholder"/"$password"}" >"$new"
  chown slurm:slurm "$new"
  chmod 0600 "$new"
  mv "$new" "$conf"
  log "database user and password set"
fi

systemctl enable slurmdbd
systemctl restart slurmdbd

# slurmctld registers with slurmdbd at start and sacctmgr needs it: wait until it answers.
for _ in $(seq 1 60); do
  if sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1; then
    break
  fi
  sleep 2
done
if ! sacctmgr -n -P show cluster format=cluster | grep -qx "$cluster"; then
  sacctmgr -i add cluster "$cluster"
  log "registered cluster $cluster"
fi
