"""Secrets in motion: password hashes, session tokens in signed cookies, and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_against_nothing(password: str) -> None:
    """Spend the time a real check takes, so that a wrong name answers as slowly as a wrong
    password and names cannot be probed by timing."""
    verify_password(_DUMMY_HASH, password)


_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a session token: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


class Signer:
    """Signs session tokens into cookie values and derives CSRF tokens, with one secret."""

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="threadline.session")
        self._csrf_key = hashlib.sha256(f"threadline.csrf:{secret_key}".encode()).digest()
        self.max_age_seconds = max_age_seconds

    def cookie_value(self, token: str) -> str:
        return self._serializer.dumps(token)

    def token_from_cookie(self, value: str) -> str | None:
        """The session token, or None for a cookie that is forged, altered or expired."""
        try:
            token = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:  # also covers SignatureExpired
            return None
        return token if isinstance(token, str) else None

    def csrf_token(self, session_token_hash: str) -> str:
        return hmac.new(self._csrf_key, session_token_hash.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, session_token_hash: str, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(
            self.csrf_token(session_token_hash), str(candidate)
        )
