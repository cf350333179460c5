from django.urls import URLPattern, URLResolver

app_name = "options"
urlpatterns: list[URLPattern | URLResolver] = []
