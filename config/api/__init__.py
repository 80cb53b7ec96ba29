"""API plumbing shared by every app's API: authentication, throttling, pagination, error format, schema hooks and
strict input serializers. Nothing here knows about the apps' models."""
