from django.urls import path

from storefront.api import views

urlpatterns = [
    path("storefront/", views.StorefrontView.as_view(), name="storefront"),
    path("storefront/shop-bindings/", views.ShopBindingListView.as_view(), name="storefront-shop-bindings"),
    path("storefront/shop-bindings/<int:pk>/", views.ShopBindingDetailView.as_view(), name="storefront-shop-binding"),
    path(
        "storefront/shop-bindings/<int:pk>/revoke/", views.ShopBindingRevokeView.as_view(), name="storefront-shop-binding-revoke"
    ),
    path("storefront/pid-bindings/", views.PidBindingListView.as_view(), name="storefront-pid-bindings"),
    path("storefront/pid-bindings/<int:pk>/", views.PidBindingDetailView.as_view(), name="storefront-pid-binding"),
    path("storefront/pid-bindings/<int:pk>/revoke/", views.PidBindingRevokeView.as_view(), name="storefront-pid-binding-revoke"),
    path("storefront/listings/", views.ListingListView.as_view(), name="storefront-listings"),
    path("storefront/listings/<int:pk>/", views.ListingDetailView.as_view(), name="storefront-listing"),
    path("storefront/listings/<int:pk>/remove/", views.ListingRemoveView.as_view(), name="storefront-listing-remove"),
    path("storefront/listings/<int:pk>/readd/", views.ListingReaddView.as_view(), name="storefront-listing-readd"),
    path("storefront/library/", views.LibrarySearchView.as_view(), name="storefront-library"),
    path("storefront/library/recommended/", views.LibraryRecommendedView.as_view(), name="storefront-library-recommended"),
    path("storefront/library/hot/", views.LibraryHotView.as_view(), name="storefront-library-hot"),
    path("platform/library-items/", views.LibraryItemIngestView.as_view(), name="platform-library-items"),
    path("platform/share-tokens/", views.ShareTokenIngestView.as_view(), name="platform-share-tokens"),
]
