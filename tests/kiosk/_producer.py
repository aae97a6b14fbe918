"""Child process for the kill -9 test: enqueue items (acknowledging each after enqueue returns)
while the sync worker delivers in the background. Usage:
python -m tests.kiosk._producer DIR CENTRAL_URL START END ACK_FILE"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from kiosk.central_client import CentralClient
from kiosk.outbox import Kind, Outbox
from kiosk.retry import RetryPolicy
from kiosk.sync import SyncWorker
from tests.kiosk._central import SECRET, TERMINAL_ID, rating, submission


def main(argv: list[str]) -> int:
    """Enqueue items START..END-1, then wait until the queue is empty."""
    folder, url, start, end, ack = Path(argv[0]), argv[1], int(argv[2]), int(argv[3]), argv[4]
    box = Outbox(folder / "outbox.sqlite3", folder / "outbox.key", terminal_id=TERMINAL_ID)
    client = CentralClient(url, TERMINAL_ID, SECRET, connect_timeout_s=1, read_timeout_s=5)
    worker = SyncWorker(
        box, client, policy=RetryPolicy(base_s=0.01, cap_s=0.1), heartbeat_interval_s=3600
    )
    worker.start()
    fd = os.open(ack, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    for i in range(start, end):
        e = box.enqueue(Kind.SUBMISSION, submission(i))
        # One write() per acknowledgement: after kill -9 a line is either whole or absent.
        os.write(fd, f"S {i} {e.provisional_no}\n".encode())
        if i % 3 == 0:
            r = box.enqueue(Kind.RATING, rating(e.provisional_no))
            os.write(fd, f"R {i} {r.idempotency_key}\n".encode())
        time.sleep(0.002)
    while box.depth():
        time.sleep(0.01)
    os.write(fd, b"DONE\n")
    worker.stop()
    box.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
