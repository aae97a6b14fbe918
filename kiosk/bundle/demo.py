"""Demo values for the 新生儿出生一件事 walk of `make shots` (kiosk.ui.shots_guide)."""

from __future__ import annotations

NEWBORN_FIELDS = (
    ("baby_name", "王小宝"),
    ("baby_sex", "male"),
    ("birth_cert_no", "A612345678"),
    ("phone", "13800138000"),
)
"""A certificate number from outside the sandbox registry: central refuses the 户籍 item."""
POLICY_PINYIN, POLICY_WORD = "butie", "补贴"
"""A search typed in pinyin on the policy library."""
