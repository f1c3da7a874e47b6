#!/usr/bin/env bash
# drover-k3s-install: installs k3s from its GitHub release and starts it, as the server or as an
# agent of a drover JupyterHub cluster. cloud-init runs it once, at first boot (runcmd), after
# write_files has put the configuration (/etc/rancher/k3s/config.yaml), the join token and, on the
# server, the auto-deploy manifests in place: k3s reads them all when it first starts.
#
# Why not the get.k3s.io script: that script is whatever k3s's channel serves on the day a machine
# boots, and most of it (channels, SELinux RPMs, OpenRC) does not apply here. This one fetches the
# pinned release's binary and the release's own checksum list, over HTTPS from GitHub, and refuses
# a binary whose SHA-256 is not the listed one; the systemd units it starts are drover's own.
#
# Usage: drover-k3s-install        (as root; no arguments)
# Exit status: 0 when k3s is installed and its service started (started, not ready: an agent keeps
#   trying to reach the server in the background, and `drover-hub-status` on the server reports
#   progress); 1 when the download fails or the binary does not match its checksum.
# Environment: none read.
set -euo pipefail

version="{{version}}"
# The systemd unit: k3s (server) or k3s-agent, the names k3s's own documentation uses.
unit="{{unit}}"
bin=/usr/local/bin/k3s
release="https://github.com/k3s-io/k3s/releases/download/${version}"

case "$(uname -m)" in
  x86_64 | amd64) asset=k3s sums=sha256sum-amd64.txt ;;
  aarch64 | arm64) asset=k3s-arm64 sums=sha256sum-arm64.txt ;;
  *)
    echo "drover-k3s-install: k3s has no release for this machine's architecture ($(uname -m))" >&2
    exit 1
    ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A new machine's network can take a moment to work; GitHub can answer 5xx now and then.
fetch() {
  curl --fail --silent --show-error --location --connect-timeout 20 \
    --retry 10 --retry-delay 6 --retry-all-errors --output "$2" "$1"
}

fetch "$release/$sums" "$tmp/sums"
expected=$(awk -v name="$asset" '$2 == name { print $1 }' "$tmp/sums")
if [ -z "$expected" ]; then
  echo "drover-k3s-install: $release/$sums lists no checksum for $asset" >&2
  exit 1
fi

if [ -x "$bin" ] && echo "$expected  $bin" | sha256sum --check --status; then
  echo "drover-k3s-install: k3s $version is already installed"
else
  fetch "$release/$asset" "$tmp/k3s"
  if ! echo "$expected  $tmp/k3s" | sha256sum --check --status; then
    echo "drover-k3s-install: $release/$asset does not match its checksum $expected: not installed" >&2
    exit 1
  fi
  install -m 0755 "$tmp/k3s" "$bin"
  echo "drover-k3s-install: installed k3s $version ($expected)"
fi

# The k3s binary is also kubectl, crictl and ctr, by the name it is called with.
for tool in kubectl crictl ctr; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    ln -s k3s "/usr/local/bin/$tool"
  fi
done

systemctl daemon-reload
# --no-block: a server takes a minute to come up and an agent waits for the server; neither should
# hold up the rest of first boot (cloud-init's final stage, SSH logins waiting on it).
systemctl enable --now --no-block "$unit.service"
