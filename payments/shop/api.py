"""The shop API for apps and headless storefronts: place an order in one request (guest checkout),
read it back by its token, cancel it before it ships. Not the partner API: shoppers' clients call this, unsigned; the order's
unguessable token is what gives access to it."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crossborder.errors import DomainError
from crossborder.http import client_ip
from crossborder.serializers import ErrorSerializer
from crossborder.throttles import ClientRateThrottle

from .models import Order
from .serializers import (
    CancelRequestSerializer,
    CancelResponseSerializer,
    OrderRequestSerializer,
    OrderResponseSerializer,
)
from .services import cancel as cancels
from .services import checkout as checkouts
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


class OrderRate(ClientRateThrottle):
    """Orders placed per client (SHOP_API_RATES["order"]): each holds stock until paid or lapsed."""

    rates_setting = "SHOP_API_RATES"
    scope = "order"


class ReadRate(ClientRateThrottle):
    rates_setting = "SHOP_API_RATES"
    scope = "read"


class ShopAPIView(APIView):
    """The shop API's views: guest access, a request rate per client, a 429 naming the rule."""

    authentication_classes = []  # guest checkout: no session, so no CSRF; the token is the access
    permission_classes = [AllowAny]

    def throttled(self, request, wait):
        rate = next(throttle.rate for throttle in self.get_throttles())
        raise Throttled(
            wait,
            detail=_("Too many requests from this client: at most %(rate)s.") % {"rate": rate},
        )


class OrdersView(ShopAPIView):
    """POST: check out and place an order in one request, for exactly the expected total."""

    throttle_classes = [OrderRate]

    @extend_schema(
        request=OrderRequestSerializer,
        responses={201: OrderResponseSerializer, **dict.fromkeys((400, 409, 429, 503), ErrorSerializer)},
        tags=["shop"],
    )
    def post(self, request):
        serializer = OrderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = direct_order.order_now(
            items=[dict(item) for item in data["items"]],
            buyer=checkouts.Buyer(
                recipient=dict(data["recipient"]),
                email=data["email"],
                phone=data["phone"],
                name=data["buyer_name"],
                id_number=data["buyer_id_number"],
                client_ip=client_ip(request),
            ),
            expected_total=data["expected_total"],
            language=request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else None,
        )
        return Response(_order_body(request, order), status=status.HTTP_201_CREATED)


class OrderView(ShopAPIView):
    """GET: an order's status and total by its token."""

    throttle_classes = [ReadRate]

    @extend_schema(responses={200: OrderResponseSerializer, 404: ErrorSerializer, 429: ErrorSerializer}, tags=["shop"])
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


class OrderCancelView(ShopAPIView):
    """POST: cancel the order before any of its goods ship. The held stock goes back, the payment is
    voided or refunded (once, however often this is called), partners are told. Once goods have
    shipped it is refused (409) with the reason: that is a return. The order's unguessable token is
    the access, as for placing it; cancelling counts against the client's read rate, not its order
    rate, so a shopper who placed many orders can still cancel them."""

    throttle_classes = [ReadRate]

    @extend_schema(
        request=CancelRequestSerializer,
        responses={200: CancelResponseSerializer, **dict.fromkeys((400, 404, 409, 429), ErrorSerializer)},
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
