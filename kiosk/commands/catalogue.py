"""`kiosk catalogue`: item catalogue: keygen, sign, verify, install, show."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.commands import add_group

if TYPE_CHECKING:
    from kiosk.catalogue.store import CatalogueStore

CST = timezone(timedelta(hours=8))
DEFAULT_VALIDITY_DAYS = 365


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk catalogue` group."""
    group = add_group(sub, "catalogue", "item catalogue: keygen, sign, verify, install, show")

    p = group.add_parser(
        "keygen",
        help="create an Ed25519 signing key pair",
        description="Write PREFIX.key (private, mode 0600) and PREFIX.pub.",
    )
    p.add_argument("--out", metavar="PREFIX", required=True, help="path prefix of the two files")
    p.set_defaults(handler=_keygen, parser=p)

    p = group.add_parser(
        "sign",
        help="validate a catalogue source and sign it into a bundle",
        description="Read SOURCE (.yaml/.yml/.json), set version, issued_at and "
        "expires_at, validate, sign and write the bundle JSON.",
    )
    p.add_argument("source", metavar="SOURCE")
    p.add_argument(
        "--key",
        metavar="PRIV",
        action="append",
        required=True,
        help="private key PEM; repeat with --key-id to sign with several keys",
    )
    p.add_argument(
        "--key-id",
        metavar="ID",
        action="append",
        required=True,
        help="key id written next to each signature (one per --key)",
    )
    p.add_argument(
        "--version",
        type=int,
        required=True,
        metavar="N",
        help="catalogue version; must be higher than what terminals have",
    )
    p.add_argument(
        "--expires",
        metavar="DATE",
        default=None,
        help=f"expiry: YYYY-MM-DD (00:00 China time) or an ISO timestamp with offset "
        f"(default: {DEFAULT_VALIDITY_DAYS} days after issue)",
    )
    p.add_argument(
        "--issued-at",
        metavar="TIMESTAMP",
        default=None,
        help="issue time (ISO with offset; default: now) — for reproducible bundles",
    )
    p.add_argument("--out", metavar="BUNDLE", required=True, help="bundle file to write")
    p.set_defaults(handler=_sign, parser=p)

    p = group.add_parser(
        "verify",
        help="check a bundle's signature, expiry and content",
        description="Exit 0 if the bundle is signed by a trusted key, not "
        "expired and valid; exit 1 with the reason otherwise.",
    )
    p.add_argument("bundle", metavar="BUNDLE")
    _trust_options(p)
    p.set_defaults(handler=_verify, parser=p)

    p = group.add_parser(
        "install",
        help="verify a bundle and make it the active catalogue",
        description="Verify, then install atomically; exit 1 if refused "
        "(signature, expiry, content, version not newer).",
    )
    p.add_argument("bundle", metavar="BUNDLE")
    p.add_argument(
        "--store",
        metavar="DIR",
        default=None,
        help="store directory (default: catalogue.store_dir of --config)",
    )
    _trust_options(p)
    p.set_defaults(handler=_install, parser=p)

    p = group.add_parser(
        "show",
        help="list the items of the active catalogue or of a bundle",
        description="Table of items. Default: the store of --config.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--store", metavar="DIR", default=None, help="a catalogue store directory")
    src.add_argument(
        "--bundle",
        metavar="FILE",
        default=None,
        help="a bundle file (signature not checked unless --trust is given)",
    )
    p.add_argument(
        "--trust",
        metavar="PUB",
        action="append",
        default=[],
        help="with --bundle: also check the signature",
    )
    p.add_argument(
        "--config",
        metavar="PATH",
        default=None,
        help="terminal config (default: config/terminal.toml, the demo)",
    )
    p.set_defaults(handler=_show, parser=p)


def _trust_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--trust",
        metavar="[ID=]PUB",
        action="append",
        default=[],
        help="trusted public key file; ID= binds it to one key id (repeatable)",
    )
    p.add_argument(
        "--config",
        metavar="PATH",
        default=None,
        help="use catalogue.trusted_keys of this terminal config instead of --trust",
    )
    p.add_argument("--now", metavar="TIMESTAMP", default=None, help=argparse.SUPPRESS)


