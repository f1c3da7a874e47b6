#!/usr/bin/env bash
# drover-slurm-suspend: Slurm's SuspendProgram for drover's elastic nodes. slurmctld runs it (as
# the slurm user) with a hostlist of idle nodes to power down; it deletes each node's server and
# then its port. The ResumeFailProgram and the reconcile timer run it too, to clean up.
#
# A server is found by its exact name among the servers tagged drover_cluster=<cluster>, and
# deleted by ID: a server that merely shares the name is never touched. A missing server or port
# is not an error (the node may never have been created, or is already gone).
#
# Usage: drover-slurm-suspend HOSTLIST
# Exit status: 0 every node's server and port gone (or deleting); 1 some deletion failed (each
# one is logged); 2 usage or configuration error.
#
# Environment (tests override any of these; on the controller they come from the env file):
#   DROVER_SLURM_CLOUD_ENV  the env file (default /etc/drover/slurm-cloud.env)
#   DROVER_LOG              log file (default /var/log/slurm/drover-elastic.log), used if writable
#   DROVER_LOG_NAME         name in the log lines (default drover-slurm-suspend)
#   DROVER_PARALLEL         nodes deleted at the same time (default 4)
#   DROVER_DELETE_WAIT_SECONDS  how long to wait for a server to go before deleting its port
#                           anyway (default 90)
#   DROVER_POLL_SECONDS     pause between checks while waiting (default 3)
#   DROVER_OPENSTACK_TIMEOUT  seconds one `openstack` call may take (default 120)
#   OS_CLOUD, OS_CLIENT_CONFIG_FILE  read by `openstack` (clouds.yaml)
#   DROVER_ELASTIC_LIB      the shared functions (default /usr/local/lib/drover/drover-elastic-lib.sh)
set -euo pipefail

program=${DROVER_LOG_NAME:-drover-slurm-suspend}
# shellcheck source=drover-elastic-lib.sh
. "${DROVER_ELASTIC_LIB:-/usr/local/lib/drover/drover-elastic-lib.sh}"

# IDs of the cluster's servers (all of them: one call answers for every ID we wait on).
cluster_server_ids() {
  nova server list --tags "drover_cluster=$DROVER_CLUSTER" --no-name-lookup -f value -c ID
}

cluster_port_ids() {
  os_cli port list --tags "drover_cluster=$DROVER_CLUSTER" -f value -c ID
}

# Deletes a server or port by ID; one that is already gone counts as deleted.
delete_by_id() {
  local kind=$1 id=$2 listed
  if [ "$kind" = server ]; then
    nova server delete "$id" && return 0
    listed=$(cluster_server_ids) || return 1
  else
    os_cli port delete "$id" && return 0
    listed=$(cluster_port_ids) || return 1
  fi
  if grep -qxF -- "$id" <<<"$listed"; then
    return 1
  fi
  log "$kind $id was already gone"
}

# Waits until none of the given servers is listed any more, up to DROVER_DELETE_WAIT_SECONDS.
wait_gone() {
  local node=$1 deadline listed id
  local -a left
  shift
  deadline=$((SECONDS + ${DROVER_DELETE_WAIT_SECONDS:-90}))
  while :; do
    # A failed listing proves nothing: keep waiting.
    if listed=$(cluster_server_ids); then
      left=()
      for id in "$@"; do
        if grep -qxF -- "$id" <<<"$listed"; then
          left+=("$id")
        fi
      done
      [ "${#left[@]}" -gt 0 ] || return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$node: server(s) ${left[*]:-?} still there after ${DROVER_DELETE_WAIT_SECONDS:-90}s"
      return 1
    fi
    sleep "${DROVER_POLL_SECONDS:-3}"
  done
}

suspend_node() {
  local node=$1 servers ports id rc=0
  local -a server_ids port_ids deleting=()
  servers=$(nova server list --name "^$node\$" --tags "drover_cluster=$DROVER_CLUSTER" --no-name-lookup -f value -c ID -c Name) || return 1
  mapfile -t server_ids < <(awk -v n="$node" '$2 == n { print $1 }' <<<"$servers")
  for id in "${server_ids[@]}"; do
    if delete_by_id server "$id"; then
      log "$node: deleting server $id"
      deleting+=("$id")
    else
      rc=1
    fi
  done
  # A server the cloud refused to delete keeps its port: the node is retried whole.
  if [ "$rc" -ne 0 ]; then
    return "$rc"
  fi
  # Deleting a port still bound to a server that is going away works, but leaves Nova to
  # clean up after it; waiting first keeps the order the cloud expects.
  if [ "${#deleting[@]}" -gt 0 ] && ! wait_gone "$node" "${deleting[@]}"; then
    rc=1
  fi

  ports=$(os_cli port list --name "$node-port" --tags "drover_cluster=$DROVER_CLUSTER" -f value -c ID -c Name) || return 1
  mapfile -t port_ids < <(awk -v n="$node-port" '$2 == n { print $1 }' <<<"$ports")
  for id in "${port_ids[@]}"; do
    if delete_by_id port "$id"; then
      log "$node: deleted port $id"
    else
      rc=1
    fi
  done
  if [ "${#server_ids[@]}" -eq 0 ] && [ "${#port_ids[@]}" -eq 0 ]; then
    log "$node: no server or port to delete"
  fi
  return "$rc"
}

main() {
  [ $# -eq 1 ] || die "usage: $program HOSTLIST"
  load_env DROVER_CLUSTER OS_CLOUD
  local -a nodes
  expand_hostlist "$1"

  work=$(mktemp -d "${TMPDIR:-/tmp}/drover-slurm-suspend.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  log "deleting ${#nodes[@]} node(s): $1"
  for_each_node suspend_node
}

main "$@"
