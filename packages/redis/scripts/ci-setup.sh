#!/usr/bin/env bash
# redis-server for @memgar/redis's integration tests (`pnpm test:int`).
# Run as root on Debian 12 by .ci/run before the integration tests. Idempotent: installs
# redis-server when it is missing and does nothing else on a second run. Leaves no server running:
# each test run starts its own `redis-server` on 127.0.0.1 and a free port, and stops it.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "ci-setup (redis): run as root (apt-get)" >&2
  exit 1
fi

if [ "$(dpkg-query -W -f='${db:Status-Status}' redis-server 2>/dev/null)" = installed ]; then
  echo "ci-setup (redis): redis-server already installed ($(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'))"
  exit 0
fi

# Keep the package's maintainer scripts from starting the system service: a policy-rc.d that
# refuses every start, only while apt runs, and only if the machine has none of its own.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=true
fi
cleanup() { if [ "$own_policy" = true ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server

# If a service manager started it anyway, stop it and keep it from starting at boot.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now redis-server >/dev/null 2>&1 || true
elif command -v service >/dev/null 2>&1; then
  service redis-server stop >/dev/null 2>&1 || true
fi
echo "ci-setup (redis): installed redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')"
