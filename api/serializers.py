"""What each API record holds. Related records are named by their public keys (ISO codes,
slugs, SDG codes, public identifiers), never by database ids, so a client's stored
references survive a re-import."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jurisdictions.models import Commitment, CommitmentLink, Jurisdiction, ProgressUpdate
from recommendations.models import AffectedGroup, Country, Review, SdgTarget, Theme


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request else path


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["iso3", "name", "formal_name", "region", "kind"]


class ReviewSerializer(serializers.ModelSerializer):
    state_under_review = serializers.CharField(source="state_under_review.iso3")

    class Meta:
        model = Review
        fields = [
            "id",
            "state_under_review",
            "cycle",
            "wg_session",
            "review_date",
            "report_symbol",
            "response_symbol",
            "response_date",
            "status",
        ]


class ThemeSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Theme
        fields = ["slug", "name", "name_es", "vocabulary", "parent", "description"]


class AffectedGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = AffectedGroup
        fields = ["slug", "name"]


class SdgTargetSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal.number")

    class Meta:
        model = SdgTarget
        fields = ["code", "goal", "title"]


class RecommendationSerializer(serializers.Serializer):
    """Built from the row and its facet arrays, mapped to codes through small tables the
    view reads once per request (context["names"]): no query per row."""

    id = serializers.CharField(source="public_id", help_text=_("Permanent, e.g. USA-3-26.49."))
    url = serializers.SerializerMethodField()
    state_under_review = serializers.CharField(source="review.state_under_review.iso3")
    cycle = serializers.IntegerField(source="review.cycle")
    review = serializers.IntegerField(source="review_id")
    report_symbol = serializers.CharField(source="review.report_symbol")
    paragraph = serializers.CharField()
    citation = serializers.CharField()
    text = serializers.CharField()
    text_es = serializers.CharField(help_text=_("The UN's Spanish text; empty where none is held."))
    response = serializers.CharField()
    response_note = serializers.CharField()
    action_category = serializers.IntegerField(allow_null=True)
    recommending_states = serializers.SerializerMethodField()
    themes = serializers.SerializerMethodField()
    affected_groups = serializers.SerializerMethodField()
    sdg_targets = serializers.SerializerMethodField()
    local_status = serializers.CharField()
    jurisdictions_acting = serializers.IntegerField()
    uhri_id = serializers.UUIDField(allow_null=True)
    upr_info_key = serializers.CharField()
    body = serializers.CharField()
    updated_at = serializers.DateTimeField()

    def _names(self, kind, ids) -> list[str]:
        table = self.context["names"][kind]
        return sorted(table[i] for i in ids if i in table)

    def get_url(self, rec) -> str:
        return absolute(self.context.get("request"), rec.get_absolute_url())

    def get_recommending_states(self, rec) -> list[str]:
        return self._names("countries", rec.country_ids)

    def get_themes(self, rec) -> list[str]:
        return self._names("themes", rec.theme_ids)

    def get_affected_groups(self, rec) -> list[str]:
        return self._names("groups", rec.group_ids)

    def get_sdg_targets(self, rec) -> list[str]:
        return sorted(code for code in rec.sdg_codes if "." in code)


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    geoid = serializers.CharField(help_text=_("Census GEOID; empty where none exists."))
    url = serializers.SerializerMethodField()

    class Meta:
        model = Jurisdiction
        fields = ["slug", "url", "name", "kind", "state_code", "geoid", "ocd_id", "parent"]

    def get_url(self, obj) -> str:
        return absolute(self.context.get("request"), obj.get_absolute_url())


class CommitmentSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    recommendations = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "url",
            "title",
            "title_es",
            "jurisdiction",
            "kind",
            "instrument_ref",
            "status",
            "adopted_on",
            "target_date",
            "responsible_office",
            "summary",
            "summary_es",
            "source_url",
            "themes",
            "recommendations",
            "published_at",
            "updated_at",
        ]

    def get_url(self, obj) -> str:
        return absolute(self.context.get("request"), obj.get_absolute_url())

    def get_recommendations(self, obj) -> list[str]:
        return sorted(link.recommendation.public_id for link in obj.links.all())


class ProgressUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "commitment",
            "reported_on",
            "status",
            "summary",
            "summary_es",
            "evidence_url",
        ]


class LinkSerializer(serializers.ModelSerializer):
    recommendation = serializers.CharField(source="recommendation.public_id")

    class Meta:
        model = CommitmentLink
        fields = ["id", "commitment", "recommendation", "relation", "rationale"]
