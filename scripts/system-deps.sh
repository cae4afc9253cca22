#!/usr/bin/env bash
# Install the Debian packages a target needs: with apt when run as root, otherwise print the
# exact command and fail. Usage: system-deps.sh run|test
set -euo pipefail
group="${1:-run}"
need=()
have() { command -v "$1" >/dev/null 2>&1; }

# What `make run` needs: msgfmt to compile translations.
have msgfmt || need+=(gettext)
if [ "$group" = "test" ]; then
  have chromium || [ -x /usr/bin/chromium ] || need+=(chromium)
  have npm || need+=(npm)
  # Chinese glyphs for pages rendered in the browser tests (and, later, PDFs).
  fc-list 2>/dev/null | grep -q "Noto Sans CJK" || need+=(fonts-noto-cjk)
fi

[ "${#need[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && have apt-get; then
  echo "Installing system packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || true
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
else
  echo "Missing system packages: ${need[*]}" >&2
  echo "Install them with:  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
