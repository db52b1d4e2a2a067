"""The exceptions Ombuds raises on purpose, in one place; the edges map them to exit codes and HTTP."""


class OmbudsError(Exception):
    """Base of every deliberate error."""


class NotFound(OmbudsError):
    """A thing does not exist, or the caller may not see it (the two are indistinguishable on purpose)."""


class Forbidden(OmbudsError):
    """The caller may see the thing but their role does not let them change it; the message says why."""


class Conflict(OmbudsError):
    """The change contradicts what is stored (a duplicate email, a slug in use)."""


class InvalidInput(OmbudsError):
    """Input that cannot be used; the message says what and where."""
