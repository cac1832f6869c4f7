"""A subprocess whose stderr is read continuously (a full pipe would block its logging)."""
from __future__ import annotations

import subprocess
import threading
import time


class LoggedProcess:
    def __init__(self, argv, **popen_kwargs):
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, **popen_kwargs)
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    @property
    def text(self) -> str:
        with self._cond:
            return "".join(self.lines)

    def wait_for_line(self, fragment: str, timeout: float) -> bool:
        """True once a stderr line contains ``fragment``; False on timeout or process exit."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not any(fragment in line for line in self.lines):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    return False
                self._cond.wait(min(remaining, 0.2))
            return True

    def stop(self, sig, timeout: float = 20) -> int:
        self.proc.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout: float = 20) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
