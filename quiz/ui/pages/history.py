"""Page file run by st.navigation; the page itself lives in quiz.ui.history."""

from quiz.ui.history import render

render()
