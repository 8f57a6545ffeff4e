#!/usr/bin/env bash
# One-command test pipeline for the datagrok.platform collection.
#
#   hacking/test.sh              run every step (what `make test` and CI do)
#   hacking/test.sh STEP...      run only these steps, with the setup they need
#   hacking/test.sh emulator     run one emulator in the foreground (`make emulator`)
#
# Steps: emulator-tests units sanity integration reliability molecule lint docs guides changelog
#        build-smoke ee awx galaxy-importer demo benchmark py312
# Setup that every run does first: venv (.venv from requirements-dev.txt, re-used while
# the requirements hash is unchanged), tree (build the collection tarball and install it
# into build/collections, where ansible-test runs), services (private PostgreSQL and three
# emulators; only for steps that need them).
#
# Environment: PYTHON (interpreter for .venv; default: the real python3), PY312 (a real
# Python 3.12, or "none" to skip that step), KEEP_SERVICES_LOG=1 (print service logs).
set -euo pipefail
shopt -s inherit_errexit  # errexit inside $(...) too

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

BUILD="$REPO/build"
VENV="$REPO/.venv"
VENV312="$REPO/.venv-py312"
COLLECTIONS="$BUILD/collections"
TREE="$COLLECTIONS/ansible_collections/datagrok/platform"
COLLECTIONS312="$BUILD/collections-py312"  # a copy of the tree for the integration run on Python 3.12
TREE312="$COLLECTIONS312/ansible_collections/datagrok/platform"
DIST="$BUILD/dist"
RUN_DIR="$BUILD/run"          # emulator state files and request logs of the last run (kept)
PYBIN="$BUILD/pybin"          # symlinks to real interpreters, early on PATH (no pyenv shims)
EMULATOR="${EMULATOR_SCRIPT:-$REPO/tests/emulator/run.py}"  # override only to test this script
HELPERS="$REPO/hacking/helpers.py"
# ansible-test keeps its sanity venvs and the get-pip cache under ~/.ansible/test. Two
# sanity runs sharing that at the same time (other clones, other people's runs on the same
# machine) break each other's venvs. So ansible-test gets a HOME of its own, kept between
# runs and clones (warm sanity), and sanity runs under a lock on it.
AT_HOME="${AT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/datagrok-platform/ansible-test-home}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/pip}"
ALL_STEPS=(emulator-tests units sanity integration reliability molecule lint docs guides changelog build-smoke ee awx galaxy-importer demo benchmark py312)

# ansible-test and friends must never wait for input (CI has no stdin).
exec </dev/null
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

log() { printf '%s\n' "$*"; }
banner() { printf '\n==> %s\n' "$*"; }

# ---------------------------------------------------------------- bookkeeping
SUMMARY=()
PASSED=0
FAILED=0
SKIPPED=0

record() {  # record NAME STATUS SECONDS [NOTE]
    SUMMARY+=("$(printf '%-4s  %-16s %5ss  %s' "$2" "$1" "$3" "${4:-}")")
    case "$2" in
        PASS) PASSED=$((PASSED + 1)) ;;
        FAIL) FAILED=$((FAILED + 1)) ;;
        SKIP) SKIPPED=$((SKIPPED + 1)) ;;
    esac
}

SKIP_RC=77  # a step function exits with this (after saying why) to be recorded as SKIP

# run_step NAME FUNCTION: runs FUNCTION in a subshell with errexit on, records the result.
# (A function called from `if` or `||` would run with errexit silently disabled.)
run_step() {
    local name=$1 fn=$2 start=$SECONDS rc=0 note_file="$RUN_DIR/.note"
    banner "[$name]"
    rm -f "$note_file"
    set +e
    (set -euo pipefail; "$fn")
    rc=$?
    set -e
    local note=""
    [[ -f "$note_file" ]] && note=$(<"$note_file")
    if [[ $rc -eq 0 ]]; then
        record "$name" PASS $((SECONDS - start)) "$note"
    elif [[ $rc -eq $SKIP_RC ]]; then
        record "$name" SKIP $((SECONDS - start)) "$note"
    else
        record "$name" FAIL $((SECONDS - start)) "${note:-exit code $rc}"
    fi
    return 0
}

ansible_test() { HOME="$AT_HOME" ansible-test "$@"; }

note() { printf '%s' "$*" >"$RUN_DIR/.note"; log "$*"; }
skip() { note "$*"; exit "$SKIP_RC"; }

print_summary() {
    banner "Summary"
    local line
    for line in "${SUMMARY[@]}"; do
        log "  $line"
    done
    log "total time: $((SECONDS))s, $SKIPPED skipped"
    log "$PASSED passed, $FAILED failed"
}

# ---------------------------------------------------------------- cleanup
TMP_ROOT=""

