"""Errors with a way forward: network loss within 5 s, greyed tiles that explain, paper out."""

from __future__ import annotations

import socket
import time

from kiosk.netwatch.probe import reachable
from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase


def test_reachable_by_tcp_connect() -> None:
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        assert reachable(f"http://127.0.0.1:{port}/v1", 1.0)
    assert not reachable(f"http://127.0.0.1:{port}", 1.0)  # closed: refused at once
    assert not reachable("not a url", 1.0)


class NetworkLossTest(KioskTestCase):
    """The network is cut on the home screen: shown within 5 s, working items first."""

    def tearDown(self) -> None:
        self.services.set_network(True)
        super().tearDown()

    def test_network_loss_shows_within_5_s_and_greyed_tiles_explain(self) -> None:
        self.start_app()
        eng, home = self.engine, self.app.vm.home
        self.wait_until(lambda: eng.online, what="online at start")
        cut = time.monotonic()
        self.services.set_network(False)
        self.wait_until(lambda: not eng.online, timeout=5.0, what="offline within 5 s")
        lost_after = time.monotonic() - cut
        self.frames(3)
        self.find("● 网络中断")
        self.find("网络中断：仍可办理的事项排在前面")
        first = [t for t in home.tiles[:2]]
        assert all(t["available"] for t in first), first  # the two offline items lead page 1
        assert {t["name"] for t in first} == {"无犯罪记录证明申请", "12345诉求提交"}
        assert not home.tiles[2]["available"]
        self.tap(home.tiles[2]["name"])  # a greyed tile
        assert eng.state == State.HOME
        assert (
            home.notice_open and "网络中断" in home.notice_text and "人工窗口" in home.notice_text
        )
        self.find(home.notice_text)
        self.tap("知道了")
        assert not home.notice_open
        back = time.monotonic()
        self.services.set_network(True)
        self.wait_until(lambda: eng.online, timeout=5.0, what="online again within 5 s")
        print(
            f"offline shown after {lost_after:.2f} s, online after {time.monotonic() - back:.2f} s"
        )
