#!/usr/bin/env bash
# npm test runs a real ansible-playbook (test/ansible/playbook.test.ts) and fails without it. This installs
# Debian's ansible-core (no pip) when ansible-playbook is missing; .ci/run calls it before npm test.
set -euo pipefail
command -v ansible-playbook >/dev/null && exit 0
if ((EUID != 0)); then
	echo "ensure-ansible: ansible-playbook is missing and this is not root: run apt-get install -y --no-install-recommends ansible-core" >&2
	exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 ansible-core; } >"$log" 2>&1; then
	sed 's/^/[apt] /' "$log" >&2
	echo "ensure-ansible: installing ansible-core failed" >&2
	exit 1
fi
echo "ensure-ansible: installed $(ansible-playbook --version | head -1)"
