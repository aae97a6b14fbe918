"""Terminal configuration: TOML read with tomllib, validated by pydantic, every problem named."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kiosk import resources
from kiosk.errors import ConfigError

CURRENT_VERSION = 1
BAUDRATES = (9600, 19200, 38400, 57600, 115200)
# Both from kiosk.resources (package data); PROJECT_ROOT is kept for existing imports: the
# checkout root in a checkout, the folder holding assets/ when installed.
PROJECT_ROOT = resources.PROJECT_ROOT
DEFAULT_CONFIG = resources.DEFAULT_CONFIG

Seconds = Annotated[float, Field(gt=0, le=86400)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class DeviceConfig(_Section):
    """One device: where it is (URL) and how to talk to it."""

    enabled: bool = True
    """Whether the terminal uses this device at all (false: items needing it are greyed)."""
    url: str = Field(min_length=1)
    """Device URL: a path (/dev/ttyUSB0), any pyserial URL (hwgrep://VID:PID, socket://h:p,
    spy://…), tcp://host:9100 / usb://VID:PID / file:///dev/usb/lp0 for printers, or sim://KIND."""
    baudrate: int = 115200
    """Serial line speed in bit/s; one of 9600, 19200, 38400, 57600, 115200."""
    timeout_s: Seconds = 1.0
    """Reply timeout for one request to the device, in seconds."""
    poll_interval_s: Seconds = 0.3
    """Pause between two status polls (card present? paper?), in seconds."""

    @field_validator("baudrate")
    @classmethod
    def _baud(cls, v: int) -> int:
        if v not in BAUDRATES:
            raise ValueError("must be one of " + ", ".join(map(str, BAUDRATES)))
        return v


class PrinterConfig(DeviceConfig):
    """The ESC/POS receipt printer."""

    profile: str = "default"
    """python-escpos capability profile name (e.g. default, TM-T88V, POS-5890)."""
    paper_width_mm: Literal[58, 80] = 80
    """Paper roll width in millimetres: 58 or 80."""
    chinese_mode: bool = True
    """Send FS & before Chinese text (most Chinese printers need it; some western ones lack it)."""
    confirm_printed: bool = True
    """Wait for GS r 1 (answered only once the paper is out) before reporting a receipt printed;
    turn off for printers without it (then only the status after the job is checked)."""


class ScannerConfig(DeviceConfig):
    """The QR / barcode scanner in serial line mode."""

    terminator: Literal["CR", "LF", "CRLF"] = "CR"
    """Line terminator the scanner sends after each code."""
    baudrate: int = 9600
    """Serial line speed in bit/s; one of 9600, 19200, 38400, 57600, 115200."""


class SSCardConfig(_Section):
    """The 社保卡 (social security card) reader on PC/SC (pcscd)."""

    enabled: bool = False
    """Whether the terminal has a 社保卡 reader (false: items accepting only sscard are greyed)."""
    url: str = Field(default="pcsc://", min_length=1)
    """pcsc:// (the first PC/SC reader), pcsc://?reader=NAME (first whose name holds NAME) or
    sim://sscard (the simulator; options app=missing, pin=1, t0=1, pull_after=N, holder=expired)."""
    poll_interval_s: Seconds = 0.3
    """Pause between two looks for a card, in seconds."""


class CameraConfig(_Section):
    """The camera of 人证比对 (face verification); frames never leave memory."""

    enabled: bool = False
    """Whether the terminal has a camera (false: id_card+face items are greyed)."""
    url: str = Field(default="/dev/video0", min_length=1)
    """/dev/videoN, usb://VID:PID (found again after a replug) or sim://camera?source=…"""
    width: int = Field(default=640, ge=160, le=3840)
    """Capture width in pixels."""
    height: int = Field(default=480, ge=120, le=2160)
    """Capture height in pixels."""
    fps: float = Field(default=15, gt=0, le=60)
    """Frames per second asked of the camera (and the most the quality loop analyses)."""
    try_s: Seconds = 30
    """Seconds a citizen has for one try (quality gate + challenge), × elderly_factor."""

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not (
            v.startswith("/dev/")
            or v.startswith("sim://camera")
            or re.fullmatch(r"usb://[0-9a-fA-F]{4}:[0-9a-fA-F]{4}", v)
        ):
            raise ValueError("must be /dev/videoN, usb://VID:PID or sim://camera?…")
        return v


class A4PrinterConfig(_Section):
    """The A4 document printer (CUPS), for the certificates of `print` items."""

    enabled: bool = False
    """Whether the terminal has one (false: `print` items are greyed with the reason)."""
    url: str = ""
    """ipp://host[:port]/printers/NAME, cups://QUEUE (local cupsd; ?server=/path/to/socket or
    host:port), or sim://a4printer (demo: PDF + PNG preview in DATA_DIR/a4printer)."""
    job_timeout_s: Seconds = 25.0
    """How long a job may take to reach job-state completed before it is cancelled (and the
    citizen told to get it reprinted at the service window); kept under timeouts.print_s."""
    poll_interval_s: Seconds = 5.0
    """Pause between two printer-state polls, in seconds."""

    @model_validator(mode="after")
    def _url_when_enabled(self) -> A4PrinterConfig:
        if self.enabled:
            from drivers.a4printer.url import parse_url

            try:
                parse_url(self.url)
            except ValueError as exc:
                raise ValueError(f"url: {exc}") from None
        return self


class CentralConfig(_Section):
    """The central service API."""

    url: str = Field(min_length=1)
    """Base URL (https://…); "embedded" starts the reference sandbox in-process (demo only)."""
    secret_file: str
    """File holding this terminal's HMAC secret (hex); relative paths are from the config dir."""
    ca_bundle: str | None = None
    """PEM bundle of CAs to trust for TLS (default: the system store)."""
    connect_timeout_s: Seconds = 3.05
    """TCP connect timeout, seconds."""
    read_timeout_s: Seconds = 10.0
    """Timeout waiting for a response, seconds."""
    heartbeat_interval_s: Seconds = 60.0
    """Interval between two heartbeats, seconds."""

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v != "embedded" and not re.match(r"^https?://[^/\s]+", v):
            raise ValueError('must be an http(s):// URL or "embedded"')
        return v.rstrip("/")


class TimeoutsConfig(_Section):
    """How long the kiosk waits for a citizen, per step."""

    idle_s: Seconds = 60
    """Inactivity on any screen before the countdown overlay appears, seconds."""
    countdown_s: Seconds = 15
    """Length of the "还需要更多时间吗？" countdown before the session ends, seconds."""
    identify_s: Seconds = 60
    """Waiting for an ID card or QR code, seconds."""
    working_s: Seconds = 30
    """Waiting for the central service to answer, seconds."""
    print_s: Seconds = 30
    """Waiting for the printer to finish a receipt, seconds."""
    rating_s: Seconds = 45
    """Rating screen before it is skipped, seconds."""
    elderly_factor: float = Field(default=1.5, ge=1, le=5)
    """Multiplier applied to every timeout in elderly mode (长辈模式)."""


class ServiceHoursConfig(_Section):
    """When the terminal serves citizens (local time)."""

    windows: list[str] = ["00:00-24:00"]
    """Opening windows "HH:MM-HH:MM"; the default is 24 hours."""

    @field_validator("windows")
    @classmethod
    def _windows(cls, v: list[str]) -> list[str]:
        for w in v:
            m = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)", w)
            if not m or (m.group(3) == "24" and m.group(4) != "00") or w[:5] >= w[6:]:
                raise ValueError(f'{w!r} is not a window "HH:MM-HH:MM" with start < end')
        return v


