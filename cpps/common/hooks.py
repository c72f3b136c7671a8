"""Hooks the apps register in their `AppConfig.ready()`, so shared operations (the watchdog,
the checks after a restore) reach every app without the shared layer knowing their names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class IntegrityReport:
    """What one integrity check looked at and each problem it found, in words for an operator."""

    subject: str
    checked: int
    problems: tuple[str, ...]


# Each returns work stuck past its time limit to a state the user can retry; returns how many.
Watchdog = Callable[[], int]
IntegrityCheck = Callable[[], IntegrityReport]

_watchdogs: dict[str, Watchdog] = {}
_integrity_checks: dict[str, IntegrityCheck] = {}


def watchdog_register(name: str, watchdog: Watchdog) -> None:
    _watchdogs[name] = watchdog


def integrity_check_register(name: str, check: IntegrityCheck) -> None:
    _integrity_checks[name] = check


def watchdogs() -> dict[str, Watchdog]:
    return dict(_watchdogs)


def integrity_checks() -> dict[str, IntegrityCheck]:
    return dict(_integrity_checks)
