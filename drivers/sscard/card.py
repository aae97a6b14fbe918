"""The public data of one 社保卡 as read from its EF05 / EF06 records (masked repr)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from drivers.privacy import mask_id_number, mask_name

#: 规范版本 → generation as citizens say it (第二代 from "2.00", 第三代 from "3.00").
GENERATIONS = {"1": "第一代", "2": "第二代", "3": "第三代"}
SEX = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}


@dataclass(frozen=True)
class SSCard:
    """社会保障卡 public data: card number, holder, region, version, validity."""

    card_number: str
    id_number: str
    name: str
    region_code: str
    card_version: str
    valid_until: dt.date | None
    issued_on: dt.date | None = None
    sex: str = ""
    card_type: str = ""
    atr: bytes = field(default=b"", repr=False)

    @property
    def generation(self) -> str:
        """第二代 / 第三代 … from the 规范版本 ("" when unknown)."""
        return GENERATIONS.get(self.card_version[:1], "")

    @property
    def sex_text(self) -> str:
        """性别 as printed ("" when the card has none)."""
        return SEX.get(self.sex, "")

    def expired(self, today: dt.date) -> bool:
        """Whether the card's 有效期 is over on `today` (no date: never expires)."""
        return self.valid_until is not None and today > self.valid_until

    def __repr__(self) -> str:  # personal data never reaches a log through repr
        return (
            f"SSCard(card_number={self.card_number[:2]}***, id_number="
            f"{mask_id_number(self.id_number)}, name={mask_name(self.name)}, "
            f"region={self.region_code}, version={self.card_version}, "
            f"valid_until={self.valid_until})"
        )

    __str__ = __repr__
