from django.urls import path

from cpps.listening import views

app_name = "listening"
SURVEY = "j/<slug:slug>/surveys/<int:pk>/"
urlpatterns = [
    path(f"{SURVEY}questions/", views.instrument_overview, name="instrument"),
    path(f"{SURVEY}questions/new-version/", views.instrument_new_version, name="new_version"),
    path(f"{SURVEY}questions/standard/", views.instrument_add_standard, name="add_standard"),
    path(f"{SURVEY}questions/add/", views.question_add, name="add_question"),
    path(
        f"{SURVEY}questions/<int:question>/remove/",
        views.question_remove,
        name="remove_question",
    ),
    path(f"{SURVEY}questions/publish/", views.instrument_publish, name="publish"),
    path(f"{SURVEY}results/", views.survey_results, name="results"),
    path(f"{SURVEY}results.csv", views.survey_results_csv, name="results_csv"),
    path(f"{SURVEY}results.json", views.survey_results_json, name="results_json"),
    path(f"{SURVEY}answers.csv", views.survey_answers_csv, name="answers_csv"),
    path(f"{SURVEY}paper/", views.paper_entry, name="paper"),
    path(f"{SURVEY}paper/forms.pdf", views.paper_pdf, name="paper_pdf"),
    path(f"{SURVEY}paper/<str:code>/resolve/", views.paper_resolve, name="paper_resolve"),
    path("survey/<int:pk>/", views.survey_start, name="start"),
    path("survey/<int:pk>/q/<int:position>/", views.survey_question, name="question"),
    path("survey/<int:pk>/about-you/", views.survey_about_you, name="about_you"),
    path("survey/<int:pk>/thank-you/", views.survey_done, name="done"),
]
