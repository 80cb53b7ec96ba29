from cases import permissions


def navigation(request):
    """Role flags for the navigation of the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_quality_lead": permissions.is_quality_lead(user),
        "nav_is_manager": permissions.is_manager(user),
        "nav_is_partner": permissions.is_partner(user),
    }
