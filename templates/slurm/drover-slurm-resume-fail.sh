#!/usr/bin/env bash
# drover-slurm-resume-fail: Slurm's ResumeFailProgram for drover's elastic nodes. slurmctld runs
# it (as the slurm user) with the hostlist of nodes that did not register within ResumeTimeout.
# Whatever the failed resume left (a server in ERROR or still booting, a port holding the node's
# address) is deleted exactly as the SuspendProgram deletes it, so the next resume starts clean.
#
# Usage: drover-slurm-resume-fail HOSTLIST
# Exit status: that of the SuspendProgram (0 cleaned up, 1 some deletion failed, 2 usage).
#
# Environment: as drover-slurm-suspend, plus
#   DROVER_SUSPEND_PROGRAM  the SuspendProgram (default /usr/local/sbin/drover-slurm-suspend)
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: drover-slurm-resume-fail HOSTLIST" >&2
  exit 2
fi
# Log lines name this program, so a failed resume is told apart from an idle node's suspend.
export DROVER_LOG_NAME=drover-slurm-resume-fail
exec "${DROVER_SUSPEND_PROGRAM:-/usr/local/sbin/drover-slurm-suspend}" "$1"
