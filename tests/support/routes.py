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


def demo_world(jurisdiction: Any, accounts: dict[str, Any]) -> dict[str, Any]:
    """The objects the route values come from: the demo's deliberation and an unused link."""
    from cpps.participation.services import one_time_links_issue
    from cpps.processes.models import Process

    process = Process.objects.get(jurisdiction=jurisdiction, kind="deliberation")
    (token,) = one_time_links_issue(user=accounts["facilitator"], process=process, count=1)
    return {
        "jurisdiction": jurisdiction,
        "process": process,
        "area": jurisdiction.areas.get(code="7"),
        "token": token,
        "membership": accounts["resident"].memberships.get(jurisdiction=jurisdiction),
        "police": accounts["police_liaison"],
        "accounts": accounts,
    }


def route_values(world: dict[str, Any], route: Route) -> dict[str, str]:
    """Parameter values for one route, from the objects a test has created."""
    values = {
        "slug": world["jurisdiction"].slug,
        "pk": world["process"].pk,
        "code": world["area"].code,
        "token": world["token"],
        "flag": world["flag"].pk if "flag" in world else 0,
        "route": world["route"].pk if "route" in world else 0,
    }
    override: Callable[[dict[str, Any]], dict[str, Any]] | None = ROUTE_OVERRIDES.get(
        route.template
    )
    if override is not None:
        values.update(override(world))
    return {key: str(value) for key, value in values.items()}


def _demo_process(world: dict[str, Any], kind: str) -> int:
    from cpps.processes.models import Process

    return Process.objects.get(jurisdiction=world["jurisdiction"], kind=kind).pk


def _demo_commitment(world: dict[str, Any], title: str) -> int:
    """The demo's commitments owned by the street-lighting service: a police liaison is not
    its representative, so the owner key is not theirs to turn there."""
    from cpps.accountability.models import Commitment

    return Commitment.objects.get(jurisdiction=world["jurisdiction"], title=title).pk


def _demo_survey(world: dict[str, Any], state: str) -> int:
    """The demo's surveys: published (with results), open (answering), draft (being written)."""
    from cpps.processes.models import Process

    return Process.objects.get(jurisdiction=world["jurisdiction"], kind="survey", state=state).pk


def _demo_form_code(body: str) -> str:
    from cpps.demo.listening import demo_form_code

    return demo_form_code(body)


def _demo_draft_question(world: dict[str, Any]) -> dict[str, Any]:
    from cpps.listening.models import Question

    question = Question.objects.filter(
        instrument__process_id=_demo_survey(world, "draft"), instrument__state="draft"
    ).first()
    return {"pk": _demo_survey(world, "draft"), "question": question.pk if question else 0}


TAKING_PART = "j/<slug:slug>/processes/<int:pk>/taking-part/"
TEXT_AND_CALLS = "j/<slug:slug>/processes/<int:pk>/text-and-calls/"
CONVERSATION = "j/<slug:slug>/conversations/<int:pk>/"


