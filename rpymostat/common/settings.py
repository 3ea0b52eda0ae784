"""Settings defined once: environment variable, command-line flag, parser, default, meaning.

The engine and both daemons describe their configuration with
:class:`Setting` rows. The same rows parse the environment and the flags
(a flag wins over its variable), print ``--show-config`` and generate the
docs, so the three never disagree. Only the standard library is used: the
daemons import this on a Pi Zero.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO


class ConfigError(ValueError):
    """A configuration value is unusable; the message names the variable."""


@dataclass(frozen=True)
class FromSettings:
    """A default computed from other settings' values, e.g. a file inside a configured directory.

    ``compute`` gets the parsed values of every setting whose default is
    not itself a :class:`FromSettings`, and returns the default's text.
    """

    compute: Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Setting:
    """One configuration variable."""

    attribute: str
    env_var: str
    parse: Callable[[str], Any]
    default: Callable[[], str] | FromSettings
    description: str
    secret: bool = False
    flag: bool = True

    @property
    def option(self) -> str:
        return "--" + self.attribute.replace("_", "-")


def const(value: str) -> Callable[[], str]:
    return lambda: value


def parse_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value

    return parse


def parse_float(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value

    return parse


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "on", "true", "yes"):
        return True
    if lowered in ("0", "off", "false", "no"):
        return False
    raise ValueError(f"{text!r} is not on/off")


def parse_optional_url(text: str) -> str | None:
    """An http(s) base URL without a trailing slash, or '' for none."""
    text = text.strip()
    if not text:
        return None
    if not text.startswith(("http://", "https://")) or len(text.split("://", 1)[1]) == 0:
        raise ValueError(f"{text!r} is not an http:// or https:// URL")
    return text.rstrip("/")


def parse_interfaces(text: str) -> str:
    text = text.strip()
    if text == "all" or all(part.strip() for part in text.split(",")):
        return text
    raise ValueError(f"{text!r} is neither 'all' nor a comma-separated list of addresses")


def interfaces_value(text: str) -> str | list[str]:
    """The parsed form of an interfaces setting for the discovery module."""
    return "all" if text == "all" else [part.strip() for part in text.split(",")]


def add_flags(parser: argparse.ArgumentParser, settings: Sequence[Setting]) -> None:
    for setting in settings:
        if setting.flag:
            parser.add_argument(setting.option, dest=f"setting_{setting.attribute}", metavar="VALUE", default=None,
                                help=f"{setting.description} (env {setting.env_var})")


def default_of(setting: Setting, values: Mapping[str, Any]) -> str:
    """The text ``setting`` takes when it is not set, given the other settings' ``values``."""
    if isinstance(setting.default, FromSettings):
        return setting.default.compute(values)
    return setting.default()


def load(settings: Sequence[Setting], environ: Mapping[str, str], args: argparse.Namespace | None = None
         ) -> dict[str, Any]:
    """Parse every setting: a flag wins over its variable, which wins over the default.

    Settings whose default comes from other settings are parsed last, so
    their order in ``settings`` does not matter.
    """
    values: dict[str, Any] = {}
    for setting in sorted(settings, key=lambda s: isinstance(s.default, FromSettings)):
        raw = getattr(args, f"setting_{setting.attribute}", None) if args is not None else None
        source = setting.option
        if raw is None:
            raw = environ.get(setting.env_var)
            source = setting.env_var
        if raw in (None, ""):
            raw = default_of(setting, values)
        try:
            values[setting.attribute] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{source if source.startswith('--') else setting.env_var}: {exc}") from None
    return values


def display(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None:
        return ""
    return str(value)


def mask(setting: Setting, shown: str) -> str:
    """Hide secrets: whole values, or the password in ``scheme://user:password@host``."""
    if not shown:
        return shown
    if "://" in shown and "@" in shown:
        scheme, rest = shown.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        if ":" in credentials:
            return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
        return shown
    return "***" if setting.secret else shown


def describe(settings: Sequence[Setting], values: Mapping[str, Any], environ: Mapping[str, str]
             ) -> list[dict[str, str]]:
    return [
        {
            "variable": s.env_var,
            "value": mask(s, display(values[s.attribute])),
            "default": default_of(s, values),
            "set": "yes" if environ.get(s.env_var) else "no",
            "description": s.description,
            "flag": s.option if s.flag else "",
        }
        for s in settings
    ]


def print_config(rows: Sequence[Mapping[str, str]], out: TextIO) -> None:
    for row in rows:
        out.write(f"{row['variable']}={row['value']}\n")
        flag = f"  (flag {row['flag']})" if row["flag"] else ""
        out.write(f"    default: {row['default']}{flag}\n")
        out.write(f"    {row['description']}\n")


def daemon_parser(prog: str, description: str, version: str, settings: Sequence[Setting]) -> argparse.ArgumentParser:
    """The command line every daemon shares: ``--show-config``, ``-v``, ``--version`` and one flag per setting."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--show-config", action="store_true",
                        help="print every setting with its value, default and description, then exit")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-v: debug, -vv: also Twisted's own messages)")
    parser.add_argument("--version", action="version", version=f"{prog} {version}")
    add_flags(parser, settings)
    return parser
