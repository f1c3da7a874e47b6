#!/usr/bin/env bash
# drover-metadata-guard: lets only root reach the instance metadata service (169.254.169.254, and
# fe80::a9fe:a9fe over IPv6). A drover machine's user data may hold secrets (a cluster's munge
# key, a cloud credential, a join token) and the metadata service hands the user data to any
# process that asks, so without this rule every user, job and web app could read them.
#
# cloud-init runs this from bootcmd, inline (at first boot bootcmd runs before write_files could
# install a file), at every boot, in its network stage: systemd orders that stage before
# systemd-user-sessions, sshd and sysinit.target, so no login and no service (slurmd, jobs, apps) runs
# before the rule is in place. cloud-init itself and drover's own services run as root and keep
# their access.
set -euo pipefail

if command -v nft >/dev/null 2>&1; then
  # Declaring the table, deleting it and declaring it again in one file is nft's idiom for
  # "replace": the file is one transaction, so a second run neither doubles the rules nor leaves
  # a moment without them. Packets without a local socket (no owner) never match skuid.
  nft -f - <<'NFT'
table inet drover_metadata
delete table inet drover_metadata
table inet drover_metadata {
  chain output {
    type filter hook output priority 0; policy accept;
    ip daddr 169.254.169.254 meta skuid != 0 counter reject
    ip6 daddr fe80::a9fe:a9fe meta skuid != 0 counter reject
  }
}
NFT
elif command -v iptables >/dev/null 2>&1; then
  # Images without nft: the same rules with iptables, added only when missing.
  rule=(OUTPUT -d 169.254.169.254/32 -m owner ! --uid-owner 0 -j REJECT)
  iptables -C "${rule[@]}" 2>/dev/null || iptables -I "${rule[@]}"
  if command -v ip6tables >/dev/null 2>&1; then
    rule6=(OUTPUT -d fe80::a9fe:a9fe/128 -m owner ! --uid-owner 0 -j REJECT)
    ip6tables -C "${rule6[@]}" 2>/dev/null || ip6tables -I "${rule6[@]}"
  fi
else
  echo "drover-metadata-guard: neither nft nor iptables is installed: the metadata service (and the user data's secrets) stays open to every user" >&2
  exit 1
fi
