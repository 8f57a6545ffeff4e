#!/usr/bin/env python3
"""Small helpers for hacking/test.sh (stdlib only, plus PyYAML when present).

Usage:
  helpers.py token                          print a random hex key
  helpers.py free-ports N                   print N distinct free loopback TCP ports
  helpers.py wait-emulator LOG PID TIMEOUT  wait for the emulator's "listening on URL" line
                                            in LOG, then for GET URL/public/v1/healthcheck
                                            to answer 200; print URL
  helpers.py pip-bootstrap                  write ansible-test's offline get-pip stand-in
                                            for the ansible-core of *this* interpreter
  helpers.py write-config PATH K=V K:=JSON  write a YAML mapping (K:=JSON for typed values)
"""

import json
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.request


def cmd_token(_args):
    import secrets

    print(secrets.token_hex(16))


def cmd_free_ports(args):
    # Bind them all at once so the ports are distinct; there is a small race
    # between closing and the server binding, which is acceptable on a CI box.
    count = int(args[0])
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        print(" ".join(str(s.getsockname()[1]) for s in socks))
    finally:
        for sock in socks:
            sock.close()


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still "exists": look at /proc when we can.
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def cmd_wait_emulator(args):
    log, pid, timeout = args[0], int(args[1]), float(args[2])
    deadline = time.monotonic() + timeout
    pattern = re.compile(r"listening on (https?://[^\s]+)")
    url = None
    while time.monotonic() < deadline:
        if os.path.exists(log):
            with open(log, encoding="utf-8", errors="replace") as handle:
                match = pattern.search(handle.read())
            if match:
                url = match.group(1).rstrip("/")
                break
        if not _pid_alive(pid):
            sys.exit("emulator (pid %d) exited before it was ready; see %s" % (pid, log))
        time.sleep(0.1)
    if url is None:
        sys.exit("emulator did not print 'listening on' within %ss; see %s" % (timeout, log))
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/public/v1/healthcheck", timeout=2) as resp:
                if resp.status == 200:
                    print(url)
                    return
                last = "HTTP %s" % resp.status
        except urllib.error.HTTPError as exc:
            last = "HTTP %s" % exc.code
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        if not _pid_alive(pid):
            sys.exit("emulator (pid %d) exited; see %s" % (pid, log))
        time.sleep(0.1)
    sys.exit("healthcheck of %s never answered 200 (last: %s); see %s" % (url, last, log))


# ansible-test runs this file as __main__ (through quiet_pip.py, with GET_PIP set) with
# pip's arguments, e.g. "--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel",
# inside a fresh venv created without pip. The real get-pip.py comes from a host that is
# unreachable here; ensurepip (bundled with CPython) plus PyPI does the same job.
GET_PIP_STUB = '''"""Offline stand-in for get-pip.py, written by hacking/helpers.py."""
import subprocess
import sys

PIP_VERSION = %r
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
packages = [arg for arg in sys.argv[1:] if not arg.startswith("-")] or ["pip==" + PIP_VERSION]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"] + packages)
'''


def cmd_pip_bootstrap(_args):
    import ansible_test  # pylint: disable=import-outside-toplevel

    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    # default_packages = dict(pip='24.2', ...) in get_venv_packages()
    match = re.search(r"default_packages\s*=\s*dict\((.*?)\)", text, re.S)
    match = re.search(r"pip\s*=\s*['\"]([0-9][0-9.]*)['\"]", match.group(1) if match else text)
    if not match:
        sys.exit("cannot find the pip version ansible-test wants in %s" % source)
    version = match.group(1)
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    # A failed download leaves an empty *.download file behind; it is only noise.
    for name in os.listdir(cache):
        path = os.path.join(cache, name)
        if name.startswith("get_pip_") and name.endswith(".download") and os.path.getsize(path) == 0:
            os.remove(path)
    target = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
    content = GET_PIP_STUB % version
    current = None
    if os.path.exists(target):
        with open(target, encoding="utf-8", errors="replace") as handle:
            current = handle.read()
    if current != content:
        # Atomic: another run may be reading it right now.
        with open(target + ".tmp%d" % os.getpid(), "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(handle.name, target)
    print("%s (pip %s)" % (target, version))


def cmd_write_config(args):
    path, pairs = args[0], args[1:]
    data = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        if key.endswith(":"):  # KEY:=JSON
            data[key[:-1]] = json.loads(value)
        else:
            data[key] = value
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("# Written by hacking/test.sh for this run; do not edit or commit.\n")
        try:
            import yaml  # pylint: disable=import-outside-toplevel

            yaml.safe_dump(data, handle, default_flow_style=False, sort_keys=False, width=1000)
        except ImportError:
            # JSON is valid YAML.
            json.dump(data, handle, indent=2)
            handle.write("\n")


COMMANDS = {
    "token": cmd_token,
    "free-ports": cmd_free_ports,
    "wait-emulator": cmd_wait_emulator,
    "pip-bootstrap": cmd_pip_bootstrap,
    "write-config": cmd_write_config,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
