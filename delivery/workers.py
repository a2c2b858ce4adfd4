"""The sending threads: ``connections`` SMTP connections in parallel, each carrying many messages.

Recipients wait in one queue; each thread keeps its connection open and takes the next
one as soon as the server has answered the last, within a shared messages-per-second
limit. A round sends to everyone once; the temporary failures go round again after a
pause that doubles each time. A setting to fix (``DeliveryError``) stops every thread.

Each message is recorded twice: ``handed`` just before its final line goes (see
``delivery.smtp``), then the server's answer.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from delivery.message import Wire
from delivery.options import SmtpOptions
from delivery.smtp import Outcome, SmtpSession, Unreachable

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class RateLimit:
    """At most ``per_second`` messages a second across all threads (0: no limit)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        """Block until this thread may send its next message."""
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next)
            self.next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


class _Round:
    """The work of one round shared by the sending threads: who is left, what came of it."""

    def __init__(self, pending: list[str]) -> None:
        self.queue = deque(pending)
        self.lock = threading.Lock()
        self.down: Outcome | None = None  # the server could not be reached in this round
        self.error: BaseException | None = None
        self.stop = False

    def next(self) -> str | None:
        with self.lock:
            if self.error is not None or self.stop or not self.queue:
                return None
            return self.queue.popleft()


Make = Callable[[str, bool], bytes | Wire]
Record = Callable[[str, str, Outcome | None], None]


def deliver(smtp: SmtpOptions, sender: str, pending: list[str], make: Make,
            record: Record | None,
            sleep: Callable[[float], None] = time.sleep, progress: Progress | None = None
            ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Send each recipient its message over ``smtp.connections`` connections, in rounds.

    Everyone once, then the temporary failures again after a pause, ``smtp.retries`` times.
    ``make(recipient, eightbit)`` gives the message (8bit allowed when ``eightbit``: the
    server offers 8BITMIME). ``record(recipient, status, outcome)`` is called from the
    sending threads: with ``handed`` and None just before a message's final line goes,
    then with ``sent``, ``failed`` or ``deferred`` as its answer arrives (``record``
    None: nothing is recorded). A DeliveryError (a setting to fix) stops every thread
    and is raised.
    """
    limiter = RateLimit(smtp.messages_per_second)
    order = {r: n for n, r in enumerate(pending)}
    delivered: list[str] = []
    failed: dict[str, str] = {}
    total, finished = len(pending), 0
    round_number = 0
    results_lock = threading.Lock()
    while pending:
        round_number += 1
        last_round = round_number > smtp.retries
        work = _Round(pending)
        again: list[str] = []

        def settle(recipient: str, outcome: Outcome) -> None:
            nonlocal finished
            with results_lock:
                if outcome.status == "sent":
                    delivered.append(recipient)
                    failed.pop(recipient, None)
                else:
                    failed[recipient] = (outcome.answer if outcome.status == "permanent"
                                         else f"temporary: {outcome.answer}")
                    if outcome.status == "temporary" and not last_round:
                        again.append(recipient)
                        return
                finished += 1
                if progress:
                    progress(finished, total)

        def worker() -> None:
            session = SmtpSession(smtp, sender)
            try:
                while (recipient := work.next()) is not None:
                    outcome = work.down
                    if outcome is None:
                        try:
                            # Connect before marking anyone: a setting to fix (DeliveryError) leaves no trace.
                            session.open()
                        except Unreachable as exc:
                            # Everyone else in this round would wait for the same timeout; they share the answer.
                            with work.lock:
                                work.down = work.down or Outcome("temporary", None, str(exc))
                            outcome = work.down
                    if outcome is None and smtp.messages_per_connection and \
                            session.carried >= smtp.messages_per_connection:
                        session.close()
                        try:
                            session.open()
                        except Unreachable as exc:
                            outcome = Outcome("temporary", None, str(exc))
                    if outcome is None:
                        limiter.wait()
                        handed = (lambda: record(recipient, "handed", None)) if record else None
                        carried = session.carried
                        outcome = session.send(recipient, make(recipient, session.eightbit), handed)
                        if outcome.status == "temporary" and session.conn is None and carried:
                            # The server ended a connection that had carried messages (many
                            # limit the messages per connection): once more on a fresh one.
                            log.info("connection ended after %d messages (%s); reconnecting", carried, outcome.answer)
                            try:
                                session.open()
                                outcome = session.send(recipient, make(recipient, session.eightbit), handed)
                            except Unreachable:
                                pass
                            except BaseException:
                                if record:  # a message left 'handed' would count as delivered
                                    record(recipient, "deferred", outcome)
                                raise
                    if record:
                        status = {"sent": "sent", "permanent": "failed"}.get(outcome.status, "deferred")
                        record(recipient, status, outcome)
                    if outcome.status == "sent":
                        log.info("delivered to %s: %s", recipient, outcome.answer)
                    else:
                        log.warning("%s failure for %s: %s", outcome.status, recipient, outcome.answer)
                    settle(recipient, outcome)
            except BaseException as exc:  # noqa: BLE001 (handed to the main thread, raised there)
                with work.lock:
                    work.error = work.error or exc
            finally:
                session.close()

        threads = [threading.Thread(target=worker, name=f"smtp-{n}", daemon=True)
                   for n in range(min(smtp.connections, len(pending)))]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)
        except BaseException:
            work.stop = True  # Ctrl-C: each thread finishes (and records) the message in hand
            for thread in threads:
                thread.join(smtp.timeout)
            raise
        if work.error is not None:
            raise work.error
        if again:
            delay = smtp.retry_delay * 2 ** (round_number - 1)
            log.info("retrying %d recipient(s) in %.1f s", len(again), delay)
            sleep(delay)
        retry = set(again)
        pending = [r for r in pending if r in retry]
    return (tuple(sorted(delivered, key=order.__getitem__)),
            tuple(sorted(failed.items(), key=lambda item: order[item[0]])))
