from django.urls import path

from complaints.api import views

urlpatterns = [
    path("platform/complaints/", views.ComplaintIngestView.as_view(), name="platform-complaints"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint-list"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path("ops/complaints/<int:pk>/judge/", views.ComplaintJudgeView.as_view(), name="ops-complaint-judge"),
    path("appeals/", views.AppealListCreateView.as_view(), name="appeal-list"),
    path("appeals/<int:pk>/", views.AppealDetailView.as_view(), name="appeal-detail"),
    path("ops/appeals/<int:pk>/accept/", views.AppealAcceptView.as_view(), name="ops-appeal-accept"),
    path("ops/appeals/<int:pk>/reject/", views.AppealRejectView.as_view(), name="ops-appeal-reject"),
]
