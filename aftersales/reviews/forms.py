"""The review form: it parses what the buyer typed into the services' input and shows the services'
refusals on the field they name. The rules live in aftersales.reviews.services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import services

RATINGS = [(str(stars), str(stars)) for stars in range(5, 0, -1)]


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: each checked as a file; the services check that it is an image."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class ReviewForm(forms.Form):
    rating = forms.ChoiceField(label=_("Your rating"), choices=RATINGS, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=services.LIMITS["title"])
    text = forms.CharField(
        label=_("Your review"),
        max_length=services.LIMITS["text"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    author_name = forms.CharField(
        label=_("Shown as"),
        max_length=services.LIMITS["author_name"],
        help_text=_(
            "The name shown with your review, here and on our partner platforms. Nothing else about you is shown."
        ),
    )
    language = forms.ChoiceField(label=_("Written in"), choices=())

    def __init__(self, *args, with_photos=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES]
        if with_photos:
            self.fields["photos"] = MultipleFileField(
                label=_("Photos (up to 3)"),
                required=False,
                widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
            )

    def review_input(self):
        data = self.cleaned_data
        photos = tuple(data.get("photos") or ())
        return services.ReviewInput(
            rating=data["rating"],
            title=data["title"],
            text=data["text"],
            author_name=data["author_name"],
            language=data["language"],
            photos=photos,
        )

    def show_refusal(self, error):
        name = error.field if error.field in self.fields else None
        self.add_error(name, str(error.detail))
