from django.urls import path

from tickets.api import views

urlpatterns = [
    path("platform/urges/", views.UrgeIngestView.as_view(), name="platform-urges"),
    path("tickets/", views.TicketListView.as_view(), name="tickets"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<int:pk>/reply/", views.TicketReplyView.as_view(), name="ticket-reply"),
    path("reply-options/", views.ReplyOptionListView.as_view(), name="reply-options"),
    path("metrics/service/", views.ServiceMetricView.as_view(), name="metrics-service"),
]
