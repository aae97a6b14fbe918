"""A private pcscd with vpcd for the 社保卡 driver tests."""
from tests.pcscd import pcscd  # noqa: F401 - the fixture
