"""Page file run by st.navigation; the page itself lives in quiz.ui.history."""

from __future__ import annotations

from quiz.ui.history import render

render()
