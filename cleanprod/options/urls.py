from django.urls import path

from . import views

app_name = "options"
urlpatterns = [
    path("audit/<int:audit_pk>/", views.option_list, name="list"),
    path("audit/<int:audit_pk>/new/", views.option_create, name="create"),
    path("audit/<int:audit_pk>/options.xlsx", views.register_xlsx, name="register-xlsx"),
    path("<int:pk>/", views.option_detail, name="detail"),
    path("<int:pk>/edit/", views.option_edit, name="edit"),
    path("<int:pk>/status/", views.option_transition, name="transition"),
    path("<int:pk>/implementation/", views.implementation_edit, name="implementation"),
    path("<int:pk>/verification/", views.verification_edit, name="verification"),
]
