"""Hardware drivers (ID card reader, receipt printer, scanner) usable without Kivy or kiosk."""
