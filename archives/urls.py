from django.urls import path

from archives.views import contact, exits, listing, reverify

app_name = "archives"

urlpatterns = [
    # The lists, the archive page, the merge and the printed forms (listing).
    path("", listing.archive_list, name="list"),
    path("search/", listing.archive_search, name="search"),
    path("export/", listing.archive_export, name="export"),
    path("<int:pk>/", listing.archive_detail, name="detail"),
    path("<int:pk>/merge/", listing.archive_merge_view, name="merge"),
    path("<int:pk>/print/approval/", listing.print_approval, name="print_approval"),
    path("<int:pk>/print/card/", listing.print_card, name="print_card"),
    # Re-verification and category changes (reverify).
    path("due/", reverify.due, name="due"),
    path("category-changes/", reverify.category_changes, name="category_changes"),
    path("<int:pk>/reverify/", reverify.reverify, name="reverify"),
    path("<int:pk>/reverify/<int:visit_pk>/", reverify.reverify_result, name="reverify_result"),
    path(
        "<int:pk>/category-change/",
        reverify.category_change_propose,
        name="category_change_propose",
    ),
    path(
        "<int:pk>/category-changes/<int:change_pk>/decide/",
        reverify.category_change_decide,
        name="category_change_decide",
    ),
    path(
        "<int:pk>/visits/<int:visit_pk>/survey/",
        reverify.print_visit_survey,
        name="print_visit_survey",
    ),
    path("<int:pk>/survey/blank/", reverify.print_visit_blank, name="print_visit_blank"),
    # Exits, objections and the phase-out (exits).
    path("<int:pk>/exit/request/", exits.exit_request, name="exit_request"),
    path("<int:pk>/exit/finding/", exits.exit_finding, name="exit_finding"),
    path("<int:pk>/exit/finalise/", exits.exit_finalise, name="exit_finalise"),
    path("<int:pk>/exit/blank-form/", exits.print_exit_blank, name="print_exit_blank"),
    path("<int:pk>/exits/<int:exit_pk>/objection/", exits.exit_objection, name="exit_objection"),
    path("<int:pk>/exits/<int:exit_pk>/print/", exits.print_exit_form, name="print_exit_form"),
    path(
        "<int:pk>/objections/<int:objection_pk>/decide/",
        exits.objection_decide,
        name="objection_decide",
    ),
    path(
        "<int:pk>/objections/<int:objection_pk>/letter/",
        exits.recheck_letter,
        name="recheck_letter",
    ),
    path("<int:pk>/phase-out/conclude/", exits.phase_out_conclude, name="phase_out_conclude"),
    path("objections/", exits.objection_list, name="objections"),
    path("phase-out/", exits.phase_out_list, name="phase_out"),
    # The worker's phone and bank card (contact).
    path("<int:pk>/contact/", contact.contact_update, name="contact_update"),
]
