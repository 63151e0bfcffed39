"""The shop API for apps and headless storefronts: place an order in one request (guest checkout),
read it back by its token, cancel it before it ships. Not the partner API: shoppers' clients call this, unsigned; the order's
unguessable token is what gives access to it."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crossborder.errors import DomainError
from crossborder.serializers import ErrorSerializer

from .models import Order
from .serializers import (
    CancelRequestSerializer,
    CancelResponseSerializer,
    OrderRequestSerializer,
    OrderResponseSerializer,
)
from .services import cancel as cancels
from .services import direct_order


def _order_body(request, order):
    awaiting = order.status == Order.Status.AWAITING_PAYMENT
    return {
        "token": order.token,
        "number": str(order.number),
        "status": order.status,
        "total": {"amount": str(order.total.amount), "currency": str(order.total.currency)},
        "expires_at": order.payment_due_at,
        "order_url": request.build_absolute_uri(reverse("payments:order", args=[order.token])),
        # Opening the payment calls the provider over the network: it happens when the shopper
        # follows this link (views.pay), not while the order is placed.
        "payment_url": request.build_absolute_uri(reverse("payments:pay", args=[order.token])) if awaiting else None,
    }


class OrdersView(APIView):
    """POST: check out and place an order in one request, for exactly the expected total."""

    authentication_classes = []  # guest checkout: no session, so no CSRF; the token is the access
    permission_classes = [AllowAny]

    @extend_schema(request=OrderRequestSerializer, responses={201: OrderResponseSerializer}, tags=["shop"])
    def post(self, request):
        serializer = OrderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = direct_order.order_now(
            items=[dict(item) for item in data["items"]],
            recipient=dict(data["recipient"]),
            email=data["email"],
            phone=data["phone"],
            buyer_name=data["buyer_name"],
            buyer_id_number=data["buyer_id_number"],
            expected_total=data["expected_total"],
            language=request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else None,
        )
        return Response(_order_body(request, order), status=status.HTTP_201_CREATED)


class OrderView(APIView):
    """GET: an order's status and total by its token."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OrderResponseSerializer}, tags=["shop"])
    def get(self, request, token):
        order = Order.objects.filter(token=token).first()
        if order is None:
            raise DomainError("not_found", "No order with this token.", field="token", status=404)
        return Response(_order_body(request, order))


def _found(token):
    order = Order.objects.select_related("checkout").filter(token=token).first()
    if order is None:
        raise DomainError("not_found", "No order with this token.", field="token", status=404)
    return order


class OrderCancelView(APIView):
    """POST: cancel the order before any of its goods ship. The held stock goes back, the payment is
    voided or refunded (once, however often this is called), partners are told. Once goods have
    shipped it is refused (409) with the reason: that is a return."""

    authentication_classes = []  # the order's unguessable token is the access, as for placing it
    permission_classes = [AllowAny]

    @extend_schema(
        request=CancelRequestSerializer,
        responses={200: CancelResponseSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        tags=["shop"],
    )
    def post(self, request, token):
        serializer = CancelRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = cancels.cancel_order(order=_found(token), reason=serializer.validated_data["reason"], by="shopper")
        refund = cancels.refund_status(order)
        amount = (
            {"amount": str(refund.amount.amount), "currency": str(refund.amount.currency)} if refund.amount else None
        )
        return Response({**_order_body(request, order), "refund": {"status": refund.status, "amount": amount}})
