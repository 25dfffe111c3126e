#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what building and testing Cầu needs on Debian 12: missing Debian packages,
# then the npm packages of the browser tests into the tree. Idempotent; prints nothing
# when nothing is missing; uses sudo when not root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build: compiler, meson, libraries (cairo and pango lay out the PDF of minutes in
# DejaVu Sans and draw the video compositor's name tiles; libvpx and libyuv encode, decode
# and scale its video; GStreamer's core and app library mux recordings into WebM). Test: python, WebRTC clients (aiortc, GStreamer's webrtcbin,
# Chromium), namespaces, packet loss (nftables), PostgreSQL's server binaries
# (tests/pg/pg-run.sh starts a private one per test program), and poppler's
# pdftotext/pdffonts, which read the minutes' PDF back. Run: pdf.js (libjs-pdf), which
# the server serves at /vendor/pdfjs/ for the participant client's PDF view.
packages=(
  build-essential meson ninja-build pkg-config clang clang-format libclang-rt-14-dev
  libglib2.0-dev libglib2.0-dev-bin libsoup-3.0-dev libjson-glib-dev libsqlite3-dev
  libargon2-dev libssl-dev libpq-dev libopus-dev libsrtp2-dev libnice-dev openssl
  libvpx-dev libyuv-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base-apps
  python3 python3-pytest python3-websocket python3-aiortc
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-nice python3-gi gir1.2-gst-plugins-bad-1.0
  chromium iproute2 nftables sqlite3 postgresql poppler-utils libjs-pdf
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

# Node.js may come from elsewhere than Debian (its npm then conflicts with Debian's):
# only ask for Debian's when there is no node or npm at all.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >/dev/null
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser tests drive Debian's chromium through playwright-core (no browser download).
browser="$here/tests/browser"
stamp="$browser/node_modules/.cau-lock"
if [ -f "$browser/package-lock.json" ] && ! cmp -s "$browser/package-lock.json" "$stamp" 2>/dev/null; then
  echo "install-deps: npm ci in tests/browser"
  (cd "$browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent --fetch-retries=1 --fetch-timeout=20000 >/dev/null)
  cp "$browser/package-lock.json" "$stamp"
fi
