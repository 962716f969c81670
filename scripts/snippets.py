#!/usr/bin/env python3
"""Every fenced Python, JavaScript, C and Rust snippet of the README and docs/ runs (or compiles) against the emulator, so that
a snippet that stops working fails CI.

    scripts/snippets.py run [FILE.md ...]     run the Python, JS and C snippets (default: README.md, docs/*.md and the two package READMEs); needs the venv
                                              (make python-dev), the Node addon (make node-dev), the C library
                                              (make c-example) and the emulator binary
    scripts/snippets.py rust                  write core/tests/readme_snippets.rs (each Rust snippet in a function
                                              that `cargo test` compiles)
    scripts/snippets.py rust --check          fail when that file differs from the snippets

A snippet is run as written, with only these done by the harness, so that it reaches the emulator:
- the names a snippet leaves to the reader are defined (TENANT, APP_ID, SECRET, device_ids in Python; tenantId,
  clientId, clientSecret, ids, userAssignedClientId in JS; tenant_id, client_id, secret, ids, count, on_result,
  user_data, o in C; the same in Rust as parameters);
- clients are pointed at the emulator: Python's Client/AsyncClient and JS's Client get the emulator's base and
  authority URLs as defaults, C's ipc_options_new() sets them; the AZURE_* variables name its app;
- the placeholders "device-id", /etc/intune/app.pfx and /etc/intune/app.pem become a real device and the emulator's
  certificate files (PFX_PW its password).
A Python snippet that defines test_* functions is run by pytest (with the wheel's plugin). An HTML comment right
before a fence steers the harness: `<!-- snippet: compile [REASON] -->` only compiles it (C) or checks its syntax (Python,
JS); `<!-- snippet: skip REASON -->` leaves it out; `<!-- snippet: script ID STATUS... -->` scripts the next answers
for a device (ID may be the placeholder device-id) before the snippet runs.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"(?:<!-- snippet: (?P<directive>[^>]*?) -->\n)?```(?P<lang>[a-z]+)\n(?P<code>.*?)```", re.S)
LANGS = {"python": "python", "js": "js", "javascript": "js", "c": "c", "rust": "rust"}
RUST_OUT = ROOT / "core" / "tests" / "readme_snippets.rs"
# What a user reads: the README and the guides.
DEFAULT_PATHS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bindings-python" / "README.md",
                 ROOT / "bindings-node" / "README.md"]


class Snippet:
    def __init__(self, path: Path, line: int, lang: str, code: str, directive: str):
        self.path, self.line, self.lang, self.code, self.directive = path, line, lang, code, directive.strip()

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def snippets(paths) -> list:
    out = []
    for path in paths:
        text = path.read_text()
        for m in FENCE.finditer(text):
            lang = LANGS.get(m.group("lang"))
            if lang:
                line = text.count("\n", 0, m.start("code"))
                out.append(Snippet(path, line, lang, m.group("code"), m.group("directive") or ""))
    return out


# ---- the emulator -------------------------------------------------------------------------------------------------

def start_emulator():
    binary = os.environ.get("EMULATOR_BIN", str(ROOT / "target" / "debug" / "graph-emulator"))
    proc = subprocess.Popen([binary, "--port", "0", "--throttle", "off", "--devices", "600"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    info = json.loads(proc.stdout.readline())
    with urllib.request.urlopen(info["control_url"] + "/devices") as r:
        devices = json.load(r)
    ok = [d["id"] for d in devices if d["platform"] not in ("windows", "macOS")
          and not d.get("offline") and not d.get("noResetToken")]
    info["free"] = ok
    return proc, info


def fresh_devices(info: dict) -> None:
    """Devices no earlier snippet touched: one for "device-id" and ten for the lists."""
    free = info["free"]
    info["harness"] = {"device_id": free[0], "device_ids": free[1:11]}
    del free[:11]


def control(info: dict, what: str, body: dict) -> None:
    req = urllib.request.Request(f"{info['control_url']}/{what}", data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    urllib.request.urlopen(req).read()


def placeholders(code: str, info: dict) -> str:
    device = info["harness"]["device_id"]
    return (code.replace('"device-id"', json.dumps(device)).replace("'device-id'", f"'{device}'")
            .replace("/etc/intune/app.pfx", info["client_certificate_pfx"])
            .replace("/etc/intune/app.pem", info["client_certificate_pem"]))


def environment(info: dict) -> dict:
    shown = {k: v for k, v in info.items() if k != "free"}
    return dict(os.environ, SNIPPET_EMULATOR=json.dumps(shown), AZURE_TENANT_ID=info["tenant_id"],
                AZURE_CLIENT_ID=info["client_id"], AZURE_CLIENT_SECRET=info["client_secret"],
                AZURE_AUTHORITY_HOST=info["authority_url"], PFX_PW=info["client_certificate_password"],
                INTUNE_PASSCODE_STATE_DIR=tempfile.mkdtemp(prefix="snippet-state-"))


# ---- per language --------------------------------------------------------------------------------------------------

PY_PRELUDE = '''\
import json as _json, os as _os
import intune_passcode as _ip
_emu = _json.loads(_os.environ["SNIPPET_EMULATOR"])

def _at(cls):
    def make(*args, **kw):
        kw.setdefault("base_url", _emu["graph_url"])
        kw.setdefault("authority_url", _emu["authority_url"])
        return cls(*args, **kw)
    make.from_environment = lambda **kw: cls.from_environment(**{"base_url": _emu["graph_url"], **kw})
    return make

_ip.Client, _ip.AsyncClient = _at(_ip.Client), _at(_ip.AsyncClient)
from intune_passcode import *  # noqa: F401,F403 - what a reader has imported by the time a later snippet runs
import os
TENANT, APP_ID, SECRET = T, C, _ = _emu["tenant_id"], _emu["client_id"], _emu["client_secret"]
device_ids = _emu["harness"]["device_ids"]
device = _emu["harness"]["device_id"]
client = Client(token=_emu["token"])
'''

JS_PRELUDE = '''\
const info = JSON.parse(process.env.SNIPPET_EMULATOR)
const m = require('intune-passcode')
const Original = m.Client
const defaults = { baseUrl: info.graph_url, authorityUrl: info.authority_url }
m.Client = new Proxy(Original, {
  construct: (target, [options = {}]) => new target({ ...defaults, ...options }),
  get: (target, p) => p === 'fromEnvironment'
    ? (options = {}) => target.fromEnvironment({ baseUrl: info.graph_url, ...options })
    : Reflect.get(target, p),
})
// What a reader has by the time a later snippet runs.
Object.assign(globalThis, {
  tenantId: info.tenant_id, clientId: info.client_id, clientSecret: info.client_secret,
  ids: info.harness.device_ids, userAssignedClientId: info.client_id, Client: m.Client,
  client: new m.Client({ token: info.token }),
})
'''

C_PRELUDE = '''\
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "intune_passcode.h"

static const char *tenant_id, *tenant, *client_id, *secret;
static const char *ids[10];
static size_t count;
static int results;
static void *user_data = &results;
static ipc_options *o;

static void on_result(void *data, size_t index, const ipc_receipt *receipt, const ipc_error *error) {
    (void)index; (void)receipt; (void)error;
    ++*(int *)data;
}

/* The snippet's options point at the emulator: the real function, then its URLs. */
static ipc_options *harness_options_new(void) {
    ipc_options *options = (ipc_options_new)();
    ipc_options_set_base_url(options, getenv("SNIPPET_GRAPH_URL"));
    ipc_options_set_authority_url(options, getenv("SNIPPET_AUTHORITY_URL"));
    return options;
}
#define ipc_options_new() harness_options_new()

int main(void) {
    tenant_id = tenant = getenv("AZURE_TENANT_ID");
    client_id = getenv("AZURE_CLIENT_ID");
    secret = getenv("AZURE_CLIENT_SECRET");
    /*IDS*/
    {
'''


def run_python(s: Snippet, info: dict, work: Path, env: dict) -> None:
    python = str(ROOT / ".venv" / "bin" / "python")
    code = placeholders(s.code, info)
    if s.directive.startswith("compile"):
        compile(code, s.name, "exec")
        return
    if re.search(r"^def test_", code, re.M):
        f = work / "test_snippet.py"
        f.write_text(code)
        out = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(f)], cwd=work,
                             env=env, capture_output=True, text=True)
        if out.returncode != 0 or " passed" not in out.stdout:
            raise AssertionError(out.stdout + out.stderr)
        return
    f = work / "snippet.py"
    f.write_text(PY_PRELUDE + code)
    out = subprocess.run([python, str(f)], cwd=work, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(out.stdout + out.stderr)


def run_js(s: Snippet, info: dict, work: Path, env: dict) -> None:
    # Inside bindings-node, so that 'intune-passcode' resolves to the package itself (its exports, as installed).
    folder = ROOT / "bindings-node" / ".snippets"
    folder.mkdir(exist_ok=True)
    (folder / "prelude.cjs").write_text(JS_PRELUDE)
    code = placeholders(s.code, info)
    # A module when it imports (or requires nothing), else CommonJS (as a reader would run it: no top-level await).
    esm = bool(re.search(r"^import ", code, re.M)) or "require(" not in code
    f = folder / ("snippet.mjs" if esm else "snippet.cjs")
    f.write_text(("import './prelude.cjs'\n" if esm else "require('./prelude.cjs')\n") + code)
    cmd = ["node", "--check", str(f)] if s.directive.startswith("compile") else ["node", str(f)]
    out = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(out.stdout + out.stderr)


def run_c(s: Snippet, info: dict, work: Path, env: dict) -> None:
    prefix = ROOT / "target" / "c-install"
    ids = info["harness"]["device_ids"]
    prelude = C_PRELUDE.replace(
        "    /*IDS*/\n",
        "".join(f'    ids[{i}] = "{d}";\n' for i, d in enumerate(ids)) + f"    count = {len(ids)};\n"
        "    o = ipc_options_new();\n")
    f = work / "snippet.c"
    f.write_text(prelude + placeholders(s.code, info) + "    }\n    return 0;\n}\n")
    exe = work / "snippet"
    flags = ["-std=c11", "-Wall", "-Werror", "-Wno-unused-variable", "-Wno-unused-function",
             f"-I{prefix / 'include'}", str(f), f"-L{prefix / 'lib'}", "-lintune_passcode",
             f"-Wl,-rpath,{prefix / 'lib'}", "-o", str(exe)]
    out = subprocess.run(["cc", *flags], capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    if s.directive.startswith("compile"):
        return
    env = dict(env, SNIPPET_GRAPH_URL=info["graph_url"], SNIPPET_AUTHORITY_URL=info["authority_url"])
    out = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(out.stdout + out.stderr)


def run(paths) -> int:
    todo = [s for s in snippets(paths) if s.lang != "rust"]
    proc, info = start_emulator()
    failed = 0
    try:
        for s in todo:
            if s.directive.startswith("skip"):
                print(f"skip  {s.name} ({s.lang}): {s.directive[4:].strip()}")
                continue
            fresh_devices(info)
            if s.directive.startswith("script "):
                device, *statuses = s.directive.split()[1:]
                device = info["harness"]["device_id"] if device == "device-id" else device
                control(info, "script", {"device_id": device, "responses": [{"status": int(x)} for x in statuses]})
            work = Path(tempfile.mkdtemp(prefix="snippet-"))
            try:
                {"python": run_python, "js": run_js, "c": run_c}[s.lang](s, info, work, environment(info))
                print(f"ok    {s.name} ({s.lang}{', compiled' if s.directive == 'compile' else ''})")
            except Exception as e:  # noqa: BLE001 - every failure is reported with its snippet
                failed += 1
                print(f"FAIL  {s.name} ({s.lang})\n{e}", file=sys.stderr)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        with urllib.request.urlopen(info["control_url"] + "/stats") as r:
            twice = json.load(r)["devices_reset_more_than_once"]
    finally:
        proc.kill()
        shutil.rmtree(ROOT / "bindings-node" / ".snippets", ignore_errors=True)
    print(f"snippets: {len(todo) - failed} of {len(todo)} passed; {twice} devices reset more than once")
    return 1 if failed else 0


# ---- Rust: compiled by cargo test ----------------------------------------------------------------------------------

RUST_HEAD = '''\
//! The Rust snippets of the README and docs/, each in a function that is compiled (not run: they are fragments of a program), so
//! that a snippet that stops compiling fails `cargo test`. Written by `scripts/snippets.py rust`; `make lint` fails
//! when it differs from them. Do not edit by hand.
#![allow(unused, clippy::all)]

use intune_passcode::*;

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

'''


def rust_file(paths) -> str:
    out = [RUST_HEAD]
    n = 0
    for s in snippets(paths):
        if s.lang != "rust" or s.directive.startswith("skip"):
            continue
        n += 1
        # Named by order and section, not line, so that editing prose above a snippet does not change this file.
        above = s.path.read_text().splitlines()[: s.line]
        section = next((x.lstrip("#").strip() for x in reversed(above) if x.startswith("#")), "")
        body = "".join(f"    {line}\n" if line.strip() else "\n" for line in s.code.splitlines())
        out.append(f"/// {s.path.relative_to(ROOT)}, \"{section}\"\n"
                   f"async fn snippet_{n}(tenant_id: &str, client_id: &str, client_secret: &str, "
                   f"device_id: &str, targets: Vec<Target>, tenant: &str, id: String) -> Result {{\n"
                   f"{body}    Ok(())\n}}\n\n")
    out.append("#[test]\nfn the_readme_snippets_compile() {}\n")
    return "".join(out)


def main() -> int:
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    paths = [ROOT / p for p in args[1:] if not p.startswith("--")] or DEFAULT_PATHS
    if args[0] == "run":
        return run(paths)
    if args[0] == "rust":
        # As rustfmt writes it, so that `cargo fmt --check` and this check agree.
        text = subprocess.run(["rustfmt", "--edition", "2024", "--emit", "stdout", "--quiet"],
                              input=rust_file(paths), capture_output=True, text=True, check=True).stdout
        if "--check" in args:
            if not RUST_OUT.exists() or RUST_OUT.read_text() != text:
                print(f"{RUST_OUT.relative_to(ROOT)} differs from the Rust snippets of the README and docs/: run "
                      "scripts/snippets.py rust", file=sys.stderr)
                return 1
            return 0
        RUST_OUT.write_text(text)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
