from django.urls import path

from tickets.portal import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="portal-list"),
    path("<int:pk>/", views.ticket_detail, name="portal-detail"),
    path("<int:pk>/reply/", views.ticket_reply, name="portal-reply"),
    path("metrics/", views.service_metrics, name="portal-metrics"),
]
