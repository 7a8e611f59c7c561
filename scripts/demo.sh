#!/usr/bin/env bash
# The main job on a freshly started lab: sets up, brings up a simulated
# 3-node kubeadm cluster, runs cis-fix against it, and tears the lab down.
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
trap 'npm run --silent lab -- down --instance "$instance" >/dev/null 2>&1 || true' EXIT

echo "== lab up (3 nodes, scenario drifted)"
state=$(npm run --silent lab -- up --instance "$instance" --nodes 3 --scenario drifted --json)
inventory=$(node -e 'console.log(JSON.parse(process.argv[1]).inventoryFile)' "$state")

run() { echo; echo "\$ cis-fix $*"; node bin/run.js "$@"; }
run inventory check -i "$inventory"

echo
echo "== lab down"
