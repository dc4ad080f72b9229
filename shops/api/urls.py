from django.urls import path

from shops.api import views

urlpatterns = [
    path("platform/shops/", views.ShopIngestView.as_view(), name="platform-shops"),
    path("platform/products/", views.ProductIngestView.as_view(), name="platform-products"),
    path("platform/orders/", views.OrderIngestView.as_view(), name="platform-orders"),
    path("platform/orders/bulk/", views.OrderBulkIngestView.as_view(), name="platform-orders-bulk"),
    path("platform/order-events/bulk/", views.OrderEventBulkView.as_view(), name="platform-order-events-bulk"),
    path("platform/orders/<str:order_no>/events/", views.OrderEventView.as_view(), name="platform-order-events"),
    path("regions/", views.RegionListView.as_view(), name="regions"),
]
