"""A private cupsd for the A4 printer tests."""

from tests.cupsd import cupsd  # noqa: F401 - the fixture
