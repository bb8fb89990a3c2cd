"""What a review panel's expert may read: the declarations of the candidates they judge.

An expert drawn for a session reads the full declaration (records, materials, applicant) of
each candidate of the session they are not recused for, from the draw on; nobody else's.
One SQL condition, shared by the declaration, person and material rules so they agree.
"""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.sql.elements import ColumnElement

from models import Declaration, PanelMember, PanelRecusal, SessionCandidate


def judged_by(person_id: int) -> ColumnElement[bool]:
    """`Declaration` is a candidate of a session on whose panel `person_id` sits, not recused."""
    recused = exists().where(PanelRecusal.candidate_id == SessionCandidate.id,
                             PanelRecusal.member_id == PanelMember.id)
    return exists().where(SessionCandidate.declaration_id == Declaration.id,
                          PanelMember.session_id == SessionCandidate.session_id,
                          PanelMember.person_id == person_id, ~recused)
