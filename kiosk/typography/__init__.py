"""Chinese typography for the screen: 避头尾 line breaking (no widgets, no Kivy at import)."""
