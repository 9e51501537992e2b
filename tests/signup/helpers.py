"""What the sign-up tests share: a valid application and reading the links emailed through the outbox."""

from __future__ import annotations

import email as email_lib
import re

from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.types import Application

CODE = "91350100M000100Y43"
OTHER_CODE = "91440300708461136T"


def application(**changes: object) -> Application:
    values: dict[str, object] = {
        "company_zh": "福州闽江化妆品有限公司",
        "credit_code": CODE,
        "contact_name": "林小姐",
        "email": "lin@minjiang.example.cn",
        "language": "zh",
        "hs_codes": ("3304",),
        "markets": ("KEN", "EU"),
    }
    return Application(**(values | changes))  # type: ignore[arg-type]


async def mails(rt: Runtime, kind: str, recipient: str | None = None) -> list[str]:
    """The plain-text parts of the outbox's messages of ``kind``, oldest first."""
    async with rt.db.begin() as conn:
        rows = [m for m in await list_messages(conn, bodies=True) if m.kind == kind]
    out = []
    for row in rows:
        if recipient is not None and row.recipient != recipient:
            continue
        parsed = email_lib.message_from_bytes(row.message)
        for part in parsed.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                out.append(payload.decode(part.get_content_charset() or "utf-8"))
    return out


def link_in(text: str, path: str) -> str:
    """The token of the first link to ``path`` in an email text."""
    found = re.search(re.escape(path) + r"\?token=(\S+)", text)
    assert found is not None, text
    return found[1]
