"""The webhook endpoints API (`/api/v1/webhooks/`): administrators (staff) only; everyone else gets a 403.
Every change goes through `cases.webhooks.services`."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from cases.webhooks import services
from cases.webhooks.api.serializers import (
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookEndpointWithSecretSerializer,
)
from cases.webhooks.models import WebhookEndpoint
from config.api.schema import error_responses


@extend_schema_view(
    list=extend_schema(
        summary="Webhook endpoints", responses={200: WebhookEndpointSerializer, **error_responses(400, 404)}
    ),
    retrieve=extend_schema(responses={200: WebhookEndpointSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Register a webhook endpoint (the answer shows its signing secret, once)",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, **error_responses(400)},
    ),
    partial_update=extend_schema(
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, **error_responses(400, 404)},
    ),
    destroy=extend_schema(responses={204: None, **error_responses(400, 404)}),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = WebhookEndpoint.objects.select_related("owner").order_by("id")
    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsAdminUser]
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete"]

    def create(self, request, *args, **kwargs):
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(owner=request.user, **serializer.validated_data)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        serializer = WebhookEndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=endpoint, **serializer.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        services.endpoint_delete(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
