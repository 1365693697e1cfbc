"""The closed vocabularies in code and the option sets in content/ say the same words."""

from __future__ import annotations

from bot.content import load_content
from bot.models import Outbound, ScheduledPrompt
from flows.vocabulary import OutboundStatus, PromptStatus, Role


def test_roles_are_the_role_options_people_choose_from():
    assert set(load_content().option_sets["role"]) == {role.value for role in Role}


def test_status_columns_can_hold_every_status():
    for enum, column in ((PromptStatus, ScheduledPrompt.status), (OutboundStatus, Outbound.status)):
        assert max(len(s.value) for s in enum) <= column.type.length
