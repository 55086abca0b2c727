"""A task that crashes or hangs its worker fails alone; every other task still runs."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

from llmlint.pool import TaskFailure, WorkerPool


def _work(task: str) -> str:
    if task == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if task == "hang":
        time.sleep(60)
    return task.upper()


def _init() -> Callable[[str], str]:
    return _work


def run_pool(tasks: list[str], jobs: int) -> dict[str, str | TaskFailure]:
    pool: WorkerPool[str, str] = WorkerPool(jobs, _init, (), timeout=2.0)
    return {tasks[index]: result for index, result in pool.run(tasks)}


def test_results_of_every_task() -> None:
    tasks = [f"t{n}" for n in range(20)]
    assert run_pool(tasks, jobs=3) == {t: t.upper() for t in tasks}


def test_a_crashing_task_fails_alone() -> None:
    results = run_pool(["a", "crash", "b", "c"], jobs=1)
    assert results["a"] == "A" and results["b"] == "B" and results["c"] == "C"
    failure = results["crash"]
    assert isinstance(failure, TaskFailure)
    assert "crashed" in failure.reason and "SIGSEGV" in failure.reason


def test_a_hanging_task_times_out_alone() -> None:
    started = time.monotonic()
    results = run_pool(["hang", "a", "b"], jobs=2)
    assert time.monotonic() - started < 20
    assert results["a"] == "A" and results["b"] == "B"
    failure = results["hang"]
    assert isinstance(failure, TaskFailure) and "budget" in failure.reason


def test_no_tasks_start_no_workers() -> None:
    assert run_pool([], jobs=4) == {}
