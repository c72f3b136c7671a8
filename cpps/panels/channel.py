"""Registering for a panel by text message: the invitee texts the code from their letter, answers
the quota questions by number and gives a name; the same service as web and paper registration
stores the result (`registration_create`), with the phone as the contact (facilitators only).

The conversation keeps the code, the question reached and the answers so far in ``state``.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cpps.channels.handlers import InboundText
from cpps.channels.models import Conversation
from cpps.channels.services import conversation_save
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.panels import adapters, services
from cpps.panels.models import Panel, PanelQuota, PanelStage
from cpps.panels.selectors import panel_of
from cpps.participation.models import Channel
from cpps.processes.models import Process, ProcessState

CODE, STEP, ANSWERS = "code", "step", "answers"


def _questions(panel: Panel) -> list[tuple[str, list[PanelQuota]]]:
    by_category: dict[str, list[PanelQuota]] = {}
    for quota in panel.quotas.all():
        by_category.setdefault(quota.category, []).append(quota)
    return list(by_category.items())


def _spanish() -> bool:
    return (get_language() or "en").startswith("es")


def _prompt(panel: Panel, step: int) -> str:
    questions = _questions(panel)
    if step >= len(questions):
        return _("Last question: what name should the organisers use if you are drawn?")
    category, options = questions[step]
    english, spanish = adapters.category_question(category)
    numbered = " ".join(
        f"{number}) {quota.label_es if _spanish() else quota.label_en}"
        for number, quota in enumerate(options, start=1)
    )
    question = spanish if _spanish() else english
    return f"{question} {numbered}. {_('Reply with the number of your answer.')}"


def _unknown_code() -> str:
    return _("We do not know this code. Text the 8-letter code from your letter.")


class RegistrationByText:
    """The panel's text-message handler (see `cpps.channels.handlers.TextHandler`)."""

    def is_open(self, process: Process) -> bool:
        panel = panel_of(process)
        return (
            panel is not None
            and panel.stage == PanelStage.SETUP
            and process.state not in {ProcessState.CLOSED, ProcessState.PUBLISHED}
        )

    def help(self, conversation: Conversation) -> str:
        return _(
            "Registering for a community panel, run by residents. Text the code from your "
            "letter, then answer each question with its number. STOP cancels."
        )

    def begin(self, conversation: Conversation, message: InboundText) -> str:
        return self._code(conversation, message.first or message.body)

    def reply(self, conversation: Conversation, message: InboundText) -> str:
        if CODE not in conversation.state:
            return self._code(conversation, message.body)
        panel = panel_of(conversation.process)
        assert panel is not None  # noqa: S101 - is_open() found it
        step = int(conversation.state.get(STEP, 0))
        questions = _questions(panel)
        if step < len(questions):
            _category, options = questions[step]
            choice = message.word
            if not choice.isdigit() or not 1 <= int(choice) <= len(options):
                return _prompt(panel, step)
            quota = options[int(choice) - 1]
            answers = {**conversation.state.get(ANSWERS, {}), quota.category: quota.value}
            conversation.state = {**conversation.state, STEP: step + 1, ANSWERS: answers}
            conversation_save(conversation, "state")
            return _prompt(panel, step + 1)
        name = message.body.strip()[:200]
        if not name:
            return _prompt(panel, step)
        code = str(conversation.state[CODE])
        answers = dict(conversation.state.get(ANSWERS, {}))
        conversation.state = {}
        conversation_save(conversation, "state")
        try:
            services.registration_create(
                panel=panel,
                code=code,
                answers=answers,
                name=name,
                phone=message.phone,
                channel=Channel.SMS,
            )
        except (InvalidInputError, InvalidTransitionError) as error:
            return str(error)
        return _(
            "You are registered. If you are drawn for the panel, the organisers will call or text "
            "you at this number."
        )

    def _code(self, conversation: Conversation, body: str) -> str:
        panel = panel_of(conversation.process)
        assert panel is not None  # noqa: S101 - is_open() found it
        code = services.normalised_code(body)
        if not panel.invitations.filter(code=code, registration__isnull=True).exists():
            return _unknown_code()
        conversation.state = {CODE: code, STEP: 0, ANSWERS: {}}
        conversation_save(conversation, "state")
        return _prompt(panel, 0)
