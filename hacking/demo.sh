#!/usr/bin/env bash
# `make demo`: provision the example inventory (docs/example) against a fresh Datagrok API
# emulator, run it again to show that nothing changes, list what is on the server, and stop.
#
# To run the same example against a real Datagrok server instead, see docs/example/README.md.
# SKIP_SETUP=1 skips the venv/tree setup (the test pipeline has done it already).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
exec </dev/null

if [[ "${SKIP_SETUP:-}" != 1 ]]; then
    bash hacking/test.sh none
fi
VENV="$REPO/.venv"
WORK=$(mktemp -d /tmp/datagrok-demo.XXXXXX)
EMULATOR_PID=""
stop() {
    if [[ -n "$EMULATOR_PID" ]]; then kill "$EMULATOR_PID" 2>/dev/null || true; wait "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap stop EXIT

KEY=$("$VENV/bin/python" hacking/helpers.py token)
PYTHONUNBUFFERED=1 "$VENV/bin/python" tests/emulator/run.py --port 0 --state "$WORK/state.sqlite" \
    --admin-key "$KEY" --user-key "$("$VENV/bin/python" hacking/helpers.py token)" >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
URL=$("$VENV/bin/python" hacking/helpers.py wait-emulator "$WORK/emulator.log" "$EMULATOR_PID" 30)

# The modules read the server and key from the environment (as an AWX credential injects them).
export DATAGROK_URL="$URL" DATAGROK_API_KEY="$KEY"
export ANSIBLE_COLLECTIONS_PATH="$REPO/build/collections" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
# The example's secrets are vault variables (docs/example/group_vars); the demo's vault password is in the repo.
playbook() { "$VENV/bin/ansible-playbook" -i docs/example/inventory.yml --vault-password-file docs/example/demo-vault-password "$@"; }

printf '\n==> 1. emulator at %s\n' "$URL"
printf '\n==> 2. provision docs/example/inventory.yml\n'
playbook docs/example/site.yml | tee "$WORK/first.txt"
printf '\n==> 3. run again: nothing may change\n'
playbook docs/example/site.yml | tee "$WORK/second.txt"
if ! grep -Eq 'changed=0 +unreachable=0 +failed=0' "$WORK/second.txt"; then
    echo "DEMO FAILED: the second run changed something" >&2
    exit 1
fi
printf '\n==> 4. what is on the server\n'
playbook docs/example/list.yml
printf '\n==> 5. stopping the emulator\n'
