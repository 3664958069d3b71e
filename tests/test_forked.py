"""Work shared with forked children (``phbrefs.forked``): every part's result comes back in
order, from another process; a part whose child dies is done here; output buffered before the
fork is written once."""

from __future__ import annotations

import os
import subprocess
import sys

from phbrefs.forked import can_fork, cuts, map_forked


def test_each_other_part_is_done_by_a_child_and_comes_back_in_order() -> None:
    assert can_fork()  # one thread, Linux: else map_forked works in this process
    results = map_forked(lambda n: (n * n, os.getpid()), [1, 2, 3])
    assert [square for square, _ in results] == [1, 4, 9]
    pids = [pid for _, pid in results]
    assert pids[0] == os.getpid()
    assert len(set(pids)) == 3  # two children, neither of them this process


def test_a_part_whose_child_dies_is_done_here() -> None:
    parent = os.getpid()

    def square(n: int) -> int:
        if os.getpid() != parent:
            os._exit(1)  # the child dies before sending anything
        return n * n

    assert map_forked(square, [1, 2, 3]) == [1, 4, 9]


def test_output_buffered_before_the_fork_is_written_once() -> None:
    script = (
        "from phbrefs.forked import map_forked\n"
        "print('before', end='')\n"  # held in the pipe's buffer when the children are forked
        "map_forked(str, [1, 2, 3])\n"
        "print()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "before\n", "")


def test_this_process_takes_the_larger_share() -> None:
    assert cuts(1) == []
    first, second = cuts(3)
    assert 1 / 3 < first < second < 1 and first > second - first
