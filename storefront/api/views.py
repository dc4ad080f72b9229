"""Storefront API (SPEC §7, §8). Views parse input, call a selector or service, and answer;
tenant scoping lives in ``storefront.selectors``, rules in ``storefront.services``."""

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import IsPlatform
from core.api.responses import created_or_existing
from core.errors import InvalidInput, NotFound
from storefront import selectors, services
from storefront.api import serializers as s
from storefront.models import LibraryItem, Listing

_ERROR = OpenApiResponse(description='`{"code", "detail"}`')


class StorefrontView(APIView):
    """The caller's storefront (我的小店). Any signed-in user may open one."""

    @extend_schema(responses={200: s.StorefrontSerializer, 404: _ERROR})
    def get(self, request):
        storefront = selectors.storefront_for_user(user=request.user)
        if storefront is None:
            raise NotFound("storefront_not_found", gettext("You have no storefront yet."))
        return Response(s.StorefrontSerializer(storefront).data)

    @extend_schema(
        request=s.StorefrontCreateSerializer, responses={201: s.StorefrontSerializer, 200: s.StorefrontSerializer, 409: _ERROR}
    )
    def post(self, request):
        data = s.StorefrontCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.storefront_create(actor=request.user, name=data.validated_data["name"])
        return created_or_existing(s.StorefrontSerializer(result.obj).data, created=result.created)


# --- shop bindings ----------------------------------------------------------------------------
class ShopBindingListView(generics.ListAPIView):
    """Third-party shops bound to the caller's storefront (绑定店铺), newest first."""

    serializer_class = s.ShopBindingSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.shop_bindings_for_user(user=self.request.user)

    @extend_schema(
        request=s.ShopBindSerializer,
        responses={201: s.ShopBindingSerializer, 200: s.ShopBindingSerializer, 400: _ERROR, 409: _ERROR},
    )
    def post(self, request):
        storefront = selectors.storefront_get_for_user(user=request.user)
        data = s.ShopBindSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.shop_bind(actor=request.user, storefront=storefront, **data.validated_data)
        return created_or_existing(s.ShopBindingSerializer(result.obj, context={"request": request}).data, created=result.created)


class ShopBindingDetailView(APIView):
    @extend_schema(responses={200: s.ShopBindingSerializer, 404: _ERROR})
    def get(self, request, pk: int):
        return Response(
            s.ShopBindingSerializer(
                selectors.shop_binding_get_for_user(user=request.user, pk=pk), context={"request": request}
            ).data
        )


class ShopBindingRevokeView(APIView):
    @extend_schema(request=s.RevokeSerializer, responses={200: s.ShopBindingSerializer, 404: _ERROR, 409: _ERROR})
    def post(self, request, pk: int):
        binding = selectors.shop_binding_get_for_user(user=request.user, pk=pk)
        data = s.RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        binding = services.shop_unbind(actor=request.user, binding=binding, reason=data.validated_data["reason"])
        return Response(s.ShopBindingSerializer(binding, context={"request": request}).data)


# --- PID --------------------------------------------------------------------------------------
class PidBindingListView(generics.ListAPIView):
    """The storefront's affiliate PIDs (淘宝联盟 PID): the active one and the history."""

    serializer_class = s.PidBindingSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.pid_bindings_for_user(user=self.request.user)

    @extend_schema(
        request=s.PidBindSerializer,
        responses={201: s.PidBindingSerializer, 200: s.PidBindingSerializer, 400: _ERROR, 409: _ERROR},
    )
    def post(self, request):
        storefront = selectors.storefront_get_for_user(user=request.user)
        data = s.PidBindSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.pid_bind(actor=request.user, storefront=storefront, pid=data.validated_data["pid"])
        return created_or_existing(s.PidBindingSerializer(result.obj, context={"request": request}).data, created=result.created)


class PidBindingDetailView(APIView):
    @extend_schema(responses={200: s.PidBindingSerializer, 404: _ERROR})
    def get(self, request, pk: int):
        return Response(
            s.PidBindingSerializer(
                selectors.pid_binding_get_for_user(user=request.user, pk=pk), context={"request": request}
            ).data
        )


class PidBindingRevokeView(APIView):
    @extend_schema(request=None, responses={200: s.PidBindingSerializer, 404: _ERROR, 409: _ERROR})
    def post(self, request, pk: int):
        binding = selectors.pid_binding_get_for_user(user=request.user, pk=pk)
        return Response(
            s.PidBindingSerializer(services.pid_unbind(actor=request.user, binding=binding), context={"request": request}).data
        )


