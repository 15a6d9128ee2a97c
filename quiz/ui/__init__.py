"""Streamlit user interface: one module per page plus small shared helpers.

Modules:
    context      per-session values the pages share (settings, clock, user) and the error guard
    resources    cached shared resources (bank, embedder/grader, store)
    components   small rendering helpers (grade card, references, safe user text)
    services     the pages' calls into grading, the store, question selection and LLM feedback
    practice, timed_quiz, mock_interview, history, reports_page, bank_browser, settings_page
                 the pages; ``quiz/ui/pages/*.py`` are the thin files ``st.navigation`` runs

Only this package (and ``streamlit_app.py``) imports Streamlit.
"""
