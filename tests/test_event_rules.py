"""rules.events: every transition of the state machine is named in the feed, once."""

from __future__ import annotations

import re

from rules.declaration_states import TRANSITIONS, DeclarationAction
from rules.events import DECLARATION_EVENT_TYPES, PRIVATE_ACTIONS, EventType, declaration_event_type


def test_every_action_but_drafting_has_an_event_type():
    actions = {action for _, action in TRANSITIONS}
    assert actions - PRIVATE_ACTIONS == set(DECLARATION_EVENT_TYPES)
    assert set(DeclarationAction) - PRIVATE_ACTIONS == set(DECLARATION_EVENT_TYPES)


def test_drafting_is_private():
    assert declaration_event_type(DeclarationAction.CREATE) is None
    assert declaration_event_type(DeclarationAction.EDIT) is None
    assert declaration_event_type(DeclarationAction.ACCEPT) is EventType.DECLARATION_ACCEPTED


def test_names_are_unique_area_dot_past_participle():
    values = [t.value for t in EventType]
    assert len(set(values)) == len(values)
    assert len(set(DECLARATION_EVENT_TYPES.values())) == len(DECLARATION_EVENT_TYPES)
    for t in EventType:
        assert re.fullmatch(r"(declaration|permission|path)\.[a-z_]+", t.value), t
        assert t.name == t.value.upper().replace(".", "_")  # the GraphQL name is the dotted one, shouted
