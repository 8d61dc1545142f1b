"""The event loop: timers in order, fds, signals through the wakeup fd, no idle timeout."""

from __future__ import annotations

import os
import signal
import time

from supervisor_tools.runtime.loop import Loop


def test_timers_fire_in_deadline_order_and_cancelled_ones_never() -> None:
    loop = Loop()
    fired: list[str] = []
    now = time.monotonic()
    loop.call_at(now + 0.02, lambda: fired.append("late"))
    loop.call_at(now, lambda: fired.append("first"))
    loop.call_at(now + 0.01, lambda: fired.append("never")).cancel()
    loop.call_at(now + 0.01, lambda: fired.append("second"))
    while len(fired) < 3:
        loop.run_once()
    assert fired == ["first", "second", "late"]
    loop.close()


def test_idle_loop_has_no_timeout() -> None:
    loop = Loop()
    assert loop._timeout() is None  # blocks in the selector until something happens
    t = loop.call_later(100, lambda: None)
    assert 99 < (loop._timeout() or 0) <= 100
    t.cancel()
    assert loop._timeout() is None
    loop.close()


def test_readable_fd_and_after_batch_callbacks() -> None:
    loop = Loop()
    r, w = os.pipe()
    got: list[bytes] = []
    batches: list[int] = []
    loop.add_reader(r, lambda: got.append(os.read(r, 100)))
    loop.after_each_batch(lambda: batches.append(len(got)))
    os.write(w, b"ping")
    loop.run_once()
    assert got == [b"ping"] and batches == [1]
    loop.remove(r)
    os.close(r)
    os.close(w)
    loop.close()


def test_signals_arrive_through_the_wakeup_fd() -> None:
    loop = Loop()
    seen: list[int] = []
    loop.add_signal(signal.SIGUSR1, seen.append)
    try:
        os.kill(os.getpid(), signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            loop.run_once()
        assert seen == [signal.SIGUSR1]
    finally:
        loop.close()


def test_a_failing_callback_is_reported_and_the_loop_goes_on() -> None:
    loop = Loop()
    errors: list[BaseException] = []
    loop.on_error = errors.append
    fired: list[int] = []

    def boom() -> None:
        raise RuntimeError("bug")

    now = time.monotonic()
    loop.call_at(now, boom)
    loop.call_at(now, lambda: fired.append(1))
    loop.run_once()
    assert fired == [1] and isinstance(errors[0], RuntimeError)
    loop.close()


def test_a_thread_hands_a_callback_to_a_sleeping_loop() -> None:
    import threading

    loop = Loop()
    ran: list[str] = []
    assert loop._timeout() is None  # nothing would wake it but the thread
    thread = threading.Thread(target=lambda: (time.sleep(0.2),
                                              loop.call_from_thread(lambda: ran.append(
                                                  threading.current_thread().name))))
    loop.call_later(10, lambda: None)  # the bound, were the thread never to wake the loop
    thread.start()
    began = time.monotonic()
    loop.run_once()  # sleeps in the selector until the thread's callback wakes it
    assert time.monotonic() - began < 5
    thread.join()
    loop.close()
    assert ran == [threading.main_thread().name]
