#!/usr/bin/env bash
# Debian packages the interop suite needs (run as root). tshark's postinst asks
# whether non-root users may capture; answer "no" up front so it stays quiet.
set -euo pipefail
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	libusrsctp-dev tshark
