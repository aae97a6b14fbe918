# make run · make test · make bench · make shots — each sets itself up first (idempotent).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# System packages: CJK font, mtdev for Kivy's input providers, fontconfig for fc-match,
# Mesa (EGL/GL + llvmpipe) for SDL's offscreen driver on machines without a GPU/display,
# libusb for usb://VID:PID printers (pyusb's backend).
# tzdata for terminal.timezone (zoneinfo reads /usr/share/zoneinfo; slim images lack it).
# xvfb + x11-utils: the start-up test runs the kiosk full screen on a virtual X server.
# A4 documents: cups (the tests' private cupsd), libcups2-dev + gcc + python3-dev (pycups builds
# from source), poppler-utils (pdftoppm previews, pdftotext/pdffonts checks in the tests).
APT_PACKAGES := fonts-wqy-microhei libmtdev1 fontconfig libgl1 libegl1 libgl1-mesa-dri libusb-1.0-0 tzdata \
	cups libcups2-dev gcc python3-dev poppler-utils xvfb x11-utils
STAMP := $(VENV)/.installed

.PHONY: run test bench shots setup system venv clean

run: setup
	$(BIN)/python main.py

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m bench

shots: setup
	$(BIN)/python -m kiosk.ui.shots

setup: system venv

system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "missing system packages:$$missing (no apt-get: install them by hand)"; exit 0; fi; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "installing system packages:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[terminal,central,dev,face]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache bench/results.json shots
