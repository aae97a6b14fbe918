"""好差评 on the terminal: the screen rendered from the rating dictionary, the callback phone
after consent (never kept after the rating), and a dictionary version change from central."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import requests

from central.server import run_in_thread
from central.storage import Storage
from kiosk.adapters import CentralPort
from kiosk.central_client import CentralClient
from kiosk.outbox import Kind, Outbox
from kiosk.rating.defaults import DEFAULT_DICTIONARY
from kiosk.rating.dictionary import DictionaryCache
from kiosk.session.ports import CardRead, RatingRecord
from kiosk.session.states import State
from tests.kiosk.session.fixtures import ZHANG
from tests.kiosk.ui.test_viewmodels import make


def to_rating(eng) -> None:  # type: ignore[no-untyped-def]
    eng.select("P-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    eng.confirm()
    eng.finish()
    assert eng.state == State.RATING


def test_screen_from_the_dictionary_and_a_consented_callback_phone(tmp_path: Path) -> None:
    eng, vm = make()
    cache = DictionaryCache(tmp_path / "dict.json")
    eng.rating_dictionary = cache.current
    to_rating(eng)
    r = vm.rating
    r.update(eng)
    assert [lv["text"] for lv in r.levels] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    r.choose("满意")
    assert [t["text"] for t in r.tags] == ["办事效率高", "操作方便", "指引清楚", "一次办成"]
    assert r.can_submit and not r.offer_callback  # reasons optional, no callback for a good one
    assert [i["text"] for i in r.indicators] == ["服务效率", "服务水平/便利度", "服务态度"]
    r.choose("非常不满意")
    assert len(r.tags) == 8 and r.offer_callback and not r.can_submit
    r.toggle_tag("device_fault")
    r.score("attitude", "不满意")
    r.toggle_consent()
    assert r.panel == "phone" and not r.can_submit  # consent given: the number is needed now
    for k in "13900001111":
        r.phone_key(k)
    assert r.panel == "" and r.phone_shown == "139****1111" and r.can_submit
    r.submit()
    assert eng.state == State.DONE
    (sent,) = eng.central.ratings
    assert sent.dictionary_version == 1 and sent.tags == ("device_fault",)
    assert dict(sent.indicators) == {"overall": "非常不满意", "attitude": "不满意"}
    assert (
        sent.callback_phone == "13900001111" and sent.hall == "安康市政务服务中心24小时自助服务区"
    )
    assert eng.ratings[-1].callback_phone == ""  # the engine's history keeps no phone
    assert r.phone == "" and not r.consent and r.comment == ""


def test_unticking_consent_forgets_the_number_and_a_good_level_drops_it() -> None:
    eng, vm = make()
    eng.rating_dictionary = DictionaryCache(None).current
    to_rating(eng)
    r = vm.rating
    r.choose("不满意")
    r.toggle_tag("too_slow")
    r.toggle_consent()
    for k in "1390000":
        r.phone_key(k)
    assert r.error_text == "请输入11位手机号，或取消回访"
    r.toggle_consent()
    assert r.phone == "" and r.panel == ""
    r.toggle_consent()
    r.phone_key("1")
    r.choose("满意")
    assert r.phone == "" and not r.consent


def test_dictionary_version_change_reaches_the_terminal_and_its_ratings(tmp_path: Path) -> None:
    db = tmp_path / "central.sqlite3"
    store = Storage(db)
    secret = store.add_terminal("DEMO-0001", None, time.time())
    token = store.add_token("staff", time.time())
    store.close()
    handle = run_in_thread(db)
    try:
        client = CentralClient(handle.url, "DEMO-0001", secret)
        cache = DictionaryCache(tmp_path / "term" / "rating-dictionary.json")
        assert not cache.refresh(client) and cache.current().version == 1  # same version
        v2 = json.loads(json.dumps(DEFAULT_DICTIONARY))
        v2["version"] = 2
        v2["reasons_by_level"]["不满意"].append(
            {"code": "queue_long", "zh": "排队太久", "en": "Long queue"}
        )
        r = requests.put(
            handle.url + "/v1/admin/rating-dictionary",
            timeout=10,
            data=json.dumps(v2, ensure_ascii=False).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        assert cache.refresh(client) and cache.current().version == 2
        assert not cache.refresh(client)  # ETag: 304
        path = tmp_path / "term" / "rating-dictionary.json"
        assert path.stat().st_mode & 0o777 == 0o600
        assert DictionaryCache(path).current().version == 2  # kept across a restart offline
        assert not cache.install(json.dumps(DEFAULT_DICTIONARY).encode())  # never downgraded
        assert cache.current().version == 2

        eng, vm = make()
        eng.rating_dictionary = cache.current
        to_rating(eng)
        vm.rating.choose("不满意")
        assert "排队太久" in [t["text"] for t in vm.rating.tags]
        vm.rating.toggle_tag("queue_long")
        vm.rating.submit()
        (rec,) = eng.central.ratings
        # the same record through the real outbox body to central: accepted under version 2
        sub = client.submit(
            {
                "item_code": "SB-APPLY-001",
                "region_code": "610900",
                "applicant": {"id_number": "11010519491231002X", "name": "张三"},
                "fields": {},
            },
            str(uuid.uuid4()),
        )
        box = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "outbox.key", terminal_id="DEMO-0001")
        port = CentralPort(client, box, "610900")
        port.rate(
            RatingRecord(
                sub.case_no,
                "SB-APPLY-001",
                rec.level,
                rec.tags,
                "",
                dictionary_version=rec.dictionary_version,
                indicators=rec.indicators,
                hall=rec.hall,
            )
        )
        row = box.head(Kind.RATING)
        assert row is not None
        body = box.payload(row)
        assert body["dictionary_version"] == 2 and body["tags"] == ["queue_long"]
        ok = client.rate(body, str(uuid.uuid4()))
        assert ok.rating_id >= 1
        box.close()
        client.close()
    finally:
        handle.stop()


def test_a_damaged_cache_falls_back_to_the_shipped_dictionary(tmp_path: Path) -> None:
    path = tmp_path / "rating-dictionary.json"
    path.write_text('{"dictionary": {"version": 7}}', encoding="utf-8")
    assert DictionaryCache(path).current().version == 1
    path.write_bytes(b"\xff\x00 not json")
    assert DictionaryCache(path).current().version == 1


def test_real_name_is_the_citizens_choice_and_not_kept() -> None:
    from kiosk.rating.record import body

    eng, vm = make()
    eng.rating_dictionary = DictionaryCache(None).current
    to_rating(eng)
    r = vm.rating
    r.choose("满意")
    assert r.offer_real_name and not r.real_name  # anonymous unless chosen
    r.toggle_real_name()
    r.submit()
    (sent,) = eng.central.ratings
    assert sent.rater == (ZHANG.name, ZHANG.id_number)
    assert eng.ratings[-1].rater is None
    b = body(
        sent.service_id, sent.item_code, sent.level or "", sent.tags, "", 1, {}, "", "", sent.rater
    )
    assert b["real_name"] is True and b["rater"]["id_number"] == ZHANG.id_number
