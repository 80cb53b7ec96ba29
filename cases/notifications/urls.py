from django.urls import path

from cases.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/<int:pk>/read/", views.notification_mark_read, name="notification-read"),
    path("notifications/read-all/", views.notification_mark_all_read, name="notification-read-all"),
]
