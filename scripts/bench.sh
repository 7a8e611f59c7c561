#!/usr/bin/env bash
# Performance, measured side by side in one run (DESIGN.md §6), never asserted
# in tests: cis-fix `facts` and `plan` over N lab nodes against the floor —
# plain OpenSSH running the same gathering script with one exec per node,
# 32 in parallel, with curve25519 and with OpenSSH's default key exchange.
# With --ansible, also an Ansible play gathering the same facts.
# With --synthetic [N], only planning without SSH (issue 12 §7): a generated
# fleet of N nodes (default: 100, 1,000 and 5,000, each in its own process)
# planned from recorded facts; no lab and no root needed.
#   npm run bench -- [--nodes 50] [--ansible]
#   npm run bench -- --synthetic [N] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=50
ansible=no
synthetic=no
synthetic_args=()
usage="usage: npm run bench -- [--nodes N] [--ansible] | --synthetic [N] [--json]"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --ansible) ansible=yes; shift ;;
    --synthetic)
      synthetic=yes; shift
      if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then synthetic_args+=("$1"); shift; fi ;;
    --json) synthetic_args+=(--json); shift ;;
    *) echo "$usage" >&2; exit 1 ;;
  esac
done
if [ "$synthetic" = yes ]; then
  # Pure planning from recorded facts: tsx runs the TypeScript as is, so no build, no lab, no root.
  [ -x node_modules/.bin/tsx ] || npm ci --no-audit --no-fund
  exec node_modules/.bin/tsx test/bench/synthetic-plan.ts "${synthetic_args[@]}"
fi
# --json is the synthetic bench's alone.
[ "${#synthetic_args[@]}" = 0 ] || { echo "$usage" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (the lab needs namespaces)" >&2; exit 1; }
bash scripts/setup.sh >/dev/null
npm run --silent build
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }; }

instance=bench
CIS_FIX_STATE_DIR=$(mktemp -d)
export CIS_FIX_STATE_DIR
work=$(mktemp -d)
trap 'npm run --silent lab -- down --instance "$instance" >/dev/null 2>&1 || true; rm -rf "$work" "$CIS_FIX_STATE_DIR"' EXIT

echo "== lab up: $nodes nodes"
state=$(npm run --silent lab -- up --instance "$instance" --nodes "$nodes" --recreate --json)
inventory=$(node -e 'console.log(JSON.parse(process.argv[1]).inventoryFile)' "$state")
known=$(node -e 'console.log(JSON.parse(process.argv[1]).knownHostsFile)' "$state")
key=$(node -e 'console.log(JSON.parse(process.argv[1]).identityFile)' "$state")
node -e 'for (const n of JSON.parse(process.argv[1]).nodes) console.log(n.ip)' "$state" > "$work/ips"
node --input-type=module -e "const m = await import('./dist/facts/gather-script.js'); process.stdout.write(m.GATHER_SCRIPT)" > "$work/gather.sh"

seconds() { /usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }; cat "$work/t"; }
openssh() {
  local kex=$1
  xargs -P 32 -I{} sh -c "ssh -q -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$known -i $key ${kex:+-o KexAlgorithms=$kex} ops@{} 'sudo -n /bin/sh -s' < $work/gather.sh > /dev/null" < "$work/ips"
}

run3() { # label, command...: best of 3 wall-clock seconds, and the peak RSS (KiB) of that run
  local label=$1; shift; local best='' rss=''
  for _ in 1 2 3; do
    read -r t m < <(seconds "$@")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  printf '%-44s %6.2f s  %7.1f MB\n' "$label" "$best" "$(awk "BEGIN{print $rss/1024}")"
}

echo "== $nodes nodes, best of 3 (wall clock, peak RSS of the measured process)"
run3 "openssh, curve25519-sha256, 1 exec/node" bash -c "$(declare -f openssh); work=$work known=$known key=$key; openssh curve25519-sha256"
run3 "openssh, default kex, 1 exec/node" bash -c "$(declare -f openssh); work=$work known=$known key=$key; openssh ''"
run3 "cis-fix facts --json" node bin/run.js facts -i "$inventory" --json
run3 "cis-fix plan --json" node bin/run.js plan -i "$inventory" --json
run3 "cis-fix --version (CLI start-up alone)" node bin/run.js --version

if [ "$ansible" = yes ]; then
  command -v ansible-playbook >/dev/null || { apt-get install -y -qq ansible >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq ansible; }; }
  { echo '[lab]'; sed "s/\$/ ansible_user=ops ansible_ssh_private_key_file=$(printf '%s' "$key" | sed 's/[\/&]/\\&/g')/" "$work/ips"; } > "$work/hosts"
  cat > "$work/play.yml" <<PLAY
- hosts: lab
  gather_facts: true
  become: true
  tasks:
    - name: the same gathering script
      ansible.builtin.script: $work/gather.sh
PLAY
  export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_ARGS="-o UserKnownHostsFile=$known" ANSIBLE_FORKS=32
  # One run (it is slow); its time counts even when some hosts fail, and the recap says how many did.
  /usr/bin/time -f '%e %M' -o "$work/t" ansible-playbook -i "$work/hosts" "$work/play.yml" > "$work/ansible.out" 2>&1 || true
  read -r t m < "$work/t"
  failed=$(grep -cE 'unreachable=[1-9]|failed=[1-9]' "$work/ansible.out" || true)
  printf '%-44s %6.2f s  %7.1f MB  (%s of %s hosts failed)\n' "ansible-playbook (gather_facts + script)" "$t" "$(awk "BEGIN{print $m/1024}")" "$failed" "$nodes"
  if [ "$failed" != 0 ]; then grep -m3 -E 'fatal|UNREACHABLE' "$work/ansible.out" | cut -c1-300 >&2; fi
fi
