#!/usr/bin/env python3
"""The release workflow's smoke test on each runner: start the emulator built on that runner, then reset a device
through what the job just built.

    python scripts/smoke.py PYTHON CONSOLE_SCRIPT     an installed wheel: the library, then the console script
    python scripts/smoke.py --node                    bindings-node's addon: require, then the bin
    python scripts/smoke.py --c DIR                   a C archive in DIR: a CMake consumer, static and shared
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


def python_wheel(info: dict, ids: "list[str]", python: str, script: str) -> None:
    code = ("import sys; from intune_passcode import Client; "
            "r = Client(token=sys.argv[1], base_url=sys.argv[2]).reset_passcode(sys.argv[3]); "
            "assert r.status == 204; print('python: status', r.status)")
    run([python, "-c", code, info["token"], info["graph_url"], ids[0]])
    env = dict(os.environ, AZURE_TENANT_ID=info["tenant_id"], AZURE_CLIENT_ID=info["client_id"],
               AZURE_CLIENT_SECRET=info["client_secret"], AZURE_AUTHORITY_HOST=info["authority_url"],
               INTUNE_PASSCODE_STATE_DIR=tempfile.mkdtemp())
    run([script, "reset", ids[1], "--base-url", info["graph_url"], "--no-progress"], env=env)


def node_addon(info: dict, ids: "list[str]") -> None:
    code = ("const { Client } = require(process.argv[1]);"
            "new Client({ token: process.argv[2], baseUrl: process.argv[3] }).resetPasscode(process.argv[4])"
            ".then((r) => console.log('node: status', r.status))")
    run(["node", "-e", code, str(ROOT / "bindings-node" / "intune-passcode.js"), info["token"],
         info["graph_url"], ids[0]])
    env = dict(os.environ, AZURE_TENANT_ID=info["tenant_id"], AZURE_CLIENT_ID=info["client_id"],
               AZURE_CLIENT_SECRET=info["client_secret"], AZURE_AUTHORITY_HOST=info["authority_url"],
               INTUNE_PASSCODE_STATE_DIR=tempfile.mkdtemp())
    run(["node", str(ROOT / "bindings-node" / "bin" / "intune-passcode.js"), "reset", ids[1],
         "--base-url", info["graph_url"], "--no-progress"], env=env)


def c_archive(info: dict, ids: "list[str]", folder: str) -> None:
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


def main() -> None:
    proc, info = start_emulator()
    try:
        ids = devices(info)
        if sys.argv[1] == "--node":
            node_addon(info, ids)
        elif sys.argv[1] == "--c":
            c_archive(info, ids, sys.argv[2])
        else:
            python_wheel(info, ids, sys.argv[1], sys.argv[2])
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
