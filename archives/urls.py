from archives.views import contact, exits, listing, reverify

app_name = "archives"

# Each view module lists its own routes: lists and the file (listing), re-verification
# and category changes (reverify), exits and objections (exits), phone and bank card
# (contact).
urlpatterns = [
    *listing.urlpatterns,
    *reverify.urlpatterns,
    *exits.urlpatterns,
    *contact.urlpatterns,
]