stop_pid_file() {  # stop_pid_file FILE: TERM, wait up to 5 s, then KILL
    local pid
    pid=$(<"$1") || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    local f
    for f in "$RUN_DIR"/*.pid; do
        [[ -e "$f" ]] && stop_pid_file "$f"
    done
    # Both clusters (the "down" one may have been started by an integration test).
    if [[ -f "$RUN_DIR/pg-stop-commands" ]]; then
        while IFS= read -r cmd; do
            bash -c "$cmd" >/dev/null 2>&1
        done <"$RUN_DIR/pg-stop-commands"
        rm -f "$RUN_DIR/pg-stop-commands"
    fi
    [[ -n "$TMP_ROOT" && -d "$TMP_ROOT" ]] && rm -rf "$TMP_ROOT"
    exit "$rc"
}

on_signal() {
    log "interrupted"
    exit 130
}

# ---------------------------------------------------------------- interpreters
real_python() {  # print the real executable behind a python command (resolves pyenv shims and venvs: an
    # activated .venv must not become the interpreter that re-creates .venv)
    "$1" -c 'import sys; print(sys._base_executable if sys.prefix != sys.base_prefix else sys.executable)' 2>/dev/null
}

find_py312() {
    if [[ -n "${PY312:-}" ]]; then
        [[ "$PY312" == none ]] || real_python "$PY312"
        return 0
    fi
    local candidate root
    root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    # Newest pyenv 3.12 first, then system ones; never a shim.
    while IFS= read -r candidate; do
        if [[ -x "$candidate" ]] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
            real_python "$candidate"
            return 0
        fi
    done < <(
        # shellcheck disable=SC2012  # names are plain version numbers
        ls -d "$root"/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV
        echo /usr/bin/python3.12
        echo /usr/local/bin/python3.12
    )
    return 0
}

MAIN_PY=$(real_python "${PYTHON:-python3}") || { log "ERROR: no usable python3"; exit 1; }
PYVER=$("$MAIN_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

setup_pybin() {
    rm -rf "$PYBIN"
    mkdir -p "$PYBIN"
    ln -s "$MAIN_PY" "$PYBIN/python$PYVER"
    local py312
    py312=$(find_py312)
    [[ -n "$py312" ]] && ln -sf "$py312" "$PYBIN/python3.12"
    return 0
}

# ---------------------------------------------------------------- setup: venvs
make_venv() {  # make_venv DIR PYTHON REQUIREMENTS: (re)create unless the stamp matches
    local dir=$1 py=$2 req=$3 stamp want
    want=$({ cat "$req"; echo "$py"; "$py" -VV; } | sha256sum | cut -d' ' -f1)
    stamp="$dir/.requirements-stamp"
    if [[ -x "$dir/bin/python" && -f "$stamp" && "$(<"$stamp")" == "$want" ]]; then
        log "re-using $dir (requirements unchanged)"
        return 0
    fi
    log "creating $dir with $py from $req"
    rm -rf "$dir"
    "$py" -m venv "$dir"
    "$dir/bin/python" -m pip install -q -r "$req"
    echo "$want" >"$stamp"
}

step_venv() {
    make_venv "$VENV" "$MAIN_PY" "$REPO/requirements-dev.txt"
    "$VENV/bin/python" -c 'import ansible.release as r; print("ansible-core", r.__version__)'
    # ansible-test's offline pip bootstrap (sanity --venv would download get-pip.py).
    mkdir -p "$AT_HOME"
    HOME="$AT_HOME" "$VENV/bin/python" "$HELPERS" pip-bootstrap
}

# ---------------------------------------------------------------- setup: tree
step_tree() {
    rm -rf "$DIST" "$COLLECTIONS"
    mkdir -p "$DIST"
    ansible-galaxy collection build --force --output-path "$DIST" "$REPO"
    local tarball
    tarball=$(ls "$DIST"/datagrok-platform-*.tar.gz)
    ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ansible-galaxy collection install --offline --force -p "$COLLECTIONS" "$tarball"
    [[ -f "$TREE/MANIFEST.json" ]]
    # ansible-test lists the files to test with git when it finds a .git walking up from
    # the tree: it would find the repo's own .git, in which build/ is ignored, and see no
    # files at all. A throwaway repository at the tree root stops the walk there; its
    # exclude file keeps ansible-test's output and our generated config out of sanity.
    git -c init.defaultBranch=main init -q "$TREE"
    printf '%s\n' /tests/output/ /tests/integration/integration_config.yml __pycache__/ \
        .pytest_cache/ '*.pyc' >"$TREE/.git/info/exclude"
    note "$(basename "$tarball"), $(tar -tzf "$tarball" | wc -l) entries"
}

# ---------------------------------------------------------------- setup: services
# Runs in a subshell: everything the main shell needs goes through files in RUN_DIR
# (*.pid for cleanup, pg-stop-commands, services.env to source, config pairs).

as_pg() {  # run a command as the postgres user when we are root
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_prefix() {  # the same, as a string for a shell command
    if [[ $EUID -eq 0 ]]; then printf 'runuser -u postgres -- '; fi
}

start_postgres() {
    local pg_bin initdb
    # shellcheck disable=SC2012  # version-numbered directories
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)
    if [[ -z "$initdb" ]]; then
        log "NOTE: PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb):"
        log "      integration tests that need a real database will skip (postgres_available: false)"
        echo "postgres_available:=false" >>"$RUN_DIR/config-pairs"
        return 0
    fi
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        log "NOTE: running as root but there is no 'postgres' user to run the server:"
        log "      integration tests that need a real database will skip (postgres_available: false)"
        echo "postgres_available:=false" >>"$RUN_DIR/config-pairs"
        return 0
    fi
    pg_bin=$(dirname "$initdb")
    # The data dirs live in /tmp: the postgres user cannot traverse the repo (e.g. /root/...).
    local pg="$TMP_ROOT/pg" user=postgres db=datagrok_test password port down_port
    password=$("$VENV/bin/python" "$HELPERS" token)
    read -r port down_port < <("$VENV/bin/python" "$HELPERS" free-ports 2)
    mkdir -p "$pg/sock"
    printf '%s\n' "$password" >"$pg/pwfile"
    [[ $EUID -eq 0 ]] && chown -R postgres: "$pg"
    chmod 700 "$pg/sock"
    local opts name dport
    for name in main down; do
        as_pg "$pg_bin/initdb" -D "$pg/$name" -U "$user" --pwfile="$pg/pwfile" \
            -A scram-sha-256 --encoding=UTF8 --locale=C --no-sync >"$pg/$name-initdb.log" 2>&1 \
            || { cat "$pg/$name-initdb.log"; return 1; }
        dport=$port
        [[ $name == down ]] && dport=$down_port
        opts="-c listen_addresses=127.0.0.1 -c port=$dport -c unix_socket_directories=$pg/sock -c fsync=off"
        # Stop command: safe when already stopped (pg_ctl stop alone would fail then).
        printf 'if %s%q -D %q status >/dev/null 2>&1; then %s%q -D %q -m fast -w -t 60 stop; fi\n' \
            "$(pg_prefix)" "$pg_bin/pg_ctl" "$pg/$name" "$(pg_prefix)" "$pg_bin/pg_ctl" "$pg/$name" \
            >"$pg/$name-stop.cmd"
        printf "%s%q -D %q -l %q -w -t 60 -o '%s' start\n" \
            "$(pg_prefix)" "$pg_bin/pg_ctl" "$pg/$name" "$pg/$name.log" "$opts" >"$pg/$name-start.cmd"
        cat "$pg/$name-stop.cmd" >>"$RUN_DIR/pg-stop-commands"
    done
    rm -f "$pg/pwfile"
    bash "$pg/main-start.cmd" >/dev/null || { cat "$pg/main.log"; return 1; }
    PGPASSWORD=$password "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$db"
    log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (db $db);" \
        "second cluster prepared on port $down_port, stopped"
    cat >>"$RUN_DIR/config-pairs" <<EOF
postgres_available:=true
postgres_host=127.0.0.1
postgres_port:=$port
postgres_user=$user
postgres_password=$password
postgres_db=$db
postgres_down_port:=$down_port
postgres_down_start_command=$(<"$pg/down-start.cmd")
postgres_down_stop_command=$(<"$pg/down-stop.cmd")
EOF
    {
        printf 'export DATAGROK_TEST_PG_HOST=127.0.0.1 DATAGROK_TEST_PG_PORT=%q\n' "$port"
        printf 'export DATAGROK_TEST_PG_USER=%q DATAGROK_TEST_PG_PASSWORD=%q DATAGROK_TEST_PG_DB=%q\n' \
            "$user" "$password" "$db"
    } >>"$RUN_DIR/services.env"
}

start_emulator() {  # start_emulator NAME ARGS...: prints the URL
    local name=$1 url
    shift
    # --port 0: the emulator picks a free port and prints its URL (no port race).
    # Unbuffered, or the "listening on" line may sit in a buffer; stdin closed; own log.
    PYTHONUNBUFFERED=1 "$VENV/bin/python" "$EMULATOR" --port 0 \
        --state "$RUN_DIR/$name-state.sqlite" --request-log "$RUN_DIR/$name-requests.log" \
        --admin-key "$ADMIN_KEY" --user-key "$USER_KEY" "$@" \
        >"$RUN_DIR/$name-emulator.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/emulator-$name.pid"
    url=$("$VENV/bin/python" "$HELPERS" wait-emulator "$RUN_DIR/$name-emulator.log" "$!" 30) \
        || { tail -n 30 "$RUN_DIR/$name-emulator.log" >&2; return 1; }
    log "emulator $name: $url (log $RUN_DIR/$name-emulator.log)" >&2
    echo "$url"
}

step_services() {
    : >"$RUN_DIR/config-pairs"
    : >"$RUN_DIR/services.env"
    start_postgres
    if [[ ! -f "$EMULATOR" ]]; then
        log "NOTE: $EMULATOR not found: no emulators started, datagrok_* variables are"
        log "      missing from integration_config.yml (targets that need them will fail)"
        note "no emulator (tests/emulator/run.py missing)"
        return 0
    fi
    start_integration_emulators "" public-code
}

# The three emulators the integration targets use, under one reading of the fidelity ledger
# (tests/emulator/FIDELITY.md); their addresses go to config-pairs for write_integration_config.
start_integration_emulators() {  # start_integration_emulators NAME-PREFIX READING [PAIRS-FILE]
    local prefix=$1 reading=$2 pairs=${3:-$RUN_DIR/config-pairs} main_url masked_url flaky_url
    main_url=$(start_emulator "${prefix}main" --reading "$reading" --credentials-read clear --error-style status)
    masked_url=$(start_emulator "${prefix}masked" --reading "$reading" --credentials-read masked --error-style ok-with-header)
    flaky_url=$(start_emulator "${prefix}flaky" --reading "$reading" --credentials-read clear --fail-rate 0.2)
    { grep -v '^datagrok_' "$RUN_DIR/config-pairs" || true; } >"$pairs.new"
    mv "$pairs.new" "$pairs"
    cat >>"$pairs" <<EOF
datagrok_url=$main_url
datagrok_admin_key=$ADMIN_KEY
datagrok_user_key=$USER_KEY
datagrok_request_log=$RUN_DIR/${prefix}main-requests.log
datagrok_masked_url=$masked_url
datagrok_masked_request_log=$RUN_DIR/${prefix}masked-requests.log
datagrok_flaky_url=$flaky_url
datagrok_flaky_request_log=$RUN_DIR/${prefix}flaky-requests.log
datagrok_emulator_python=$VENV/bin/python
datagrok_emulator_script=$EMULATOR
EOF
}

# ansible-test does not pass environment variables to targets: this file is how they
# learn the URLs, keys and database. Written into the installed tree (gitignored there).
write_integration_config() {  # write_integration_config [TREE] [PAIRS-FILE]
    local pairs=()
    mapfile -t pairs <"${2:-$RUN_DIR/config-pairs}"
    "$VENV/bin/python" "$HELPERS" write-config "${1:-$TREE}/tests/integration/integration_config.yml" "${pairs[@]}"
}

# ---------------------------------------------------------------- test steps
has_files() {  # has_files DIR FIND-ARGS...: true when find prints anything
    local dir=$1
    shift
    [[ -d "$dir" ]] && [[ -n "$(find "$dir" "$@" -print -quit)" ]]
}

step_emulator_tests() {
    has_files tests/emulator -name 'test_*.py' || skip "no tests/emulator/test_*.py yet"
    local rc=0
    python -m pytest tests/emulator -q -p no:cacheprovider || rc=$?
    [[ $rc -eq 5 ]] && skip "pytest collected no tests"
    return "$rc"
}

step_units() {
    cd "$TREE"
    has_files tests/unit -name 'test_*.py' || skip "no tests/unit/**/test_*.py yet"
    ansible_test units --local --python "$PYVER"
}

