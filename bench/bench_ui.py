"""UI benchmarks: start → first frame of home vs a bare Kivy label app; screen transition p95;
RSS / open fds / threads after many automated sessions vs after the first.

Each measurement runs in a fresh child process with the SDL offscreen driver.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = int(os.environ.get("BENCH_UI_SESSIONS", "300"))
WARMUP = 50
"""Sessions after which pools (HTTP connections, worker threads, glyph caches) are full."""
RUNS = 3


def _env() -> dict[str, str]:
    env = dict(
        os.environ,
        KIVY_NO_ARGS="1",
        KIVY_NO_CONSOLELOG="1",
        KIVY_NO_FILELOG="1",
        KIVY_LOG_MODE="PYTHON",
        KIVY_HOME=tempfile.mkdtemp(prefix="kivy-bench-"),
    )
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["SDL_VIDEODRIVER"] = "offscreen"
    return env


def _child(mode: str, timeout: float = 300) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_ui", mode],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    wall = time.perf_counter() - t0
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} failed: {out.stderr[-1500:]}")
    data = json.loads(lines[-1])
    data["process_wall_s"] = wall
    return data


def run() -> dict:
    """All three UI measurements, with their baselines from the same run."""
    bare = [_child("bare")["first_frame_s"] for _ in range(RUNS)]
    kiosk = [_child("kiosk")["first_frame_s"] for _ in range(RUNS)]
    trans = _child("transitions")
    trans_bare = _child("transitions_bare")
    soak = _child("sessions", timeout=1200)
    b, k = statistics.median(bare), statistics.median(kiosk)
    return {
        "first_frame_bare_label_s": round(b, 3),
        "first_frame_kiosk_home_s": round(k, 3),
        "first_frame_ratio": round(k / b, 2),
        "first_frame_goal_ratio": 1.5,
        "transition_p50_ms": trans["p50_ms"],
        "transition_p95_ms": trans["p95_ms"],
        "transition_max_ms": trans["max_ms"],
        "transitions": trans["count"],
        "transition_goal_p95_ms": 50,
        "frame_bare_label_p50_ms": trans_bare["p50_ms"],
        "frame_bare_label_p95_ms": trans_bare["p95_ms"],
        "transition_p95_vs_bare_frame": round(trans["p95_ms"] / trans_bare["p95_ms"], 2),
        "sessions": soak["sessions"],
        "session_mean_ms": soak["session_mean_ms"],
        "rss_after_first_mb": soak["rss_first_mb"],
        "rss_after_all_mb": soak["rss_last_mb"],
        "rss_growth_mb": round(soak["rss_last_mb"] - soak["rss_first_mb"], 2),
        "fds_growth": soak["fds_last"] - soak["fds_first"],
        "threads_growth": soak["threads_last"] - soak["threads_first"],
        "rss_growth_after_warmup_mb": round(soak["rss_last_mb"] - soak["rss_warm_mb"], 2),
        "fds_growth_after_warmup": soak["fds_last"] - soak["fds_warm"],
        "threads_growth_after_warmup": soak["threads_last"] - soak["threads_warm"],
        "warmup_sessions": WARMUP,
        "goal": "rss growth ≤ 5 MB, 0 fds, 0 threads",
    }


# ---------------------------------------------------------------- children ----------------

T_START = time.perf_counter()


def _first_frame_then_exit(app_factory) -> None:  # noqa: ANN001
    from kivy.clock import Clock
    from kivy.core.window import Window

    def flipped(*_a: object) -> None:
        Window.unbind(on_flip=flipped)
        print(json.dumps({"first_frame_s": time.perf_counter() - T_START}), flush=True)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    app = app_factory()
    Window.bind(on_flip=flipped)
    app.run()


def child_bare() -> None:
    """A bare Kivy app that opens one label (same window size and font as the kiosk)."""
    from kiosk import app as app_mod
    from kiosk.ui.fonts import find_cjk_font

    app_mod.prepare_kivy(windowed=True, size="1080x1920", font=find_cjk_font())
    from kivy.app import App
    from kivy.uix.label import Label

    class Bare(App):
        def build(self) -> Label:
            return Label(text="安康市政务服务中心24小时自助服务区", font_size=48)

    _first_frame_then_exit(Bare)


def _demo_cfg():  # noqa: ANN202
    from kiosk import config as config_mod

    cfg = config_mod.load(ROOT / "config" / "terminal.toml")
    return cfg.model_copy(update={"data_dir": tempfile.mkdtemp(prefix="kiosk-bench-")})


def child_kiosk() -> None:
    """The kiosk on the demo config: simulators, embedded sandbox, catalogue, home screen."""
    from kiosk import app as app_mod
    from kiosk.ui.fonts import find_cjk_font

    cfg = _demo_cfg()
    app_mod.prepare_kivy(windowed=True, size="1080x1920", font=find_cjk_font())
    from kiosk.ui.app import KioskApp

    _first_frame_then_exit(lambda: KioskApp(cfg))


def _headless_app(cfg=None):  # noqa: ANN001, ANN202
    """The kiosk built and shown in a window without App.run (frames driven by hand)."""
    from kiosk import app as app_mod
    from kiosk.ui.fonts import find_cjk_font

    cfg = cfg or _demo_cfg()
    app_mod.prepare_kivy(windowed=True, size="1080x1920", font=find_cjk_font())
    from kivy.base import EventLoop

    from kiosk.ui.app import KioskApp

    EventLoop.ensure_window()
    app = KioskApp(cfg)
    root = app.build()
    EventLoop.window.add_widget(root)
    end = time.monotonic() + 15
    while app.engine.central.__class__.__name__ == "NoCentral" and time.monotonic() < end:
        EventLoop.idle()  # devices and central come up after the first frame
    for _ in range(5):
        EventLoop.idle()
    return app, EventLoop


SANDBOX = """
import sys
from central.demo import start_embedded
from kiosk import config
handle = start_embedded(config.load())
print(handle.url, flush=True)
sys.stdin.read()
handle.stop()
"""


def _remote_sandbox():  # noqa: ANN202
    """The central sandbox in its own process (as central is on a real terminal)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SANDBOX],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        raise RuntimeError("sandbox did not start")
    return proc, url


