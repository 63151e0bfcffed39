"""Merchant area URLs (under the language prefix, /merchant/)."""

from django.urls import path

from . import merchant_views as views
from . import team_views

app_name = "merchant"

urlpatterns = [
    path("login/", views.MerchantLoginView.as_view(), name="login"),
    path("logout/", views.MerchantLogoutView.as_view(), name="logout"),
    path("choose/", views.choose_merchant, name="choose"),
    path("start/", views.start, name="start"),
    path("team/", team_views.team_page, name="team"),
    path("team/invite/", team_views.team_invite, name="team-invite"),
    path("team/<int:member_id>/role/", team_views.team_role, name="team-role"),
    path("team/<int:member_id>/remove/", team_views.team_remove, name="team-remove"),
    path("invitation/<token:token>/", team_views.invitation, name="invitation"),
    path("two-factor/", team_views.two_factor_verify, name="two-factor"),
    path("two-factor/setup/", team_views.two_factor_setup, name="two-factor-setup"),
    path("", views.product_list, name="products"),
    path("products/new/", views.product_new, name="product-new"),
    path("products/<uuid:reference>/", views.product_edit, name="product"),
    path("products/<uuid:reference>/archive/", views.product_archive, name="product-archive"),
    path("products/<uuid:reference>/images/", views.image_upload, name="image-upload"),
    path("products/<uuid:reference>/images/<int:image_id>/remove/", views.image_remove, name="image-remove"),
    path("products/<uuid:reference>/offers/", views.offers_save, name="offers"),
    path("import/", views.import_products, name="import"),
    path("import/template/<code:fmt>/", views.import_template, name="import-template"),
    path("export/<code:fmt>/", views.export_products, name="export"),
    path("abroad/", views.abroad, name="abroad"),
    path("shop/", views.shop_names, name="shop"),
    path("categories/", views.category_search, name="category-search"),
]
