from django.urls import path

from reports.portal import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="portal-list"),
    path("new/", views.report_create, name="portal-create"),
    path("coverage/", views.order_coverage, name="portal-coverage"),
    path("<str:report_no>/", views.report_detail, name="portal-detail"),
    path("<str:report_no>/amend/", views.report_amend, name="portal-amend"),
    path("<str:report_no>/withdraw/", views.report_withdraw, name="portal-withdraw"),
]
