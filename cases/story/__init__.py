"""The story of a case at a glance (its own Django app, label `story`): the figures that say what is wrong, how big it
is, since when and why it is not noise, all read through the case's measure (`cases.measure`, by decision time).

- `window`: the window of the figures (the detection window ending now, or since the first error) and the range of
  the trend (the case's life, at most 90 days);
- `rows`, `header`, `noise`, `unusual`, `trend`: each figure's reads and its pure computation;
- `compute`: all of them in one JSON-ready dict; `models.CaseStory` stores it per case;
- `chart`: the trend chart's geometry (`templates/cases/_trend_chart.html` draws it);
- `display`: the texts people read (pure);
- `services` (`case_story_refresh`), `selectors` (`case_story`, `pattern_story`) and `tasks` (`refresh_case_story`,
  `refresh_open_case_stories`).
"""
