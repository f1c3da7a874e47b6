# drover-elastic-lib: what drover's elastic-node programs (drover-slurm-resume, -suspend,
# -reconcile) share: logging, reading the cloud env file, and bounded `openstack` calls. Each
# program sets `program` and sources this file (DROVER_ELASTIC_LIB, default
# /usr/local/lib/drover/drover-elastic-lib.sh); it is not run on its own.
#
# Environment:
#   DROVER_LOG              log file (default /var/log/slurm/drover-elastic.log), used if writable
#   DROVER_SLURM_CLOUD_ENV  the env file (default /etc/drover/slurm-cloud.env)
#   DROVER_OPENSTACK_TIMEOUT  seconds one `openstack` call may take (default 120)

program=${program:-drover-elastic}
log_file=${DROVER_LOG:-/var/log/slurm/drover-elastic.log}
# Scratch directory of the run; programs that call os_cli set it first.
work=${work:-}
# Server tags at create time need compute API microversion 2.52.
compute_api=2.52

log() {
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $program: $*"
  printf '%s\n' "$line" >&2
  # slurmctld throws the program's output away; the log file is what an operator reads.
  { printf '%s\n' "$line" >>"$log_file"; } 2>/dev/null || true
}

die() {
  log "error: $*"
  exit 2
}

# Reads KEY=value lines (no quotes, no spaces) without executing the file, then checks the
# variables named as arguments. A variable already set in the environment wins over the file.
load_env() {
  local file=${DROVER_SLURM_CLOUD_ENV:-/etc/drover/slurm-cloud.env} key value name
  [ -r "$file" ] || die "cannot read $file"
  while IFS='=' read -r key value || [ -n "$key" ]; do
    [[ $key =~ ^(DROVER_[A-Z0-9_]+|OS_CLOUD)$ ]] || continue
    if [ -z "${!key+set}" ]; then
      export "$key=$value"
    fi
  done <"$file"
  for name in "$@"; do
    [ -n "${!name:-}" ] || die "$name is not set (in $file or the environment)"
  done
}

# Runs the openstack CLI; on failure logs its error output (which never holds the credential).
# The CLI waits for ever on a cloud that does not answer; a bounded call fails and is logged.
os_cli() {
  local err rc=0
  err=$(mktemp "$work/err.XXXXXX")
  timeout --kill-after=10 "${DROVER_OPENSTACK_TIMEOUT:-120}" openstack "$@" 2>"$err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    log "openstack $* failed (exit $rc): $(tr -s '\n' ' ' <"$err")"
  fi
  rm -f "$err"
  return "$rc"
}

# The compute API at the microversion that filters and sets tags.
nova() {
  os_cli --os-compute-api-version "$compute_api" "$@"
}

# Fills the array `nodes` with the node names of a Slurm hostlist ("hpc-cpu-[3-5],hpc-gpu-1").
expand_hostlist() {
  local names
  names=$(scontrol show hostnames "$1") || die "cannot expand the hostlist '$1'"
  [ -n "$names" ] || die "the hostlist '$1' names no node"
  mapfile -t nodes <<<"$names"
}

# Runs "FUNCTION NODE" for every node in `nodes`, DROVER_PARALLEL (default 4) at a time: each
# openstack call takes a second or two, and Slurm may ask for dozens of nodes at once. Fails if
# any run failed; every run is waited for.
for_each_node() {
  local fn=$1 node pid status=0
  local -a batch=()
  for node in "${nodes[@]}"; do
    "$fn" "$node" &
    batch+=("$!")
    if [ "${#batch[@]}" -ge "${DROVER_PARALLEL:-4}" ]; then
      for pid in "${batch[@]}"; do wait "$pid" || status=1; done
      batch=()
    fi
  done
  for pid in "${batch[@]}"; do wait "$pid" || status=1; done
  return "$status"
}
