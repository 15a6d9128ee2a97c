"""Page file run by st.navigation; the page itself lives in quiz.ui.bank_browser."""

from __future__ import annotations

from quiz.ui.bank_browser import render

render()
