"""Worker processes that a crashing or runaway file cannot take down.

libcst's native parser can kill its process (SIGSEGV on deeply nested code) and is
super-linear on some inputs. Each task therefore runs in a worker process; when a
worker dies or overruns the per-task time budget, that task fails with a reason, the
worker is replaced, and every other task still runs.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import multiprocessing
import multiprocessing.connection
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class TaskFailure:
    """Why a task produced no result: its worker crashed or ran out of time, or (with
    `internal`) the task raised an exception, which is a bug in llmlint."""

    reason: str
    internal: bool = False


def _context() -> multiprocessing.context.BaseContext:
    # fork shares the already-imported parser and rules with every worker; macOS and
    # Windows cannot fork safely, so they spawn.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _worker_main(
    conn: multiprocessing.connection.Connection,
    init: Callable[..., Callable[[Any], Any]],
    init_args: tuple[Any, ...],
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()  # a crash is reported as a finding, not as a stack dump
    gc.enable()  # a parent that paused its collector must not pause its workers'
    work = init(*init_args)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            conn.send(work(task))
        except Exception as error:  # a bug: report it, keep the worker
            conn.send(TaskFailure(f"{type(error).__name__}: {error}", internal=True))


def _signal_name(exitcode: int | None) -> str:
    if exitcode is None:
        return "unknown cause"
    if exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"


def _crash_reason(worker: _Worker) -> str:
    worker.process.join(timeout=1)
    return (
        f"llmlint's parser crashed on this file ({_signal_name(worker.process.exitcode)}); "
        "very deeply nested code causes this"
    )


class _Worker:
    def __init__(self, ctx: Any, init: Callable[..., Any], init_args: tuple[Any, ...]) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process: BaseProcess = ctx.Process(
            target=_worker_main, args=(child, init, init_args), daemon=True
        )
        self.process.start()
        child.close()
        self.task: Any = None
        self.index = -1
        self.deadline = 0.0

    def stop(self, force: bool = False) -> None:
        if force:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class WorkerPool(Generic[T, R]):
    """Runs `init(*init_args)(task)` for each task in `jobs` isolated processes."""

    def __init__(
        self,
        jobs: int,
        init: Callable[..., Callable[[T], R]],
        init_args: tuple[Any, ...],
        timeout: float,
    ) -> None:
        self.jobs = max(1, jobs)
        self.init = init
        self.init_args = init_args
        self.timeout = timeout
        self.ctx = _context()

    def run(self, tasks: Sequence[T]) -> Iterator[tuple[int, R | TaskFailure]]:
        """Yields (task index, result or failure) as tasks finish."""
        pending = deque(range(len(tasks)))
        workers: list[_Worker] = []
        try:
            for _ in range(min(self.jobs, len(tasks))):
                workers.append(_Worker(self.ctx, self.init, self.init_args))
            idle = list(workers)
            busy: dict[Any, _Worker] = {}
            while pending or busy:
                while pending and idle:
                    worker = idle.pop()
                    index = pending.popleft()
                    worker.index, worker.deadline = index, time.monotonic() + self.timeout
                    worker.conn.send(tasks[index])
                    busy[worker.conn] = worker
                wait_for = min(w.deadline for w in busy.values()) - time.monotonic()
                ready = multiprocessing.connection.wait(
                    [*busy, *(w.process.sentinel for w in busy.values())], max(0.0, wait_for)
                )
                for worker in list(busy.values()):
                    outcome = self._collect(worker, ready)
                    if outcome is None:
                        continue
                    del busy[worker.conn]
                    yield worker.index, outcome
                    if isinstance(outcome, TaskFailure) and not outcome.internal:
                        workers.remove(worker)
                        worker.stop(force=True)
                        worker = _Worker(self.ctx, self.init, self.init_args)
                        workers.append(worker)
                    idle.append(worker)
        finally:
            for worker in workers:
                worker.stop(force=sys.exc_info()[0] is not None)

    def _collect(self, worker: _Worker, ready: list[Any]) -> R | TaskFailure | None:
        if worker.conn in ready:
            try:
                result: R = worker.conn.recv()
                return result
            except (EOFError, OSError):
                return TaskFailure(_crash_reason(worker))
        if worker.process.sentinel in ready:
            return TaskFailure(_crash_reason(worker))
        if time.monotonic() >= worker.deadline:
            return TaskFailure(f"analysis took longer than the {self.timeout:g} s budget per file")
        return None
