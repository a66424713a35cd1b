"""Glue of the Lessons page: one short, projector-sized lesson per classic question.

How a lesson is made (the whole interface):

* **Text** is content, not code: ``text/<lang>/NN_slug.toml`` for ``lang`` in ``en`` and ``zh``,
  with the keys ``title``, ``question`` (3-6 sentences), ``predict`` (the "predict first"
  prompt), ``choices`` (a list of possible answers), ``happened`` (a ``str.format`` template with
  *named* measured numbers, ``{sgd_steps}``) and a ``[labels]`` table for the lesson's control
  labels, figure titles and captions (a label whose name ends in ``_latex`` is LaTeX for
  ``st.latex``, never formatted). Both languages carry the same keys and placeholders
  (``tests/pages/test_lessons_text.py`` checks it). ``text.load(slug, lang)`` reads one,
  ``text.language()`` gives the reader's language.
* **Code** is one module ``lNN_slug.py`` with ``show(text: LessonText) -> Outcome | None``: it
  draws its two or three controls (keys from ``pages._common.keys.lessons.key(N, name)``), asks
  the engine for its facts (cached on the settings), draws its figures (viz builders), and
  returns an :class:`~pages._lessons.frame.Outcome`: the measured numbers for ``happened`` and
  the full page's link (``Link("playground", {"pg_surface": "custom", ...})``). Return ``None``
  after showing a friendly message when the settings gave nothing to measure.
* **Registration**: ``catalog.LESSONS`` lists (number, slug) in order; a lesson whose module
  ``pages/_lessons/lNN_slug.py`` does not exist yet is listed as "coming".
* ``frame.render`` draws the common parts around ``show``: title, question, the prediction,
  then the lesson, then "What happened" filled with the numbers and the "Open in the full page"
  button.
"""
