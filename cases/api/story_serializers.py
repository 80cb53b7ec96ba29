"""The story of a case or a pattern in the API (`cases.story`): `StoryView.as_dict()`, described field by field so that
the schema says what a client gets: the raw figures (the header's numbers, the noise test, the unusual values and the
daily series of the trend), the markers, and the texts the pages show.

Only the detail endpoints carry it (`GET /api/v1/cases/{id}/` and the other answers of one case, `GET
/api/v1/patterns/{id}/`): it is stored per case (`cases.story.models.CaseStory`), or computed for a pattern without a
case, so lists leave it out.
"""

from rest_framework import serializers

from cases.api.fix_serializers import MeasureSerializer
from cases.story.trend import MarkerKind

RATE = "A fraction (0.25 is 25%); null without audits."
CAPPED = "Capped: null with `{field}_over_cap` true when over 100, or against a zero rate."

# THE FIGURES
# ------------------------------------------------------------------------------


class StoryTallySerializer(serializers.Serializer):
    audits = serializers.IntegerField()
    errors = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=RATE)


class StoryWindowSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    days = serializers.IntegerField()
    basis = serializers.ChoiceField(choices=["detection_window", "since_first_seen"])


class StoryHeaderSerializer(serializers.Serializer):
    slice = StoryTallySerializer(help_text="The measure's audits and errors in the window (by decision time).")
    complement = StoryTallySerializer(
        allow_null=True, help_text="The same error kind in comparable traffic outside the slice; null without any."
    )
    ratio = serializers.FloatField(allow_null=True, help_text="Slice rate / complement rate. " + CAPPED)
    ratio_over_cap = serializers.BooleanField()
    any_errors = StoryTallySerializer(help_text="The slice's errors of any kind.")
    overall = StoryTallySerializer(help_text="Every audit decided in the window.")
    any_ratio = serializers.FloatField(allow_null=True, help_text="Any-error rate / overall rate. " + CAPPED)
    any_ratio_over_cap = serializers.BooleanField()
    support = serializers.IntegerField(help_text="Audits of the slice's structural conditions, any decision label.")
    items = serializers.IntegerField(help_text="Distinct content items of its errors.")
    moderators = serializers.IntegerField(help_text="Distinct moderators of its human errors.")
    model_versions = serializers.IntegerField(help_text="Distinct model versions of its model errors.")
    human_errors = serializers.IntegerField()
    first_seen = serializers.DateField(allow_null=True, help_text="First day of the trend with an error.")
    last_seen = serializers.DateField(allow_null=True)
    days_seen = serializers.IntegerField()
    first_seen_capped = serializers.BooleanField(help_text="The case is older than the trend: first seen earlier.")


class StoryRemovedSerializer(serializers.Serializer):
    day = serializers.IntegerField(help_text="Errors of its busiest 24 hours.")
    item = serializers.IntegerField(help_text="Errors of its busiest content item.")
    moderator = serializers.IntegerField(allow_null=True, help_text="Of its busiest moderator (human decisions).")


class StoryRobustSerializer(serializers.Serializer):
    errors = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    lift = serializers.FloatField(allow_null=True)
    lift_over_cap = serializers.BooleanField()
    removed = StoryRemovedSerializer()


class StoryNoiseSerializer(serializers.Serializer):
    errors = serializers.IntegerField()
    audits = serializers.IntegerField(help_text="The measure's audits (its decision label).")
    support = serializers.IntegerField(help_text="What the size test counts, as detection does.")
    days = serializers.IntegerField()
    items = serializers.IntegerField()
    moderators = serializers.IntegerField()
    human = serializers.BooleanField(help_text="Most errors are human decisions.")
    rate = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True, help_text="Wilson lower bound of the rate at `thresholds.z`.")
    control_rate = serializers.FloatField(allow_null=True)
    lift = serializers.FloatField(allow_null=True)
    lift_over_cap = serializers.BooleanField()
    robust = StoryRobustSerializer(help_text="Without its busiest day, item and (human decisions) moderator.")
    thresholds = serializers.DictField(child=serializers.FloatField(), help_text="Detection's thresholds.")
    tests = serializers.DictField(
        child=serializers.BooleanField(allow_null=True), help_text="Each test's outcome; null when it does not apply."
    )
    compared = serializers.BooleanField(help_text="Whether there is comparable traffic to compare the rate with.")
    passed = serializers.BooleanField()


class StoryUnusualValueSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    value = serializers.CharField(help_text="Personal values (auditors) are masked for who may not see them.")
    errors = serializers.IntegerField()
    error_share = serializers.FloatField(help_text="Share of the slice's errors with this value.")
    base_share = serializers.FloatField(help_text="Its share of `basis` traffic.")
    slice_share = serializers.FloatField(help_text="Its share of the slice's audits.")
    basis = serializers.ChoiceField(choices=["outside", "inside"])
    difference = serializers.FloatField()
    personal = serializers.BooleanField()


class StoryUnusualTextSerializer(StoryUnusualValueSerializer):
    label = serializers.CharField()
    text = serializers.CharField(help_text='e.g. "92.0% are tagged guest battle, against 8.0% of comparable traffic".')


class StoryDayCountSerializer(serializers.Serializer):
    day = serializers.DateField()
    audits = serializers.IntegerField()
    errors = serializers.IntegerField()


class StoryTrendSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    series = StoryDayCountSerializer(many=True, help_text="Every day of the trend, days without audits included.")


class StoryFiguresSerializer(serializers.Serializer):
    """Without a measure, only `version`, `computed_at` and `measure` (null)."""

    version = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    measure = MeasureSerializer(allow_null=True)
    window = StoryWindowSerializer(required=False)
    header = StoryHeaderSerializer(required=False)
    noise = StoryNoiseSerializer(required=False)
    unusual = StoryUnusualValueSerializer(many=True, required=False)
    trend = StoryTrendSerializer(
        required=False, help_text="The chart's series: daily audits and errors of the measure."
    )
    truncated = serializers.BooleanField(required=False, help_text="Too many errors were read: figures are partial.")


# THE STORY
# ------------------------------------------------------------------------------


class StoryMarkerSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[MarkerKind.OPENED, MarkerKind.FIX, MarkerKind.CLOSED, MarkerKind.REOPENED])
    at = serializers.DateTimeField()
    label = serializers.CharField()


class StoryFactSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()
    detail = serializers.CharField()


class StorySerializer(serializers.Serializer):
    """`cases.story.display.StoryView.as_dict()`: what a client needs to draw the room's header and chart."""

    figures = StoryFiguresSerializer()
    markers = StoryMarkerSerializer(many=True, help_text="Opened, each fix, closed and reopened, in time order.")
    computed_at = serializers.DateTimeField(allow_null=True, help_text="When the figures were computed.")
    window_label = serializers.CharField(help_text='e.g. "last 14 days"; empty without a measure.')
    facts = StoryFactSerializer(many=True, help_text="The header's figures as the room writes them.")
    texts = serializers.DictField(child=serializers.CharField(), help_text="Each header figure as text.")
    noise_sentence = serializers.CharField(help_text="Why this is a pattern, not noise (or what it lacks).")
    noise_passed = serializers.BooleanField()
    unusual = StoryUnusualTextSerializer(many=True, help_text="What else is unusual about its errors, most first.")
