"""Voice guidance and accessibility (语音导办, 适老化, 无障碍): offline speech (espeak-ng), the
per-screen prompts, the speaker thread, headphones, 语音导办 and 双击确认 (docs/voice.md)."""
