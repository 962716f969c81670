"""Reset devices, then read each reset back from Graph (the passcode revealed on purpose: a demo).

    python examples/read_back.py GRAPH_URL TOKEN DEVICE_ID [MORE_DEVICE_IDS...]
"""

from __future__ import annotations

import sys

from intune_passcode import Client, IntunePasscodeError, OutcomeUnknownError


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    graph_url, token, *devices = argv
    client = Client(token=token, base_url=graph_url)
    for device in devices:
        try:
            r = client.reset_passcode(device)
            sent_at = r.sent_at
        except OutcomeUnknownError as e:
            # The answer was lost: look for the device's record instead of sending again.
            assert e.sent_at is not None
            found = client.confirm_reset(device, e.sent_at, within=30)
            if not found:
                print(f"{device}: sent, not confirmed yet; do not resend blindly")
                continue
            sent_at = e.sent_at
        except IntunePasscodeError as e:
            print(f"{device}: {e.code}: {e}")
            continue
        action = client.wait_for_reset(device, sent_at, timeout=30)
        if action.passcode is not None:
            shown = f"new passcode {action.passcode.reveal()} (revealed for the demo; repr: {action.passcode!r})"
        else:
            shown = "no passcode (iOS/iPadOS: the passcode was removed)"
        print(f"{device}: {action.state}; {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
