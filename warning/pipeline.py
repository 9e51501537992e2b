"""The one-shot pipeline: collect, classify, alert, compose digests, deliver."""

from __future__ import annotations

from dataclasses import dataclass

from notifications.compose import compose_digests
from notifications.deliver import DeliveryOutcome, deliver_pending
from warning.classify import ClassifyOutcome, classify_pending
from warning.collect import SourceOutcome, collect
from warning.levels.alerting import create_alerts
from warning.runtime import Runtime


@dataclass(frozen=True)
class RunSummary:
    sources: list[SourceOutcome]
    classified: ClassifyOutcome
    matching_pairs: int
    queued: int
    delivery: DeliveryOutcome

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sources) and self.delivery.failed == 0

    def lines(self) -> list[str]:
        """A short summary for the CLI."""
        out = [s.line() for s in self.sources]
        out += [
            f"classified {self.classified.classified} notifications "
            f"({self.classified.with_matches} with product matches)",
            f"{self.matching_pairs} notification-exporter matches",
            f"{self.queued} digest emails queued, {self.delivery.sent} delivered, "
            f"{self.delivery.failed} failed",
        ]
        out += [f"delivery error: {e}" for e in self.delivery.errors]
        return out


async def run_once(rt: Runtime) -> RunSummary:
    """Run every step once. Each step works from what is stored, so a run
    after a crash picks up where the last one stopped."""
    sources = await collect(rt)
    classified = await classify_pending(rt)
    pairs = await create_alerts(rt)
    queued = await compose_digests(rt)
    delivery = await deliver_pending(rt)
    return RunSummary(sources, classified, pairs, queued, delivery)
