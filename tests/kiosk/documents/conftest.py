"""A private cupsd for the document flow tests."""

from tests.cupsd import cupsd  # noqa: F401 - the fixture
