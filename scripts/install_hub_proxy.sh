#!/usr/bin/env bash
# Install the proxy of `make hub` into hub/proxy/node_modules: npm's
# configurable-http-proxy at the versions of hub/proxy/package-lock.json
# (`npm ci`: exactly the lock file, nothing resolved anew). Needs Node.js 20 or later.
set -euo pipefail

proxy_dir="$(cd "$(dirname "$0")/../hub/proxy" && pwd)"
binary="$proxy_dir/node_modules/.bin/configurable-http-proxy"
stamp="$proxy_dir/node_modules/.package-lock.json"

if [ -x "$binary" ] && [ "$stamp" -nt "$proxy_dir/package-lock.json" ]; then
    exit 0
fi
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "make hub needs Node.js 20 or later (node and npm) for configurable-http-proxy" >&2
    exit 1
fi
npm ci --prefix "$proxy_dir" --no-audit --no-fund --loglevel=error
