"""What the public record says about civic lotteries: quotas, invitations, the draw."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cpps.audit.actions import (
    ActionTopic,
    AuditAction,
    CountSentence,
    RecordedAct,
    Sentence,
    audit_action_register,
    says,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TOPIC = ActionTopic("panels", _("Civic lotteries and panels"))


def _set_up(act: RecordedAct) -> str:
    categories = sorted({str(quota[0]) for quota in act.payload["quotas"]})
    return str(
        _("A panel of %(size)s people was set up for “%(object)s”, balanced by %(categories)s.")
        % {
            "size": act.payload["size"],
            "object": act.object_label,
            "categories": ", ".join(categories) or "—",
        }
    )


def _quotas(template: StrOrPromise) -> Sentence:
    def sentence(act: RecordedAct) -> str:
        return str(template) % {"object": act.object_label, "count": len(act.payload["quotas"])}

    return sentence


def _lottery_published(act: RecordedAct) -> str:
    return str(
        _(
            "The lottery for “%(object)s” was published: %(panels)s possible panels, and every "
            "registered person had at least a %(percent).1f%% chance of being chosen."
        )
        % {
            "object": act.object_label,
            "panels": act.payload["panels"],
            "percent": 100 * float(act.payload["min_probability"]),
        }
    )


def _drawn(act: RecordedAct) -> str:
    return str(
        _("The panel for “%(object)s” was drawn with public randomness: %(count)s members.")
        % {"object": act.object_label, "count": len(act.payload["panel"])}
    )


def _registered(count: int) -> str:
    return ngettext(
        "%(count)s resident registered for a panel.",
        "%(count)s residents registered for a panel.",
        count,
    ) % {"count": count}


def _action(
    name: str, label: StrOrPromise, sentence: Sentence, counted: CountSentence | None = None
) -> str:
    """Every panel act is about its process (the panel's lottery)."""
    return audit_action_register(
        AuditAction(name, TOPIC, label, sentence, counted=counted, process_from="object")
    )


PANEL_SET_UP = _action("panel.set_up", _("Panel set up"), _set_up)
PANEL_QUOTAS_CHANGED = _action(
    "panel.quotas_changed",
    _("Quotas changed"),
    _quotas(_("The quotas of “%(object)s” were changed (%(count)s quotas).")),
)
PANEL_QUOTAS_IMPORTED = _action(
    "panel.quotas_imported",
    _("Quotas imported"),
    _quotas(_("Quotas for “%(object)s” were imported from a file (%(count)s quotas).")),
)
PANEL_HOUSEHOLDS_INVITED = _action(
    "panel.households_invited",
    _("Households drawn for invitations"),
    says(
        _(
            "%(sampled)s households were drawn at random, from a list of %(list_size)s "
            "addresses, to be invited to “%(object)s”."
        )
    ),
)
PANEL_LETTERS_SENT = _action(
    "panel.letters_sent",
    _("Invitation letters sent"),
    says(_("%(letters)s invitation letters for “%(object)s” were marked as sent.")),
)
PANEL_SMS_INVITATIONS_QUEUED = _action(
    "panel.sms_invitations_queued",
    _("Invitations texted"),
    says(_("%(messages)s text-message invitations to “%(object)s” were queued.")),
)
PANEL_REGISTERED = _action(
    "panel.registered",
    _("Residents registered"),
    says(_("A resident registered for the panel “%(object)s”.")),
    counted=_registered,
)
PANEL_FROZEN = _action(
    "panel.frozen",
    _("Pool frozen before the draw"),
    says(
        _(
            "The pool of %(pool_size)s registered people for “%(object)s” was frozen, and its "
            "fingerprint published before the draw."
        )
    ),
)
PANEL_COMPUTE_STARTED = _action(
    "panel.compute_started",
    _("Lottery computation started"),
    says(_("Computing the fair lottery for “%(object)s” started (attempt %(attempt)s).")),
)
PANEL_COMPUTE_FAILED = _action(
    "panel.compute_failed",
    _("Lottery computation failed"),
    says(_("Computing the lottery for “%(object)s” failed (attempt %(attempt)s).")),
)
PANEL_LOTTERY_PUBLISHED = _action(
    "panel.lottery_published", _("Lottery published"), _lottery_published
)
PANEL_DRAWN = _action("panel.drawn", _("Panel drawn"), _drawn)
PANEL_MEMBER_REPLACED = _action(
    "panel.member_replaced",
    _("Panel member replaced"),
    says(_("A member of the panel “%(object)s” withdrew and was replaced by an alternate.")),
)
