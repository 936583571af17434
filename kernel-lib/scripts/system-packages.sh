#!/usr/bin/env bash
# Debian packages labbook's tests need beyond npm: the standard Jupyter client (nbclient,
# nbconvert) for the compatibility test that runs a notebook the way Jupyter itself does.
# Needs root (apt-get); elsewhere it says what to install and carries on.
set -euo pipefail
PACKAGES=(jupyter-client python3-nbclient python3-nbconvert python3-nbformat python3-ipykernel)
if /usr/bin/python3 -c 'import nbclient, nbconvert, nbformat, jupyter_client' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "labbook: install the Debian packages ${PACKAGES[*]} (or nbclient/nbconvert with pip) for the Jupyter compatibility test" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
