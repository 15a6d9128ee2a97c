"""Page file run by st.navigation; the page itself lives in quiz.ui.settings_page."""

from __future__ import annotations

from quiz.ui.settings_page import render

render()
