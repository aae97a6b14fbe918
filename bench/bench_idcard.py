"""ID card reader: card insert → IdCard at 115200 baud vs the wire time; stream parser speed."""

from __future__ import annotations

import statistics
import threading
import time

import serial

from drivers.idcard import protocol as p
from drivers.idcard.card import parse_text
from drivers.idcard.reader import IdCardReader, ReaderState
from drivers.sim.base import serve_pty
from drivers.sim.idcard import IdCardSimulator, demo_card

BAUD = 115200
TRIALS = 15
# find, select, read: requests and answers as they cross the line
EXCHANGE = (10 + 15) + (10 + 19) + (10 + 1295)
WIRE_S = EXCHANGE * 10 / BAUD


def _driver_latencies(trials: int) -> list[float]:
    sim = IdCardSimulator(pace_baud=BAUD)
    server = serve_pty(sim)
    reader = IdCardReader(server.port, baudrate=BAUD, poll_interval=0.0, timeout=0.5)
    got = threading.Event()
    stamps: list[float] = []

    def on_card(card: object) -> None:
        stamps.append(time.perf_counter())
        got.set()

    reader.on_card(on_card)
    out: list[float] = []
    try:
        reader.start()
        _wait(lambda: reader.state is ReaderState.IDLE)
        for i in range(trials):
            got.clear()
            time.sleep(0.005 + (i % 5) * 0.0007)  # insert at various points of the poll cycle
            sim.insert(demo_card("mainland"))
            if not got.wait(2.0):
                raise RuntimeError("no card read within 2 s")
            assert sim.inserted_at is not None
            out.append(stamps[-1] - sim.inserted_at)
            sim.remove()
            _wait(lambda: reader.state is ReaderState.IDLE)
    finally:
        reader.close()
        server.stop()
    return out


def _raw_latencies(trials: int) -> list[float]:
    """Baseline: the same exchange scripted with bare pyserial reads of known lengths."""
    sim = IdCardSimulator(pace_baud=BAUD)
    server = serve_pty(sim)
    port = serial.Serial(server.port, BAUD, timeout=1.0)
    find, select, read = (
        p.encode_request(c)
        for c in (p.Command.FIND_CARD, p.Command.SELECT_CARD, p.Command.READ_TEXT_PHOTO)
    )
    out: list[float] = []
    try:
        for _ in range(trials):
            sim.insert(demo_card("mainland"))
            port.write(find)
            port.read(15)
            port.write(select)
            port.read(19)
            port.write(read)
            frame = port.read(1295)
            body = p.Response.from_body(p.decode_frame(frame))
            answer = p.decode_read_data(body.data)
            parse_text(answer.text, answer.photo)
            assert sim.inserted_at is not None
            out.append(time.perf_counter() - sim.inserted_at)
            sim.remove()
    finally:
        port.close()
        server.stop()
    return out


def _wait(pred, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.001)


def _parser_throughput() -> dict[str, float]:
    small = p.encode_response(0x9F, bytes(4))
    card = demo_card("mainland")
    from drivers.idcard.card import build_text

    big = p.encode_response(0x90, p.encode_read_data(build_text(card), card.photo))
    stream_small = (b"\x00\xaa" + small) * 20000
    stream_big = big * 400
    res: dict[str, float] = {}
    for label, stream, n in (("small", stream_small, 20000), ("read_answer", stream_big, 400)):
        parser = p.StreamParser()
        t0 = time.perf_counter()
        found = 0
        for i in range(0, len(stream), 4096):
            found += sum(1 for x in parser.feed(stream[i : i + 4096]) if isinstance(x, bytes))
        dt = time.perf_counter() - t0
        assert found == n, (label, found)
        res[f"parser_{label}_frames_per_s"] = round(n / dt)
        res[f"parser_{label}_MB_per_s"] = round(len(stream) / dt / 1e6, 1)
    # baseline: decode_frame on frames already cut out (no searching)
    frames = [small] * 20000
    t0 = time.perf_counter()
    for f in frames:
        p.decode_frame(f)
    res["decode_frame_small_frames_per_s"] = round(20000 / (time.perf_counter() - t0))
    res["parser_vs_decode_small_ratio"] = round(
        res["parser_small_frames_per_s"] / res["decode_frame_small_frames_per_s"], 2
    )
    return res


def run() -> dict:
    """Insert→IdCard latency at 115200 baud (ratio to wire time, goal ≤ 1.10) and parser speed."""
    driver = _driver_latencies(TRIALS)
    raw = _raw_latencies(TRIALS)
    med = statistics.median(driver)
    result: dict[str, object] = {
        "baud": BAUD,
        "trials": TRIALS,
        "exchange_bytes": EXCHANGE,
        "wire_ms": round(WIRE_S * 1000, 2),
        "insert_to_card_median_ms": round(med * 1000, 2),
        "insert_to_card_max_ms": round(max(driver) * 1000, 2),
        "ratio_vs_wire_median": round(med / WIRE_S, 3),
        "ratio_vs_wire_max": round(max(driver) / WIRE_S, 3),
        "goal_ratio": 1.10,
        "raw_pyserial_median_ms": round(statistics.median(raw) * 1000, 2),
        "ratio_driver_vs_raw_pyserial": round(med / statistics.median(raw), 3),
    }
    result.update(_parser_throughput())
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