step_sanity() {
    cd "$TREE"
    # The policy is no ignore entries: say so loudly when some appear.
    local ignores
    ignores=$(cat tests/sanity/ignore-*.txt 2>/dev/null | grep -cv '^\s*\(#\|$\)' || true)
    [[ "$ignores" -eq 0 ]] || log "WARNING: tests/sanity/ignore-*.txt hold $ignores entries"
    mkdir -p "$AT_HOME"
    local lock="$AT_HOME/sanity.lock"
    exec 9>"$lock"
    if ! flock -n 9; then
        log "waiting for another sanity run to release $lock"
        flock 9
    fi
    ansible_test sanity --venv --python "$PYVER"
}

step_integration() {
    cd "$TREE"
    has_files tests/integration/targets -mindepth 1 -maxdepth 1 -type d \
        || skip "no tests/integration/targets/* yet"
    # The run against the other reading (Python 3.12, newest ansible-core) goes on at the same time, in a copy of
    # the tree with emulators of its own: each run keeps about one core busy. The py312 step reports it.
    local alternate_pid="" rc=0
    if [[ -z "${TARGETS:-}" && -n "$(find_py312)" && " ${STEPS[*]} " == *" py312 "* ]]; then
        alternate_integration >"$RUN_DIR/integration-alternate.log" 2>&1 &
        alternate_pid=$!
    fi
    # TARGETS="a b" runs only those targets (for developers; CI runs all).
    # shellcheck disable=SC2086  # a word list on purpose
    ansible_test integration --local --python "$PYVER" ${TARGETS:-} || rc=$?
    if [[ -n "$alternate_pid" ]]; then
        local alternate_rc=0
        wait "$alternate_pid" || alternate_rc=$?
        echo "$alternate_rc" >"$RUN_DIR/integration-alternate.rc"
        note "default reading; the alternate reading ran alongside (py312 step)"
    fi
    return "$rc"
}

