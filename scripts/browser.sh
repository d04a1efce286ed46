#!/usr/bin/env bash
# Installs Debian's Chromium and a Thai font for the browser tests (Playwright drives
# /usr/bin/chromium; it never downloads a browser of its own). Skips what is already there.
set -uo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi -E "tlwg|loma|garuda|norasi" || need+=(fonts-thai-tlwg-otf)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") \
            >/dev/null 2>&1 || echo "browser: could not install ${need[*]}" >&2
    else
        echo "browser: missing ${need[*]} (install with apt-get as root); browser tests will skip" >&2
    fi
fi
