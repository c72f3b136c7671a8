from django.urls import path

from cpps.participation import views

app_name = "participation"
P = "j/<slug:slug>/processes/<int:pk>/taking-part/"
urlpatterns = [
    path("take-part/<int:pk>/about-you/", views.about_you, name="about_you"),
    path("take-part/<int:pk>/enter/", views.enter, name="enter"),
    path("take-part/<int:pk>/resume/<str:token>/", views.resume, name="resume"),
    path("take-part/<str:token>/", views.take_part, name="take_part"),
    path(P, views.eligibility, name="eligibility"),
    path(P + "bursts/<int:flag>/reviewed/", views.burst_review, name="burst_review"),
    path(P + "links/", views.links, name="links"),
    path(P + "participants/", views.participants, name="participants"),
    path(P + "codes/", views.residency_codes, name="codes"),
    path(P + "codes/letters.pdf", views.residency_letters, name="letters"),
    path(P + "codes/printed/", views.residency_letters_printed, name="letters_printed"),
    path(P + "phones/", views.phone_invitations, name="phones"),
    path(P + "in-person/", views.in_person, name="in_person"),
]