prepare_py312() {  # the Python 3.12 venv (newest ansible-core) on PATH; prints nothing on stdout
    make_venv "$VENV312" "$1" "$REPO/requirements-dev-py312.txt" >&2
    export PATH="$VENV312/bin:$PATH" VIRTUAL_ENV="$VENV312"
    HOME="$AT_HOME" "$VENV312/bin/python" "$HELPERS" pip-bootstrap >&2
}

# Every integration target against emulators of the other reading of every switch in the fidelity ledger, so
# that the targets hold under both guesses about the real server; on Python 3.12 and the newest ansible-core.
alternate_integration() {
    (
        set -euo pipefail
        prepare_py312 "$(find_py312)"
        python -c 'import ansible.release as r; print("ansible-core", r.__version__)'
        rm -rf "$COLLECTIONS312"
        cp -a "$COLLECTIONS" "$COLLECTIONS312"
        rm -rf "$TREE312/tests/output"
        start_integration_emulators alternate- alternate "$RUN_DIR/config-pairs-alternate" >/dev/null
        write_integration_config "$TREE312" "$RUN_DIR/config-pairs-alternate"
        cd "$TREE312"
        banner "[py312] ansible-test integration --local --python 3.12, emulators --reading alternate"
        # shellcheck disable=SC2086  # TARGETS: a word list on purpose, as in step_integration
        ansible_test integration --local --python 3.12 ${TARGETS:-}
    )
}

