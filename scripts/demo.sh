#!/usr/bin/env bash
# The main job on a freshly started lab: set up, bring up a simulated 3-node
# kubeadm cluster with drift (scenario "drifted"), then
#   cis-fix inventory check, plan, apply --yes, plan again (empty),
# and tear the lab down. State (journals) goes to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "The lab builds network namespaces and runs sshd: run the demo as root." >&2
  exit 1
fi

bash scripts/setup.sh
npm run --silent build

instance=demo
export CIS_FIX_STATE_DIR="${CIS_FIX_STATE_DIR:-$(mktemp -d)}"
trap 'echo; echo "== lab down"; npm run --silent lab -- down --instance "$instance" || true' EXIT

echo "== lab up: 3 simulated kubeadm nodes, scenario drifted"
state=$(npm run --silent lab -- up --instance "$instance" --nodes 3 --scenario drifted --recreate --json)
# The inventory with cluster.kubeconfig: the plan covers the nodes over SSH and the cluster through the lab API server.
inventory=$(node -e 'console.log(JSON.parse(process.argv[1]).apiInventoryFile)' "$state")

run() { echo; echo "\$ cis-fix $*"; node bin/run.js "$@"; }
run inventory check -i "$inventory"
run plan -i "$inventory"
run apply -i "$inventory" --yes
run plan -i "$inventory" --detailed-exitcode
echo
echo "The re-plan has no changes (exit 0 with --detailed-exitcode). Journals: $CIS_FIX_STATE_DIR"
