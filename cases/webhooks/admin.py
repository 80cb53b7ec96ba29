"""Admin of the webhooks: endpoints (registered and changed through the services), chat routes, and the delivery log
(read-only: each delivery with its attempts, status codes and durations)."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError

from cases.webhooks import addresses, services
from cases.webhooks.choices import WebhookEvent
from cases.webhooks.models import ChatRoute, Delivery, DeliveryAttempt, WebhookEndpoint
from config.admin import ReadOnlyAdminMixin


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "events", "owner", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if "url" in cleaned and "events" in cleaned:
            services.endpoint_check(url=cleaned["url"], events=cleaned["events"])
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "is_active", "consecutive_failures", "owner", "disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["consecutive_failures", "disabled_at", "disabled_reason", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in WebhookEndpointForm.Meta.fields}
        if change:
            services.endpoint_update(endpoint=obj, **fields)
        else:
            fields["owner"] = fields["owner"] or request.user
            obj.pk = services.endpoint_create(**fields).pk


class ChatRouteForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https", help_text="The incoming-webhook URL of Slack or Teams.")

    class Meta:
        model = ChatRoute
        fields = ["team", "user", "url", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("team")) == bool(cleaned.get("user")):
            raise ValidationError("A chat route belongs to a team or to a user: pick exactly one.")
        try:
            if cleaned.get("url"):
                addresses.check_syntax(cleaned["url"], allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES)
        except addresses.UnsafeAddress as exc:
            self.add_error("url", str(exc))
        return cleaned


@admin.register(ChatRoute)
class ChatRouteAdmin(admin.ModelAdmin):
    form = ChatRouteForm
    list_display = ["__str__", "team", "user", "url", "is_active"]
    list_filter = ["is_active"]
    autocomplete_fields = ["user"]


class DeliveryAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "attempted_at", "status_code", "duration_ms", "succeeded", "error"]
    readonly_fields = fields
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["event", "target", "status", "attempts", "last_status_code", "created_at", "delivered_at"]
    list_filter = ["status", "event"]
    search_fields = ["event_id", "key"]
    list_select_related = ["endpoint", "chat_route__team", "chat_route__user"]
    inlines = [DeliveryAttemptInline]

    @admin.display(description="endpoint or chat route")
    def target(self, delivery: Delivery) -> str:
        return str(delivery.endpoint or delivery.chat_route)
