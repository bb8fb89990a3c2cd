"""无记名投票: how a ballot is stored so that nobody holding the database can tell whose it is
or, before the close, what it says.

`ballot_key(K, session, candidate, person)` names an expert's ballot on one candidate: the
expert's next castVotes finds and replaces it, but without K the name leads nowhere (and
differs per candidate, so one expert's ballots cannot even be grouped). `seal(K, key, nonce,
choice)` hides the choice behind a fresh random nonce; the close opens each seal by trying
the three choices (`open_seal`). K is kept outside the database (core.ballot_key): the
office, admins, a database reader or a stolen backup have the rows but not K. Whoever runs
the server has both, until the close deletes the ballots; that is the limit of a ballot that
may be changed without the expert keeping a secret of their own.
"""

from __future__ import annotations

import enum
import hashlib
import hmac


class VoteChoice(str, enum.Enum):
    AGREE = "AGREE"  # 同意
    DISAGREE = "DISAGREE"  # 不同意
    ABSTAIN = "ABSTAIN"  # 弃权


KEY_BYTES = 32
NONCE_BYTES = 16


def _mac(key: bytes, *parts: object) -> bytes:
    return hmac.new(key, "|".join(str(p) for p in parts).encode(), hashlib.sha256).digest()


def ballot_key(key: bytes, session_id: int, candidate_id: int, person_id: int) -> bytes:
    return _mac(key, "ballot", session_id, candidate_id, person_id)


def seal(key: bytes, name: bytes, nonce: bytes, choice: VoteChoice) -> bytes:
    return _mac(key, "seal", name.hex(), nonce.hex(), choice.value)


def open_seal(key: bytes, name: bytes, nonce: bytes, sealed: bytes) -> VoteChoice:
    """The choice a seal hides; ValueError for a seal made with another key or tampered with."""
    for choice in VoteChoice:
        if hmac.compare_digest(seal(key, name, nonce, choice), sealed):
            return choice
    raise ValueError("a ballot's seal matches no choice")
