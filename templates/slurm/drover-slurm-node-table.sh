#!/usr/bin/env bash
# drover-slurm-node-table: writes the elastic nodes' table ResumeProgram looks nodes up in (name,
# address, flavor, partition; one line per node, tab-separated) from its source in the user data,
# the same as hostlists (names, addresses, flavor, partition; one line per run of nodes). A
# thousand-line table would not fit in the user data; a few hostlist lines do, and scontrol
# expands them exactly as slurmctld does. Run at first boot, before slurmctld; idempotent.
set -euo pipefail

source_file="{{source}}"
table="{{table}}"

new=$(mktemp "$table.XXXXXX")
trap 'rm -f "$new"' EXIT
while IFS=$'\t' read -r names addrs flavor partition; do
  # Names and addresses expand to lists of the same length, matched by position.
  paste <(scontrol show hostnames "$names") <(scontrol show hostnames "$addrs") |
    awk -v flavor="$flavor" -v partition="$partition" 'BEGIN { OFS = "\t" } { print $1, $2, flavor, partition }'
done <"$source_file" >"$new"
chmod 0644 "$new"
mv "$new" "$table"
