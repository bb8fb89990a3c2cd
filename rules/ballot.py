"""无记名投票: how a ballot is stored so that nobody holding the database can tell whose it is
or, before the close, what it says.

`ballot_key(K, session, candidate, person)`, a keyed MAC, names an expert's ballot on one
candidate: the expert's next castVotes finds and replaces it, but without K the name leads
nowhere (and differs per candidate, so one expert's ballots cannot even be grouped).
`Sealer(K).seal(name, nonce, choice)` hides the choice under a pad drawn from a fresh random
nonce; only K opens it (`Sealer.open`), at the close. K is kept outside the database (core.ballot_key): the
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
_CHOICES = tuple(VoteChoice)


def _mac(key: bytes, purpose: bytes, message: bytes) -> bytes:
    return hashlib.blake2b(message, key=key, digest_size=32, person=purpose).digest()


def ballot_key(key: bytes, session_id: int, candidate_id: int, person_id: int) -> bytes:
    return _mac(key, b"ballot", f"{session_id}|{candidate_id}|{person_id}".encode())


class Sealer:
    """Seals and opens ballots under one key.

    A seal is 33 bytes: the choice's index under a one-time pad from MAC(K, name, nonce), then
    a MAC over the name, nonce and that byte, so a seal altered in the database or made under
    another key does not open. Two MACs to open, whatever the choice. The MAC is keyed
    BLAKE2b (RFC 7693), a PRF like HMAC-SHA256 at about a quarter of its cost; the keyed
    states are made once and copied per ballot, as the close opens 50,000 of them."""

    def __init__(self, key: bytes) -> None:
        self._pad = hashlib.blake2b(key=key, digest_size=32, person=b"pad")
        self._tag = hashlib.blake2b(key=key, digest_size=32, person=b"tag")

    def _digest(self, state: hashlib.blake2b, message: bytes) -> bytes:
        h = state.copy()
        h.update(message)
        return h.digest()

    def seal(self, name: bytes, nonce: bytes, choice: VoteChoice) -> bytes:
        masked = bytes([_CHOICES.index(choice) ^ self._digest(self._pad, name + nonce)[0]])
        return masked + self._digest(self._tag, name + nonce + masked)

    def open(self, name: bytes, nonce: bytes, sealed: bytes) -> VoteChoice:
        """The choice a seal hides; ValueError for a seal made with another key or tampered with."""
        message, masked = name + nonce, sealed[:1]
        if len(sealed) != 33 or not hmac.compare_digest(self._digest(self._tag, message + masked), sealed[1:]):
            raise ValueError("a ballot's seal does not open under this key")
        index = masked[0] ^ self._digest(self._pad, message)[0]
        if index >= len(_CHOICES):
            raise ValueError("a ballot's seal holds no choice")
        return _CHOICES[index]


def seal(key: bytes, name: bytes, nonce: bytes, choice: VoteChoice) -> bytes:
    return Sealer(key).seal(name, nonce, choice)


def open_seal(key: bytes, name: bytes, nonce: bytes, sealed: bytes) -> VoteChoice:
    return Sealer(key).open(name, nonce, sealed)
