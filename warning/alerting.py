"""The alerting step: which exporters each classified notification concerns."""

from __future__ import annotations

from collections import defaultdict

from warning.matching import matching_products
from warning.runtime import Runtime
from warning.storage.alerts import add_alert
from warning.storage.exporters import load_exporters
from warning.storage.notifications import load_notifications, matches_by_notification
from warning.types import Exporter


class _ExporterIndex:
    """Exporters by every 2/4/6-digit prefix of their HS codes, for fast look-up."""

    def __init__(self, exporters: list[tuple[int, Exporter]]) -> None:
        self.by_prefix: dict[str, set[int]] = defaultdict(set)
        for exporter_id, exporter in exporters:
            for code in exporter.hs_codes:
                for length in range(2, len(code) + 1, 2):
                    self.by_prefix[code[:length]].add(exporter_id)

    def candidates(self, hs_code: str) -> set[int]:
        """Exporters with a code that shares a prefix with ``hs_code``."""
        found = set(self.by_prefix.get(hs_code, ()))
        for length in range(2, len(hs_code), 2):
            found |= self.by_prefix.get(hs_code[:length], set())
        return found


async def create_alerts(rt: Runtime) -> int:
    """Add an alert for every (notification, exporter) pair that matches.

    Pairs alerted before are left alone: no notification reaches the same
    exporter twice. Returns the number of matching pairs seen.
    """
    async with rt.db.begin() as conn:
        exporters = await load_exporters(conn)
        by_id = dict(exporters)
        index = _ExporterIndex(exporters)
        matches = await matches_by_notification(conn)
        threshold = rt.config.classifier.alert_threshold
        notifications = await load_notifications(conn)
        pairs = 0
        for notification_id, notification in notifications:
            # Weak matches are shown to analysts but never alert anyone.
            product_matches = [m for m in matches.get(notification_id, []) if m.score >= threshold]
            candidates: set[int] = set()
            for match in product_matches:
                candidates |= index.candidates(match.hs_code)
            for exporter_id in sorted(candidates):
                concerned = matching_products(notification, product_matches, by_id[exporter_id])
                if concerned:
                    pairs += 1
                    await add_alert(conn, notification_id, exporter_id, concerned, rt.now())
    return pairs
