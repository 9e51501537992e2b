"""Links in emails, and what the web app does when they are followed.

URL paths (served by the web app):

- ``{base_url}/notifications/<id>``: the staff notification page (officials' digest);
- ``{base_url}/exporter/notifications/<id>?token=...``: the exporter notification
  page, signed for one contact (the token carries the contact's email and
  language); it opens without an account until it expires
  (``[digest] link_valid_days``), and only for notifications that alerted the
  contact's exporters;
- ``{base_url}/feedback?token=...``: "relevant / not relevant" (the token
  carries the alert id, the contact and the flag): GET shows a page whose one
  button POSTs, and only the POST records (mail scanners open every link);
- ``{base_url}/unsubscribe?token=...``: GET shows a confirmation page, POST
  unsubscribes at once (RFC 8058 one-click).

Tokens are signed and expire (:mod:`warning.tokens`).
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

from warning.runtime import Runtime
from warning.storage.deliveries import load_alerts
from warning.storage.feedback import record_feedback
from warning.storage.subscriptions import StoredSubscription, get_subscription, save_choices
from warning.tokens import Signer, TokenError, service_signer
from warning.types import Feedback

FEEDBACK = "feedback"
UNSUBSCRIBE = "unsubscribe"
NOTIFICATION_PAGE = "notification-page"
#: Unsubscribe links must keep working long after the email was read.
UNSUBSCRIBE_VALID = dt.timedelta(days=366)


def signer_for(rt: Runtime) -> Signer:
    """The signer with the service secret (``$TBTWARN_SECRET`` or ``var/secret``)."""
    return service_signer(rt.config.base_dir / "var", rt.now())


class Links:
    """Builds the URLs of one batch of emails."""

    def __init__(self, base_url: str, signer: Signer, now: dt.datetime, valid: dt.timedelta) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self.feedback_expiry = now + valid
        self._feedback_seconds = int(self.feedback_expiry.timestamp())
        self.unsubscribe_expiry = now + UNSUBSCRIBE_VALID
        #: Notification-page tokens by (email, language): one per contact and batch.
        self._page_tokens: dict[tuple[str, str], str] = {}

    @classmethod
    def for_runtime(cls, rt: Runtime) -> Links:
        valid = dt.timedelta(days=rt.config.digest.link_valid_days)
        return cls(rt.config.zone.base_url, signer_for(rt), rt.now(), valid)

    def notification(self, notification_id: int) -> str:
        return f"{self.base_url}/notifications/{notification_id}"

    def exporter_alerts(self) -> str:
        """The contact's page of the alerts emailed to them (after an emailed sign-in)."""
        return f"{self.base_url}/exporter/alerts"

    def exporter_settings(self) -> str:
        """The contact's subscription settings (after an emailed sign-in)."""
        return f"{self.base_url}/exporter"

    def notification_page(self, notification_id: int, email: str, language: str) -> str:
        """The exporter notification page, signed for this contact (valid as long as feedback links).

        The token names the contact, not the notification: one signature serves
        every link of an email (a digest can carry a hundred), and the page opens
        only notifications that alerted the contact's exporters anyway.
        """
        key = (email, language)
        token = self._page_tokens.get(key)
        if token is None:
            data = f'{{"e":{json.dumps(email)},"l":{json.dumps(language)}}}'
            body = f'{{"d":{data},"e":{self._feedback_seconds},"p":"{NOTIFICATION_PAGE}"}}'
            token = self._page_tokens[key] = quote(self.signer.sign_body(body))
        return f"{self.base_url}/exporter/notifications/{int(notification_id)}?token={token}"

    def feedback(self, alert_id: int, email: str, relevant: bool) -> str:
        # The JSON that Signer.sign writes for {"a": alert_id, "e": email, "r": relevant},
        # built directly: a year's digests carry hundreds of thousands of these links.
        data = f'{{"a":{int(alert_id)},"e":{json.dumps(email)},"r":{"true" if relevant else "false"}}}'
        body = f'{{"d":{data},"e":{self._feedback_seconds},"p":"{FEEDBACK}"}}'
        return f"{self.base_url}/feedback?token={quote(self.signer.sign_body(body))}"

    def unsubscribe(self, subscription_id: int, email: str) -> str:
        token = self.signer.sign(UNSUBSCRIBE, {"s": subscription_id, "e": email}, self.unsubscribe_expiry)
        return f"{self.base_url}/unsubscribe?token={quote(token)}"


async def apply_feedback(
    rt: Runtime, token: str, relevant: bool | None = None, *, signer: Signer | None = None
) -> Feedback:
    """Record the feedback a link carries; ``relevant`` overrides the link's flag.

    ``signer`` defaults to the service secret's (the web app passes its own).

    Raises:
        TokenError: the token is forged, expired, malformed or about an unknown alert.
    """
    data = (signer or signer_for(rt)).verify(token, FEEDBACK, rt.now())
    alert_id, email, flag = data.get("a"), data.get("e"), data.get("r")
    if not isinstance(alert_id, int) or not isinstance(email, str) or not isinstance(flag, bool):
        raise TokenError("malformed token")
    async with rt.db.begin() as conn:
        found = await load_alerts(conn, [alert_id])
        if not found:
            raise TokenError(f"token names an unknown alert #{alert_id}")
        alert = found[0]
        item = Feedback(
            alert.id,
            alert.notification_id,
            alert.exporter_id,
            email,
            flag if relevant is None else relevant,
            rt.now(),
        )
        await record_feedback(conn, item)
    return item


async def apply_unsubscribe(rt: Runtime, token: str, *, signer: Signer | None = None) -> StoredSubscription:
    """Unsubscribe the contact a link names (idempotent).

    Raises:
        TokenError: the token is forged, expired, malformed or names an unknown subscription.
    """
    data = (signer or signer_for(rt)).verify(token, UNSUBSCRIBE, rt.now())
    subscription_id, email = data.get("s"), data.get("e")
    if not isinstance(subscription_id, int) or not isinstance(email, str):
        raise TokenError("malformed token")
    async with rt.db.begin() as conn:
        try:
            stored = await get_subscription(conn, subscription_id)
        except ValueError:
            raise TokenError(f"token names an unknown subscription #{subscription_id}") from None
        if stored.subscription.email != email:
            raise TokenError("token does not match the subscription")
        if not stored.active:
            return stored
        return await save_choices(conn, stored, stored.subscription, rt.now(), active=False)
