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
# Central on PostgreSQL (issue 18): the tests and the load bench start a throw-away cluster.
APT_PACKAGES += postgresql  # initdb/pg_ctl for the tests' private PostgreSQL cluster
# Staff console (issue 20): its browser tests drive Debian's headless Chromium with chromedriver.
APT_PACKAGES += chromium chromium-driver
# 社保卡 (issue 24): pcscd + vsmartcard-vpcd (the tests' virtual PC/SC reader), libpcsclite-dev and
# swig so pyscard can build from source, util-linux for `unshare` (a private pcscd per test run).
APT_PACKAGES += pcscd vsmartcard-vpcd libpcsclite-dev swig util-linux
# Voice (issue 22): espeak-ng speaks Mandarin (cmn) and English offline; libasound2 is the ALSA
# library SDL's audio output opens at run time.
APT_PACKAGES += espeak-ng libasound2
# Issue 21: dpkg-dev (dpkg-scanpackages), apt-utils (apt-ftparchive release), gnupg (repo key),
# systemd (systemd-analyze verify/security on the units), x11-xserver-utils (xset in the X session),
# python3-venv + adduser (the .deb builds its venv with Debian's python3; the tests install it),
# cage (the Wayland kiosk compositor kiosk-cage.service starts; systemd-analyze verify checks it).
APT_PACKAGES += dpkg-dev apt-utils gnupg systemd x11-xserver-utils python3-venv adduser cage
STAMP := $(VENV)/.installed

.PHONY: run test bench shots setup system venv clean lint lint-fix wheel wheelhouse deb repo

run: setup
	$(BIN)/python main.py

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m bench

shots: setup
	$(BIN)/python -m kiosk.ui.shots
	$(BIN)/python -m central.console.shots --out shots

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
	rm -rf $(VENV) .pytest_cache bench/results.json shots build dist

# --- issue 21: lint, wheel, .deb, signed apt repository -------------------------------------
# make lint: what CI checks (config in pyproject.toml). make lint-fix: ruff's safe fixes and the
# formatter over the whole tree (run once after a merge, then commit).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

lint-fix: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

DIST := dist
WHEELHOUSE := $(DIST)/wheelhouse

# The project wheel (assets and config inside as package data), built from a clean build dir.
wheel: venv
	rm -rf build $(DIST)/selfservice_kiosk-*.whl
	$(BIN)/pip wheel -q --no-deps -w $(DIST) .

# Wheels of every dependency of the terminal, central and face extras: built once per pyproject
# change and reused by the artifact tests, `make deb` and the fresh-venv install (offline).
wheelhouse: $(WHEELHOUSE)/.stamp
$(WHEELHOUSE)/.stamp: pyproject.toml | venv
	$(BIN)/pip wheel -q -w $(WHEELHOUSE) '.[terminal,central,face]'
	rm -f $(WHEELHOUSE)/selfservice_kiosk-*.whl
	touch $@

deb: wheel wheelhouse
	deploy/debian/build-deb.sh $(DIST)

# A signed apt repository in dist/apt (key: REPO_GNUPGHOME, made by the script if empty).
repo: deb
	deploy/debian/build-repo.sh $(DIST)
