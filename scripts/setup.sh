#!/usr/bin/env bash
# Installs what cis-fix's build, tests and lab need on a fresh Debian 12 with
# Node 20, as root. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1; }
have sshd || [ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)
have ssh || need_pkgs+=(openssh-client)
have sudo || need_pkgs+=(sudo)
have etcd || need_pkgs+=(etcd-server)
have ip || need_pkgs+=(iproute2)
have openssl || need_pkgs+=(openssl)
have curl || need_pkgs+=(curl)
have ps || need_pkgs+=(procps)
have tini || [ -x /usr/bin/tini ] || need_pkgs+=(tini)
have busybox || need_pkgs+=(busybox)
have gcc || need_pkgs+=(gcc libc6-dev)
# Lint checks the node-side shell scripts; the report and metrics tests use a
# real browser and Prometheus's own checker.
have shellcheck || need_pkgs+=(shellcheck)
have promtool || need_pkgs+=(prometheus)
have chromium || need_pkgs+=(chromium)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${need_pkgs[@]}" >/dev/null 2>&1 || {
    apt-get update -qq
    apt-get install -y -qq "${need_pkgs[@]}"
  }
fi

# Debian's kubectl (kubernetes-client) is the lab API server's fidelity client.
# It is not installed: the package conflicts with other kubectl packages (e.g.
# google-cloud-sdk's /usr/bin/kubectl); the binary is extracted to .tools/.
if [ ! -x .tools/kubectl ]; then
  echo "== extracting Debian's kubectl (kubernetes-client) to .tools/kubectl"
  tmp=$(mktemp -d)
  (cd "$tmp" && { apt-get download kubernetes-client >/dev/null 2>&1 || { apt-get update -qq && apt-get download kubernetes-client; }; })
  dpkg -x "$tmp"/kubernetes-client_*.deb "$tmp/x"
  mkdir -p .tools
  cp "$tmp/x/usr/bin/kubectl" .tools/kubectl
  chmod 0755 .tools/kubectl
  rm -rf "$tmp"
fi

if [ -L node_modules ]; then
  # A git worktree sharing another checkout's install: npm ci here would wipe it for everyone.
  echo "== node_modules is a link to a shared install: not reinstalling it (run npm ci where it lives)"
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
