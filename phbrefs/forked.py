"""Work shared with forked processes on a second core: a large file's parse (``parsing``), a
large export's entries (``formats.bibtex``). A forked child inherits what this process holds
(the text, the loaded works) without any pickling, and sends back only its result; anything
unusual (no fork, other threads running, a child failing) has the work done here instead."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Part = TypeVar("Part")
Result = TypeVar("Result")


# This process's share of the work a little larger than a child's: a child's result still has
# to travel back through a pipe.
PARENT_SHARE = 1.15


def cuts(count: int) -> list[float]:
    """Where to cut work into ``count`` parts (fractions of it, ascending), the first part,
    this process's, ``PARENT_SHARE`` times the others."""
    shares = [PARENT_SHARE, *([1.0] * (count - 1))]
    return [sum(shares[:i]) / sum(shares) for i in range(1, count)]


def free_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Fork only where it is safe: Linux, no other thread, not inside a daemonic worker."""
    import multiprocessing
    import threading

    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


def map_forked(function: Callable[[Part], Result], parts: Sequence[Part]) -> list[Result]:
    """``[function(part) for part in parts]``: the first part here, each other one in a forked
    child at the same time; a child that fails (or is killed) has its part done here."""
    if len(parts) < 2 or not can_fork():
        return [function(part) for part in parts]
    import multiprocessing

    # (multiprocessing flushes this process's output before it forks: not written twice)
    context = multiprocessing.get_context("fork")
    children = []
    try:
        for part in parts[1:]:
            reader, writer = context.Pipe(duplex=False)
            child = context.Process(
                target=_run_in_child, args=(function, part, writer, os.getpid()), daemon=True
            )
            child.start()
            writer.close()
            children.append((child, reader))
        results = [function(parts[0])]
        for part, (_, reader) in zip(parts[1:], children, strict=True):
            try:
                results.append(reader.recv())
            except (EOFError, OSError):  # the child died or could not send its result
                results.append(function(part))
            finally:
                reader.close()
        return results
    finally:
        for child, _ in children:
            if child.is_alive():
                child.terminate()
            child.join()


def end_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (a parent killed with -9 never
    reads the result, and the child would wait on its pipe forever)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux's C library: the parent check below remains
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _run_in_child(function: Callable[[Any], Any], part: Any, writer: Any, parent: int) -> None:
    end_with_parent(parent)
    try:
        writer.send(function(part))
    except BaseException:  # the parent does the part itself when nothing arrives
        pass
    finally:
        writer.close()
