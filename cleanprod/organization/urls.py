from django.urls import path

from . import views

app_name = "organization"
urlpatterns = [
    path("", views.site_list, name="site-list"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
]
