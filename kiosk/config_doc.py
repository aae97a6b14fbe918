"""Generate the configuration reference (docs/configuration.md) from the pydantic model."""

from __future__ import annotations

import sys
import typing

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from kiosk.config import PROJECT_ROOT, TerminalConfig

DOC = PROJECT_ROOT / "docs" / "configuration.md"


def _type_name(annotation: object) -> str:
    text = str(annotation).replace("typing.", "")
    if isinstance(annotation, type):
        text = annotation.__name__
    return text.replace("kiosk.config.", "")


def _section(model: type[BaseModel], prefix: str, out: list[str]) -> None:
    nested = []
    rows = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            nested.append((name, ann, field.description or ""))
            continue
        if field.is_required():
            default = "**required**"
        elif field.default is PydanticUndefined:
            default = ""
        else:
            default = f"`{field.default!r}`".replace("|", "\\|")
        if (
            typing.get_origin(ann) is list
            and typing.get_args(ann)
            and isinstance(typing.get_args(ann)[0], type)
            and issubclass(typing.get_args(ann)[0], BaseModel)
        ):
            nested.append((f"{name}[]", typing.get_args(ann)[0], field.description or ""))
        desc = " ".join((field.description or "").split()).replace("|", "\\|")
        rows.append(f"| `{name}` | {_type_name(ann).replace('|', 'or')} | {default} | {desc} |")
    out.append(f"## `{prefix or '(top level)'}`\n")
    doc = (model.__doc__ or "").strip()
    if doc:
        out.append(doc + "\n")
    out.append("| key | type | default | meaning |\n|---|---|---|---|")
    out.extend(rows)
    out.append("")
    for name, sub, _desc in nested:
        _section(sub, f"{prefix}.{name}" if prefix else name, out)


def render() -> str:
    """The whole reference as Markdown."""
    out = [
        "# Terminal configuration reference",
        "",
        "Generated from `kiosk/config.py` by `python -m kiosk.config_doc`; a test fails when it",
        "is out of date. Check a file with `kiosk config check PATH`: unknown keys are errors.",
        "Relative paths: files named in the config are relative to the config file's folder;",
        "state (outbox, catalogue store, logs) is relative to `data_dir`.",
        "",
    ]
    _section(TerminalConfig, "", out)
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    """Write docs/configuration.md."""
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
