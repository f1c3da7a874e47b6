#!/usr/bin/env bash
# drover-slurm-hosts: names every machine of the Slurm cluster in /etc/hosts: the controller, the
# login node and every compute node, elastic ones included (their addresses are fixed when the
# stack is synthesized). The list comes from slurm.conf, where NodeName/NodeAddr hostlists
# (hpc-cpu-[1-255] at 10.42.4.[1-255]) name a thousand nodes in a few lines: the user data carries
# slurm.conf anyway, and a thousand /etc/hosts lines would not fit in it. slurmctld, slurmd, ssh
# between nodes and MPI all resolve these names without depending on a DNS service.
#
# It rewrites only the lines between its own markers and leaves the rest of /etc/hosts alone.
# A systemd unit runs it at every boot before the Slurm daemons; it is idempotent.
set -euo pipefail

conf="{{slurmConf}}"
# "<address> <name>" of a machine slurm.conf does not name (the login node), or empty.
extra="{{extraHosts}}"
# Overridable so a test can run the script on a file of its own.
hosts=${DROVER_HOSTS_FILE:-/etc/hosts}
begin="# BEGIN drover-slurm: generated from $conf at boot, do not edit"
end="# END drover-slurm"

# scontrol expands hostlists exactly as slurmctld does.
expand() { scontrol show hostnames "$1"; }

entries() {
  local line word names addrs
  local -a words
  if [ -n "$extra" ]; then
    echo "$extra"
  fi
  while read -r line; do
    case "$line" in
      SlurmctldHost=*)
        # SlurmctldHost=name(address)
        line=${line#SlurmctldHost=}
        names=${line%%(*}
        addrs=${line#*(}
        echo "${addrs%)} $names"
        ;;
      NodeName=*)
        # Split on blanks without globbing: hostlists look like glob patterns.
        read -ra words <<<"$line"
        names="" addrs=""
        for word in "${words[@]}"; do
          case "$word" in
            NodeName=*) names=${word#NodeName=} ;;
            NodeAddr=*) addrs=${word#NodeAddr=} ;;
          esac
        done
        if [ "$names" != DEFAULT ]; then
          # Names and addresses expand to lists of the same length, matched by position.
          paste -d ' ' <(expand "${addrs:-$names}") <(expand "$names")
        fi
        ;;
    esac
  done <"$conf"
}

new=$(mktemp "$hosts.drover.XXXXXX")
trap 'rm -f "$new"' EXIT
{
  sed '/^# BEGIN drover-slurm/,/^# END drover-slurm/d' "$hosts"
  echo "$begin"
  entries
  echo "$end"
} >"$new"
if ! cmp -s "$new" "$hosts"; then
  chmod 0644 "$new"
  # A rename, so a process resolving a name meanwhile reads the old file or the new, never half.
  mv "$new" "$hosts"
fi
