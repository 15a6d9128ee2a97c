"""Page file run by st.navigation; the page itself lives in quiz.ui.practice."""

from __future__ import annotations

from quiz.ui.practice import render

render()