def _err(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 1


def _describe(exc: Exception) -> str:
    from kiosk.catalogue.errors import CatalogueError, Invalid

    if isinstance(exc, Invalid):
        return "invalid catalogue:\n" + "\n".join(f"  {p}" for p in exc.problems)
    if isinstance(exc, CatalogueError):
        return f"{exc.reason.replace('_', ' ')}: {exc}"
    return str(exc)


# --- keygen / sign -----------------------------------------------------------------------------


def _keygen(args: argparse.Namespace) -> int:
    from kiosk.catalogue.errors import CatalogueError
    from kiosk.catalogue.signing import generate_keypair, load_public_key, public_key_fingerprint

    try:
        priv, pub = generate_keypair(args.out)
    except CatalogueError as exc:
        return _err(_describe(exc))
    fp = public_key_fingerprint(load_public_key(pub))
    print(f"private key: {priv} (mode 0600; keep it offline, never copy it to a terminal)")
    print(f"public key:  {pub} (fingerprint {fp}; add it to catalogue.trusted_keys)")
    return 0


def _jsonable(obj: Any) -> Any:
    """YAML turns unquoted dates into date objects; the catalogue wants ISO strings."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    return obj


def load_source(path: str | Path) -> dict:
    """A catalogue source file (.yaml/.yml/.json) as a dict; ValueError with the cause if not."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: YAML syntax: {exc}") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: JSON syntax: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the top level must be a mapping")
    return _jsonable(data)


def parse_when(text: str, *, what: str) -> datetime:
    """YYYY-MM-DD (00:00 China Standard Time) or an ISO timestamp with a UTC offset."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), CST)
        ts = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what}: not a date (YYYY-MM-DD) or ISO timestamp: {text!r}") from None
    if ts.tzinfo is None:
        raise ValueError(f"{what}: give a UTC offset, e.g. {text}+08:00")
    return ts


def _sign(args: argparse.Namespace) -> int:
    from kiosk.catalogue.errors import CatalogueError, Invalid
    from kiosk.catalogue.schema import validate_catalogue
    from kiosk.catalogue.signing import add_signature, load_private_key

    if len(args.key) != len(args.key_id):
        return _err("give one --key-id for each --key")
    try:
        data = load_source(args.source)
        issued = (
            parse_when(args.issued_at, what="--issued-at")
            if args.issued_at
            else datetime.now(CST).replace(microsecond=0)
        )
        expires = (
            parse_when(args.expires, what="--expires")
            if args.expires
            else issued + timedelta(days=DEFAULT_VALIDITY_DAYS)
        )
    except ValueError as exc:
        return _err(str(exc))
    data["version"] = args.version
    data["issued_at"] = issued.isoformat()
    data["expires_at"] = expires.isoformat()
    problems = validate_catalogue(data)
    if problems:
        return _err(_describe(Invalid(problems)))
    bundle: dict = {"catalogue": data, "signatures": []}
    try:
        for key_path, key_id in zip(args.key, args.key_id):
            bundle = add_signature(bundle, load_private_key(key_path), key_id)
    except CatalogueError as exc:
        return _err(_describe(exc))
    out = Path(args.out)
    try:
        # Indented for readable diffs in git; the signature covers the canonical form anyway.
        out.write_text(
            json.dumps(bundle, ensure_ascii=False, sort_keys=True, indent=1) + "\n",
            encoding="utf-8",
        )
    except OSError as exc:
        return _err(f"cannot write {out}: {exc.strerror or exc}")
    print(
        f"signed {out}: version {args.version}, {len(data['items'])} items, "
        f"keys {', '.join(args.key_id)}, expires {data['expires_at']}"
    )
    return 0


# --- verify / install --------------------------------------------------------------------------


def _read_bundle(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None


def _trust_sets(args: argparse.Namespace, bundle_bytes: bytes) -> list[dict]:
    """Candidate trusted-key maps: from --config, or one per --trust file.

    A bare PUB file is a trust anchor for whichever key id the bundle names (the key itself is
    what matters); ID=PUB binds it to one key id.
    """
    from kiosk.catalogue.signing import load_public_key, parse_bundle

    if args.config:
        from kiosk import config
        from kiosk.catalogue.trust import trusted_keys_from_config

        return [trusted_keys_from_config(config.load(args.config))]
    if not args.trust:
        raise ValueError("give --trust PUB (repeatable) or --config PATH")
    ids = [s["key_id"] for s in parse_bundle(bundle_bytes)["signatures"]]
    sets: list[dict] = []
    bound: dict = {}
    for spec in args.trust:
        key_id, sep, path = spec.partition("=")
        if sep and not Path(spec).exists():
            bound[key_id] = load_public_key(path)
        else:
            key = load_public_key(spec)
            sets.append({i: key for i in ids})
    if bound:
        sets.insert(0, bound)
    return sets


def _now(args: argparse.Namespace) -> datetime | None:
    return parse_when(args.now, what="--now") if getattr(args, "now", None) else None


def _verify_with(args: argparse.Namespace, data: bytes, action: Any) -> Any:
    """Run action(trusted) with each candidate trust set; the first success or the best error."""
    from kiosk.catalogue.errors import UnknownKey

    last: Exception | None = None
    for trusted in _trust_sets(args, data):
        try:
            return action(trusted)
        except UnknownKey as exc:
            last = last or exc
        except Exception as exc:  # noqa: BLE001 - re-raised below if nothing verifies
            from kiosk.catalogue.errors import BadSignature

            if not isinstance(exc, BadSignature):
                raise
            last = exc
    assert last is not None
    raise last


def _verify(args: argparse.Namespace) -> int:
    from kiosk.catalogue.errors import CatalogueError
    from kiosk.catalogue.signing import verify_bundle
    from kiosk.errors import ConfigError

    try:
        data = _read_bundle(args.bundle)
        now = _now(args)
        cat = _verify_with(args, data, lambda t: verify_bundle(data, t, now=now))
    except (CatalogueError, ConfigError, ValueError) as exc:
        return _err(_describe(exc))
    print(
        f"ok: {args.bundle}: version {cat.version}, {len(cat.items)} items, signed by "
        f"{cat.key_id}, issued {cat.issued_at.isoformat()}, expires {cat.expires_at.isoformat()}"
    )
    return 0


def _open_store(args: argparse.Namespace) -> CatalogueStore:
    """--store DIR (floor in DIR.floor), or the configured store (floor also in the outbox DB)."""
    from kiosk.catalogue.store import CatalogueStore

    if args.store:
        return CatalogueStore(Path(args.store))
    from kiosk import config
    from kiosk.services import catalogue_store

    return catalogue_store(config.load(args.config))


def _install(args: argparse.Namespace) -> int:
    from kiosk.catalogue.errors import CatalogueError
    from kiosk.errors import ConfigError

    try:
        data = _read_bundle(args.bundle)
        store = _open_store(args)
        before = store.version
        now = _now(args)
        cat = _verify_with(args, data, lambda t: store.install(data, t, now=now))
    except (CatalogueError, ConfigError, ValueError) as exc:
        return _err(_describe(exc))
    kept = (
        f"previous version {before} kept as last good"
        if before
        else "first catalogue in this store"
    )
    print(
        f"installed version {cat.version} ({len(cat.items)} items, key {cat.key_id}) in "
        f"{store.directory}; {kept}"
    )
    return 0


# --- show --------------------------------------------------------------------------------------


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def format_table(rows: list[list[str]]) -> str:
    """Rows as aligned columns (CJK characters count as two columns)."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(_pad(c, widths[i]) for i, c in enumerate(r)).rstrip() for r in rows)


