#!/usr/bin/env bash
# Installs, from Debian 12's own packages, everything sluice needs to build, test and
# run its quickstart. Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  libpq-dev postgresql-15 postgresql-client-15
  libmariadb-dev mariadb-server mariadb-client
  librdkafka-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev zlib1g-dev libzstd-dev librocksdb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy time bc curl procps iproute2
  python3 python3-botocore
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "== dependencies: all installed"
  exit 0
fi

echo "== installing: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# Debian starts freshly installed servers as system services; sluice's scripts and tests
# run their own throwaway servers, so keep the packaged ones from starting at all.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod +x "$policy"
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && "${sudo_cmd[@]}" rm -f "$policy"' EXIT

"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
