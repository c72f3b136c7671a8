"""The civic lottery services, end to end on a real sortition instance (example_small_20)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cpps.audit.models import AuditEvent
from cpps.common.errors import InvalidInputError, InvalidTransitionError, PermissionRefusedError
from cpps.engines import sortition
from cpps.panels import selectors, services
from cpps.panels.models import Invitation, Panel, PanelStage, Registration
from cpps.participation.models import Channel
from tests.panels.support import (
    address_list,
    demo_panel_process,
    instance_panel,
    instance_rows,
    randomness_due,
    randomness_now_public,
)

pytestmark = pytest.mark.django_db

RANDOMNESS_SOURCE = "Illinois Pick 4 evening numbers of 2026-12-04, digits in order"


def actions(chicago) -> list[str]:
    """The organisational acts in order (registrations are residents' acts, in their own chain)."""
    chain = AuditEvent.objects.filter(chain=f"jurisdiction:{chicago.pk}")
    return list(chain.order_by("sequence").values_list("action", flat=True))


def test_setup_defaults_quotas_to_census_proportions_with_tolerance(chicago, accounts):
    process = demo_panel_process(chicago)
    panel = services.panel_setup(
        user=accounts["council_member"],
        process=process,
        size=30,
        tolerance_percent=5,
        variables=["sex", "age_band"],
    )
    quotas = {(q.category, q.value): q for q in panel.quotas.all()}
    female = quotas[("sex", "female")]
    assert female.census_share == pytest.approx(178572 / (178572 + 177950))
    assert (female.min, female.max) == (13, 17)
    assert ("age_band", "under18") not in quotas
    assert "panel.set_up" in actions(chicago)
    feasibility = services.adapters.quota_feasibility(
        quotas=services.quota_rows(panel), size=panel.size
    )
    assert feasibility.problems == ()


def test_infeasible_quotas_are_reported_before_anyone_is_invited(chicago, accounts):
    panel = services.panel_setup(
        user=accounts["facilitator"],
        process=demo_panel_process(chicago),
        size=30,
        tolerance_percent=0,
        variables=["sex"],
    )
    bounds = {q.pk: (20, 25) for q in panel.quotas.all()}
    services.panel_quotas_update(user=accounts["facilitator"], panel=panel, bounds=bounds)
    feasibility = services.adapters.quota_feasibility(
        quotas=services.quota_rows(panel), size=panel.size
    )
    assert "add up to 40, more than the panel size of 30" in feasibility.problems[0]


def test_police_liaison_cannot_set_up_a_panel(chicago, accounts):
    before = list(Panel.objects.values_list())
    with pytest.raises(PermissionRefusedError):
        services.panel_setup(
            user=accounts["police_liaison"],
            process=demo_panel_process(chicago),
            size=30,
            tolerance_percent=5,
            variables=["sex"],
        )
    assert list(Panel.objects.values_list()) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"address,zip\n1 Main St,60601\n2 Main St\n", "Row 3 has 1 cells"),
        (
            b"address,zip\n1 Main St,60601\n=HYPERLINK(1),60602\n",
            "Row 3, column \u201caddress\u201d starts with \u201c=\u201d",
        ),
        (
            b"address,zip\n1 Main St,60601\n1 main st.,60601\n",
            "Row 3 repeats the household of row 2",
        ),
        (
            "address,zip\n1 Main St,60601\n2 Peña St,60602\n".encode("latin-1"),
            "Row 3, column \u201caddress\u201d is not valid UTF-8",
        ),
        (b"street,zip\n1 Main St,60601\n", "lacks the column(s)"),
        (b'address,zip\n"1 Main St,60601\n', "not well-formed CSV"),
        (
            b"address,zip\n1 Main St,+60601\n",
            "Row 2, column \u201czip\u201d starts with \u201c+\u201d",
        ),
    ],
)
def test_bad_address_lists_name_row_and_column_and_import_nothing(chicago, accounts, data, message):
    panel = services.panel_setup(
        user=accounts["facilitator"],
        process=demo_panel_process(chicago),
        size=2,
        tolerance_percent=50,
        variables=["sex"],
    )
    before = actions(chicago)
    with pytest.raises(InvalidInputError) as error:
        services.invitations_import(
            user=accounts["facilitator"], panel=panel, data=data, sample_size=1
        )
    assert message in str(error.value)
    assert not Invitation.objects.exists()
    assert actions(chicago) == before


