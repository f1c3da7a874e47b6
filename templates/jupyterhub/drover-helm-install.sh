#!/usr/bin/env bash
# drover-helm-install: installs (or upgrades) the zero-to-jupyterhub chart on a managed
# Kubernetes cluster. Terraform runs it on the machine running `drover deploy`, as a
# terraform_data step after the cluster exists, and again whenever the values or the chart
# version change. It needs `helm` (3.8 or later) on PATH; drover checks before deploying.
#
# Usage: drover-helm-install.sh REPO CHART VERSION
# Environment (Terraform fills both; they hold secrets, so they go to private files, never to a
# command line):
#   DROVER_KUBECONFIG     the cluster's kubeconfig text
#   DROVER_VALUES         the chart values (YAML), the OAuth secret or workshop password filled in
#   DROVER_HELM_NAMESPACE namespace (default jhub); DROVER_HELM_RELEASE release (default jupyterhub)
#   DROVER_HELM_TIMEOUT   how long helm waits for the hub to be ready (default 15m)
# Exit status: helm's; 2 for usage.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: drover-helm-install.sh REPO CHART VERSION" >&2
  exit 2
fi
repo=$1 chart=$2 version=$3
for name in DROVER_KUBECONFIG DROVER_VALUES; do
  [ -n "${!name:-}" ] || { echo "drover-helm-install: $name is empty" >&2; exit 2; }
done
command -v helm >/dev/null 2>&1 || { echo "drover-helm-install: helm is not on PATH: install Helm 3 (https://helm.sh/docs/intro/install/)" >&2; exit 2; }

# Everything written from here holds secrets: this user's alone.
umask 077
work=$(mktemp -d "${TMPDIR:-/tmp}/drover-helm.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '%s\n' "$DROVER_KUBECONFIG" >"$work/kubeconfig"
printf '%s\n' "$DROVER_VALUES" >"$work/values.yaml"

echo "drover-helm-install: installing $chart $version into namespace ${DROVER_HELM_NAMESPACE:-jhub}"
# Not exec: the trap must remove the private files when helm ends.
status=0
helm upgrade --install "${DROVER_HELM_RELEASE:-jupyterhub}" "$chart" \
  --repo "$repo" --version "$version" \
  --kubeconfig "$work/kubeconfig" \
  --namespace "${DROVER_HELM_NAMESPACE:-jhub}" --create-namespace \
  --values "$work/values.yaml" \
  --wait --timeout "${DROVER_HELM_TIMEOUT:-15m}" || status=$?
exit "$status"
