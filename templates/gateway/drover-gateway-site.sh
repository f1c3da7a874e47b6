#!/usr/bin/env bash
# drover-gateway-site <site>: makes one of the gateway's nginx sites the one nginx serves: the
# bootstrap site (plain HTTP, answers Let's Encrypt's challenges) until the certificate exists,
# then the full site. It links the site into sites-enabled, unlinks drover's other site and
# Ubuntu's default site, checks the whole configuration with `nginx -t` and reloads nginx (or
# starts it). When the check fails it puts the links back as they were, so nginx keeps serving
# what it served, and exits 1.
set -euo pipefail

nginx_dir="{{nginxDir}}"
# drover's sites, blank-separated.
sites="{{sites}}"

log() { echo "drover-gateway-site: $*"; }

want=${1:-}
case " $sites " in
  *" $want "*) ;;
  *)
    log "usage: drover-gateway-site <site>, one of: $sites"
    exit 2
    ;;
esac

enabled="$nginx_dir/sites-enabled"
mkdir -p "$enabled"
before=()
for name in $sites default; do
  if [ -L "$enabled/$name" ] || [ -e "$enabled/$name" ]; then
    before+=("$name")
  fi
done

for name in $sites default; do
  if [ "$name" != "$want" ]; then
    rm -f "$enabled/$name"
  fi
done
ln -sfn "$nginx_dir/sites-available/$want" "$enabled/$want"

if ! nginx -t; then
  log "nginx rejects the configuration with site $want: keeping the sites enabled before (${before[*]:-none})"
  rm -f "$enabled/$want"
  for name in "${before[@]}"; do
    ln -sfn "$nginx_dir/sites-available/$name" "$enabled/$name"
  done
  exit 1
fi
systemctl reload-or-restart nginx
log "nginx serves site $want"