def _settle(loop, pred, timeout: float = 10.0) -> None:  # noqa: ANN001
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise TimeoutError("engine did not reach the expected state")
        loop.idle()


def child_transitions() -> None:
    """Time from a citizen's action to the next frame drawn, over many screen changes."""
    from kiosk.session.ports import CardHolder, CardRead

    app, loop = _headless_app()
    eng = app.engine
    holder = CardHolder(name="王小明", id_number="610902199101010010")
    times: list[float] = []

    from kivy.graphics.opengl import glFinish

    def timed(action) -> None:  # noqa: ANN001
        glFinish()  # the previous frame is fully drawn before the clock starts
        t0 = time.perf_counter()
        action()
        loop.idle()
        glFinish()  # ... and this one is on the screen when it stops
        times.append(time.perf_counter() - t0)

    for _ in range(40):
        timed(lambda: eng.select("RS-0102"))  # home → item
        timed(eng.proceed)  # item → identify
        timed(lambda: eng.handle(CardRead(holder)))  # identify → form
        timed(lambda: app.vm.form.choose("pension"))
        timed(lambda: eng.set_value("year", "2025"))
        timed(app.vm.form.next)  # form → confirm
        timed(eng.back)  # confirm → form
        timed(lambda: eng.end("bench"))  # → home (wipe)
    print(json.dumps(_stats(times)))
    app.dispatch("on_stop")


