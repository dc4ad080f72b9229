from django.urls import path

from complaints.portal import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="portal-list"),
    path("<int:pk>/", views.complaint_detail, name="portal-detail"),
    path("<int:pk>/appeal/", views.appeal_create, name="portal-appeal"),
    path("appeals/", views.appeal_list, name="portal-appeals"),
]
