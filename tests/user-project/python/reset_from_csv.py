"""Reset the passcode of every device listed in a CSV: the Intune portal's device export (a `Device ID` column, and
optionally `OS`), or any CSV with those headers.

    python reset_from_csv.py devices.csv [--journal FILE] [--graph-url URL]

Credentials come from the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or
AZURE_CLIENT_CERTIFICATE_PATH, or a managed or workload identity). The run is journaled: run the same line again
after a crash, a Ctrl-C or a failure, and no device is reset twice. Exit code: 0 all ok, 1 some failed, 3 some
unconfirmed (sent, no verdict: never resend those blindly).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from typing import Callable, Dict, List, Tuple

from intune_passcode import Client


def read_devices(csv_path: "str | os.PathLike[str]") -> List[Tuple[str, str]]:
    """(device ID, OS) for each row, in file order, each device once; OS is "" when the column is absent."""
    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "Device ID" not in reader.fieldnames:
            raise ValueError(f"{csv_path}: no 'Device ID' column (found: {reader.fieldnames})")
        seen: Dict[str, str] = {}
        for row in reader:
            device = (row.get("Device ID") or "").strip()
            if device and device not in seen:
                seen[device] = (row.get("OS") or "").strip()
    return list(seen.items())


def run(
    csv_path: "str | os.PathLike[str]",
    client: Client,
    journal: "str | os.PathLike[str]",
    *,
    verify_unknown: "float | None" = 60.0,
    out: Callable[[str], None] = print,
) -> Dict[str, int]:
    """Reset every device of the CSV, one line per device to `out`; returns {"ok", "unknown", "failed"} counts.

    `journal` keeps the job: running again with the same file reports what is done from it, retries only what Graph
    said was not executed, and never resends a device whose outcome is unknown. `verify_unknown`: seconds to look
    for the device's record of a reset whose answer was lost, before calling it unknown.
    """
    devices = read_devices(csv_path)
    os_of = dict(devices)
    summary = {"ok": 0, "unknown": 0, "failed": 0}
    items = client.reset_passcodes([d for d, _ in devices], journal=os.fspath(journal), verify_unknown=verify_unknown)
    for item in items:
        label = f"{item.device_id} ({os_of.get(item.device_id) or 'OS ?'})"
        again = " [from the journal]" if item.from_journal else ""
        if item.ok:
            summary["ok"] += 1
            out(f"ok       {label} request-id {item.receipt.request_id}{again}")
        elif item.error.code == "OUTCOME_UNKNOWN":
            summary["unknown"] += 1
            out(f"unknown  {label} sent, no verdict: do not resend; check the device in the portal{again}")
        else:
            summary["failed"] += 1
            e = item.error
            out(f"failed   {label} {e.code} (HTTP {e.status or '-'}) request-id {e.request_id or '-'}{again}")
    return summary


def main(argv: "List[str] | None" = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--journal", help="the job's journal (default: CSV.journal.jsonl beside the CSV)")
    ap.add_argument("--graph-url", help="another Graph, e.g. a test emulator's graph_url")
    a = ap.parse_args(argv)
    options = {"base_url": a.graph_url} if a.graph_url else {}
    client = Client.from_environment(**options)
    summary = run(a.csv, client, a.journal or f"{a.csv}.journal.jsonl")
    print(f"ok {summary['ok']}, failed {summary['failed']}, unknown {summary['unknown']}")
    return 1 if summary["failed"] else 3 if summary["unknown"] else 0


if __name__ == "__main__":
    sys.exit(main())
