#!/usr/bin/env bash
# drover-nvidia-setup: readies a k3s agent of a drover JupyterHub cluster for GPU pods. cloud-init
# runs it once, at first boot (runcmd), before drover-k3s-install starts k3s:
#   1. checks that the NVIDIA driver answers (`nvidia-smi -L` lists a GPU). It installs no driver:
#      Jetstream2's GPUs are vGPU slices, which need NVIDIA's licensed vGPU guest driver, and that
#      ships only in Jetstream2's Featured images (no public package drives them).
#   2. installs the pinned NVIDIA Container Toolkit from NVIDIA's apt repository. The repository's
#      key is fetched over HTTPS and accepted only when its one primary key has the fingerprint
#      below, the key NVIDIA signs the repository with (apt then checks every list against it).
#      When k3s starts it finds /usr/bin/nvidia-container-runtime and adds the `nvidia` runtime to
#      its containerd configuration; k3s itself makes the `nvidia` RuntimeClass.
#   3. labels the node (a k3s configuration drop-in, read when the agent registers) for NVIDIA's
#      device plugin, which the server installs and which runs on labelled nodes only.
# Without a working driver it changes nothing: the agent joins as a user node without GPUs.
#
# Usage: drover-nvidia-setup        (as root; no arguments)
# Exit status: 0 when the node is labelled and ready for GPU pods; 1 when not (no driver, a failed
#   download or install, an unexpected key), with the reason on stderr (cloud-init's output log).
#   After fixing the cause on an agent that has already joined: run this again, then
#   `systemctl restart k3s-agent`, and on the server `k3s kubectl label node NODE {{label}}`.
# Environment: none read.
set -euo pipefail

# Debian version of the toolkit packages, NVIDIA's repository (Debian-style, one list per
# architecture) and its signing key.
version="{{version}}"
repo="{{repo}}"
key_url="{{keyUrl}}"
fingerprint="{{keyFingerprint}}"
# The node label, and the k3s configuration drop-in that sets it.
label="{{label}}"
dropin="{{dropIn}}"
# The paths NVIDIA's installation guide uses: an image that already has the repository set up
# that way gets the same files back, checked.
keyring=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg
list=/etc/apt/sources.list.d/nvidia-container-toolkit.list

say() { echo "drover-nvidia-setup: $*" >&2; }

if ! gpus=$(nvidia-smi -L 2>&1) || ! grep -q '^GPU ' <<<"$gpus"; then
  say "no working NVIDIA driver (nvidia-smi -L: ${gpus:-no GPU listed}): this agent joins without GPUs; use an image with the NVIDIA driver (Jetstream2: a Featured image) and rebuild it"
  exit 1
fi
echo "drover-nvidia-setup: $gpus"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {
  curl --fail --silent --show-error --location --proto '=https' --connect-timeout 20 \
    --retry 10 --retry-delay 6 --retry-all-errors --output "$2" "$1"
}
# First boot: unattended-upgrades may hold dpkg's lock, and mirrors can fail for a moment.
apt_get() {
  local try
  for try in 1 2 3 4 5; do
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=5 "$@"; then
      return 0
    fi
    say "apt-get $1 failed (try $try of 5)"
    sleep 15
  done
  return 1
}

if ! command -v gpg >/dev/null 2>&1; then
  apt_get update
  apt_get install -y --no-install-recommends gpg
fi

fetch "$key_url" "$tmp/key"
mkdir -m 0700 "$tmp/gnupg"
# The fingerprint of each primary key in the file (none when it holds no key, like an error page).
keys=$({ gpg --homedir "$tmp/gnupg" --batch --show-keys --with-colons "$tmp/key" 2>/dev/null || true; } |
  awk -F: '$1 == "pub" { pub = 1; next } $1 == "fpr" && pub { print $10; pub = 0 }' | tr '\n' ' ')
# Exactly the one primary key: apt would trust every key in the keyring.
if [ "$keys" != "$fingerprint " ]; then
  say "$key_url holds the key(s) ${keys:-none}, not NVIDIA's $fingerprint: nothing installed"
  exit 1
fi
gpg --homedir "$tmp/gnupg" --batch --yes --dearmor --output "$tmp/keyring.gpg" "$tmp/key"
install -m 0644 "$tmp/keyring.gpg" "$keyring"

# Another list naming NVIDIA's repositories (an image's own libnvidia-container.list,
# nvidia-docker.list...) under another key option makes apt refuse all lists ("Conflicting values
# set for option Signed-By"): those are set aside, this list replaces them.
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [ -f "$f" ] && [ "$f" != "$list" ] && grep -q 'nvidia\.github\.io' "$f"; then
    mv "$f" "$f.drover-disabled"
    say "set $f aside (now $f.drover-disabled): $list replaces it"
  fi
done
echo "deb [signed-by=$keyring] $repo/$(dpkg --print-architecture) /" >"$list"

apt_get update
# Exactly the pinned version of all four packages, as NVIDIA's guide pins them, even where the image
# came with another one.
apt_get install -y --no-install-recommends --allow-downgrades \
  "nvidia-container-toolkit=$version" "nvidia-container-toolkit-base=$version" \
  "libnvidia-container-tools=$version" "libnvidia-container1=$version"
if ! [ -x /usr/bin/nvidia-container-runtime ]; then
  say "the toolkit is installed but /usr/bin/nvidia-container-runtime, which k3s looks for, is missing"
  exit 1
fi

mkdir -p "$(dirname "$dropin")"
# node-label+ adds to the labels in config.yaml rather than replacing them.
printf '# drover: set by drover-nvidia-setup once the NVIDIA driver and container toolkit work\nnode-label+:\n  - "%s"\n' "$label" >"$dropin"
echo "drover-nvidia-setup: NVIDIA Container Toolkit $version installed; the node registers as $label"
