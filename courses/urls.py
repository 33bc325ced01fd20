from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("course-statistics/", views.statistics_courses, name="statistics_courses"),
    path("course-statistics/<slug:slug>/", views.item_statistics, name="statistics"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("courses/<slug:slug>/start/", views.enrol, name="enrol"),
    path("courses/<slug:slug>/what-to-do/", views.what_to_do, name="what_to_do"),
    path("courses/<slug:slug>/restart/", views.restart, name="restart"),
    path("courses/<slug:slug>/lessons/<slug:lesson>/", views.lesson, name="lesson"),
    path("courses/<slug:slug>/check/", views.assessment_start, name="assessment_start"),
    path("courses/<slug:slug>/check/<int:number>/", views.attempt, name="attempt"),
    path(
        "courses/<slug:slug>/check/<int:number>/result/",
        views.attempt_result,
        name="attempt_result",
    ),
]