def _stats(times: list[float]) -> dict:
    ms = sorted(t * 1000 for t in times)
    return {
        "count": len(ms),
        "p50_ms": round(ms[len(ms) // 2], 2),
        "p95_ms": round(ms[int(len(ms) * 0.95)], 2),
        "max_ms": round(ms[-1], 2),
    }


def child_transitions_bare() -> None:
    """Baseline: a bare Kivy window (full-screen background + one label) changing its text,
    timed the same way (the renderer's own cost per frame)."""
    from kiosk import app as app_mod
    from kiosk.ui.fonts import find_cjk_font

    app_mod.prepare_kivy(windowed=True, size="1080x1920", font=find_cjk_font())
    from kivy.base import EventLoop
    from kivy.graphics import Color, Rectangle
    from kivy.graphics.opengl import glFinish
    from kivy.uix.label import Label

    EventLoop.ensure_window()
    label = Label(text="安康市政务服务中心24小时自助服务区", font_size=48)
    with label.canvas.before:
        Color(0.94, 0.96, 0.99, 1)
        rect = Rectangle(pos=(0, 0), size=(1080, 1920))
    label.bind(size=lambda w, s: setattr(rect, "size", s))
    EventLoop.window.add_widget(label)
    for _ in range(5):
        EventLoop.idle()
    times = []
    for i in range(320):
        glFinish()
        t0 = time.perf_counter()
        label.text = f"安康市政务服务中心24小时自助服务区 {i}"
        EventLoop.idle()
        glFinish()
        times.append(time.perf_counter() - t0)
    print(json.dumps(_stats(times)))


def _resources() -> tuple[float, int, int]:
    rss_kb = 0
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    return rss_kb / 1024, len(os.listdir("/proc/self/fd")), len(os.listdir("/proc/self/task"))


def child_sessions() -> None:
    """Complete automated sessions (real central sandbox and printer simulator) in a row."""
    import gc

    from kiosk.session.ports import CardHolder, CardRead
    from kiosk.session.states import State

    sandbox, url = _remote_sandbox()
    cfg = _demo_cfg()
    cfg = cfg.model_copy(update={"central": cfg.central.model_copy(update={"url": url})})
    app, loop = _headless_app(cfg)
    eng, vm = app.engine, app.vm
    holder = CardHolder(name="王小明", id_number="610902199101010010")
    from drivers.sim import running

    printer_sim = running.get("printer")
    samples = []
    t0 = time.perf_counter()
    for i in range(SESSIONS):
        eng.select("RS-0102")
        eng.proceed()
        eng.handle(CardRead(holder))
        vm.form.choose("pension")
        eng.set_value("year", "2025")
        vm.form.next()
        eng.confirm()
        _settle(loop, lambda: eng.state == State.RESULT)
        eng.print_receipt()
        _settle(loop, lambda: eng.session.print_state in ("printed", "failed"))
        eng.finish()
        vm.rating.choose("满意")
        vm.rating.submit()
        eng.end("bench")
        loop.idle()
        if printer_sim is not None:  # the citizen takes the receipt: the simulator keeps
            printer_sim.pages.clear()  # every page for tests, which is not the kiosk's memory
            printer_sim.received.clear()
        if i in (0, WARMUP - 1, SESSIONS - 1):
            gc.collect()
            for _ in range(3):
                loop.idle()
            samples.append(_resources())
    elapsed = time.perf_counter() - t0
    (rss1, fd1, th1), (rssw, fdw, thw), (rss2, fd2, th2) = samples
    print(
        json.dumps(
            {
                "sessions": SESSIONS,
                "session_mean_ms": round(elapsed / SESSIONS * 1000, 1),
                "rss_first_mb": round(rss1, 2),
                "rss_warm_mb": round(rssw, 2),
                "rss_last_mb": round(rss2, 2),
                "fds_first": fd1,
                "fds_warm": fdw,
                "fds_last": fd2,
                "threads_first": th1,
                "threads_warm": thw,
                "threads_last": th2,
            }
        )
    )
    app.dispatch("on_stop")
    sandbox.stdin.close()
    sandbox.wait(10)


if __name__ == "__main__":
    {
        "bare": child_bare,
        "kiosk": child_kiosk,
        "transitions": child_transitions,
        "transitions_bare": child_transitions_bare,
        "sessions": child_sessions,
    }[sys.argv[1]]()
