"""Reset one device, then a few in bulk with progress, handling errors by code.

    python examples/reset.py GRAPH_URL TOKEN DEVICE_ID [MORE_DEVICE_IDS...]
"""

from __future__ import annotations

import sys

from intune_passcode import Client, IntunePasscodeError, OutcomeUnknownError


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    graph_url, token, device, *more = argv
    client = Client(token=token, base_url=graph_url)

    try:
        r = client.reset_passcode(device)
        print(f"reset {device}: HTTP {r.status}, request-id {r.request_id}, attempts {r.attempts}")
    except OutcomeUnknownError as e:
        # Sent, but the answer was lost: read the device's record instead of sending again.
        found = e.sent_at is not None and client.confirm_reset(device, e.sent_at, within=30)
        print(f"{device}: answer lost; {'confirmed from the device record' if found else 'not confirmed yet'}")
    except IntunePasscodeError as e:
        print(f"{device}: {e.code} {e.status} request-id={e.request_id}")

    done = 0
    for item in client.reset_passcodes(more, concurrency=8):
        done += 1
        if item.receipt is not None:
            outcome = f"ok, request-id {item.receipt.request_id}"
        elif isinstance(item.error, IntunePasscodeError):
            outcome = item.error.code
        else:
            outcome = repr(item.error)
        print(f"[{done}/{len(more)}] {item.device_id}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
