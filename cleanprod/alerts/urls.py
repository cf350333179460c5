from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "alerts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.alert_list, name="list"),
    path("feed.json", views.alert_feed, name="feed"),
    path("unread.json", views.unread_feed, name="unread"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/respond/", views.alert_respond, name="respond"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("sites/<int:site_pk>/rules/", views.rule_list, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule-edit"),
    path("sites/<int:site_pk>/calendar/", views.calendar_page, name="calendar"),
    path("sites/<int:site_pk>/channels/", views.channel_list, name="channels"),
    path("sites/<int:site_pk>/completeness/", views.completeness_page, name="completeness"),
]
