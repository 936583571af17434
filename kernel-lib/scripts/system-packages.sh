#!/usr/bin/env bash
# Debian packages labbook uses beyond npm:
# - the standard Jupyter client (nbclient, nbconvert) for the compatibility test that runs a
#   notebook the way Jupyter itself does.
# - postgresql: the team registry's tests run against a real PostgreSQL server (postgres.sh starts it).
# - chromium: the web UI's end-to-end tests and benchmark drive Debian's Chromium with playwright-core
#   (playwright's own browser download cannot reach its CDN here).
# Needs root (apt-get); elsewhere it says what to install and carries on.
set -euo pipefail
PACKAGES=(jupyter-client python3-nbclient python3-nbconvert python3-nbformat python3-ipykernel postgresql chromium)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then missing+=("$package"); fi
done
if [ "${#missing[@]}" = 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "labbook: install the Debian packages ${missing[*]} (postgresql: the team-registry tests; chromium: the web UI tests; the others: the Jupyter compatibility test)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
