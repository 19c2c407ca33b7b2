#!/usr/bin/env bash
# Installs what the test suite needs and a fresh machine lacks: from Debian's packages Chromium
# (browser tests), the GOST engine for OpenSSL and gost12sum (independent GOST oracles),
# poppler-utils (reading back generated PDFs, rendering their pages) and zbar-tools (decoding the
# QR code of an extract); from npm, the oracles of e2e/package.json (axe-core, run in the browser
# on every page; openid-client, an independent relying party of the OpenID Connect provider;
# oidc-provider, an independent OpenID provider). Skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
npm_missing=
for f in axe-core/axe.min.js openid-client/package.json oidc-provider/package.json; do
  [ -f "e2e/node_modules/$f" ] || npm_missing=1
done
if [ -n "$npm_missing" ]; then
  for attempt in 1 2 3; do
    if npm ci --prefix e2e --no-audit --no-fund --loglevel=error; then break; fi
    echo "npm failed (attempt $attempt), retrying" >&2
    sleep $((attempt * 5))
  done
fi
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v gost12sum >/dev/null 2>&1 || need+=(gostsum)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
ls /usr/lib/*/engines-3/gost.so >/dev/null 2>&1 || need+=(libengine-gost-openssl)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
echo "installing: ${need[*]}" >&2
for attempt in 1 2 3 4 5; do
  if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    exit 0
  fi
  echo "apt failed (attempt $attempt), retrying" >&2
  sleep $((attempt * 5))
done
echo "could not install ${need[*]}" >&2
exit 1