def test_invitations_are_a_random_sample_of_the_list(chicago, accounts):
    panel = services.panel_setup(
        user=accounts["facilitator"],
        process=demo_panel_process(chicago),
        size=20,
        tolerance_percent=5,
        variables=["sex"],
    )
    made = services.invitations_import(
        user=accounts["facilitator"], panel=panel, data=address_list(100), sample_size=40
    )
    assert len(made) == 40 == len({invitation.code for invitation in made})
    again = services.invitations_import(
        user=accounts["facilitator"], panel=panel, data=address_list(100), sample_size=60
    )
    # A second wave only draws households not yet invited.
    assert len({i.household_digest for i in [*made, *again]}) == 100
    assert services.invitations_mark_sent(user=accounts["facilitator"], panel=panel) == 100


def test_registration_catches_duplicate_codes_households_and_people(chicago, accounts):
    panel = services.panel_setup(
        user=accounts["facilitator"],
        process=demo_panel_process(chicago),
        size=2,
        tolerance_percent=50,
        variables=["sex"],
    )
    first, second, third = services.invitations_import(
        user=accounts["facilitator"], panel=panel, data=address_list(3), sample_size=3
    )
    answers = {"sex": "female"}
    services.registration_create(
        panel=panel, code=first.code.lower(), answers=answers, name="Ana", phone="(312) 555-0101"
    )
    with pytest.raises(InvalidInputError, match="already been used"):
        services.registration_create(
            panel=panel, code=first.code, answers=answers, name="Bo", email="b@example.org"
        )
    with pytest.raises(InvalidInputError, match="phone number has already registered"):
        services.registration_create(
            panel=panel, code=second.code, answers=answers, name="Ana", phone="312-555-0101"
        )
    with pytest.raises(InvalidInputError, match="We do not know this code"):
        services.registration_create(
            panel=panel, code="ZZZZZZZZ", answers=answers, name="C", email="c@example.org"
        )
    with pytest.raises(InvalidInputError, match="Answer the question"):
        services.registration_create(
            panel=panel, code=third.code, answers={"sex": "x"}, name="D", email="d@example.org"
        )
    with pytest.raises(PermissionRefusedError):
        services.registration_create(
            panel=panel,
            code=third.code,
            answers=answers,
            name="D",
            email="d@example.org",
            channel=Channel.PAPER,
            entered_by=accounts["police_liaison"],
        )
    paper = services.registration_create(
        panel=panel,
        code=third.code,
        answers={"sex": "male"},
        name="Dee",
        email="d@example.org",
        channel=Channel.PAPER,
        entered_by=accounts["facilitator"],
    )
    assert paper.channel == "paper"
    assert len(paper.person_id) == 16
    assert Registration.objects.count() == 2
    contact = Registration.objects.get(invitation=first).contact
    assert contact.phone_digest
    assert contact.phone_digest != "3125550101"


