#!/usr/bin/env bash
# The Python SDK's tests: install sdk/python into .venv-sdk/ (Debian's python3 with its system packages,
# where python3-httpx and python3-pytest live; no PyPI) and run pytest against the compiled server.
# The server must be built (npm run build): `npm run test:python` builds first, and `npm test` (whose
# posttest this is) has built before its Jest run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${SDK_PYTHON:-/usr/bin/python3}
VENV=.venv-sdk
if ! "$PYTHON" -c 'import httpx, pytest' 2>/dev/null; then
  echo "$PYTHON lacks httpx or pytest: sudo apt-get install -y python3-httpx python3-pytest python3-venv" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv --system-site-packages "$VENV"
fi
"$VENV/bin/pip" install --quiet --no-build-isolation --no-index --force-reinstall --no-deps ./sdk/python
rm -rf sdk/python/build sdk/python/*.egg-info
# From the repository root, so `import studio` finds the installed package, not the source folder.
exec "$VENV/bin/python" -m pytest -p no:cacheprovider sdk/python/tests "$@"
