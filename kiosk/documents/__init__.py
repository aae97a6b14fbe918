"""A4 documents (certificates) of `print` items: content, PDF rendering, the print flow."""
