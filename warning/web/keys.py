"""Typed keys of what the web application holds (``app[RUNTIME]``...)."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from warning.runtime import Runtime
from warning.tokens import Signer
from warning.web.limits import SignInLimits
from warning.web.sectors import SectorCache

RUNTIME: Final = web.AppKey("runtime", Runtime)
SIGNER: Final = web.AppKey("signer", Signer)
#: The sign-in limits (staff and exporter budgets) and trusted proxies.
LIMITS: Final = web.AppKey("sign_in_limits", SignInLimits)
#: The effective sectors: ``await app[SECTORS].get()``.
SECTORS: Final = web.AppKey("sectors", SectorCache)
#: Whether cookies are marked Secure (https deployments).
SECURE_COOKIES: Final = web.AppKey("secure_cookies", bool)
