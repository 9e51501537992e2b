"""Exporters' "relevant" clicks become labelled examples the classifier learns from."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import save_demo_exporters
from warning.classify import build_classifier, classify_pending, feedback_examples
from warning.collect import collect
from warning.levels.alerting import create_alerts
from warning.runtime import Runtime
from warning.storage.feedback import record_feedback
from warning.storage.schema import alerts
from warning.types import Feedback


async def _alerts(runtime: Runtime) -> list[sa.Row[object]]:
    await save_demo_exporters(runtime)
    await collect(runtime)
    await classify_pending(runtime)
    await create_alerts(runtime)
    async with runtime.db.begin() as conn:
        return list(await conn.execute(sa.select(alerts).order_by(alerts.c.id)))


async def test_relevant_feedback_is_a_labelled_example_and_not_relevant_is_not(runtime: Runtime) -> None:
    rows = await _alerts(runtime)
    assert len(rows) >= 2
    liked, disliked = rows[0], rows[1]
    async with runtime.db.begin() as conn:
        assert await feedback_examples(conn) == []
        for row, relevant in ((liked, True), (disliked, False)):
            await record_feedback(
                conn,
                Feedback(
                    row.id, row.notification_id, row.exporter_id, "a@example.com", relevant, runtime.now()
                ),
            )
        examples = await feedback_examples(conn)
    assert [e.origin for e in examples] == [f"feedback:{liked.id}:a@example.com"]
    expected = tuple(dict.fromkeys(m["hs_code"] for m in liked.matches))
    assert examples[0].hs_codes == expected
    assert examples[0].text.strip()

    ensemble = await build_classifier(runtime)
    assert ensemble.learner is not None
    assert list(ensemble.learner.labels) == [expected]
