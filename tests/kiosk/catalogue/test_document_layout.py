"""The `document` block of print items: any shape is either a valid layout or named problems."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalogue.errors import Invalid
from kiosk.catalogue.schema import build_catalogue, validate_catalogue

from .conftest import source_dict

SOURCE = source_dict()
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.text(max_size=12),
    st.sampled_from(
        [
            "demo",
            "file:seal.png",
            "session.holder_name",
            "result.status",
            "field.insurance",
            "id_number_issuer",
            "name",
        ]
    ),
)
LINE = st.dictionaries(st.sampled_from(["label", "ref", "mask", "extra"]), SCALARS, max_size=4)
DOCUMENT = st.dictionaries(
    st.sampled_from(
        ["title", "issuer", "seal", "valid_days", "intro", "lines", "table", "footer", "x"]
    ),
    st.one_of(
        SCALARS,
        st.lists(LINE, max_size=3),
        st.dictionaries(st.sampled_from(["title", "t"]), SCALARS, max_size=2),
    ),
    max_size=9,
)


@settings(max_examples=150, deadline=None)
@given(DOCUMENT)
def test_any_document_block_is_valid_or_reported_under_its_path(doc: dict) -> None:
    data = copy.deepcopy(SOURCE)
    data["items"][0]["document"] = doc  # RS-0101, a print item
    problems = validate_catalogue(data)
    if problems:
        assert all(p.startswith("items[0].document") for p in problems), problems
        try:
            build_catalogue(data)
        except Invalid:
            pass
        else:
            raise AssertionError("built a catalogue with problems")
    else:
        layout = build_catalogue(data).item("RS-0101").document
        assert layout is not None and layout.lines and 1 <= layout.valid_days <= 3660
        assert layout.issuer  # the department when not given
