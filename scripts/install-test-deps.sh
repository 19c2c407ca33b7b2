#!/usr/bin/env bash
# Installs, from Debian's packages, what the test suite needs and a fresh machine lacks:
# Chromium (browser tests), the GOST engine for OpenSSL and gost12sum (independent GOST oracles),
# poppler-utils (reading back generated PDFs). Skips apt when everything is there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v gost12sum >/dev/null 2>&1 || need+=(gostsum)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
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
