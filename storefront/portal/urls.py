from django.urls import path

from storefront.portal import views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="portal-home"),
    path("shops/", views.shops, name="portal-shops"),
    path("shops/<int:pk>/revoke/", views.shop_revoke, name="portal-shop-revoke"),
    path("pid/", views.pid, name="portal-pid"),
    path("pid/<int:pk>/revoke/", views.pid_revoke, name="portal-pid-revoke"),
    path("add/", views.add, name="portal-add"),
    path("selection/", views.selection, name="portal-selection"),
    path("selection/add/", views.selection_add, name="portal-selection-add"),
    path("listings/", views.listings, name="portal-listings"),
    path("listings/<int:pk>/remove/", views.listing_remove, name="portal-listing-remove"),
    path("listings/<int:pk>/readd/", views.listing_readd, name="portal-listing-readd"),
]
