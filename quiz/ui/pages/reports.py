"""Page file run by st.navigation; the page itself lives in quiz.ui.reports_page."""

from __future__ import annotations

from quiz.ui.reports_page import render

render()
