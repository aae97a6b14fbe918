"""Device events from driver threads reach the engine only on the UI (Kivy clock) thread."""

from __future__ import annotations

import threading

from kivy.clock import Clock

from kiosk.ui.marshal import thread_runner, to_ui


def test_events_from_a_driver_thread_run_on_the_ui_thread() -> None:
    seen: list[tuple[str, bool]] = []
    post = to_ui(
        lambda text: seen.append((text, threading.current_thread() is threading.main_thread()))
    )
    t = threading.Thread(target=post, args=("card",))
    t.start()
    t.join()
    assert seen == []  # not run on the driver thread
    Clock.tick()
    assert seen == [("card", True)]


def test_thread_runner_calls_back_on_the_ui_thread_with_result_or_error() -> None:
    done = threading.Event()
    results: list[tuple[object, object, bool]] = []

    def callback(result: object, err: object) -> None:
        results.append(
            (
                result,
                type(err).__name__ if err else None,
                threading.current_thread() is threading.main_thread(),
            )
        )
        done.set()

    thread_runner(lambda: threading.current_thread().name, callback)
    thread_runner(lambda: 1 / 0, callback)
    for _ in range(200):
        Clock.tick()
        if len(results) == 2:
            break
        threading.Event().wait(0.01)
    assert sorted(results, key=repr) == sorted(
        [("kiosk-work", None, True), (None, "ZeroDivisionError", True)], key=repr
    )
