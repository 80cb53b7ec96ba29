"""Outbound: signed webhooks to registered endpoints, and notifications posted to chat incoming-webhook URLs."""
