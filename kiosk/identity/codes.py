"""App codes (电子社保卡, 医保电子凭证, 秦务员 / i安康) shown to the scanner on the identify screen.

The scanned text goes to central unparsed (POST /v1/identity/code); only central's answer
identifies the citizen. The terminal reads no claim out of the QR, and keeps neither the code
nor the answer after the session (the holder lives in the session like a card read).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kiosk.session.ports import CardHolder

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

log = logging.getLogger(__name__)

#: central error code → identify problem (i18n identify.<key>).
PROBLEMS = {
    "code_invalid": "code_invalid",
    "code_expired": "code_expired",
    "code_used": "code_used",
    "code_revoked": "code_revoked",
    "issuer_unavailable": "code_unavailable",
}
MAX_CODE_LEN = 2048


class CodeIdentityPort:
    """The central client's identify_code as the session needs it."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def identify(self, code: str) -> CardHolder:
        """Central's holder for `code`; CodeRefusedByCentral / central client errors otherwise."""
        from kiosk.central_errors import HTTPStatusError

        try:
            ident = self.client.identify_code(code)
        except HTTPStatusError as exc:
            if exc.code in PROBLEMS:
                raise CodeRefusedByCentral(exc.code) from None
            raise
        h = ident.holder
        return CardHolder(
            name=h.name, id_number=h.id_number, card_type=h.card_type, method="app_code"
        )

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()


class CodeRefusedByCentral(Exception):
    """Central (the issuing platform) refused the code: expired, used, revoked, forged."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class CodeFlow:
    """One scan at a time on the identify screen; the first card or code presented wins."""

    def __init__(self, engine: SessionEngine) -> None:
        self.engine = engine
        self.port: CodeIdentityPort | None = None
        self.busy = False
        self._generation = 0

    def scanned(self, text: str) -> None:
        """A code arrived while the identify screen accepts app codes."""
        e = self.engine
        code = text.strip()
        if self.busy or not code:
            return
        if self.port is None:
            e.session.identify_problem = "code_unavailable"
            return
        if len(code) > MAX_CODE_LEN:
            e.session.identify_problem = "code_invalid"
            return
        self.busy = True
        self._generation += 1
        gen, port = self._generation, self.port
        e.session.identify_problem = "code_checking"
        e.touch()
        e.runner(lambda: port.identify(code), lambda r, err: self._done(gen, r, err))

    def _done(self, gen: int, holder: CardHolder | None, err: BaseException | None) -> None:
        if gen != self._generation:
            return  # the session ended or a card won meanwhile
        self.busy = False
        e = self.engine
        if err is None and holder is not None:
            e.identified(holder)
            return
        if isinstance(err, CodeRefusedByCentral):
            problem = PROBLEMS.get(err.code, "code_failed")
        else:
            log.warning("app code not checked: %s", type(err).__name__ if err else "no answer")
            problem = "code_offline"
        log.info("app code refused: %s", problem)
        if e.session.identify_problem == "code_checking":
            e.session.identify_problem = problem
        e.touch()
        e.notify()

    def cancel(self) -> None:
        """Forget a check in flight (a card won, or the session ended)."""
        self._generation += 1
        self.busy = False
