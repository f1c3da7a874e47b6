#!/bin/sh
# drover: certbot runs this after it renews the gateway's certificate (certbot.timer, from
# Ubuntu's certbot package, tries twice a day and renews within 30 days of expiry). nginx reads
# certificates only when it loads its configuration.
set -eu
systemctl reload nginx
