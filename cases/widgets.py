"""Form widgets rendered in Python, for the long pickers of the case room (a speed-up: measured, and worth it).

Django renders a select through a template for the select, and another (with its attributes' template) for each
option: about 0.1 ms an option. The case room shows two pickers of people (a hundred quality leads and partners
each) and a checklist of up to 50 evidence samples; through templates they cost it 30-40 ms a view, a quarter of its
time budget (docs/performance.md). These widgets build the same markup (`get_context`'s options, selected state and
attributes, escaped by `format_html`) in a few string operations. What they render is plain HTML a test can read.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class QuickSelect(forms.Select):
    """`forms.Select`, rendered without a template per option (no option groups: the pickers here have none)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class QuickCheckboxList(forms.CheckboxSelectMultiple):
    """`forms.CheckboxSelectMultiple` as a list of `<label class="...">` items (`label_class`), each with its checkbox
    (ids `<id>_<n>`, as Django numbers them), without a template per option."""

    def __init__(self, *args, label_class: str = "check", **kwargs):
        super().__init__(*args, **kwargs)
        self.label_class = label_class

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html_join(
            "",
            '<label class="{}"><input type="checkbox" name="{}" value="{}"{}> {}</label>',
            (
                (self.label_class, widget["name"], option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
