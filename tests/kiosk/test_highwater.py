"""Property tests of the two small parsers added for issue 17: the outbox high-water file and
the catalogue floor file (any bytes: a record or a clean refusal, never a crash)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue.floor import Floor, _parse
from kiosk.outbox.highwater import HighWater, HighWaterError

days = st.dates().map(lambda d: d.strftime("%Y%m%d")).filter(lambda s: len(s) == 8)


@given(
    st.uuids().map(str),
    st.integers(0, 2**40),
    st.dictionaries(days, st.integers(0, 9999), max_size=20),
)
def test_high_water_roundtrip(queue_id: str, row_high: int, seq: dict[str, int]) -> None:
    hw = HighWater(queue_id, row_high, seq)
    back = HighWater.parse(hw.to_json())
    assert back.queue_id == queue_id and back.row_high == row_high
    assert back.seq == dict(sorted(seq.items())[-14:])  # the last 14 days are kept


@given(st.binary(max_size=300))
def test_high_water_any_bytes(data: bytes) -> None:
    try:
        hw = HighWater.parse(data)
    except HighWaterError:
        return
    assert hw.queue_id and hw.row_high >= 0


@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200),
        st.sampled_from(['{"version": 1e400}', '{"version": -3}', "[1]", '{"version": "x"}']),
    )
)
def test_floor_any_bytes(data: bytes | str) -> None:
    floor = _parse(data)
    assert isinstance(floor, Floor) and floor.version >= 0