# --- listings (商品管理) ---------------------------------------------------------------------------
@extend_schema(parameters=[OpenApiParameter("status", enum=Listing.Status.values, description="listed or removed")])
class ListingListView(generics.ListAPIView):
    """The storefront's products, most recently listed first."""

    serializer_class = s.ListingSerializer
    filter_backends: list = []

    def get_queryset(self):
        wanted = self.request.query_params.get("status") or None
        if wanted and wanted not in Listing.Status.values:
            raise InvalidInput(
                "invalid", gettext("status: must be one of %(values)s.") % {"values": ", ".join(Listing.Status.values)}
            )
        return selectors.listings_for_user(user=self.request.user, status=wanted)

    @extend_schema(
        request=s.ListingCreateSerializer,
        responses={201: s.ListingSerializer, 400: _ERROR, 404: _ERROR, 409: _ERROR},
        description="Add a product by pasting a share token or an item link (`text`), or from the selection "
        "centre (`library_item`). A removed product is listed again. Errors: token_unrecognised, "
        "link_unsupported, link_item_id_missing, input_empty, input_ambiguous, input_too_long, "
        "token_unknown, token_expired, pid_required, item_not_in_library, youzan_shop_required, "
        "item_not_found, already_listed, storefront_required.",
    )
    def post(self, request):
        storefront = selectors.storefront_get_for_user(user=request.user)
        data = s.ListingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("library_item") is not None:
            item = selectors.library_item_get(pk=data.validated_data["library_item"])
            result = services.listing_add_from_library(actor=request.user, storefront=storefront, library_item=item)
        else:
            result = services.listing_add(actor=request.user, storefront=storefront, text=data.validated_data["text"])
        return Response(s.ListingSerializer(result.listing).data, status=status.HTTP_201_CREATED)


class ListingDetailView(APIView):
    @extend_schema(responses={200: s.ListingSerializer, 404: _ERROR})
    def get(self, request, pk: int):
        return Response(s.ListingSerializer(selectors.listing_get_for_user(user=request.user, pk=pk)).data)


class ListingRemoveView(APIView):
    @extend_schema(request=None, responses={200: s.ListingSerializer, 404: _ERROR, 409: _ERROR})
    def post(self, request, pk: int):
        listing = selectors.listing_get_for_user(user=request.user, pk=pk)
        return Response(s.ListingSerializer(services.listing_remove(actor=request.user, listing=listing)).data)


class ListingReaddView(APIView):
    @extend_schema(request=None, responses={200: s.ListingSerializer, 404: _ERROR, 409: _ERROR})
    def post(self, request, pk: int):
        listing = selectors.listing_get_for_user(user=request.user, pk=pk)
        return Response(s.ListingSerializer(services.listing_readd(actor=request.user, listing=listing)).data)


# --- selection centre (选品中心) --------------------------------------------------------------------
class _LibraryListView(generics.ListAPIView):
    serializer_class = s.LibraryItemSerializer
    filter_backends: list = []


@extend_schema(parameters=[OpenApiParameter("q", description="Words of the title or the item id; case- and width-insensitive")])
class LibrarySearchView(_LibraryListView):
    """Search the content library; best sellers first."""

    def get_queryset(self):
        return selectors.library_search(query=self.request.query_params.get("q", ""), user=self.request.user)


class LibraryRecommendedView(_LibraryListView):
    """Items recommended by ops (推荐)."""

    def get_queryset(self):
        return selectors.library_recommended(user=self.request.user)


class LibraryHotView(_LibraryListView):
    """Hot items (火热): by sales over the last 7 days."""

    def get_queryset(self):
        return selectors.library_hot(user=self.request.user)


# --- platform ingestion -------------------------------------------------------------------------
class LibraryItemIngestView(APIView):
    """Push a content-library item (and its share tokens). Upsert by (platform, item_id):
    201 created; 200 unchanged or updated (``version`` counts changes); 409 ``library_item_stale``
    for figures older than those stored, ``share_token_conflict`` for a token of another item."""

    permission_classes = [IsPlatform]

    @extend_schema(
        request=s.LibraryItemIngestSerializer,
        responses={201: s.LibraryItemSerializer, 200: s.LibraryItemSerializer, 400: _ERROR, 409: _ERROR},
    )
    def post(self, request):
        data = s.LibraryItemIngestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.library_item_ingest(actor=request.user, **data.validated_data)
        return created_or_existing(s.LibraryItemSerializer(result.obj).data, created=result.created)


class ShareTokenIngestView(APIView):
    """Push a share token (淘口令) for an item already in the library."""

    permission_classes = [IsPlatform]

    @extend_schema(
        request=s.ShareTokenIngestSerializer,
        responses={201: s.ShareTokenSerializer, 200: s.ShareTokenSerializer, 400: _ERROR, 409: _ERROR},
    )
    def post(self, request):
        data = s.ShareTokenIngestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = LibraryItem.objects.filter(platform=values["platform"], item_id=values["item_id"]).first()
        if item is None:
            raise InvalidInput("library_item_not_found", gettext("The item is not in the content library."))
        result = services.share_token_ingest(
            actor=request.user, code=values["code"], library_item=item, expires_at=values["expires_at"]
        )
        return created_or_existing(s.ShareTokenSerializer(result.obj).data, created=result.created)