class TrustedKey(_Section):
    """A public key accepted for signed catalogue bundles."""

    key_id: str = Field(min_length=1)
    """Key identifier as written in the bundle's signatures."""
    public_key_file: str
    """File with the Ed25519 public key (PEM or raw 32 bytes hex); relative to the config dir."""
    demo: bool = False
    """Marks the demo-only key shipped in config/; refused unless catalogue.allow_demo_keys."""


class CatalogueConfig(_Section):
    """The signed item catalogue."""

    store_dir: str = "catalogue"
    """Directory holding the active and last-good bundles; relative to data_dir."""
    default_bundle: str | None = None
    """Bundle installed on first start when the store is empty; relative to the config dir."""
    trusted_keys: list[TrustedKey] = []
    """Keys whose signatures are accepted."""
    allow_demo_keys: bool = False
    """Accept keys marked demo (only in the demo configuration)."""


class OutboxConfig(_Section):
    """The store-and-forward queue."""

    path: str = "outbox.sqlite3"
    """SQLite file of the queue; relative to data_dir."""
    key_file: str = "outbox.key"
    """AES-GCM key file (created 0600 on first run); relative to data_dir."""
    retention_days: float = Field(default=30, gt=0, le=3650)
    """Days a delivered row is kept before it is purged."""
    reserve_mb: int = Field(default=50, ge=0, le=100_000)
    """Free space (MiB) kept on the data disk: below it the terminal accepts no new requests
    or ratings (greyed, "本机暂时无法受理") until space returns."""


class RatingConfig(_Section):
    """好差评 on the terminal (issue 19)."""

    dictionary_cache: str = "rating-dictionary.json"
    """Where central's rating dictionary is cached (0600); relative to data_dir."""
    ask_indicators: bool = True
    """Offer the four indicator rows (整体满意度, 服务效率 …) under the five faces."""
    ask_callback: bool = True
    """On a 差评, offer to leave a phone number for the 回访 (with an explicit consent tick)."""


