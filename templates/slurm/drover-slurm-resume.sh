#!/usr/bin/env bash
# drover-slurm-resume: Slurm's ResumeProgram for drover's elastic nodes. slurmctld runs it (as the
# slurm user) with a hostlist, e.g. "hpc-cpu-[3-5],hpc-gpu-1", when jobs need nodes that are
# powered down; it creates each node's port (with the node's fixed address from slurm.conf) and
# server on OpenStack through the `openstack` CLI. It does not wait for the servers to boot:
# Slurm waits for slurmd to register, up to ResumeTimeout, and runs ResumeFailProgram if not.
#
# Usage: drover-slurm-resume HOSTLIST
# Exit status: 0 every node created or already there; 1 some node failed (each one is logged);
# 2 usage or configuration error.
#
# Environment (tests override any of these; on the controller they come from the env file):
#   DROVER_SLURM_CLOUD_ENV  the env file (default /etc/drover/slurm-cloud.env), KEY=value lines;
#                           a variable already set in the environment wins over the file
#   DROVER_LOG              log file (default /var/log/slurm/drover-elastic.log), used if writable
#   DROVER_MUNGE_KEY_FILE   the munge key (default /etc/munge/munge.key)
#   DROVER_PARALLEL         nodes created at the same time (default 4)
#   DROVER_OPENSTACK_TIMEOUT  seconds one `openstack` call may take (default 120)
#   OS_CLOUD, OS_CLIENT_CONFIG_FILE  read by `openstack` (clouds.yaml)
#   DROVER_ELASTIC_LIB      the shared functions (default /usr/local/lib/drover/drover-elastic-lib.sh)
set -euo pipefail

program=drover-slurm-resume
# shellcheck source=drover-elastic-lib.sh
. "${DROVER_ELASTIC_LIB:-/usr/local/lib/drover/drover-elastic-lib.sh}"
readonly munge_placeholder="@@DROVER_MUNGE_KEY_B64@@"

# A private copy of the compute user data with the munge key filled in. Bash's own
# substitution treats the key as plain text, so base64's '/' and '+' cannot break it (as they
# would a sed expression), and the key never appears on a command line.
write_user_data() {
  local key_file=${DROVER_MUNGE_KEY_FILE:-/etc/munge/munge.key} key template
  [ -r "$key_file" ] || die "cannot read the munge key $key_file as $(id -un)"
  [ -r "$DROVER_COMPUTE_USER_DATA" ] || die "cannot read $DROVER_COMPUTE_USER_DATA"
  key=$(base64 -w0 <"$key_file")
  template=$(<"$DROVER_COMPUTE_USER_DATA")
  [[ $template == *"$munge_placeholder"* ]] || die "$DROVER_COMPUTE_USER_DATA has no $munge_placeholder to put the munge key in"
  (
    umask 077
    printf '%s\n' "${template//"$munge_placeholder"/"$key"}" >"$work/user-data.yaml"
  )
}

resume_node() {
  local node=$1 row address flavor partition servers existing ports port_id owner server_id
  local -a tags create
  row=$(awk -F'\t' -v n="$node" '$1 == n { print $2 "\t" $3 "\t" $4; found = 1; exit } END { exit !found }' "$DROVER_NODE_TABLE") || {
    log "$node: unknown node, not in $DROVER_NODE_TABLE; skipped"
    return 1
  }
  IFS=$'\t' read -r address flavor partition <<<"$row"
  tags=(--tag "drover_stack=$DROVER_STACK" --tag "drover_cluster=$DROVER_CLUSTER" --tag "drover_elastic=$partition")

  # Slurm may ask again for a node it already asked for; a second server would clash on the address.
  servers=$(nova server list --name "^$node\$" --tags "drover_cluster=$DROVER_CLUSTER" --no-name-lookup -f value -c ID -c Name -c Status) || return 1
  existing=$(awk -v n="$node" '$2 == n { print $1 " (" $3 ")" }' <<<"$servers")
  if [ -n "$existing" ]; then
    log "$node: server already exists: $(tr '\n' ' ' <<<"$existing")"
    return 0
  fi

  # A port left by an attempt that failed after creating it holds the address: use it again.
  ports=$(os_cli port list --name "$node-port" --tags "drover_cluster=$DROVER_CLUSTER" --long -f value -c ID -c "Device Owner") || return 1
  port_id=""
  if [ -n "$ports" ]; then
    read -r port_id owner <<<"$ports"
    if [ -n "${owner:-}" ]; then
      log "$node: port $port_id is attached to a device ($owner) but no server $node exists; leaving it to the reconcile timer"
      return 1
    fi
    log "$node: reusing port $port_id"
  else
    port_id=$(os_cli port create --network "$DROVER_NETWORK_ID" --fixed-ip "subnet=$DROVER_SUBNET_ID,ip-address=$address" \
      --security-group "$DROVER_SECURITY_GROUP_ID" "${tags[@]}" -f value -c id "$node-port") || return 1
  fi

  create=(--flavor "$flavor" --image "$DROVER_IMAGE" --port "$port_id" --user-data "$work/user-data.yaml" "${tags[@]}")
  if [ -n "${DROVER_KEY_NAME:-}" ]; then
    create+=(--key-name "$DROVER_KEY_NAME")
  fi
  server_id=$(nova server create "${create[@]}" -f value -c id "$node") || {
    log "$node: server not created; its port $port_id stays for the next attempt"
    return 1
  }
  log "$node: created server $server_id ($flavor, $address, port $port_id)"
}

main() {
  [ $# -eq 1 ] || die "usage: $program HOSTLIST"
  load_env DROVER_CLUSTER DROVER_STACK DROVER_NETWORK_ID DROVER_SUBNET_ID DROVER_SECURITY_GROUP_ID DROVER_IMAGE DROVER_NODE_TABLE DROVER_COMPUTE_USER_DATA OS_CLOUD
  [ -r "$DROVER_NODE_TABLE" ] || die "cannot read $DROVER_NODE_TABLE"
  local -a nodes
  expand_hostlist "$1"

  work=$(mktemp -d "${TMPDIR:-/tmp}/$program.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  write_user_data
  log "resuming ${#nodes[@]} node(s): $1"
  for_each_node resume_node
}

main "$@"
