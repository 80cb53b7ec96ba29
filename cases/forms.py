"""Forms of the case pages. They parse and validate input; the views hand the cleaned data to `cases.services`."""

import re
from datetime import datetime, time

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from cases import people, permissions
from cases.choices import ActionItemKind, ActionItemStatus, CaseStatus, FindingStatus, RootCauseCategory, Severity
from cases.filters import KEY_RE
from cases.fixes.records import FixInput, closure_evidence, fix_input_errors
from cases.models import MAX_WHYS, Case, Team, WhyStep
from cases.selectors import (
    action_item_owner_choices,
    finding_evidence_choices,
    linked_samples,
    quality_lead_choices,
)
from cases.widgets import QuickCheckboxList, QuickSelect

SELECT_ALL_CAP = 1000


def end_of_day(day) -> datetime | None:
    """A due date typed as a day means the end of that day, in the site's time zone."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class IdForm(forms.Form):
    """A form whose element ids carry its own prefix, so that several forms on one page never share an id."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class UserChoiceField(forms.ModelChoiceField):
    widget = QuickSelect  # pickers of a hundred people (`cases.widgets`)

    def label_from_instance(self, obj: User) -> str:
        return people.choice_label(obj)


class CaseKeyField(forms.CharField):
    """A case named by its key (`RCA-42`) or id; the form resolves it among the cases the user may see."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def to_case(self, value: str, user: User) -> Case:
        match = KEY_RE.match(value or "")
        if not match:
            raise forms.ValidationError("Enter a case key such as RCA-42.")
        case = permissions.visible_cases(user).filter(pk=int(match.group(1))).first()
        if case is None:
            raise forms.ValidationError(f"There is no case {value.strip()} that you can see.")
        return case


# CASE
# ------------------------------------------------------------------------------


class CaseEditForm(IdForm):
    id_prefix = "edit"
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Severity.choices)
    problem_statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    root_cause_category = forms.ChoiceField(choices=[("", "Not known yet"), *RootCauseCategory.choices], required=False)
    root_cause_statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    @classmethod
    def for_case(cls, case: Case) -> "CaseEditForm":
        return cls(initial={name: getattr(case, name) for name in cls.base_fields})


class AssignForm(IdForm):
    id_prefix = "assign"
    owner = UserChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody")
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="Keep the team", widget=QuickSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = quality_lead_choices()


class ShareForm(IdForm):
    id_prefix = "share"
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )


class TransitionForm(IdForm):
    """A move of the workflow, with what it needs: a reason, the case it duplicates, the fix (entering monitoring:
    `fix_input()`), or, closing without evidence (`closure_evidence`), the override reason."""

    id_prefix = "move"
    to = forms.ChoiceField(choices=CaseStatus.choices)
    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    duplicate_of = CaseKeyField(required=False, label="Duplicate of")
    effective_at = forms.DateTimeField(
        required=False,
        label="Took effect at",
        help_text="Now, or earlier; never in the future.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    model_version = forms.CharField(max_length=64, required=False, label="Model version")
    guideline_version = forms.CharField(max_length=64, required=False, label="Guideline version")
    process_change = forms.CharField(max_length=200, required=False, label="Queue or workflow change")
    description = forms.CharField(
        max_length=5000, required=False, label="What changed", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user: User, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.case = case

    @classmethod
    def for_fix(cls, *, user: User) -> "TransitionForm":
        """The empty fix form: it took effect now (to the minute, in the site's time zone)."""
        return cls(user=user, initial={"effective_at": timezone.localtime().replace(second=0, microsecond=0)})

    def clean_duplicate_of(self) -> Case | None:
        value = self.cleaned_data.get("duplicate_of", "")
        if not value:
            return None
        return self.fields["duplicate_of"].to_case(value, self.user)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") == CaseStatus.MONITORING and "effective_at" not in self.errors:
            for name, message in fix_input_errors(self.fix_input(), now=timezone.now()).items():
                self.add_error(name, message)
        if cleaned.get("to") == CaseStatus.CLOSED and self.case is not None and not cleaned.get("reason", "").strip():
            why_not = closure_evidence(self.case)
            if why_not:
                self.add_error("reason", f"{why_not} Give an override reason to close anyway.")
        return cleaned

    def fix_input(self) -> FixInput:
        data = self.cleaned_data
        return FixInput(
            effective_at=data.get("effective_at"),
            **{name: data.get(name) or "" for name in ("model_version", "guideline_version", "process_change")},
            description=data.get("description") or "",
        )


# FINDINGS, ACTION ITEMS, COMMENTS
# ------------------------------------------------------------------------------


class FindingForm(IdForm):
    """A finding and the samples it cites: ticked among the case's most recently linked samples, or typed by external
    id (any sample linked to the case). A sample that is not linked to the case is refused with its id."""

    id_prefix = "finding"
    MAX_TYPED_EVIDENCE = 200

    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    status = forms.ChoiceField(choices=FindingStatus.choices, initial=FindingStatus.HYPOTHESIS)
    evidence = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        choices=(),
        widget=QuickCheckboxList(label_class="check small"),
        label="Evidence samples",
    )
    evidence_ids = forms.CharField(
        required=False,
        max_length=10_000,
        label="Other evidence samples",
        help_text="External ids of samples linked to this case, separated by spaces, commas or new lines.",
        widget=forms.Textarea(attrs={"rows": 1}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["evidence"].choices = [
            (sample.pk, f"{sample.external_id} · {sample.audit_label_id} · {sample.market}")
            for sample in finding_evidence_choices(case=case)
        ]

    def clean_evidence_ids(self) -> list[str]:
        typed = [
            value for value in dict.fromkeys(re.split(r"[\s,;]+", self.cleaned_data.get("evidence_ids", ""))) if value
        ]
        if len(typed) > self.MAX_TYPED_EVIDENCE:
            raise forms.ValidationError(f"Cite at most {self.MAX_TYPED_EVIDENCE} samples by id.")
        return typed

    def clean(self):
        cleaned = super().clean()
        ticked, typed = cleaned.get("evidence") or [], cleaned.get("evidence_ids") or []
        samples = linked_samples(case=self.case, ids=ticked, external_ids=typed) if ticked or typed else []
        unknown = sorted(set(typed) - {sample.external_id for sample in samples})
        if unknown:
            self.add_error("evidence_ids", f"Not linked to this case: {', '.join(unknown[:20])}.")
        cleaned["evidence_samples"] = samples
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"statement": data["statement"], "status": data["status"], "evidence": data["evidence_samples"]}


class FindingStatusForm(IdForm):
    id_prefix = "finding_status"
    status = forms.ChoiceField(choices=FindingStatus.choices)


class ContributingFactorForm(IdForm):
    id_prefix = "factor"
    category = forms.ChoiceField(choices=RootCauseCategory.choices, label="Category")
    statement = forms.CharField(max_length=500, label="Contributing factor", help_text="One sentence.")


class FiveWhysForm(IdForm):
    """One text box per "why?"; the answers must follow each other (no gap), and empty boxes at the end are ignored."""

    id_prefix = "whys"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for position in range(1, MAX_WHYS + 1):
            self.fields[f"why_{position}"] = forms.CharField(
                max_length=500, required=False, label="Why?" if position == 1 else "Why was that?"
            )

    @classmethod
    def for_steps(cls, steps: list[WhyStep]) -> "FiveWhysForm":
        return cls(initial={f"why_{step.position}": step.answer for step in steps})

    def clean(self):
        cleaned = super().clean()
        answers = [(cleaned.get(f"why_{position}") or "").strip() for position in range(1, MAX_WHYS + 1)]
        while answers and not answers[-1]:
            answers.pop()
        if "" in answers:
            raise forms.ValidationError("Answer each why in turn: leave no box empty before the last answer.")
        cleaned["answers"] = answers
        return cleaned


class ActionItemForm(IdForm):
    id_prefix = "item"
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ActionItemKind.choices)
    owner = UserChoiceField(queryset=User.objects.none(), required=False, empty_label="No one yet")
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="No team", widget=QuickSelect
    )
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = action_item_owner_choices()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("owner") and not cleaned.get("team"):
            raise forms.ValidationError("Give the action item an owner or a team, so that someone acts on it.")
        due = cleaned.get("due")
        if due is not None and due < timezone.localdate():
            self.add_error("due", "The due date is in the past.")
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "owner": data["owner"],
            "team": data["team"],
            "due_at": end_of_day(data["due"]),
            "description": data["description"],
        }


