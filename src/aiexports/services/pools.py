"""Forked worker processes for batch work (impact, batch screening)."""

from __future__ import annotations

import multiprocessing
import signal
from multiprocessing.pool import Pool


def _leave_interrupts_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_pool(workers: int) -> Pool:
    """``workers`` forked processes (they inherit the parent's index and compiled
    policies instead of receiving them pickled). Ctrl-C reaches the whole process group:
    the workers ignore it, and the parent, interrupted, ends them, so that one clear
    message is shown instead of a traceback per worker."""
    return multiprocessing.get_context("fork").Pool(
        workers, initializer=_leave_interrupts_to_the_parent
    )
