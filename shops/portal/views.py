from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from shops.selectors import shop_overview_for_user


@login_required
def home(request):
    """商家门户首页: the merchant's shops with product and order counts."""
    return render(request, "portal/home.html", {"shops": shop_overview_for_user(user=request.user)})
