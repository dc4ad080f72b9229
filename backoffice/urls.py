from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import health

admin.site.site_header = _("Delivery-guarantee back office")
admin.site.site_title = _("Delivery-guarantee back office")
admin.site.index_title = _("Ops review")

api_v1 = [
    path("", include("shops.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("complaints.api.urls")),
    path("", include("badges.api.urls")),
    path("", include("storefront.api.urls")),
    path("", include("notifications.api.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),  # exact paths: probes and SECURE_REDIRECT_EXEMPT
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("core.api.urls")),  # anything else under /api/: a JSON 404
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include("reports.portal.urls")),
    path("tickets/", include("tickets.portal.urls")),
    path("complaints/", include("complaints.portal.urls")),
    path("badges/", include("badges.portal.urls")),
    path("storefront/", include("storefront.portal.urls")),
    path("inbox/", include("notifications.portal.urls")),
    path("", include("shops.portal.urls")),
]

handler400 = "core.api.views.bad_request"
handler500 = "core.api.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
