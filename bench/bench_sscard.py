"""社保卡: one full read (SELECT SSSE, EF05, EF06 records) through pcscd + vpcd, against a bare
pyscard script sending the same APDUs in a separate process (imports only smartcard)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from drivers.sim.sscard import SSCardSimulator
from drivers.sim.vpcd import VpcdCard
from drivers.sscard.reader import SSCardReader, read_card
from tests.pcscd import PrivatePcscd

TRIALS = 20
READER = "Virtual PCD 00 00"
APDUS = [
    "00A404000F7378312E73682EC9E7BBE1B1A3D5CF",
    "00A4020002EF05",
    "00B2010400",
    "00B2020400",
    "00B2030400",
    "00B2050400",
    "00B2060400",
    "00B2070400",
    "00A4020002EF06",
    "00B2010400",
    "00B2020400",
    "00B2040400",
]
BARE = r"""
import json, sys, time
from smartcard import scard
trials, name, apdus = int(sys.argv[1]), sys.argv[2], [list(bytes.fromhex(a)) for a in sys.argv[3:]]
hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
hr, readers = scard.SCardListReaders(ctx, [])
reader = [r for r in readers if name in r][0]
out = []
for _ in range(trials):
    t0 = time.perf_counter()
    hr, h, proto = scard.SCardConnect(ctx, reader, scard.SCARD_SHARE_SHARED,
                                      scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
    pci = scard.SCARD_PCI_T0 if proto == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1
    for a in apdus:
        hr, resp = scard.SCardTransmit(h, pci, a)
        assert hr == 0 and resp[-2:] == [0x90, 0x00], (hr, resp)
    scard.SCardDisconnect(h, scard.SCARD_LEAVE_CARD)
    out.append(time.perf_counter() - t0)
print(json.dumps(out))
"""


def run() -> dict[str, object]:
    """Median read time of the driver vs the bare script, both through the same pcscd."""
    d = PrivatePcscd()
    d.start()
    card = SSCardSimulator()
    link = VpcdCard(card, d.port)
    link.start()
    try:
        reader = SSCardReader(f"pcsc://?reader={READER}")
        t = reader.transport
        deadline = time.monotonic() + 15
        while not t.present(t.pick()):
            if time.monotonic() > deadline:
                raise RuntimeError("the virtual card never showed up in pcscd")
            time.sleep(0.05)
        name = t.pick()
        driver = []
        for _ in range(TRIALS):
            t0 = time.perf_counter()
            conn = t.connect(name)
            got = read_card(conn)
            conn.close()
            driver.append(time.perf_counter() - t0)
            assert got.name == "王小明"
        t.close()
        env = dict(os.environ, PCSCLITE_CSOCK_NAME=str(d.socket))
        proc = subprocess.run(
            [sys.executable, "-c", BARE, str(TRIALS), READER, *APDUS],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        bare = json.loads(proc.stdout)
    finally:
        link.stop()
        d.stop()
    med_d, med_b = statistics.median(driver), statistics.median(bare)
    return {
        "trials": TRIALS,
        "apdus_per_read": len(APDUS),
        "driver_read_median_ms": round(med_d * 1000, 2),
        "bare_pyscard_median_ms": round(med_b * 1000, 2),
        "driver_over_bare": round(med_d / med_b, 2),
    }
