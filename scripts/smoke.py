#!/usr/bin/env python3
"""Reset devices through installed front doors, on an emulator of its own, and check that each was reset once.
The release workflow runs it on each runner after a build; `make dist-check` runs it after installing dist/ offline.

    python scripts/smoke.py PYTHON CONSOLE_SCRIPT     an installed wheel: the library, then the console script
    python scripts/smoke.py --node [PROJECT]          the addon: require, import, then the bin; from an npm project
                                                      that installed `intune-passcode` (default: bindings-node itself)
    python scripts/smoke.py --c DIR                   a C archive in DIR: a CMake consumer, static and shared (on
                                                      Linux, also: the static programs do not load the .so)
"""

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = ".exe" if os.name == "nt" else ""


def start_emulator() -> "tuple[subprocess.Popen[str], dict]":
    binary = os.environ.get("EMULATOR_BIN", str(ROOT / "target" / "debug" / f"graph-emulator{EXE}"))
    proc = subprocess.Popen([binary, "--port", "0", "--throttle", "off", "--devices", "100"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    return proc, info


def devices(info: dict) -> "list[str]":
    with urllib.request.urlopen(info["authority_url"] + "/_emulator/devices") as r:
        return [d["id"] for d in json.load(r) if d["platform"] not in ("windows", "macOS")]


def run(cmd: "list[str]", **kw) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def cli_env(info: dict) -> "dict[str, str]":
    """The command line's credential from AZURE_* variables, and a state folder of its own."""
    return dict(os.environ, AZURE_TENANT_ID=info["tenant_id"], AZURE_CLIENT_ID=info["client_id"],
                AZURE_CLIENT_SECRET=info["client_secret"], AZURE_AUTHORITY_HOST=info["authority_url"],
                INTUNE_PASSCODE_STATE_DIR=tempfile.mkdtemp())


def python_wheel(info: dict, ids: "list[str]", python: str, script: str) -> int:
    code = ("import sys; from intune_passcode import Client; "
            "r = Client(token=sys.argv[1], base_url=sys.argv[2]).reset_passcode(sys.argv[3]); "
            "assert r.status == 204; print('python: status', r.status, 'request-id', r.request_id)")
    run([python, "-c", code, info["token"], info["graph_url"], ids[0]])
    run([script, "reset", ids[1], "--base-url", info["graph_url"], "--no-progress"], env=cli_env(info))
    return 2


def node_addon(info: dict, ids: "list[str]", project: "str | None") -> int:
    if project is None:
        cwd, spec = ROOT, str(ROOT / "bindings-node" / "intune-passcode.js")
        cli = [str(ROOT / "bindings-node" / "bin" / "intune-passcode.js")]
    else:
        cwd, spec = Path(project), "intune-passcode"
        cli = [str(Path(project) / "node_modules" / ".bin" / f"intune-passcode{'.cmd' if os.name == 'nt' else ''}")]
    code = ("const { Client } = require(process.argv[1]);"
            "new Client({ token: process.argv[2], baseUrl: process.argv[3] }).resetPasscode(process.argv[4])"
            ".then((r) => console.log('node require: status', r.status))")
    run(["node", "-e", code, spec, info["token"], info["graph_url"], ids[0]], cwd=cwd)
    code = ("const spec = require('path').isAbsolute(process.argv[1]) ?"
            " require('url').pathToFileURL(process.argv[1]).href : process.argv[1];"
            "import(spec).then(({ Client }) => new Client({ token: process.argv[2], baseUrl: process.argv[3] })"
            ".resetPasscode(process.argv[4])).then((r) => console.log('node import: status', r.status))")
    run(["node", "-e", code, spec, info["token"], info["graph_url"], ids[1]], cwd=cwd)
    if project is None:
        cli = ["node"] + cli
    run(cli + ["reset", ids[2], "--base-url", info["graph_url"], "--no-progress"], env=cli_env(info))
    return 3


def c_archive(info: dict, ids: "list[str]", folder: str) -> int:
    archive = next(p for p in Path(folder).iterdir() if p.name.endswith((".tar.gz", ".zip")))
    work = Path(tempfile.mkdtemp())
    if archive.name.endswith(".zip"):
        zipfile.ZipFile(archive).extractall(work)
    else:
        tarfile.open(archive).extractall(work)
    prefix = next(work.iterdir())
    build = work / "build"
    run(["cmake", "-S", str(ROOT / "tests" / "dist"), "-B", str(build), f"-DCMAKE_PREFIX_PATH={prefix}",
         "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", str(build), "--config", "Release"])
    env = dict(os.environ)
    if os.name == "nt":
        env["PATH"] = str(prefix / "bin") + os.pathsep + env["PATH"]
    for i, exe in enumerate(["c_static", "c_shared", "cpp_static", "cpp_shared"]):
        path = next(p for p in [build / "Release" / f"{exe}{EXE}", build / f"{exe}{EXE}"] if p.exists())
        run([str(path), info["graph_url"], info["token"], ids[i]], env=env)
        if sys.platform.startswith("linux"):
            # A static program must not need the .so; a shared one must.
            linked = subprocess.run(["ldd", str(path)], capture_output=True, text=True).stdout
            if ("libintune_passcode.so" in linked) != exe.endswith("_shared"):
                sys.exit(f"smoke: {exe} {'does not load' if exe.endswith('_shared') else 'loads'} the .so")
    return 4


def main() -> None:
    proc, info = start_emulator()
    try:
        ids = devices(info)
        if sys.argv[1] == "--node":
            sent = node_addon(info, ids, sys.argv[2] if len(sys.argv) > 2 else None)
        elif sys.argv[1] == "--c":
            sent = c_archive(info, ids, sys.argv[2])
        else:
            sent = python_wheel(info, ids, sys.argv[1], sys.argv[2])
        with urllib.request.urlopen(info["authority_url"] + "/_emulator/stats") as r:
            stats = json.load(r)
        if (stats["executed"], stats["devices_reset_more_than_once"]) != (sent, 0):
            sys.exit(f"smoke: the emulator executed {stats['executed']} resets "
                     f"({stats['devices_reset_more_than_once']} devices more than once), expected {sent}, each once")
        print(f"smoke: {sent} devices reset, one each")
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
