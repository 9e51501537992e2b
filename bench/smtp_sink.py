"""A local SMTP sink for benchmarks: aiosmtpd on 127.0.0.1, counting and dropping
messages, with a fixed server name (no DNS look-up per connection).

    python bench/smtp_sink.py PORT
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def main() -> None:
    port = int(sys.argv[1])
    controller = Controller(Counter(), hostname="127.0.0.1", port=port, server_hostname="sink.bench")
    controller.start()
    print("ready", flush=True)
    try:
        threading.Event().wait()  # until killed by the benchmark
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
