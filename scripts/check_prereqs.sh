#!/usr/bin/env bash
# Stops make at once, naming the missing prerequisite and how to install it.
set -euo pipefail

python_bin="${1:-python3}"
fail() { echo "error: $1" >&2; exit 1; }

command -v "$python_bin" >/dev/null 2>&1 ||
  fail "$python_bin not found. Install Python 3.11 or newer (https://www.python.org/downloads/, or 'apt-get install python3.11 python3.11-venv'), or run make PYTHON=/path/to/python3.11."
"$python_bin" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
  fail "$("$python_bin" --version 2>&1) is too old: Python 3.11 or newer is required. Install it (https://www.python.org/downloads/) or run make PYTHON=/path/to/python3.11."
"$python_bin" -c 'import venv, ensurepip' 2>/dev/null ||
  fail "$python_bin has no venv/ensurepip module. Install it (Debian/Ubuntu: 'apt-get install python3-venv')."
command -v node >/dev/null 2>&1 ||
  fail "node not found. Install Node.js 20 or newer (https://nodejs.org/ or 'apt-get install nodejs')."
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] ||
  fail "Node.js $(node --version) is too old: the CDK CLI needs Node.js 20 or newer (https://nodejs.org/)."
command -v npm >/dev/null 2>&1 ||
  fail "npm not found. Install npm with Node.js (https://nodejs.org/ or 'apt-get install npm')."
if [ "$node_major" -lt 22 ]; then
  echo "note: Node.js $(node --version) is past its end of life; jsii, which runs aws-cdk-lib, supports Node.js 22 and 24. It works; upgrade when you can." >&2
fi