def _pending_statement(world: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """A resident's statement waiting for moderation in the demo conversation (made once)."""
    from cpps.deliberation.models import Statement
    from cpps.deliberation.services import statement_submit
    from cpps.participation.identities import Identity
    from cpps.participation.services import participant_for

    process = world["process"]
    pending = Statement.objects.filter(process=process, state="pending").first()
    if pending is None:
        writer = participant_for(process=process, identity=Identity.web_session("sweep-writer"))
        pending = statement_submit(participant=writer, text="Sweep the alleys every spring.")
    return {"statements": [pending.number], "decision": "accept"}, None


def _ballot(world: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """A printed ballot of the demo conversation, keyed with one vote."""
    from cpps.deliberation.models import BallotEntry
    from cpps.deliberation.services import ballots_issue

    process = world["process"]
    ballot = BallotEntry.objects.filter(process=process).first()
    if ballot is None:
        ballots_issue(user=world["accounts"]["facilitator"], process=process, count=1)
        ballot = BallotEntry.objects.get(process=process)
    return {"form_code": ballot.form_code, f"s_{ballot.statements[0]}": "agree"}, None


def _residency_codes(world: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """Letters with codes still to print (made once, through the real service)."""
    from cpps.participation.models import ResidencyCode
    from cpps.participation.services import residency_codes_issue

    process = world["process"]
    if not ResidencyCode.objects.filter(process=process).exclude(code_for_letter="").exists():
        residency_codes_issue(
            user=world["accounts"]["facilitator"], process=process, addresses=["9 W Lake St"]
        )
    return {}, None


PENDING_COMMITMENT = "Lighting audit of every park"
AGREED_LIGHTING_COMMITMENT = "Broken street lights fixed within a week"
ACCOUNTABILITY = "j/<slug:slug>/accountability/"
COMMITMENT = ACCOUNTABILITY + "commitments/<int:pk>/"


def _pending(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": _demo_commitment(world, PENDING_COMMITMENT)}


def _round(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": _demo_process(world, "priority_round")}


def _scorecard(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": _demo_process(world, "scorecard")}


def _charter_in_effect(world: dict[str, Any]) -> dict[str, Any]:
    from cpps.accountability.services import charter_in_effect

    charter = charter_in_effect(jurisdiction=world["jurisdiction"])
    return {"pk": charter.pk if charter else 0}


def _account(world: dict[str, Any], role: str) -> int:
    return world["accounts"][role].pk


def _owner_bodies(world: dict[str, Any]) -> list[int]:
    from cpps.accountability.models import OwnerBody

    return list(
        OwnerBody.objects.filter(jurisdiction=world["jurisdiction"]).values_list("pk", flat=True)
    )


def _commitment_terms(world: dict[str, Any]) -> dict[str, Any]:
    from cpps.accountability.models import OwnerBody

    owner = OwnerBody.objects.filter(jurisdiction=world["jurisdiction"], kind="city_service")
    return {
        "title": "Lights in every alley",
        "action": "Repair or add a light in every alley residents report as dark.",
        "owner": owner.first().pk,
        "areas": ["7"],
        "due_on": "2027-06-30",
        "metric": "Alleys lit",
        "baseline": "0",
        "target": "All reported",
    }


def _pending_idea(world: dict[str, Any]) -> int:
    from cpps.priorities.models import Idea

    return Idea.objects.get(process_id=_round(world)["pk"], state="pending").pk


PANEL = "j/<slug:slug>/panels/<int:pk>/"


def _panel(world: dict[str, Any]) -> dict[str, Any]:
    """The demo's panel process (set up with census quotas, nobody invited yet)."""
    return {"pk": _demo_process(world, "panel"), "name": "draw.json"}


def _panel_quota_bounds(world: dict[str, Any]) -> dict[str, Any]:
    from cpps.panels.models import PanelQuota

    quotas = PanelQuota.objects.filter(panel__process_id=_panel(world)["pk"])
    bounds: dict[str, Any] = {}
    for quota in quotas:
        bounds[f"min_{quota.pk}"], bounds[f"max_{quota.pk}"] = 0, quota.max + 1
    return bounds


def _panel_phone_invitations(world: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """Two households invited from a phone list (once, through the real import), so that sending
    invitations by text message has someone to text. The send takes no form fields."""
    from cpps.panels.models import Panel
    from cpps.panels.services import invitations_import

    panel = Panel.objects.get(process_id=_panel(world)["pk"])
    if not panel.invitations.exclude(phone="").exists():
        invitations_import(
            user=world["accounts"]["facilitator"],
            panel=panel,
            data=b"phone\n(312) 555-0171\n(312) 555-0172\n",
            sample_size=2,
        )
    return {}, None


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


MEMBER_REQUEST = "j/<slug:slug>/members/requests/<int:pk>/"


def _pending_role_request(world: dict[str, Any]) -> int:
    """A role the administrator asked to give the resident (once), waiting for a community role."""
    from cpps.accounts.models import MembershipRequest, RequestState
    from cpps.accounts.services import membership_request

    resident = world["accounts"]["resident"]
    waiting = MembershipRequest.objects.filter(
        jurisdiction=world["jurisdiction"], user=resident, state=RequestState.PENDING
    ).first() or membership_request(
        requested_by=world["accounts"]["admin"],
        jurisdiction=world["jurisdiction"],
        user=resident,
        role="auditor",
    )
    return waiting.pk


def _role_request_decision(world: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """The request exists before the sweep's snapshot, so deciding it is the write; a decision
    takes no form fields."""
    _pending_role_request(world)
    return {}, None


def _survey_in(state: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda world: {"pk": _demo_survey(world, state)}


# Routes whose parameters mean something other than the defaults above.
ROUTE_OVERRIDES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "j/<slug:slug>/surveys/<int:pk>/questions/": _survey_in("open"),
    "j/<slug:slug>/surveys/<int:pk>/questions/new-version/": _survey_in("open"),
    "j/<slug:slug>/surveys/<int:pk>/questions/standard/": _survey_in("draft"),
    "j/<slug:slug>/surveys/<int:pk>/questions/add/": _survey_in("draft"),
    "j/<slug:slug>/surveys/<int:pk>/questions/<int:question>/remove/": _demo_draft_question,
    "j/<slug:slug>/surveys/<int:pk>/questions/publish/": _survey_in("draft"),
    "j/<slug:slug>/surveys/<int:pk>/results/": _survey_in("published"),
    "j/<slug:slug>/surveys/<int:pk>/results.csv": _survey_in("published"),
    "j/<slug:slug>/surveys/<int:pk>/results.json": _survey_in("published"),
    "j/<slug:slug>/surveys/<int:pk>/answers.csv": _survey_in("published"),
    "survey/<int:pk>/": _survey_in("open"),
    "survey/<int:pk>/q/<int:position>/": lambda world: {
        "pk": _demo_survey(world, "open"),
        "position": 1,
    },
    "survey/<int:pk>/about-you/": _survey_in("open"),
    "survey/<int:pk>/thank-you/": _survey_in("open"),
    "survey/<int:pk>/resume/<str:token>/": _survey_in("open"),
    "hooks/sms/<int:pk>/": _survey_in("open"),
    "hooks/voice/<int:pk>/": _survey_in("open"),
    "api/jurisdictions/<slug>/surveys/<pk>/responses": _survey_in("open"),
    "api/jurisdictions/<slug>/surveys/<pk>/results": _survey_in("published"),
    "j/<slug:slug>/surveys/<int:pk>/paper/": _survey_in("open"),
    "j/<slug:slug>/surveys/<int:pk>/paper/forms.pdf": _survey_in("open"),
    "j/<slug:slug>/surveys/<int:pk>/paper/<str:code>/resolve/": lambda world: {
        "pk": _demo_survey(world, "open"),
        "code": _demo_form_code("DEM002"),
    },
    ACCOUNTABILITY + "charter/<int:pk>/sign/": _charter_in_effect,
    COMMITMENT: _pending,
    COMMITMENT + "revise/": _pending,
    COMMITMENT + "vote/": _pending,
    COMMITMENT + "respond/": _pending,
    COMMITMENT + "withdraw/": _pending,
    COMMITMENT + "propose/": _pending,
    COMMITMENT + "progress/": lambda world: {
        "pk": _demo_commitment(world, AGREED_LIGHTING_COMMITMENT)
    },
    ACCOUNTABILITY + "scorecards/<int:pk>/": _scorecard,
    ACCOUNTABILITY + "scorecards/<int:pk>/results/": _scorecard,
    "j/<slug:slug>/priorities/<int:pk>/": _round,
    "j/<slug:slug>/priorities/<int:pk>/vote/": _round,
    "j/<slug:slug>/priorities/<int:pk>/ideas/": _round,
    "j/<slug:slug>/priorities/<int:pk>/moderate/": _round,
    "hooks/sms/processes/<int:pk>/": _round,
    "api/jurisdictions/<slug>/commitments/<commitment_id>": lambda world: {
        "commitment_id": _pending(world)["pk"]
    },
    "api/jurisdictions/<slug>/priority-rounds/<round_id>/ranking": lambda world: {
        "round_id": _round(world)["pk"]
    },
    "j/<slug:slug>/members/<int:pk>/remove/": lambda world: {"pk": world["membership"].pk},
    # One open-data table (tests/publishing walks them all).
    "j/<slug:slug>/data/<slug:name>.csv": lambda world: {"name": "commitments"},
    "j/<slug:slug>/data/<slug:name>.json": lambda world: {"name": "commitments"},
    MEMBER_REQUEST + "approve/": lambda world: {"pk": _pending_role_request(world)},
    MEMBER_REQUEST + "refuse/": lambda world: {"pk": _pending_role_request(world)},
    **{
        PANEL + suffix: _panel
        for suffix in (
            "",
            "transcript.zip",
            "transcript/<str:name>",
            "register/",
            "register/sms/",
            "manage/",
            "manage/setup/",
            "manage/quotas/",
            "manage/quotas/upload/",
            "manage/invitations/",
            "manage/invitations/sent/",
            "manage/invitations/sms/",
            "manage/invitations/status/",
            "manage/letters.pdf",
            "manage/registrations/",
            "manage/paper/",
            "manage/freeze/",
            "manage/compute/",
            "manage/draw/",
            "manage/withdraw/",
        )
    },
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
    "api/jurisdictions/<slug>/surveys/<pk>/responses": lambda world: (
        {"client_id": "sweep-00000001", "answers": {"safe_crime": ["5"]}, "area": "8"},
        "application/json",
    ),
    "j/<slug:slug>/surveys/<int:pk>/paper/": lambda world: (
        {"form_code": _demo_form_code("DEM003"), "q_safe_crime": "5", "about_area": "8"},
        None,
    ),
    "j/<slug:slug>/surveys/<int:pk>/paper/<str:code>/resolve/": lambda world: (
        {"q_safe_crime": "second"},
        None,
    ),
    "j/<slug:slug>/surveys/<int:pk>/questions/add/": lambda world: (
        {
            "kind": "single",
            "text_en": "Do you feel safe at the bus stop?",
            "text_es": "¿Se siente seguro/a en la parada del autobús?",
            "choice_lines": "Yes | Sí\nNo | No",
        },
        None,
    ),
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
    TAKING_PART: lambda world: (
        {"mode": "open", "device_limit": 2, "network_limit": 20, "network_window_hours": 24},
        None,
    ),
    TAKING_PART + "bursts/<int:flag>/reviewed/": lambda world: ({"note": "Library workshop"}, None),
    TAKING_PART + "links/": lambda world: ({"count": 3}, None),
    TAKING_PART + "codes/": lambda world: (
        {"file": _upload("addresses.csv", b"address\n1 W Madison St\n2 W Madison St\n")},
        None,
    ),
    TAKING_PART + "codes/printed/": _residency_codes,
    TEXT_AND_CALLS: lambda world: ({"number": "+1 312 555 0177", "keyword": "sweep"}, None),
    CONVERSATION + "setup/": lambda world: (
        {
            "topic": "What would make your block safer?",
            "moderation": "pre",
            "statement_max_length": 280,
            "seeds": "Plant more trees along the boulevard.",
        },
        None,
    ),
    CONVERSATION + "moderate/": _pending_statement,
    CONVERSATION + "paper/": _ballot,
    CONVERSATION + "paper/ballots.pdf": lambda world: ({"count": 2}, None),
    CONVERSATION + "results/analyse/": lambda world: ({}, None),
    CONVERSATION + "polis/": lambda world: ({}, None),
    TAKING_PART + "phones/": lambda world: (
        {"file": _upload("phones.csv", b"phone\n(312) 555-0181\n(312) 555-0182\n")},
        None,
    ),
    TAKING_PART + "in-person/": lambda world: (
        {"identifier": "1 W Madison St", "note": "Checked at the library"},
        None,
    ),
    "api/jurisdictions/<slug>/processes": lambda world: (
        {"kind": "survey", "title": "Lights", "purpose": "Street lighting"},
        "application/json",
    ),
    ACCOUNTABILITY + "charter/<int:pk>/sign/": lambda world: ({"side": "owner"}, None),
    ACCOUNTABILITY + "charter/new/": lambda world: (
        {
            "text": "A second version with a larger council.",
            "council_members": [_account(world, "council_member")],
            "quorum": 1,
            "majority_percent": 50,
            "owner_bodies": _owner_bodies(world),
            "review_period_days": 90,
            "silence_days": 30,
        },
        None,
    ),
    ACCOUNTABILITY + "owners/new/": lambda world: (
        {
            "name": "Youth programmes",
            "kind": "city_service",
            "representatives": [_account(world, "city_official")],
        },
        None,
    ),
    ACCOUNTABILITY + "commitments/new/": lambda world: (_commitment_terms(world), None),
    COMMITMENT + "revise/": lambda world: (_commitment_terms(world), None),
    COMMITMENT + "vote/": lambda world: ({"approve": "yes"}, None),
    COMMITMENT + "respond/": lambda world: ({"response": "accepted"}, None),
    COMMITMENT + "withdraw/": lambda world: ({"reason": "Replaced by a better plan."}, None),
    COMMITMENT + "propose/": lambda world: ({"text": "Include the alleys."}, None),
    COMMITMENT + "progress/": lambda world: (
        {"status": "on_track", "narrative": "Crews out every night.", "metric_value": "60%"},
        None,
    ),
    "j/<slug:slug>/priorities/<int:pk>/ideas/": lambda world: (
        {"text_en": "Better bus stops", "text_es": "Mejores paradas de autobús"},
        None,
    ),
    "j/<slug:slug>/priorities/<int:pk>/moderate/": lambda world: (
        {"idea": _pending_idea(world), "decision": "approve"},
        None,
    ),
    PANEL + "manage/setup/": lambda world: (
        {"size": 24, "variables": ["sex"], "tolerance_percent": 5, "lottery_size": 1000},
        None,
    ),
    PANEL + "manage/quotas/": lambda world: (_panel_quota_bounds(world), None),
    PANEL + "manage/quotas/upload/": lambda world: (
        {
            "quotas-file": _upload(
                "categories.csv", b"category,feature,min,max\nsex,female,10,20\nsex,male,10,20\n"
            )
        },
        None,
    ),
    PANEL + "manage/invitations/": lambda world: (
        {
            "households-file": _upload(
                "addresses.csv", b"address\n1 W Madison St\n2 W Madison St\n"
            ),
            "households-sample_size": 1,
        },
        None,
    ),
    PANEL + "manage/invitations/sms/": _panel_phone_invitations,
    MEMBER_REQUEST + "approve/": _role_request_decision,
    MEMBER_REQUEST + "refuse/": _role_request_decision,
}

# Routes that write for a community role, with the role that may do it (proves the payload works).
WRITE_ROUTES_AND_ROLES: dict[str, str] = {
    "j/<slug:slug>/surveys/<int:pk>/paper/": "facilitator",
    "j/<slug:slug>/surveys/<int:pk>/paper/<str:code>/resolve/": "facilitator",
    "j/<slug:slug>/surveys/<int:pk>/questions/new-version/": "facilitator",
    "j/<slug:slug>/surveys/<int:pk>/questions/standard/": "facilitator",
    "j/<slug:slug>/surveys/<int:pk>/questions/add/": "council_member",
    "j/<slug:slug>/surveys/<int:pk>/questions/<int:question>/remove/": "facilitator",
    "j/<slug:slug>/surveys/<int:pk>/questions/publish/": "facilitator",
    "j/<slug:slug>/members/": "admin",
    "j/<slug:slug>/members/<int:pk>/remove/": "admin",
    MEMBER_REQUEST + "approve/": "facilitator",
    MEMBER_REQUEST + "refuse/": "council_member",
    "j/<slug:slug>/processes/new/": "facilitator",
    "j/<slug:slug>/processes/<int:pk>/agenda/": "council_member",
    "j/<slug:slug>/processes/<int:pk>/state/": "facilitator",
    TAKING_PART: "council_member",
    TAKING_PART + "bursts/<int:flag>/reviewed/": "facilitator",
    TAKING_PART + "links/": "facilitator",
    TAKING_PART + "codes/": "facilitator",
    TAKING_PART + "codes/printed/": "facilitator",
    TAKING_PART + "phones/": "facilitator",
    TAKING_PART + "in-person/": "facilitator",
    TEXT_AND_CALLS: "council_member",
    CONVERSATION + "setup/": "council_member",
    CONVERSATION + "moderate/": "council_member",
    CONVERSATION + "paper/": "facilitator",
    CONVERSATION + "paper/ballots.pdf": "facilitator",
    CONVERSATION + "results/analyse/": "facilitator",
    TEXT_AND_CALLS + "<int:route>/remove/": "facilitator",
    "api/jurisdictions/<slug>/processes": "council_member",
    # Community-controlled accountability writes.
    ACCOUNTABILITY + "charter/new/": "facilitator",
    ACCOUNTABILITY + "owners/new/": "facilitator",
    ACCOUNTABILITY + "commitments/new/": "council_member",
    COMMITMENT + "revise/": "council_member",
    COMMITMENT + "vote/": "council_member",
    COMMITMENT + "withdraw/": "council_member",
    COMMITMENT + "propose/": "council_member",
    "j/<slug:slug>/priorities/<int:pk>/ideas/": "facilitator",
    "j/<slug:slug>/priorities/<int:pk>/moderate/": "facilitator",
    # The owner key: only the owning body's representative (a city official for the demo's
    # street-lighting commitments) may turn it; the sweep shows a police liaison cannot.
    COMMITMENT + "respond/": "city_official",
    COMMITMENT + "progress/": "city_official",
    # The civic lottery's set-up writes (later stages need a registered pool; see tests/panels).
    PANEL + "manage/setup/": "council_member",
    PANEL + "manage/quotas/": "council_member",
    PANEL + "manage/quotas/upload/": "facilitator",
    PANEL + "manage/invitations/": "facilitator",
    PANEL + "manage/invitations/sms/": "facilitator",
}
