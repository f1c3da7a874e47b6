#!/usr/bin/env bash
# drover-slurm-reconcile: a systemd timer runs it every five minutes on the controller (as the
# slurm user) to delete elastic nodes that should not exist. Slurm's power saving forgets a node
# whose SuspendProgram failed, and a node removed from the cluster (a partition removed, its
# maximum lowered) is never suspended at all; either way an instance would run, and cost, for
# nothing.
#
# Among the servers tagged drover_cluster=<cluster>, and the unattached ports with that tag, a
# node is deleted when it is not in the node table, or when Slurm reports it powered down or
# powering down. A node Slurm reports powering up or allocated is always kept, and nothing is
# deleted while slurmctld does not answer. Deletion goes through the SuspendProgram (by ID,
# server then port).
#
# Slurm hides powered-down cloud nodes from listings unless PrivateData=cloud is set, but
# shows any node asked for by name, so each node is asked for by name.
#
# Usage: drover-slurm-reconcile
# Exit status: 0 nothing to do or all deleted; 1 a listing or deletion failed; 2 configuration.
#
# Environment (tests override any of these; on the controller they come from the env file):
#   DROVER_SLURM_CLOUD_ENV  the env file (default /etc/drover/slurm-cloud.env)
#   DROVER_LOG              log file (default /var/log/slurm/drover-elastic.log), used if writable
#   DROVER_SUSPEND_PROGRAM  the SuspendProgram (default /usr/local/sbin/drover-slurm-suspend)
#   DROVER_OPENSTACK_TIMEOUT  seconds one `openstack` call may take (default 120)
#   OS_CLOUD, OS_CLIENT_CONFIG_FILE  read by `openstack` (clouds.yaml)
#   DROVER_ELASTIC_LIB      the shared functions (default /usr/local/lib/drover/drover-elastic-lib.sh)
set -euo pipefail

program=drover-slurm-reconcile
# shellcheck source=drover-elastic-lib.sh
. "${DROVER_ELASTIC_LIB:-/usr/local/lib/drover/drover-elastic-lib.sh}"

in_table() {
  awk -F'\t' -v n="$1" '$1 == n { found = 1; exit } END { exit !found }' "$DROVER_NODE_TABLE"
}

# Slurm's full state of a node, e.g. IDLE+CLOUD+POWERED_DOWN; empty for a node Slurm does not
# know (no longer in slurm.conf).
slurm_state() {
  local out
  out=$(scontrol -o show node "$1" 2>/dev/null) || return 0
  sed -n 's/.*[[:space:]]State=\([^[:space:]]*\).*/\1/p' <<<"$out" | head -n 1
}

# Prints "delete <reason>" or "keep <reason>" for a node.
decide() {
  local node=$1 state
  state=$(slurm_state "$node")
  case "+$state+" in
    *+POWERING_UP+*) echo "keep powering up ($state)"; return ;;
    +ALLOCATED+* | +MIXED+* | *+COMPLETING+*) echo "keep allocated ($state)"; return ;;
  esac
  if ! in_table "$node"; then
    echo "delete not in $DROVER_NODE_TABLE${state:+ (Slurm: $state)}"
  elif [ -z "$state" ]; then
    echo "keep Slurm does not know the node"
  elif [[ "+$state+" == *+POWERED_DOWN+* || "+$state+" == *+POWERING_DOWN+* ]]; then
    echo "delete powered down ($state)"
  else
    echo "keep $state"
  fi
}

main() {
  [ $# -eq 0 ] || die "usage: $program"
  load_env DROVER_CLUSTER DROVER_NODE_TABLE OS_CLOUD
  # An unreadable table must not read as an empty one: that would delete every node.
  [ -r "$DROVER_NODE_TABLE" ] || die "cannot read $DROVER_NODE_TABLE"
  # Every decision needs Slurm's word: with slurmctld silent, a node that is running a job would
  # look unknown.
  sinfo -h -o %P >/dev/null 2>&1 || {
    log "error: slurmctld does not answer (sinfo failed); nothing deleted"
    exit 1
  }
  work=$(mktemp -d "${TMPDIR:-/tmp}/$program.XXXXXX")
  trap 'rm -rf "$work"' EXIT

  local servers ports node verdict
  local -a candidates doomed=()
  servers=$(nova server list --tags "drover_cluster=$DROVER_CLUSTER" --no-name-lookup -f value -c ID -c Name) || exit 1
  ports=$(os_cli port list --tags "drover_cluster=$DROVER_CLUSTER" --long -f value -c ID -c Name -c "Device Owner") || exit 1
  # Nodes with a server, and nodes whose port is attached to nothing (a resume that failed
  # between the port and the server, or a port whose deletion failed).
  mapfile -t candidates < <(
    {
      awk '{ print $2 }' <<<"$servers"
      awk '$3 == "" && $2 ~ /-port$/ { sub(/-port$/, "", $2); print $2 }' <<<"$ports"
    } | awk 'NF' | sort -u
  )
  for node in "${candidates[@]}"; do
    verdict=$(decide "$node")
    if [[ $verdict == delete* ]]; then
      log "$node: deleting: ${verdict#delete }"
      doomed+=("$node")
    fi
  done
  [ "${#doomed[@]}" -gt 0 ] || return 0
  local IFS=,
  "${DROVER_SUSPEND_PROGRAM:-/usr/local/sbin/drover-slurm-suspend}" "${doomed[*]}"
}

main "$@"
