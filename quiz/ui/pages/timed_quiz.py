"""Page file run by st.navigation; the page itself lives in quiz.ui.timed_quiz."""

from __future__ import annotations

from quiz.ui.timed_quiz import render

render()
