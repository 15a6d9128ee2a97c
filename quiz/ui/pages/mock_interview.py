"""Page file run by st.navigation; the page itself lives in quiz.ui.mock_interview."""

from __future__ import annotations

from quiz.ui.mock_interview import render

render()
