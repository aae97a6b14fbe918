"""A foreigner finishes a query entirely in English: every screen (and its 求助 panel) is walked
by touch with a Foreign Permanent Resident ID Card, and no Chinese character may show except
proper names (the holder's own name, the 中文 language button) and official-document lines."""

from __future__ import annotations

import re

from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
PROPER_NAMES = ("中文", "玛丽", "玛*")  # the language button; the card holder's name (masked)


class EnglishWalkTest(KioskTestCase):
    """Home → item → identify → form → confirm → result → printing → rating → done, in English."""

    def chinese_on_screen(self) -> list[str]:
        self.frames(2)
        bad = []
        for w in self.visible_widgets():
            text = getattr(w, "text", None)
            if not isinstance(text, str):
                continue
            for name in PROPER_NAMES:
                text = text.replace(name, "")
            if CJK.search(text):
                bad.append(text)
        return bad

    def cut_names(self) -> list[str]:
        """Hall, department and title labels whose text does not fit their box."""
        from kiosk.ui.widgets import FitLabel

        return [
            w.text
            for w in self.visible_widgets()
            if isinstance(w, FitLabel)
            and w.text
            and (w.texture_size[1] > w.height + 1 or w.texture_size[0] > w.width + 1)
        ]

    def check(self, where: str, *, help_too: bool = True) -> None:
        assert self.chinese_on_screen() == [], where
        assert self.cut_names() == [], where
        if help_too:
            self.tap("Help")
            assert self.app.vm.help.visible
            assert "12345" in self.all_texts()
            assert self.chinese_on_screen() == [], f"help on {where}"
            self.tap("Close")
            assert not self.app.vm.help.visible

    def test_foreigner_query_in_english(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        self.tap("EN")
        assert eng.lang == "en"
        self.find("Ankang Government Service Center, 24-hour Self-service Area")
        self.check("home")
        self.tap("Next page")
        self.check("home page 2", help_too=False)
        self.tap("Previous")
        self.tap("Social insurance payment details")
        assert eng.state == State.ITEM
        texts = self.all_texts()
        # the ID document named for every card the item accepts, never a "second-generation ID"
        assert any("Foreign Permanent Resident ID Card" in t for t in texts), texts
        assert not any("second-generation" in t for t in texts)
        self.check("item")
        self.tap("Start")
        assert eng.state == State.IDENTIFY
        self.check("identify")
        sims["idcard"].insert("foreign_2023")
        self.wait_until(lambda: eng.state == State.FORM, what="card read")
        self.check("form")
        self.tap("Next")  # the year is still empty: the errors are English too
        assert eng.state == State.FORM and eng.session.errors
        self.check("form errors", help_too=False)
        assert eng.session.values.get("insurance") == "pension"  # the catalogue's default
        for key in "2025":
            self.tap(key)
        self.tap("Next")  # a read-only query asks central at once: no confirm step
        self.wait_until(lambda: eng.state == State.RESULT, what="central answer")
        texts = self.all_texts()
        # central's answer in English: title, column labels, status terms
        assert "Social insurance payment details (2025-01~2025-12)" in texts, texts
        assert any(t.startswith("Contribution base") for t in texts), texts  # (+ its unit)
        assert "Paid" in texts or "Owed" in texts
        self.check("result")
        self.tap("Print receipt")
        self.wait_until(lambda: eng.session.print_state in ("printed", "failed"), what="printer")
        self.check("printing")
        self.tap("Done")
        assert eng.state == State.RATING
        self.check("rating")
        self.tap("Dissatisfied")
        self.check("rating reasons", help_too=False)
        self.tap("Too slow (waiting or printing)")
        self.tap("Submit")
        assert eng.state == State.DONE
        self.check("done")

    def test_an_item_for_residents_refuses_a_foreigners_card_and_says_which_card(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        self.tap("EN")
        self.tap("Household registration query")
        texts = self.all_texts()
        assert any("(Chinese resident ID card)" in t for t in texts), texts
        assert not any("Foreign Permanent Resident ID Card" in t for t in texts)
        self.tap("Start")
        sims["idcard"].insert("foreign_2023")
        msg = "This service needs a Chinese resident ID card. Please use that card, or go to a service desk."
        self.wait_until(lambda: msg in self.all_texts(), what="the card type refused")
        assert eng.state == State.IDENTIFY and eng.session.holder is None
        assert self.chinese_on_screen() == []
