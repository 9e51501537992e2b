"""A local SMTP sink for benchmarks: aiosmtpd on 127.0.0.1, counting and dropping
messages, with a fixed server name (no DNS look-up per connection).

    python bench/smtp_sink.py PORT [CERT KEY]

With a certificate and key it requires STARTTLS, as a submission relay does.
"""

from __future__ import annotations

import ssl
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
    tls: dict[str, Any] = {}
    if len(sys.argv) == 4:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        tls = {"tls_context": context, "require_starttls": True}
    controller = Controller(Counter(), hostname="127.0.0.1", port=port, server_hostname="sink.bench", **tls)
    controller.start()
    print("ready", flush=True)
    try:
        threading.Event().wait()  # until killed by the benchmark
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