class ActionItemUpdateForm(IdForm):
    """Quality leads change everything here; partners (owner or team) only the fields their role may change
    (`permissions.PARTNER_EDITABLE_ACTION_ITEM_FIELDS`), of which this form offers the status."""

    id_prefix = "item_update"
    # The service's name of each field, where it differs (a day here, an end-of-day datetime there).
    SERVICE_NAMES = {"due": "due_at"}

    status = forms.ChoiceField(choices=ActionItemStatus.choices)
    owner = UserChoiceField(queryset=User.objects.none(), required=False, empty_label="No one")
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if permissions.action_item_fields_refused(user, [self.SERVICE_NAMES.get(name, name)]):
                del self.fields[name]
        if "owner" in self.fields:
            self.fields["owner"].queryset = action_item_owner_choices()

    def service_fields(self) -> dict:
        fields = {self.SERVICE_NAMES.get(name, name): value for name, value in self.cleaned_data.items()}
        if "due_at" in fields:
            fields["due_at"] = end_of_day(fields["due_at"])
        return fields


class CommentForm(IdForm):
    id_prefix = "comment"
    body = forms.CharField(
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "class": "js-mention",
                "placeholder": "Write a comment. Markdown works; @username notifies.",
            }
        ),
        max_length=20_000,
        label="Comment",
    )
    finding = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No `maxlength` in the page: a browser truncates a paste to it without a word; the server says what is wrong.
        self.fields["body"].widget.attrs.pop("maxlength", None)


