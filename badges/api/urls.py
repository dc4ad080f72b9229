from django.urls import path

from badges.api import views

urlpatterns = [
    path("products/", views.ProductBadgeListView.as_view(), name="products"),
]