class LoggingConfig(_Section):
    """Log files."""

    dir: str = "log"
    """Directory of the rotating log files; relative to data_dir."""
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Minimum level written."""
    wire: bool = False
    """Write raw device traffic (personal fields masked) to wire.log."""
    max_bytes: int = Field(default=5_000_000, ge=10_000)
    """Size of one log file before it is rotated, bytes."""
    backups: int = Field(default=5, ge=1, le=100)
    """Rotated files kept."""


PHONE_RE = re.compile(r"[0-9][0-9 -]{1,18}[0-9]")


class HallConfig(_Section):
    """Where a citizen alone at the terminal gets help (the 求助 panel on every screen)."""

    hotline: str = "12345"
    """Government service hotline shown in help (digits, '-' or spaces), usually 12345."""
    duty_phone: str = ""
    """The hall's duty phone (area code-number) for a terminal fault or a citizen stuck;
    empty: help shows the hotline only."""
    help_url: str = ""
    """https URL the help QR opens on the citizen's phone (12345 online / the city's app page);
    empty: no QR."""

    @field_validator("hotline", "duty_phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        v = v.strip()
        if v and not PHONE_RE.fullmatch(v):
            raise ValueError(
                "must be a phone number: 3–20 digits, '-' or spaces (e.g. 0915-1234567)"
            )
        return v

    @field_validator("help_url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if v and not re.fullmatch(r"https?://[^\s]{3,300}", v):
            raise ValueError("must be an http(s) URL without spaces (or empty for no QR)")
        return v


class VoiceConfig(_Section):
    """Voice guidance (语音导办, issue 22): espeak-ng speech, headphones, earcons."""

    enabled: bool = False
    """Speak every screen's prompt for everybody (off: only in 长辈模式, with the 语音 toggle or
    in 语音导办)."""
    elderly_speaks: bool = True
    """长辈模式 speaks by default."""
    volume: float = Field(default=0.8, ge=0.1, le=1.0)
    """Volume each session starts with (the citizen changes it on screen; reset at session end)."""
    headphones: Literal["auto", "present", "absent"] = "auto"
    """Headphone detection: "auto" reads the jack (kernel SW_HEADPHONE_INSERT); "present" or
    "absent" where the sound card reports no jack (读出我的信息 and 语音导办 need headphones)."""
    earcons: bool = True
    """Short sounds for card read, scan read, error and printing done (assets/sounds/)."""
    engine: str = ""
    """Path of the espeak-ng binary (empty: found on PATH)."""
    cache_dir: str = "voice-cache"
    """Spoken phrases cached as WAV; relative to data_dir (0700, files 0600)."""


class TerminalSection(_Section):
    """The terminal itself."""

    timezone: str = "Asia/Shanghai"
    """IANA time zone of the hall: screen clock, receipts, documents, logs, case numbers and the
    ID card expiry check all use it, whatever the system zone is."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from kiosk.clock import zone_from_name

        zone_from_name(v)
        return v