# OPENING A CASE FROM SAMPLES
# ------------------------------------------------------------------------------


class SampleSelectionForm(IdForm):
    """The samples chosen on the explorer: ticked ids, or every sample matching the filter (capped)."""

    id_prefix = "pick"

    SCOPE_SELECTED = "selected"
    SCOPE_ALL = "all"

    sample = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    scope = forms.ChoiceField(choices=[(SCOPE_SELECTED, "Ticked samples"), (SCOPE_ALL, "All matching the filter")])
    filters = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("open", "Open a new case"), ("add", "Add to a case")])
    title = forms.CharField(max_length=200, required=False)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.S3, required=False)
    problem_statement = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2}))
    case = CaseKeyField(required=False, label="Case key")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The ids are checked against the visible samples by the view; any integer is accepted here.
        raw = self.data.getlist(self.add_prefix("sample")) if hasattr(self.data, "getlist") else []
        self.fields["sample"].choices = [(value, value) for value in raw]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == self.SCOPE_SELECTED and not cleaned.get("sample"):
            raise forms.ValidationError("Tick at least one sample, or choose all samples matching the filter.")
        action = cleaned.get("action")
        if action == "open" and not (cleaned.get("title") or "").strip():
            self.add_error("title", "A new case needs a title.")
        if action == "add":
            try:
                cleaned["case"] = self.fields["case"].to_case(cleaned.get("case", ""), self.user)
            except forms.ValidationError as error:
                self.add_error("case", error)
        return cleaned


# SETTINGS
# ------------------------------------------------------------------------------


class PreferenceForm(IdForm):
    id_prefix = "pref"
    blur_sensitive = forms.BooleanField(
        required=False,
        label="Blur notes and transcripts of sensitive samples until I reveal them",
        help_text="Each reveal is recorded. Turning this off shows sensitive text straight away.",
    )
