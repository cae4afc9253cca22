#!/usr/bin/env bash
# Install the Debian packages a target needs: with apt when run as root, otherwise print the
# exact command and fail. Usage: system-deps.sh run|test
set -euo pipefail
group="${1:-run}"
need=()
have() { command -v "$1" >/dev/null 2>&1; }

# ldconfig lives in /sbin, which is not on an ordinary user's PATH on Debian. The greps below read
# all their input (no -q): with pipefail, `grep -q` quitting early would fail the producer (SIGPIPE).
has_lib() { "$(command -v ldconfig || echo /sbin/ldconfig)" -p 2>/dev/null | grep -F "$1" >/dev/null; }

# What `make run` needs: msgfmt to compile translations.
have msgfmt || need+=(gettext)
# Certificate PDFs (weasyprint): Pango >= 1.44 and its FreeType backend, HarfBuzz's subsetter (so
# only the glyphs used are embedded, not the whole CJK font), and Chinese glyphs to draw with.
has_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
has_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
has_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
have fc-list || need+=(fontconfig)
fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
if [ "$group" = "test" ]; then
  have chromium || [ -x /usr/bin/chromium ] || need+=(chromium)
  have npm || need+=(npm)
  # pdftotext / pdftoppm: the PDF tests read the text back and rasterise the page.
  have pdftotext || need+=(poppler-utils)
  # The cluster's fault tests (tests/cluster, ADR 0049): the load balancer and Redis servers of their own.
  have haproxy || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
  have redis-server || need+=(redis-server)
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
