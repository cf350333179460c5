from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("issue/", views.report_issue, name="issue"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/regenerate/", views.report_regenerate, name="regenerate"),
    path("<int:pk>/r<int:number>.xlsx", views.report_xlsx, name="xlsx"),
    path("<int:pk>/r<int:number>.pdf", views.report_pdf, name="pdf"),
]
