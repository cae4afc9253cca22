#!/usr/bin/env bash
# Run uv, installing it for this user first if the machine has none.
set -euo pipefail
if command -v uv >/dev/null 2>&1; then exec uv "$@"; fi
if [ -x "$HOME/.local/bin/uv" ]; then exec "$HOME/.local/bin/uv" "$@"; fi
echo "uv not found: installing it with pip (python3 -m pip install --user uv)" >&2
python3 -m pip install --quiet --user uv >&2 || python3 -m pip install --quiet uv >&2
if command -v uv >/dev/null 2>&1; then exec uv "$@"; fi
exec "$HOME/.local/bin/uv" "$@"