class TerminalConfig(_Section):
    """The whole configuration of one terminal."""

    version: int = CURRENT_VERSION
    """Format version of this file (migrated automatically when older)."""
    terminal_id: str
    """Identifier registered with the central service (3–32 letters, digits, - or _)."""
    hall_name: str = Field(min_length=1, max_length=40)
    """Hall name shown on the home screen and receipts."""
    hall_name_en: str = Field(default="", max_length=80)
    """The hall name in English, shown while a citizen uses English (empty: hall_name)."""
    hall: HallConfig = HallConfig()
    """Help: hotline, duty phone, help QR."""
    region_code: str
    """Administrative division code (行政区划代码), 6 digits."""
    data_dir: str = "/var/lib/kiosk"
    """Directory for state (catalogue store, outbox, logs); relative to the config dir."""
    language: Literal["zh_CN", "en"] = "zh_CN"
    """Language shown after each session ends."""
    elderly_mode: bool = False
    """Start every session in 长辈模式 (larger text, longer timeouts)."""
    font_path: str | None = None
    """CJK font file; default: the best font fontconfig lists for Chinese (`fc-list :lang=zh`)."""
    admin_pin_hash: str | None = None
    """Maintenance PIN as a salted scrypt hash (unset: the maintenance screen stays locked)."""
    demo: bool = False
    """Demo mode: simulated devices may be driven from the F12 dock."""
    central: CentralConfig
    """The central service."""
    idcard: DeviceConfig
    """Second-generation ID card reader."""
    printer: PrinterConfig
    """Receipt printer."""
    scanner: ScannerConfig
    """QR / barcode scanner."""
    camera: CameraConfig = CameraConfig()
    """Camera for 人证比对 (off unless configured)."""
    sscard: SSCardConfig = SSCardConfig()
    """社保卡 reader on PC/SC (off unless configured)."""
    a4printer: A4PrinterConfig = A4PrinterConfig()
    """A4 document printer (CUPS)."""
    timeouts: TimeoutsConfig = TimeoutsConfig()
    """Per-step timeouts."""
    service_hours: ServiceHoursConfig = ServiceHoursConfig()
    """Opening hours."""
    catalogue: CatalogueConfig = CatalogueConfig()
    """Item catalogue."""
    outbox: OutboxConfig = OutboxConfig()
    """Outbox."""
    rating: RatingConfig = RatingConfig()
    """好差评: dictionary cache, indicators, callback phone."""
    logging: LoggingConfig = LoggingConfig()
    """Logging."""
    terminal: TerminalSection = TerminalSection()
    """Time zone of the terminal."""
    voice: VoiceConfig = VoiceConfig()
    """Voice guidance and accessibility."""

    @field_validator("terminal_id")
    @classmethod
    def _terminal_id(cls, v: str) -> str:
        from kiosk.central_api import TERMINAL_ID_RE

        if not TERMINAL_ID_RE.fullmatch(v):  # provisional case numbers start with it
            raise ValueError(
                "must be 3–32 letters, digits, '-' or '_', starting with a letter or digit"
            )
        return v

    @field_validator("region_code")
    @classmethod
    def _region(cls, v: str) -> str:
        if not re.fullmatch(r"[0-9]{6}", v):
            raise ValueError(
                "must be the 6-digit administrative division code (行政区划代码), e.g. 610900"
            )
        return v

    # Set by load(); not part of the file.
    source: Path | None = Field(default=None, exclude=True)
    """(internal) the file this config was read from."""

    @model_validator(mode="before")
    @classmethod
    def _no_source_in_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "source" in data:
            raise ValueError("source: unknown key")
        return data

    def resolve(self, path: str | None, base: str = "config") -> Path | None:
        """Resolve a configured path: relative to the config dir, or to data_dir with base="data"."""
        if path is None:
            return None
        root = self.source.parent if self.source else resources.DEFAULTS
        if base == "data":
            root = self.data_path
        return (root / path).resolve()

    @property
    def data_path(self) -> Path:
        """The data directory as an absolute path.

        Relative to the config file's folder, except for the packaged demo config of an installed
        copy, whose folder is inside site-packages: its data goes to resources.demo_data_dir().
        """
        root = self.source.parent if self.source else resources.DEFAULTS
        if not Path(self.data_dir).is_absolute() and resources.is_packaged(root):
            return resources.demo_data_dir()
        return (root / self.data_dir).resolve()


# version n → function turning a version-n dict into a version-(n+1) dict.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a raw config dict up to CURRENT_VERSION through MIGRATIONS."""
    version = data.get("version", CURRENT_VERSION)
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"version: must be a whole number ≥ 1, got {version!r}")
    if version > CURRENT_VERSION:
        raise ValueError(
            f"version: {version} is newer than this software understands ({CURRENT_VERSION})"
        )
    while version < CURRENT_VERSION:
        data = MIGRATIONS[version](dict(data))
        version += 1
        data["version"] = version
    return data


_MESSAGES = {
    "missing": "required",
    "extra_forbidden": "unknown key (typo?)",
}


def format_errors(exc: ValidationError) -> list[str]:
    """Turn pydantic errors into `field.path: message` lines a technician can act on."""
    lines = []
    for err in exc.errors():
        path = (
            "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in err["loc"]
            ).lstrip(".")
            or "(file)"
        )
        msg = _MESSAGES.get(err["type"])
        if msg is None:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
        lines.append(f"{path}: {msg}")
    return lines


def parse(data: dict[str, Any], source: Path | None = None) -> TerminalConfig:
    """Validate a raw config dict; raise ConfigError listing every problem."""
    name = str(source) if source else "<config>"
    try:
        data = migrate(data)
    except ValueError as exc:
        raise ConfigError(name, [str(exc)]) from None
    try:
        cfg = TerminalConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(name, format_errors(exc)) from None
    return cfg.model_copy(update={"source": source})


def load(path: str | Path | None = None) -> TerminalConfig:
    """Read and validate a terminal.toml (the demo config when no path is given)."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), [f"(file): cannot read: {exc.strerror or exc}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            str(path), [f"(file): not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"(file): TOML syntax: {exc}"]) from None
    cfg = parse(data, path.resolve())
    # One clock: whatever reads local time in this process (screen, receipts, logs, case
    # numbers) follows the zone of the configuration it runs on.
    from kiosk import clock

    clock.set_zone(cfg.terminal.timezone)
    return cfg
