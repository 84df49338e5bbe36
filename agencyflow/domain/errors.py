"""The one exception hierarchy of the domain; the API maps it to HTTP in one handler.

Every error carries a stable machine ``code`` (``contract.missing_item``,
``admission.too_few_professionals`` …) that clients may branch on, and a ``message``
a person can act on.
"""

from pydantic import BaseModel


class Violation(BaseModel):
    """One broken rule: a stable code, a human message and, where it applies, the field."""

    code: str
    message: str
    field: str | None = None


class AgencyflowError(Exception):
    """Base of every error the service raises on purpose."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class RuleViolations(AgencyflowError):
    """The request breaks one or more rules; all of them are reported at once (HTTP 422)."""

    code = "rules.violated"

    def __init__(self, violations: list[Violation]) -> None:
        if not violations:
            raise ValueError("RuleViolations needs at least one violation")
        super().__init__("; ".join(v.message for v in violations))
        self.violations = violations

    @classmethod
    def one(cls, code: str, field: str, message: str) -> "RuleViolations":
        """The request breaks one rule, of one field."""
        return cls([Violation(code=code, field=field, message=message)])


class Conflict(AgencyflowError):
    """A step out of order or a duplicate (HTTP 409)."""

    code = "conflict"


class NotFound(AgencyflowError):
    """Nothing the caller may see exists under that key (HTTP 404)."""

    code = "not_found"


class Forbidden(AgencyflowError):
    """The caller's role or scope does not allow this (HTTP 403)."""

    code = "forbidden"


class Unavailable(AgencyflowError):
    """Something we depend on (the provincial platform) cannot be reached now (HTTP 503)."""

    code = "unavailable"


PLAIN: dict[str, type[AgencyflowError]] = {
    kind.__name__: kind for kind in (Conflict, NotFound, Forbidden, Unavailable)
}
"""The errors that are a message and a code and nothing more, by class name: the name they
cross a boundary under (a workflow's rejection) to be rebuilt on the other side."""
