"""Every URL the project serves, made concrete, so sweeping tests cover routes added later."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    template: str
    name: str | None

    @property
    def parameters(self) -> list[str]:
        return [match["name"] for match in PARAMETER.finditer(self.template)]

    def url(self, values: dict[str, str]) -> str:
        missing = [name for name in self.parameters if name not in values]
        if missing:
            raise LookupError(
                f"Route '{self.template}' takes {missing}: add a value for it in tests/support/routes.py "
                "(ROUTE_VALUES or ROUTE_OVERRIDES), so the sweeping tests cover it."
            )
        return "/" + PARAMETER.sub(lambda match: str(values[match["name"]]), self.template)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield Route(prefix + str(pattern.pattern), pattern.name)


def all_routes() -> list[Route]:
    """Return each distinct route template once, in URLconf order."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault(route.template, route)
    return list(seen.values())


def route_values(world: dict[str, Any], route: Route) -> dict[str, str]:
    """Parameter values for one route, from the objects a test has created."""
    values = {
        "slug": world["jurisdiction"].slug,
        "pk": world["process"].pk,
        "code": world["area"].code,
        "token": world["token"],
    }
    override: Callable[[dict[str, Any]], dict[str, Any]] | None = ROUTE_OVERRIDES.get(
        route.template
    )
    if override is not None:
        values.update(override(world))
    return {key: str(value) for key, value in values.items()}


# Routes whose parameters mean something other than the defaults above.
ROUTE_OVERRIDES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "j/<slug:slug>/members/<int:pk>/remove/": lambda world: {"pk": world["membership"].pk},
}


def write_payload(world: dict[str, Any], route: Route) -> tuple[dict[str, Any], str | None]:
    """A request body that a permitted community role could use to change something at the route.

    Returns (data, content_type); content_type None means a form post.
    """
    factory = WRITE_PAYLOADS.get(route.template)
    if factory is None:
        return {}, None
    return factory(world)


WRITE_PAYLOADS: dict[str, Callable[[dict[str, Any]], tuple[dict[str, Any], str | None]]] = {
    "j/<slug:slug>/members/": lambda world: (
        {"username": world["police"].username, "role": "facilitator"},
        None,
    ),
    "j/<slug:slug>/processes/new/": lambda world: (
        {
            "kind": "survey",
            "title": "Lights",
            "purpose": "Street lighting",
            "languages": ["en", "es"],
        },
        None,
    ),
    "j/<slug:slug>/processes/<int:pk>/agenda/": lambda world: (
        {"title": "New agenda", "purpose": "Changed", "languages": ["en"]},
        None,
    ),
    "j/<slug:slug>/processes/<int:pk>/state/": lambda world: ({"state": "closed"}, None),
    "j/<slug:slug>/processes/<int:pk>/links/": lambda world: ({"count": 3}, None),
    "take-part/about-you/": lambda world: ({"age_band": "25_34"}, None),
    "api/jurisdictions/<slug>/processes": lambda world: (
        {"kind": "survey", "title": "Lights", "purpose": "Street lighting"},
        "application/json",
    ),
}

# Routes that write for a community role, with the role that may do it (proves the payload works).
WRITE_ROUTES_AND_ROLES: dict[str, str] = {
    "j/<slug:slug>/members/": "admin",
    "j/<slug:slug>/members/<int:pk>/remove/": "admin",
    "j/<slug:slug>/processes/new/": "facilitator",
    "j/<slug:slug>/processes/<int:pk>/agenda/": "council_member",
    "j/<slug:slug>/processes/<int:pk>/state/": "facilitator",
    "j/<slug:slug>/processes/<int:pk>/links/": "facilitator",
    "api/jurisdictions/<slug>/processes": "council_member",
}
