"""The back ends central talks to for answers it does not hold itself.

In the sandbox they are simulations (central.sandbox); a production deployment plugs in the
departments' systems, or has none: then the endpoint answers 503 with a `*_backend_unavailable`
code instead of a simulated answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol


class QueryBackend(Protocol):
    """Answers query/print/progress items (the sandbox: central.sandbox.queries)."""

    def answer(
        self,
        item_code: str,
        item_name: str,
        id_number: str,
        today: date,
        params: Mapping[str, Any] | None = None,
        item_name_en: str = "",
    ) -> Any:
        """The answer (title, columns, rows, values, English) for one citizen."""

    def printable(
        self, ans: Any, case_no: str, id_number: str, name: str, printed_at: str
    ) -> list[str]:
        """Receipt lines of an answer (personal data masked)."""


@dataclass(frozen=True)
class Backends:
    """Which back ends this app has (None: not available → 503)."""

    queries: QueryBackend | None = None
    progress: Callable[[Mapping[str, Any], float], list[tuple[str, float, str]]] | None = None
    """Case progress source: (case row, now) → events due; None: cases move only when
    staff or a department system records a step."""
    payments: bool = False
    """A payment platform is connected (the sandbox platform only, for now)."""
    face: bool = False
    """A 人证比对 service is connected (the sandbox's comparison only, for now)."""


def sandbox() -> Backends:
    """The simulated back ends of the embedded sandbox and the demo."""
    from central.sandbox import progress, queries

    return Backends(
        queries=queries,
        progress=progress.due_events,  # type: ignore[arg-type]
        payments=True,
        face=True,
    )


def production() -> Backends:
    """No simulated back end (what `--no-sandbox` serves until real ones are configured)."""
    return Backends()
