"""Property tests: amounts in fen ↔ ¥ text, and the order state machine both sides follow."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import central_api as api
from kiosk.payment.errors import AmountError
from kiosk.payment.money import PRINTED_YUAN, format_fen, parse_yuan

FEN = st.integers(min_value=-(10**12), max_value=10**12)


@given(FEN, st.booleans(), st.booleans(), st.sampled_from(["¥", PRINTED_YUAN]))
def test_format_then_parse_is_identity(fen: int, grouping: bool, symbol: bool, sign: str) -> None:
    text = format_fen(fen, grouping=grouping, symbol=symbol, sign=sign)
    assert parse_yuan(text) == fen
    assert text.rsplit(".", 1)[1].isdigit() and len(text.rsplit(".", 1)[1]) == 2


@given(st.integers(min_value=0, max_value=10**9))
def test_format_is_exact_and_ordered(fen: int) -> None:
    text = format_fen(fen)
    assert text == f"¥{fen // 100}.{fen % 100:02d}"
    assert format_fen(fen + 1) != text


def test_known_amounts() -> None:
    assert format_fen(40000) == "¥400.00"
    assert format_fen(5) == "¥0.05"
    assert format_fen(123456789, grouping=True) == "¥1,234,567.89"
    assert format_fen(-150) == "-¥1.50"
    assert parse_yuan("400") == 40000 and parse_yuan("¥400.5") == 40050


@given(st.text(max_size=20))
def test_parse_rejects_or_returns_int(text: str) -> None:
    try:
        value = parse_yuan(text)
    except AmountError:
        return
    assert isinstance(value, int)
    assert parse_yuan(format_fen(value)) == value


@pytest.mark.parametrize(
    "bad", ["", "¥", "4.000", "1,23", "¥ 1", "1e3", "0x10", "1.2.3", "--1", "¥-1"]
)
def test_parse_refuses_garbage(bad: str) -> None:
    with pytest.raises(AmountError):
        parse_yuan(bad)


@pytest.mark.parametrize("bad", [1.5, True, "400"])
def test_format_refuses_non_integers(bad: object) -> None:
    with pytest.raises(TypeError):
        format_fen(bad)  # type: ignore[arg-type]


EVENTS = st.lists(st.sampled_from(["paid_notice", "cancel", "expire"]), max_size=12)


@given(EVENTS)
def test_order_state_machine_never_loses_or_keeps_money_wrongly(events: list[str]) -> None:
    """Money arrives with every paid_notice; whatever the order of events, the order ends paid
    (money kept, once) or refunded (money returned), or closed/unpaid with no money taken."""
    state = api.PaymentState.UNPAID
    money_in = 0
    charged_while_open = False
    for ev in events:
        before = state
        try:
            state = api.next_payment_state(state, ev)  # type: ignore[arg-type]
        except api.PaymentConflict as exc:
            assert exc.code == "already_paid" and before is api.PaymentState.PAID and ev == "cancel"
            continue
        if ev == "paid_notice":
            money_in += 1
            if before is api.PaymentState.UNPAID:
                charged_while_open = True
        if before is api.PaymentState.PAID:
            assert state is api.PaymentState.PAID  # a paid order is never undone
        if before in (api.PaymentState.CLOSED, api.PaymentState.REFUNDED):
            assert state is not api.PaymentState.PAID  # a closed order never becomes payable
    if money_in == 0:
        assert state in (api.PaymentState.UNPAID, api.PaymentState.CLOSED)
    elif charged_while_open:
        assert state is api.PaymentState.PAID
    else:
        assert state is api.PaymentState.REFUNDED


@given(st.from_regex(api.PAYMENT_CODE_RE, fullmatch=True))
def test_payment_codes_the_contract_accepts_are_long_digit_runs(code: str) -> None:
    assert api.PayCode(code=code).code == code
    assert code.isdigit() and 16 <= len(code) <= 19


@given(st.text(alphabet="0123456789 -x", max_size=22))
def test_pay_code_model_refuses_anything_else(text: str) -> None:
    from pydantic import ValidationError

    try:
        api.PayCode(code=text)
    except ValidationError:
        return
    assert api.PAYMENT_CODE_RE.fullmatch(text.strip())
