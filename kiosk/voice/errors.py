"""The voice package's errors."""

from __future__ import annotations


class VoiceError(Exception):
    """Root of the voice package's errors."""


class EngineMissing(VoiceError):
    """The speech engine (espeak-ng) is not installed or cannot run."""


class SynthesisFailed(VoiceError):
    """The engine ran but produced no usable audio."""
