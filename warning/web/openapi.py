"""The OpenAPI 3 description of the JSON API."""

from __future__ import annotations

from typing import Any

from warning import __version__
from warning.types import LEVELS


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_FILTERS = [
    _query("member", "WTO member code as in symbols (USA, EU, KEN)"),
    _query("sector", "sector key (an HS section numeral such as XVI, or a configured sector)"),
    _query(
        "hs",
        "HS code prefix, 2 to 6 digits, matched against product matches",
        {"type": "string", "pattern": "^[0-9]{2,6}$"},
    ),
    _query(
        "level",
        "notifications with an alert at this level or graver",
        {"type": "string", "enum": list(LEVELS)},
    ),
    _query("open", "1: only notifications still open for comments", {"type": "string", "enum": ["1"]}),
    _query("from", "distributed on or after (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    _query("to", "distributed on or before (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    _query("q", "words that must all occur in title, description or products"),
    _query("page", "page number from 1", {"type": "integer", "minimum": 1}),
    _query("count", "1: also count every match (slower)", {"type": "string", "enum": ["1"]}),
]

_ERROR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_STANDARD_ERRORS = {"400": _ERROR, "401": _ERROR}

_SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
    "NotificationSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "key": {"type": "string", "description": "first WTO symbol, or source:id"},
            "area": {"type": "string", "enum": ["TBT", "SPS"]},
            "member_codes": {"type": "array", "items": {"type": "string"}},
            "member_name": {"type": "string"},
            "notification_type": {"type": "string"},
            "title": {"type": "string"},
            "distribution_date": {"type": "string", "format": "date", "nullable": True},
            "comment_deadline": {"type": "string", "format": "date", "nullable": True},
            "level": {"type": "string", "enum": list(LEVELS), "nullable": True},
            "url": {"type": "string"},
        },
    },
    "ProductMatch": {
        "type": "object",
        "properties": {
            "hs_code": {"type": "string"},
            "level": {"type": "integer"},
            "score": {"type": "number"},
            "method": {"type": "string"},
            "evidence": {"type": "string"},
        },
    },
    "Reason": {
        "type": "object",
        "properties": {"code": {"type": "string"}, "en": {"type": "string"}, "zh": {"type": "string"}},
    },
    "ExpertNote": {
        "type": "object",
        "nullable": True,
        "description": "the trade officials' expert reading (专家解读), marked with their office",
        "properties": {
            "zh": {"type": "string"},
            "en": {"type": "string"},
            "office": {"type": "string"},
            "at": {"type": "string", "format": "date-time"},
        },
    },
    "Alert": {
        "type": "object",
        "description": "an alert as the exporter receives it: the level an official set wins "
        "(their reason in level_review and first in reasons); held-back alerts are left out "
        "unless held=1",
        "properties": {
            "id": {"type": "integer"},
            "notification_id": {"type": "integer"},
            "notification_key": {"type": "string"},
            "exporter_id": {"type": "integer"},
            "exporter": {"type": "string"},
            "level": {"type": "string", "enum": list(LEVELS), "nullable": True},
            "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
            "matches": {"type": "array", "items": {"$ref": "#/components/schemas/ProductMatch"}},
            "created_at": {"type": "string", "format": "date-time"},
            "delivery": {"type": "string", "enum": ["pending", "sent", "failed"], "nullable": True},
            "level_review": {"allOf": [{"$ref": "#/components/schemas/Reason"}], "nullable": True},
            "expert_note": {"$ref": "#/components/schemas/ExpertNote"},
            "held_back": {
                "type": "object",
                "nullable": True,
                "description": "with held=1 only: who held the alert back from the exporter, and why",
                "properties": {
                    "reason": {"type": "string"},
                    "by": {"type": "string"},
                    "at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
    "Notification": {
        "type": "object",
        "description": "every field of the normalised notification, plus:",
        "properties": {
            "id": {"type": "integer"},
            "symbols": {"type": "array", "items": {"type": "string"}},
            "base_symbol": {"type": "string", "nullable": True},
            "level": {
                "type": "string",
                "enum": list(LEVELS),
                "nullable": True,
                "description": "the gravest level its alerts are received at (officials' review applied)",
            },
            "expert_note": {"$ref": "#/components/schemas/ExpertNote"},
            "thread": {"type": "array", "items": {"$ref": "#/components/schemas/NotificationSummary"}},
            "matches": {"type": "array", "items": {"$ref": "#/components/schemas/ProductMatch"}},
            "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}},
        },
    },
}


_HELD = _query(
    "held", "1: alerts held back by the officials' review listed too (marked held_back)", {"type": "string"}
)


def _page_of(item: str) -> dict[str, Any]:
    return {
        "description": "one page",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                        "page": {"type": "integer"},
                        "page_size": {"type": "integer"},
                        "total": {
                            "type": "integer",
                            "nullable": True,
                            "description": "with count=1 only; capped at 10001",
                        },
                    },
                }
            }
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 document served at /api/openapi.json."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "tbtwarn API",
            "version": __version__,
            "description": "Foreign TBT/SPS notifications, product matches and exporter alerts. "
            "Authentication: an API token issued by an admin at /admin/tokens, sent as "
            "`Authorization: Bearer <token>` (read-only: GET only; an unknown, revoked or expired "
            "token gets 401), or the staff session cookie set by signing in at /login (any role).",
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A read-only API token (tbtw_...) from /admin/tokens, shown once.",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "tbtwarn_session"},
            },
            "schemas": _SCHEMAS,
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/notifications": {
                "get": {
                    "summary": "notifications matching the filters, newest distribution first",
                    "parameters": _FILTERS,
                    "responses": {"200": _page_of("NotificationSummary"), **_STANDARD_ERRORS},
                }
            },
            "/api/notifications/{id}": {
                "get": {
                    "summary": "one notification with its thread, product matches and alerts",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                        _HELD,
                    ],
                    "responses": {
                        "200": {
                            "description": "the notification",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Notification"}}
                            },
                        },
                        "404": _ERROR,
                        **_STANDARD_ERRORS,
                    },
                }
            },
            "/api/alerts": {
                "get": {
                    "summary": "alerts, newest first",
                    "parameters": [
                        _query("exporter_id", "only this exporter's alerts", {"type": "integer"}),
                        _query("notification_id", "only alerts for this notification", {"type": "integer"}),
                        _query(
                            "since",
                            "created at or after (ISO date-time, UTC if no zone)",
                            {"type": "string", "format": "date-time"},
                        ),
                        _query("page", "page number from 1", {"type": "integer", "minimum": 1}),
                        _HELD,
                    ],
                    "responses": {"200": _page_of("Alert"), **_STANDARD_ERRORS},
                }
            },
        },
    }
