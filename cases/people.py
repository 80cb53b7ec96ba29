"""How people are named on every page, notification and email: by their full name, falling back to the username.

The one rule behind the `display_name` template filters (`cases.templatetags.rca_ui`), the owner pickers
(`cases.forms.UserChoiceField`) and the notification texts (`cases.notifications.services`).
"""

from django.contrib.auth.models import User


def display_name(user: User) -> str:
    """ "Lea Quality", or the username of someone without a name."""
    return user.get_full_name() or user.get_username()


def choice_label(user: User) -> str:
    """A person in a picker: "Lea Quality (lead)", so that namesakes stay apart; the username alone without a name."""
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()
