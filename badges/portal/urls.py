from django.urls import path

from badges.portal import views

app_name = "badges"
urlpatterns = [
    path("", views.products, name="portal-products"),
]
