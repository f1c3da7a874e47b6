#!/usr/bin/env bash
# drover-hub-status: how far a drover JupyterHub cluster has come, on its k3s server: each
# Kubernetes node, whether it is Ready and the GPUs it offers pods (once NVIDIA's device plugin runs
# there), each chart k3s installs (its helm-install job), the hub pod, and the address the proxy's
# LoadBalancer service got.
#
# Usage: sudo drover-hub-status [--wait SECONDS]
#   --wait SECONDS  look again every 10 seconds until the hub is ready or SECONDS have passed,
#                   then print the last report
# Exit status: 0 when every node is Ready and the hub pod runs with all its containers ready;
#   1 when something is not (yet); 2 when k3s does not answer (not started yet, or failing:
#   `journalctl -u k3s`); 64 on a usage error.
# Environment: DROVER_KUBECTL, the kubectl command to run (default "k3s kubectl", which reads
#   k3s's admin kubeconfig, readable by root only).
set -euo pipefail

# The chart's namespace, and the HelmChart resources (in kube-system) k3s installs.
namespace="{{namespace}}"
charts="{{charts}}"

read -r -a kubectl <<<"${DROVER_KUBECTL:-k3s kubectl}"

usage() {
  echo "usage: drover-hub-status [--wait SECONDS]" >&2
  exit 64
}

wait_seconds=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wait)
      if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then usage; fi
      wait_seconds=$2
      shift 2
      ;;
    *) usage ;;
  esac
done

k() { "${kubectl[@]}" "$@"; }

# One report on stdout; returns 0 (ready), 1 (not yet) or 2 (k3s does not answer).
report() {
  local nodes name ready purpose gpus total=0 up=0 listing="" state job failed done_ pods hub_ok=no address
  if ! nodes=$(k get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\t"}{.metadata.labels.hub\.jupyter\.org/node-purpose}{"\t"}{.status.allocatable.nvidia\.com/gpu}{"\n"}{end}' 2>&1); then
    echo "k3s does not answer (yet): $nodes"
    echo "  see: systemctl status k3s; journalctl -u k3s"
    return 2
  fi
  while IFS=$'\t' read -r name ready purpose gpus; do
    [ -n "$name" ] || continue
    total=$((total + 1))
    state=NotReady
    if [ "$ready" = True ]; then
      up=$((up + 1))
      state=Ready
    fi
    listing+=$(printf '  %-40s %-9s %s%s' "$name" "$state" "${purpose:--}" "${gpus:+, nvidia.com/gpu: $gpus}")$'\n'
  done <<<"$nodes"
  echo "nodes: $up of $total ready"
  printf '%s' "$listing"
  if [ "$up" -lt "$total" ]; then
    echo "  (a node NotReady for long whose machine is gone: k3s kubectl delete node NAME)"
  fi

  echo "charts:"
  for name in $charts; do
    state="waiting for k3s to create it"
    if job=$(k -n kube-system get helmchart "$name" -o jsonpath='{.status.jobName}{"\t"}{.status.conditions[?(@.type=="Failed")].status}' 2>/dev/null); then
      IFS=$'\t' read -r job failed <<<"$job"
      if [ "$failed" = True ]; then
        state="failed: k3s kubectl -n kube-system logs job/$job"
      elif [ -z "$job" ]; then
        state="queued"
      elif done_=$(k -n kube-system get job "$job" -o jsonpath='{.status.succeeded}' 2>/dev/null) && [ "$done_" = 1 ]; then
        state="installed"
      else
        state="installing: k3s kubectl -n kube-system logs -f job/$job"
      fi
    fi
    printf '  %-40s %s\n' "$name" "$state"
  done

  pods=$(k -n "$namespace" get pods -l component=hub -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\t"}{.status.containerStatuses[*].ready}{"\n"}{end}' 2>/dev/null || true)
  if [ -z "$pods" ]; then
    echo "hub: no pod yet (namespace $namespace)"
  else
    while IFS=$'\t' read -r name state ready; do
      [ -n "$name" ] || continue
      if [ "$state" = Running ] && [ -n "$ready" ] && [[ " $ready " != *" false "* ]]; then
        hub_ok=yes
        echo "hub: $name Running, ready"
      else
        echo "hub: $name ${state:-Pending}, not ready: k3s kubectl -n $namespace describe pod $name"
      fi
    done <<<"$pods"
  fi

  address=$(k -n "$namespace" get service proxy-public -o jsonpath='{.status.loadBalancer.ingress[*].ip}' 2>/dev/null || true)
  echo "proxy-public: ${address:-no address yet}"

  if [ "$total" -gt 0 ] && [ "$up" -eq "$total" ] && [ "$hub_ok" = yes ]; then
    return 0
  fi
  return 1
}

deadline=$((SECONDS + wait_seconds))
while :; do
  status=0
  out=$(report) || status=$?
  if [ "$status" -eq 0 ] || [ "$SECONDS" -ge "$deadline" ]; then
    echo "$out"
    exit "$status"
  fi
  sleep 10
done