install_vendor_cli() {  # the vendor's CLI (npm datagrok-tools) into build/vendor-cli, re-used while the lock is unchanged
    local dir="$BUILD/vendor-cli" src="$REPO/tests/vendor_cli" want
    command -v npm >/dev/null || { log "npm is needed for the vendor CLI contract test (tests/vendor_cli)"; return 1; }
    want=$({ cat "$src/package.json" "$src/package-lock.json"; node --version; } | sha256sum | cut -d' ' -f1)
    if [[ ! -x "$dir/node_modules/.bin/grok" || ! -f "$dir/.lock-stamp" || "$(<"$dir/.lock-stamp")" != "$want" ]]; then
        rm -rf "$dir" && mkdir -p "$dir"
        cp "$src/package.json" "$src/package-lock.json" "$dir/"
        # The CLI's puppeteer dependency would download a browser; grok s never starts one.
        (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        echo "$want" >"$dir/.lock-stamp"
    fi
    printf '%s\n' "$dir/node_modules/.bin/grok"
}

step_reliability() {
    # Issue 7: faults, a crash mid-converge, concurrent converges, TLS, 401/403, bad input and a
    # secret-leak scan, each against emulators of its own (tests/reliability), on the installed tree;
    # and the vendor's CLI as a second client of the emulator, next to the collection (test_vendor_cli.py).
    local grok
    grok=$(install_vendor_cli)
    DATAGROK_TEST_COLLECTIONS="$COLLECTIONS" DATAGROK_TEST_GROK="$grok" \
        python -m pytest tests/reliability -q -p no:cacheprovider -n 2 --durations=8 --basetemp "$TMP_ROOT/pytest-reliability"
    note "faults, crash, concurrency, TLS, auth, bad input, secret-leak scan"
}

step_molecule() {
    # Each scenario gets a fresh emulator; the role reads DATAGROK_URL / DATAGROK_API_KEY from the
    # environment, as an AWX credential would inject them.
    local scenario url
    cd "$TREE/roles/connections"
    for scenario in default purge; do
        url=$(start_emulator "molecule-$scenario")
        DATAGROK_URL="$url" DATAGROK_API_KEY="$ADMIN_KEY" ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" NO_COLOR=1 \
            molecule test -s "$scenario"
        stop_pid_file "$RUN_DIR/emulator-molecule-$scenario.pid"
    done
    note "scenarios default (converge, idempotence, check mode, verify) and purge"
}

step_lint() {
    # Offline and against the installed tree, or ansible-lint installs the collection
    # into <repo>/.ansible and may try Galaxy. Config: .ansible-lint.
    local color=()
    [[ -t 1 ]] || color=(--nocolor)
    # The example's vault file is linted decrypted, with the demo's vault password.
    ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ANSIBLE_VAULT_PASSWORD_FILE="$REPO/docs/example/demo-vault-password" \
        ansible-lint "${color[@]}" --offline --profile production
}

step_docs() {
    antsibull-docs lint-collection-docs --plugin-docs .
    # docs/reference is generated from the installed tree: regenerate it and compare.
    local fresh="$TMP_ROOT/reference"
    COLLECTIONS="$COLLECTIONS" bash "$REPO/hacking/gen_reference_docs.sh" "$fresh"
    if ! diff -ru docs/reference "$fresh" >"$RUN_DIR/reference.diff"; then
        log "ERROR: docs/reference is out of date: run 'make reference-docs' and commit the result"
        head -n 80 "$RUN_DIR/reference.diff"
        return 1
    fi
    # docs/data-sources.md is generated from the data-source catalogue.
    python "$REPO/hacking/gen_data_sources_doc.py" --check
    check_doc_links
    note "plugin docs lint, docs/reference and docs/data-sources.md up to date ($(find docs/reference -name '*.rst' | wc -l) pages), links resolve"
}

step_guides() {
    # The guides' playbooks, taken from the guides and run as they say against fresh emulators.
    DATAGROK_TEST_COLLECTIONS="$COLLECTIONS" \
        python -m pytest tests/awx/test_guides.py -q -p no:cacheprovider -n 2 --basetemp "$TMP_ROOT/pytest-guides"
    note "getting started, secrets (clear and masked server), bulk and purge, adopting: as the guides say"
}

check_doc_links() {  # every relative link in the Markdown docs points at a file that exists
    local file target broken=0
    while IFS= read -r file; do
        while IFS= read -r target; do
            target=${target%%#*}
            [[ -z "$target" || "$target" == *://* || "$target" == mailto:* ]] && continue
            if [[ ! -e "$(dirname "$file")/$target" ]]; then
                log "ERROR: $file links to $target, which does not exist"
                broken=$((broken + 1))
            fi
        done < <(grep -o '](\([^) ]*\))' "$file" | sed 's/^](\(.*\))$/\1/')
    done < <(find README.md docs -name '*.md' -not -path 'docs/reference/*' | sort)
    [[ $broken -eq 0 ]]
}

step_changelog() {
    antsibull-changelog lint
}

step_build_smoke() {
    local smoke="$TMP_ROOT/smoke" tarball name plugin kind out err count=0
    tarball=$(ls "$DIST"/datagrok-platform-*.tar.gz)
    ANSIBLE_COLLECTIONS_PATH="$smoke" ansible-galaxy collection install --offline -p "$smoke" "$tarball"
    local installed="$smoke/ansible_collections/datagrok/platform"
    # Every module and lookup in the repo must ship, and render with ansible-doc.
    for plugin in plugins/modules/*.py plugins/lookup/*.py; do
        [[ -e "$plugin" ]] || continue
        [[ -f "$installed/$plugin" ]] || { log "ERROR: $plugin is missing from the tarball"; return 1; }
        name=$(basename "$plugin" .py)
        [[ "$name" == __init__ ]] && continue
        kind=module
        [[ "$plugin" == plugins/lookup/* ]] && kind=lookup
        # ansible-doc exits 0 and only warns when a plugin cannot be loaded: check the output.
        out=$(ANSIBLE_COLLECTIONS_PATH="$smoke" ansible-doc -t "$kind" "datagrok.platform.$name" 2>"$smoke/err") \
            || { cat "$smoke/err"; return 1; }
        err=$(<"$smoke/err")
        if [[ -n "$err" || "$out" != *"datagrok.platform.$name"* ]]; then
            log "ERROR: ansible-doc -t $kind datagrok.platform.$name did not render:"
            log "$err"
            return 1
        fi
        log "ansible-doc -t $kind datagrok.platform.$name: $(wc -l <<<"$out") lines"
        count=$((count + 1))
    done
    [[ $count -gt 0 ]] || skip "tarball installs; no plugins to render yet"
    note "$count plugin(s) render"
}

step_ee() {
    # The execution environment, without a container engine: `ansible-builder create` writes the
    # build context from tests/awx/execution-environment.yml and the tarball; the context's own
    # scripts then install the collection offline and introspect its requirements, as the image
    # build would; and those must be exactly what the modules import (tests/awx).
    DATAGROK_TEST_COLLECTIONS="$COLLECTIONS" DATAGROK_TEST_TARBALL="$(ls "$DIST"/datagrok-platform-*.tar.gz)" \
        python -m pytest tests/awx/test_execution_environment.py -q -p no:cacheprovider --basetemp "$TMP_ROOT/pytest-ee"
    note "ansible-builder create: context written; requirements introspected from the tarball match the imports"
}

step_awx() {
    # The example as AWX runs it: ansible-runner jobs against a fresh emulator, the credential
    # injected only as environment variables rendered from extensions/awx (tests/awx).
    DATAGROK_TEST_COLLECTIONS="$COLLECTIONS" \
        python -m pytest tests/awx/test_credential_type.py tests/awx/test_awx_job.py -q -p no:cacheprovider \
        --basetemp "$TMP_ROOT/pytest-awx"
    note "credential type; jobs provision, list, drift report clean and after a hand edit; no secret in stdout or events"
}

step_galaxy_importer() {
    # galaxy-importer, which Galaxy and Automation Hub run on an upload, on the tarball, offline.
    # Its ansible-test stage needs a container engine and stays off (docs/releasing.md).
    local work="$TMP_ROOT/galaxy-importer" tarball warnings
    tarball=$(ls "$DIST"/datagrok-platform-*.tar.gz)
    mkdir -p "$work/home"
    cat >"$work/galaxy-importer.cfg" <<'EOF'
[galaxy-importer]
RUN_ANSIBLE_TEST = False
ANSIBLE_TEST_LOCAL_IMAGE = False
LOCAL_IMAGE_DOCKER = False
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_FLAKE8 = False
CHECK_CHANGELOG = True
CHECK_REQUIRED_TAGS = False
REQUIRE_V1_OR_GREATER = False
EOF
    # A HOME of its own: its ansible-doc and ansible-lint must see the tarball's content, not a
    # collection installed under ~/.ansible. It writes importer_result.json into the cwd.
    (cd "$work" && HOME="$work/home" GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg" \
        python -m galaxy_importer.main "$tarball") | tee "$work/importer.log"
    python - "$work/importer_result.json" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    result = json.load(handle)
contents = {(item["content_type"], item["content_name"]): item for item in result["docs_blob"]["contents"]}
modules = sorted(name for kind, name in contents if kind == "module")
roles = sorted(name for kind, name in contents if kind == "role")
problems = ["module %s: no documentation" % name for name in modules if not (contents["module", name].get("doc_strings") or {}).get("doc")]
problems += ["role %s: no README" % name for name in roles if not contents["role", name].get("readme_html")]
if not modules:
    problems.append("no modules found")
for problem in problems:
    print("ERROR: galaxy-importer result: " + problem)
print("galaxy-importer found modules %s; roles %s" % (", ".join(modules), ", ".join(roles)))
sys.exit(1 if problems else 0)
PY
    warnings=$(grep -c '^WARNING' "$work/importer.log" || true)
    if [[ "$warnings" -gt 0 ]]; then
        log "ERROR: galaxy-importer printed $warnings warning(s); Galaxy shows them on the collection's page"
        return 1
    fi
    note "imports cleanly (ansible-doc, ansible-lint, changelog); its ansible-test stage is off: no container engine"
}

step_py312() {
    local py312
    py312=$(find_py312)
    [[ -n "$py312" ]] || skip "no real Python 3.12 interpreter found"
    prepare_py312 "$py312"
    python -c 'import ansible.release as r; print("ansible-core", r.__version__)'
    local ran="" rc=0
    if has_files "$TREE/tests/unit" -name 'test_*.py'; then
        banner "[py312] ansible-test units --local --python 3.12"
        (cd "$TREE" && ansible_test units --local --python 3.12) || rc=$?
        ran+="units "
    fi
    if has_files "$TREE/tests/integration/targets" -mindepth 1 -maxdepth 1 -type d; then
        local alternate_rc
        if [[ -f "$RUN_DIR/integration-alternate.rc" ]]; then
            # Run alongside the integration step: its output is in the log.
            alternate_rc=$(<"$RUN_DIR/integration-alternate.rc")
            if [[ "$alternate_rc" -eq 0 ]]; then tail -n 12 "$RUN_DIR/integration-alternate.log"; else tail -n 200 "$RUN_DIR/integration-alternate.log"; fi
        else
            alternate_rc=0
            alternate_integration || alternate_rc=$?
        fi
        [[ "$alternate_rc" -eq 0 ]] || rc=1
        ran+="integration (alternate reading) "
    fi
    [[ -n "$ran" ]] || skip "no unit tests or integration targets yet"
    note "ansible-core $(python -c 'import ansible.release as r; print(r.__version__)'): $ran"
    return "$rc"
}

step_demo() {  # the README's "run the example" command, so it cannot rot
    SKIP_SETUP=1 bash "$REPO/hacking/demo.sh" >"$RUN_DIR/demo.log" 2>&1 || { tail -n 40 "$RUN_DIR/demo.log"; return 1; }
    note "$(grep -c 'unchanged' "$RUN_DIR/demo.log") summaries, second run unchanged"
}

step_benchmark() {
    # The benchmark is run by hand (docs/performance.md); CI only proves it still works, at a small N
    # and with every approach, on the installed tree. Its timings here mean nothing.
    python tests/performance/benchmark.py --sizes 2 10 --skip-loop-above 2 --latency-ms 1 \
        --collections-path "$COLLECTIONS" --check-targets >"$RUN_DIR/benchmark.log" 2>&1 \
        || { tail -n 40 "$RUN_DIR/benchmark.log"; return 1; }
    note "$(grep -c '^| ' "$RUN_DIR/benchmark.log") table rows; request-count targets met"
}

# ---------------------------------------------------------------- emulator for developers
run_emulator_foreground() {
    [[ -f "$EMULATOR" ]] || { log "ERROR: $EMULATOR does not exist yet"; exit 1; }
    local port=${DATAGROK_EMULATOR_PORT:-8765}
    local admin=${DATAGROK_API_KEY:-datagrok-dev-admin-key}
    local user=${DATAGROK_USER_KEY:-datagrok-dev-user-key}
    local state=${DATAGROK_EMULATOR_STATE:-$BUILD/emulator/state.sqlite}
    mkdir -p "$(dirname "$state")"
    cat <<EOF

Datagrok API emulator (state kept in $state; delete it to start empty)
  export DATAGROK_URL=http://127.0.0.1:$port
  export DATAGROK_API_KEY=$admin      # admin key
  # non-admin user key: $user
Extra emulator options: make emulator EMULATOR_ARGS='--credentials-read masked'
Stop with Ctrl-C.

EOF
    # shellcheck disable=SC2086  # EMULATOR_ARGS is a word list on purpose
    exec "$VENV/bin/python" "$EMULATOR" --port "$port" --state "$state" \
        --admin-key "$admin" --user-key "$user" ${EMULATOR_ARGS:-}
}

# ---------------------------------------------------------------- main
main() {
    local steps=("$@") step
    [[ ${#steps[@]} -gt 0 ]] || steps=("${ALL_STEPS[@]}")
    [[ "${steps[0]}" == all ]] && steps=("${ALL_STEPS[@]}")
    [[ "${steps[0]}" == none ]] && steps=()  # setup only (make venv)
    STEPS=("${steps[@]+"${steps[@]}"}")  # what this run will do (step_integration asks)

    if [[ "${steps[0]:-}" == emulator ]]; then
        mkdir -p "$BUILD"
        RUN_DIR="$BUILD" step_venv
        run_emulator_foreground
    fi
    for step in "${steps[@]+"${steps[@]}"}"; do
        [[ " ${ALL_STEPS[*]} " == *" $step "* ]] || { log "unknown step: $step (known: ${ALL_STEPS[*]} emulator)"; exit 2; }
    done

    trap cleanup EXIT
    trap on_signal INT TERM
    TMP_ROOT=$(mktemp -d /tmp/datagrok-test.XXXXXX)
    chmod 755 "$TMP_ROOT"
    # Stop what a previous, killed run may have left behind (pid files), then start clean.
    local f
    for f in "$RUN_DIR"/*.pid; do
        [[ -e "$f" ]] && stop_pid_file "$f"
    done
    rm -rf "$RUN_DIR"
    mkdir -p "$RUN_DIR"

    log "repo $REPO, python $MAIN_PY ($PYVER), steps: ${steps[*]:-setup only}"
    setup_pybin
    # Venv first, then the interpreter symlinks, then the rest (pyenv shims last).
    export PATH="$VENV/bin:$PYBIN:$PATH" VIRTUAL_ENV="$VENV"

    run_step venv step_venv
    if [[ $FAILED -gt 0 ]]; then print_summary; exit 1; fi
    run_step tree step_tree
    if [[ $FAILED -gt 0 ]]; then print_summary; exit 1; fi

    local need_services="" services_ok=1
    for step in "${steps[@]+"${steps[@]}"}"; do
        case $step in emulator-tests | integration | reliability | py312) need_services=1 ;; esac
    done
    ADMIN_KEY=$("$VENV/bin/python" "$HELPERS" token)
    USER_KEY=$("$VENV/bin/python" "$HELPERS" token)
    export ADMIN_KEY USER_KEY TMP_ROOT RUN_DIR
    if [[ -n "$need_services" ]]; then
        run_step services step_services
        # shellcheck source=/dev/null
        source "$RUN_DIR/services.env"
        write_integration_config
        [[ "${SUMMARY[-1]}" == PASS* ]] || services_ok=""
    fi

    for step in "${steps[@]+"${steps[@]}"}"; do
        if [[ -z "$services_ok" ]]; then
            case $step in
                emulator-tests | integration | py312)
                    record "$step" SKIP 0 "services failed to start"
                    continue
                    ;;
            esac
        fi
        run_step "$step" "step_${step//-/_}"
    done

    print_summary
    [[ $FAILED -eq 0 ]]
}

main "$@"