def test_freeze_compute_draw_replace_and_verify_round_trip(
    chicago, accounts, tmp_path, django_capture_on_commit_callbacks
):
    facilitator = accounts["facilitator"]
    panel = instance_panel(chicago, facilitator)
    assert Registration.objects.filter(panel=panel).count() == len(instance_rows()) == 200

    with pytest.raises(InvalidInputError, match="Declare the public randomness"):
        services.panel_freeze(
            user=facilitator,
            panel=panel,
            randomness_source="later",
            randomness_published_at=randomness_due(),
        )
    panel = services.panel_freeze(
        user=facilitator,
        panel=panel,
        randomness_source=RANDOMNESS_SOURCE,
        randomness_published_at=randomness_due(),
    )
    assert panel.stage == PanelStage.FROZEN
    assert len(panel.freeze_digest) == 64
    with pytest.raises(InvalidTransitionError):
        services.registration_create(
            panel=panel, code="X", answers={}, name="late", email="l@x.org"
        )

    with django_capture_on_commit_callbacks(execute=True):
        services.panel_compute_start(user=facilitator, panel=panel)
    panel.refresh_from_db()
    assert panel.stage == PanelStage.COMPUTED
    assert panel.progress == 1.0
    assert len(panel.lottery) == 1000
    assert min(panel.probabilities) == pytest.approx(0.1)

    with pytest.raises(PermissionRefusedError):
        services.panel_draw(user=accounts["police_liaison"], panel=panel, public_randomness="1234")
    panel = randomness_now_public(panel)
    panel = services.panel_draw(user=facilitator, panel=panel, public_randomness="4 1 7 9")
    assert panel.stage == PanelStage.DRAWN
    assert len(panel.draw["panel"]) == 20

    leaving = panel.draw["panel"][0]
    replacement = services.panel_member_withdraw(user=facilitator, panel=panel, person_id=leaving)
    assert replacement in panel.draw["panel"]
    assert leaving not in panel.draw["panel"]
    assert Registration.objects.get(panel=panel, person_id=leaving).withdrawn_at is not None
    assert actions(chicago)[-5:] == [
        "panel.frozen",
        "panel.compute_started",
        "panel.lottery_published",
        "panel.drawn",
        "panel.member_replaced",
    ]

    for name, content in selectors.transcript_files(panel=panel).items():
        (tmp_path / name).write_bytes(content)
    verification = sortition.verify_transcript(tmp_path)
    assert list(verification.panel) == panel.draw["panel"]
    # The freeze commitment can be re-derived from the published pool and quotas too.
    pool = sortition.read_pool(
        tmp_path / "respondents.csv",
        categories=["gender", "leaning"],
        id_column="id",
        household_columns=["household"],
    )
    quotas = sortition.read_quotas(tmp_path / "categories.csv")
    assert (
        sortition.commit(
            pool, quotas, 20, algorithm="leximin", randomness_source=RANDOMNESS_SOURCE
        ).digest
        == panel.freeze_digest
    )

    report = selectors.panel_report(panel=panel)
    assert report is not None
    assert all(row.within_quota for row in report.composition)
    assert report.min_probability == pytest.approx(0.1)

    # One changed byte in any published input breaks verification.
    for name, old, new in [
        ("respondents.csv", b"female", b"femalf"),
        ("categories.csv", b",9,", b",8,"),
        ("commitment.json", b"Illinois", b"Illinoys"),
        ("lottery.json", b'"', b"'"),
        ("draw.json", b"4 1 7 9", b"4 1 7 8"),
    ]:
        original = (tmp_path / name).read_bytes()
        assert old in original, name
        (tmp_path / name).write_bytes(original.replace(old, new, 1))
        with pytest.raises(sortition.TranscriptError):
            sortition.verify_transcript(tmp_path)
        (tmp_path / name).write_bytes(original)
    sortition.verify_transcript(tmp_path)


def test_infeasible_pool_cannot_be_frozen(chicago, accounts):
    panel = instance_panel(chicago, accounts["facilitator"], registrations=12)
    with pytest.raises(InvalidInputError, match="cannot be frozen"):
        services.panel_freeze(
            user=accounts["facilitator"],
            panel=panel,
            randomness_source=RANDOMNESS_SOURCE,
            randomness_published_at=randomness_due(),
        )
    assert Panel.objects.get(pk=panel.pk).stage == PanelStage.SETUP


def test_randomness_declared_for_a_future_event_is_refused_until_its_time(
    chicago, accounts, django_capture_on_commit_callbacks
):
    facilitator = accounts["facilitator"]
    panel = instance_panel(chicago, facilitator)
    already_past = timezone.now() - timedelta(minutes=1)
    with pytest.raises(InvalidInputError, match="already passed"):
        services.panel_freeze(
            user=facilitator,
            panel=panel,
            randomness_source=RANDOMNESS_SOURCE,
            randomness_published_at=already_past,
        )
    assert Panel.objects.get(pk=panel.pk).stage == PanelStage.SETUP

    due = randomness_due()
    panel = services.panel_freeze(
        user=facilitator,
        panel=panel,
        randomness_source=RANDOMNESS_SOURCE,
        randomness_published_at=due,
    )
    assert panel.randomness_published_at == due
    frozen = AuditEvent.objects.get(action="panel.frozen", object_id=str(panel.pk))
    assert frozen.payload["randomness_published_at"] == due.isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        services.panel_compute_start(user=facilitator, panel=panel)
    panel.refresh_from_db()
    assert panel.stage == PanelStage.COMPUTED

    # Entered before the declared event: "not yet", and nothing is drawn.
    with pytest.raises(InvalidInputError, match="Not yet") as refused:
        services.panel_draw(user=facilitator, panel=panel, public_randomness="4 1 7 9")
    assert RANDOMNESS_SOURCE in str(refused.value)
    panel.refresh_from_db()
    assert panel.stage == PanelStage.COMPUTED
    assert panel.public_randomness == ""
    assert panel.draw == {}
    assert not AuditEvent.objects.filter(action="panel.drawn").exists()

    # Once the declared time has passed, the same randomness draws the panel.
    panel = randomness_now_public(panel)
    panel = services.panel_draw(user=facilitator, panel=panel, public_randomness="4 1 7 9")
    assert panel.stage == PanelStage.DRAWN