def _show(args: argparse.Namespace) -> int:
    from kiosk.catalogue.errors import CatalogueError
    from kiosk.catalogue.schema import build_catalogue
    from kiosk.catalogue.signing import parse_bundle, verify_bundle
    from kiosk.errors import ConfigError

    try:
        if args.bundle:
            data = _read_bundle(args.bundle)
            if args.trust:
                args.config = None
                cat = _verify_with(args, data, lambda t: verify_bundle(data, t))
                where = f"{args.bundle} (signature ok: {cat.key_id})"
            else:
                cat = build_catalogue(parse_bundle(data)["catalogue"])
                where = f"{args.bundle} (signature NOT checked)"
        else:
            store = _open_store(args)
            cat = store.active()
            if cat is None:
                if store.problem:
                    print(f"store {store.directory}: {store.problem}", file=sys.stderr)
                    return 1
                print(f"store {store.directory} is empty (no catalogue installed)")
                return 1
            where = f"store {store.directory}"
    except (CatalogueError, ConfigError, ValueError) as exc:
        return _err(_describe(exc))
    print(
        f"{where}: version {cat.version}, issued {cat.issued_at.isoformat()}, "
        f"expires {cat.expires_at.isoformat()}, {len(cat.items)} items"
    )
    rows = [["#", "code", "kind", "auth", "devices", "fields", "on", "name", "department"]]
    for it in sorted(cat.items, key=lambda i: i.order):
        rows.append(
            [
                str(it.order),
                it.code,
                it.kind,
                ",".join(it.auth) or "none",
                ",".join(it.devices) or "-",
                str(len(it.fields)),
                "yes" if it.enabled else "no",
                it.name_zh,
                it.department_zh,
            ]
        )
    print(format_table(rows))
    print("差评 reason tags: " + " / ".join(t.zh for t in cat.rating_tags))
    return 0
