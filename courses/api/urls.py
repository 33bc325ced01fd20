from rest_framework.routers import SimpleRouter

from courses.api import views

router = SimpleRouter()
router.register("courses", views.CourseViewSet, basename="course")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
router.register("attempts", views.AttemptViewSet, basename="attempt")

urlpatterns = router.urls
