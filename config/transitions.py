"""The one error for a state change that the current state does not allow.

Models raise it from their transition methods and services from their
workflows; its message is specific Japanese that is shown to the user as is
(what was refused and why), so views turn it into a message or a form error
without rewording it.
"""


class TransitionRefused(Exception):
    """A state change refused; ``str(error)`` is the message for the user."""
