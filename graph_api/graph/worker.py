"""Betweenness computed in a child process, so it stops no request in this one.

igraph holds the interpreter lock for as long as it computes (0.45 s at 10,000 contacts
with 500 sampled sources). In a thread of the serving process, every request waits for
it; with the computation in chunks, requests and the computation take turns, and a read
that needs 40 ms of CPU took 280 ms. In a child process it runs beside them, on the
other core.

The child is `python -m graph_api.graph.worker`: it imports numpy, SciPy and igraph
only (~0.4 s, once per serving process, on the first graph whose betweenness must be
computed), not the application. A job is the contact count and the edges' two end
arrays; the answer is the betweenness array; each framed as an 8-byte length and
numpy's .npy bytes on the child's stdin and stdout. multiprocessing was not used: its
children import the parent's `__main__` (the whole application, 1.4 s) before the first
job.
"""

from __future__ import annotations

import asyncio
import io
import struct
import sys

import numpy

from graph_api.graph import centrality

LENGTH = struct.Struct("<Q")


def _framed(array: numpy.ndarray) -> bytes:
    buffer = io.BytesIO()
    numpy.save(buffer, array, allow_pickle=False)
    data = buffer.getvalue()
    return LENGTH.pack(len(data)) + data


def _array(data: bytes) -> numpy.ndarray:
    return numpy.load(io.BytesIO(data), allow_pickle=False)  # type: ignore[no-any-return]


class BetweennessWorker:
    """One child process, one job at a time; started on the first job, started again
    after it died."""

    def __init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self.jobs = 0  # answered by the child (tests)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def betweenness(self, count: int, low: numpy.ndarray, high: numpy.ndarray) -> list[float]:
        job = _framed(numpy.array([count], dtype=numpy.int64)) + _framed(low) + _framed(high)
        async with self._lock:
            for attempt in (1, 2):
                process = await self._running()
                assert process.stdin is not None and process.stdout is not None
                try:
                    process.stdin.write(job)
                    await process.stdin.drain()
                    size = LENGTH.unpack(await process.stdout.readexactly(LENGTH.size))[0]
                    answer = _array(await process.stdout.readexactly(size))
                except (ConnectionError, asyncio.IncompleteReadError):
                    # the child died (killed, out of memory): once more with a new one
                    await self._stopped()
                    if attempt == 2:
                        raise
                    continue
                self.jobs += 1
                return answer.tolist()  # type: ignore[no-any-return]
        raise AssertionError("unreachable")

    async def _running(self) -> asyncio.subprocess.Process:
        if self._process is None or self._process.returncode is not None:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "graph_api.graph.worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        return self._process

    async def _stopped(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()

    async def close(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            assert process.stdin is not None
            process.stdin.close()  # the child ends at the end of its input
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()


def _serve() -> None:
    """The child: jobs from stdin, answers to stdout, until stdin ends."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer

    def read() -> numpy.ndarray | None:
        head = source.read(LENGTH.size)
        if len(head) < LENGTH.size:
            return None
        return _array(source.read(LENGTH.unpack(head)[0]))

    while (count := read()) is not None:
        low, high = read(), read()
        assert low is not None and high is not None, "a job cut short"
        scores = centrality.betweenness_of(int(count[0]), low, high)
        sink.write(_framed(numpy.asarray(scores, dtype=numpy.float64)))
        sink.flush()


if __name__ == "__main__":
    _serve()
