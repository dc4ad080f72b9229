from django.urls import path

from notifications.portal import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="portal-list"),
    path("<int:pk>/read/", views.mark_read, name="portal-read"),
    path("read-all/", views.mark_all_read, name="portal-read-all"),
]
