"""Page file run by st.navigation; the page itself lives in quiz.ui.mock_interview."""

from quiz.ui.mock_interview import render

render()
