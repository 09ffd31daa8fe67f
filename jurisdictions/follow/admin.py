"""The admin of commitments and their parts tells the webhooks of a change as the staff
screens do (outbox.announce): a save or a deletion there can change what the
public sees just as much. Mixed into the ModelAdmins of jurisdictions/admin.py and
progress/admin.py; the admin runs each save and deletion in one transaction."""

from ..models import Commitment, Publication
from .outbox import announce


class AnnouncesChanges:
    """For a part of a commitment (a link, a milestone, an update, an indicator)."""

    def commitment_id_of(self, obj) -> int:
        return obj.commitment_id

    def shown(self, obj, before: str | None = None) -> bool:
        """Whether the public sees the part, now or (``before``: its publication state
        before the change) until now. A part without a state of its own is shown with its
        commitment; a draft update or indicator is nobody's business yet."""
        if not hasattr(obj, "publication"):
            return True
        return Publication.PUBLISHED in {obj.publication, before}

    def first_publication(self, form) -> bool:
        return False

    def save_related(self, request, form, formsets, change):
        # Called after the object and its inlines are saved: the change is complete.
        super().save_related(request, form, formsets, change)
        changed = form.has_changed() or any(formset.has_changed() for formset in formsets)
        if changed and self.shown(form.instance, form.initial.get("publication")):
            commitment = Commitment.objects.filter(pk=self.commitment_id_of(form.instance))
            announce(commitment, first_publication=self.first_publication(form))

    def delete_model(self, request, obj):
        commitment_id = self.commitment_id_of(obj)
        super().delete_model(request, obj)
        if self.shown(obj):
            announce(Commitment.objects.filter(pk=commitment_id))

    def delete_queryset(self, request, queryset):
        ids = {self.commitment_id_of(obj) for obj in queryset if self.shown(obj)}
        super().delete_queryset(request, queryset)
        announce(Commitment.objects.filter(pk__in=ids))


class AnnouncesCommitmentChanges(AnnouncesChanges):
    """For the commitment itself: announce() already leaves out one that is not public."""

    def commitment_id_of(self, obj) -> int:
        return obj.pk

    def shown(self, obj, before=None) -> bool:
        return True

    def first_publication(self, form) -> bool:
        """Made public here and never before (as an approval decides: no publication date
        yet)."""
        commitment = form.instance
        return (
            "publication" in form.changed_data
            and commitment.publication == Publication.PUBLISHED
            and commitment.published_at is None
        )


class AnnouncesLinkChanges:
    """For the recommendation admin, whose inline edits the links of commitments."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        links = [
            link
            for formset in formsets
            for link in [
                *formset.new_objects,
                *(obj for obj, _fields in formset.changed_objects),
                *formset.deleted_objects,
            ]
        ]
        ids = {link.commitment_id for link in links}
        announce(Commitment.objects.filter(pk__in=ids))
