"""GA 467 frames: exact bytes of every request, known answers, and a fuzzed stream parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DriverError
from drivers.idcard import protocol as p
from drivers.idcard.errors import ChecksumError, FrameError, IdCardError, LengthError, ProtocolError

H = "AA AA AA 96 69 "


def hx(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize(
    ("command", "wire"),
    [
        (p.Command.RESET_SAM, H + "00 03 10 FF EC"),
        (p.Command.SAM_STATUS, H + "00 03 11 FF ED"),
        (p.Command.SAM_ID, H + "00 03 12 FF EE"),
        (p.Command.FIND_CARD, H + "00 03 20 01 22"),
        (p.Command.SELECT_CARD, H + "00 03 20 02 21"),
        (p.Command.READ_TEXT_PHOTO, H + "00 03 30 01 32"),
        (p.Command.READ_NEWEST_ADDRESS, H + "00 03 30 03 30"),
        (p.Command.READ_TEXT_PHOTO_FP, H + "00 03 30 10 23"),
    ],
)
def test_request_frames_exact(command: p.Command, wire: str) -> None:
    assert p.encode_request(command) == hx(wire)


@pytest.mark.parametrize(
    ("baud", "chk"), [(115200, 0x63), (57600, 0x62), (38400, 0x61), (19200, 0x60), (9600, 0x67)]
)
def test_set_baud_frames_exact(baud: int, chk: int) -> None:
    code = p.BAUD_CODES[baud]
    assert p.encode_set_baud(baud) == hx(H + f"00 03 60 {code:02X} {chk:02X}")


def test_max_rf_bytes_frame_exact() -> None:
    assert p.encode_request(p.Command.MAX_RF_BYTES, b"\x50") == hx(H + "00 04 61 FF 50 CA")


def test_set_baud_refuses_unknown_rate() -> None:
    with pytest.raises(ProtocolError):
        p.encode_set_baud(4800)


@pytest.mark.parametrize(
    ("wire", "sw3", "data"),
    [
        (H + "00 04 00 00 90 94", 0x90, b""),
        (H + "00 04 00 00 60 64", 0x60, b""),
        (H + "00 08 00 00 9F 00 00 00 00 97", 0x9F, bytes(4)),
        (H + "00 04 00 00 80 84", 0x80, b""),
        (H + "00 0C 00 00 90" + " 00" * 8 + " 9C", 0x90, bytes(8)),
        (H + "00 04 00 00 81 85", 0x81, b""),
        (H + "00 04 00 00 41 45", 0x41, b""),
    ],
)
def test_known_good_responses(wire: str, sw3: int, data: bytes) -> None:
    frame = hx(wire)
    resp = p.Response.from_body(p.decode_frame(frame))
    assert (resp.sw1, resp.sw2, resp.sw3, resp.data) == (0, 0, sw3, data)
    assert p.encode_response(sw3, data) == frame


def test_read_answer_layout() -> None:
    text, photo = bytes(range(256)), bytes(i % 251 for i in range(1024))
    frame = p.encode_response(0x90, p.encode_read_data(text, photo))
    assert len(frame) == 1295
    assert frame[:14] == hx(H + "05 08 00 00 90 01 00 04 00")
    assert frame[14:270] == text and frame[270:1294] == photo
    answer = p.decode_read_data(p.Response.from_body(p.decode_frame(frame)).data)
    assert (answer.text, answer.photo, answer.fingerprint) == (text, photo, b"")


def test_read_answer_with_fingerprint() -> None:
    data = p.encode_read_data(b"t" * 256, b"p" * 1024, b"f" * 1024)
    assert data[:6] == hx("01 00 04 00 04 00")
    answer = p.decode_read_data(data, with_fingerprint=True)
    assert answer.fingerprint == b"f" * 1024
    assert len(p.encode_response(0x90, data)) == p.HEADER_LEN + p.MAX_LEN


@pytest.mark.parametrize(
    "data", [b"", hx("01 00"), hx("01 01 04 00") + bytes(1281), hx("01 00 04 00") + bytes(1279)]
)
def test_read_answer_bad_lengths(data: bytes) -> None:
    with pytest.raises(LengthError):
        p.decode_read_data(data)


def test_sam_id_layout() -> None:
    data = p.encode_sam_id(5, 1, 20190101, 12345678, 1234567890)
    frame = p.encode_response(0x90, data)
    assert frame[10:12] == b"\x05\x00" and frame[14:18] == (20190101).to_bytes(4, "little")
    assert p.decode_sam_id(frame[10:-1]) == "05.01-20190101-0012345678-1234567890"
    with pytest.raises(LengthError):
        p.decode_sam_id(bytes(15))


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (hx("AA AA 96 69 00 03 20 01 22"), FrameError),
        (hx(H + "00"), FrameError),
        (hx(H + "00 02 20 22"), LengthError),
        (hx(H + "FF FF 20 01 22"), LengthError),
        (hx(H + "00 03 20 01 22 00"), LengthError),
        (hx(H + "00 03 20 01 23"), ChecksumError),
    ],
)
def test_decode_frame_rejects(frame: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        p.decode_frame(frame)


def test_error_hierarchy() -> None:
    assert issubclass(ChecksumError, ProtocolError)
    assert issubclass(ProtocolError, IdCardError) and issubclass(IdCardError, DriverError)


def test_status_text_covers_the_issue_table() -> None:
    assert {s.value for s in p.Status} == set(p.STATUS_TEXT)
    assert p.status_text(0x60) == "SAM self-test failed"
    assert p.status_text(0x07) == "unknown status"


def test_parser_resyncs_after_partial_preamble_and_bad_frames() -> None:
    good = p.encode_response(0x90)
    bad_chk = good[:-1] + bytes((good[-1] ^ 1,))
    bad_len = hx(H + "FF FF")
    stream = b"\x00\xaa\xaa" + bad_chk + b"\xaa\xaa\xaa\x96" + bad_len + good + b"\xaa"
    parser = p.StreamParser()
    items = parser.feed(stream)
    assert [i for i in items if isinstance(i, bytes)] == [good[7:-1]]
    assert [i.reason for i in items if isinstance(i, p.Rejected)] == ["checksum", "length"]
    assert parser.pending == 1  # the trailing AA may start a preamble


def test_parser_finds_frame_inside_a_false_candidate_after_flush() -> None:
    # a preamble in the garbage claims 200 bytes; the real frame follows, then the line is quiet
    good = p.encode_response(0x9F, bytes(4))
    parser = p.StreamParser()
    assert parser.feed(hx(H + "00 C8") + good) == []
    items = parser.flush()
    assert good[7:-1] in items


# --- fuzzing ---------------------------------------------------------------------------------

bodies = st.binary(min_size=2, max_size=40)
# garbage may hold fragments of the preamble but never the whole of it
garbage = (
    st.lists(
        st.sampled_from(
            [b"\xaa", b"\xaa\xaa", b"\xaa\xaa\xaa\x96", b"\x96\x69", b"\x00", b"\x69", b"\xff"]
        )
        | st.binary(max_size=6),
        max_size=6,
    )
    .map(b"".join)
    .filter(lambda g: p.PREAMBLE not in g)
)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, last = [], 0
    for c in points + [len(data)]:
        out.append(data[last:c])
        last = c
    return out


def _is_subsequence(needles: list[bytes], hay: list[bytes]) -> bool:
    it = iter(hay)
    return all(any(n == h for h in it) for n in needles)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(garbage, bodies), max_size=6),
    garbage,
    st.lists(st.integers(0, 10_000), max_size=12),
)
def test_parser_finds_every_frame_through_garbage_and_split_reads(
    pairs: list[tuple[bytes, bytes]], tail: bytes, cuts: list[int]
) -> None:
    stream = b"".join(g + p.encode_frame(b) for g, b in pairs) + tail
    parser = p.StreamParser()
    found: list[bytes] = []
    for chunk in _split(stream, cuts):
        found += [i for i in parser.feed(chunk) if isinstance(i, bytes)]
    found += [i for i in parser.flush() if isinstance(i, bytes)]
    # a frame's tail plus the next garbage can spell a false preamble; it may add a frame whose
    # checksum matches by chance, but it never hides a real one
    assert _is_subsequence([b for _, b in pairs], found)


clean = st.binary(max_size=8).map(lambda g: bytes(b for b in g if b not in (0xAA, 0x96)))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(clean, bodies), max_size=6), st.lists(st.integers(0, 10_000), max_size=12)
)
def test_parser_finds_exactly_the_frames_when_garbage_cannot_spell_a_preamble(
    pairs: list[tuple[bytes, bytes]], cuts: list[int]
) -> None:
    stream = b"".join(g + p.encode_frame(b) for g, b in pairs)
    parser = p.StreamParser()
    found = [i for c in _split(stream, cuts) for i in parser.feed(c) if isinstance(i, bytes)]
    assert found == [b for _, b in pairs]
    assert parser.pending == 0


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.lists(st.integers(0, 1000), max_size=10))
def test_parser_never_crashes_and_only_returns_checked_frames(data: bytes, cuts: list[int]) -> None:
    parser = p.StreamParser()
    for chunk in _split(data, cuts):
        for item in parser.feed(chunk):
            assert isinstance(item, (bytes, p.Rejected))
            if isinstance(item, bytes):
                assert p.decode_frame(p.encode_frame(item)) == item
    parser.flush()
    assert parser.pending == 0


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_decode_frame_raises_only_protocol_errors(data: bytes) -> None:
    try:
        body = p.decode_frame(p.PREAMBLE + data)
    except ProtocolError:
        return
    assert p.encode_frame(body) == p.PREAMBLE + data


@settings(max_examples=100, deadline=None)
@given(bodies)
def test_encode_decode_roundtrip(body: bytes) -> None:
    assert p.decode_frame(p.encode_frame(body)) == body


def test_parser_wanted_counts_missing_bytes() -> None:
    frame = p.encode_response(0x90, bytes(100))
    parser = p.StreamParser()
    assert parser.wanted == 1
    parser.feed(frame[:3])
    assert parser.wanted == 1
    parser.feed(frame[3:20])
    assert parser.wanted == len(frame) - 20
    assert parser.feed(frame[20:]) == [frame[7:-1]] and parser.wanted == 1
    parser.feed(p.PREAMBLE + b"\xff\xff")
    assert parser.wanted == 1
