#!/usr/bin/env bash
# drover-gateway-tls: gets the gateway's Let's Encrypt certificate, then switches nginx from the
# bootstrap site to the full site (drover-gateway-site). drover-gateway-tls.service runs it: at
# first boot (cloud-init starts it), then from drover-gateway-tls.timer an hour after each
# failed run, until it succeeds; then it turns the timer off. Renewals are certbot's own
# (certbot.timer), with a deploy hook that reloads nginx.
#
# The DNS record is made with the machine and may take minutes to be seen, so it first waits
# for the name to resolve (which costs nothing), then asks Let's Encrypt (webroot: the bootstrap
# site serves the challenge files) up to four times with growing waits. Let's Encrypt refuses a
# name after five failed validations in an hour; four tries a run, an hour apart, stay below.
# Until a try succeeds nginx keeps the bootstrap site.
set -euo pipefail

fqdn="{{fqdn}}"
email="{{email}}"
webroot="{{webroot}}"
certificate="{{certificate}}"
site="{{site}}"
site_program="{{siteProgram}}"
timer="{{timer}}"
# Seconds to wait for the name to resolve, and between Let's Encrypt tries.
dns_wait="{{dnsWaitSeconds}}"
retry_delays="{{retryDelays}}"

log() { echo "drover-gateway-tls: $*"; }

finish() {
  "$site_program" "$site"
  # Nothing left to retry; certbot.timer renews from now on.
  systemctl disable --now "$timer" || log "could not turn off $timer; it only runs this again"
  log "https://$fqdn is served with its certificate"
}

if [ -s "$certificate" ]; then
  log "the certificate for $fqdn is there already"
  finish
  exit 0
fi

waited=0
until addresses=$(getent ahosts "$fqdn"); do
  if [ "$waited" -ge "$dns_wait" ]; then
    log "$fqdn does not resolve after ${waited}s: check its DNS record; $timer tries again in an hour (journalctl -u drover-gateway-tls)"
    exit 1
  fi
  if [ $((waited % 60)) -eq 0 ]; then
    log "waiting for $fqdn to resolve (${waited}s)"
  fi
  sleep 10
  waited=$((waited + 10))
done
log "$fqdn resolves to $(awk '{ print $1 }' <<<"$addresses" | sort -u | paste -sd ' ')"

mkdir -p "$webroot"
attempt=1
for delay in $retry_delays last; do
  log "asking Let's Encrypt for a certificate for $fqdn (try $attempt)"
  if certbot certonly --non-interactive --agree-tos --no-eff-email --email "$email" \
    --webroot --webroot-path "$webroot" --cert-name "$fqdn" --domain "$fqdn" --keep-until-expiring; then
    finish
    exit 0
  fi
  if [ "$delay" = last ]; then
    break
  fi
  log "try $attempt failed (certbot says why above: often the name does not point at this machine yet, or port 80 is closed); next try in ${delay}s"
  sleep "$delay"
  attempt=$((attempt + 1))
done
log "no certificate after $attempt tries: nginx keeps the bootstrap site (HTTP only); $timer tries again in an hour"
exit 1
