"""Notifications: in-app notifications and emails for case events, plus the daily reminder digest."""
