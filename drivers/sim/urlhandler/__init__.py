"""pyserial URL handlers for `sim://` device URLs."""
