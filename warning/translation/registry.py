"""Translation engines registered by name (``[translation] engine``)."""

from __future__ import annotations

import os
from collections.abc import Callable

import aiohttp

from warning.config import TranslationConfig
from warning.exceptions import ConfigError
from warning.translation.base import Translator
from warning.translation.libretranslate import LibreTranslate
from warning.translation.none import NoTranslator
from warning.translation.openai_chat import OpenAIChat

Factory = Callable[[TranslationConfig, aiohttp.ClientSession, str | None], Translator]

ENGINES: dict[str, Factory] = {
    "none": lambda config, session, key: NoTranslator(),
    "libretranslate": LibreTranslate,
    "openai": OpenAIChat,
}


def api_key(config: TranslationConfig) -> str | None:
    """The engine's key from the environment variable ``api_key_env`` names.

    Raises:
        ConfigError: the variable is named but not set.
    """
    if not config.api_key_env:
        return None
    value = os.environ.get(config.api_key_env)
    if not value:
        raise ConfigError(f"translation.api_key_env: environment variable {config.api_key_env} is not set")
    return value


def build_translator(config: TranslationConfig, session: aiohttp.ClientSession) -> Translator:
    """The configured engine, using ``session`` for its requests.

    Raises:
        ConfigError: unknown engine, or its key's variable is not set.
    """
    factory = ENGINES.get(config.engine)
    if factory is None:
        known = ", ".join(ENGINES)
        raise ConfigError(f"translation.engine: unknown engine {config.engine!r} (known: {known})")
    if not config.engine or config.engine == "none":
        return factory(config, session, None)
    return factory(config, session, api_key(config))
