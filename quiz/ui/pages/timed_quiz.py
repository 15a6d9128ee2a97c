"""Page file run by st.navigation; the page itself lives in quiz.ui.timed_quiz."""

from quiz.ui.timed_quiz import render

render()
