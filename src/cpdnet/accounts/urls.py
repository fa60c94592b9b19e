from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("sign-in/link/<str:token>/", views.sign_in_link, name="sign-in-link"),
    path("sign-in/password/", views.sign_in_password, name="sign-in-password"),
    # OpenID Connect (DfE Sign-in): answer 404 unless configured (settings.OIDC_ENABLED).
    path("sign-in/oidc/", views.oidc_start, name="oidc-start"),
    path("sign-in/oidc/callback/", views.oidc_callback, name="oidc-callback"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("account/", views.account, name="account"),
    path("account/password/", views.account_password, name="account-password"),
    path("account/data/", views.account_data, name="account-data"),
    path("account/delete/", views.account_delete, name="account-delete"),
]
